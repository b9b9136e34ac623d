//! Requests to the control plane: each is checked against the state (and, for promotions, the
//! mission's pipeline) and answers the event to append, or why not. Nothing changes here.

use crate::event::Event;
use crate::state::{ControlState, Lifecycle, MissionState};
use base::{Digest, Env, MissionSlug};
use pipeline::{decide, Decision, PipelineSpec, Promotion, Refusal};

/// Why a request is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("mission {0} exists already")]
    MissionExists(String),
    #[error("no mission {0}")]
    NoMission(String),
    #[error("release {release} is registered for {mission} already")]
    ReleaseExists { mission: String, release: String },
    #[error("release {release} is not a release of {mission}")]
    NoRelease { mission: String, release: String },
    #[error("{principal} approved release {release} for {env} already")]
    ApprovedTwice { principal: String, release: String, env: Env },
    #[error("gate {0:?}: only validate and test are attested (approvals and windows are decided)")]
    NotAttested(String),
    #[error("{env} ran no release before {current}: nothing to roll back to")]
    NothingToRollBack { env: Env, current: String },
    #[error("{env} runs nothing yet: nothing to roll back")]
    NotPromoted { env: Env },
    #[error("mission {mission} is {state}: nothing changes in it")]
    Inactive { mission: String, state: &'static str },
    #[error("{mission}/{env} is paused already")]
    PausedAlready { mission: String, env: Env },
    #[error("{mission}/{env} is not paused")]
    NotPaused { mission: String, env: Env },
    #[error("blackout: {0}")]
    BadBlackout(String),
    #[error(transparent)]
    Refused(#[from] PromotionRefused),
}

/// A promotion the pipeline refused, with every gate's standing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("promotion of {release} to {env} refused: {}", refusals(.decision))]
pub struct PromotionRefused {
    pub release: String,
    pub env: Env,
    pub decision: Decision,
}

fn refusals(decision: &Decision) -> String {
    decision.refusals.iter().map(Refusal::to_string).collect::<Vec<_>>().join("; ")
}

/// The mission, if it exists and is active (archived and deleted missions change no more).
fn mission<'s>(state: &'s ControlState, slug: &MissionSlug) -> Result<&'s MissionState, CommandError> {
    let mission = any_mission(state, slug)?;
    if mission.lifecycle != Lifecycle::Active {
        return Err(CommandError::Inactive { mission: slug.to_string(), state: mission.lifecycle.as_str() });
    }
    Ok(mission)
}

fn any_mission<'s>(state: &'s ControlState, slug: &MissionSlug) -> Result<&'s MissionState, CommandError> {
    match state.missions.get(slug) {
        Some(mission) if !matches!(mission.lifecycle, Lifecycle::Deleted { .. }) => Ok(mission),
        _ => Err(CommandError::NoMission(slug.to_string())),
    }
}

fn release_of(state: &MissionState, slug: &MissionSlug, release: &Digest) -> Result<(), CommandError> {
    if state.releases.iter().any(|r| &r.digest == release) {
        Ok(())
    } else {
        Err(CommandError::NoRelease { mission: slug.to_string(), release: release.to_string() })
    }
}

/// A new mission (a deleted mission's name may be used again).
pub fn create_mission(state: &ControlState, slug: &MissionSlug, by: &str, now_ms: u64) -> Result<Event, CommandError> {
    if any_mission(state, slug).is_ok() {
        return Err(CommandError::MissionExists(slug.to_string()));
    }
    Ok(Event::MissionCreated { mission: slug.to_string(), by: by.into(), at_ms: now_ms })
}

/// A release the platform stored and verified becomes the mission's. The caller has checked
/// that the release's own mission is this one (`release::verify`).
pub fn register_release(
    state: &ControlState,
    slug: &MissionSlug,
    release: Digest,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    let mission = mission(state, slug)?;
    if mission.releases.iter().any(|r| r.digest == release) {
        return Err(CommandError::ReleaseExists { mission: slug.to_string(), release: release.to_string() });
    }
    Ok(Event::ReleaseRegistered { mission: slug.to_string(), release, by: by.into(), at_ms: now_ms })
}

/// The result of a validate or test gate.
#[allow(clippy::too_many_arguments)] // one event's fields
pub fn attest(
    state: &ControlState,
    slug: &MissionSlug,
    release: Digest,
    env: Env,
    gate: &str,
    passed: bool,
    detail: &str,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    release_of(mission(state, slug)?, slug, &release)?;
    if gate != "validate" && gate != "test" {
        return Err(CommandError::NotAttested(gate.into()));
    }
    Ok(Event::GateAttested {
        mission: slug.to_string(),
        release,
        env,
        gate: gate.into(),
        passed,
        detail: detail.into(),
        by: by.into(),
        at_ms: now_ms,
    })
}

/// A principal approves a release for an environment, once.
pub fn approve(
    state: &ControlState,
    slug: &MissionSlug,
    release: Digest,
    env: Env,
    principal: &str,
    role: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    let mission = mission(state, slug)?;
    release_of(mission, slug, &release)?;
    if mission.approvals.iter().any(|a| a.release == release && a.env == env && a.principal == principal) {
        return Err(CommandError::ApprovedTwice { principal: principal.into(), release: release.to_string(), env });
    }
    Ok(Event::Approved {
        mission: slug.to_string(),
        release,
        env,
        principal: principal.into(),
        role: role.into(),
        at_ms: now_ms,
    })
}

