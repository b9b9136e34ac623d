//! The secrets vault's store: `vault.sqlite`, holding the `vault::VaultState` as rows (the
//! master key check, wrapped data keys, sealed secret versions). It holds ciphertext only:
//! the master key never reaches this crate. Each `vault::Change` is written in one
//! transaction and made durable (fsync) before `save` returns, so a caller applies a change
//! to its vault only once it is stored.

use crate::error::SqlContext;
use crate::ArchiveError;
use ::vault::{Change, KeyCheck, SealedSecret, SecretName, VaultState, WrappedDataKey, NONCE_LEN};
use base::Scope;
use rusqlite::{params, Connection, Row};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A version stored by a change, and when: (scope, name, version), at_ms.
type Created<'a> = ((&'a Scope, &'a SecretName, u32), u64);

/// The vault's database file in its directory.
const DB_FILE: &str = "vault.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS vault_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS vault_data_keys (
    mission TEXT NOT NULL,
    env TEXT NOT NULL,
    version INTEGER NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    PRIMARY KEY (mission, env, version)
);
CREATE TABLE IF NOT EXISTS vault_secrets (
    mission TEXT NOT NULL,
    env TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    dek_version INTEGER NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    PRIMARY KEY (mission, env, name, version)
);
CREATE TABLE IF NOT EXISTS vault_secret_times (
    mission TEXT NOT NULL,
    env TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (mission, env, name, version)
);";

/// The vault's stored state in a SQLite file.
pub struct VaultStore {
    conn: Connection,
    path: PathBuf,
}

impl VaultStore {
    /// Opens (creating) `vault.sqlite` in `dir`; on Unix the file is readable by its owner only.
    pub fn open(dir: &Path) -> Result<VaultStore, ArchiveError> {
        let (conn, path) = crate::private::PrivateStore {
            file: DB_FILE,
            opening: "opening the vault store",
            setting_up: "setting up the vault store",
            creating: "creating the vault store's tables",
            schema: SCHEMA,
        }
        .open(dir)?;
        Ok(VaultStore { conn, path })
    }

    /// Whether `dir` holds a vault store (reading commands do not create one).
    pub fn exists(dir: &Path) -> bool {
        dir.join(DB_FILE).is_file()
    }

    /// Everything stored. A row that does not decode is `ArchiveError::Corrupt` naming it.
    pub fn load(&self) -> Result<VaultState, ArchiveError> {
        let key_check = self
            .rows("vault_key_check", "SELECT rowid, nonce, ciphertext FROM vault_key_check", |row| {
                let ciphertext = row.get(2)?;
                Ok(nonce(row.get(1)?).map(|nonce| KeyCheck { nonce, ciphertext }))
            })?
            .pop();
        let data_keys = self.rows(
            "vault_data_keys",
            "SELECT rowid, mission, env, version, nonce, ciphertext FROM vault_data_keys",
            |row| {
                let (Some(scope), Some(version), Some(nonce)) =
                    (scope(row.get(1)?, row.get(2)?), version(row.get(3)?), nonce(row.get(4)?))
                else {
                    return Ok(None);
                };
                Ok(Some(WrappedDataKey { scope, version, nonce, ciphertext: row.get(5)? }))
            },
        )?;
        let secrets = self.rows(
            "vault_secrets",
            "SELECT rowid, mission, env, name, version, dek_version, nonce, ciphertext FROM vault_secrets",
            |row| {
                let decoded = (
                    scope(row.get(1)?, row.get(2)?),
                    row.get::<_, String>(3)?.parse().ok(),
                    version(row.get(4)?),
                    version(row.get(5)?),
                    nonce(row.get(6)?),
                );
                let (Some(scope), Some(name), Some(version), Some(dek_version), Some(nonce)) = decoded else {
                    return Ok(None);
                };
                Ok(Some(SealedSecret { scope, name, version, dek_version, nonce, ciphertext: row.get(7)? }))
            },
        )?;
        let mut state = VaultState { key_check, data_keys, secrets };
        state.sort();
        Ok(state)
    }

    /// Writes `change` in one transaction, removals first, and makes it durable.
    pub fn save(&mut self, change: &Change) -> Result<(), ArchiveError> {
        self.save_inner(change, None)
    }

    /// As `save`, for the change that stores `created` (scope, name, version) at `at_ms`:
    /// the time is kept beside it (not sealed: it is no secret) until the secret is deleted.
    pub fn save_created(
        &mut self,
        change: &Change,
        created: (&Scope, &SecretName, u32),
        at_ms: u64,
    ) -> Result<(), ArchiveError> {
        self.save_inner(change, Some((created, at_ms)))
    }

