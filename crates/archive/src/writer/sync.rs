//! Durability off the writer's thread. The writer's connection runs `synchronous=NORMAL`: a
//! commit writes its WAL frames but does not wait for the disk. Nothing is durable — and
//! nothing may be reported stored — until `Syncer::sync` has flushed the WAL file (fsync),
//! which another thread can do while the writer goes on with the next batch. Checkpoints (WAL
//! → database file) run on the syncer's own connection with `synchronous=FULL`, so the
//! database file is flushed before the WAL is reused.

use crate::error::SqlContext;
use crate::ArchiveError;
use rusqlite::Connection;
use std::fs::File;
use std::path::{Path, PathBuf};

/// WAL size above which `Syncer::sync` checkpoints it into the database file.
pub const CHECKPOINT_WAL_BYTES: u64 = 64 << 20;

/// Flushes one archive's WAL to stable storage and checkpoints it. `Send`: give it to the
/// thread that reports what is stored.
pub struct Syncer {
    wal: File,
    wal_path: PathBuf,
    conn: Connection,
    db_path: PathBuf,
}

impl Syncer {
    pub(crate) fn open(db_path: &Path) -> Result<Syncer, ArchiveError> {
        let wal_path = PathBuf::from(format!("{}-wal", db_path.display()));
        let io = |source| ArchiveError::Io { path: wal_path.clone(), source };
        let wal = File::options().read(true).write(true).open(&wal_path).map_err(io)?;
        // The WAL's directory entry must survive a power loss too.
        if let Some(dir) = db_path.parent() {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|source| ArchiveError::Io { path: dir.into(), source })?;
        }
        let conn = Connection::open(db_path).doing(db_path, "opening the syncer")?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).doing(db_path, "busy timeout")?;
        conn.pragma_update(None, "synchronous", "FULL").doing(db_path, "synchronous=FULL")?;
        Ok(Syncer { wal, wal_path, conn, db_path: db_path.to_path_buf() })
    }

    /// Makes every commit returned before this call durable (fsync of the WAL); checkpoints
    /// when the WAL has grown past `CHECKPOINT_WAL_BYTES`.
    pub fn sync(&mut self) -> Result<(), ArchiveError> {
        let io = |source| ArchiveError::Io { path: self.wal_path.clone(), source };
        self.wal.sync_data().map_err(io)?;
        let wal_bytes = self.wal.metadata().map_err(io)?.len();
        if wal_bytes > CHECKPOINT_WAL_BYTES {
            // PASSIVE: never blocks the writer or readers; what it cannot copy now, it copies
            // next time.
            self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).doing(&self.db_path, "checkpoint")?;
        }
        Ok(())
    }
}