/// The pipeline's decision for promoting `release` to `env` now.
pub fn decision(
    state: &ControlState,
    spec: &PipelineSpec,
    slug: &MissionSlug,
    release_mission: &MissionSlug,
    release: Digest,
    env: Env,
    now_ms: u64,
) -> Result<Decision, CommandError> {
    let mission = mission(state, slug)?;
    release_of(mission, slug, &release)?;
    let ran = |env: Env| mission.envs.get(&env).map(|status| status.ran.clone()).unwrap_or_default();
    let promotion = Promotion {
        mission: slug,
        release_mission,
        release,
        target: env,
        attestations: &mission.attestations,
        approvals: &mission.approvals,
        ran: &ran,
        blackouts: &mission.blackouts,
        now_ms,
    };
    Ok(decide(spec, &promotion))
}

/// Promotes a release of `release_mission` to `env` of `slug`, when the pipeline allows.
#[allow(clippy::too_many_arguments)] // one event's fields and the decision's inputs
pub fn promote(
    state: &ControlState,
    spec: &PipelineSpec,
    slug: &MissionSlug,
    release_mission: &MissionSlug,
    release: Digest,
    env: Env,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    let decision = decision(state, spec, slug, release_mission, release, env, now_ms)?;
    if !decision.allowed() {
        return Err(PromotionRefused { release: release.to_string(), env, decision }.into());
    }
    Ok(Event::Promoted { mission: slug.to_string(), release, env, by: by.into(), at_ms: now_ms, rollback: false })
}

/// Redeploys the release `env` was promoted to before its current one, when the pipeline
/// still allows it (its gates passed for that digest; its approvals stand).
pub fn rollback(
    state: &ControlState,
    spec: &PipelineSpec,
    slug: &MissionSlug,
    env: Env,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    let mission = mission(state, slug)?;
    let status = mission.envs.get(&env).cloned().unwrap_or_default();
    let Some((current, ..)) = status.desired else { return Err(CommandError::NotPromoted { env }) };
    let earlier = status.promoted.iter().rev().find(|digest| **digest != current).copied();
    let Some(earlier) = earlier else {
        return Err(CommandError::NothingToRollBack { env, current: current.to_string() });
    };
    let decision = decision(state, spec, slug, slug, earlier, env, now_ms)?;
    if !decision.allowed() {
        return Err(PromotionRefused { release: earlier.to_string(), env, decision }.into());
    }
    Ok(Event::Promoted {
        mission: slug.to_string(),
        release: earlier,
        env,
        by: by.into(),
        at_ms: now_ms,
        rollback: true,
    })
}

/// Stops the mission for good, keeping its data.
pub fn archive_mission(state: &ControlState, slug: &MissionSlug, by: &str, now_ms: u64) -> Result<Event, CommandError> {
    mission(state, slug)?;
    Ok(Event::MissionArchived { mission: slug.to_string(), by: by.into(), at_ms: now_ms })
}

/// Records that the mission's data went to `export` and was removed (active or archived).
pub fn delete_mission(
    state: &ControlState,
    slug: &MissionSlug,
    export: &str,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    any_mission(state, slug)?;
    Ok(Event::MissionDeleted { mission: slug.to_string(), by: by.into(), at_ms: now_ms, export: export.into() })
}

/// Stops an environment's deployment until resumed.
pub fn pause(state: &ControlState, slug: &MissionSlug, env: Env, by: &str, now_ms: u64) -> Result<Event, CommandError> {
    let mission = mission(state, slug)?;
    if mission.envs.get(&env).is_some_and(|status| status.paused) {
        return Err(CommandError::PausedAlready { mission: slug.to_string(), env });
    }
    Ok(Event::Paused { mission: slug.to_string(), env, by: by.into(), at_ms: now_ms })
}

/// Starts a paused environment's deployment again.
pub fn resume(
    state: &ControlState,
    slug: &MissionSlug,
    env: Env,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    let mission = mission(state, slug)?;
    if !mission.envs.get(&env).is_some_and(|status| status.paused) {
        return Err(CommandError::NotPaused { mission: slug.to_string(), env });
    }
    Ok(Event::Resumed { mission: slug.to_string(), env, by: by.into(), at_ms: now_ms })
}

/// Longest blackout reason.
pub const BLACKOUT_REASON_LEN_MAX: usize = 200;

/// No promotion to `env` in `[from_ms, to_ms)`: a pass, a critical operation.
#[allow(clippy::too_many_arguments)] // one event's fields
pub fn blackout(
    state: &ControlState,
    slug: &MissionSlug,
    env: Env,
    from_ms: u64,
    to_ms: u64,
    reason: &str,
    by: &str,
    now_ms: u64,
) -> Result<Event, CommandError> {
    mission(state, slug)?;
    if from_ms >= to_ms {
        return Err(CommandError::BadBlackout(format!("from {from_ms} ms is not before to {to_ms} ms")));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > BLACKOUT_REASON_LEN_MAX || reason.chars().any(char::is_control) {
        let why = format!("a reason of 1 to {BLACKOUT_REASON_LEN_MAX} printable characters");
        return Err(CommandError::BadBlackout(why));
    }
    Ok(Event::BlackoutSet {
        mission: slug.to_string(),
        env,
        from_ms,
        to_ms,
        reason: reason.into(),
        by: by.into(),
        at_ms: now_ms,
    })
}
