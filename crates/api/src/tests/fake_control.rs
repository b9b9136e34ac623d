//! An in-memory control plane: missions `sentinel-x` and `bogussat`, one release `sha256:aa`
//! each; every call is recorded so that tests can prove a refused request reached nothing.

use crate::backend::{BackendError, ControlBackend};
use crate::gate::Principal;
use crate::wire::*;
use base::{MissionSlug, Scope};
use std::sync::Mutex;

/// The missions the fake knows.
const MISSIONS: [&str; 2] = ["sentinel-x", "bogussat"];
/// The digest of the one release of each mission.
const RELEASE: &str = "sha256:aa";
/// A release whose promotion the gates refuse.
const REFUSED: &str = "sha256:bad";

/// The fake control plane.
#[derive(Default)]
pub struct FakeControl {
    /// Every call, as `name arguments by principal`, in order.
    pub calls: Mutex<Vec<String>>,
}

impl FakeControl {
    /// The calls made so far.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|calls| calls.clone()).unwrap_or_default()
    }

    fn record(&self, call: String) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
    }
}

fn known(mission: &str) -> Result<(), BackendError> {
    if MISSIONS.contains(&mission) {
        Ok(())
    } else {
        Err(BackendError::NotFound { what: "mission", name: mission.to_string() })
    }
}

fn release_of(mission: &str, release: &str) -> Result<ReleaseSummary, BackendError> {
    known(mission)?;
    if release != RELEASE && release != "aa" {
        return Err(BackendError::NotFound { what: "release", name: release.to_string() });
    }
    Ok(summary(mission))
}

fn summary(mission: &str) -> ReleaseSummary {
    ReleaseSummary {
        digest: RELEASE.into(),
        mission: mission.into(),
        model_digest: "sha256:00".into(),
        cut_by: "alice".into(),
        cut_at_ms: 1,
        signer: "platform".into(),
        key_id: "k1".into(),
        procedures: vec![],
        registered_by: "alice".into(),
        registered_ms: 2,
    }
}

fn env_control(env: &str, deployment: &str) -> EnvControl {
    EnvControl {
        env: env.into(),
        desired: Some(RELEASE.into()),
        running: (deployment == "running").then(|| RELEASE.to_string()),
        deployment: deployment.into(),
        drift: false,
        error: None,
        history: vec![],
        blackouts: vec![],
    }
}

fn detail(mission: &str) -> MissionDetail {
    MissionDetail {
        mission: mission.into(),
        state: "active".into(),
        created_ms: 1,
        created_by: "alice".into(),
        releases: vec![summary(mission)],
        envs: vec![env_control("dev", "running")],
    }
}

fn outcome(scope: &Scope, release: &str, rollback: bool) -> PromotionOutcome {
    PromotionOutcome {
        mission: scope.mission.to_string(),
        env: scope.env.to_string(),
        release: release.into(),
        rollback,
        attested: vec![],
        gates: vec![GateStanding { gate: "validate".into(), met: true, detail: "ok".into() }],
        deployed: "started".into(),
        took_ms: 3,
    }
}

impl ControlBackend for FakeControl {
    fn create_mission(&self, source: &ReleaseSource, by: &Principal) -> Result<MissionDetail, BackendError> {
        self.record(format!("create_mission {} bytes by {}", source.mission_file.len(), by.id));
        Ok(detail("newsat"))
    }

    fn missions(&self) -> Result<Vec<MissionSummary>, BackendError> {
        self.record("missions".into());
        let summary = |mission: &str| MissionSummary {
            mission: mission.into(),
            state: "active".into(),
            created_ms: 1,
            releases: 1,
            running: [("dev".to_string(), RELEASE.to_string())].into(),
        };
        Ok(MISSIONS.iter().map(|mission| summary(mission)).collect())
    }

    fn mission(&self, mission: &MissionSlug) -> Result<MissionDetail, BackendError> {
        self.record(format!("mission {mission}"));
        known(mission.as_str()).map(|()| detail(mission.as_str()))
    }

    fn archive_mission(&self, mission: &MissionSlug, by: &Principal) -> Result<MissionRemoved, BackendError> {
        self.record(format!("archive_mission {mission} by {}", by.id));
        known(mission.as_str())?;
        Ok(MissionRemoved { mission: mission.to_string(), state: "archived".into(), export: None })
    }

    fn delete_mission(&self, mission: &MissionSlug, by: &Principal) -> Result<MissionRemoved, BackendError> {
        self.record(format!("delete_mission {mission} by {}", by.id));
        known(mission.as_str())?;
        let export = Some(format!("exports/{mission}"));
        Ok(MissionRemoved { mission: mission.to_string(), state: "deleted".into(), export })
    }

