//! The audit chain's store: `audit.sqlite`, with the records (`records`, storage order =
//! rowid order) and the signed checkpoints (`checkpoints`) as the canonical JSON of
//! `audit::Record` and `audit::Checkpoint`. Each append, and the checkpoint due with it, is
//! one transaction made durable (fsync) before `append` returns; when it cannot be, `append`
//! fails and the caller refuses the action (fail closed).
//!
//! On open the chain resumes after the last record, which must be at seq = its position and
//! hash to its `hash`; otherwise nothing is appended until an operator looks
//! (`groundplane audit verify` says where the chain is broken).

use crate::error::SqlContext;
use crate::ArchiveError;
use ::audit::{
    checkpoint_due, verify_stream, AuditError, Chain, Checkpoint, CheckpointSigner, Entry, Record, TrustedKey,
    VerifyReport,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};

/// The audit store's database file in its directory.
pub const AUDIT_FILE: &str = "audit.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    checkpoint TEXT NOT NULL
);";

/// The audit chain in a SQLite file, and the writer's place in it.
pub struct AuditStore {
    conn: Connection,
    path: PathBuf,
    /// Invariant: the chain after the last stored record, or why nothing may follow it.
    tail: Result<Chain, AuditError>,
    /// The seq the latest checkpoint covers.
    signed_through: Option<u64>,
    /// When the latest checkpoint was made, else the first record's time: the next checkpoint
    /// is due `audit::CHECKPOINT_INTERVAL_MS` after.
    unsigned_since_ms: Option<u64>,
}

