//! One deployment's live commands: submission, approval, release, sending, verification.

use super::telemetry::Values;
use super::verification::{Role, Verification};
use super::{
    needs_approval, Command, CommandId, HistoryEvent, LifecycleError, ReleaseMode, StageStatus, State,
    APPROVAL_VALID_MS, QUEUE_LEN_MAX,
};
use base::Digest;
use tm::pus::{RequestId, VerificationReport};

/// The live commands of one deployment, in the order they were requested.
#[derive(Clone, Debug)]
pub struct Queue {
    pub(super) mode: ReleaseMode,
    // Invariant: at most QUEUE_LEN_MAX entries, none in a final state, ids and request ids unique.
    pub(super) entries: Vec<Entry>,
    // Invariant: no event this queue returned is later than this.
    pub(super) last_time_ms: u64,
    next_release_seq: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) command: Command,
    digest: Digest,
    pub(super) state: State,
    pub(super) requested_ms: u64,
    /// When and in which order it was released: the sending order.
    released: Option<(u64, u64)>,
    /// Present once sent: the command's expectations (for one scheduled on board, those of
    /// its on-board execution).
    pub(super) verification: Option<Verification>,
    /// Present once sent, for a command scheduled on board: the TC[11,4]'s expectations.
    pub(super) schedule: Option<Verification>,
    /// When it was sent.
    pub(super) sent_ms: Option<u64>,
}

impl Entry {
    /// The request ids reports about it name: its own, and the inner command's.
    pub(super) fn request_ids(&self) -> impl Iterator<Item = RequestId> + '_ {
        std::iter::once(self.command.request_id)
            .chain(self.command.scheduled.as_ref().map(|scheduled| scheduled.inner_request_id))
    }

    /// Whether every expectation passed.
    pub(super) fn is_done(&self) -> bool {
        self.verifications().all(Verification::is_done)
    }

    /// What it still waits for.
    pub(super) fn pending_labels(&self) -> Vec<String> {
        self.verifications().flat_map(Verification::pending_labels).collect()
    }

    /// The verifications of a sent command: the schedule's first.
    pub(super) fn verifications(&self) -> impl Iterator<Item = &Verification> {
        self.schedule.iter().chain(self.verification.iter())
    }
}

/// A command in the queue, for display.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandStatus {
    pub command: Command,
    pub digest: Digest,
    pub state: State,
    pub requested_ms: u64,
    /// The expected verification stages; deadlines appear once the command is sent.
    pub stages: Vec<StageStatus>,
}

/// What became of a verification report.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportMatch {
    /// It named a sent command: the transition it caused.
    Matched(Vec<HistoryEvent>),
    /// It named no sent command in the queue (unknown, not yet sent, or finished).
    Unmatched(VerificationReport),
}

impl Queue {
    /// An empty queue.
    pub fn new(mode: ReleaseMode) -> Self {
        Queue { mode, entries: Vec::new(), last_time_ms: 0, next_release_seq: 0 }
    }

    /// Whether released commands wait for an operator.
    pub fn mode(&self) -> ReleaseMode {
        self.mode
    }

    /// Changes the release mode; switching to automatic releases every queued command.
    pub fn set_mode(&mut self, mode: ReleaseMode, now_ms: u64) -> Vec<HistoryEvent> {
        self.mode = mode;
        let time_ms = self.advance(now_ms);
        let mut events = Vec::new();
        if mode == ReleaseMode::Automatic {
            for idx in 0..self.entries.len() {
                if self.entries[idx].state == State::Queued {
                    self.release_at(idx, None, time_ms, "automatic release", &mut events);
                }
            }
        }
        events
    }

    /// Takes a requested command: a hazardous one waits for approval, others are queued (and
    /// released at once in automatic mode).
    pub fn submit(&mut self, command: Command, now_ms: u64) -> Result<Vec<HistoryEvent>, LifecycleError> {
        let id = command.id;
        if self.find(id).is_some() {
            return Err(LifecycleError::DuplicateId { id });
        }
        let inner = command.scheduled.as_ref().map(|scheduled| scheduled.inner_request_id);
        if inner == Some(command.request_id) {
            return Err(LifecycleError::InnerRequestIsWrapper { id, request: command.request_id });
        }
        for request in std::iter::once(command.request_id).chain(inner) {
            if let Some(other) = self.entries.iter().find(|entry| entry.request_ids().any(|used| used == request)) {
                return Err(LifecycleError::DuplicateRequest { id, request, other: other.command.id });
            }
        }
        if self.entries.len() >= QUEUE_LEN_MAX {
            return Err(LifecycleError::QueueFull { id, len: self.entries.len() });
        }
        let time_ms = self.advance(now_ms);
        let digest = command.digest();
        let requested = requested_detail(&command);
        let mut events = vec![event(id, time_ms, State::Requested, Some(&command.principal), requested)];
        let hazardous = needs_approval(command.significance);
        let state = if hazardous { State::PendingApproval } else { State::Queued };
        let entry = Entry {
            command,
            digest,
            state,
            requested_ms: time_ms,
            released: None,
            verification: None,
            schedule: None,
            sent_ms: None,
        };
        self.entries.push(entry);
        let idx = self.entries.len() - 1;
        if hazardous {
            let level = format!("{:?}", self.entries[idx].command.significance).to_lowercase();
            let detail = format!("{level} command: needs a second principal's approval");
            events.push(event(id, time_ms, State::PendingApproval, None, detail));
        } else {
            self.queue_at(idx, time_ms, &mut events);
        }
        Ok(events)
    }

