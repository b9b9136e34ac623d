//! The platform's answers as short lines for an operator: pure functions from the API's JSON
//! shapes to text (`--json` prints the answers as they are instead).

use crate::release_cmd::utc;
use api::wire::{
    ApprovalDto, BlackoutDto, ControlEventDto, DriftDto, EnvControl, GateStanding, MissionDetail, MissionRemoved,
    MissionSummary, PromotionOutcome, ReleaseDetail, ReleaseSummary,
};
use serde_json::Value;
use std::fmt::Write;

/// `sha256:` and the first 12 hex digits: enough to tell releases apart, and accepted where a
/// release is named.
fn short(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    format!("sha256:{}", hex.get(..12).unwrap_or(hex))
}

fn short_or_nothing(digest: Option<&String>) -> String {
    digest.map_or_else(|| "nothing".to_string(), |digest| short(digest))
}

/// `1.234 s`.
fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

pub fn missions(missions: &[MissionSummary]) -> String {
    let mut out = String::new();
    for mission in missions {
        let running: Vec<String> =
            mission.running.iter().map(|(env, digest)| format!("{env} {}", short(digest))).collect();
        let running = if running.is_empty() { "runs nothing".to_string() } else { running.join(", ") };
        let _ = writeln!(
            out,
            "{}  {}  {} release(s)  created {}  {running}",
            mission.mission,
            mission.state,
            mission.releases,
            utc(mission.created_ms)
        );
    }
    if missions.is_empty() {
        out.push_str("no missions\n");
    }
    out
}

/// A mission; of each environment's blackouts those not over at `now_ms`.
pub fn mission(mission: &MissionDetail, now_ms: u64) -> String {
    let mut out = format!(
        "mission {} ({}), created {} by {}\n",
        mission.mission,
        mission.state,
        utc(mission.created_ms),
        mission.created_by
    );
    let _ = writeln!(out, "releases ({}, oldest first):", mission.releases.len());
    for release in &mission.releases {
        let _ = writeln!(out, "  {}", release_line(release));
    }
    out.push_str("environments:\n");
    for env in &mission.envs {
        let _ = writeln!(out, "  {}", env_line(env));
        for blackout in env.blackouts.iter().filter(|blackout| blackout.to_ms > now_ms) {
            let _ = writeln!(out, "    {}", blackout_line(blackout));
        }
    }
    out
}

/// A mission just created: its first release and what DEV does with it.
pub fn created(detail: &MissionDetail, now_ms: u64) -> String {
    format!("mission {} created\n{}", detail.mission, mission(detail, now_ms))
}

fn release_line(release: &ReleaseSummary) -> String {
    format!(
        "{}  cut {} by {}  signed by {}  {} procedure(s)",
        release.digest,
        utc(release.cut_at_ms),
        release.cut_by,
        release.signer,
        release.procedures.len()
    )
}

fn env_line(env: &EnvControl) -> String {
    let mut line = format!(
        "{:<4} deployment {}, runs {}, wants {}",
        env.env,
        env.deployment,
        short_or_nothing(env.running.as_ref()),
        short_or_nothing(env.desired.as_ref())
    );
    if env.drift {
        line.push_str(", DRIFT");
    }
    if let Some(error) = &env.error {
        let _ = write!(line, ", error: {error}");
    }
    if let Some(last) = env.history.last() {
        let what = if last.rollback { "rolled back to" } else { "promoted" };
        let _ = write!(line, "; last {what} {} by {} at {}", short(&last.release), last.by, utc(last.at_ms));
    }
    line
}

/// `blackout FROM to TO: reason`, in UTC.
fn blackout_line(blackout: &BlackoutDto) -> String {
    format!("blackout {} to {}: {}", utc(blackout.from_ms), utc(blackout.to_ms), blackout.reason)
}

/// What `mission pause`, `mission resume` and `mission blackout` answer: the environment,
/// then each of its blackouts.
pub fn env_control(env: &EnvControl) -> String {
    let mut out = format!("{}\n", env_line(env));
    for blackout in &env.blackouts {
        let _ = writeln!(out, "  {}", blackout_line(blackout));
    }
    out
}

pub fn events(events: &[ControlEventDto]) -> String {
    let mut out = String::new();
    for event in events {
        let _ = write!(out, "#{}", event.index);
        match &event.event {
            Value::Object(fields) => {
                if let Some(Value::String(name)) = fields.get("event") {
                    let _ = write!(out, " {name}");
                }
                for (key, value) in fields.iter().filter(|(key, _)| *key != "event") {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    let _ = write!(out, " {key}={text}");
                }
            }
            other => {
                let _ = write!(out, " {other}");
            }
        }
        out.push('\n');
    }
    if events.is_empty() {
        out.push_str("no events\n");
    }
    out
}

pub fn drift(drift: &[DriftDto]) -> String {
    let mut out = String::new();
    for entry in drift {
        let _ = writeln!(
            out,
            "{}/{}  wants {}, runs {}",
            entry.mission,
            entry.env,
            short(&entry.desired),
            short_or_nothing(entry.running.as_ref())
        );
    }
    if drift.is_empty() {
        out.push_str("no drift: every environment runs what it should\n");
    }
    out
}

/// A release the platform cut or imported: its digest first.
pub fn registered(release: &ReleaseSummary) -> String {
    format!(
        "release {} registered: mission {}, model {}, {} procedure(s), signed by {} key {}\n",
        release.digest,
        release.mission,
        release.model_digest,
        release.procedures.len(),
        release.signer,
        release.key_id
    )
}

