//! Reading and verifying a release's folder: every file's digest recomputed from its bytes, the
//! manifest's digest, the provenance's subject, and the signature against trusted keys. The
//! first failure is returned, naming exactly what failed.

use crate::manifest::{Manifest, ManifestError, MANIFEST, MISSION_FILE, MODEL, PROVENANCE, SIGNATURE};
use crate::mission::MissionFile;
use crate::provenance::{Statement, PREDICATE_TYPE, STATEMENT_TYPE};
use crate::signing::{PublicKey, SignatureRecord, PAYLOAD_TYPE};
use base::{Digest, MissionSlug};
use std::collections::BTreeMap;

/// A release's folder read and parsed, not yet verified: for `show`, `list` and `diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The SHA-256 of `manifest.json` as found.
    pub digest: Digest,
    pub manifest: Manifest,
    pub provenance: Statement,
    pub signature: SignatureRecord,
}

/// Why a release does not verify (or cannot be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("{path}: missing from the release")]
    Missing { path: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{path}: {reason}")]
    Malformed { path: String, reason: String },
    #[error("manifest.json: {found} on disk, the release is {expected}")]
    ReleaseDigest { expected: Digest, found: Digest },
    #[error("release of mission {found}, expected {expected}")]
    OtherMission { found: MissionSlug, expected: MissionSlug },
    #[error("{path}: {manifest} in the manifest, {disk} on disk")]
    FileDigest { path: String, manifest: Digest, disk: Digest },
    #[error("{path}: on disk but not in the manifest")]
    Unlisted { path: String },
    #[error("manifest.json: model_digest {manifest}, but model.json is {file}")]
    ModelDigest { manifest: Digest, file: Digest },
    #[error("mission.toml: names mission {found}, the manifest {manifest}")]
    MissionFileName { found: String, manifest: MissionSlug },
    #[error("provenance.json: {reason}")]
    Provenance { reason: String },
    #[error("signature.json: signs {field} {signed}, but it is {actual}")]
    Payload { field: &'static str, signed: Digest, actual: Digest },
    #[error("signature.json: signer {signer:?} cannot sign a release of {mission} (platform or mission:{mission})")]
    Signer { signer: String, mission: MissionSlug },
    #[error("no trusted key {key_id}: the release is signed by a key not among the {n_trusted} trusted")]
    UntrustedKey { key_id: String, n_trusted: usize },
    #[error("signature by key {key_id} does not verify")]
    BadSignature { key_id: String },
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub release: Release,
    /// The trusted key that made the signature.
    pub key_id: String,
}

impl Release {
    /// Parses the three records of a release's folder (path → bytes) without checking the
    /// content files, digests or signature.
    pub fn read(files: &BTreeMap<String, Vec<u8>>) -> Result<Release, VerifyError> {
        let manifest_bytes = file(files, MANIFEST)?;
        let manifest = Manifest::parse(manifest_bytes)?;
        let provenance: Statement = json(files, PROVENANCE)?;
        let signature: SignatureRecord = json(files, SIGNATURE)?;
        Ok(Release { digest: Digest::of(manifest_bytes), manifest, provenance, signature })
    }
}

fn file<'f>(files: &'f BTreeMap<String, Vec<u8>>, path: &str) -> Result<&'f [u8], VerifyError> {
    files.get(path).map(Vec::as_slice).ok_or_else(|| VerifyError::Missing { path: path.to_string() })
}