    fn create_release(
        &self,
        mission: &MissionSlug,
        source: &ReleaseSource,
        by: &Principal,
    ) -> Result<ReleaseSummary, BackendError> {
        self.record(format!("create_release {mission} {} bytes by {}", source.model_json.len(), by.id));
        release_of(mission.as_str(), RELEASE)
    }

    fn import_release(
        &self,
        mission: &MissionSlug,
        bundle: &ReleaseBundle,
        by: &Principal,
    ) -> Result<ReleaseSummary, BackendError> {
        self.record(format!("import_release {mission} {} files by {}", bundle.files.len(), by.id));
        release_of(mission.as_str(), RELEASE)
    }

    fn releases(&self, mission: &MissionSlug) -> Result<Vec<ReleaseSummary>, BackendError> {
        self.record(format!("releases {mission}"));
        Ok(vec![release_of(mission.as_str(), RELEASE)?])
    }

    fn release(&self, mission: &MissionSlug, release: &str) -> Result<ReleaseDetail, BackendError> {
        self.record(format!("release {mission} {release}"));
        Ok(ReleaseDetail {
            release: release_of(mission.as_str(), release)?,
            provenance: serde_json::json!({"_type": "https://in-toto.io/Statement/v1"}),
            files: [("manifest.json".to_string(), "sha256:11".to_string())].into(),
            attestations: vec![],
            approvals: vec![],
        })
    }

    fn release_diff(&self, mission: &MissionSlug, a: &str, b: &str) -> Result<serde_json::Value, BackendError> {
        self.record(format!("release_diff {mission} {a} {b}"));
        release_of(mission.as_str(), a)?;
        release_of(mission.as_str(), b)?;
        Ok(serde_json::json!({"model": []}))
    }

    fn approve_release(
        &self,
        scope: &Scope,
        approval: &ReleaseApproval,
        by: &Principal,
    ) -> Result<ApprovalDto, BackendError> {
        self.record(format!("approve_release {scope} {} as {} by {}", approval.release, approval.role, by.id));
        let release = release_of(scope.mission.as_str(), &approval.release)?;
        Ok(ApprovalDto {
            release: release.digest,
            env: scope.env.to_string(),
            principal: by.id.clone(),
            role: approval.role.clone(),
            at_ms: 4,
        })
    }

    fn promote(
        &self,
        scope: &Scope,
        request: &PromotionRequest,
        by: &Principal,
    ) -> Result<PromotionOutcome, BackendError> {
        self.record(format!("promote {scope} {} by {}", request.release, by.id));
        if request.release == REFUSED {
            return Err(BackendError::Conflict { reason: format!("{REFUSED} to {scope}: gate approval: not met") });
        }
        let release = release_of(scope.mission.as_str(), &request.release)?;
        Ok(outcome(scope, &release.digest, false))
    }

    fn rollback(&self, scope: &Scope, by: &Principal) -> Result<PromotionOutcome, BackendError> {
        self.record(format!("rollback {scope} by {}", by.id));
        known(scope.mission.as_str())?;
        Ok(outcome(scope, RELEASE, true))
    }

    fn pause(&self, scope: &Scope, by: &Principal) -> Result<EnvControl, BackendError> {
        self.record(format!("pause {scope} by {}", by.id));
        known(scope.mission.as_str())?;
        Ok(env_control(scope.env.as_str(), "paused"))
    }

    fn resume(&self, scope: &Scope, by: &Principal) -> Result<EnvControl, BackendError> {
        self.record(format!("resume {scope} by {}", by.id));
        known(scope.mission.as_str())?;
        Ok(env_control(scope.env.as_str(), "running"))
    }

    fn set_blackout(&self, scope: &Scope, blackout: &BlackoutDto, by: &Principal) -> Result<EnvControl, BackendError> {
        let BlackoutDto { from_ms, to_ms, reason } = blackout;
        self.record(format!("set_blackout {scope} [{from_ms}, {to_ms}) {reason:?} by {}", by.id));
        known(scope.mission.as_str())?;
        if from_ms >= to_ms || reason.trim().is_empty() {
            let reason = "from_ms must be before to_ms, with a reason".to_string();
            return Err(BackendError::BadRequest { field: "blackout".into(), reason });
        }
        Ok(EnvControl { blackouts: vec![blackout.clone()], ..env_control(scope.env.as_str(), "running") })
    }

    fn drift(&self) -> Result<Vec<DriftDto>, BackendError> {
        self.record("drift".into());
        Ok(vec![DriftDto { mission: "bogussat".into(), env: "dev".into(), desired: RELEASE.into(), running: None }])
    }

    fn control_events(&self, mission: &MissionSlug) -> Result<Vec<ControlEventDto>, BackendError> {
        self.record(format!("control_events {mission}"));
        known(mission.as_str())?;
        Ok(vec![ControlEventDto { index: 0, event: serde_json::json!({"event": "registered", "release": RELEASE}) }])
    }
}
