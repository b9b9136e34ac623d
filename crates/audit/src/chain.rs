//! Entries, records and the writer's chain state.

use crate::canonical::{self, field, write_string, GENESIS_TEXT, RECORD_TAG};
use crate::{AuditError, DETAIL_LEN_MAX, FIELD_LEN_MAX};
use base::Digest;
use serde_json::Value;
use std::fmt::Write as _;

/// How an audited action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Authorized and done.
    Allowed,
    /// Refused by authorization or a gate.
    Denied,
    /// Authorized but failed while being done.
    Failed,
}

impl Outcome {
    /// `allowed`, `denied` or `failed`: the stored and hashed word.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a caller records: who (`principal`) did what (`action`, e.g. `promote`) to what
/// (`resource`, e.g. `mission sentinel-x/ops`) at `at_ms`, how it ended, and any detail (JSON
/// with integer numbers only; see `canonical`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at_ms: u64,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub outcome: Outcome,
    pub detail: Value,
}

impl Entry {
    /// An entry without detail (`null`).
    pub fn new(
        at_ms: u64,
        principal: impl Into<String>,
        action: impl Into<String>,
        resource: impl Into<String>,
        outcome: Outcome,
    ) -> Entry {
        let (principal, action, resource) = (principal.into(), action.into(), resource.into());
        Entry { at_ms, principal, action, resource, outcome, detail: Value::Null }
    }

    /// The same entry with this detail.
    pub fn with_detail(self, detail: Value) -> Entry {
        Entry { detail, ..self }
    }
}

/// One stored audit record: an entry numbered by `seq` (from 0, no gaps) and chained to the
/// record before it by `prev`. Stored as canonical JSON (`to_json`), fields in this order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub seq: u64,
    pub at_ms: u64,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub outcome: Outcome,
    pub detail: Value,
    /// The previous record's `hash`, or `genesis()` for seq 0.
    pub prev: Digest,
    /// SHA-256 of the canonical encoding of (seq, prev, entry): see `canonical`.
    pub hash: Digest,
}

/// The `prev` of the record with seq 0: SHA-256 of `groundplane.audit/v1 genesis`.
pub fn genesis() -> Digest {
    Digest::of(GENESIS_TEXT)
}

