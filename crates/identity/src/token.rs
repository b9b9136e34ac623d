//! API tokens: `gpt_<id>_<secret>`, where the id (12 hex digits) is public and names the
//! token, and the secret is 32 random bytes in hex. Only the SHA-256 of the whole token text
//! is stored. A fast hash is right here, unlike for passwords: the secret has 256 bits of
//! entropy, so there is nothing for a slow hash to protect against guessing.

use crate::{ct_eq, is_lower_hex, secret::SecretText, sha256};
use base::Env;
use policy::Grant;
use std::fmt;

/// What every token text starts with (so scanners and people recognise a leaked one).
pub const TOKEN_PREFIX: &str = "gpt_";
/// Hex digits of a token's id.
pub const TOKEN_ID_LEN: usize = 12;
/// Hex digits of a token's secret (32 bytes).
const SECRET_HEX_LEN: usize = 64;
/// Random bytes `issue` needs: 6 for the id, 32 for the secret.
pub const TOKEN_RANDOM_LEN: usize = TOKEN_ID_LEN / 2 + SECRET_HEX_LEN / 2;
/// Length of a whole token text.
const TOKEN_LEN: usize = TOKEN_PREFIX.len() + TOKEN_ID_LEN + 1 + SECRET_HEX_LEN;

const DAY_MS: u64 = 24 * 3600 * 1000;
/// A token's life unless asked otherwise.
pub const TOKEN_TTL_DEFAULT_MS: u64 = 30 * DAY_MS;
/// The longest life a token may have.
pub const TOKEN_TTL_MAX_MS: u64 = 365 * DAY_MS;

/// Why a token cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token name: {0}")]
    Name(crate::UserError),
    #[error("token owner: {0}")]
    Owner(crate::UserError),
    #[error("token {name}: no grant (a token needs at least one mission/env/role)")]
    NoGrants { name: String },
    #[error("token {name}: no environment (leave --env out to take the grants' environments)")]
    NoEnvs { name: String },
    #[error("token {name}: environment {env} is in none of its grants")]
    EnvOutsideGrants { name: String, env: Env },
    #[error("token {name}: a life of {ttl_ms} ms; need 1 ms to {TOKEN_TTL_MAX_MS} ms (365 days)")]
    Ttl { name: String, ttl_ms: u64 },
}

/// Why a presented token is refused. None of them holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    #[error("token malformed: {reason}")]
    Malformed { reason: &'static str },
    #[error("token unknown")]
    Unknown,
    #[error("token does not match")]
    Mismatch,
    #[error("token revoked at {at_ms} ms")]
    Revoked { at_ms: u64 },
    #[error("token expired at {at_ms} ms")]
    Expired { at_ms: u64 },
}

/// A token as presented, split into its public id and its secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Presented<'a> {
    /// The public id (12 hex digits): look the record up by it.
    pub id: &'a str,
    /// The whole token text, whose hash is compared.
    text: &'a str,
}

impl fmt::Debug for Presented<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presented").field("id", &self.id).field("text", &"[redacted]").finish()
    }
}

/// Splits a presented token `gpt_<id>_<secret>`; anything else is `Malformed`, whatever its
/// length or bytes.
pub fn parse_presented(text: &str) -> Result<Presented<'_>, TokenRefusal> {
    let malformed = |reason| Err(TokenRefusal::Malformed { reason });
    let Some(rest) = text.strip_prefix(TOKEN_PREFIX) else {
        return malformed("it does not start with gpt_");
    };
    if text.len() != TOKEN_LEN {
        return malformed("wrong length");
    }
    // `get`, not indexing: a multi-byte character across the boundary is malformed, not a panic.
    let (Some(id), Some(secret)) = (rest.get(..TOKEN_ID_LEN), rest.get(TOKEN_ID_LEN..)) else {
        return malformed("the id is not 12 lowercase hex digits");
    };
    if !is_lower_hex(id, TOKEN_ID_LEN) {
        return malformed("the id is not 12 lowercase hex digits");
    }
    let Some(secret) = secret.strip_prefix('_') else {
        return malformed("no _ after the id");
    };
    if !is_lower_hex(secret, SECRET_HEX_LEN) {
        return malformed("the secret is not 64 lowercase hex digits");
    }
    Ok(Presented { id, text })
}

/// The hash stored for a token text.
pub fn token_hash(text: &str) -> [u8; 32] {
    sha256(text.as_bytes())
}

/// A stored token: its scope and life, and the hash of its text (never the text).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The public id (12 hex digits).
    pub id: String,
    /// What it is for (`ci-deploy`), chosen by its owner.
    pub name: String,
    /// The user it belongs to: it never acts beyond that user's grants.
    pub owner: String,
    /// The roles it carries, each within the owner's.
    pub grants: Vec<Grant>,
    /// The environments it may act in; `None` for all.
    pub envs: Option<Vec<Env>>,
    pub created_ms: u64,
    /// It is refused from this time on.
    pub expires_ms: u64,
    pub revoked_ms: Option<u64>,
    /// SHA-256 of the token text.
    pub hash: [u8; 32],
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let grants: Vec<String> = self.grants.iter().map(Grant::to_string).collect();
        f.debug_struct("TokenRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("owner", &self.owner)
            .field("grants", &grants)
            .field("envs", &self.envs)
            .field("created_ms", &self.created_ms)
            .field("expires_ms", &self.expires_ms)
            .field("revoked_ms", &self.revoked_ms)
            .field("hash", &"[redacted]")
            .finish()
    }
}