    /// A second principal approves a hazardous command, naming the digest of the bytes seen.
    pub fn approve(
        &mut self,
        id: CommandId,
        principal: &str,
        digest: &Digest,
        now_ms: u64,
    ) -> Result<Vec<HistoryEvent>, LifecycleError> {
        let idx = self.expect_state(id, &[State::PendingApproval], "approve")?;
        let time_ms = self.clock(now_ms);
        let entry = &self.entries[idx];
        if entry.command.principal == principal {
            return Err(LifecycleError::SelfApproval { id, principal: principal.to_string() });
        }
        if entry.digest != *digest {
            return Err(LifecycleError::DigestMismatch { id, given: *digest, expected: entry.digest });
        }
        let expired_ms = entry.requested_ms.saturating_add(APPROVAL_VALID_MS);
        if time_ms >= expired_ms {
            return Err(LifecycleError::ApprovalExpired { id, expired_ms, now_ms: time_ms });
        }
        self.advance(time_ms);
        let mut events =
            vec![event(id, time_ms, State::Approved, Some(principal), format!("approved digest {}", digest.short()))];
        self.queue_at(idx, time_ms, &mut events);
        Ok(events)
    }

    /// An operator releases a queued command for sending.
    pub fn release(
        &mut self,
        id: CommandId,
        principal: &str,
        now_ms: u64,
    ) -> Result<Vec<HistoryEvent>, LifecycleError> {
        let idx = self.expect_state(id, &[State::Queued], "release")?;
        let time_ms = self.advance(now_ms);
        let mut events = Vec::new();
        self.release_at(idx, Some(principal), time_ms, "manual release", &mut events);
        Ok(events)
    }

    /// An operator cancels a command that has not been sent.
    pub fn cancel(&mut self, id: CommandId, principal: &str, now_ms: u64) -> Result<Vec<HistoryEvent>, LifecycleError> {
        let idx = self.expect_state(id, &[State::PendingApproval, State::Queued, State::Released], "cancel")?;
        let time_ms = self.advance(now_ms);
        let entry = self.entries.remove(idx);
        let detail = format!("cancelled while {}", entry.state);
        Ok(vec![event(id, time_ms, State::Cancelled, Some(principal), detail)])
    }

    /// The released command to send next, if one is due: time-tagged commands from their
    /// release time, in order of that time (or of release, for the others).
    pub fn next_to_send(&self, now_ms: u64) -> Option<Command> {
        let time_ms = self.clock(now_ms);
        self.entries
            .iter()
            .filter(|entry| entry.state == State::Released)
            .filter_map(|entry| {
                let (released_ms, seq) = entry.released?;
                let due_ms = entry.command.release_at_ms.unwrap_or(released_ms);
                (due_ms <= time_ms).then_some(((due_ms, seq), entry))
            })
            .min_by_key(|(key, _)| *key)
            .map(|(_, entry)| entry.command.clone())
    }

    /// The command's bytes went out; its verification windows open. Parameter changes count
    /// from the first value seen after sending ([`Queue::sent_with_values`] gives them the
    /// value at sending).
    pub fn sent(&mut self, id: CommandId, now_ms: u64) -> Result<Vec<HistoryEvent>, LifecycleError> {
        self.sent_with_values(id, &|_| None, now_ms)
    }

