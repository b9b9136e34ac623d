//! The single request gate: who is asking (principal), may they (authorize), record it.
//! Issue 7 puts real identity and Cedar policy behind `Identify` and `Authorizer`.
//!
//! Routes are added only through the route table (`routes`), and the table wraps every handler
//! in `pipeline::gate`, which calls `Gate::decide` exactly once per request.

mod log;
mod policy;
mod token;

pub use log::{DecisionLog, DecisionRecord, DECISION_LOG_LEN};
pub use policy::{DenyAll, ScopedPolicy};
pub use token::{GrantError, ScopeGrant, TokenGrant, TokenIdentity};

use crate::error::ApiError;
use axum::http::HeaderMap;
use base::{MissionSlug, Scope};
use std::fmt;
use std::sync::Arc;

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// A stable id: a user name, a token's name, or `anonymous`.
    pub id: String,
    /// How the principal was identified.
    pub kind: PrincipalKind,
}

/// How the principal was identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// No credential was presented.
    Anonymous,
    /// A bearer API token.
    Token,
}

impl Principal {
    /// The principal of a request without a credential.
    pub fn anonymous() -> Principal {
        Principal { id: "anonymous".to_string(), kind: PrincipalKind::Anonymous }
    }
}

/// What a request does. Each route of the table has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Liveness, the list of deployments, the OpenAPI document.
    ReadPlatform,
    /// The Prometheus metrics.
    ReadMetrics,
    /// A deployment's status.
    ReadStatus,
    /// Parameters and their latest values.
    ReadTelemetry,
    /// Archived samples, units, events and alarms (JSON pages).
    ReadArchive,
    /// Archived data as streamed CSV.
    ExportArchive,
    /// The live WebSocket stream.
    SubscribeLive,
    /// Re-running archived units through a model (streamed, not stored).
    Replay,
    /// Writing a replay's samples into the archive.
    Backfill,
    /// Acknowledging an open alarm.
    AcknowledgeAlarm,
    /// The model's commands, the command queue and history.
    ReadCommands,
    /// Sending, releasing and cancelling commands.
    SendCommand,
    /// Approving another principal's hazardous command.
    ApproveCommand,
    /// The control plane's missions, releases, events and drift.
    ReadControl,
    /// Creating, archiving and deleting missions.
    ManageMissions,
    /// Cutting a release of a mission, or importing one cut elsewhere.
    CutRelease,
    /// Approving a release for an environment.
    ApproveRelease,
    /// Promoting a release to an environment, or rolling it back.
    Promote,
    /// Pausing and resuming an environment's deployment.
    ManageDeployment,
}

impl Action {
    /// The snake_case name used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReadPlatform => "read_platform",
            Action::ReadMetrics => "read_metrics",
            Action::ReadStatus => "read_status",
            Action::ReadTelemetry => "read_telemetry",
            Action::ReadArchive => "read_archive",
            Action::ExportArchive => "export_archive",
            Action::SubscribeLive => "subscribe_live",
            Action::Replay => "replay",
            Action::Backfill => "backfill",
            Action::AcknowledgeAlarm => "acknowledge_alarm",
            Action::ReadCommands => "read_commands",
            Action::SendCommand => "send_command",
            Action::ApproveCommand => "approve_command",
            Action::ReadControl => "read_control",
            Action::ManageMissions => "manage_missions",
            Action::CutRelease => "cut_release",
            Action::ApproveRelease => "approve_release",
            Action::Promote => "promote",
            Action::ManageDeployment => "manage_deployment",
        }
    }

    /// Whether the action only reads (no change of state, no command).
    pub fn is_read(self) -> bool {
        !matches!(
            self,
            Action::Backfill
                | Action::AcknowledgeAlarm
                | Action::SendCommand
                | Action::ApproveCommand
                | Action::ManageMissions
                | Action::CutRelease
                | Action::ApproveRelease
                | Action::Promote
                | Action::ManageDeployment
        )
    }
}

/// What an action is done on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    /// The platform as a whole.
    Platform,
    /// One mission, all its environments (its releases, its control events).
    Mission(MissionSlug),
    /// One mission in one environment.
    Deployment(Scope),
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Platform => f.write_str("platform"),
            Resource::Mission(mission) => write!(f, "mission {mission}"),
            Resource::Deployment(scope) => write!(f, "deployment {scope}"),
        }
    }
}

/// An authorizer's answer, with the reason and the policy that gave it (recorded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action may go ahead.
    pub allow: bool,
    /// Why, in words a client may read (it is sent with a 403).
    pub reason: String,
    /// The name of the policy or rule that decided.
    pub policy: String,
}

/// Turns a request's headers into a principal; an unknown credential is a 401.
pub trait Identify: Send + Sync + 'static {
    /// The principal the headers identify (`Principal::anonymous()` when there is no credential).
    fn identify(&self, headers: &HeaderMap) -> Result<Principal, ApiError>;
}

/// The one authorization function: may this principal do this action on this resource?
pub trait Authorizer: Send + Sync + 'static {
    /// The decision; it must not panic and should give a reason either way.
    fn authorize(&self, principal: &Principal, action: Action, resource: &Resource) -> Decision;
}

/// The single gate every request passes: identify, authorize, record. Cheap to clone; clones
/// share the decision log.
#[derive(Clone)]
pub struct Gate {
    identify: Arc<dyn Identify>,
    authorizer: Arc<dyn Authorizer>,
    log: DecisionLog,
}

impl Gate {
    /// A gate from any identity and authorizer.
    pub fn new(identify: impl Identify, authorizer: impl Authorizer) -> Gate {
        Gate { identify: Arc::new(identify), authorizer: Arc::new(authorizer), log: DecisionLog::default() }
    }

    /// The default gate: bearer tokens from `tokens`; each token acts only within its grants;
    /// anonymous requests may read every deployment when `open` (the demo), and nothing else.
    pub fn with_tokens(tokens: Vec<TokenGrant>, open: bool) -> Gate {
        let policy = ScopedPolicy::new(&tokens, open);
        Gate::new(TokenIdentity::new(tokens), policy)
    }

    /// The record of decisions (shared with every clone of this gate).
    pub fn log(&self) -> &DecisionLog {
        &self.log
    }

    /// Identifies the principal of a request.
    pub fn identify(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        self.identify.identify(headers)
    }

    /// Asks the authorizer and records the decision.
    pub fn decide(&self, request_id: &str, principal: &Principal, action: Action, resource: &Resource) -> Decision {
        let decision = self.authorizer.authorize(principal, action, resource);
        self.log.record(request_id, &principal.id, action, resource, &decision);
        decision
    }

    /// Asks the authorizer without recording: to filter what a recorded decision allowed
    /// (e.g. which deployments a principal sees in the list).
    pub fn peek(&self, principal: &Principal, action: Action, resource: &Resource) -> bool {
        self.authorizer.authorize(principal, action, resource).allow
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate").field("decisions", &self.log.len()).finish_non_exhaustive()
    }
}
