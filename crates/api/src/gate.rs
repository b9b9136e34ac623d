//! The single request gate: who is asking (principal), may they (authorize), record it.
//! The binary puts its identity (tokens, sessions) behind `Identify`, Cedar policy behind
//! `Authorizer` and the audit chain behind `AuditSink`; `ScopedPolicy` and `TokenIdentity`
//! are the crate's own simple ones (tests, benches).
//!
//! Routes are added only through the route table (`routes`), and the table wraps every handler
//! in `pipeline::gate`, which calls `Gate::decide` exactly once per request.

mod log;
mod policy;
mod token;

pub use ::policy::{Context, Grant, Role};
pub use log::{DecisionLog, DecisionRecord, DECISION_LOG_LEN};
pub use policy::{DenyAll, ScopedPolicy};
pub use token::{GrantError, ScopeGrant, TokenGrant, TokenIdentity};

use crate::error::ApiError;
use axum::http::HeaderMap;
use base::{Env, MissionSlug, Scope};
use std::fmt;
use std::sync::Arc;

/// Who is asking, with the roles their credential carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// A stable id: a user name, a token's name, a workload's SPIFFE id, or `anonymous`.
    pub id: String,
    /// How the principal was identified.
    pub kind: PrincipalKind,
    /// The roles the credential carries (a mission's members add theirs when authorizing).
    pub grants: Vec<Grant>,
    /// The environments the credential may act in; `None` for all.
    pub envs: Option<Vec<Env>>,
    /// The credential, when it is not the principal itself: a person's stored API token
    /// (`token 3f2a…`). Such a credential acts with its own grants only, never with the
    /// roles its owner holds as a member of a mission.
    pub via: Option<String>,
}

/// How the principal was identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// No credential was presented.
    Anonymous,
    /// A bearer API token.
    Token,
    /// A person, by a portal session.
    User,
    /// A service, by its certificate.
    Workload,
}

impl Principal {
    /// The principal of a request without a credential.
    pub fn anonymous() -> Principal {
        Principal::named("anonymous", PrincipalKind::Anonymous)
    }

    /// A principal holding no grant (the platform's own actors, tests).
    pub fn named(id: impl Into<String>, kind: PrincipalKind) -> Principal {
        Principal { id: id.into(), kind, grants: Vec::new(), envs: None, via: None }
    }

    /// The principal as the audit names it: `alice`, or `alice via token 3f2a…`.
    pub fn audit_name(&self) -> String {
        match &self.via {
            Some(via) => format!("{} via {via}", self.id),
            None => self.id.clone(),
        }
    }
}

/// What a request does. Each route of the table has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Liveness, the list of deployments, the OpenAPI document.
    ReadPlatform,
    /// The Prometheus metrics.
    ReadMetrics,
    /// Signing in to the portal and out of it.
    SignIn,
    /// A person's own API tokens: making, listing, revoking.
    ManageTokens,
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
    /// The names, versions and times of an environment's secrets (never their values).
    ReadSecrets,
    /// Storing, rotating and deleting an environment's secrets.
    ManageSecrets,
}

impl Action {
    /// The snake_case name used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReadPlatform => "read_platform",
            Action::ReadMetrics => "read_metrics",
            Action::SignIn => "sign_in",
            Action::ManageTokens => "manage_tokens",
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
            Action::ReadSecrets => "read_secrets",
            Action::ManageSecrets => "manage_secrets",
        }
    }

    /// Whether the action only reads (no change of state, no command).
    pub fn is_read(self) -> bool {
        !matches!(
            self,
            Action::SignIn
                | Action::ManageTokens
                | Action::Backfill
                | Action::AcknowledgeAlarm
                | Action::SendCommand
                | Action::ApproveCommand
                | Action::ManageMissions
                | Action::CutRelease
                | Action::ApproveRelease
                | Action::Promote
                | Action::ManageDeployment
                | Action::ManageSecrets
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

/// Turns a request's headers into a principal; an unknown, expired or revoked credential is
/// a 401 (recorded by the gate).
pub trait Identify: Send + Sync + 'static {
    /// The principal the headers identify (`Principal::anonymous()` when there is no
    /// credential). `changes` says whether the request changes state (a portal session must
    /// then carry its CSRF token).
    fn identify(&self, headers: &HeaderMap, changes: bool) -> Result<Principal, ApiError>;
}

/// The one authorization function: may this principal do this action on this resource?
pub trait Authorizer: Send + Sync + 'static {
    /// The decision; it must not panic and should give a reason either way. `context` carries
    /// what the application counted (approvals of a command); `Context::default()` otherwise.
    fn authorize(&self, principal: &Principal, action: Action, resource: &Resource, context: &Context) -> Decision;
}

