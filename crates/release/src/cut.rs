//! Cutting a release: from the inputs the binary read (mission file, the model's canonical
//! JSON, procedure files, who and when) to the bundle's files, digest and signature.

use crate::manifest::{self, Manifest, MISSION_FILE, MODEL, POLICIES, PROCEDURES_DIR};
use crate::mission::{MissionFile, MissionFileError};
use crate::provenance::{DigestSet, Predicate, ResourceDescriptor, Statement, Tool, MODEL_SOURCE_PREFIX};
use crate::signing::{signer_text, SecretKey, SignatureRecord, SignedPayload, SignerKind};
use base::{Digest, MissionSlug};
use std::collections::BTreeMap;

/// Longest principal name accepted as `cut_by`.
pub const CUT_BY_LEN_MAX: usize = 100;

/// What a release is cut from: bytes the binary read, and who cuts it when.
#[derive(Clone, Debug)]
pub struct CutInputs<'a> {
    /// How to name the mission file in errors (its path as the user gave it).
    pub mission_file_name: &'a str,
    pub mission_file: &'a [u8],
    /// The model's canonical JSON (`MissionModel::canonical_json`).
    pub model_json: &'a [u8],
    /// The model's source files (file name, digest), for the provenance.
    pub model_sources: &'a [(String, Digest)],
    /// Procedure files: file name (`ping.toml`) → bytes.
    pub procedures: &'a BTreeMap<String, Vec<u8>>,
    /// The mission's own Cedar policies (checked by the caller against the schema).
    pub policies: Option<&'a [u8]>,
    pub cut_by: &'a str,
    pub cut_at_ms: u64,
    /// The version of the program cutting it.
    pub tool_version: &'a str,
}

