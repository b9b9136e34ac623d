//! Releases on the platform's side: the platform key, cutting a release from what a client
//! sent, importing a release cut elsewhere, and reading one back from the store — verified
//! every time, so a release changed on disk is never deployed.

use super::Controller;
use crate::release_cmd::store::{self, Written};
use anyhow::Context;
use api::wire::{ReleaseBundle, ReleaseSource};
use api::BackendError;
use base::{Digest, MissionSlug};
use release::{Bundle, CutInputs, MissionFile, SecretKey, SignerKind, Verified};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The platform key's file in the control folder.
const KEY_FILE: &str = "platform.key";

/// The platform's signing key: read from `<control>/platform.key`, or made there (mode 0600)
/// on first start. Issue 7's vault will keep it instead.
pub fn platform_key(control: &Path) -> anyhow::Result<SecretKey> {
    let path = control.join(KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        return Ok(SecretKey::from_text(&path.display().to_string(), &text)?);
    }
    std::fs::create_dir_all(control).with_context(|| format!("{}: cannot create", control.display()))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| anyhow::anyhow!("no randomness from the system: {error}"))?;
    let key = SecretKey::from_seed(seed);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).with_context(|| format!("{}: cannot create", path.display()))?;
    file.write_all(key.to_text().as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tracing::info!(key_id = %key.public().key_id(), "made the platform key");
    Ok(key)
}

fn bad(field: &str, reason: impl ToString) -> BackendError {
    BackendError::BadRequest { field: field.to_string(), reason: reason.to_string() }
}

fn internal(error: anyhow::Error) -> BackendError {
    BackendError::Internal(format!("{error:#}"))
}

impl Controller {
    /// Cuts and signs a release (platform key) from a client's source; the caller stores it
    /// (`store`) once the request is decided, so a refused request leaves nothing behind.
    pub(super) fn cut(&self, source: &ReleaseSource, by: &str) -> Result<Bundle, BackendError> {
        let mut model_sources = Vec::new();
        for (name, digest) in &source.model_sources {
            let digest: Digest = digest.parse().map_err(|e| bad(&format!("model_sources.{name}"), e))?;
            model_sources.push((name.clone(), digest));
        }
        let procedures: BTreeMap<String, Vec<u8>> =
            source.procedures.iter().map(|(name, text)| (name.clone(), text.as_bytes().to_vec())).collect();
        for (name, text) in &source.procedures {
            if let Err(error) = procedure::Procedure::parse(text) {
                let first = error.problems.first().map(ToString::to_string).unwrap_or_default();
                return Err(bad(&format!("procedures.{name}"), first));
            }
        }
        if let Some(text) = &source.policies {
            let mission = MissionFile::parse("mission_file", &source.mission_file)
                .and_then(|file| {
                    file.slug().map_err(|e| release::MissionFileError::Invalid {
                        file: "mission_file".into(),
                        place: "name".into(),
                        reason: e.to_string(),
                    })
                })
                .map_err(|error| bad("mission_file", error))?;
            crate::authz::check_mission_policies(&mission, text).map_err(|problems| bad("policies", problems))?;
        }
        let inputs = CutInputs {
            mission_file_name: "mission_file",
            mission_file: source.mission_file.as_bytes(),
            model_json: source.model_json.as_bytes(),
            model_sources: &model_sources,
            procedures: &procedures,
            policies: source.policies.as_deref().map(str::as_bytes),
            cut_by: by,
            cut_at_ms: self.now_ms(),
            tool_version: env!("CARGO_PKG_VERSION"),
        };
        let bundle = release::cut(&inputs, &self.key, SignerKind::Platform).map_err(|error| {
            let field = match &error {
                release::CutError::Model { .. } => "model_json",
                release::CutError::ProcedureName { .. } | release::CutError::TooManyProcedures { .. } => "procedures",
                release::CutError::ModelSourceName { .. } => "model_sources",
                _ => "mission_file",
            };
            bad(field, error)
        })?;
        Ok(bundle)
    }