/// Where the gate records its decisions durably: every denial, and every allowed change
/// (before it happens: when the record fails, the change is refused).
pub trait AuditSink: Send + Sync + 'static {
    /// Records one decision; `Err` says why it could not be.
    fn record(&self, record: &DecisionRecord) -> Result<(), String>;

    /// Records how an allowed change ended (the command and its id, or why it was refused).
    fn outcome(&self, outcome: &OutcomeRecord) -> Result<(), String>;
}

/// How an allowed change ended, for the audit: what the handler knows that the gate did not.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeRecord {
    /// The request it answers (the decision's record has the same id).
    pub request_id: String,
    pub principal: String,
    pub action: Action,
    pub resource: String,
    /// Whether it was done.
    pub done: bool,
    /// What was done (`{"command": .., "id": .., "digest": ..}`) or why not (`{"refused": ..}`):
    /// never a secret value.
    pub detail: serde_json::Value,
}

/// The policy named by a refusal because the audit chain could not record an allowed change.
pub const AUDIT_FAIL_CLOSED: &str = "audit-fail-closed";

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
        Gate::from_parts(Arc::new(identify), Arc::new(authorizer))
    }

    /// A gate from shared parts.
    pub fn from_parts(identify: Arc<dyn Identify>, authorizer: Arc<dyn Authorizer>) -> Gate {
        Gate { identify, authorizer, log: DecisionLog::default() }
    }

    /// The same gate recording every denial and every allowed change to `sink` too.
    pub fn audited(self, sink: Arc<dyn AuditSink>) -> Gate {
        Gate { log: self.log.with_sink(sink), ..self }
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

    /// Identifies the principal of a request (`changes`: see `Identify::identify`).
    pub fn identify(&self, headers: &HeaderMap, changes: bool) -> Result<Principal, ApiError> {
        self.identify.identify(headers, changes)
    }

    /// Asks the authorizer and records the decision.
    pub fn decide(&self, request_id: &str, principal: &Principal, action: Action, resource: &Resource) -> Decision {
        self.decide_in(request_id, principal, action, resource, &Context::default())
    }

    /// Asks the authorizer with what the application counted, and records the decision. An
    /// allowed change whose durable record fails is refused.
    pub fn decide_in(
        &self,
        request_id: &str,
        principal: &Principal,
        action: Action,
        resource: &Resource,
        context: &Context,
    ) -> Decision {
        let decision = self.authorizer.authorize(principal, action, resource, context);
        self.log.record(request_id, &principal.audit_name(), action, resource, decision)
    }

    /// `decide_in` for async code: the policy decides on the calling thread; a decision the
    /// audit sink records (a denial, an allowed change: an fsync) is recorded on the blocking
    /// pool, so that no async thread waits for a disk.
    pub async fn decide_off_thread(
        &self,
        request_id: &str,
        principal: &Principal,
        action: Action,
        resource: &Resource,
        context: &Context,
    ) -> Decision {
        let decision = self.authorizer.authorize(principal, action, resource, context);
        let (who, where_) = (principal.audit_name(), resource.clone());
        if !self.log.audits(action, decision.allow) {
            return self.log.record(request_id, &who, action, &where_, decision);
        }
        let (log, request_id) = (self.log.clone(), request_id.to_string());
        let refused = Decision {
            allow: false,
            reason: "refused: the audit record could not be written".to_string(),
            policy: AUDIT_FAIL_CLOSED.to_string(),
        };
        tokio::task::spawn_blocking(move || log.record(&request_id, &who, action, &where_, decision))
            .await
            .unwrap_or(refused)
    }

    /// Records how an allowed change ended (logged, and sent to the audit sink off the async
    /// threads; the change is done, so nobody waits for it).
    pub fn outcome(&self, outcome: OutcomeRecord) {
        let log = self.log.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(move || log.outcome(&outcome))),
            Err(_) => log.outcome(&outcome),
        }
    }

    /// Asks the authorizer without recording: to filter what a recorded decision allowed
    /// (e.g. which deployments a principal sees in the list).
    pub fn peek(&self, principal: &Principal, action: Action, resource: &Resource) -> bool {
        self.authorizer.authorize(principal, action, resource, &Context::default()).allow
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate").field("decisions", &self.log.len()).finish_non_exhaustive()
    }
}