impl AuditStore {
    /// Opens (creating) `audit.sqlite` in `dir`, to append.
    pub fn open(dir: &Path) -> Result<AuditStore, ArchiveError> {
        std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io { path: dir.to_path_buf(), source })?;
        let path = dir.join(AUDIT_FILE);
        let conn = Connection::open(&path).doing(&path, "opening the audit store")?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .doing(&path, "setting up the audit store")?;
        conn.execute_batch(SCHEMA).doing(&path, "creating the audit store's tables")?;
        AuditStore::resume(conn, path)
    }

    /// Opens the existing `audit.sqlite` in `dir` (to verify or show it), changing nothing:
    /// `ArchiveError::Missing` when there is none.
    pub fn open_existing(dir: &Path) -> Result<AuditStore, ArchiveError> {
        let path = dir.join(AUDIT_FILE);
        if !path.is_file() {
            return Err(ArchiveError::Missing { path });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).doing(&path, "opening the audit store")?;
        conn.execute_batch("PRAGMA synchronous = FULL;").doing(&path, "setting up the audit store")?;
        AuditStore::resume(conn, path)
    }

    fn resume(conn: Connection, path: PathBuf) -> Result<AuditStore, ArchiveError> {
        let WriterState { tail, signed_through, unsigned_since_ms } = WriterState::read(&conn, &path)?;
        Ok(AuditStore { conn, path, tail, signed_through, unsigned_since_ms })
    }

    /// The seq the next record gets, or why nothing can be appended (the end of the stored
    /// chain is broken). Check it at startup, so the first audited action is not the first
    /// to fail.
    pub fn next_seq(&self) -> Result<u64, ArchiveError> {
        self.tail.as_ref().map(Chain::next_seq).map_err(|source| self.audit_error(source.clone()))
    }

    /// Appends `entry` as the next record, with a checkpoint signed by `signer` at `now_ms`
    /// when one is due, in one durable transaction. An `Err` means nothing was recorded: the
    /// caller must refuse the action it was recording.
    pub fn append(
        &mut self,
        entry: &Entry,
        signer: &dyn CheckpointSigner,
        now_ms: u64,
    ) -> Result<Record, ArchiveError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing(&path, "starting an audit append")?;
        // Another writer on the same folder (the CLI beside a running server) may have appended
        // since we last did: the transaction holds the write lock, so resume from what is
        // stored now and chain onto it — never fork. The stored end is checked as at open.
        let stored_last: Option<i64> = tx
            .query_row("SELECT seq FROM records ORDER BY id DESC LIMIT 1", [], |row| row.get(0))
            .optional()
            .doing(&path, "reading the end of the audit chain")?;
        let ours = self.tail.as_ref().ok().map(|chain| chain.next_seq().checked_sub(1).map(sql_seq));
        let state = match ours {
            Some(last) if last == stored_last => None,
            _ => Some(WriterState::read(&tx, &path)?),
        };
        let (tail, signed_through, unsigned_since_ms) = match &state {
            Some(state) => (state.tail.clone(), state.signed_through, state.unsigned_since_ms),
            None => (self.tail.clone(), self.signed_through, self.unsigned_since_ms),
        };
        let audit_error = |source| ArchiveError::Audit { path: path.clone(), source };
        let mut chain = tail.map_err(audit_error)?;
        let record = chain.append(entry).map_err(audit_error)?;
        let json = record.to_json().map_err(audit_error)?;
        let unsigned = record.seq + 1 - signed_through.map_or(0, |seq| seq + 1);
        let since_ms = now_ms.saturating_sub(unsigned_since_ms.unwrap_or(record.at_ms));
        let checkpoint = checkpoint_due(unsigned, since_ms).then(|| Checkpoint::sign(&record, now_ms, signer));
        tx.execute("INSERT INTO records (seq, record) VALUES (?1, ?2)", params![sql_seq(record.seq), json])
            .doing(&path, "appending an audit record")?;
        if let Some(checkpoint) = &checkpoint {
            insert_checkpoint(&tx, checkpoint).doing(&path, "appending an audit checkpoint")?;
        }
        tx.commit().doing(&path, "committing an audit record")?;
        self.tail = Ok(chain);
        self.signed_through = signed_through;
        self.unsigned_since_ms = Some(unsigned_since_ms.unwrap_or(record.at_ms));
        if let Some(checkpoint) = checkpoint {
            self.signed(&checkpoint);
        }
        Ok(record)
    }

    /// Signs the unsigned tail now (at shutdown, or on a timer), if there is one.
    pub fn checkpoint(
        &mut self,
        signer: &dyn CheckpointSigner,
        now_ms: u64,
    ) -> Result<Option<Checkpoint>, ArchiveError> {
        // Another writer may have appended (or signed) since: sign the chain as stored.
        let WriterState { tail, signed_through, unsigned_since_ms } = WriterState::read(&self.conn, &self.path)?;
        (self.tail, self.signed_through, self.unsigned_since_ms) = (tail, signed_through, unsigned_since_ms);
        let chain = self.tail.clone().map_err(|source| self.audit_error(source))?;
        let Some(last_seq) = chain.next_seq().checked_sub(1) else {
            return Ok(None);
        };
        if self.signed_through == Some(last_seq) {
            return Ok(None);
        }
        let checkpoint = Checkpoint::sign_at(last_seq, chain.last_hash(), now_ms, signer);
        insert_checkpoint(&self.conn, &checkpoint).doing(&self.path, "appending an audit checkpoint")?;
        self.signed(&checkpoint);
        Ok(Some(checkpoint))
    }

    /// Every record in storage order; the first that does not read back stops it.
    pub fn records(&self) -> Result<Vec<Record>, ArchiveError> {
        self.read_records(0)
    }

    /// The last `n` records, in storage order.
    pub fn last_records(&self, n: u64) -> Result<Vec<Record>, ArchiveError> {
        let doing = "counting the audit records";
        let n_records: i64 =
            self.conn.query_row("SELECT COUNT(*) FROM records", [], |row| row.get(0)).doing(&self.path, doing)?;
        self.read_records((n_records as u64).saturating_sub(n))
    }

    /// Every checkpoint in storage order.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, ArchiveError> {
        let doing = "reading the audit checkpoints";
        let mut select =
            self.conn.prepare("SELECT checkpoint FROM checkpoints ORDER BY id").doing(&self.path, doing)?;
        let rows = select.query_map([], |row| row.get::<_, String>(0)).doing(&self.path, doing)?;
        (0u64..)
            .zip(rows)
            .map(|(idx, row)| {
                let json = row.doing(&self.path, doing)?;
                Checkpoint::from_json(idx, &json).map_err(|source| self.audit_error(source))
            })
            .collect()
    }

    /// Reads the whole chain in storage order, one row at a time, and verifies it against
    /// the `trusted` keys (`audit::verify`). A finding is `ArchiveError::Audit` naming the
    /// record or checkpoint; any other error means the store could not be read.
    pub fn verify(&self, trusted: &[TrustedKey]) -> Result<VerifyReport, ArchiveError> {
        let (doing_records, doing_checkpoints) = ("reading the audit records", "reading the audit checkpoints");
        let mut records =
            self.conn.prepare("SELECT id, seq, record FROM records ORDER BY id").doing(&self.path, doing_records)?;
        let mut checkpoints =
            self.conn.prepare("SELECT checkpoint FROM checkpoints ORDER BY id").doing(&self.path, doing_checkpoints)?;
        let record_rows = records
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?)))
            .doing(&self.path, doing_records)?;
        let checkpoint_rows =
            checkpoints.query_map([], |row| row.get::<_, String>(0)).doing(&self.path, doing_checkpoints)?;
        let records = (0u64..).zip(record_rows).map(|(idx, row)| {
            let (id, seq_column, json) = row.doing(&self.path, doing_records)?;
            read_record(idx, id, seq_column, &json).map_err(|source| self.audit_error(source))
        });
        let checkpoints = (0u64..).zip(checkpoint_rows).map(|(idx, row)| {
            let json = row.doing(&self.path, doing_checkpoints)?;
            Checkpoint::from_json(idx, &json).map_err(|source| self.audit_error(source))
        });
        verify_stream(records, checkpoints, trusted, |source| self.audit_error(source))
    }

    fn read_records(&self, from_idx: u64) -> Result<Vec<Record>, ArchiveError> {
        let doing = "reading the audit records";
        let mut select = self
            .conn
            .prepare("SELECT id, seq, record FROM records ORDER BY id LIMIT -1 OFFSET ?1")
            .doing(&self.path, doing)?;
        let rows = select
            .query_map([sql_seq(from_idx)], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?))
            })
            .doing(&self.path, doing)?;
        (from_idx..)
            .zip(rows)
            .map(|(idx, row)| {
                let (id, seq_column, json) = row.doing(&self.path, doing)?;
                read_record(idx, id, seq_column, &json).map_err(|source| self.audit_error(source))
            })
            .collect()
    }

    fn signed(&mut self, checkpoint: &Checkpoint) {
        self.signed_through = Some(checkpoint.seq);
        self.unsigned_since_ms = Some(checkpoint.at_ms);
    }

    fn audit_error(&self, source: AuditError) -> ArchiveError {
        ArchiveError::Audit { path: self.path.clone(), source }
    }
}

