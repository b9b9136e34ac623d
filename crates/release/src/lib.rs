//! Releases, without I/O: immutable bundles of a mission's model, deployment configuration and
//! test procedures, addressed by the SHA-256 digest of their canonical manifest, signed with
//! Ed25519, with an in-toto style provenance statement; verified and diffed.
//!
//! A release is a folder of files: `manifest.json` (every other content file with its
//! SHA-256 and size; the release digest is the SHA-256 of these exact bytes),
//! `provenance.json` (an in-toto Statement v1), `signature.json` (Ed25519 over a DSSE
//! pre-authentication encoding of the release and provenance digests, see [`signing`]),
//! `mission.toml` (the [`mission`] file), `model.json` (the model's canonical JSON) and
//! `procedures/*.toml`.
//!
//! This crate never reads files, the clock, the environment or a random source: the binary
//! reads the inputs, gives the time and the key seed, and writes the bundle's files.

mod cut;
pub mod diff;
pub mod manifest;
pub mod mission;
pub mod provenance;
pub mod signing;
mod verify;

pub use cut::{cut, Bundle, CutError, CutInputs, CUT_BY_LEN_MAX};
pub use diff::{diff, DiffError, LineChange, ProcedureChange, ReleaseDiff};
pub use manifest::{FileEntry, Manifest, ManifestError};
pub use mission::{MissionFile, MissionFileError};
pub use provenance::Statement;
pub use signing::{KeyError, PublicKey, SecretKey, SignatureRecord, SignerKind};
pub use verify::{verify, Release, Verified, VerifyError};

#[cfg(test)]
mod tests;
