//! The secrets vault, without I/O (issue 7): secrets per (mission, environment) under envelope
//! encryption — a data key per scope wrapped by the master key — versioned, rotated, sealed
//! while the master key is absent; values never printed.
//!
//! Each scope has its own data keys, and every ciphertext's associated data binds the scope,
//! secret name and versions it was sealed for, so one scope's key or record never opens
//! another's. `Vault` computes a `Change` without applying it: the caller makes the change
//! durable (`archive::VaultStore`), then applies it, so nothing is visible before it is stored.
//!
//! This crate must never do I/O, read the clock or the process environment, or draw its own
//! randomness (the caller passes a `Random`). No value or key ever reaches a `Debug`,
//! `Display`, error or serialized form: `SecretValue` and `MasterKey` print `[redacted]` and
//! cannot be serialized.

mod error;
mod hex;
mod seal;
mod secret;
mod state;
mod vault;

pub use error::{RandomError, VaultError};
pub use seal::Random;
pub use secret::{MasterKey, SecretName, SecretValue, KEY_LEN, NAME_LEN_MAX, VALUE_LEN_MAX};
pub use state::{Change, KeyCheck, SealedSecret, VaultState, WrappedDataKey, NONCE_LEN};
pub use vault::{SecretInfo, Vault};

#[cfg(test)]
mod tests;
