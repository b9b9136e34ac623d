//! The life of a command, as a pure state machine: requested → (pending approval → approved)
//! → queued → released → sent → accepted → started → progress → completed, or failed, timed
//! out, cancelled, rejected.
//!
//! A [`Queue`] holds one deployment's live commands. Every transition returns
//! [`HistoryEvent`]s for the deployment's command history; a command that has finished leaves
//! the queue, and only the history keeps it. Time comes in as `now_ms` on every call; event
//! times never go backwards, even when `now_ms` does (they stay at the latest time seen).
//!
//! Verification stages ([`expected_stages`]) pass by PUS service 1 reports, matched by
//! request id ([`Queue::report`]); by a service's reply, such as TM[17,2] for TC[17,1]
//! ([`Queue::service_reply`]); or by telemetry, per the model's verifiers with criteria or
//! parameter changes ([`Queue::telemetry`]). Each has a window; [`Queue::tick`] times out
//! stages whose window has closed and hazardous commands whose approval did not come in time.
//!
//! A command scheduled on board ([`Scheduled`]: sent inside a TC[11,4]) is verified twice:
//! the wrapper's reports say it is in the on-board schedule, then the reports naming the
//! inner request id, and telemetry, say it executed, with windows from its on-board release.

mod queue;
mod stages;
mod telemetry;
#[cfg(test)]
mod tests;
mod verification;
mod verify;

use base::Digest;
use model::SignificanceLevel;
use std::fmt;
use tm::pus::RequestId;

pub use queue::{CommandStatus, Queue, ReportMatch};
pub use stages::{
    expected_for_pus_tc, expected_reply, expected_stages, Evidence, Expectation, StageOutcome, StageStatus,
};
pub use telemetry::{TelemetryCheck, TelemetryValue};

/// How long after its request a hazardous command may be approved; after that it is rejected.
pub const APPROVAL_VALID_MS: u64 = 10 * 60 * 1000;

/// The acceptance window when neither the model nor the caller gives one, from sending.
pub const ACCEPTANCE_WINDOW_MS: u64 = 10_000;

/// The start and completion window when neither the model nor the caller gives one, from sending.
pub const COMPLETION_WINDOW_MS: u64 = 60_000;

/// The most live commands (not yet finished) a queue holds.
pub const QUEUE_LEN_MAX: usize = 256;

/// A command's id in its deployment's command history, given by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(pub u64);

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A command as requested: checked, encoded, and ready to queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub id: CommandId,
    /// The model's name for the command.
    pub name: String,
    /// Who requested it.
    pub principal: String,
    /// The arguments as the requester wrote them, in order: (name, value).
    pub arguments: Vec<(String, String)>,
    /// The encoded telecommand.
    pub bytes: Vec<u8>,
    pub significance: SignificanceLevel,
    /// The packet id and sequence control of the telecommand, which PUS 1 reports name.
    pub request_id: RequestId,
    /// For a time-tagged command: not sent before this time.
    pub release_at_ms: Option<u64>,
    /// The verification stages to wait for, in order ([`expected_stages`] builds them). For
    /// a command scheduled on board: those of the inner command, from its on-board release.
    pub expected: Vec<Expectation>,
    /// For a command sent inside a TC[11,4] to execute on board later: the inner command.
    /// `bytes` and `request_id` are then the wrapper's. `None` for a command executed as sent.
    pub scheduled: Option<Scheduled>,
}

/// The inner command of a TC[11,4] (insert activities into the on-board schedule). The
/// wrapper goes out as soon as it is released: leave `Command::release_at_ms` `None` unless
/// the TC[11,4] itself should wait on the ground.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled {
    /// The inner telecommand's request id, which the on-board execution's reports name.
    pub inner_request_id: RequestId,
    /// When the spacecraft releases it, on the queue's clock (the `now_ms` of its calls).
    pub release_at_ms: u64,
    /// The wrapper's stages: its reports say the command is in the on-board schedule.
    pub wrapper_expected: Vec<Expectation>,
}

impl Scheduled {
    /// The inner command, with the wrapper's stages from its PUS ack flags.
    pub fn new(inner_request_id: RequestId, release_at_ms: u64, wrapper_ack_flags: u8) -> Self {
        Scheduled { inner_request_id, release_at_ms, wrapper_expected: expected_stages(Some(wrapper_ack_flags), &[]) }
    }
}

impl Command {
    /// The digest of the encoded bytes: what an approver approves.
    pub fn digest(&self) -> Digest {
        Digest::of(&self.bytes)
    }
}

/// Whether a command of this significance waits for a second principal's approval.
pub fn needs_approval(significance: SignificanceLevel) -> bool {
    significance.is_hazardous()
}

/// Whether queued commands are released by an operator or as soon as they are queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseMode {
    Manual,
    Automatic,
}

/// Where a command is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Requested,
    PendingApproval,
    Approved,
    Queued,
    Released,
    Sent,
    Accepted,
    Started,
    Progress,
    Completed,
    Failed,
    TimedOut,
    Cancelled,
    Rejected,
}

impl State {
    /// The stable name stored in the command history.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Requested => "requested",
            State::PendingApproval => "pending_approval",
            State::Approved => "approved",
            State::Queued => "queued",
            State::Released => "released",
            State::Sent => "sent",
            State::Accepted => "accepted",
            State::Started => "started",
            State::Progress => "progress",
            State::Completed => "completed",
            State::Failed => "failed",
            State::TimedOut => "timed_out",
            State::Cancelled => "cancelled",
            State::Rejected => "rejected",
        }
    }

    /// Whether the command's life is over in this state.
    pub fn is_final(self) -> bool {
        matches!(self, State::Completed | State::Failed | State::TimedOut | State::Cancelled | State::Rejected)
    }

    /// Whether the command has gone out, so that verification reports may name it.
    pub fn is_sent(self) -> bool {
        matches!(self, State::Sent | State::Accepted | State::Started | State::Progress)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One transition of one command, for the command history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEvent {
    pub command: CommandId,
    pub time_ms: u64,
    /// The state the command entered.
    pub state: State,
    /// Who caused the transition; `None` for the platform (automatic release, reports, timeouts).
    pub principal: Option<String>,
    pub detail: String,
}

/// Why a queue refused an operation; nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("command {id}: an id already in the queue")]
    DuplicateId { id: CommandId },
    #[error("command {id}: request id {request:?} is already used by live command {other}")]
    DuplicateRequest { id: CommandId, request: RequestId, other: CommandId },
    #[error("command {id}: its scheduled inner command has the wrapper's own request id {request:?}")]
    InnerRequestIsWrapper { id: CommandId, request: RequestId },
    #[error("command {id}: the queue already holds {len} live commands, the most it may")]
    QueueFull { id: CommandId, len: usize },
    #[error("command {id}: not in the queue (unknown, or finished)")]
    UnknownCommand { id: CommandId },
    #[error("command {id} is {state}: cannot {action} it")]
    InvalidTransition { id: CommandId, state: State, action: &'static str },
    #[error("command {id}: {principal} requested it, so another principal must approve it")]
    SelfApproval { id: CommandId, principal: String },
    #[error("command {id}: the approval names digest {given}, the command's is {expected}")]
    DigestMismatch { id: CommandId, given: Digest, expected: Digest },
    #[error("command {id}: the approval window closed at {expired_ms} ms (now {now_ms} ms)")]
    ApprovalExpired { id: CommandId, expired_ms: u64, now_ms: u64 },
}
