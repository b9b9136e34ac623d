//! Verifying a stored chain: every record in place and unmodified, every checkpoint signed
//! by a trusted key and matching its record, and nothing cut off before the latest one.
//! Streams: memory stays bounded by the checkpoints waiting for their record (normally one).

use crate::{genesis, AuditError, Checkpoint, Record, TrustedKey};
use base::Digest;
use std::collections::VecDeque;

/// What a valid chain holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records checked.
    pub records: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// The last record's seq (`None`: no records).
    pub last_seq: Option<u64>,
    /// The seq the latest checkpoint covers (`None`: none yet).
    pub last_checkpoint_seq: Option<u64>,
    /// Records after the latest checkpoint: hash-chained, not signed yet. Cutting these off
    /// cannot be told from never having written them.
    pub unverified_tail: u64,
}

/// Checks `records` and `checkpoints` (each in storage order) against the keys in `trusted`,
/// and names the first problem:
///
/// 1. record `idx` has seq `idx` (a deletion, insertion or reordering breaks this),
/// 2. its content hashes to its `hash` (a modification breaks this),
/// 3. its `prev` is the previous record's `hash` (a record replaced, hash and all),
/// 4. checkpoints come in increasing seq order, each signed by a trusted key and matching
///    its record's hash (a chain rewritten from some record on, hashes and all),
/// 5. the latest checkpoint covers no more than the chain holds (truncation).
///
/// Problems are found in seq order: a checkpoint is checked just before the record it covers.
pub fn verify(
    records: &[Record],
    checkpoints: &[Checkpoint],
    trusted: &[TrustedKey],
) -> Result<VerifyReport, AuditError> {
    let records = records.iter().cloned().map(Ok);
    verify_stream(records, checkpoints.iter().cloned().map(Ok), trusted, |error| error)
}

/// `verify` over records and checkpoints read one at a time (a store's rows), with the
/// reader's own error type: `wrap` turns an audit finding into it.
pub fn verify_stream<E>(
    records: impl IntoIterator<Item = Result<Record, E>>,
    checkpoints: impl IntoIterator<Item = Result<Checkpoint, E>>,
    trusted: &[TrustedKey],
    wrap: impl Fn(AuditError) -> E,
) -> Result<VerifyReport, E> {
    let mut verifier = Verifier::new(trusted);
    let mut checkpoints = checkpoints.into_iter().peekable();
    for record in records {
        let record = record?;
        // Every checkpoint up to this record's seq goes first (an unreadable one at once).
        while let Some(checkpoint) =
            checkpoints.next_if(|checkpoint| checkpoint.as_ref().map_or(true, |c| c.seq <= record.seq))
        {
            verifier.checkpoint(checkpoint?).map_err(&wrap)?;
        }
        verifier.record(&record).map_err(&wrap)?;
    }
    for checkpoint in checkpoints {
        verifier.checkpoint(checkpoint?).map_err(&wrap)?;
    }
    verifier.finish().map_err(wrap)
}

/// The verifier's state between records.
struct Verifier<'k> {
    trusted: &'k [TrustedKey],
    prev: Digest,
    n_records: u64,
    n_checkpoints: u64,
    latest: Option<u64>,
    /// Checkpoints whose record has not come yet, in increasing seq.
    pending: VecDeque<Checkpoint>,
}

impl<'k> Verifier<'k> {
    fn new(trusted: &'k [TrustedKey]) -> Self {
        let pending = VecDeque::new();
        Verifier { trusted, prev: genesis(), n_records: 0, n_checkpoints: 0, latest: None, pending }
    }

    /// The next checkpoint in storage order, given before the record it covers.
    fn checkpoint(&mut self, checkpoint: Checkpoint) -> Result<(), AuditError> {
        let (idx, seq) = (self.n_checkpoints, checkpoint.seq);
        if let Some(after) = self.latest.filter(|after| seq <= *after) {
            return Err(AuditError::CheckpointOrder { idx, seq, after });
        }
        // Invariant of `verify_stream`'s merge: with seqs increasing and every record so far
        // at seq = its position, a checkpoint at or below a record's seq comes before it.
        assert!(seq >= self.n_records, "checkpoint at seq {seq} given after its record");
        let key_id = &checkpoint.key_id;
        let Some(key) = self.trusted.iter().find(|key| key.key_id() == *key_id) else {
            return Err(AuditError::Untrusted { seq, key_id: key_id.clone() });
        };
        if !key.verifies(&Checkpoint::message(seq, &checkpoint.hash, checkpoint.at_ms), &checkpoint.sig) {
            return Err(AuditError::BadSignature { seq, key_id: key_id.clone() });
        }
        self.n_checkpoints += 1;
        self.latest = Some(seq);
        self.pending.push_back(checkpoint);
        Ok(())
    }

    /// The next record in storage order.
    fn record(&mut self, record: &Record) -> Result<(), AuditError> {
        let (idx, seq) = (self.n_records, record.seq);
        if seq != idx {
            return Err(AuditError::Seq { idx, seq });
        }
        if record.content_hash().ok() != Some(record.hash) {
            return Err(AuditError::Modified { idx, seq });
        }
        if record.prev != self.prev {
            return Err(AuditError::Unlinked { idx, seq });
        }
        if let Some(checkpoint) = self.pending.front().filter(|checkpoint| checkpoint.seq == seq) {
            if checkpoint.hash != record.hash {
                return Err(AuditError::CheckpointMismatch { seq, signed: checkpoint.hash, found: record.hash });
            }
            self.pending.pop_front();
        }
        self.prev = record.hash;
        self.n_records += 1;
        Ok(())
    }

    fn finish(self) -> Result<VerifyReport, AuditError> {
        let last_seq = self.n_records.checked_sub(1);
        if let (Some(checkpoint_seq), false) = (self.latest, self.pending.is_empty()) {
            return Err(AuditError::Truncated { checkpoint_seq, last_seq });
        }
        Ok(VerifyReport {
            records: self.n_records,
            checkpoints: self.n_checkpoints,
            last_seq,
            last_checkpoint_seq: self.latest,
            unverified_tail: self.n_records - self.latest.map_or(0, |seq| seq + 1),
        })
    }
}

#[cfg(test)]
mod tests;