    /// Verifies a release cut elsewhere (digests, a trusted signature, its mission); the caller
    /// stores it once registered. A tampered or foreign bundle is a conflict naming what failed.
    pub(super) fn import(&self, mission: &MissionSlug, bundle: &ReleaseBundle) -> Result<Bundle, BackendError> {
        let files: BTreeMap<String, Vec<u8>> =
            bundle.files.iter().map(|(path, text)| (path.clone(), text.as_bytes().to_vec())).collect();
        let verified = release::verify(&files, &self.trusted, Some(mission), None)
            .map_err(|error| BackendError::Conflict { reason: format!("release refused: {error}") })?;
        if let Some(policies) = files.get(release::manifest::POLICIES) {
            let text = String::from_utf8_lossy(policies);
            crate::authz::check_mission_policies(mission, &text).map_err(|problems| BackendError::Conflict {
                reason: format!("release refused: {}: {problems}", release::manifest::POLICIES),
            })?;
        }
        Ok(Bundle { digest: verified.release.digest, mission: mission.clone(), files })
    }

    /// Writes a release into the store (atomically; the same release again is a no-op).
    pub(super) fn store(&self, bundle: &Bundle) -> Result<(), BackendError> {
        match store::write(&self.dirs.releases, bundle).map_err(internal)? {
            Written::Created(dir) | Written::Exists(dir) => {
                tracing::info!(release = %bundle.digest, dir = %dir.display(), "release stored");
                Ok(())
            }
        }
    }

    /// A stored release's files, verified against the trusted keys as the mission's and that
    /// digest; a release changed on disk is a conflict naming what changed.
    pub(super) fn load(
        &self,
        mission: &MissionSlug,
        digest: &Digest,
    ) -> Result<(BTreeMap<String, Vec<u8>>, Verified), BackendError> {
        let dir = self.dirs.releases.join(mission.as_str()).join(digest.hex());
        if !dir.is_dir() {
            return Err(BackendError::NotFound { what: "release", name: digest.to_string() });
        }
        let files = store::read(&dir).map_err(internal)?;
        let verified = release::verify(&files, &self.trusted, Some(mission), Some(digest))
            .map_err(|error| BackendError::Conflict { reason: format!("release {digest} does not verify: {error}") })?;
        Ok((files, verified))
    }

    /// The registered release of the mission a client named by digest or unique hex prefix.
    pub(super) fn resolve(&self, mission: &MissionSlug, text: &str, field: &str) -> Result<Digest, BackendError> {
        let Some(prefix) = store::digest_prefix(text) else {
            let min = store::PREFIX_LEN_MIN;
            return Err(bad(
                field,
                format!("{text:?}: expected sha256:<hex>, or at least {min} of its first hex digits"),
            ));
        };
        let state = self.state();
        let mission_state = state
            .missions
            .get(mission)
            .ok_or_else(|| BackendError::NotFound { what: "mission", name: mission.to_string() })?;
        let found: Vec<Digest> = mission_state
            .releases
            .iter()
            .map(|release| release.digest)
            .filter(|digest| digest.hex().starts_with(&prefix))
            .collect();
        match found.as_slice() {
            [digest] => Ok(*digest),
            [] => Err(BackendError::NotFound { what: "release", name: text.to_string() }),
            _ => {
                Err(bad(field, format!("{} releases of {mission} start with {prefix}: give more digits", found.len())))
            }
        }
    }
}

/// A release's mission file, from its files.
pub(super) fn mission_file(files: &BTreeMap<String, Vec<u8>>) -> Result<release::MissionFile, String> {
    let text = files
        .get(release::manifest::MISSION_FILE)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .ok_or_else(|| "mission.toml is missing or not text".to_string())?;
    release::MissionFile::parse(release::manifest::MISSION_FILE, text).map_err(|error| error.to_string())
}
