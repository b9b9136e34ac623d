//! The control plane behind the API's control routes.

use super::promotion::{final_refusal, mission_file, refused, GATE_RUNNER};
use super::{dto, lock, Controller};
use api::gate::Principal;
use api::wire::{
    ApprovalDto, BlackoutDto, ControlEventDto, DriftDto, EnvControl, MissionDetail, MissionRemoved, MissionSummary,
    PromotionOutcome, PromotionRequest, ReleaseApproval, ReleaseBundle, ReleaseDetail, ReleaseSource, ReleaseSummary,
};
use api::{BackendError, ControlBackend};
use base::{Env, MissionSlug, Scope};
use control::commands::{self, CommandError};
use control::Event;
use pipeline::PipelineSpec;
use std::time::Instant;

impl ControlBackend for Controller {
    fn create_mission(&self, source: &ReleaseSource, by: &Principal) -> Result<MissionDetail, BackendError> {
        let mut store = lock(&self.writes);
        let started = Instant::now();
        let bundle = self.cut(source, &by.id)?;
        let slug = bundle.mission.clone();
        let managed = lock(&self.running).keys().any(|scope| scope.mission == slug);
        if !managed && self.platform.iter().any(|deployment| deployment.scope.mission == slug) {
            let reason = format!("mission {slug} runs from the server's configuration file");
            return Err(BackendError::Conflict { reason });
        }
        let now = self.now_ms();
        // Everything is decided on a trial state first: a mission whose DEV gates fail is
        // refused with nothing recorded.
        let mut trial = self.state();
        let created = commands::create_mission(&trial, &slug, &by.id, now).map_err(refused)?;
        trial.apply(&created).map_err(|e| BackendError::Internal(e.to_string()))?;
        let registered = commands::register_release(&trial, &slug, bundle.digest, &by.id, now).map_err(refused)?;
        trial.apply(&registered).map_err(|e| BackendError::Internal(e.to_string()))?;
        let files = &bundle.files;
        let spec = mission_file(files)?.pipeline;
        let scope = Scope { mission: slug.clone(), env: Env::Dev };
        let attestations = self.run_gates(&trial, &scope, bundle.digest, files, &spec, GATE_RUNNER)?;
        for event in &attestations {
            trial.apply(event).map_err(|e| BackendError::Internal(e.to_string()))?;
        }
        let promoted = commands::promote(&trial, &spec, &slug, &slug, bundle.digest, Env::Dev, &by.id, now)
            .map_err(|error| BackendError::Conflict { reason: format!("mission {slug} not created: {error}") })?;
        self.store(&bundle)?;
        let mut events = vec![created, registered];
        events.extend(attestations);
        self.record(&mut store, &events)?;
        let decision =
            commands::decision(&self.state(), &spec, &slug, &slug, bundle.digest, Env::Dev, now).map_err(refused)?;
        // The mission exists from here on: a DEV deployment that fails to start is shown as
        // failed (with why) in the answer and as drift, and the reconciler tries again.
        match self.promote_event(&mut store, &scope, promoted, Vec::new(), &decision, started) {
            Ok(outcome) => {
                tracing::info!(mission = %slug, release = %bundle.digest, took_ms = outcome.took_ms, "mission created; dev {}", outcome.deployed)
            }
            Err(BackendError::Conflict { reason }) => {
                tracing::warn!(mission = %slug, %reason, "mission created; its DEV deployment failed")
            }
            Err(other) => return Err(other),
        }
        drop(store);
        self.mission_detail(&slug)
    }

    fn missions(&self) -> Result<Vec<MissionSummary>, BackendError> {
        Ok(self.mission_summaries())
    }

    fn mission(&self, mission: &MissionSlug) -> Result<MissionDetail, BackendError> {
        self.mission_detail(mission)
    }

    fn archive_mission(&self, mission: &MissionSlug, by: &Principal) -> Result<MissionRemoved, BackendError> {
        let mut store = lock(&self.writes);
        let event = commands::archive_mission(&self.state(), mission, &by.id, self.now_ms()).map_err(refused)?;
        for env in Env::ALL {
            self.undeploy(&Scope { mission: mission.clone(), env });
        }
        self.record(&mut store, &[event])?;
        Ok(MissionRemoved { mission: mission.to_string(), state: "archived".into(), export: None })
    }

    fn delete_mission(&self, mission: &MissionSlug, by: &Principal) -> Result<MissionRemoved, BackendError> {
        let mut store = lock(&self.writes);
        let now = self.now_ms();
        // Checked before anything moves.
        commands::delete_mission(&self.state(), mission, "", &by.id, now).map_err(refused)?;
        for env in Env::ALL {
            self.undeploy(&Scope { mission: mission.clone(), env });
        }
        let export = self.export(mission, now)?;
        let event = commands::delete_mission(&self.state(), mission, &export, &by.id, now).map_err(refused)?;
        self.record(&mut store, &[event])?;
        Ok(MissionRemoved { mission: mission.to_string(), state: "deleted".into(), export: Some(export) })
    }