pub fn releases(releases: &[ReleaseSummary]) -> String {
    let mut out: String = releases.iter().map(|release| format!("{}\n", release_line(release))).collect();
    if releases.is_empty() {
        out.push_str("no releases\n");
    }
    out
}

pub fn release(detail: &ReleaseDetail) -> String {
    let release = &detail.release;
    let mut out =
        format!("release {}\nmission {}\nmodel   {}\n", release.digest, release.mission, release.model_digest);
    let _ = writeln!(
        out,
        "cut by {} at {}, signed by {} key {}",
        release.cut_by,
        utc(release.cut_at_ms),
        release.signer,
        release.key_id
    );
    let _ = writeln!(out, "registered by {} at {}", release.registered_by, utc(release.registered_ms));
    out.push_str("files:\n");
    for (path, digest) in &detail.files {
        let _ = writeln!(out, "  {path:<40} {digest}");
    }
    out.push_str("gates:\n");
    for gate in &detail.attestations {
        let verdict = if gate.passed { "passed" } else { "FAILED" };
        let _ = writeln!(
            out,
            "  {} {} {verdict}: {} (by {} at {})",
            gate.env,
            gate.gate,
            gate.detail,
            gate.by,
            utc(gate.at_ms)
        );
    }
    out.push_str("approvals:\n");
    for approval in &detail.approvals {
        let _ = writeln!(
            out,
            "  {} as {} by {} at {}",
            approval.env,
            approval.role,
            approval.principal,
            utc(approval.at_ms)
        );
    }
    out
}

/// The platform's diff: the text `release diff` prints when the answer has it, else its JSON.
pub fn diff(mission: &str, diff: &Value) -> String {
    let field = |name: &str| diff.get(name).and_then(Value::as_str);
    match (field("a"), field("b"), field("text")) {
        (Some(a), Some(b), Some(text)) => {
            crate::release_cmd::diff_text(&format!("{mission} {a}"), &format!("{mission} {b}"), text)
        }
        _ => format!("{diff:#}\n"),
    }
}

pub fn approval(approval: &ApprovalDto) -> String {
    format!(
        "approved {} for {} as {} (by {} at {})\n",
        approval.release,
        approval.env,
        approval.role,
        approval.principal,
        utc(approval.at_ms)
    )
}

/// A promotion or rollback done: what was deployed, how, and every gate's standing.
pub fn outcome(outcome: &PromotionOutcome) -> String {
    let what = if outcome.rollback { "rolled back" } else { "promoted" };
    let to = if outcome.rollback {
        format!("{}/{} to {}", outcome.mission, outcome.env, outcome.release)
    } else {
        format!("{} to {}/{}", outcome.release, outcome.mission, outcome.env)
    };
    let mut out = format!("{what} {to}: deployment {}, took {}\n", outcome.deployed, seconds(outcome.took_ms));
    out.push_str(&gates(&outcome.gates));
    for gate in &outcome.attested {
        let verdict = if gate.passed { "passed" } else { "FAILED" };
        let _ = writeln!(out, "  ran {} for {}: {verdict}: {}", gate.gate, gate.env, gate.detail);
    }
    out
}

fn gates(gates: &[GateStanding]) -> String {
    let width = gates.iter().map(|gate| gate.gate.len()).max().unwrap_or(0);
    let mut out = String::new();
    for gate in gates {
        let met = if gate.met { "met" } else { "NOT MET" };
        let _ = writeln!(out, "  gate {:<width$}  {met:<7}  {}", gate.gate, gate.detail);
    }
    out
}

pub fn removed(removed: &MissionRemoved) -> String {
    match &removed.export {
        Some(export) => {
            format!("mission {} {}; its data and records are in {export}\n", removed.mission, removed.state)
        }
        None => format!("mission {} {}\n", removed.mission, removed.state),
    }
}

/// An error body's reason, with the field at fault and the request id: `reason (field `f`,
/// request r1)`; `None` when the body is not an error body.
pub fn reason(body: &[u8]) -> Option<String> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let reason = body.get("error").or_else(|| body.get("reason")).and_then(Value::as_str)?;
    let mut notes = Vec::new();
    if let Some(field) = body.get("field").and_then(Value::as_str) {
        notes.push(format!("field `{field}`"));
    }
    if let Some(request_id) = body.get("request_id").and_then(Value::as_str).filter(|id| !id.is_empty()) {
        notes.push(format!("request {request_id}"));
    }
    Some(if notes.is_empty() { reason.to_string() } else { format!("{reason} ({})", notes.join(", ")) })
}

/// A 4xx answer with an error body as `error: ...`, then the gates' standings when the body
/// has them (a refused promotion); `None` when the body is not an error body.
pub fn refusal(status: u16, body: &[u8]) -> Option<String> {
    let mut out = format!("error: {}", reason(body)?);
    if status == 401 {
        out.push_str("; give a token with --token or $GROUNDPLANE_TOKEN");
    }
    out.push('\n');
    let body: Value = serde_json::from_slice(body).ok()?;
    let standings: Option<Vec<GateStanding>> =
        body.get("gates").and_then(|gates| serde_json::from_value(gates.clone()).ok());
    out.push_str(&gates(&standings.unwrap_or_default()));
    Some(out)
}