    /// [`Queue::sent`], with the latest parameter values: parameter changes count from them.
    pub fn sent_with_values(
        &mut self,
        id: CommandId,
        values: Values<'_>,
        now_ms: u64,
    ) -> Result<Vec<HistoryEvent>, LifecycleError> {
        let idx = self.expect_state(id, &[State::Released], "mark as sent")?;
        let time_ms = self.advance(now_ms);
        let entry = &mut self.entries[idx];
        let command = &entry.command;
        let (mut verification, schedule) = match &command.scheduled {
            None => (Verification::new(&command.expected, time_ms, Role::Command), None),
            Some(scheduled) => {
                // A release time already past executes at once on board.
                let release_at_ms = scheduled.release_at_ms.max(time_ms);
                let role = Role::Schedule { release_at_ms };
                let schedule = Verification::new(&scheduled.wrapper_expected, time_ms, role);
                (Verification::new(&command.expected, release_at_ms, Role::Execution), Some(schedule))
            }
        };
        verification.capture(values);
        entry.state = State::Sent;
        entry.verification = Some(verification);
        entry.schedule = schedule;
        entry.sent_ms = Some(time_ms);
        let done = entry.is_done();
        let n_bytes = entry.command.bytes.len();
        let detail =
            if done { format!("{n_bytes} bytes; no verification expected") } else { format!("{n_bytes} bytes") };
        let events = vec![event(id, time_ms, State::Sent, None, detail)];
        if done {
            self.entries.remove(idx);
        }
        Ok(events)
    }

    /// The live command with this id.
    pub fn status(&self, id: CommandId) -> Option<CommandStatus> {
        self.find(id).map(|idx| status_of(&self.entries[idx]))
    }

    /// The live commands, in the order they were requested.
    pub fn commands(&self) -> Vec<CommandStatus> {
        self.entries.iter().map(status_of).collect()
    }

    /// How many commands are live.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no command is live.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The time of an event now: never before the last one.
    pub(super) fn clock(&self, now_ms: u64) -> u64 {
        now_ms.max(self.last_time_ms)
    }

    /// The time of an event now, which later events may not precede.
    pub(super) fn advance(&mut self, now_ms: u64) -> u64 {
        self.last_time_ms = self.clock(now_ms);
        self.last_time_ms
    }

    fn find(&self, id: CommandId) -> Option<usize> {
        self.entries.iter().position(|entry| entry.command.id == id)
    }

    fn expect_state(&self, id: CommandId, allowed: &[State], action: &'static str) -> Result<usize, LifecycleError> {
        let idx = self.find(id).ok_or(LifecycleError::UnknownCommand { id })?;
        let state = self.entries[idx].state;
        if !allowed.contains(&state) {
            return Err(LifecycleError::InvalidTransition { id, state, action });
        }
        Ok(idx)
    }

    /// Queues entry `idx`, releasing it at once in automatic mode.
    fn queue_at(&mut self, idx: usize, time_ms: u64, events: &mut Vec<HistoryEvent>) {
        let entry = &mut self.entries[idx];
        entry.state = State::Queued;
        let detail = match self.mode {
            ReleaseMode::Manual => "manual queue",
            ReleaseMode::Automatic => "automatic queue",
        };
        events.push(event(entry.command.id, time_ms, State::Queued, None, detail.to_string()));
        if self.mode == ReleaseMode::Automatic {
            self.release_at(idx, None, time_ms, "automatic release", events);
        }
    }

    fn release_at(
        &mut self,
        idx: usize,
        principal: Option<&str>,
        time_ms: u64,
        detail: &str,
        events: &mut Vec<HistoryEvent>,
    ) {
        let entry = &mut self.entries[idx];
        entry.state = State::Released;
        entry.released = Some((time_ms, self.next_release_seq));
        self.next_release_seq += 1;
        let detail = match entry.command.release_at_ms {
            Some(release_at_ms) => format!("{detail}; time-tagged for {release_at_ms} ms"),
            None => detail.to_string(),
        };
        events.push(event(entry.command.id, time_ms, State::Released, principal, detail));
    }
}

fn status_of(entry: &Entry) -> CommandStatus {
    let stages = if entry.verification.is_some() {
        entry.verifications().flat_map(Verification::statuses).collect()
    } else {
        let command = &entry.command;
        let schedule = command.scheduled.as_ref().map(|scheduled| {
            Verification::new(&scheduled.wrapper_expected, 0, Role::Schedule { release_at_ms: scheduled.release_at_ms })
        });
        let role = if command.scheduled.is_some() { Role::Execution } else { Role::Command };
        let verification = Verification::new(&command.expected, 0, role);
        schedule
            .iter()
            .chain([&verification])
            .flat_map(Verification::statuses)
            .map(|stage| StageStatus { deadline_ms: None, ..stage })
            .collect()
    };
    CommandStatus {
        command: entry.command.clone(),
        digest: entry.digest,
        state: entry.state,
        requested_ms: entry.requested_ms,
        stages,
    }
}

fn requested_detail(command: &Command) -> String {
    let arguments: Vec<String> = command.arguments.iter().map(|(name, value)| format!("{name}={value}")).collect();
    format!("{}({})", command.name, arguments.join(", "))
}

pub(super) fn event(
    id: CommandId,
    time_ms: u64,
    state: State,
    principal: Option<&str>,
    detail: String,
) -> HistoryEvent {
    HistoryEvent { command: id, time_ms, state, principal: principal.map(str::to_string), detail }
}
