//! The provenance statement: an in-toto Statement v1 whose subject is the release and whose
//! predicate says what went in (each input with its digest), who cut it, when, and with what.
//!
//! ```json
//! {"_type":"https://in-toto.io/Statement/v1",
//!  "subject":[{"name":"release:sentinel-x","digest":{"sha256":"…"}}],
//!  "predicateType":"https://groundplane.dev/release/provenance/v1",
//!  "predicate":{"mission":"sentinel-x","model_digest":"sha256:…","cut_by":"alice","cut_at_ms":1795000000000,
//!               "signer":"platform","tool":{"name":"groundplane","version":"0.1.0"},
//!               "inputs":[{"name":"mission.toml","digest":{"sha256":"…"}},
//!                         {"name":"model-source/pcf.dat","digest":{"sha256":"…"}}, …]}}
//! ```
//! (compact, on one line, in the file.)

use base::{Digest, MissionSlug};

/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a release's provenance.
pub const PREDICATE_TYPE: &str = "https://groundplane.dev/release/provenance/v1";
/// The prefix of the names of the model's source files among the inputs.
pub const MODEL_SOURCE_PREFIX: &str = "model-source/";

/// An in-toto Statement v1 about one release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Predicate,
}

/// A named thing and its digest (in-toto's ResourceDescriptor, the fields used here).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDescriptor {
    pub name: String,
    pub digest: DigestSet,
}

/// Digests by algorithm; only SHA-256 here, in hex.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestSet {
    pub sha256: String,
}

/// What the release was cut from, by whom and when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predicate {
    pub mission: MissionSlug,
    pub model_digest: Digest,
    pub cut_by: String,
    /// Milliseconds since the Unix epoch (UTC), as the binary's clock read it.
    pub cut_at_ms: u64,
    /// `platform` or `mission:<slug>`.
    pub signer: String,
    pub tool: Tool,
    /// Sorted by name: the release's files, then the model's source files
    /// (`model-source/<file name>`).
    pub inputs: Vec<ResourceDescriptor>,
}

/// The program that cut the release.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl DigestSet {
    /// The set holding `digest`.
    pub fn of(digest: &Digest) -> DigestSet {
        DigestSet { sha256: digest.hex() }
    }
}

impl Statement {
    /// The subject name of a release of `mission`.
    pub fn subject_name(mission: &MissionSlug) -> String {
        format!("release:{mission}")
    }

    /// The statement's file bytes: compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a statement is strings and integers, which always serialize")
    }
}
