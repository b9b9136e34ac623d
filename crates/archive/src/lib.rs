//! The archive of one deployment (mission, environment): raw units, parameter samples,
//! events, alarm changes and command history, in an embedded SQLite database in a directory.
//!
//! Parameter samples are stored as compressed segments of consecutive samples of one series
//! (delta-of-delta times, delta integers, XOR floats) with their aggregates, so that a range
//! of one parameter reads a few rows and buckets over a year read mostly the aggregates. Raw
//! units are stored in blocks per APID. One `Writer` buffers in memory and makes everything
//! durable per `commit` (one transaction, fsync); any number of `Reader`s read meanwhile.
//!
//! Only this crate knows the archive's SQL and blob formats. It never panics on what it reads
//! back: a blob that does not decode is `ArchiveError::Corrupt` naming its table and row.

mod audit;
mod codec;
mod control;
mod cursor;
mod error;
mod identity;
mod private;
mod reader;
mod records;
mod schema;
mod vault;
mod writer;

pub use self::audit::{AuditStore, AUDIT_FILE};
pub use self::identity::IdentityStore;
pub use self::vault::VaultStore;
pub use control::ControlStore;
pub use error::ArchiveError;
pub use reader::{Reader, BUCKETS_MAX};
pub use records::{
    Bucket, CommandRecord, EventRecord, EventSeverity, Page, SeriesInfo, StoredAlarm, StoredSample, StoredUnit,
    StoredValue, UnitKind,
};
pub use writer::{series_name, Syncer, Writer, CHECKPOINT_WAL_BYTES};

use std::path::Path;

/// How long each kind of data is kept, in days; `None` keeps it forever.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Retention {
    pub raw_units_days: Option<u32>,
    pub parameters_days: Option<u32>,
    pub events_days: Option<u32>,
    pub alarms_days: Option<u32>,
    pub commands_days: Option<u32>,
}

/// How an archive is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveOptions {
    pub retention: Retention,
    /// Samples per parameter segment.
    pub segment_samples_max: usize,
}

/// Samples per segment unless configured: about 4 KiB of blob for typical telemetry.
pub const SEGMENT_SAMPLES_DEFAULT: usize = 1024;

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions { retention: Retention::default(), segment_samples_max: SEGMENT_SAMPLES_DEFAULT }
    }
}

/// Cumulative totals of what was made durable (retention does not lower them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub units: u64,
    pub samples: u64,
    pub events: u64,
    pub alarms: u64,
    pub commands: u64,
    /// Reception time of the latest durable unit.
    pub last_unit_ms: Option<u64>,
}

/// What a writer holds in memory, not yet durable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    pub units: u64,
    pub samples: u64,
    pub events: u64,
    pub alarms: u64,
    pub commands: u64,
}

/// What `Writer::apply_retention` removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub segments: u64,
    pub samples: u64,
    pub unit_blocks: u64,
    pub units: u64,
    pub events: u64,
    pub alarms: u64,
    pub commands: u64,
}

/// What `Writer::backfill` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackfillReport {
    /// Samples removed from the range (of every series).
    pub removed: u64,
    /// Samples decoded from the packets and archived.
    pub added: u64,
    /// Packets decoded.
    pub packets: u64,
    /// Packets that did not decode with the plan (skipped).
    pub undecodable: u64,
}

/// Opens the archive in `dir` for writing, creating `dir/archive.sqlite` (and `dir`) when
/// missing. After a crash SQLite's WAL recovers the last commit. One writer at a time: a
/// second gets `ArchiveError::Busy`.
pub fn open(dir: &Path, options: &ArchiveOptions) -> Result<Writer, ArchiveError> {
    writer::open(dir, options)
}

/// Opens the archive in `dir` for reading; it reads while the writer writes.
pub fn reader(dir: &Path) -> Result<Reader, ArchiveError> {
    Reader::open(dir)
}
