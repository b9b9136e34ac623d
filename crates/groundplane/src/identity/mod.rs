//! The platform's identities for the HTTP gate: API tokens (`Authorization: Bearer gpt_...`)
//! and portal sessions (the `gp_session` cookie, with the `x-csrf-token` header on every
//! request that changes state), over `archive::IdentityStore` in `<data>/_platform/identity`.
//! The core (`identity`) hashes, checks and expires; this module reads the clock and the
//! system's randomness, and holds the store.
//!
//! Every method is blocking (SQLite, and Argon2id for `login`): call them from the blocking
//! pool. A refusal never names the secret presented, and `login` answers the same for an
//! unknown user and a wrong password, after the same work.

pub mod gate;
#[cfg(test)]
mod tests;

use ::identity::{
    grants_within, hash_password, issue, parse_presented, session_id_hash, verify_password, PasswordParams, Revocation,
    SecretText, Session, SessionRefusal, SessionTimeouts, TokenError, TokenRefusal, TokenView, SESSION_RANDOM_LEN,
    TOKEN_RANDOM_LEN,
};
use archive::{ArchiveError, IdentityStore};
use base::Env;
use policy::{Grant, PrincipalKind, Role};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The header carrying a session's CSRF token on every request that changes state.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Where the identity store lives under the platform's data folder.
pub const IDENTITY_SUBDIR: &str = "_platform/identity";
/// A session's `last_seen_ms` is written at most this often (each write is an fsync): its idle
/// timeout may end up to this much early, never late.
const TOUCH_INTERVAL_MS: u64 = 60_000;
/// Logins hashing at once: each takes Argon2id's memory (19 MiB by default).
const LOGINS_MAX: usize = 4;
/// Longest cookie value looked up (ours are 64 hex digits).
const COOKIE_LEN_MAX: usize = 128;
/// Tries at a fresh token id if one collides (48 random bits: practically never).
const TOKEN_ID_TRIES: usize = 3;

/// Who a credential identified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    /// The user name, or the token's id.
    pub id: String,
    /// `User` (session) or `Token` (bearer).
    pub kind: PrincipalKind,
    /// The person behind the credential: the user, or the token's owner. Two credentials of
    /// one person have the same owner (count approvers by it).
    pub owner: String,
    /// The roles it acts with; a token's are only those its owner still holds.
    pub grants: Vec<Grant>,
    /// The environments it may act in (a token's scope); `None` for all.
    pub envs: Option<Vec<Env>>,
}

impl Authenticated {
    /// Holds `*/*/platform-admin` and may act in OPS.
    pub fn is_platform_admin(&self) -> bool {
        let admin = Grant { mission: None, env: None, role: Role::PlatformAdmin };
        self.grants.contains(&admin) && self.envs.as_ref().is_none_or(|envs| envs.contains(&Env::Ops))
    }
}

/// A session just opened: the cookie's value goes in `session_cookie`, the CSRF token in the
/// login's response body.
pub struct NewSession {
    pub cookie_value: SecretText,
    pub csrf: String,
    /// The absolute end of the session (it ends earlier when idle).
    pub expires_ms: u64,
    /// Seconds until `expires_ms`, for the cookie's `Max-Age`.
    pub max_age_s: u64,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("cookie_value", &self.cookie_value)
            .field("csrf", &"[redacted]")
            .field("expires_ms", &self.expires_ms)
            .field("max_age_s", &self.max_age_s)
            .finish()
    }
}

/// Why a credential or a request about tokens is refused. `reason` is for the response and
/// the audit; no variant holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum AuthRefusal {
    #[error("{0}")]
    Token(TokenRefusal),
    #[error("token {id}: its owner is disabled or gone")]
    OwnerDisabled { id: String },
    #[error("token {id}: its owner no longer holds any of its grants")]
    GrantsWithdrawn { id: String },
    #[error("user name or password is wrong")]
    BadCredentials,
    #[error("user {user} is disabled")]
    UserDisabled { user: String },
    #[error("no session: log in")]
    NoSession,
    #[error("{0}: log in again")]
    Session(SessionRefusal),
    #[error("missing or wrong {CSRF_HEADER} header for a request that changes state")]
    Csrf,
    #[error("{reason}")]
    Forbidden { reason: String },
    #[error("{0}")]
    BadToken(TokenError),
    #[error("too many logins at once: try again")]
    Busy,
    /// The store or the system failed: the request is refused (fail closed).
    #[error("identity store: {detail}")]
    Internal { detail: String },
}

impl AuthRefusal {
    /// Why, for a response body and the audit. An internal failure says only that: its
    /// detail (`Display`) is for the log.
    pub fn reason(&self) -> String {
        match self {
            AuthRefusal::Internal { .. } => "identity store unavailable".into(),
            other => other.to_string(),
        }
    }

    /// The HTTP status: 401 for a credential refused, 403 for a request a valid credential may
    /// not make, 400 for a bad token request, 503 when busy, 500 when the store failed.
    pub fn http_status(&self) -> u16 {
        match self {
            AuthRefusal::Csrf | AuthRefusal::Forbidden { .. } => 403,
            AuthRefusal::BadToken(_) => 400,
            AuthRefusal::Busy => 503,
            AuthRefusal::Internal { .. } => 500,
            _ => 401,
        }
    }
}

