//! The control plane's state: the fold of its events.

use crate::event::Event;
use base::{Digest, Env, MissionSlug};
use pipeline::{Approval, Attestation, Blackout, GateKind};
use std::collections::BTreeMap;

/// Every mission, by slug.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ControlState {
    pub missions: BTreeMap<MissionSlug, MissionState>,
    /// Events applied so far.
    pub events: u64,
}

/// One mission's releases and environments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissionState {
    pub created_ms: u64,
    pub created_by: String,
    pub lifecycle: Lifecycle,
    /// Releases in the order they were registered.
    pub releases: Vec<ReleaseState>,
    pub attestations: Vec<Attestation>,
    pub approvals: Vec<Approval>,
    pub blackouts: Vec<Blackout>,
    pub envs: BTreeMap<Env, EnvStatus>,
}

/// Where a mission is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    Active,
    /// Stopped for good, data kept.
    Archived,
    /// Data exported (to the path) and removed; the name may be used again.
    Deleted {
        export: String,
    },
}

impl Lifecycle {
    /// `active`, `archived` or `deleted`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Lifecycle::Active => "active",
            Lifecycle::Archived => "archived",
            Lifecycle::Deleted { .. } => "deleted",
        }
    }
}

/// A release of a mission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseState {
    pub digest: Digest,
    pub by: String,
    pub at_ms: u64,
}

/// An environment: what it shall run, what it runs, and what it ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvStatus {
    /// The latest promotion: (release, by, at_ms, rollback).
    pub desired: Option<(Digest, String, u64, bool)>,
    /// What the deployment reported running last.
    pub running: Option<Digest>,
    /// Every release the deployment reported running, oldest first (with repeats).
    pub ran: Vec<Digest>,
    /// Every promotion's release, oldest first (for rollback).
    pub promoted: Vec<Digest>,
    /// Every promotion and rollback: (release, by, at_ms, rollback), oldest first.
    pub history: Vec<(Digest, String, u64, bool)>,
    /// Stopped by an operator until resumed.
    pub paused: bool,
}

/// An event that does not fit the state it is applied to (a corrupt or reordered store).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event {index} ({kind}): {reason}")]
pub struct StateError {
    pub index: u64,
    pub kind: &'static str,
    pub reason: String,
}

impl ControlState {
    /// The state of these events, in order.
    pub fn from_events(events: &[Event]) -> Result<ControlState, StateError> {
        let mut state = ControlState::default();
        for event in events {
            state.apply(event)?;
        }
        Ok(state)
    }

