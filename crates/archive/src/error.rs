//! The archive's one error type: every variant names the archive file, the table or the input.

use std::path::PathBuf;

/// Why an archive operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file or directory of the archive could not be created, opened or read.
    #[error("archive {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// Another writer has the archive open.
    #[error("archive {path}: another writer has it open")]
    Busy { path: PathBuf },
    /// There is no archive in the directory (readers never create one).
    #[error("archive {path}: no archive there")]
    Missing { path: PathBuf },
    /// The archive was written by a newer format than this build reads.
    #[error("archive {path}: schema version {found}, this build reads up to {supported}")]
    Version { path: PathBuf, found: i64, supported: i64 },
    /// SQLite refused an operation.
    #[error("archive {path}, {doing}: {source}")]
    Sqlite { path: PathBuf, doing: &'static str, source: rusqlite::Error },
    /// The audit chain refused an entry (fail closed: nothing was written), or the stored
    /// chain does not verify; the audit error names the record or checkpoint.
    #[error("audit {path}: {source}")]
    Audit { path: PathBuf, source: ::audit::AuditError },
    /// A stored blob or row cannot be decoded.
    #[error("archive table {table}, row {row}: corrupt")]
    Corrupt { table: &'static str, row: i64 },
    /// A paging cursor this archive did not hand out (or for another query).
    #[error("bad cursor {cursor:?}")]
    BadCursor { cursor: String },
    /// A page limit of 0.
    #[error("limit must be at least 1")]
    BadLimit,
    /// A bucket count of 0 or over `BUCKETS_MAX`.
    #[error("{n} buckets: need 1 to {max}")]
    BadBuckets { n: usize, max: usize },
    /// An empty or reversed time range where one is needed.
    #[error("time range [{from_ms}, {to_ms}) is empty")]
    BadRange { from_ms: u64, to_ms: u64 },
    /// A packet given to `Writer::backfill` whose time lies outside the range backfilled.
    #[error("backfill packet {packet_idx}: time {time_ms} outside [{from_ms}, {to_ms})")]
    PacketOutsideRange { packet_idx: usize, time_ms: u64, from_ms: u64, to_ms: u64 },
}

/// Turns SQLite errors into `ArchiveError::Sqlite` naming the archive and what was being done.
pub(crate) trait SqlContext<T> {
    fn doing(self, path: &std::path::Path, doing: &'static str) -> Result<T, ArchiveError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn doing(self, path: &std::path::Path, doing: &'static str) -> Result<T, ArchiveError> {
        self.map_err(|source| ArchiveError::Sqlite { path: path.to_path_buf(), doing, source })
    }
}
