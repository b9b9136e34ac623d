//! The JSON shapes of the HTTP and WebSocket API. This module owns the wire format: nothing
//! else derives `Serialize` for it. Times are milliseconds since the Unix epoch (UTC).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

mod commands;
mod control;
mod identity;
mod secrets;
pub use commands::*;
pub use control::*;
pub use identity::*;
pub use secrets::*;

/// A deployment in the list of deployments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeploymentSummary {
    pub mission: String,
    pub env: String,
    /// `sha256:<hex>` of the canonical mission model it runs.
    pub model_digest: String,
    pub links: usize,
}

/// One deployment's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeploymentStatus {
    pub mission: String,
    pub env: String,
    pub model_digest: String,
    pub links: Vec<LinkStatus>,
    /// What is durable: it survives a crash or power loss.
    pub stored: StoredTotals,
    /// Units received but not yet durable.
    pub pending_units: u64,
    pub started_ms: u64,
    /// How queued commands are released: `automatic` or `manual`.
    #[serde(default)]
    pub command_release: String,
    /// Commands in the queue (not finished).
    #[serde(default)]
    pub commands_live: usize,
}

/// A link and its counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkStatus {
    pub name: String,
    /// `udp` or `tcp`.
    pub transport: String,
    pub address: String,
    /// `packets`, `frames` or `nctrs`.
    pub framing: String,
    /// Whether a peer is connected (TCP) or data arrived in the last 10 s (UDP).
    pub active: bool,
    pub units_in: u64,
    pub bytes_in: u64,
    /// Invalid units by reason.
    pub invalid: BTreeMap<String, u64>,
    pub gaps: u64,
}

/// Cumulative durable totals of a deployment's archive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoredTotals {
    pub units: u64,
    pub samples: u64,
    pub events: u64,
    pub alarms: u64,
    pub commands: u64,
    pub last_unit_ms: Option<u64>,
}

/// A parameter the archive holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ParameterInfo {
    pub name: String,
    pub samples: u64,
    pub first_ms: Option<u64>,
    pub last_ms: Option<u64>,
}

/// One parameter value. `raw` and `eng` are JSON numbers, booleans, strings (text, enumeration
/// labels, binary as hex) or null (a value that could not be calibrated).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SampleDto {
    pub parameter: String,
    pub time_ms: u64,
    #[schema(value_type = Object)]
    pub raw: serde_json::Value,
    #[schema(value_type = Object)]
    pub eng: serde_json::Value,
    /// `normal`, `watch`, `warning`, `distress`, `critical` or `severe`.
    pub level: String,
    /// False when the parameter's validity condition did not hold.
    pub valid: bool,
}

/// A page of samples; pass `next` back as `cursor` for the following page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SamplePage {
    pub items: Vec<SampleDto>,
    pub next: Option<String>,
}

/// Samples of one or more parameters in [from_ms, to_ms).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RangeQuery {
    pub parameters: Vec<String>,
    pub from_ms: u64,
    pub to_ms: u64,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// N equal buckets of one parameter over [from_ms, to_ms).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BucketQuery {
    pub parameter: String,
    pub from_ms: u64,
    pub to_ms: u64,
    pub buckets: usize,
}

/// Min, max and average of the engineering values in one bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BucketDto {
    pub start_ms: u64,
    pub end_ms: u64,
    pub count: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub avg: Option<f64>,
}

/// Raw units in [from_ms, to_ms), optionally of one APID.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitQuery {
    pub from_ms: u64,
    pub to_ms: u64,
    pub apid: Option<u16>,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// A received unit as archived.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitDto {
    pub seq: u64,
    pub link: String,
    pub time_ms: u64,
    /// `packet`, `frame` or `fragment`.
    pub kind: String,
    pub apid: Option<u16>,
    /// The bytes, in hex.
    pub hex: String,
    /// Why it could not be used, when it could not.
    pub invalid: Option<String>,
}

/// A page of units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<UnitDto>,
    pub next: Option<String>,
}

/// Events in [from_ms, to_ms) of at least a severity (`info`, `low`, `medium`, `high`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventQuery {
    pub from_ms: u64,
    pub to_ms: u64,
    pub min_severity: String,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// An event (e.g. a PUS service 5 report).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventDto {
    pub time_ms: u64,
    pub severity: String,
    pub source: String,
    pub event_id: u64,
    pub message: String,
    /// Auxiliary data, in hex.
    pub data_hex: String,
}

/// A page of events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    pub next: Option<String>,
}

/// Alarm changes in [from_ms, to_ms) of at least a level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlarmQuery {
    pub from_ms: u64,
    pub to_ms: u64,
    pub min_level: String,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// A change in an alarm's life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlarmDto {
    pub time_ms: u64,
    pub parameter: String,
    /// `raised`, `level_changed`, `acknowledged`, `cleared` or `closed`.
    pub change: String,
    pub level: String,
    pub by: Option<String>,
}

/// A page of alarm changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlarmPage {
    pub items: Vec<AlarmDto>,
    pub next: Option<String>,
}

/// An alarm open now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OpenAlarmDto {
    pub parameter: String,
    /// `active`, `acknowledged` or `cleared`.
    pub phase: String,
    pub level: String,
    pub worst: String,
    pub raised_ms: u64,
    pub acknowledged_by: Option<String>,
}

/// What a live stream carries. Parameter names may use `*` as a wildcard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    #[serde(default)]
    pub parameters: Vec<String>,
    #[serde(default)]
    pub alarms: bool,
    #[serde(default)]
    pub events: bool,
    #[serde(default)]
    pub links: bool,
    /// Command history updates.
    #[serde(default)]
    pub commands: bool,
}

/// Re-run the archived units of [from_ms, to_ms) through a model version into a replay stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReplayRequest {
    pub from_ms: u64,
    pub to_ms: u64,
    /// `sha256:<hex>` of a model version the deployment knows; the running one when absent.
    pub model_digest: Option<String>,
    /// 1.0 = as received, 10.0 = ten times faster; absent = as fast as possible.
    pub speed: Option<f64>,
    /// Parameters to stream (names or `*` patterns); all when empty.
    #[serde(default)]
    pub parameters: Vec<String>,
    /// Write the replayed samples into the archive (backfill) instead of only streaming them.
    #[serde(default)]
    pub backfill: bool,
}

/// One message of a live or replay stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// Samples; `dropped` counts samples this client missed since the previous message
    /// because it read too slowly.
    Samples {
        samples: Vec<SampleDto>,
        dropped: u64,
    },
    Alarm {
        alarm: AlarmDto,
    },
    Event {
        event: EventDto,
    },
    Link {
        link: LinkStatus,
    },
    /// A command changed state.
    Command {
        event: CommandEventDto,
    },
    /// A replay reached the end of its range.
    ReplayDone {
        units: u64,
        samples: u64,
        /// With `backfill`: samples written to the archive (replacing those of the range).
        #[serde(default)]
        backfilled: u64,
    },
    /// The server ends the stream, and says why.
    Closed {
        reason: String,
    },
}

/// The body of every error answer. `field` names the path segment, query parameter or JSON
/// field at fault, when there is one; `request_id` is also in the `x-request-id` header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What is wrong, for a person to read.
    pub error: String,
    /// The path segment, query parameter or JSON field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The id of the request, to find it in the server's log.
    #[serde(default)]
    pub request_id: String,
}

/// Liveness: the server answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// Acknowledge the open alarm of a parameter (parameter names may contain `/`, so the name is
/// in the body rather than the path).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub parameter: String,
}

/// An acknowledgement done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Acknowledged {
    pub parameter: String,
    /// The principal who acknowledged.
    pub by: String,
}