    /// Applies one event; on error nothing changed.
    pub fn apply(&mut self, event: &Event) -> Result<(), StateError> {
        let index = self.events;
        let fail = |kind: &'static str, reason: String| StateError { index, kind, reason };
        let slug: MissionSlug = event.mission().parse().map_err(|e: base::SlugError| fail("mission", e.to_string()))?;
        if let Event::MissionCreated { at_ms, by, .. } = event {
            if self.missions.get(&slug).is_some_and(|m| !matches!(m.lifecycle, Lifecycle::Deleted { .. })) {
                return Err(fail("mission_created", format!("mission {slug} exists already")));
            }
            let mission = MissionState {
                created_ms: *at_ms,
                created_by: by.clone(),
                lifecycle: Lifecycle::Active,
                releases: Vec::new(),
                attestations: Vec::new(),
                approvals: Vec::new(),
                blackouts: Vec::new(),
                envs: Env::ALL.into_iter().map(|env| (env, EnvStatus::default())).collect(),
            };
            self.missions.insert(slug, mission);
            self.events += 1;
            return Ok(());
        }
        let mission = self.missions.get_mut(&slug).ok_or_else(|| fail("event", format!("no mission {slug}")))?;
        let known = |mission: &MissionState, release: &Digest, kind| {
            if mission.releases.iter().any(|r| &r.digest == release) {
                Ok(())
            } else {
                Err(fail(kind, format!("release {release} is not registered for {slug}")))
            }
        };
        match event {
            Event::MissionCreated { .. } => {}
            Event::ReleaseRegistered { release, by, at_ms, .. } => {
                if mission.releases.iter().any(|r| &r.digest == release) {
                    return Err(fail("release_registered", format!("release {release} is registered already")));
                }
                mission.releases.push(ReleaseState { digest: *release, by: by.clone(), at_ms: *at_ms });
            }
            Event::GateAttested { release, env, gate, passed, detail, by, at_ms, .. } => {
                known(mission, release, "gate_attested")?;
                let gate = match gate.as_str() {
                    "validate" => GateKind::Validate,
                    "test" => GateKind::Test,
                    other => return Err(fail("gate_attested", format!("gate {other:?} is not attested"))),
                };
                mission.attestations.push(Attestation {
                    release: *release,
                    env: *env,
                    gate,
                    passed: *passed,
                    detail: detail.clone(),
                    by: by.clone(),
                    at_ms: *at_ms,
                });
            }
            Event::Approved { release, env, principal, role, at_ms, .. } => {
                known(mission, release, "approved")?;
                mission.approvals.push(Approval {
                    release: *release,
                    env: *env,
                    principal: principal.clone(),
                    role: role.clone(),
                    at_ms: *at_ms,
                });
            }
            Event::Promoted { release, env, by, at_ms, rollback, .. } => {
                known(mission, release, "promoted")?;
                let status = mission.envs.entry(*env).or_default();
                status.desired = Some((*release, by.clone(), *at_ms, *rollback));
                status.promoted.push(*release);
                status.history.push((*release, by.clone(), *at_ms, *rollback));
            }
            Event::Deployed { release, env, .. } => {
                known(mission, release, "deployed")?;
                let status = mission.envs.entry(*env).or_default();
                status.running = Some(*release);
                status.ran.push(*release);
            }
            Event::MissionArchived { .. } => {
                if mission.lifecycle != Lifecycle::Active {
                    return Err(fail("mission_archived", format!("mission {slug} is {}", mission.lifecycle.as_str())));
                }
                mission.lifecycle = Lifecycle::Archived;
            }
            Event::MissionDeleted { export, .. } => {
                if let Lifecycle::Deleted { .. } = mission.lifecycle {
                    return Err(fail("mission_deleted", format!("mission {slug} is deleted already")));
                }
                mission.lifecycle = Lifecycle::Deleted { export: export.clone() };
            }
            Event::Paused { env, .. } | Event::Resumed { env, .. } => {
                let pause = matches!(event, Event::Paused { .. });
                let status = mission.envs.entry(*env).or_default();
                if status.paused == pause {
                    let reason = format!("{slug}/{env} is {} already", if pause { "paused" } else { "running" });
                    return Err(fail(event.kind(), reason));
                }
                status.paused = pause;
            }
            Event::BlackoutSet { env, from_ms, to_ms, reason, .. } => {
                if from_ms >= to_ms {
                    return Err(fail("blackout_set", format!("from {from_ms} ms is not before to {to_ms} ms")));
                }
                mission.blackouts.push(Blackout {
                    env: *env,
                    from_ms: *from_ms,
                    to_ms: *to_ms,
                    reason: reason.clone(),
                });
            }
        }
        self.events += 1;
        Ok(())
    }
}

/// An environment whose deployment does not run what it should.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub mission: MissionSlug,
    pub env: Env,
    pub desired: Digest,
    /// `None`: the deployment runs no release (not started, or unreachable).
    pub running: Option<Digest>,
}

/// Compares the desired release of every environment with what its deployment runs now
/// (`running`, asked of the platform; `None` when it runs nothing).
pub fn reconcile(state: &ControlState, running: &dyn Fn(&MissionSlug, Env) -> Option<Digest>) -> Vec<Drift> {
    let mut drift = Vec::new();
    for (mission, mission_state) in &state.missions {
        if mission_state.lifecycle != Lifecycle::Active {
            continue;
        }
        for (env, status) in &mission_state.envs {
            let Some((desired, ..)) = &status.desired else { continue };
            if status.paused {
                continue;
            }
            let now = running(mission, *env);
            if now.as_ref() != Some(desired) {
                drift.push(Drift { mission: mission.clone(), env: *env, desired: *desired, running: now });
            }
        }
    }
    drift
}