impl From<ArchiveError> for AuthRefusal {
    fn from(error: ArchiveError) -> Self {
        AuthRefusal::Internal { detail: error.to_string() }
    }
}

/// The clock the identities read (the platform's, or a test's).
pub type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

/// The platform's accounts, tokens and sessions.
pub struct Identities {
    store: Mutex<IdentityStore>,
    timeouts: SessionTimeouts,
    clock: Clock,
    /// A hash of no one's password, verified for unknown users so that timing tells nothing.
    dummy_phc: String,
    logins: Mutex<usize>,
}

impl Identities {
    /// Opens the store in `dir` (`<data>/_platform/identity`) with the default Argon2id
    /// parameters, session timeouts and the platform's clock.
    pub fn open(dir: &Path) -> anyhow::Result<Identities> {
        Identities::open_with(
            dir,
            PasswordParams::default(),
            SessionTimeouts::default(),
            Box::new(crate::clock::now_ms),
        )
    }

    /// Opens the store in `dir` with these parameters and clock.
    pub fn open_with(
        dir: &Path,
        params: PasswordParams,
        timeouts: SessionTimeouts,
        clock: Clock,
    ) -> anyhow::Result<Identities> {
        let store = IdentityStore::open(dir)?;
        let dummy_phc = hash_password("nobody's password, never matched", params, random()?)?;
        Ok(Identities { store: Mutex::new(store), timeouts, clock, dummy_phc, logins: Mutex::new(0) })
    }

    /// The time by this store's clock.
    pub fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    fn store(&self) -> MutexGuard<'_, IdentityStore> {
        // A panic while holding the store leaves SQLite consistent (each write is a transaction).
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The token in an `Authorization: Bearer` header (the text after `Bearer `).
    pub fn authenticate_bearer(&self, presented: &str) -> Result<Authenticated, AuthRefusal> {
        let now_ms = (self.clock)();
        let id = parse_presented(presented).map_err(AuthRefusal::Token)?.id;
        let store = self.store();
        let token = store.token(id)?.ok_or(AuthRefusal::Token(TokenRefusal::Unknown))?;
        token.check(presented, now_ms).map_err(AuthRefusal::Token)?;
        let owner = match store.user(&token.owner)? {
            Some(owner) if !owner.disabled => owner,
            _ => return Err(AuthRefusal::OwnerDisabled { id: token.id }),
        };
        let grants: Vec<Grant> = token
            .grants
            .iter()
            .filter(|g| grants_within(std::slice::from_ref(*g), &owner.grants).is_ok())
            .cloned()
            .collect();
        if grants.is_empty() {
            return Err(AuthRefusal::GrantsWithdrawn { id: token.id });
        }
        Ok(Authenticated { id: token.id, kind: PrincipalKind::Token, owner: token.owner, grants, envs: token.envs })
    }

    /// Checks `user`'s `password` and opens a session.
    pub fn login(&self, user: &str, password: &str) -> Result<NewSession, AuthRefusal> {
        let now_ms = (self.clock)();
        let record = if ::identity::check_name(user).is_ok() { self.store().user(user)? } else { None };
        let verified = {
            let _slot = LoginSlot::take(&self.logins)?;
            let phc = record.as_ref().map_or(self.dummy_phc.as_str(), |record| record.password_phc.as_str());
            verify_password(phc, password)
        };
        let record = match record {
            Some(record) if verified => record,
            _ => return Err(AuthRefusal::BadCredentials),
        };
        if record.disabled {
            return Err(AuthRefusal::UserDisabled { user: record.name });
        }
        let (session, cookie_value) =
            Session::start(&record.name, self.timeouts, now_ms, random::<SESSION_RANDOM_LEN>()?);
        let mut store = self.store();
        store.prune_expired(now_ms)?;
        store.insert_session(&session)?;
        let expires_ms = session.created_ms.saturating_add(session.absolute_timeout_ms);
        Ok(NewSession {
            cookie_value,
            csrf: session.csrf.clone(),
            expires_ms,
            max_age_s: session.absolute_timeout_ms / 1000,
        })
    }