/// Where a writer stands in the stored chain: after its last record (or why nothing may
/// follow it), the seq the latest checkpoint covers, and since when records are unsigned.
struct WriterState {
    tail: Result<Chain, AuditError>,
    signed_through: Option<u64>,
    unsigned_since_ms: Option<u64>,
}

impl WriterState {
    fn read(conn: &Connection, path: &Path) -> Result<WriterState, ArchiveError> {
        let ends = Ends::read(conn, path)?;
        let checkpoint = ends.checkpoint.as_deref().map(|json| Checkpoint::from_json(ends.n_checkpoints - 1, json));
        let (tail, checkpoint) = match checkpoint.transpose() {
            Ok(checkpoint) => (ends.tail(checkpoint.as_ref()), checkpoint),
            Err(error) => (Err(error), None),
        };
        let first_at_ms = ends.first.and_then(|json| Record::from_json(0, &json).ok()).map(|record| record.at_ms);
        let unsigned_since_ms = checkpoint.as_ref().map(|checkpoint| checkpoint.at_ms).or(first_at_ms);
        let signed_through = checkpoint.map(|checkpoint| checkpoint.seq);
        Ok(WriterState { tail, signed_through, unsigned_since_ms })
    }
}

/// A record row: id, seq column, JSON.
type RecordRow = (i64, i64, String);

/// What the writer needs of the stored chain: its two ends and the latest checkpoint.
struct Ends {
    n_records: u64,
    first: Option<String>,
    last: Option<RecordRow>,
    n_checkpoints: u64,
    checkpoint: Option<String>,
}

impl Ends {
    fn read(conn: &Connection, path: &Path) -> Result<Ends, ArchiveError> {
        let doing = "reading the ends of the audit chain";
        let count = |table: &str| {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            conn.query_row(&sql, [], |row| row.get::<_, i64>(0)).doing(path, doing).map(|n| n.max(0) as u64)
        };
        let text = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, String>(0)).optional().doing(path, doing);
        let last = conn
            .query_row("SELECT id, seq, record FROM records ORDER BY id DESC LIMIT 1", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
            .doing(path, doing)?;
        Ok(Ends {
            n_records: count("records")?,
            first: text("SELECT record FROM records ORDER BY id LIMIT 1")?,
            last,
            n_checkpoints: count("checkpoints")?,
            checkpoint: text("SELECT checkpoint FROM checkpoints ORDER BY id DESC LIMIT 1")?,
        })
    }

    /// The chain after the last record, which must be at seq = its position, hash to its
    /// `hash`, and not end before the latest checkpoint: cheap checks that catch a deletion,
    /// insertion or truncation anywhere and a modification of the last record.
    fn tail(&self, checkpoint: Option<&Checkpoint>) -> Result<Chain, AuditError> {
        let chain = match (&self.last, self.n_records.checked_sub(1)) {
            (Some((id, seq_column, json)), Some(idx)) => {
                let record = read_record(idx, *id, *seq_column, json)?;
                if record.seq != idx {
                    return Err(AuditError::Seq { idx, seq: record.seq });
                }
                Chain::resume(Some(&record))?
            }
            _ => Chain::new(),
        };
        let last_seq = chain.next_seq().checked_sub(1);
        match checkpoint {
            Some(checkpoint) if last_seq.is_none_or(|last| checkpoint.seq > last) => {
                Err(AuditError::Truncated { checkpoint_seq: checkpoint.seq, last_seq })
            }
            _ => Ok(chain),
        }
    }
}

/// The `idx`th stored record (row `id`); its seq column must agree with its JSON.
fn read_record(idx: u64, id: i64, seq_column: i64, json: &str) -> Result<Record, AuditError> {
    let record = Record::from_json(idx, json)?;
    if seq_column != sql_seq(record.seq) {
        let reason = format!("row {id}: the seq column says {seq_column}, the record {}", record.seq);
        return Err(AuditError::RecordUnreadable { idx, reason });
    }
    Ok(record)
}

fn insert_checkpoint(conn: &Connection, checkpoint: &Checkpoint) -> rusqlite::Result<usize> {
    let sql = "INSERT INTO checkpoints (seq, checkpoint) VALUES (?1, ?2)";
    conn.execute(sql, params![sql_seq(checkpoint.seq), checkpoint.to_json()])
}

/// A seq as SQLite's integer (seqs never come near 2^63).
fn sql_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