fn json<T: serde::de::DeserializeOwned>(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Result<T, VerifyError> {
    serde_json::from_slice(file(files, path)?)
        .map_err(|error| VerifyError::Malformed { path: path.to_string(), reason: error.to_string() })
}

/// Verifies a release's folder (path → bytes) against trusted keys, and optionally the digest
/// and mission it is expected to be.
pub fn verify(
    files: &BTreeMap<String, Vec<u8>>,
    trusted: &[PublicKey],
    expected_mission: Option<&MissionSlug>,
    expected_digest: Option<&Digest>,
) -> Result<Verified, VerifyError> {
    let release = Release::read(files)?;
    let manifest = &release.manifest;
    if let Some(expected) = expected_digest.filter(|expected| **expected != release.digest) {
        return Err(VerifyError::ReleaseDigest { expected: *expected, found: release.digest });
    }
    if let Some(expected) = expected_mission.filter(|expected| **expected != manifest.mission) {
        return Err(VerifyError::OtherMission { found: manifest.mission.clone(), expected: expected.clone() });
    }
    check_files(files, manifest)?;
    let signed = release.signature.payload.release;
    if signed != release.digest {
        return Err(VerifyError::Payload { field: "release", signed, actual: release.digest });
    }
    check_provenance(&release, files)?;
    let key_id = check_signature(&release, trusted)?;
    Ok(Verified { release, key_id })
}

fn check_files(files: &BTreeMap<String, Vec<u8>>, manifest: &Manifest) -> Result<(), VerifyError> {
    for entry in &manifest.files {
        let disk = Digest::of(file(files, &entry.path)?);
        if disk != entry.digest {
            return Err(VerifyError::FileDigest { path: entry.path.clone(), manifest: entry.digest, disk });
        }
    }
    let records = [MANIFEST, PROVENANCE, SIGNATURE];
    if let Some(path) = files.keys().find(|path| !records.contains(&path.as_str()) && manifest.file(path).is_none()) {
        return Err(VerifyError::Unlisted { path: path.clone() });
    }
    let model = Digest::of(file(files, MODEL)?);
    if model != manifest.model_digest {
        return Err(VerifyError::ModelDigest { manifest: manifest.model_digest, file: model });
    }
    let mission_text = std::str::from_utf8(file(files, MISSION_FILE)?)
        .map_err(|_| VerifyError::Malformed { path: MISSION_FILE.to_string(), reason: "not UTF-8 text".to_string() })?;
    let mission_file = MissionFile::parse(MISSION_FILE, mission_text)
        .map_err(|error| VerifyError::Malformed { path: MISSION_FILE.to_string(), reason: error.to_string() })?;
    if mission_file.name != manifest.mission.as_str() {
        return Err(VerifyError::MissionFileName { found: mission_file.name, manifest: manifest.mission.clone() });
    }
    Ok(())
}

fn check_provenance(release: &Release, files: &BTreeMap<String, Vec<u8>>) -> Result<(), VerifyError> {
    let statement = &release.provenance;
    let fail = |reason: String| Err(VerifyError::Provenance { reason });
    if statement.statement_type != STATEMENT_TYPE || statement.predicate_type != PREDICATE_TYPE {
        return fail(format!("_type {:?} and predicateType {:?}", statement.statement_type, statement.predicate_type));
    }
    let name = Statement::subject_name(&release.manifest.mission);
    let [subject] = statement.subject.as_slice() else {
        return fail(format!("{} subjects, expected one", statement.subject.len()));
    };
    if subject.name != name || subject.digest.sha256 != release.digest.hex() {
        let reason =
            format!("subject {} sha256:{}, expected {name} {}", subject.name, subject.digest.sha256, release.digest);
        return fail(reason);
    }
    if statement.predicate.mission != release.manifest.mission {
        return fail(format!("predicate of mission {}", statement.predicate.mission));
    }
    let provenance = Digest::of(file(files, PROVENANCE)?);
    if release.signature.payload.provenance != provenance {
        let signed = release.signature.payload.provenance;
        return Err(VerifyError::Payload { field: "provenance", signed, actual: provenance });
    }
    Ok(())
}

fn check_signature(release: &Release, trusted: &[PublicKey]) -> Result<String, VerifyError> {
    let signature = &release.signature;
    let mission = &release.manifest.mission;
    if signature.signer != "platform" && signature.signer != format!("mission:{mission}")
        || signature.signer != release.provenance.predicate.signer
    {
        return Err(VerifyError::Signer { signer: signature.signer.clone(), mission: mission.clone() });
    }
    if signature.payload_type != PAYLOAD_TYPE {
        let reason = format!("payload_type {:?}, expected {PAYLOAD_TYPE:?}", signature.payload_type);
        return Err(VerifyError::Malformed { path: SIGNATURE.to_string(), reason });
    }
    // Key ids are short: more than one trusted key may share one, and any of them may verify.
    let keys: Vec<&PublicKey> = trusted.iter().filter(|key| key.key_id() == signature.key_id).collect();
    if keys.is_empty() {
        return Err(VerifyError::UntrustedKey { key_id: signature.key_id.clone(), n_trusted: trusted.len() });
    }
    if !keys.iter().any(|key| signature.verifies_with(key)) {
        return Err(VerifyError::BadSignature { key_id: signature.key_id.clone() });
    }
    Ok(signature.key_id.clone())
}