    fn create_release(
        &self,
        mission: &MissionSlug,
        source: &ReleaseSource,
        by: &Principal,
    ) -> Result<ReleaseSummary, BackendError> {
        let mut store = lock(&self.writes);
        self.mission_state(mission)?;
        let bundle = self.cut(source, &by.id)?;
        if bundle.mission != *mission {
            let reason = format!("the mission file names mission {}, not {mission}", bundle.mission);
            return Err(BackendError::BadRequest { field: "mission_file".into(), reason });
        }
        let event = commands::register_release(&self.state(), mission, bundle.digest, &by.id, self.now_ms())
            .map_err(refused)?;
        self.store(&bundle)?;
        self.record(&mut store, &[event])?;
        drop(store);
        self.summary_of(mission, &bundle.digest)
    }

    fn import_release(
        &self,
        mission: &MissionSlug,
        bundle: &ReleaseBundle,
        by: &Principal,
    ) -> Result<ReleaseSummary, BackendError> {
        let mut store = lock(&self.writes);
        self.mission_state(mission)?;
        let bundle = self.import(mission, bundle)?;
        let digest = bundle.digest;
        let event =
            commands::register_release(&self.state(), mission, digest, &by.id, self.now_ms()).map_err(refused)?;
        self.store(&bundle)?;
        self.record(&mut store, &[event])?;
        drop(store);
        self.summary_of(mission, &digest)
    }

    fn releases(&self, mission: &MissionSlug) -> Result<Vec<ReleaseSummary>, BackendError> {
        self.release_summaries(mission)
    }

    fn release(&self, mission: &MissionSlug, release: &str) -> Result<ReleaseDetail, BackendError> {
        let digest = self.resolve(mission, release, "release")?;
        self.release_detail(mission, &digest)
    }

    fn release_diff(&self, mission: &MissionSlug, a: &str, b: &str) -> Result<serde_json::Value, BackendError> {
        let (a, b) = (self.resolve(mission, a, "release")?, self.resolve(mission, b, "other")?);
        let (files_a, _) = self.load(mission, &a)?;
        let (files_b, _) = self.load(mission, &b)?;
        super::diff::json(&a, &b, &files_a, &files_b)
    }

    fn approve_release(
        &self,
        scope: &Scope,
        approval: &ReleaseApproval,
        by: &Principal,
    ) -> Result<ApprovalDto, BackendError> {
        let mut store = lock(&self.writes);
        self.mission_state(&scope.mission)?;
        if !pipeline::ROLES.contains(&approval.role.as_str()) {
            let reason = format!("unknown role {:?} (roles: {})", approval.role, pipeline::ROLES.join(", "));
            return Err(BackendError::BadRequest { field: "role".into(), reason });
        }
        let digest = self.resolve(&scope.mission, &approval.release, "release")?;
        let state = self.state();
        let governing = self.governing(&state, scope)?;
        let holds = governing.members.iter().any(|member| {
            member.principal == by.id && member.roles.of(scope.env).iter().any(|role| role.as_str() == approval.role)
        });
        if !holds {
            let reason = format!("{} does not hold the role {} in {scope}", by.id, approval.role);
            return Err(BackendError::Conflict { reason });
        }
        let event = commands::approve(&state, &scope.mission, digest, scope.env, &by.id, &approval.role, self.now_ms())
            .map_err(refused)?;
        self.record(&mut store, &[event])?;
        let state = self.state();
        let recorded = state.missions[&scope.mission].approvals.last().map(dto::approval);
        recorded.ok_or_else(|| BackendError::Internal("the approval was not recorded".into()))
    }

    fn promote(
        &self,
        scope: &Scope,
        request: &PromotionRequest,
        by: &Principal,
    ) -> Result<PromotionOutcome, BackendError> {
        let mut store = lock(&self.writes);
        let started = Instant::now();
        self.mission_state(&scope.mission)?;
        let digest = self.resolve(&scope.mission, &request.release, "release")?;
        let (files, _) = self.load(&scope.mission, &digest)?;
        let state = self.state();
        let spec: PipelineSpec = self.governing(&state, scope)?.pipeline;
        let (m, now) = (&scope.mission, self.now_ms());
        let before = commands::decision(&state, &spec, m, m, digest, scope.env, now).map_err(refused)?;
        if let Some(refusal) = final_refusal(&before) {
            return Err(BackendError::Conflict {
                reason: format!("promotion of {digest} to {} refused: {refusal}", scope.env),
            });
        }
        let attestations = self.run_gates(&state, scope, digest, &files, &spec, GATE_RUNNER)?;
        self.record(&mut store, &attestations)?;
        let attested: Vec<_> = {
            let state = self.state();
            let n = attestations.len();
            let all = &state.missions[m].attestations;
            all[all.len() - n..].iter().map(dto::attestation).collect()
        };
        let state = self.state();
        let decision = commands::decision(&state, &spec, m, m, digest, scope.env, now).map_err(refused)?;
        let event = commands::promote(&state, &spec, m, m, digest, scope.env, &by.id, now).map_err(refused)?;
        self.promote_event(&mut store, scope, event, attested, &decision, started)
    }

