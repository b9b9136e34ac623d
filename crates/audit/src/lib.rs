//! The tamper-evident audit chain, without I/O (issue 7): records hash-chained to the
//! previous one, periodic checkpoints signed with the platform key, and a verifier that finds
//! any modification, deletion, insertion, reordering or truncation and says where.
//!
//! A caller gives an `Entry` (who did what to what, when, with which outcome); `Chain` numbers
//! it from 0 and links it to the previous record's hash, giving a `Record`. Every so often
//! (`checkpoint_due`) the writer signs the latest record's hash in a `Checkpoint`, so that a
//! rewritten or shortened chain no longer matches what the platform key signed. `verify`
//! checks a whole stored chain and its checkpoints and names the first problem.
//!
//! The hashed and signed bytes are defined in `canonical`; the stored form of records and
//! checkpoints is canonical JSON produced by this crate's own writer, and reading one back
//! insists on that exact form, so even a change that means the same (an upper-case hex digit)
//! is refused.
//!
//! This crate must never do I/O, read the clock or the environment, or draw randomness: time
//! and keys come in as arguments. The store lives in `archive::AuditStore`.

mod canonical;
mod chain;
mod checkpoint;
mod error;
mod keys;
mod verify;

pub use chain::{genesis, Chain, Entry, Outcome, Record};
pub use checkpoint::{checkpoint_due, Checkpoint, CHECKPOINT_INTERVAL_MS, CHECKPOINT_RECORDS};
pub use error::AuditError;
pub use keys::{key_id, CheckpointSigner, KeySigner, TrustedKey};
pub use verify::{verify, verify_stream, VerifyReport};

/// Longest principal, action, resource, in bytes.
pub const FIELD_LEN_MAX: usize = 1024;

/// Longest detail, in bytes of its canonical JSON.
pub const DETAIL_LEN_MAX: usize = 64 * 1024;

/// Deepest nesting of arrays and objects in a detail (well below what a JSON reader accepts,
/// so every stored record reads back).
pub const DETAIL_DEPTH_MAX: usize = 32;