impl Record {
    /// The entry this record holds.
    pub fn entry(&self) -> Entry {
        Entry {
            at_ms: self.at_ms,
            principal: self.principal.clone(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            outcome: self.outcome,
            detail: self.detail.clone(),
        }
    }

    /// The hash its content should have (compare with `hash`).
    pub fn content_hash(&self) -> Result<Digest, AuditError> {
        content_hash(self.seq, &self.prev, &self.entry())
    }

    /// The stored form: canonical JSON, one line.
    pub fn to_json(&self) -> Result<String, AuditError> {
        let mut out = String::with_capacity(256);
        let _ = write!(out, "{{\"seq\":{},\"at_ms\":{},\"principal\":", self.seq, self.at_ms);
        write_string(&mut out, &self.principal);
        out.push_str(",\"action\":");
        write_string(&mut out, &self.action);
        out.push_str(",\"resource\":");
        write_string(&mut out, &self.resource);
        let _ = write!(out, ",\"outcome\":\"{}\",\"detail\":", self.outcome);
        out.push_str(&canonical::detail_json(&self.detail)?);
        let _ = write!(out, ",\"prev\":\"{}\",\"hash\":\"{}\"}}", self.prev, self.hash);
        Ok(out)
    }

    /// Reads a stored record, the `idx`th in storage order: it must be exactly the canonical
    /// JSON of a record, so that no change to the stored bytes goes unnoticed.
    pub fn from_json(idx: u64, text: &str) -> Result<Record, AuditError> {
        let unreadable = |reason: String| AuditError::RecordUnreadable { idx, reason };
        let record: Record = serde_json::from_str(text).map_err(|error| unreadable(error.to_string()))?;
        let canonical = record.to_json().map_err(|error| unreadable(error.to_string()))?;
        if canonical != text {
            return Err(unreadable("not in canonical form".to_string()));
        }
        Ok(record)
    }
}

/// Checks an entry's fields against the limits (what the writer accepts; the verifier
/// recomputes hashes whatever the lengths).
fn check_limits(entry: &Entry) -> Result<(), AuditError> {
    for (name, value) in [("principal", &entry.principal), ("action", &entry.action), ("resource", &entry.resource)] {
        if value.is_empty() {
            return Err(AuditError::EmptyField { field: name });
        }
        if value.len() > FIELD_LEN_MAX {
            return Err(AuditError::TooLong { field: name, len: value.len(), max: FIELD_LEN_MAX });
        }
    }
    Ok(())
}

/// The hash of (seq, prev, entry); fails only on a detail canonical JSON cannot carry.
fn content_hash(seq: u64, prev: &Digest, entry: &Entry) -> Result<Digest, AuditError> {
    let detail = canonical::detail_json(&entry.detail)?;
    let mut bytes = Vec::with_capacity(RECORD_TAG.len() + 64 + entry.principal.len() + detail.len() + 64);
    bytes.extend_from_slice(RECORD_TAG);
    bytes.extend_from_slice(&seq.to_be_bytes());
    bytes.extend_from_slice(prev.as_bytes());
    bytes.extend_from_slice(&entry.at_ms.to_be_bytes());
    field(&mut bytes, entry.principal.as_bytes());
    field(&mut bytes, entry.action.as_bytes());
    field(&mut bytes, entry.resource.as_bytes());
    field(&mut bytes, entry.outcome.as_str().as_bytes());
    field(&mut bytes, detail.as_bytes());
    Ok(Digest::of(&bytes))
}

/// The writer's state: the next seq and the last record's hash. `Copy`, so a store can
/// append on a copy and keep it only once the record is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chain {
    next_seq: u64,
    last_hash: Digest,
}

impl Default for Chain {
    fn default() -> Self {
        Chain { next_seq: 0, last_hash: genesis() }
    }
}

impl Chain {
    /// An empty chain: the next record is seq 0, chained to `genesis()`.
    pub fn new() -> Chain {
        Chain::default()
    }

    /// The chain after its last stored record (`None`: empty). The record must hash to its
    /// `hash`: nothing is chained to a record that was modified.
    pub fn resume(last: Option<&Record>) -> Result<Chain, AuditError> {
        let Some(last) = last else {
            return Ok(Chain::new());
        };
        if last.content_hash().ok() != Some(last.hash) {
            return Err(AuditError::TailModified { seq: last.seq });
        }
        let next_seq = last.seq.checked_add(1).ok_or(AuditError::TailModified { seq: last.seq })?;
        Ok(Chain { next_seq, last_hash: last.hash })
    }

    /// The seq the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The last record's hash (`genesis()` when empty).
    pub fn last_hash(&self) -> Digest {
        self.last_hash
    }

    /// Numbers and chains `entry`, or says why it cannot be recorded (an empty or too long
    /// field, a detail with a fraction or nested too deep). Only a successful call advances.
    pub fn append(&mut self, entry: &Entry) -> Result<Record, AuditError> {
        check_limits(entry)?;
        let detail_len = canonical::detail_json(&entry.detail)?.len();
        if detail_len > DETAIL_LEN_MAX {
            return Err(AuditError::TooLong { field: "detail", len: detail_len, max: DETAIL_LEN_MAX });
        }
        let hash = content_hash(self.next_seq, &self.last_hash, entry)?;
        let record = Record {
            seq: self.next_seq,
            at_ms: entry.at_ms,
            principal: entry.principal.clone(),
            action: entry.action.clone(),
            resource: entry.resource.clone(),
            outcome: entry.outcome,
            detail: entry.detail.clone(),
            prev: self.last_hash,
            hash,
        };
        self.next_seq += 1;
        self.last_hash = hash;
        Ok(record)
    }
}

#[cfg(test)]
mod tests;
