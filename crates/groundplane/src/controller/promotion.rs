//! What promotions share: the governing mission file of an environment, recording a promotion
//! and deploying it, a refusal in the API's words, every gate's standing.

use super::Controller;
use api::wire::{GateStanding, PromotionOutcome, ReleaseSummary};
use api::BackendError;
use base::{Digest, MissionSlug, Scope};
use control::commands::CommandError;
use control::{ControlState, Event};
use pipeline::{Decision, GateStatus, Refusal};
use release::MissionFile;
use std::time::Instant;

/// Who runs the gates.
pub(super) const GATE_RUNNER: &str = "platform";

/// A refused request in the API's words.
pub(super) fn refused(error: CommandError) -> BackendError {
    match error {
        CommandError::NoMission(name) => BackendError::NotFound { what: "mission", name },
        CommandError::NoRelease { release, .. } => BackendError::NotFound { what: "release", name: release },
        other => BackendError::Conflict { reason: other.to_string() },
    }
}

fn standings(decision: &Decision) -> Vec<GateStanding> {
    decision
        .gates
        .iter()
        .map(|(kind, status)| {
            let (met, detail) = match status {
                GateStatus::Passed { detail } => (true, detail.clone()),
                GateStatus::Failed { detail } => (false, detail.clone()),
                GateStatus::Missing => (false, "not run".to_string()),
            };
            GateStanding { gate: kind.as_str().to_string(), met, detail }
        })
        .collect()
}

pub(super) fn mission_file(files: &std::collections::BTreeMap<String, Vec<u8>>) -> Result<MissionFile, BackendError> {
    super::bundle::mission_file(files)
        .map_err(|error| BackendError::Internal(format!("a verified release's mission file: {error}")))
}

impl Controller {
    /// The release whose mission file governs an environment: the one it should run, else the
    /// mission's first. A release's pipeline and members apply only once it runs there, so a
    /// release cannot relax the gates it is promoted through.
    pub(super) fn governing(&self, state: &ControlState, scope: &Scope) -> Result<MissionFile, BackendError> {
        let mission = state
            .missions
            .get(&scope.mission)
            .ok_or_else(|| BackendError::NotFound { what: "mission", name: scope.mission.to_string() })?;
        let status = mission.envs.get(&scope.env);
        let digest = status
            .and_then(|status| status.desired.as_ref().map(|(digest, ..)| *digest))
            .or_else(|| mission.releases.first().map(|release| release.digest))
            .ok_or_else(|| BackendError::Conflict { reason: format!("mission {} has no release", scope.mission) })?;
        let (files, _) = self.load(&scope.mission, &digest)?;
        mission_file(&files)
    }

    /// Records a promotion (or rollback) event, deploys it, records that it runs.
    pub(super) fn promote_event(
        &self,
        store: &mut std::sync::MutexGuard<'_, Box<dyn control::EventStore + Send>>,
        scope: &Scope,
        event: Event,
        attested: Vec<api::wire::AttestationDto>,
        decision: &Decision,
        started: Instant,
    ) -> Result<PromotionOutcome, BackendError> {
        let Event::Promoted { release, rollback, .. } = &event else {
            return Err(BackendError::Internal("a promotion that is not a Promoted event".into()));
        };
        let (release, rollback) = (*release, *rollback);
        self.record(store, &[event])?;
        let how = self.deploy(scope, release).map_err(|error| BackendError::Conflict {
            reason: format!("{scope} shall run {release}, but its deployment failed: {error}"),
        })?;
        let deployed =
            Event::Deployed { mission: scope.mission.to_string(), release, env: scope.env, at_ms: self.now_ms() };
        self.record(store, &[deployed])?;
        Ok(PromotionOutcome {
            mission: scope.mission.to_string(),
            env: scope.env.to_string(),
            release: release.to_string(),
            rollback,
            attested,
            gates: standings(decision),
            deployed: how.to_string(),
            took_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// Refusals a gate run cannot change: answered before any gate runs.
pub(super) fn final_refusal(decision: &Decision) -> Option<&Refusal> {
    decision.refusals.iter().find(|refusal| {
        matches!(refusal, Refusal::OtherMission { .. } | Refusal::SkipsEnvironment { .. } | Refusal::Blackout { .. })
    })
}

impl Controller {
    pub(super) fn summary_of(&self, mission: &MissionSlug, digest: &Digest) -> Result<ReleaseSummary, BackendError> {
        let summaries = self.release_summaries(mission)?;
        let text = digest.to_string();
        summaries
            .into_iter()
            .find(|summary| summary.digest == text)
            .ok_or_else(|| BackendError::Internal(format!("release {digest} was not registered")))
    }
}