/// A cut release: every file of its folder (path → bytes), its digest and mission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub digest: Digest,
    pub mission: MissionSlug,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Why a release cannot be cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CutError {
    #[error("{file}: not UTF-8 text")]
    NotText { file: String },
    #[error(transparent)]
    MissionFile(#[from] MissionFileError),
    #[error("model.json: not the canonical JSON of a mission model: {reason}")]
    Model { reason: String },
    #[error("procedures/{name}: not a procedure file name (letters, digits, '.', '_', '-', ending in .toml)")]
    ProcedureName { name: String },
    #[error("{count} procedures, at most {max} go in a release")]
    TooManyProcedures { count: usize, max: usize },
    #[error("model source {name:?}: not a file name")]
    ModelSourceName { name: String },
    #[error("cut by {name:?}: 1 to {CUT_BY_LEN_MAX} printable characters")]
    CutBy { name: String },
}

/// Cuts and signs a release. The same inputs (whatever the order they came in) give the same
/// digest; who and when go in the provenance, not in the digest.
pub fn cut(inputs: &CutInputs<'_>, key: &SecretKey, signer: SignerKind) -> Result<Bundle, CutError> {
    let mission_text = std::str::from_utf8(inputs.mission_file)
        .map_err(|_| CutError::NotText { file: inputs.mission_file_name.to_string() })?;
    let mission_file = MissionFile::parse(inputs.mission_file_name, mission_text)?;
    let mission = mission_file.slug().map_err(|error| MissionFileError::Invalid {
        file: inputs.mission_file_name.to_string(),
        place: "name".to_string(),
        reason: error.to_string(),
    })?;
    let model_digest = check_model(inputs.model_json)?;
    check_names(inputs)?;

    let mut files = BTreeMap::new();
    files.insert(MISSION_FILE.to_string(), inputs.mission_file.to_vec());
    files.insert(MODEL.to_string(), inputs.model_json.to_vec());
    for (name, bytes) in inputs.procedures {
        files.insert(format!("{PROCEDURES_DIR}{name}"), bytes.clone());
    }
    if let Some(policies) = inputs.policies {
        std::str::from_utf8(policies).map_err(|_| CutError::NotText { file: POLICIES.to_string() })?;
        files.insert(POLICIES.to_string(), policies.to_vec());
    }
    let manifest = Manifest::new(mission.clone(), model_digest, &files);
    let manifest_json = manifest.canonical_json();
    let digest = Digest::of(&manifest_json);
    let signer = signer_text(signer, &mission);
    let statement = provenance(inputs, &manifest, &digest, &signer);
    let provenance_json = statement.to_json();
    let payload = SignedPayload { provenance: Digest::of(&provenance_json), release: digest };
    let signature = SignatureRecord::sign(key, signer, payload);

    files.insert(manifest::MANIFEST.to_string(), manifest_json);
    files.insert(manifest::PROVENANCE.to_string(), provenance_json);
    files.insert(manifest::SIGNATURE.to_string(), signature.to_json());
    Ok(Bundle { digest, mission, files })
}

fn check_model(model_json: &[u8]) -> Result<Digest, CutError> {
    let model = model::MissionModel::from_canonical_json(model_json)
        .map_err(|error| CutError::Model { reason: error.to_string() })?;
    let canonical = model.canonical_json().map_err(|error| CutError::Model { reason: error.to_string() })?;
    if canonical != model_json {
        return Err(CutError::Model { reason: "the bytes differ from the model's canonical form".to_string() });
    }
    Ok(Digest::of(model_json))
}

fn check_names(inputs: &CutInputs<'_>) -> Result<(), CutError> {
    if inputs.procedures.len() > manifest::PROCEDURES_MAX {
        return Err(CutError::TooManyProcedures { count: inputs.procedures.len(), max: manifest::PROCEDURES_MAX });
    }
    if let Some(name) = inputs.procedures.keys().find(|name| !manifest::is_procedure_name(name)) {
        return Err(CutError::ProcedureName { name: name.clone() });
    }
    let bad_source =
        |name: &String| name.is_empty() || name.contains(['/', '\\']) || name.chars().any(char::is_control);
    if let Some((name, _)) = inputs.model_sources.iter().find(|(name, _)| bad_source(name)) {
        return Err(CutError::ModelSourceName { name: name.clone() });
    }
    let cut_by = inputs.cut_by;
    if cut_by.trim().is_empty() || cut_by.len() > CUT_BY_LEN_MAX || cut_by.chars().any(char::is_control) {
        return Err(CutError::CutBy { name: cut_by.to_string() });
    }
    Ok(())
}

fn provenance(inputs: &CutInputs<'_>, manifest: &Manifest, digest: &Digest, signer: &str) -> Statement {
    let mut descriptors: Vec<ResourceDescriptor> = manifest
        .files
        .iter()
        .map(|entry| ResourceDescriptor { name: entry.path.clone(), digest: DigestSet::of(&entry.digest) })
        .collect();
    descriptors.extend(inputs.model_sources.iter().map(|(name, digest)| ResourceDescriptor {
        name: format!("{MODEL_SOURCE_PREFIX}{name}"),
        digest: DigestSet::of(digest),
    }));
    descriptors.sort_by(|a, b| (&a.name, &a.digest.sha256).cmp(&(&b.name, &b.digest.sha256)));
    descriptors.dedup();
    Statement {
        statement_type: crate::provenance::STATEMENT_TYPE.to_string(),
        subject: vec![ResourceDescriptor {
            name: Statement::subject_name(&manifest.mission),
            digest: DigestSet::of(digest),
        }],
        predicate_type: crate::provenance::PREDICATE_TYPE.to_string(),
        predicate: Predicate {
            mission: manifest.mission.clone(),
            model_digest: manifest.model_digest,
            cut_by: inputs.cut_by.to_string(),
            cut_at_ms: inputs.cut_at_ms,
            signer: signer.to_string(),
            tool: Tool { name: "groundplane".to_string(), version: inputs.tool_version.to_string() },
            inputs: descriptors,
        },
    }
}
