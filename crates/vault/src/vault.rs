//! The vault: sealed until given its master key, then it reads secrets and computes changes.
//! Every operation refuses with `VaultError::Sealed` while the master key is absent.

use crate::error::VaultError;
use crate::seal::{DataKey, Place, Random};
use crate::secret::{MasterKey, SecretName, SecretValue, VALUE_LEN_MAX};
use crate::state::{Change, KeyCheck, SealedSecret, VaultState, WrappedDataKey};
use base::Scope;
use std::collections::btree_map::{BTreeMap, Entry};

/// The secrets of every scope: the stored state, and the master key when unsealed.
#[derive(Debug)]
pub struct Vault {
    state: VaultState,
    master: Option<MasterKey>,
    /// Changes applied since this vault was made; a change names the one it was computed at.
    generation: u64,
}

/// One secret of a scope as `Vault::list` gives it: its name and versions, never a value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SecretInfo {
    /// The secret's name.
    pub name: SecretName,
    /// Every stored version, ascending; the last is the current one.
    pub versions: Vec<u32>,
}

impl Vault {
    /// A sealed vault over a stored state.
    pub fn sealed(state: VaultState) -> Vault {
        Vault { state, master: None, generation: 0 }
    }

    /// The stored state (no plaintext, no key).
    pub fn state(&self) -> &VaultState {
        &self.state
    }

    /// Whether the master key is absent.
    pub fn is_sealed(&self) -> bool {
        self.master.is_none()
    }

    /// Unseals with `master` when it opens the state's key check. A state without a check
    /// (nothing stored yet) takes any master key, and its first change records the check.
    pub fn unseal(&mut self, master: MasterKey) -> Result<(), VaultError> {
        match &self.state.key_check {
            Some(check) if !check.verify(&master) => return Err(VaultError::WrongMasterKey),
            None if !(self.state.data_keys.is_empty() && self.state.secrets.is_empty()) => {
                return Err(VaultError::NoKeyCheck)
            }
            _ => {}
        }
        self.master = Some(master);
        Ok(())
    }

    /// Forgets the master key (zeroized): sealed again.
    pub fn seal(&mut self) {
        self.master = None;
    }

    /// Computes a new version of `name` in `scope` holding `value` (the first version is 1;
    /// older versions stay readable). The scope gets its first data key when it has none.
    pub fn put(
        &self,
        scope: &Scope,
        name: &SecretName,
        value: &SecretValue,
        random: &mut impl Random,
    ) -> Result<(u32, Change), VaultError> {
        let master = self.master()?;
        let named = || (scope.clone(), name.to_string());
        if value.is_empty() {
            let (scope, name) = named();
            return Err(VaultError::EmptyValue { scope, name });
        }
        if value.len() > VALUE_LEN_MAX {
            let (scope, name) = named();
            return Err(VaultError::ValueTooLarge { scope, name, len: value.len(), max: VALUE_LEN_MAX });
        }
        let latest = self.state.versions(scope, name).map(|secret| secret.version).max().unwrap_or(0);
        let version = latest.checked_add(1).ok_or_else(|| {
            let (scope, name) = named();
            VaultError::VersionsExhausted { scope, name }
        })?;
        let mut change = self.change(random)?;
        let (dek_version, key) = match self.state.current_data_key(scope) {
            Some(wrapped) => (wrapped.version, wrapped.unwrap_with(master)?),
            None => {
                let key = DataKey::generate(random)?;
                change.data_keys.push(WrappedDataKey::wrap(master, scope, 1, &key, random)?);
                (1, key)
            }
        };
        let place = Place { scope, name, version, dek_version };
        change.secrets.push(SealedSecret::seal(&key, place, value.expose(), random)?);
        Ok((version, change))
    }

    /// Opens `version` of `name` in `scope`, or its latest version.
    pub fn get(&self, scope: &Scope, name: &SecretName, version: Option<u32>) -> Result<SecretValue, VaultError> {
        let master = self.master()?;
        let named = || (scope.clone(), name.to_string());
        let sealed = match version {
            Some(version) => self.state.versions(scope, name).find(|secret| secret.version == version),
            None => self.state.versions(scope, name).max_by_key(|secret| secret.version),
        };
        let Some(sealed) = sealed else {
            let exists = self.state.versions(scope, name).next().is_some();
            let (scope, name) = named();
            return Err(match version {
                Some(version) if exists => VaultError::VersionNotFound { scope, name, version },
                _ => VaultError::NotFound { scope, name },
            });
        };
        let key = self.data_key(master, scope, sealed.dek_version)?;
        sealed.open(&key)
    }

