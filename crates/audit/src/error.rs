//! The audit chain's one error type. Every variant names the place: the entry field, the
//! record by its position in storage order (`record 17`, from 0) and its seq, or the
//! checkpoint by the seq it covers.

use base::Digest;

/// Why an entry cannot be recorded, or why a stored chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// An entry field that must name something is empty.
    #[error("audit entry: {field} is empty")]
    EmptyField { field: &'static str },
    /// An entry field longer than `FIELD_LEN_MAX` (or the detail longer than `DETAIL_LEN_MAX`).
    #[error("audit entry: {field} is {len} bytes, more than {max}")]
    TooLong { field: &'static str, len: usize, max: usize },
    /// A detail the canonical encoding cannot carry exactly (`place` is a path such as
    /// `detail.rate` or `detail.items[2]`).
    #[error("audit entry: {place}: {reason}")]
    Detail { place: String, reason: String },
    /// A stored record that is not exactly the canonical JSON of a record.
    #[error("record {idx}: not a canonical audit record ({reason})")]
    RecordUnreadable { idx: u64, reason: String },
    /// A stored checkpoint that is not exactly the canonical JSON of a checkpoint.
    #[error("checkpoint {idx}: not a canonical checkpoint ({reason})")]
    CheckpointUnreadable { idx: u64, reason: String },
    /// The record at position `idx` does not carry seq `idx`.
    #[error("{}", seq_message(*idx, *seq))]
    Seq { idx: u64, seq: u64 },
    /// A record whose content no longer hashes to its `hash`.
    #[error("record {idx} (seq {seq}): hash does not match its content (modified)")]
    Modified { idx: u64, seq: u64 },
    /// A record whose `prev` is not the hash of the record before it (or, for the first, the
    /// genesis value).
    #[error("{}", unlinked_message(*idx, *seq))]
    Unlinked { idx: u64, seq: u64 },
    /// The writer's last record does not hash to its `hash`: nothing is appended after it.
    #[error("the last record (seq {seq}): hash does not match its content (modified); refusing to append after it")]
    TailModified { seq: u64 },
    /// Checkpoints not in increasing seq order.
    #[error("checkpoint {idx} at seq {seq}: after the checkpoint at seq {after} (checkpoints inserted or reordered)")]
    CheckpointOrder { idx: u64, seq: u64, after: u64 },
    /// A checkpoint signed by a key that is not trusted.
    #[error("checkpoint at seq {seq}: signed by {key_id}, which is not a trusted key")]
    Untrusted { seq: u64, key_id: String },
    /// A checkpoint whose signature does not verify with the trusted key it names.
    #[error("checkpoint at seq {seq}: signature by {key_id} does not verify")]
    BadSignature { seq: u64, key_id: String },
    /// A validly signed checkpoint whose record now has another hash.
    #[error(
        "checkpoint at seq {seq}: signs {signed}, the record at seq {seq} has {found} (modified after it was signed)"
    )]
    CheckpointMismatch { seq: u64, signed: Digest, found: Digest },
    /// The chain ends before the latest checkpoint.
    #[error("{}", truncated_message(*checkpoint_seq, *last_seq))]
    Truncated { checkpoint_seq: u64, last_seq: Option<u64> },
    /// Bytes that are not an Ed25519 public key.
    #[error("key {key}: not a valid Ed25519 public key")]
    BadKey { key: String },
}

fn seq_message(idx: u64, seq: u64) -> String {
    if idx == 0 {
        return format!("record 0: seq {seq}, but the chain starts at seq 0 ({seq} record(s) deleted at the start)");
    }
    let after = idx - 1;
    let what = if seq > idx {
        format!("{} record(s) deleted or reordered", seq - idx)
    } else {
        "a record inserted, repeated or reordered".to_string()
    };
    format!("record {idx}: seq {seq} after {after} ({what})")
}

fn unlinked_message(idx: u64, seq: u64) -> String {
    match idx.checked_sub(1) {
        None => format!("record 0 (seq {seq}): prev is not the genesis value (records deleted at the start)"),
        Some(before) => format!(
            "record {idx} (seq {seq}): prev does not match the hash of record {before} \
             (record {before} replaced, or records inserted or reordered)"
        ),
    }
}

fn truncated_message(checkpoint_seq: u64, last_seq: Option<u64>) -> String {
    match last_seq {
        Some(last) => {
            format!("truncated: the latest checkpoint covers seq {checkpoint_seq}, the chain ends at seq {last}")
        }
        None => format!("truncated: the latest checkpoint covers seq {checkpoint_seq}, the chain is empty"),
    }
}
