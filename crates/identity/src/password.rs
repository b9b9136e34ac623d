//! Passwords: the policy (length), Argon2id hashing to a PHC string, and verification.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Fewest characters in a password (NIST SP 800-63B asks for at least 8; we ask for 12).
pub const PASSWORD_CHARS_MIN: usize = 12;
/// Most bytes in a password: Argon2 takes any length, but a request must not make it hash
/// megabytes.
pub const PASSWORD_BYTES_MAX: usize = 1024;
/// Bytes of random salt per hash.
pub const SALT_LEN: usize = 16;

/// Why a password is refused or a hash cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password: {chars} characters, need at least {PASSWORD_CHARS_MIN}")]
    TooShort { chars: usize },
    #[error("password: {bytes} bytes, at most {PASSWORD_BYTES_MAX}")]
    TooLong { bytes: usize },
    #[error("password hashing parameters m={m_kib} KiB, t={t}, p={p}: {reason}")]
    Params { m_kib: u32, t: u32, p: u32, reason: String },
    #[error("password hashing: {reason}")]
    Hash { reason: String },
}

/// Argon2id's cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory, in KiB.
    pub m_kib: u32,
    /// Passes over the memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for PasswordParams {
    /// OWASP's recommendation for Argon2id: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        PasswordParams { m_kib: 19_456, t: 2, p: 1 }
    }
}

impl PasswordParams {
    /// The cheapest parameters Argon2 accepts: for tests only, never for stored passwords.
    pub const TEST_ONLY_CHEAP: PasswordParams = PasswordParams { m_kib: 8, t: 1, p: 1 };

    fn argon2(self) -> Result<Argon2<'static>, PasswordError> {
        let params = Params::new(self.m_kib, self.t, self.p, None).map_err(|e| PasswordError::Params {
            m_kib: self.m_kib,
            t: self.t,
            p: self.p,
            reason: e.to_string(),
        })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Whether `password` may be used: at least `PASSWORD_CHARS_MIN` characters, at most
/// `PASSWORD_BYTES_MAX` bytes. No composition rules (NIST SP 800-63B).
pub fn check_password_policy(password: &str) -> Result<(), PasswordError> {
    if password.len() > PASSWORD_BYTES_MAX {
        return Err(PasswordError::TooLong { bytes: password.len() });
    }
    let chars = password.chars().count();
    if chars < PASSWORD_CHARS_MIN {
        return Err(PasswordError::TooShort { chars });
    }
    Ok(())
}

/// The PHC string (`$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>`) of `password`, after
/// checking it against the policy. `salt` must be random.
pub fn hash_password(password: &str, params: PasswordParams, salt: [u8; SALT_LEN]) -> Result<String, PasswordError> {
    check_password_policy(password)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash { reason: e.to_string() })?;
    let hash = params
        .argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| PasswordError::Hash { reason: e.to_string() })?;
    Ok(hash.to_string())
}

/// Whether `password` is the one hashed in `phc`, with the parameters written in `phc`. The
/// hashes are compared in constant time (by `password-hash`). A `phc` that does not parse, or
/// a password over `PASSWORD_BYTES_MAX`, never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    if password.len() > PASSWORD_BYTES_MAX {
        return false;
    }
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    if hash.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    Argon2::default().verify_password(password.as_bytes(), &hash).is_ok()
}

#[cfg(test)]
mod tests;
