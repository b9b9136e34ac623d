//! Checkpoints: the platform key's signature over the hash of the record at a seq, so that a
//! chain rewritten from some record on, or cut short, no longer matches.

use crate::canonical::{unhex, write_string, CHECKPOINT_TAG};
use crate::{AuditError, CheckpointSigner, Record};
use base::Digest;
use std::fmt::Write as _;

/// A checkpoint is due once this many records are unsigned...
pub const CHECKPOINT_RECORDS: u64 = 1000;

/// ...or once the oldest unsigned record waited this long (checked when appending).
pub const CHECKPOINT_INTERVAL_MS: u64 = 60_000;

/// Whether the writer signs a checkpoint now: `records_since_last` records (counting the one
/// being appended) are not covered by a checkpoint, and `ms_since_last` passed since the last
/// checkpoint (or since the first unsigned record).
pub fn checkpoint_due(records_since_last: u64, ms_since_last: u64) -> bool {
    records_since_last >= CHECKPOINT_RECORDS || (records_since_last > 0 && ms_since_last >= CHECKPOINT_INTERVAL_MS)
}

/// The signed statement "the record at `seq` has hash `hash`", made at `at_ms` by `key_id`.
/// Stored as canonical JSON (`to_json`), fields in this order, `sig` in lower-case hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: Digest,
    pub at_ms: u64,
    pub key_id: String,
    /// Ed25519 over `message(seq, hash, at_ms)`.
    pub sig: [u8; 64],
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredCheckpoint {
    seq: u64,
    hash: Digest,
    at_ms: u64,
    key_id: String,
    sig: String,
}

impl Checkpoint {
    /// Signs `record`'s hash at `at_ms`.
    pub fn sign(record: &Record, at_ms: u64, signer: &dyn CheckpointSigner) -> Checkpoint {
        Checkpoint::sign_at(record.seq, record.hash, at_ms, signer)
    }

    /// Signs "the record at `seq` has `hash`" at `at_ms` (a writer's `Chain` knows both).
    pub fn sign_at(seq: u64, hash: Digest, at_ms: u64, signer: &dyn CheckpointSigner) -> Checkpoint {
        let sig = signer.sign(&Checkpoint::message(seq, &hash, at_ms));
        Checkpoint { seq, hash, at_ms, key_id: signer.key_id(), sig }
    }

    /// The signed bytes: the domain tag, seq and `at_ms` (u64 big-endian) and the hash.
    pub fn message(seq: u64, hash: &Digest, at_ms: u64) -> Vec<u8> {
        let mut message = Vec::with_capacity(CHECKPOINT_TAG.len() + 48);
        message.extend_from_slice(CHECKPOINT_TAG);
        message.extend_from_slice(&seq.to_be_bytes());
        message.extend_from_slice(hash.as_bytes());
        message.extend_from_slice(&at_ms.to_be_bytes());
        message
    }

    /// The stored form: canonical JSON, one line.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        let _ = write!(out, "{{\"seq\":{},\"hash\":\"{}\",\"at_ms\":{},\"key_id\":", self.seq, self.hash, self.at_ms);
        write_string(&mut out, &self.key_id);
        let _ = write!(out, ",\"sig\":\"{}\"}}", base::hex(&self.sig));
        out
    }

    /// Reads a stored checkpoint, the `idx`th in storage order; it must be exactly canonical.
    pub fn from_json(idx: u64, text: &str) -> Result<Checkpoint, AuditError> {
        let unreadable = |reason: String| AuditError::CheckpointUnreadable { idx, reason };
        let stored: StoredCheckpoint = serde_json::from_str(text).map_err(|error| unreadable(error.to_string()))?;
        let sig =
            unhex::<64>(&stored.sig).ok_or_else(|| unreadable("sig: expected 128 lower-case hex digits".into()))?;
        let checkpoint =
            Checkpoint { seq: stored.seq, hash: stored.hash, at_ms: stored.at_ms, key_id: stored.key_id, sig };
        if checkpoint.to_json() != text {
            return Err(unreadable("not in canonical form".to_string()));
        }
        Ok(checkpoint)
    }
}
