//! People's accounts: a login name, an Argon2id password hash, grants, and whether the
//! account is disabled.

use policy::Grant;
use std::fmt;

/// Most characters in a user or token name.
pub const NAME_LEN_MAX: usize = 64;

/// Why a text is not a user (or token) name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("name is empty")]
    EmptyName,
    #[error("name of {len} bytes: at most {NAME_LEN_MAX}")]
    NameTooLong { len: usize },
    #[error("name `{name}`: only lowercase letters, digits, `-`, `_` and `.`")]
    NameChars { name: String },
}

/// Checks a login name (also used for token names): 1 to 64 of lowercase letters, digits,
/// `-`, `_` and `.`. Such a name is safe to print, log and put in a path or a cookie.
pub fn check_name(name: &str) -> Result<(), UserError> {
    if name.is_empty() {
        return Err(UserError::EmptyName);
    }
    if name.len() > NAME_LEN_MAX {
        return Err(UserError::NameTooLong { len: name.len() });
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')) {
        return Err(UserError::NameChars { name: name.escape_debug().to_string() });
    }
    Ok(())
}

/// A person's account.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The login name (`check_name`).
    pub name: String,
    /// The Argon2id PHC string of the password.
    pub password_phc: String,
    /// Every role the person holds.
    pub grants: Vec<Grant>,
    /// A disabled account can neither log in nor use its tokens.
    pub disabled: bool,
    pub created_ms: u64,
}

impl UserRecord {
    /// A new, enabled account named `name`.
    pub fn new(name: &str, password_phc: String, grants: Vec<Grant>, now_ms: u64) -> Result<UserRecord, UserError> {
        check_name(name)?;
        Ok(UserRecord { name: name.into(), password_phc, grants, disabled: false, created_ms: now_ms })
    }
}

impl fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let grants: Vec<String> = self.grants.iter().map(Grant::to_string).collect();
        f.debug_struct("UserRecord")
            .field("name", &self.name)
            .field("password_phc", &"[redacted]")
            .field("grants", &grants)
            .field("disabled", &self.disabled)
            .field("created_ms", &self.created_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests;
