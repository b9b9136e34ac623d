//! What the API needs from the platform behind it. The `deployment` crate implements it; tests
//! implement it with fakes. Calls are blocking (they may read the archive): the API runs them
//! off the async threads.

use crate::gate::Principal;
use crate::wire::{
    AlarmPage, AlarmQuery, BucketDto, BucketQuery, DeploymentStatus, DeploymentSummary, EventPage, EventQuery,
    LiveMessage, OpenAlarmDto, ParameterInfo, RangeQuery, ReplayRequest, SampleDto, SamplePage, Subscription, UnitPage,
    UnitQuery,
};
use crate::wire::{
    ApprovalDto, BlackoutDto, ControlEventDto, DriftDto, EnvControl, MissionDetail, MissionRemoved, MissionSummary,
    PromotionOutcome, PromotionRequest, ReleaseApproval, ReleaseBundle, ReleaseDetail, ReleaseSource, ReleaseSummary,
};
use crate::wire::{
    CommandAccepted, CommandAction, CommandDefinition, CommandHistoryPage, CommandHistoryQuery, CommandRequest,
    CommandView,
};
use base::{MissionSlug, Scope};

/// A live stream: bounded, so a slow reader never slows the sender (the sender drops and flags,
/// or closes the stream with a reason).
pub type LiveReceiver = tokio::sync::mpsc::Receiver<LiveMessage>;

/// Why the platform refused or failed a call.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendError {
    /// No such deployment, parameter, ...
    #[error("no {what} named {name:?}")]
    NotFound { what: &'static str, name: String },
    /// The request is well-formed but a field's value cannot be used.
    #[error("{field}: {reason}")]
    BadRequest { field: String, reason: String },
    /// The request conflicts with the current state (e.g. an alarm already acknowledged).
    #[error("{reason}")]
    Conflict { reason: String },
    /// The platform failed (storage, ...): logged with the request id, answered with a bare 500.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The platform as the API sees it. Every method is scoped to one deployment except the lists.
pub trait Backend: Send + Sync + 'static {
    /// Every deployment on this platform.
    fn deployments(&self) -> Vec<DeploymentSummary>;
    /// One deployment's status: model, links and their counters, what is stored.
    fn status(&self, scope: &Scope) -> Result<DeploymentStatus, BackendError>;
    /// The parameters the archive holds, optionally those matching a `*` pattern.
    fn parameters(&self, scope: &Scope, pattern: Option<&str>) -> Result<Vec<ParameterInfo>, BackendError>;
    /// The newest stored sample of each named parameter (those with none are left out).
    fn latest(&self, scope: &Scope, parameters: &[String]) -> Result<Vec<SampleDto>, BackendError>;
    /// Samples of one or more parameters over a time range, one page at a time.
    fn range(&self, scope: &Scope, query: &RangeQuery) -> Result<SamplePage, BackendError>;
    /// Min/max/avg of a parameter in `buckets` equal slices of a time range.
    fn buckets(&self, scope: &Scope, query: &BucketQuery) -> Result<Vec<BucketDto>, BackendError>;
    /// Raw received units by time range and APID.
    fn units(&self, scope: &Scope, query: &UnitQuery) -> Result<UnitPage, BackendError>;
    /// Events by time range and minimum severity.
    fn events(&self, scope: &Scope, query: &EventQuery) -> Result<EventPage, BackendError>;
    /// Alarm history by time range and minimum level.
    fn alarms(&self, scope: &Scope, query: &AlarmQuery) -> Result<AlarmPage, BackendError>;
    /// The alarms open now.
    fn open_alarms(&self, scope: &Scope) -> Result<Vec<OpenAlarmDto>, BackendError>;
    /// Acknowledges the open alarm of a parameter.
    fn acknowledge_alarm(&self, scope: &Scope, parameter: &str, by: &Principal) -> Result<(), BackendError>;
    /// Re-runs archived units of a time range through a model version into a replay stream.
    fn replay(&self, scope: &Scope, request: &ReplayRequest) -> Result<LiveReceiver, BackendError>;
    /// A live stream of what the subscription asks for.
    fn subscribe(&self, scope: &Scope, subscription: &Subscription) -> Result<LiveReceiver, BackendError>;
    /// The commands of the deployment's model.
    fn command_definitions(&self, scope: &Scope) -> Result<Vec<CommandDefinition>, BackendError>;
    /// Checks, encodes and queues a command requested by `by`.
    fn send_command(
        &self,
        scope: &Scope,
        request: &CommandRequest,
        by: &Principal,
    ) -> Result<CommandAccepted, BackendError>;
    /// The commands in the queue (not finished), oldest first.
    fn commands_live(&self, scope: &Scope) -> Result<Vec<CommandView>, BackendError>;
    /// One command, live or from the history.
    fn command(&self, scope: &Scope, id: u64) -> Result<CommandView, BackendError>;
    /// Command state changes over a time range, one page at a time.
    fn command_history(&self, scope: &Scope, query: &CommandHistoryQuery) -> Result<CommandHistoryPage, BackendError>;
    /// Approves, releases or cancels a command, as `by`; answers the state it is in after.
    fn command_action(
        &self,
        scope: &Scope,
        id: u64,
        action: &CommandAction,
        by: &Principal,
    ) -> Result<String, BackendError>;
    /// Switches the deployment's release mode (`automatic` or `manual`), as `by`.
    fn set_release_mode(&self, scope: &Scope, mode: &str, by: &Principal) -> Result<(), BackendError>;
    /// Appends the platform's metrics in the Prometheus text format.
    fn metrics(&self, out: &mut String);
}