/// What revoking a token did: revoking twice is no error, and says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// Revoked now, at this time.
    Revoked { at_ms: u64 },
    /// It already was, at this time; nothing changed.
    AlreadyRevoked { at_ms: u64 },
}

impl TokenRecord {
    /// Whether `presented` is this token and it may act at `now_ms`. The secret is checked
    /// first, so that only its holder learns that a token is revoked or expired.
    pub fn check(&self, presented: &str, now_ms: u64) -> Result<(), TokenRefusal> {
        let parsed = parse_presented(presented)?;
        let matches = ct_eq(&token_hash(parsed.text), &self.hash);
        if !matches || parsed.id != self.id {
            return Err(TokenRefusal::Mismatch);
        }
        if let Some(at_ms) = self.revoked_ms {
            return Err(TokenRefusal::Revoked { at_ms });
        }
        if now_ms >= self.expires_ms {
            return Err(TokenRefusal::Expired { at_ms: self.expires_ms });
        }
        Ok(())
    }

    /// Revokes the token at `now_ms`, unless it already is.
    pub fn revoke(&mut self, now_ms: u64) -> Revocation {
        match self.revoked_ms {
            Some(at_ms) => Revocation::AlreadyRevoked { at_ms },
            None => {
                self.revoked_ms = Some(now_ms);
                Revocation::Revoked { at_ms: now_ms }
            }
        }
    }

    /// What may be shown of the token: everything but its hash.
    pub fn view(&self) -> TokenView {
        TokenView {
            id: self.id.clone(),
            name: self.name.clone(),
            owner: self.owner.clone(),
            grants: self.grants.iter().map(Grant::to_string).collect(),
            envs: self.envs.clone(),
            created_ms: self.created_ms,
            expires_ms: self.expires_ms,
            revoked_ms: self.revoked_ms,
        }
    }
}

/// A token as listed: never its secret or its hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub owner: String,
    /// `mission/env/role` texts.
    pub grants: Vec<String>,
    pub envs: Option<Vec<Env>>,
    pub created_ms: u64,
    pub expires_ms: u64,
    pub revoked_ms: Option<u64>,
}

impl TokenView {
    /// `active`, `expired` or `revoked` at `now_ms`.
    pub fn status(&self, now_ms: u64) -> &'static str {
        match self.revoked_ms {
            Some(_) => "revoked",
            None if now_ms >= self.expires_ms => "expired",
            None => "active",
        }
    }
}

/// A new token named `name` for `owner`, and its text, to be shown once. `ttl_ms` defaults to
/// `TOKEN_TTL_DEFAULT_MS`. Without `envs`, the token acts only in the environments its grants
/// name (`None`, all, only when a grant is for `*`); with `envs`, each must be in a grant.
/// Whether the grants are within the owner's is the caller's to check (`grants_within`).
pub fn issue(
    name: &str,
    owner: &str,
    grants: Vec<Grant>,
    envs: Option<Vec<Env>>,
    ttl_ms: Option<u64>,
    now_ms: u64,
    random: [u8; TOKEN_RANDOM_LEN],
) -> Result<(TokenRecord, SecretText), TokenError> {
    crate::check_name(name).map_err(TokenError::Name)?;
    crate::check_name(owner).map_err(TokenError::Owner)?;
    let ttl_ms = ttl_ms.unwrap_or(TOKEN_TTL_DEFAULT_MS);
    if ttl_ms == 0 || ttl_ms > TOKEN_TTL_MAX_MS {
        return Err(TokenError::Ttl { name: name.into(), ttl_ms });
    }
    if grants.is_empty() {
        return Err(TokenError::NoGrants { name: name.into() });
    }
    let reached = crate::envs_reached(&grants);
    let envs = match envs {
        None => reached,
        Some(mut envs) => {
            envs.sort();
            envs.dedup();
            if envs.is_empty() {
                return Err(TokenError::NoEnvs { name: name.into() });
            }
            if let Some(reached) = &reached {
                if let Some(env) = envs.iter().find(|env| !reached.contains(env)) {
                    return Err(TokenError::EnvOutsideGrants { name: name.into(), env: *env });
                }
            }
            Some(envs)
        }
    };
    let (id_bytes, secret_bytes) = random.split_at(TOKEN_ID_LEN / 2);
    let id = base::hex(id_bytes);
    let mut text = String::with_capacity(TOKEN_LEN);
    text.push_str(TOKEN_PREFIX);
    text.push_str(&id);
    text.push('_');
    crate::push_hex(&mut text, secret_bytes);
    let text = SecretText::new(text);
    let record = TokenRecord {
        id,
        name: name.into(),
        owner: owner.into(),
        grants,
        envs,
        created_ms: now_ms,
        expires_ms: now_ms.saturating_add(ttl_ms),
        revoked_ms: None,
        hash: token_hash(text.expose()),
    };
    Ok((record, text))
}

#[cfg(test)]
mod tests;
