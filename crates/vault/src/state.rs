//! The vault's stored form: the master key check, every scope's wrapped data keys and every
//! sealed secret version. It holds no plaintext and no key, so it may be written anywhere;
//! `Change` is one step from one state to the next.

use crate::secret::{MasterKey, SecretName};
use base::Scope;

/// XChaCha20 nonce length, in bytes: long enough to draw at random for every seal.
pub const NONCE_LEN: usize = 24;

/// Everything the vault stores. Built by `Vault` and by a store loading its rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VaultState {
    /// Proves a master key is the right one; `None` until the first change.
    pub key_check: Option<KeyCheck>,
    /// Invariant: at most one per (scope, version); sorted by them once applied or loaded.
    pub data_keys: Vec<WrappedDataKey>,
    /// Invariant: at most one per (scope, name, version); sorted by them once applied or loaded.
    pub secrets: Vec<SealedSecret>,
}

/// An empty plaintext sealed by the master key: opening it proves the key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyCheck {
    /// Drawn at random when the check is made.
    #[serde(with = "crate::hex::array")]
    pub nonce: [u8; NONCE_LEN],
    /// The tag alone (the plaintext is empty).
    #[serde(with = "crate::hex::bytes")]
    pub ciphertext: Vec<u8>,
}

/// One version of a scope's data key, wrapped by the master key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WrappedDataKey {
    /// The scope whose secrets it seals.
    pub scope: Scope,
    /// 1 for a scope's first data key, one more at each rotation.
    pub version: u32,
    /// Drawn at random for each wrapping.
    #[serde(with = "crate::hex::array")]
    pub nonce: [u8; NONCE_LEN],
    /// The 32-byte key and its tag; the associated data binds scope and version.
    #[serde(with = "crate::hex::bytes")]
    pub ciphertext: Vec<u8>,
}

/// One version of one secret, sealed by its scope's data key `dek_version`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SealedSecret {
    /// The scope it belongs to.
    pub scope: Scope,
    /// Its name within the scope.
    pub name: SecretName,
    /// 1 for a name's first value, one more at each `put`.
    pub version: u32,
    /// The version of the scope's data key that sealed it.
    pub dek_version: u32,
    /// Drawn at random for each seal.
    #[serde(with = "crate::hex::array")]
    pub nonce: [u8; NONCE_LEN],
    /// The value and its tag; the associated data binds scope, name, version and dek_version.
    #[serde(with = "crate::hex::bytes")]
    pub ciphertext: Vec<u8>,
}

/// What one vault operation changes, computed without changing anything: the caller makes
/// it durable (a store writes it in one transaction, removals first), then `Vault::apply`s it.
#[derive(Debug)]
pub struct Change {
    /// The vault generation it was computed at: applied at any other, it is stale.
    pub(crate) generation: u64,
    pub(crate) key_check: Option<KeyCheck>,
    pub(crate) retired_data_keys: Vec<(Scope, u32)>,
    pub(crate) deleted: Vec<(Scope, SecretName)>,
    pub(crate) data_keys: Vec<WrappedDataKey>,
    pub(crate) secrets: Vec<SealedSecret>,
    /// The new master key of a master key rotation.
    pub(crate) master: Option<MasterKey>,
}

impl Change {
    pub(crate) fn new(generation: u64) -> Change {
        Change {
            generation,
            key_check: None,
            retired_data_keys: Vec::new(),
            deleted: Vec::new(),
            data_keys: Vec::new(),
            secrets: Vec::new(),
            master: None,
        }
    }

    /// The key check to store in place of the current one, if it changes.
    pub fn key_check(&self) -> Option<&KeyCheck> {
        self.key_check.as_ref()
    }

    /// Data keys to remove: (scope, version).
    pub fn retired_data_keys(&self) -> &[(Scope, u32)] {
        &self.retired_data_keys
    }

    /// Secrets to remove, every version.
    pub fn deleted(&self) -> &[(Scope, SecretName)] {
        &self.deleted
    }

    /// Data keys to insert, or to replace when the state has that (scope, version).
    pub fn data_keys(&self) -> &[WrappedDataKey] {
        &self.data_keys
    }

    /// Secret versions to insert, or to replace when the state has that (scope, name, version).
    pub fn secrets(&self) -> &[SealedSecret] {
        &self.secrets
    }
}

impl VaultState {
    /// Applies a change's rows in the order a store writes them: removals, then insertions.
    pub(crate) fn apply(&mut self, change: &Change) {
        if let Some(check) = &change.key_check {
            self.key_check = Some(check.clone());
        }
        self.data_keys
            .retain(|key| !change.retired_data_keys.iter().any(|(s, v)| *s == key.scope && *v == key.version));
        self.secrets.retain(|secret| !change.deleted.iter().any(|(s, n)| *s == secret.scope && *n == secret.name));
        for key in &change.data_keys {
            self.data_keys.retain(|old| !(old.scope == key.scope && old.version == key.version));
            self.data_keys.push(key.clone());
        }
        for secret in &change.secrets {
            self.secrets
                .retain(|old| !(old.scope == secret.scope && old.name == secret.name && old.version == secret.version));
            self.secrets.push(secret.clone());
        }
        self.sort();
    }

    /// Puts the rows in their canonical order: data keys by (scope, version), secrets by
    /// (scope, name, version). `apply` keeps it; a store sorts what it loads.
    pub fn sort(&mut self) {
        self.data_keys.sort_by(|a, b| (&a.scope, a.version).cmp(&(&b.scope, b.version)));
        self.secrets.sort_by(|a, b| (&a.scope, &a.name, a.version).cmp(&(&b.scope, &b.name, b.version)));
    }

    /// The latest data key of `scope`.
    pub(crate) fn current_data_key(&self, scope: &Scope) -> Option<&WrappedDataKey> {
        self.data_keys.iter().filter(|key| key.scope == *scope).max_by_key(|key| key.version)
    }

    /// `scope`'s data key `version`.
    pub(crate) fn data_key(&self, scope: &Scope, version: u32) -> Option<&WrappedDataKey> {
        self.data_keys.iter().find(|key| key.scope == *scope && key.version == version)
    }

    /// Every version of `name` in `scope`, in no particular order.
    pub(crate) fn versions<'a>(
        &'a self,
        scope: &'a Scope,
        name: &'a SecretName,
    ) -> impl Iterator<Item = &'a SealedSecret> + 'a {
        self.secrets.iter().filter(move |secret| secret.scope == *scope && secret.name == *name)
    }
}