    /// The session of a `gp_session` cookie's value. A request that changes state (`mutating`)
    /// must carry the session's CSRF token in `csrf_header`.
    pub fn session(
        &self,
        cookie_value: &str,
        csrf_header: Option<&str>,
        mutating: bool,
    ) -> Result<Authenticated, AuthRefusal> {
        let now_ms = (self.clock)();
        if cookie_value.len() > COOKIE_LEN_MAX {
            return Err(AuthRefusal::NoSession);
        }
        let id_hash = session_id_hash(cookie_value);
        let mut store = self.store();
        let session = store.session(&id_hash)?.ok_or(AuthRefusal::NoSession)?;
        if let Err(refusal) = session.check(now_ms) {
            store.delete_session(&id_hash)?;
            return Err(AuthRefusal::Session(refusal));
        }
        if mutating && !session.csrf_ok(csrf_header) {
            return Err(AuthRefusal::Csrf);
        }
        let user = match store.user(&session.user)? {
            Some(user) if !user.disabled => user,
            _ => {
                store.delete_sessions_of(&session.user)?;
                return Err(AuthRefusal::UserDisabled { user: session.user });
            }
        };
        if now_ms.saturating_sub(session.last_seen_ms) >= TOUCH_INTERVAL_MS {
            store.touch_session(&id_hash, now_ms)?;
        }
        Ok(Authenticated {
            id: user.name.clone(),
            kind: PrincipalKind::User,
            owner: user.name,
            grants: user.grants,
            envs: None,
        })
    }

    /// Ends the session of a cookie's value (nothing when there is none).
    pub fn logout(&self, cookie_value: &str) -> Result<(), AuthRefusal> {
        if cookie_value.len() <= COOKIE_LEN_MAX {
            self.store().delete_session(&session_id_hash(cookie_value))?;
        }
        Ok(())
    }

    /// A new token for the user `by`, with `grants` within the user's (as stored now); its text
    /// is returned once. A token cannot create tokens.
    pub fn create_token(
        &self,
        by: &Authenticated,
        name: &str,
        grants: Vec<Grant>,
        envs: Option<Vec<Env>>,
        ttl_ms: Option<u64>,
    ) -> Result<(TokenView, SecretText), AuthRefusal> {
        if by.kind != PrincipalKind::User {
            return Err(AuthRefusal::Forbidden { reason: "a token cannot create tokens: log in as its owner".into() });
        }
        let now_ms = (self.clock)();
        let mut store = self.store();
        let owner = match store.user(&by.id)? {
            Some(owner) if !owner.disabled => owner,
            _ => return Err(AuthRefusal::UserDisabled { user: by.id.clone() }),
        };
        if let Err(outside) = grants_within(&grants, &owner.grants) {
            return Err(AuthRefusal::Forbidden {
                reason: format!(
                    "grant {outside} is not held by {}: a token carries only its owner's grants",
                    owner.name
                ),
            });
        }
        for _ in 0..TOKEN_ID_TRIES {
            let random = random::<TOKEN_RANDOM_LEN>()?;
            let (record, text) = issue(name, &owner.name, grants.clone(), envs.clone(), ttl_ms, now_ms, random)
                .map_err(AuthRefusal::BadToken)?;
            if store.insert_token(&record)? {
                return Ok((record.view(), text));
            }
        }
        Err(AuthRefusal::Internal { detail: "token ids keep colliding".into() })
    }

    /// The tokens `by` may see: its owner's, or every token for a platform admin.
    pub fn tokens_of(&self, by: &Authenticated) -> Result<Vec<TokenView>, AuthRefusal> {
        let tokens = self.store().tokens()?;
        let admin = by.is_platform_admin();
        Ok(tokens.iter().filter(|token| admin || token.owner == by.owner).map(|token| token.view()).collect())
    }

    /// Revokes token `id`: one of `by`'s owner's, or any for a platform admin. Someone else's
    /// token is answered as unknown (its existence is not theirs to learn).
    pub fn revoke_token(&self, by: &Authenticated, id: &str) -> Result<Revocation, AuthRefusal> {
        let now_ms = (self.clock)();
        let mut store = self.store();
        let unknown = AuthRefusal::Token(TokenRefusal::Unknown);
        match store.token(id)? {
            Some(token) if token.owner == by.owner || by.is_platform_admin() => {}
            _ => return Err(unknown),
        }
        store.revoke_token(id, now_ms)?.ok_or(unknown)
    }
}

/// One of `LOGINS_MAX` places to hash a password in; given back when dropped.
struct LoginSlot<'a>(&'a Mutex<usize>);

impl<'a> LoginSlot<'a> {
    fn take(logins: &'a Mutex<usize>) -> Result<LoginSlot<'a>, AuthRefusal> {
        let mut n = logins.lock().unwrap_or_else(PoisonError::into_inner);
        if *n >= LOGINS_MAX {
            return Err(AuthRefusal::Busy);
        }
        *n += 1;
        Ok(LoginSlot(logins))
    }
}

impl Drop for LoginSlot<'_> {
    fn drop(&mut self) {
        let mut n = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *n = n.saturating_sub(1);
    }
}

/// `N` bytes from the operating system's random source.
pub fn random<const N: usize>() -> Result<[u8; N], AuthRefusal> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)
        .map_err(|error| AuthRefusal::Internal { detail: format!("no randomness from the system: {error}") })?;
    Ok(bytes)
}

/// The `Set-Cookie` value opening a session: sent only over HTTPS, never to scripts, never
/// on requests from other sites.
pub fn session_cookie(value: &str, max_age_s: u64) -> String {
    format!("{}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age_s}", api::SESSION_COOKIE)
}

/// The `Set-Cookie` value that removes the session cookie (logout).
pub fn clear_cookie() -> String {
    session_cookie("", 0)
}
