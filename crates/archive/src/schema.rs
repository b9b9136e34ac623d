//! The SQLite schema and connection settings (BENCHMARKS.md, archive engine choice): WAL with
//! `synchronous=FULL`, segments in a rowid table indexed by (series, first time).

use crate::error::{ArchiveError, SqlContext};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The schema version this build writes (`PRAGMA user_version`).
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// The archive's database file in its directory.
pub(crate) const DB_FILE: &str = "archive.sqlite";
/// The file a writer locks so that an archive has one writer at a time.
pub(crate) const LOCK_FILE: &str = "archive.lock";

/// How long a connection waits for another's lock (a checkpoint) before failing.
const BUSY_TIMEOUT_MS: u64 = 5000;
/// Page cache of each connection, in KiB.
const CACHE_KIB: i64 = 16 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    samples INTEGER NOT NULL,
    first_ms INTEGER,
    last_ms INTEGER,
    backwards INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    open INTEGER NOT NULL,
    numeric INTEGER NOT NULL,
    min REAL,
    max REAL,
    sum REAL,
    blob BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_by_series
    ON segments (series_id, first_ms, last_ms, count, open, numeric, min, max, sum);
CREATE INDEX IF NOT EXISTS segments_open ON segments (series_id) WHERE open = 1;
CREATE TABLE IF NOT EXISTS links (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS unit_blocks (
    id INTEGER PRIMARY KEY,
    grp INTEGER NOT NULL,
    apid INTEGER,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    count INTEGER NOT NULL,
    open INTEGER NOT NULL,
    blob BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS unit_blocks_by_time ON unit_blocks (first_ms, last_ms, count, open);
CREATE INDEX IF NOT EXISTS unit_blocks_by_apid ON unit_blocks (apid, first_ms, last_ms);
CREATE INDEX IF NOT EXISTS unit_blocks_open ON unit_blocks (grp) WHERE open = 1;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    severity INTEGER NOT NULL,
    source TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    message TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time_ms);
CREATE TABLE IF NOT EXISTS alarm_blocks (
    id INTEGER PRIMARY KEY,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    max_level INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS alarm_blocks_by_time ON alarm_blocks (last_ms);
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY,
    command_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    principal TEXT NOT NULL,
    command TEXT NOT NULL,
    arguments_json TEXT NOT NULL,
    bytes BLOB NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commands_by_time ON commands (time_ms);
CREATE INDEX IF NOT EXISTS commands_by_command ON commands (command_id);
CREATE TABLE IF NOT EXISTS totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    units INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    events INTEGER NOT NULL,
    alarms INTEGER NOT NULL,
    commands INTEGER NOT NULL,
    last_unit_ms INTEGER
);
INSERT OR IGNORE INTO totals VALUES (1, 0, 0, 0, 0, 0, NULL);
";

/// A time as SQLite stores it (an i64; times past year 292 million are clamped).
#[inline]
pub(crate) fn key(time_ms: u64) -> i64 {
    i64::try_from(time_ms).unwrap_or(i64::MAX)
}

/// A stored count or time back as u64 (negative values only come from corruption: 0).
#[inline]
pub(crate) fn unkey(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Opens the writer's connection, creating the database and its schema when missing.
pub(crate) fn open_writer(dir: &Path) -> Result<(Connection, PathBuf), ArchiveError> {
    std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io { path: dir.to_path_buf(), source })?;
    let path = dir.join(DB_FILE);
    let conn = Connection::open(&path).doing(&path, "opening")?;
    configure(&conn, &path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0)).doing(&path, "WAL mode")?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(ArchiveError::Sqlite {
            path,
            doing: "WAL mode",
            source: rusqlite::Error::InvalidParameterName(format!("journal mode stays {mode}")),
        });
    }
    // Commits do not wait for the disk; `Syncer` flushes the WAL and checkpoints (writer::sync).
    conn.pragma_update(None, "synchronous", "NORMAL").doing(&path, "synchronous=NORMAL")?;
    conn.pragma_update(None, "wal_autocheckpoint", 0).doing(&path, "wal_autocheckpoint")?;
    check_version(&conn, &path)?;
    conn.execute_batch(&format!("BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
        .doing(&path, "creating the schema")?;
    Ok((conn, path))
}

/// Opens a reader's connection; the archive must exist.
pub(crate) fn open_reader(dir: &Path) -> Result<(Connection, PathBuf), ArchiveError> {
    let path = dir.join(DB_FILE);
    if !path.is_file() {
        return Err(ArchiveError::Missing { path });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(&path, flags).doing(&path, "opening")?;
    configure(&conn, &path)?;
    conn.pragma_update(None, "query_only", true).doing(&path, "query_only")?;
    let version = check_version(&conn, &path)?;
    if version == 0 {
        return Err(ArchiveError::Missing { path });
    }
    Ok((conn, path))
}

fn configure(conn: &Connection, path: &Path) -> Result<(), ArchiveError> {
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).doing(path, "busy timeout")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB).doing(path, "cache_size")?;
    Ok(())
}

fn check_version(conn: &Connection, path: &Path) -> Result<i64, ArchiveError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).doing(path, "schema version")?;
    if found > SCHEMA_VERSION {
        return Err(ArchiveError::Version { path: path.to_path_buf(), found, supported: SCHEMA_VERSION });
    }
    Ok(found)
}
