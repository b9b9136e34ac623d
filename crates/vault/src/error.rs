//! The vault's one error type. Every variant names the scope, secret name and version it is
//! about, and none ever holds a value or a key: they are safe to log and to answer with.

use base::Scope;

/// Why a vault operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// No master key has been given: the vault refuses everything until it is unsealed.
    #[error("the vault is sealed: no master key")]
    Sealed,
    /// The master key does not open the vault's key check.
    #[error("the master key is not this vault's")]
    WrongMasterKey,
    /// The stored state has data keys or secrets but no key check to verify a master key against.
    #[error("vault state: keys or secrets but no master key check")]
    NoKeyCheck,
    /// A master key's text is neither 32 raw bytes nor 64 hex digits.
    #[error("master key: expected 64 hex digits or 32 raw bytes, got {len} bytes (contents not shown)")]
    MasterKey { len: usize },
    /// A secret name outside 1 to 64 characters of `a-z`, `0-9`, `.`, `_`, `-`.
    #[error("secret name of {len} characters: need 1 to 64 of a-z, 0-9, '.', '_', '-'")]
    Name { len: usize },
    /// An empty value (an empty file is more likely a mistake than a secret).
    #[error("secret {scope} {name}: empty value")]
    EmptyValue { scope: Scope, name: String },
    /// A value longer than `VALUE_LEN_MAX`.
    #[error("secret {scope} {name}: value of {len} bytes, at most {max}")]
    ValueTooLarge { scope: Scope, name: String, len: usize, max: usize },
    /// No secret of that name in the scope.
    #[error("secret {scope} {name}: not found")]
    NotFound { scope: Scope, name: String },
    /// The secret exists but not in that version.
    #[error("secret {scope} {name} version {version}: not found")]
    VersionNotFound { scope: Scope, name: String, version: u32 },
    /// A secret was sealed under a data key the state does not have.
    #[error("data key {scope} version {version}: missing")]
    DataKeyMissing { scope: Scope, version: u32 },
    /// A wrapped data key does not open: tampered with, moved, or not under this master key.
    #[error("data key {scope} version {version}: does not open (tampered with or moved)")]
    DataKeyOpen { scope: Scope, version: u32 },
    /// A sealed secret does not open: tampered with or moved from another scope, name or version.
    #[error("secret {scope} {name} version {version}: does not open (tampered with or moved)")]
    SecretOpen { scope: Scope, name: String, version: u32 },
    /// Versions are numbered with `u32`; this one has used them all.
    #[error("secret {scope} {name}: no versions left")]
    VersionsExhausted { scope: Scope, name: String },
    /// A change computed before another change was applied.
    #[error("vault change computed at generation {computed}, the vault is at {current}: compute it again")]
    StaleChange { computed: u64, current: u64 },
    /// The caller's source of randomness failed.
    #[error("no randomness: {0}")]
    Random(#[from] RandomError),
}

/// The caller's source of randomness failed; says why (it never holds random bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RandomError(pub String);
