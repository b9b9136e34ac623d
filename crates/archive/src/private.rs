//! The platform's private stores (`identity.sqlite`, `vault.sqlite`): one SQLite file in its
//! folder, readable by its owner only, every commit durable (WAL, `synchronous = FULL`).

use crate::error::SqlContext;
use crate::ArchiveError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// What to name a private store in errors, and how to make its tables.
pub(crate) struct PrivateStore {
    pub file: &'static str,
    pub opening: &'static str,
    pub setting_up: &'static str,
    pub creating: &'static str,
    pub schema: &'static str,
}

impl PrivateStore {
    /// Opens (creating) the store's file in `dir`, mode 0600 on Unix, with its tables.
    pub fn open(&self, dir: &Path) -> Result<(Connection, PathBuf), ArchiveError> {
        std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io { path: dir.to_path_buf(), source })?;
        let path = dir.join(self.file);
        let conn = Connection::open(&path).doing(&path, self.opening)?;
        owner_only(&path)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").doing(&path, self.setting_up)?;
        conn.execute_batch(self.schema).doing(&path, self.creating)?;
        Ok((conn, path))
    }
}

fn owner_only(path: &Path) -> Result<(), ArchiveError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|source| ArchiveError::Io { path: path.to_path_buf(), source })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