/// The control plane as the API sees it (issue 6): missions, releases, gates, promotions. The
/// binary implements it over the control store, the release store and the platform; tests
/// with fakes. Calls are blocking (a promotion may run a test gate for seconds): the API runs
/// them off the async threads. A refused request is `Conflict` (409) naming why, an unknown
/// mission or release `NotFound`, a bad field `BadRequest`.
pub trait ControlBackend: Send + Sync + 'static {
    /// Creates a mission from the source of its first release: the platform cuts and signs the
    /// release, registers it, and promotes it to DEV (its gates permitting), which starts the
    /// DEV deployment. Answers the mission.
    fn create_mission(&self, source: &ReleaseSource, by: &Principal) -> Result<MissionDetail, BackendError>;
    /// Every mission.
    fn missions(&self) -> Result<Vec<MissionSummary>, BackendError>;
    /// One mission.
    fn mission(&self, mission: &MissionSlug) -> Result<MissionDetail, BackendError>;
    /// Stops every deployment of the mission and keeps its data; no promotion afterwards.
    fn archive_mission(&self, mission: &MissionSlug, by: &Principal) -> Result<MissionRemoved, BackendError>;
    /// Exports the mission's data and records, then removes its deployments and data.
    fn delete_mission(&self, mission: &MissionSlug, by: &Principal) -> Result<MissionRemoved, BackendError>;
    /// Cuts and signs a release of the mission from its source and registers it.
    fn create_release(
        &self,
        mission: &MissionSlug,
        source: &ReleaseSource,
        by: &Principal,
    ) -> Result<ReleaseSummary, BackendError>;
    /// Verifies a release cut elsewhere (digests, signature by a trusted key, its mission) and
    /// registers it.
    fn import_release(
        &self,
        mission: &MissionSlug,
        bundle: &ReleaseBundle,
        by: &Principal,
    ) -> Result<ReleaseSummary, BackendError>;
    /// The mission's releases, oldest first.
    fn releases(&self, mission: &MissionSlug) -> Result<Vec<ReleaseSummary>, BackendError>;
    /// One release (`release` is a digest or a unique prefix of its hex).
    fn release(&self, mission: &MissionSlug, release: &str) -> Result<ReleaseDetail, BackendError>;
    /// What changed from release `a` to release `b` (model, mission file, procedures), as
    /// JSON.
    fn release_diff(&self, mission: &MissionSlug, a: &str, b: &str) -> Result<serde_json::Value, BackendError>;
    /// `by` approves a release for the environment, in a role they hold there.
    fn approve_release(
        &self,
        scope: &Scope,
        approval: &ReleaseApproval,
        by: &Principal,
    ) -> Result<ApprovalDto, BackendError>;
    /// Runs the environment's validate and test gates for the release where not yet attested,
    /// decides, and when allowed deploys exactly that release.
    fn promote(
        &self,
        scope: &Scope,
        request: &PromotionRequest,
        by: &Principal,
    ) -> Result<PromotionOutcome, BackendError>;
    /// Redeploys the release the environment ran before its current one.
    fn rollback(&self, scope: &Scope, by: &Principal) -> Result<PromotionOutcome, BackendError>;
    /// Stops the environment's deployment, keeping its data and desired release.
    fn pause(&self, scope: &Scope, by: &Principal) -> Result<EnvControl, BackendError>;
    /// Starts the environment's deployment again with its desired release.
    fn resume(&self, scope: &Scope, by: &Principal) -> Result<EnvControl, BackendError>;
    /// No promotion to the environment in `[from_ms, to_ms)` (its pipeline's window gate).
    fn set_blackout(&self, scope: &Scope, blackout: &BlackoutDto, by: &Principal) -> Result<EnvControl, BackendError>;
    /// Every environment that does not run what it should.
    fn drift(&self) -> Result<Vec<DriftDto>, BackendError>;
    /// The control plane's events of a mission, oldest first.
    fn control_events(&self, mission: &MissionSlug) -> Result<Vec<ControlEventDto>, BackendError>;
}
