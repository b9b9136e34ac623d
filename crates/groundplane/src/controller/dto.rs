//! The control plane's state in the API's words.

use super::{lock, Controller};
use api::wire::{
    ApprovalDto, AttestationDto, BlackoutDto, EnvControl, MissionDetail, MissionSummary, PromotionRecord,
    ReleaseDetail, ReleaseSummary,
};
use api::BackendError;
use base::{Digest, Env, MissionSlug, Scope};
use control::{Lifecycle, MissionState, ReleaseState};
use pipeline::{Approval, Attestation};
use release::Release;
use std::collections::BTreeMap;

pub fn attestation(a: &Attestation) -> AttestationDto {
    AttestationDto {
        release: a.release.to_string(),
        env: a.env.to_string(),
        gate: a.gate.as_str().to_string(),
        passed: a.passed,
        detail: a.detail.clone(),
        by: a.by.clone(),
        at_ms: a.at_ms,
    }
}

pub fn approval(a: &Approval) -> ApprovalDto {
    ApprovalDto {
        release: a.release.to_string(),
        env: a.env.to_string(),
        principal: a.principal.clone(),
        role: a.role.clone(),
        at_ms: a.at_ms,
    }
}

fn summary(registered: &ReleaseState, release: &Release) -> ReleaseSummary {
    let predicate = &release.provenance.predicate;
    let procedures = release
        .manifest
        .files
        .iter()
        .filter_map(|file| file.path.strip_prefix(release::manifest::PROCEDURES_DIR))
        .map(str::to_string)
        .collect();
    ReleaseSummary {
        digest: registered.digest.to_string(),
        mission: release.manifest.mission.to_string(),
        model_digest: release.manifest.model_digest.to_string(),
        cut_by: predicate.cut_by.clone(),
        cut_at_ms: predicate.cut_at_ms,
        signer: release.signature.signer.clone(),
        key_id: release.signature.key_id.clone(),
        procedures,
        registered_by: registered.by.clone(),
        registered_ms: registered.at_ms,
    }
}

fn not_found(what: &'static str, name: impl ToString) -> BackendError {
    BackendError::NotFound { what, name: name.to_string() }
}

impl Controller {
    /// A mission that exists (not deleted), from a snapshot of the state.
    pub(super) fn mission_state(&self, mission: &MissionSlug) -> Result<MissionState, BackendError> {
        match self.state().missions.get(mission) {
            Some(state) if !matches!(state.lifecycle, Lifecycle::Deleted { .. }) => Ok(state.clone()),
            _ => Err(not_found("mission", mission)),
        }
    }

    /// A registered release's files as stored, read without verifying (for showing it: a
    /// release is verified whenever it is deployed or diffed).
    fn read_release(
        &self,
        mission: &MissionSlug,
        digest: &Digest,
    ) -> Result<(BTreeMap<String, Vec<u8>>, Release), BackendError> {
        let dir = self.dirs.releases.join(mission.as_str()).join(digest.hex());
        let files = crate::release_cmd::store::read(&dir)
            .map_err(|error| BackendError::Internal(format!("release {digest}: {error:#}")))?;
        let release = Release::read(&files)
            .map_err(|error| BackendError::Conflict { reason: format!("release {digest} is unreadable: {error}") })?;
        Ok((files, release))
    }

    pub(super) fn release_summaries(&self, mission: &MissionSlug) -> Result<Vec<ReleaseSummary>, BackendError> {
        let state = self.mission_state(mission)?;
        let mut out = Vec::new();
        for registered in &state.releases {
            let (_, release) = self.read_release(mission, &registered.digest)?;
            out.push(summary(registered, &release));
        }
        Ok(out)
    }

    pub(super) fn release_detail(&self, mission: &MissionSlug, digest: &Digest) -> Result<ReleaseDetail, BackendError> {
        let state = self.mission_state(mission)?;
        let registered =
            state.releases.iter().find(|r| r.digest == *digest).ok_or_else(|| not_found("release", digest))?;
        let (files, release) = self.read_release(mission, digest)?;
        let provenance = files
            .get(release::manifest::PROVENANCE)
            .and_then(|bytes| serde_json::from_slice(bytes).ok())
            .unwrap_or(serde_json::Value::Null);
        Ok(ReleaseDetail {
            release: summary(registered, &release),
            provenance,
            files: files.iter().map(|(path, bytes)| (path.clone(), Digest::of(bytes).to_string())).collect(),
            attestations: state.attestations.iter().filter(|a| a.release == *digest).map(attestation).collect(),
            approvals: state.approvals.iter().filter(|a| a.release == *digest).map(approval).collect(),
        })
    }

    pub(super) fn env_control(&self, mission: &MissionSlug, state: &MissionState, env: Env) -> EnvControl {
        let scope = Scope { mission: mission.clone(), env };
        let status = state.envs.get(&env).cloned().unwrap_or_default();
        let running = self.running_release(mission, env);
        let error = lock(&self.failures).get(&scope).cloned();
        let desired = status.desired.as_ref().map(|(digest, ..)| *digest);
        let deployment = if status.paused {
            "paused"
        } else if running.is_some() {
            "running"
        } else if error.is_some() {
            "failed"
        } else {
            "stopped"
        };
        let active = state.lifecycle == Lifecycle::Active && !status.paused;
        EnvControl {
            env: env.to_string(),
            desired: desired.map(|digest| digest.to_string()),
            running: running.map(|digest| digest.to_string()),
            deployment: deployment.to_string(),
            drift: active && desired.is_some() && desired != running,
            error,
            history: status
                .history
                .iter()
                .map(|(release, by, at_ms, rollback)| PromotionRecord {
                    release: release.to_string(),
                    by: by.clone(),
                    at_ms: *at_ms,
                    rollback: *rollback,
                })
                .collect(),
            blackouts: state
                .blackouts
                .iter()
                .filter(|blackout| blackout.env == env)
                .map(|b| BlackoutDto { from_ms: b.from_ms, to_ms: b.to_ms, reason: b.reason.clone() })
                .collect(),
        }
    }

    pub(super) fn mission_detail(&self, mission: &MissionSlug) -> Result<MissionDetail, BackendError> {
        let state = self.mission_state(mission)?;
        Ok(MissionDetail {
            mission: mission.to_string(),
            state: state.lifecycle.as_str().to_string(),
            created_ms: state.created_ms,
            created_by: state.created_by.clone(),
            releases: self.release_summaries(mission)?,
            envs: Env::ALL.into_iter().map(|env| self.env_control(mission, &state, env)).collect(),
        })
    }

    pub(super) fn mission_summaries(&self) -> Vec<MissionSummary> {
        let state = self.state();
        state
            .missions
            .iter()
            .filter(|(_, mission)| !matches!(mission.lifecycle, Lifecycle::Deleted { .. }))
            .map(|(slug, mission)| MissionSummary {
                mission: slug.to_string(),
                state: mission.lifecycle.as_str().to_string(),
                created_ms: mission.created_ms,
                releases: mission.releases.len(),
                running: Env::ALL
                    .into_iter()
                    .filter_map(|env| {
                        self.running_release(slug, env).map(|digest| (env.to_string(), digest.to_string()))
                    })
                    .collect(),
            })
            .collect()
    }
}
