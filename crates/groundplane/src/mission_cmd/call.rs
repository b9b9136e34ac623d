//! Each subcommand as one request to the platform's control API, and how its answer prints.

use super::{render, source, MissionCommand};
use crate::procedure_cmd::http::{encode, IO_TIMEOUT};
use api::wire::{
    ApprovalDto, BlackoutDto, ControlEventDto, DriftDto, EnvControl, MissionConfirm, MissionDetail, MissionRemoved,
    MissionSummary, PromotionOutcome, PromotionRequest, ReleaseApproval, ReleaseDetail, ReleaseSummary,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// How long the platform may take over a request that runs gates, deploys, stops or exports
/// (creating a mission promotes its first release to DEV; a promotion may run a test gate for
/// minutes; deleting a mission exports its data).
pub const WORK_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// An answer's body (a 2xx one) as text for an operator.
pub type Render = Box<dyn Fn(&[u8]) -> anyhow::Result<String>>;

/// One request to the platform, and how its answer prints.
pub struct Call {
    pub method: &'static str,
    /// From `/api`, with its segments percent-encoded.
    pub path: String,
    /// JSON.
    pub body: Option<Vec<u8>>,
    /// How long the answer may take.
    pub timeout: Duration,
    pub render: Render,
}

/// Prints an answer of JSON shape `T` with `print`.
fn text_of<T: DeserializeOwned>(print: impl Fn(&T) -> String + 'static) -> Render {
    Box::new(move |bytes| Ok(print(&serde_json::from_slice::<T>(bytes)?)))
}

fn get(path: String, render: Render) -> Call {
    Call { method: "GET", path, body: None, timeout: IO_TIMEOUT, render }
}

fn post(path: String, body: &impl Serialize, timeout: Duration, render: Render) -> anyhow::Result<Call> {
    Ok(Call { method: "POST", path, body: Some(serde_json::to_vec(body)?), timeout, render })
}

fn mission_path(mission: &str) -> String {
    format!("/api/missions/{}", encode(mission, false))
}

fn env_path(mission: &str, env: &str, action: &str) -> String {
    format!("{}/envs/{}/{action}", mission_path(mission), encode(env, false))
}

/// The request of a subcommand; reads the mission file or the release store where it uploads.
pub fn of(command: &MissionCommand) -> anyhow::Result<Call> {
    use MissionCommand as C;
    Ok(match command {
        C::Create { file, .. } => {
            let (_, release_source) = source::release_source(file)?;
            let now_ms = crate::clock::now_ms();
            let render = text_of(move |detail: &MissionDetail| render::created(detail, now_ms));
            post("/api/missions".to_string(), &release_source, WORK_TIMEOUT, render)?
        }
        C::List { .. } => {
            get("/api/missions".to_string(), text_of(|missions: &Vec<MissionSummary>| render::missions(missions)))
        }
        C::Show { mission, .. } => {
            let now_ms = crate::clock::now_ms();
            get(mission_path(mission), text_of(move |detail: &MissionDetail| render::mission(detail, now_ms)))
        }
        C::Events { mission, .. } => get(
            format!("{}/events", mission_path(mission)),
            text_of(|events: &Vec<ControlEventDto>| render::events(events)),
        ),
        C::Drift { .. } => get("/api/control/drift".to_string(), text_of(|drift: &Vec<DriftDto>| render::drift(drift))),
        C::Release { file, .. } => {
            let (mission, release_source) = source::release_source(file)?;
            let path = format!("{}/releases", mission_path(mission.as_str()));
            post(path, &release_source, IO_TIMEOUT, text_of::<ReleaseSummary>(render::registered))?
        }
        C::Import { mission, digest, store, .. } => {
            let bundle = source::release_bundle(store, mission, digest)?;
            let path = format!("{}/releases/import", mission_path(mission));
            post(path, &bundle, IO_TIMEOUT, text_of::<ReleaseSummary>(render::registered))?
        }
        C::Releases { mission, .. } => get(
            format!("{}/releases", mission_path(mission)),
            text_of(|releases: &Vec<ReleaseSummary>| render::releases(releases)),
        ),
        C::ReleaseShow { mission, digest, .. } => get(
            format!("{}/releases/{}", mission_path(mission), encode(digest, false)),
            text_of::<ReleaseDetail>(render::release),
        ),
        C::Diff { mission, a, b, .. } => {
            let path = format!("{}/releases/{}/diff/{}", mission_path(mission), encode(a, false), encode(b, false));
            let mission = mission.clone();
            get(path, text_of(move |diff: &serde_json::Value| render::diff(&mission, diff)))
        }
        C::Approve { mission, env, digest, role, .. } => {
            let approval = ReleaseApproval { release: digest.clone(), role: role.clone() };
            post(env_path(mission, env, "approve"), &approval, IO_TIMEOUT, text_of::<ApprovalDto>(render::approval))?
        }
        C::Promote { mission, env, digest, .. } => {
            let request = PromotionRequest { release: digest.clone() };
            post(
                env_path(mission, env, "promote"),
                &request,
                WORK_TIMEOUT,
                text_of::<PromotionOutcome>(render::outcome),
            )?
        }
        C::Rollback { mission, env, .. } => Call {
            method: "POST",
            path: env_path(mission, env, "rollback"),
            body: None,
            timeout: WORK_TIMEOUT,
            render: text_of::<PromotionOutcome>(render::outcome),
        },
        C::Pause { mission, env, .. } | C::Resume { mission, env, .. } => {
            let action = if matches!(command, C::Pause { .. }) { "pause" } else { "resume" };
            Call {
                method: "POST",
                path: env_path(mission, env, action),
                body: None,
                timeout: WORK_TIMEOUT,
                render: text_of::<EnvControl>(render::env_control),
            }
        }
        C::Blackout { mission, env, from, to, reason, .. } => {
            let blackout = BlackoutDto { from_ms: *from, to_ms: *to, reason: reason.clone() };
            let render = text_of::<EnvControl>(render::env_control);
            post(env_path(mission, env, "blackouts"), &blackout, IO_TIMEOUT, render)?
        }
        C::Archive { mission, confirm, .. } => {
            let body = MissionConfirm { confirm: confirm.clone() };
            let path = format!("{}/archive", mission_path(mission));
            post(path, &body, WORK_TIMEOUT, text_of::<MissionRemoved>(render::removed))?
        }
        C::Delete { mission, confirm, .. } => Call {
            method: "DELETE",
            path: format!("{}?confirm={}", mission_path(mission), encode(confirm, false)),
            body: None,
            timeout: WORK_TIMEOUT,
            render: text_of::<MissionRemoved>(render::removed),
        },
    })
}
