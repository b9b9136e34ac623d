//! The secrets vault in `serve` (issue 7): `archive::VaultStore` in `<data>/_platform/vault`
//! under the master key of `[vault] master_key_file` or the `GROUNDPLANE_MASTER_KEY` env_var
//! (sealed without either). It answers the API's secrets routes (`api::SecretsBackend`) and
//! delivers a deployment the secrets its configuration names, from its own scope only.
//!
//! Every access is recorded in the platform's audit chain first — who, which scope, the
//! secret's name and version, never its value — and an access that cannot be recorded does
//! not happen (fail closed). A change is computed by the vault, recorded, stored, then
//! applied. No value reaches a message, a log line or an answer.

mod deliver;

#[cfg(test)]
mod tests;

pub use deliver::{install, uplink_login};

use crate::auditor::Auditor;
use crate::secret_cmd::master;
use crate::serve::config::VaultConfig;
use anyhow::Context;
use api::{Principal, SecretsBackend, SecretsError};
use archive::VaultStore;
use base::Scope;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use vault::{Change, MasterKey, SecretName, SecretValue, Vault, VaultError};

/// The vault's directory under the data folder.
pub fn vault_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("_platform").join("vault")
}

/// The master key the configuration gives (`base` is the config file's folder): the key
/// file's, else the env_var's; `None` (sealed) when there is neither. A key file that group
/// or others may read, or a key that does not parse, is an error (the server does not start).
pub fn master_key(
    config: &VaultConfig,
    base: &Path,
    env_var: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<MasterKey>> {
    let file = config.master_key_file.as_ref().map(|path| base.join(path));
    if file.is_none() && env_var(master::MASTER_KEY_ENV_VAR).is_none() {
        return Ok(None);
    }
    master::load(file.as_deref(), env_var).context("vault.master_key_file").map(Some)
}

/// The vault of `groundplane serve` in `<data>/_platform/vault`, installed for the
/// deployments it starts and answered for by the API; says on stdout whether it is sealed.
pub fn serve(
    config: &VaultConfig,
    base: &Path,
    data_dir: &Path,
    auditor: Arc<Auditor>,
) -> anyhow::Result<Arc<dyn SecretsBackend>> {
    let master = master_key(config, base, &crate::release_cmd::create::env_var)?;
    let dir = vault_dir(data_dir);
    let secrets = Arc::new(Secrets::open(&dir, master, auditor)?);
    if secrets.is_sealed() {
        println!("vault: sealed (no master key: set [vault] master_key_file or {})", master::MASTER_KEY_ENV_VAR);
    } else {
        println!("vault: open ({})", dir.display());
    }
    install(secrets.clone());
    Ok(secrets)
}

/// The vault of a running server: sealed, or open over its store.
pub struct Secrets {
    opened: Mutex<Option<Opened>>,
    auditor: Arc<Auditor>,
}

/// An unsealed vault and its store.
struct Opened {
    store: VaultStore,
    vault: Vault,
}

impl Secrets {
    /// The vault in `dir`, unsealed with `master` (a wrong key is an error); sealed without
    /// one (the store is then not even created).
    pub fn open(dir: &Path, master: Option<MasterKey>, auditor: Arc<Auditor>) -> anyhow::Result<Secrets> {
        let opened = match master {
            None => None,
            Some(master) => {
                let store = VaultStore::open(dir)?;
                let mut vault = Vault::sealed(store.load()?);
                vault.unseal(master).with_context(|| format!("vault {}", dir.display()))?;
                Some(Opened { store, vault })
            }
        };
        Ok(Secrets { opened: Mutex::new(opened), auditor })
    }

    /// Whether the master key is absent.
    pub fn is_sealed(&self) -> bool {
        self.lock().is_none()
    }

    /// Opens the latest version of `name` in `scope` for the deployment of `scope`, recorded
    /// as `secret.deliver` first. Names resolve inside `scope` only.
    pub fn deliver(&self, scope: &Scope, name: &SecretName) -> Result<SecretValue, SecretsError> {
        let principal = format!("deployment {scope}");
        let guard = self.lock();
        let opened = self.unsealed(&guard, &principal, "secret.deliver", scope, Some(name))?;
        let found =
            opened.vault.get(scope, name, None).and_then(|value| Ok((latest(&opened.vault, scope, name)?, value)));
        let (version, value) =
            found.map_err(|error| self.refused(&principal, "secret.deliver", scope, Some(name), error))?;
        self.record(&principal, "secret.deliver", scope, json!({ "name": name.as_str(), "version": version }))?;
        Ok(value)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Opened>> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The open vault, or `Sealed` (recorded as a refusal).
    fn unsealed<'g>(
        &self,
        guard: &'g Option<Opened>,
        principal: &str,
        action: &str,
        scope: &Scope,
        name: Option<&SecretName>,
    ) -> Result<&'g Opened, SecretsError> {
        guard.as_ref().ok_or_else(|| self.refused(principal, action, scope, name, VaultError::Sealed))
    }

    /// Records an access that is about to happen; `Err` (nothing may happen) when it cannot.
    fn record(
        &self,
        principal: &str,
        action: &str,
        scope: &Scope,
        detail: serde_json::Value,
    ) -> Result<(), SecretsError> {
        let entry = audit::Entry::new(
            self.auditor.now_ms(),
            principal,
            action,
            format!("deployment {scope}"),
            audit::Outcome::Allowed,
        )
        .with_detail(detail);
        self.auditor.record(&entry).map_err(|error| SecretsError::Internal(format!("{error}: the access is refused")))
    }

    /// Records a refused access (best effort: it changed nothing) and answers its error. The
    /// vault's errors name scope, secret and version, never a value.
    fn refused(
        &self,
        principal: &str,
        action: &str,
        scope: &Scope,
        name: Option<&SecretName>,
        error: VaultError,
    ) -> SecretsError {
        let outcome = if error == VaultError::Sealed { audit::Outcome::Denied } else { audit::Outcome::Failed };
        let detail = json!({ "name": name.map(SecretName::as_str), "error": error.to_string() });
        let entry = audit::Entry::new(self.auditor.now_ms(), principal, action, format!("deployment {scope}"), outcome)
            .with_detail(detail);
        if let Err(failed) = self.auditor.record(&entry) {
            tracing::warn!(%failed, action, %scope, "a refused secret access is not recorded");
        }
        secrets_error(error)
    }

    /// Records, stores and applies `change` (in that order): nothing is visible that is not
    /// stored, and nothing is stored that is not recorded.
    fn commit(
        &self,
        opened: &mut Opened,
        audit: (&str, &str, &Scope, serde_json::Value),
        change: Change,
        created: Option<(&SecretName, u32)>,
    ) -> Result<(), SecretsError> {
        let (principal, action, scope, detail) = audit;
        self.record(principal, action, scope, detail)?;
        let saved = match created {
            Some((name, version)) => opened.store.save_created(&change, (scope, name, version), self.auditor.now_ms()),
            None => opened.store.save(&change),
        };
        saved.map_err(|error| SecretsError::Internal(format!("vault store: {error}")))?;
        opened.vault.apply(change).map_err(|error| SecretsError::Internal(format!("vault: {error}")))
    }
}