    fn rollback(&self, scope: &Scope, by: &Principal) -> Result<PromotionOutcome, BackendError> {
        let mut store = lock(&self.writes);
        let started = Instant::now();
        self.mission_state(&scope.mission)?;
        let state = self.state();
        let spec = self.governing(&state, scope)?.pipeline;
        let now = self.now_ms();
        let event = commands::rollback(&state, &spec, &scope.mission, scope.env, &by.id, now).map_err(refused)?;
        let Event::Promoted { release, .. } = &event else {
            return Err(BackendError::Internal("a rollback that is not a Promoted event".into()));
        };
        // The earlier release must still verify before anything is recorded.
        self.load(&scope.mission, release)?;
        let decision = commands::decision(&state, &spec, &scope.mission, &scope.mission, *release, scope.env, now)
            .map_err(refused)?;
        self.promote_event(&mut store, scope, event, Vec::new(), &decision, started)
    }

    fn pause(&self, scope: &Scope, by: &Principal) -> Result<EnvControl, BackendError> {
        let mut store = lock(&self.writes);
        let event =
            commands::pause(&self.state(), &scope.mission, scope.env, &by.id, self.now_ms()).map_err(refused)?;
        self.undeploy(scope);
        self.record(&mut store, &[event])?;
        drop(store);
        let state = self.mission_state(&scope.mission)?;
        Ok(self.env_control(&scope.mission, &state, scope.env))
    }

    fn resume(&self, scope: &Scope, by: &Principal) -> Result<EnvControl, BackendError> {
        let mut store = lock(&self.writes);
        let event =
            commands::resume(&self.state(), &scope.mission, scope.env, &by.id, self.now_ms()).map_err(refused)?;
        self.record(&mut store, &[event])?;
        let desired = self.mission_state(&scope.mission)?.envs.get(&scope.env).and_then(|s| s.desired.clone());
        if let Some((release, ..)) = desired {
            self.deploy(scope, release)?;
            let deployed =
                Event::Deployed { mission: scope.mission.to_string(), release, env: scope.env, at_ms: self.now_ms() };
            self.record(&mut store, &[deployed])?;
        }
        drop(store);
        let state = self.mission_state(&scope.mission)?;
        Ok(self.env_control(&scope.mission, &state, scope.env))
    }

    fn set_blackout(&self, scope: &Scope, blackout: &BlackoutDto, by: &Principal) -> Result<EnvControl, BackendError> {
        let mut store = lock(&self.writes);
        let (from, to) = (blackout.from_ms, blackout.to_ms);
        let event = commands::blackout(
            &self.state(),
            &scope.mission,
            scope.env,
            from,
            to,
            &blackout.reason,
            &by.id,
            self.now_ms(),
        )
        .map_err(|error| match error {
            CommandError::BadBlackout(reason) => BackendError::BadRequest { field: "blackout".into(), reason },
            other => refused(other),
        })?;
        self.record(&mut store, &[event])?;
        drop(store);
        let state = self.mission_state(&scope.mission)?;
        Ok(self.env_control(&scope.mission, &state, scope.env))
    }

    fn drift(&self) -> Result<Vec<DriftDto>, BackendError> {
        let state = self.state();
        Ok(control::reconcile(&state, &|mission, env| self.running_release(mission, env))
            .into_iter()
            .map(|drift| DriftDto {
                mission: drift.mission.to_string(),
                env: drift.env.to_string(),
                desired: drift.desired.to_string(),
                running: drift.running.map(|digest| digest.to_string()),
            })
            .collect())
    }

    fn control_events(&self, mission: &MissionSlug) -> Result<Vec<ControlEventDto>, BackendError> {
        self.mission_state(mission)?;
        let log = self.log.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(log
            .iter()
            .enumerate()
            .filter(|(_, event)| event.mission() == mission.as_str())
            .map(|(index, event)| ControlEventDto {
                index: index as u64,
                event: serde_json::to_value(event).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }
}
