//! The manifest: what a release holds, one entry per file with its SHA-256 and size. Its
//! canonical bytes (compact JSON, keys in alphabetical order, entries sorted by path) are
//! what the release digest is taken over.
//!
//! ```json
//! {"files":[{"digest":"sha256:…","path":"mission.toml","size":412},
//!           {"digest":"sha256:…","path":"model.json","size":90211},
//!           {"digest":"sha256:…","path":"procedures/ping.toml","size":230}],
//!  "mission":"sentinel-x","model_digest":"sha256:…","schema":"groundplane.release.manifest/v1"}
//! ```
//! (one line in the file.)

use base::{Digest, MissionSlug};
use std::collections::BTreeMap;

/// The manifest's file name in a release.
pub const MANIFEST: &str = "manifest.json";
/// The provenance statement's file name.
pub const PROVENANCE: &str = "provenance.json";
/// The signature record's file name.
pub const SIGNATURE: &str = "signature.json";
/// The mission file's name in a release.
pub const MISSION_FILE: &str = "mission.toml";
/// The model's canonical JSON's name in a release.
pub const MODEL: &str = "model.json";
/// The folder procedures are kept in, with its slash.
pub const PROCEDURES_DIR: &str = "procedures/";
/// The mission's own Cedar policies, when the mission file names some.
pub const POLICIES: &str = "policies.cedar";
/// The manifest format this crate writes and reads.
pub const MANIFEST_SCHEMA: &str = "groundplane.release.manifest/v1";
/// Most procedures a release carries.
pub const PROCEDURES_MAX: usize = 1000;
/// Longest procedure file name.
pub const PROCEDURE_NAME_LEN_MAX: usize = 100;

/// The manifest of a release. Fields are declared in alphabetical order: serde writes them so,
/// which keeps the JSON's keys sorted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Invariant: sorted by path, no path twice.
    pub files: Vec<FileEntry>,
    pub mission: MissionSlug,
    /// The model's digest: the SHA-256 of `model.json`.
    pub model_digest: Digest,
    pub schema: String,
}

/// One file of a release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub digest: Digest,
    pub path: String,
    pub size: u64,
}

/// Why a manifest cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("manifest.json: {reason}")]
    Malformed { reason: String },
    #[error("manifest.json: not in canonical form (compact JSON, sorted keys and entries)")]
    NotCanonical,
}

impl Manifest {
    /// The manifest of `files` (path → bytes; a `BTreeMap`, so any order in gives one order out).
    pub fn new(mission: MissionSlug, model_digest: Digest, files: &BTreeMap<String, Vec<u8>>) -> Manifest {
        let files = files
            .iter()
            .map(|(path, bytes)| FileEntry { digest: Digest::of(bytes), path: path.clone(), size: bytes.len() as u64 })
            .collect();
        Manifest { files, mission, model_digest, schema: MANIFEST_SCHEMA.to_string() }
    }

    /// The canonical bytes: compact JSON, keys and entries sorted.
    pub fn canonical_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a manifest is strings and integers, which always serialize")
    }

    /// The release digest: SHA-256 of the canonical bytes.
    pub fn digest(&self) -> Digest {
        Digest::of(&self.canonical_json())
    }

    /// Reads a manifest, refusing any that is not in canonical form (so one content has one
    /// digest).
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Malformed { reason: e.to_string() })?;
        if manifest.schema != MANIFEST_SCHEMA {
            let reason = format!("schema {:?}, expected {MANIFEST_SCHEMA:?}", manifest.schema);
            return Err(ManifestError::Malformed { reason });
        }
        if let Some(pair) = manifest.files.windows(2).find(|pair| pair[0].path >= pair[1].path) {
            let reason = format!("files not sorted or listed twice at {:?}", pair[1].path);
            return Err(ManifestError::Malformed { reason });
        }
        if manifest.canonical_json() != bytes {
            return Err(ManifestError::NotCanonical);
        }
        Ok(manifest)
    }

    /// The entry of `path`, if listed.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|entry| entry.path == path)
    }
}

/// Whether `name` may name a procedure file: 1 to 100 letters, digits, `.`, `_` or `-`, not
/// starting with `.`, ending in `.toml` (no folders, so it can never leave `procedures/`).
pub fn is_procedure_name(name: &str) -> bool {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    name.len() <= PROCEDURE_NAME_LEN_MAX
        && name.len() > ".toml".len()
        && name.ends_with(".toml")
        && !name.starts_with('.')
        && name.chars().all(valid_char)
}
