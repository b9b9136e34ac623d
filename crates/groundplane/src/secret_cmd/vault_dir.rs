//! A vault directory opened with its master key: each change is computed by the vault, saved
//! by the store, then applied; and the value `put` reads, bounded and zeroized.

use super::{master, Console, VaultArgs};
use anyhow::{bail, Context};
use archive::VaultStore;
use base::Scope;
use std::io::Read;
use std::path::Path;
use vault::{Change, SecretName, SecretValue, Vault, VALUE_LEN_MAX};

/// An unsealed vault over its store.
pub struct Opened {
    store: VaultStore,
    pub vault: Vault,
}

/// Opens the vault in `args.dir` with its master key; only `create` makes a new one.
pub fn open(args: &VaultArgs, console: &Console<'_>, create: bool) -> anyhow::Result<Opened> {
    let master = master::load(args.master_key.as_deref(), console.env_var)?;
    let dir = &args.dir;
    if !create && !VaultStore::exists(dir) {
        bail!("{}: no vault there (`groundplane secret put` makes one)", dir.display());
    }
    let store = VaultStore::open(dir)?;
    let mut vault = Vault::sealed(store.load()?);
    vault.unseal(master).with_context(|| format!("vault {}", dir.display()))?;
    Ok(Opened { store, vault })
}

impl Opened {
    /// Stores a new version; returns it.
    pub fn put(&mut self, scope: &Scope, name: &SecretName, value: &SecretValue) -> anyhow::Result<u32> {
        let (version, change) = self.vault.put(scope, name, value, &mut master::os_random)?;
        self.store.save_created(&change, (scope, name, version), crate::clock::now_ms())?;
        self.vault.apply(change)?;
        Ok(version)
    }

    /// Rotates `scope`'s data key; returns its version and how many secret versions were re-sealed.
    pub fn rotate_data_key(&mut self, scope: &Scope) -> anyhow::Result<(u32, usize)> {
        let (dek_version, change) = self.vault.rotate_data_key(scope, &mut master::os_random)?;
        let n_resealed = change.secrets().len();
        self.commit(change)?;
        Ok((dek_version, n_resealed))
    }

    /// Re-wraps every data key under the key in `new_key_file`; returns how many.
    pub fn rotate_master(&mut self, new_key_file: &Path) -> anyhow::Result<usize> {
        let new_master = master::load(Some(new_key_file), &|_| None)?;
        let change = self.vault.rotate_master(new_master, &mut master::os_random)?;
        let n_keys = change.data_keys().len();
        self.commit(change)?;
        Ok(n_keys)
    }

    /// Deletes every version of `name`.
    pub fn delete(&mut self, scope: &Scope, name: &SecretName) -> anyhow::Result<()> {
        let change = self.vault.delete(scope, name)?;
        self.commit(change)
    }

    /// Stored first, then applied: nothing is visible that is not stored.
    fn commit(&mut self, change: Change) -> anyhow::Result<()> {
        self.store.save(&change)?;
        self.vault.apply(change)?;
        Ok(())
    }
}

/// The value to store: `file`'s bytes, or stdin's, at most `VALUE_LEN_MAX`.
pub fn read_value(file: Option<&Path>, stdin: &mut dyn Read) -> anyhow::Result<SecretValue> {
    let (from, reader): (String, Box<dyn Read + '_>) = match file {
        Some(path) => {
            let opened =
                std::fs::File::open(path).with_context(|| format!("value file {}: cannot open", path.display()))?;
            (format!("value file {}", path.display()), Box::new(opened))
        }
        None => ("stdin".to_string(), Box::new(stdin)),
    };
    // Room for one byte more than allowed, so the read never reallocates (and leaves no copy).
    let mut bytes = Vec::with_capacity(VALUE_LEN_MAX + 1);
    let read = reader.take(VALUE_LEN_MAX as u64 + 1).read_to_end(&mut bytes);
    // Zeroized on drop from here, whatever the read did.
    let value = SecretValue::new(bytes);
    read.with_context(|| format!("{from}: cannot read"))?;
    if value.len() > VALUE_LEN_MAX {
        bail!("{from}: more than {VALUE_LEN_MAX} bytes");
    }
    Ok(value)
}