    /// The secrets of `scope`: names and versions, never values.
    pub fn list(&self, scope: &Scope) -> Result<Vec<SecretInfo>, VaultError> {
        self.master()?;
        let mut by_name: BTreeMap<&SecretName, Vec<u32>> = BTreeMap::new();
        for secret in self.state.secrets.iter().filter(|secret| secret.scope == *scope) {
            by_name.entry(&secret.name).or_default().push(secret.version);
        }
        let list = by_name.into_iter().map(|(name, mut versions)| {
            versions.sort_unstable();
            SecretInfo { name: name.clone(), versions }
        });
        Ok(list.collect())
    }

    /// Computes a new data key for `scope` that re-seals every version of every secret of the
    /// scope, and retires the scope's older data keys: afterwards an old data key opens
    /// nothing stored. Nothing changes unless every version opens. Returns the new key's version.
    pub fn rotate_data_key(&self, scope: &Scope, random: &mut impl Random) -> Result<(u32, Change), VaultError> {
        let master = self.master()?;
        let mut change = self.change(random)?;
        let old_versions: Vec<u32> =
            self.state.data_keys.iter().filter(|key| key.scope == *scope).map(|key| key.version).collect();
        let dek_version =
            old_versions.iter().max().map_or(Some(1), |v| v.checked_add(1)).ok_or_else(|| {
                VaultError::VersionsExhausted { scope: scope.clone(), name: "(data key)".to_string() }
            })?;
        let new_key = DataKey::generate(random)?;
        change.data_keys.push(WrappedDataKey::wrap(master, scope, dek_version, &new_key, random)?);
        let mut old_keys: BTreeMap<u32, DataKey> = BTreeMap::new();
        for sealed in self.state.secrets.iter().filter(|secret| secret.scope == *scope) {
            let old_key = match old_keys.entry(sealed.dek_version) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(self.data_key(master, scope, sealed.dek_version)?),
            };
            let value = sealed.open(old_key)?;
            let place = Place { scope, name: &sealed.name, version: sealed.version, dek_version };
            change.secrets.push(SealedSecret::seal(&new_key, place, value.expose(), random)?);
        }
        change.retired_data_keys = old_versions.into_iter().map(|version| (scope.clone(), version)).collect();
        Ok((dek_version, change))
    }

    /// Computes the rewrapping of every data key under `new_master`, and its key check.
    /// Nothing changes unless every data key opens under the current master key.
    pub fn rotate_master(&self, new_master: MasterKey, random: &mut impl Random) -> Result<Change, VaultError> {
        let master = self.master()?;
        let mut change = Change::new(self.generation);
        for wrapped in &self.state.data_keys {
            let key = wrapped.unwrap_with(master)?;
            change.data_keys.push(WrappedDataKey::wrap(&new_master, &wrapped.scope, wrapped.version, &key, random)?);
        }
        change.key_check = Some(KeyCheck::new(&new_master, random)?);
        change.master = Some(new_master);
        Ok(change)
    }

    /// Computes the removal of every version of `name` in `scope`. A later `put` starts
    /// again at version 1.
    pub fn delete(&self, scope: &Scope, name: &SecretName) -> Result<Change, VaultError> {
        self.master()?;
        if self.state.versions(scope, name).next().is_none() {
            return Err(VaultError::NotFound { scope: scope.clone(), name: name.to_string() });
        }
        let mut change = Change::new(self.generation);
        change.deleted.push((scope.clone(), name.clone()));
        Ok(change)
    }

    /// Applies a change computed by this vault since its last `apply` (the caller has made
    /// it durable first).
    pub fn apply(&mut self, change: Change) -> Result<(), VaultError> {
        if change.generation != self.generation {
            return Err(VaultError::StaleChange { computed: change.generation, current: self.generation });
        }
        self.state.apply(&change);
        if let Some(master) = change.master {
            self.master = Some(master);
        }
        self.generation += 1;
        Ok(())
    }

    fn master(&self) -> Result<&MasterKey, VaultError> {
        self.master.as_ref().ok_or(VaultError::Sealed)
    }

    /// A change at this generation, recording the key check if the state has none yet.
    fn change(&self, random: &mut impl Random) -> Result<Change, VaultError> {
        let mut change = Change::new(self.generation);
        if self.state.key_check.is_none() {
            change.key_check = Some(KeyCheck::new(self.master()?, random)?);
        }
        Ok(change)
    }

    fn data_key(&self, master: &MasterKey, scope: &Scope, version: u32) -> Result<DataKey, VaultError> {
        let wrapped = self
            .state
            .data_key(scope, version)
            .ok_or_else(|| VaultError::DataKeyMissing { scope: scope.clone(), version })?;
        wrapped.unwrap_with(master)
    }
}
