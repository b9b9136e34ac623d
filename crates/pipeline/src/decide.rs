//! Whether a release may be promoted to an environment, and why not.

use crate::spec::{GateKind, GateSpec, PipelineSpec};
use base::{Digest, Env, MissionSlug};
use std::collections::BTreeSet;

/// The recorded result of running a gate (validate, test) on a release for an environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    pub release: Digest,
    pub env: Env,
    pub gate: GateKind,
    pub passed: bool,
    /// What ran and what came of it (findings, the procedures' summary).
    pub detail: String,
    /// Who or what ran it (a principal, or the platform).
    pub by: String,
    pub at_ms: u64,
}

/// A principal's approval of one release for one environment, in one role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub release: Digest,
    pub env: Env,
    pub principal: String,
    /// The role the principal approves in (issue 7 checks that they hold it).
    pub role: String,
    pub at_ms: u64,
}

/// A time when promotions to an environment are refused (a pass, a critical operation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blackout {
    pub env: Env,
    pub from_ms: u64,
    pub to_ms: u64,
    pub reason: String,
}

/// A promotion asked for, with everything known about the release.
#[derive(Clone)]
pub struct Promotion<'a> {
    /// The mission whose pipeline this is.
    pub mission: &'a MissionSlug,
    /// The mission the release belongs to.
    pub release_mission: &'a MissionSlug,
    pub release: Digest,
    pub target: Env,
    pub attestations: &'a [Attestation],
    pub approvals: &'a [Approval],
    /// Every release each environment of the mission runs or ran.
    pub ran: &'a dyn Fn(Env) -> Vec<Digest>,
    pub blackouts: &'a [Blackout],
    pub now_ms: u64,
}

/// How one gate stands for the release and environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateStatus {
    Passed {
        detail: String,
    },
    Failed {
        detail: String,
    },
    /// Not run for this digest and environment yet.
    Missing,
}

/// Why a promotion is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("release {release} belongs to mission {release_mission}, not {mission}")]
    OtherMission { release: String, release_mission: String, mission: String },
    #[error("{target} comes after {previous}, which never ran release {release}")]
    SkipsEnvironment { target: Env, previous: Env, release: String },
    #[error("the {gate} gate of {target} failed for release {release}: {detail}")]
    GateFailed { gate: &'static str, target: Env, release: String, detail: String },
    #[error("the {gate} gate of {target} has not run for release {release}")]
    GateMissing { gate: &'static str, target: Env, release: String },
    #[error("{target} needs {needed} distinct approvals of release {release} by {roles}; it has {have}{who}")]
    Approvals { target: Env, release: String, needed: usize, have: usize, roles: String, who: String },
    #[error("no promotion to {target} until {until_ms} ms: {reason}")]
    Blackout { target: Env, until_ms: u64, reason: String },
}

/// The decision, with every gate's standing (for the operator and the audit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub gates: Vec<(GateKind, GateStatus)>,
    /// Empty when the promotion may go ahead.
    pub refusals: Vec<Refusal>,
}

impl Decision {
    /// Whether the promotion may go ahead.
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// Decides a promotion; see the crate documentation.
pub fn decide(spec: &PipelineSpec, promotion: &Promotion<'_>) -> Decision {
    let release = promotion.release.to_string();
    let target = promotion.target;
    let mut refusals = Vec::new();
    if promotion.release_mission != promotion.mission {
        refusals.push(Refusal::OtherMission {
            release: release.clone(),
            release_mission: promotion.release_mission.to_string(),
            mission: promotion.mission.to_string(),
        });
    }
    if let Some(previous) = previous(target) {
        if !(promotion.ran)(previous).contains(&promotion.release) {
            refusals.push(Refusal::SkipsEnvironment { target, previous, release: release.clone() });
        }
    }
    let mut gates = Vec::new();
    for gate in spec.gates(target) {
        let status = match gate {
            GateSpec::Validate | GateSpec::Test => attested(promotion, gate.kind()),
            GateSpec::Approval { count, roles } => approvals(promotion, *count, roles, &mut refusals),
            GateSpec::Window => window(promotion, &mut refusals),
        };
        let gate_name = gate.kind().as_str();
        match (&status, gate) {
            (GateStatus::Failed { detail }, GateSpec::Validate | GateSpec::Test) => {
                refusals.push(Refusal::GateFailed {
                    gate: gate_name,
                    target,
                    release: release.clone(),
                    detail: detail.clone(),
                });
            }
            (GateStatus::Missing, _) => {
                refusals.push(Refusal::GateMissing { gate: gate_name, target, release: release.clone() })
            }
            _ => {}
        }
        gates.push((gate.kind(), status));
    }
    Decision { gates, refusals }
}

/// The environment a release must have run in before `env`.
fn previous(env: Env) -> Option<Env> {
    Env::ALL.into_iter().find(|candidate| candidate.next() == Some(env))
}

/// The latest attestation of a gate for this digest and environment decides.
fn attested(promotion: &Promotion<'_>, gate: GateKind) -> GateStatus {
    let latest = promotion
        .attestations
        .iter()
        .filter(|a| a.release == promotion.release && a.env == promotion.target && a.gate == gate)
        .max_by_key(|a| a.at_ms);
    match latest {
        None => GateStatus::Missing,
        Some(a) if a.passed => GateStatus::Passed { detail: a.detail.clone() },
        Some(a) => GateStatus::Failed { detail: a.detail.clone() },
    }
}

fn approvals(promotion: &Promotion<'_>, count: usize, roles: &[String], refusals: &mut Vec<Refusal>) -> GateStatus {
    // One principal counts once, whatever roles they approve in; approvals of another digest
    // or environment, or in a role the gate does not ask for, do not count.
    let principals: BTreeSet<&str> = promotion
        .approvals
        .iter()
        .filter(|a| a.release == promotion.release && a.env == promotion.target && roles.contains(&a.role))
        .map(|a| a.principal.as_str())
        .collect();
    let detail =
        format!("{} of {count}: {}", principals.len(), principals.iter().copied().collect::<Vec<_>>().join(", "));
    if principals.len() >= count {
        return GateStatus::Passed { detail };
    }
    let who = if principals.is_empty() {
        String::new()
    } else {
        format!(" ({})", principals.iter().copied().collect::<Vec<_>>().join(", "))
    };
    refusals.push(Refusal::Approvals {
        target: promotion.target,
        release: promotion.release.to_string(),
        needed: count,
        have: principals.len(),
        roles: roles.join(" or "),
        who,
    });
    GateStatus::Failed { detail }
}

fn window(promotion: &Promotion<'_>, refusals: &mut Vec<Refusal>) -> GateStatus {
    let now = promotion.now_ms;
    let active = promotion
        .blackouts
        .iter()
        .filter(|b| b.env == promotion.target && b.from_ms <= now && now < b.to_ms)
        .max_by_key(|b| b.to_ms);
    match active {
        None => GateStatus::Passed { detail: "no blackout".into() },
        Some(blackout) => {
            refusals.push(Refusal::Blackout {
                target: promotion.target,
                until_ms: blackout.to_ms,
                reason: blackout.reason.clone(),
            });
            GateStatus::Failed { detail: format!("blackout until {} ms: {}", blackout.to_ms, blackout.reason) }
        }
    }
}