impl SecretsBackend for Secrets {
    fn list(&self, scope: &Scope, by: &Principal) -> Result<Vec<api::wire::SecretSummary>, SecretsError> {
        let guard = self.lock();
        let opened = self.unsealed(&guard, &by.id, "secret.list", scope, None)?;
        let secrets = opened.vault.list(scope).map_err(secrets_error)?;
        let times = opened.store.created_times(scope).map_err(|error| SecretsError::Internal(error.to_string()))?;
        self.record(&by.id, "secret.list", scope, json!({ "secrets": secrets.len() }))?;
        let summary = |info: vault::SecretInfo| {
            let name = info.name.to_string();
            let versions = info.versions.iter().map(|version| api::wire::SecretVersionDto {
                version: *version,
                created_ms: times.get(&(name.clone(), *version)).copied(),
            });
            api::wire::SecretSummary { versions: versions.collect(), name }
        };
        Ok(secrets.into_iter().map(summary).collect())
    }

    fn put(&self, scope: &Scope, name: &SecretName, value: SecretValue, by: &Principal) -> Result<u32, SecretsError> {
        let mut guard = self.lock();
        self.unsealed(&guard, &by.id, "secret.put", scope, Some(name))?;
        let opened = guard.as_mut().ok_or(SecretsError::Sealed)?;
        let (version, change) = opened
            .vault
            .put(scope, name, &value, &mut master::os_random)
            .map_err(|error| self.refused(&by.id, "secret.put", scope, Some(name), error))?;
        drop(value);
        let detail = json!({ "name": name.as_str(), "version": version });
        self.commit(opened, (&by.id, "secret.put", scope, detail), change, Some((name, version)))?;
        Ok(version)
    }