    /// When each version of each secret of `scope` was stored, by (name, version), for the
    /// versions stored with `save_created`.
    pub fn created_times(&self, scope: &Scope) -> Result<BTreeMap<(String, u32), u64>, ArchiveError> {
        let doing = "reading the vault's secret times";
        let mut select = self
            .conn
            .prepare("SELECT name, version, created_ms FROM vault_secret_times WHERE mission = ?1 AND env = ?2")
            .doing(&self.path, doing)?;
        let rows = select
            .query_map(params![scope.mission.as_str(), scope.env.as_str()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            })
            .doing(&self.path, doing)?;
        let mut times = BTreeMap::new();
        for row in rows {
            let (name, stored_version, created_ms) = row.doing(&self.path, doing)?;
            if let (Some(stored_version), Ok(created_ms)) = (version(stored_version), u64::try_from(created_ms)) {
                times.insert((name, stored_version), created_ms);
            }
        }
        Ok(times)
    }

    fn save_inner(&mut self, change: &Change, created: Option<Created<'_>>) -> Result<(), ArchiveError> {
        let path = &self.path;
        let doing = "saving a vault change";
        let tx = self.conn.transaction().doing(path, doing)?;
        if let Some(check) = change.key_check() {
            tx.execute(
                "INSERT OR REPLACE INTO vault_key_check (id, nonce, ciphertext) VALUES (1, ?1, ?2)",
                params![&check.nonce[..], check.ciphertext],
            )
            .doing(path, doing)?;
        }
        for (scope, version) in change.retired_data_keys() {
            tx.execute(
                "DELETE FROM vault_data_keys WHERE mission = ?1 AND env = ?2 AND version = ?3",
                params![scope.mission.as_str(), scope.env.as_str(), version],
            )
            .doing(path, doing)?;
        }
        for (scope, name) in change.deleted() {
            for table in ["vault_secrets", "vault_secret_times"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE mission = ?1 AND env = ?2 AND name = ?3"),
                    params![scope.mission.as_str(), scope.env.as_str(), name.as_str()],
                )
                .doing(path, doing)?;
            }
        }
        for key in change.data_keys() {
            tx.execute(
                "INSERT OR REPLACE INTO vault_data_keys (mission, env, version, nonce, ciphertext)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    key.scope.mission.as_str(),
                    key.scope.env.as_str(),
                    key.version,
                    &key.nonce[..],
                    key.ciphertext
                ],
            )
            .doing(path, doing)?;
        }
        for secret in change.secrets() {
            tx.execute(
                "INSERT OR REPLACE INTO vault_secrets (mission, env, name, version, dek_version, nonce, ciphertext)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    secret.scope.mission.as_str(),
                    secret.scope.env.as_str(),
                    secret.name.as_str(),
                    secret.version,
                    secret.dek_version,
                    &secret.nonce[..],
                    secret.ciphertext
                ],
            )
            .doing(path, doing)?;
        }
        if let Some(((scope, name, version), at_ms)) = created {
            tx.execute(
                "INSERT OR REPLACE INTO vault_secret_times (mission, env, name, version, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    scope.mission.as_str(),
                    scope.env.as_str(),
                    name.as_str(),
                    version,
                    i64::try_from(at_ms).unwrap_or(i64::MAX)
                ],
            )
            .doing(path, doing)?;
        }
        tx.commit().doing(path, doing)
    }

    /// Every row of `table` through `decode`, which gives `None` for a row that does not decode.
    fn rows<T>(
        &self,
        table: &'static str,
        sql: &str,
        decode: impl Fn(&Row<'_>) -> rusqlite::Result<Option<T>>,
    ) -> Result<Vec<T>, ArchiveError> {
        let doing = "loading the vault";
        let mut select = self.conn.prepare(sql).doing(&self.path, doing)?;
        let rows = select.query_map([], |row| Ok((row.get::<_, i64>(0)?, decode(row)))).doing(&self.path, doing)?;
        let mut out = Vec::new();
        for row in rows {
            let (rowid, decoded) = row.doing(&self.path, doing)?;
            match decoded {
                Ok(Some(item)) => out.push(item),
                // A column of the wrong type is as corrupt as a value that does not parse.
                Ok(None) | Err(_) => return Err(ArchiveError::Corrupt { table, row: rowid }),
            }
        }
        Ok(out)
    }
}

fn scope(mission: String, env: String) -> Option<Scope> {
    Some(Scope { mission: mission.parse().ok()?, env: env.parse().ok()? })
}

fn version(stored: i64) -> Option<u32> {
    u32::try_from(stored).ok()
}

fn nonce(stored: Vec<u8>) -> Option<[u8; NONCE_LEN]> {
    stored.try_into().ok()
}

/// Takes group and other access away from the vault's file (it holds ciphertext, but the
/// names and versions of secrets are nobody else's business either).
#[cfg(test)]
mod tests;
