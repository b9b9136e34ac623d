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
    /// The mission the event is about.
    pub fn mission(&self) -> &str {
        match self {
            Event::MissionCreated { mission, .. }
            | Event::ReleaseRegistered { mission, .. }
            | Event::GateAttested { mission, .. }
            | Event::Approved { mission, .. }
            | Event::Promoted { mission, .. }
            | Event::Deployed { mission, .. }
            | Event::BlackoutSet { mission, .. } => mission,
        }
    }
}
