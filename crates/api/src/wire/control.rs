//! The JSON shapes of the control plane (issue 6): missions, releases, gates, approvals,
//! promotions, rollbacks and what each environment runs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a release is cut from, read by the client from disk: the platform cuts and signs it.
/// Every file is UTF-8 text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSource {
    /// The mission file's text (TOML).
    pub mission_file: String,
    /// The model's canonical JSON (as `model show --canonical` writes it).
    pub model_json: String,
    /// The model's source files, for the provenance: name → `sha256:<hex>`.
    #[serde(default)]
    pub model_sources: BTreeMap<String, String>,
    /// Procedure files: file name (`ping.toml`) → text.
    #[serde(default)]
    pub procedures: BTreeMap<String, String>,
    /// The mission's own Cedar policies, when its mission file names a file of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<String>,
}

/// A release cut and signed elsewhere: every file of its folder (path → text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBundle {
    pub files: BTreeMap<String, String>,
}

/// A mission in the list of missions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MissionSummary {
    pub mission: String,
    /// `active`, `archived`.
    pub state: String,
    pub created_ms: u64,
    pub releases: usize,
    /// What each environment runs: env → `sha256:<hex>` (environments running nothing are
    /// left out).
    pub running: BTreeMap<String, String>,
}

/// One mission: its releases and environments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MissionDetail {
    pub mission: String,
    pub state: String,
    pub created_ms: u64,
    pub created_by: String,
    /// Oldest first.
    pub releases: Vec<ReleaseSummary>,
    /// `dev`, `aiv`, `ops` in promotion order.
    pub envs: Vec<EnvControl>,
}

/// A release of a mission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReleaseSummary {
    /// `sha256:<hex>` of its manifest.
    pub digest: String,
    pub mission: String,
    /// `sha256:<hex>` of its canonical model.
    pub model_digest: String,
    pub cut_by: String,
    pub cut_at_ms: u64,
    /// `platform` or `mission:<slug>`.
    pub signer: String,
    pub key_id: String,
    pub procedures: Vec<String>,
    pub registered_by: String,
    pub registered_ms: u64,
}

/// A release with every gate result and approval recorded for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReleaseDetail {
    pub release: ReleaseSummary,
    /// The provenance statement (in-toto Statement v1), as stored.
    pub provenance: serde_json::Value,
    /// Every file of the bundle: path → `sha256:<hex>`.
    pub files: BTreeMap<String, String>,
    pub attestations: Vec<AttestationDto>,
    pub approvals: Vec<ApprovalDto>,
}

/// A gate's result for a release and an environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttestationDto {
    pub release: String,
    pub env: String,
    /// `validate` or `test`.
    pub gate: String,
    pub passed: bool,
    pub detail: String,
    pub by: String,
    pub at_ms: u64,
}

/// An approval of a release for an environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalDto {
    pub release: String,
    pub env: String,
    pub principal: String,
    pub role: String,
    pub at_ms: u64,
}

/// An environment of a mission as the control plane sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EnvControl {
    pub env: String,
    /// The release it shall run (the latest promotion or rollback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<String>,
    /// The release its deployment runs now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<String>,
    /// `running`, `paused`, `stopped` (never deployed or archived), `failed`.
    pub deployment: String,
    /// Desired and running differ (or it should run and does not).
    pub drift: bool,
    /// Why the deployment failed to start, when `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every promotion and rollback, oldest first.
    pub history: Vec<PromotionRecord>,
    /// Times no promotion to the environment is allowed (its pipeline's window gate), oldest
    /// first.
    #[serde(default)]
    pub blackouts: Vec<BlackoutDto>,
}

/// A time when promotions to an environment are refused: a pass, a critical operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlackoutDto {
    pub from_ms: u64,
    /// Exclusive; after `from_ms`.
    pub to_ms: u64,
    pub reason: String,
}

/// A promotion or rollback of an environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromotionRecord {
    pub release: String,
    pub by: String,
    pub at_ms: u64,
    pub rollback: bool,
}

/// Approving a release for an environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseApproval {
    /// `sha256:<hex>` (or its hex alone) of the release approved.
    pub release: String,
    /// The role approved in, which the principal must hold in that environment.
    pub role: String,
}

/// Promoting a release to an environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionRequest {
    /// `sha256:<hex>` (or its hex alone) of the release.
    pub release: String,
}

/// Archiving or deleting a mission: the mission's name again, to confirm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissionConfirm {
    pub confirm: String,
}

/// The outcome of a promotion or rollback (refusals are 409 with every gate's standing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromotionOutcome {
    pub mission: String,
    pub env: String,
    pub release: String,
    pub rollback: bool,
    /// Gates run for this request (validate, test), with their results.
    pub attested: Vec<AttestationDto>,
    /// Each gate of the environment and whether it was met.
    pub gates: Vec<GateStanding>,
    /// How the deployment took it: `started`, `swapped` (hot swap, links kept), `restarted`
    /// (its configuration changed), `unchanged`.
    pub deployed: String,
    pub took_ms: u64,
}

/// One gate of an environment for a release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GateStanding {
    pub gate: String,
    pub met: bool,
    pub detail: String,
}

/// A mission's data moved out before it was deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MissionRemoved {
    pub mission: String,
    /// `archived` or `deleted`.
    pub state: String,
    /// Where its data and records were exported (deleted missions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
}

/// An environment whose deployment does not run what it should.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DriftDto {
    pub mission: String,
    pub env: String,
    pub desired: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<String>,
}

/// A change of the control plane, as recorded (for the audit chain).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ControlEventDto {
    pub index: u64,
    /// The event, as stored (`{"event": "promoted", ...}`).
    pub event: serde_json::Value,
}