    fn delete(&self, scope: &Scope, name: &SecretName, by: &Principal) -> Result<usize, SecretsError> {
        let mut guard = self.lock();
        self.unsealed(&guard, &by.id, "secret.delete", scope, Some(name))?;
        let opened = guard.as_mut().ok_or(SecretsError::Sealed)?;
        let change = opened
            .vault
            .delete(scope, name)
            .map_err(|error| self.refused(&by.id, "secret.delete", scope, Some(name), error))?;
        let versions = opened.vault.list(scope).map_err(secrets_error)?;
        let versions =
            versions.into_iter().find(|info| info.name == *name).map(|info| info.versions).unwrap_or_default();
        let detail = json!({ "name": name.as_str(), "versions": versions });
        self.commit(opened, (&by.id, "secret.delete", scope, detail), change, None)?;
        Ok(versions.len())
    }

    fn rotate(&self, scope: &Scope, by: &Principal) -> Result<api::wire::SecretsRotated, SecretsError> {
        let mut guard = self.lock();
        self.unsealed(&guard, &by.id, "secret.rotate", scope, None)?;
        let opened = guard.as_mut().ok_or(SecretsError::Sealed)?;
        let (data_key_version, change) = opened
            .vault
            .rotate_data_key(scope, &mut master::os_random)
            .map_err(|error| self.refused(&by.id, "secret.rotate", scope, None, error))?;
        let resealed = change.secrets().len();
        let detail = json!({ "data_key_version": data_key_version, "resealed": resealed });
        self.commit(opened, (&by.id, "secret.rotate", scope, detail), change, None)?;
        Ok(api::wire::SecretsRotated { data_key_version, resealed })
    }
}

/// The latest version of `name` in `scope`.
fn latest(vault: &Vault, scope: &Scope, name: &SecretName) -> Result<u32, VaultError> {
    let secrets = vault.list(scope)?;
    let info = secrets.into_iter().find(|info| info.name == *name);
    info.and_then(|info| info.versions.last().copied())
        .ok_or_else(|| VaultError::NotFound { scope: scope.clone(), name: name.to_string() })
}

/// The API's view of a vault error (none holds a value).
fn secrets_error(error: VaultError) -> SecretsError {
    match error {
        VaultError::Sealed => SecretsError::Sealed,
        VaultError::NotFound { scope, name } | VaultError::VersionNotFound { scope, name, .. } => {
            SecretsError::NotFound { scope, name }
        }
        VaultError::EmptyValue { .. } | VaultError::ValueTooLarge { .. } => {
            SecretsError::BadRequest { field: "value".into(), reason: error.to_string() }
        }
        VaultError::Name { .. } => SecretsError::BadRequest { field: "name".into(), reason: error.to_string() },
        other => SecretsError::Internal(other.to_string()),
    }
}
