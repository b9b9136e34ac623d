//! Portal sessions. The cookie holds a random session id (32 bytes in hex); only its SHA-256
//! is stored. Each session has a CSRF token (32 random bytes in hex) that the portal sends back
//! in the `x-csrf-token` header of every mutating request. A session ends after
//! `idle_timeout_ms` without a request, or `absolute_timeout_ms` after login, whichever is first.

use crate::{ct_eq, secret::SecretText, sha256};
use std::fmt;

/// Idle timeout unless configured: 30 minutes.
pub const SESSION_IDLE_TIMEOUT_MS: u64 = 30 * 60 * 1000;
/// Absolute timeout unless configured: 12 hours.
pub const SESSION_ABSOLUTE_TIMEOUT_MS: u64 = 12 * 3600 * 1000;
/// Random bytes `Session::start` needs: 32 for the id, 32 for the CSRF token.
pub const SESSION_RANDOM_LEN: usize = 64;
/// Hex digits of a cookie value.
const COOKIE_HEX_LEN: usize = 64;

/// Why a session is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionRefusal {
    #[error("session expired at {at_ms} ms after {idle_ms} ms without a request")]
    Idle { at_ms: u64, idle_ms: u64 },
    #[error("session expired at {at_ms} ms, {absolute_ms} ms after login")]
    Absolute { at_ms: u64, absolute_ms: u64 },
}

/// How long a session lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionTimeouts {
    pub idle_ms: u64,
    pub absolute_ms: u64,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        SessionTimeouts { idle_ms: SESSION_IDLE_TIMEOUT_MS, absolute_ms: SESSION_ABSOLUTE_TIMEOUT_MS }
    }
}

/// The stored hash of a cookie value, the key a session is found by. Any text hashes; one
/// that is not a cookie this platform made simply finds no session.
pub fn session_id_hash(cookie_value: &str) -> [u8; 32] {
    sha256(cookie_value.as_bytes())
}

/// A stored portal session.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie value.
    pub id_hash: [u8; 32],
    /// The user's login name.
    pub user: String,
    /// The CSRF token (hex), stored to be compared with the request's header.
    pub csrf: String,
    pub created_ms: u64,
    pub last_seen_ms: u64,
    pub idle_timeout_ms: u64,
    pub absolute_timeout_ms: u64,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id_hash", &"[redacted]")
            .field("user", &self.user)
            .field("csrf", &"[redacted]")
            .field("created_ms", &self.created_ms)
            .field("last_seen_ms", &self.last_seen_ms)
            .field("idle_timeout_ms", &self.idle_timeout_ms)
            .field("absolute_timeout_ms", &self.absolute_timeout_ms)
            .finish()
    }
}

impl Session {
    /// A new session for `user` (already authenticated) and its cookie value, to be sent once.
    pub fn start(
        user: &str,
        timeouts: SessionTimeouts,
        now_ms: u64,
        random: [u8; SESSION_RANDOM_LEN],
    ) -> (Session, SecretText) {
        let (id_bytes, csrf_bytes) = random.split_at(SESSION_RANDOM_LEN / 2);
        let mut cookie = String::with_capacity(COOKIE_HEX_LEN);
        crate::push_hex(&mut cookie, id_bytes);
        let cookie = SecretText::new(cookie);
        let mut csrf = String::with_capacity(COOKIE_HEX_LEN);
        crate::push_hex(&mut csrf, csrf_bytes);
        let session = Session {
            id_hash: session_id_hash(cookie.expose()),
            user: user.into(),
            csrf,
            created_ms: now_ms,
            last_seen_ms: now_ms,
            idle_timeout_ms: timeouts.idle_ms,
            absolute_timeout_ms: timeouts.absolute_ms,
        };
        (session, cookie)
    }

    /// When the session ends if no request comes: the earlier of its two timeouts.
    pub fn expires_ms(&self) -> u64 {
        self.idle_expires_ms().min(self.absolute_expires_ms())
    }

    fn idle_expires_ms(&self) -> u64 {
        self.last_seen_ms.saturating_add(self.idle_timeout_ms)
    }

    fn absolute_expires_ms(&self) -> u64 {
        self.created_ms.saturating_add(self.absolute_timeout_ms)
    }

    /// Whether the session still holds at `now_ms`.
    pub fn check(&self, now_ms: u64) -> Result<(), SessionRefusal> {
        if now_ms >= self.absolute_expires_ms() {
            return Err(SessionRefusal::Absolute {
                at_ms: self.absolute_expires_ms(),
                absolute_ms: self.absolute_timeout_ms,
            });
        }
        if now_ms >= self.idle_expires_ms() {
            return Err(SessionRefusal::Idle { at_ms: self.idle_expires_ms(), idle_ms: self.idle_timeout_ms });
        }
        Ok(())
    }

    /// Whether `header` (the request's `x-csrf-token`) is this session's CSRF token; compared in
    /// constant time. A missing header never is.
    pub fn csrf_ok(&self, header: Option<&str>) -> bool {
        header.is_some_and(|header| ct_eq(header.as_bytes(), self.csrf.as_bytes()))
    }
}

#[cfg(test)]
mod tests;
