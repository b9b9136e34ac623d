//! The JSON shapes of commanding: the model's commands, requests, approvals, the live queue and
//! the command history.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A command of the model, as a command stack lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandDefinition {
    /// Qualified name, e.g. `/PUS/PUS17/PING`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `none`, `watch`, `warning`, `distress`, `critical` or `severe`.
    pub significance: String,
    /// Whether it waits for a second principal's approval.
    pub hazardous: bool,
    /// The arguments a request may give (those the inheritance chain fixes are left out).
    pub arguments: Vec<ArgumentDefinition>,
}

/// An argument of a command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArgumentDefinition {
    pub name: String,
    /// The argument type's qualified name.
    pub type_name: String,
    /// `integer`, `float`, `enumeration`, `string`, `binary`, `boolean`, `array`, `aggregate`,
    /// `time` or `absolute_time`.
    pub kind: String,
    /// The value used when a request leaves the argument out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The valid range, e.g. `0..=255`, when the type has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The labels of an enumeration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// A request to send a command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    /// The command's qualified name.
    pub command: String,
    /// Argument values by name: numbers, booleans, strings (a number, label or hex bytes in text
    /// form), arrays, or objects for aggregates.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub arguments: serde_json::Map<String, serde_json::Value>,
    /// Ground time tag: the command is held in the queue until this time (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_at_ms: Option<u64>,
    /// On-board time tag: the command is sent now inside a PUS TC[11,4] that has the spacecraft
    /// release it at this time (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_at_ms: Option<u64>,
}

/// A command the deployment took: it is in the queue (or, with no verification expected, sent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandAccepted {
    pub id: u64,
    /// `sha256:<hex>` of the encoded bytes: what an approver approves.
    pub digest: String,
    /// The state it is in after the request (`pending_approval`, `queued`, `released`, ...).
    pub state: String,
    /// The encoded telecommand, hex.
    pub bytes_hex: String,
}

/// A second principal approves a hazardous command, naming the digest of the bytes they saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    pub digest: String,
}

/// An argument value as the requester gave it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArgumentValue {
    pub name: String,
    pub value: String,
}

/// A verification stage of a command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageDto {
    /// `acceptance`, `start`, `progress`, `completion`, or `telemetry` for a model verifier
    /// over telemetry.
    pub stage: String,
    /// `pending`, `passed`, `failed` or `timed_out`.
    pub outcome: String,
    /// When the outcome came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<u64>,
    /// The failure code of a failed stage's PUS 1 report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<u64>,
    /// The last time its report may come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
}

/// One transition of one command in the command history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandEventDto {
    pub id: u64,
    /// The command's qualified name.
    pub command: String,
    pub time_ms: u64,
    /// The state entered: `requested`, `pending_approval`, `approved`, `queued`, `released`,
    /// `sent`, `accepted`, `started`, `progress`, `completed`, `failed`, `timed_out`,
    /// `cancelled` or `rejected`.
    pub state: String,
    /// Who caused it; absent for the platform (automatic release, reports, timeouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    pub detail: String,
}

/// A command with its stages and history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandView {
    pub id: u64,
    pub command: String,
    /// Who requested it.
    pub principal: String,
    pub arguments: Vec<ArgumentValue>,
    pub digest: String,
    pub bytes_hex: String,
    /// The latest state (see [`CommandEventDto::state`]).
    pub state: String,
    /// Whether its life is over (completed, failed, timed out, cancelled, rejected).
    pub finished: bool,
    pub requested_ms: u64,
    /// Expected stages with their outcome (empty once the command left the live queue and only
    /// the history is left).
    pub stages: Vec<StageDto>,
    /// Every transition, oldest first.
    pub history: Vec<CommandEventDto>,
}

/// A page of the command history, oldest first; pass `next` back as `cursor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandHistoryPage {
    pub items: Vec<CommandEventDto>,
    pub next: Option<String>,
}

/// Command history in [from_ms, to_ms).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandHistoryQuery {
    pub from_ms: u64,
    pub to_ms: u64,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// How a deployment's queued commands are released: `automatic` (as soon as queued) or
/// `manual` (an operator releases each). Switching to automatic releases what is queued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseModeRequest {
    pub mode: String,
}

/// What an operator does to a command in the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandAction {
    /// A second principal approves the hazardous command with this digest.
    Approve { digest: String },
    /// Release a queued command for sending (manual release mode).
    Release,
    /// Cancel a command that has not been sent.
    Cancel,
}

/// The answer to an approval, release or cancellation: the command as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandActionDone {
    pub id: u64,
    pub state: String,
    pub by: String,
}
