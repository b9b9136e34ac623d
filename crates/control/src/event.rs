//! The control plane's events: the only way its state changes.

use base::{Digest, Env};
use serde::{Deserialize, Serialize};

/// One change of the control plane's state, with who caused it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    MissionCreated {
        mission: String,
        by: String,
        at_ms: u64,
    },
    /// A release (already stored and verified) is known to the mission.
    ReleaseRegistered {
        mission: String,
        release: Digest,
        by: String,
        at_ms: u64,
    },
    /// A gate ran for a release and an environment.
    GateAttested {
        mission: String,
        release: Digest,
        env: Env,
        gate: String,
        passed: bool,
        detail: String,
        by: String,
        at_ms: u64,
    },
    /// A principal approved a release for an environment, in a role.
    Approved {
        mission: String,
        release: Digest,
        env: Env,
        principal: String,
        role: String,
        at_ms: u64,
    },
    /// The environment shall run this release (a rollback redeploys an earlier one).
    Promoted {
        mission: String,
        release: Digest,
        env: Env,
        by: String,
        at_ms: u64,
        rollback: bool,
    },
    /// The environment's deployment runs this release now (reported by the platform).
    Deployed {
        mission: String,
        release: Digest,
        env: Env,
        at_ms: u64,
    },
    /// The mission's deployments stopped for good; its data and records are kept.
    MissionArchived {
        mission: String,
        by: String,
        at_ms: u64,
    },
    /// The mission's data was exported to `export` and removed.
    MissionDeleted {
        mission: String,
        by: String,
        at_ms: u64,
        export: String,
    },
    /// The environment's deployment stops until resumed (its desired release stays).
    Paused {
        mission: String,
        env: Env,
        by: String,
        at_ms: u64,
    },
    Resumed {
        mission: String,
        env: Env,
        by: String,
        at_ms: u64,
    },
    /// No promotion to the environment in [from_ms, to_ms) (a pass, a critical operation).
    BlackoutSet {
        mission: String,
        env: Env,
        from_ms: u64,
        to_ms: u64,
        reason: String,
        by: String,
        at_ms: u64,
    },
}

impl Event {
    /// The event's name as stored (`promoted`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::MissionCreated { .. } => "mission_created",
            Event::ReleaseRegistered { .. } => "release_registered",
            Event::GateAttested { .. } => "gate_attested",
            Event::Approved { .. } => "approved",
            Event::Promoted { .. } => "promoted",
            Event::Deployed { .. } => "deployed",
            Event::BlackoutSet { .. } => "blackout_set",
            Event::MissionArchived { .. } => "mission_archived",
            Event::MissionDeleted { .. } => "mission_deleted",
            Event::Paused { .. } => "paused",
            Event::Resumed { .. } => "resumed",
        }
    }

    /// Who caused it (`platform` for what the platform reports itself: a deployment runs).
    pub fn by(&self) -> &str {
        match self {
            Event::MissionCreated { by, .. }
            | Event::ReleaseRegistered { by, .. }
            | Event::GateAttested { by, .. }
            | Event::Promoted { by, .. }
            | Event::BlackoutSet { by, .. }
            | Event::MissionArchived { by, .. }
            | Event::MissionDeleted { by, .. }
            | Event::Paused { by, .. }
            | Event::Resumed { by, .. } => by,
            Event::Approved { principal, .. } => principal,
            Event::Deployed { .. } => "platform",
        }
    }

    /// When it happened.
    pub fn at_ms(&self) -> u64 {
        match self {
            Event::MissionCreated { at_ms, .. }
            | Event::ReleaseRegistered { at_ms, .. }
            | Event::GateAttested { at_ms, .. }
            | Event::Approved { at_ms, .. }
            | Event::Promoted { at_ms, .. }
            | Event::Deployed { at_ms, .. }
            | Event::BlackoutSet { at_ms, .. }
            | Event::MissionArchived { at_ms, .. }
            | Event::MissionDeleted { at_ms, .. }
            | Event::Paused { at_ms, .. }
            | Event::Resumed { at_ms, .. } => *at_ms,
        }
    }

    /// The environment it is about, when it is about one.
    pub fn env(&self) -> Option<Env> {
        match self {
            Event::GateAttested { env, .. }
            | Event::Approved { env, .. }
            | Event::Promoted { env, .. }
            | Event::Deployed { env, .. }
            | Event::BlackoutSet { env, .. }
            | Event::Paused { env, .. }
            | Event::Resumed { env, .. } => Some(*env),
            Event::MissionCreated { .. }
            | Event::ReleaseRegistered { .. }
            | Event::MissionArchived { .. }
            | Event::MissionDeleted { .. } => None,
        }
    }

    /// The mission the event is about.
    pub fn mission(&self) -> &str {
        match self {
            Event::MissionCreated { mission, .. }
            | Event::ReleaseRegistered { mission, .. }
            | Event::GateAttested { mission, .. }
            | Event::Approved { mission, .. }
            | Event::Promoted { mission, .. }
            | Event::Deployed { mission, .. }
            | Event::BlackoutSet { mission, .. }
            | Event::MissionArchived { mission, .. }
            | Event::MissionDeleted { mission, .. }
            | Event::Paused { mission, .. }
            | Event::Resumed { mission, .. } => mission,
        }
    }
}
