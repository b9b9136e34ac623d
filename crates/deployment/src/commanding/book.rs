//! The ingest thread's side of commanding: the queue, ids and sequence counts, the uplink in
//! flight, and the record of every transition (archive, live streams, the API's views).

pub use super::board::{Board, FINISHED_KEPT};
use super::prepare::Draft;
use super::uplink::{Outgoing, Uplink};
pub use super::views::lifecycle_error;
use super::views::{finish_stages, stage_dto, telemetry_value};
use crate::hub::Hub;
use api::backend::BackendError;
use api::wire::{ArgumentValue, CommandAccepted, CommandEventDto, CommandView};
use base::hex;
use model::QualifiedName;
use std::collections::HashMap;
use tc::lifecycle::{
    Command, CommandId, HistoryEvent, LifecycleError, Queue, ReleaseMode, ReportMatch, State, TelemetryValue,
};
use tm::pus::{RequestId, VerificationReport};
use tm::{ParamId, Plan, Sample};

/// The ack flags of a TC[11,4] wrapper: acceptance and completion of the insertion.
const WRAPPER_ACK_FLAGS: u8 = 0b1001;

/// What the API asks of the queue; the answer comes back on `reply`.
#[derive(Debug)]
pub enum CommandInput {
    Submit { draft: Box<Draft>, reply: std::sync::mpsc::Sender<Result<CommandAccepted, BackendError>> },
    Approve { id: u64, principal: String, digest: String, reply: std::sync::mpsc::Sender<Result<(), BackendError>> },
    Release { id: u64, principal: String, reply: std::sync::mpsc::Sender<Result<(), BackendError>> },
    Cancel { id: u64, principal: String, reply: std::sync::mpsc::Sender<Result<(), BackendError>> },
    ReleaseMode { mode: ReleaseMode, principal: String, reply: std::sync::mpsc::Sender<Result<(), BackendError>> },
}

/// Where transitions are recorded.
pub struct Record<'a> {
    pub writer: &'a mut archive::Writer,
    pub hub: &'a mut Hub,
    pub board: &'a Board,
}

/// What the ingest thread keeps of a live command for its history rows.
struct Meta {
    name: String,
    arguments_json: String,
    bytes: Vec<u8>,
    digest: String,
}

/// The queue and everything around it; owned by the ingest thread.
pub struct Book {
    queue: Queue,
    next_id: u64,
    sequence_counts: HashMap<u16, u16>,
    uplink: Option<Uplink>,
    /// The command handed to the uplink whose answer has not come yet (one at a time keeps
    /// the sending order), with its request id: a report may overtake the uplink's answer.
    in_flight: Option<(CommandId, RequestId)>,
    /// A command a report showed sent before the uplink's answer came.
    sent_early: Option<CommandId>,
    meta: HashMap<CommandId, Meta>,
    /// Reports that matched no live command (late, duplicate, or for another ground system).
    pub unmatched_reports: u64,
    /// Parameters the live commands' telemetry verifiers read, and their latest values.
    watched: HashMap<ParamId, QualifiedName>,
    latest: HashMap<QualifiedName, TelemetryValue>,
    /// The queue changed since `watched` was computed.
    watched_stale: bool,
    /// Transitions were recorded since the ingest thread last looked (it flushes live
    /// streams then).
    pub changed: bool,
}

impl Book {
    /// A book whose next command id follows `last_id` (from the archive).
    pub fn new(mode: ReleaseMode, last_id: Option<u64>, uplink: Option<Uplink>) -> Self {
        Book {
            queue: Queue::new(mode),
            next_id: last_id.map_or(1, |id| id + 1),
            sequence_counts: HashMap::new(),
            uplink,
            in_flight: None,
            sent_early: None,
            meta: HashMap::new(),
            unmatched_reports: 0,
            watched: HashMap::new(),
            latest: HashMap::new(),
            watched_stale: false,
            changed: false,
        }
    }

    /// The next samples come from another plan (a new model version): the watched parameters'
    /// ids are looked up again (their latest values, by name, stay).
    pub fn forget_plan(&mut self) {
        self.watched.clear();
        self.watched_stale = true;
    }

    /// Whether queued commands wait for an operator.
    pub fn mode(&self) -> ReleaseMode {
        self.queue.mode()
    }

    /// Live commands.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no command is live.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Handles one request of the API.
    pub fn handle(&mut self, input: CommandInput, now_ms: u64, record: &mut Record<'_>) {
        match input {
            CommandInput::Submit { draft, reply } => {
                let _ = reply.send(self.submit(*draft, now_ms, record));
            }
            CommandInput::Approve { id, principal, digest, reply } => {
                let answer = match digest.parse::<base::Digest>() {
                    Ok(digest) => {
                        let result = self.queue.approve(CommandId(id), &principal, &digest, now_ms);
                        self.apply(result, record)
                    }
                    Err(_) => Err(BackendError::BadRequest {
                        field: "digest".into(),
                        reason: format!("{digest:?} is not a digest (sha256:<64 hex digits>)"),
                    }),
                };
                let _ = reply.send(answer);
            }
            CommandInput::Release { id, principal, reply } => {
                let result = self.queue.release(CommandId(id), &principal, now_ms);
                let _ = reply.send(self.apply(result, record));
            }
            CommandInput::Cancel { id, principal, reply } => {
                let result = self.queue.cancel(CommandId(id), &principal, now_ms);
                let _ = reply.send(self.apply(result, record));
            }
            CommandInput::ReleaseMode { mode, principal, reply } => {
                tracing::info!(?mode, %principal, "command release mode switched");
                let events = self.queue.set_mode(mode, now_ms);
                self.record(events, record);
                let _ = reply.send(Ok(()));
            }
        }
        self.pump(now_ms);
    }

    fn submit(&mut self, draft: Draft, now_ms: u64, record: &mut Record<'_>) -> Result<CommandAccepted, BackendError> {
        if self.uplink.is_none() {
            return Err(BackendError::Conflict {
                reason: "this deployment has no uplink: commands cannot be sent".into(),
            });
        }
        let id = CommandId(self.next_id);
        let mut encoded = draft.encoded;
        if let Some(apid) = encoded.packet.as_ref().map(|packet| packet.apid) {
            encoded.set_sequence_count(self.next_sequence_count(apid));
        }
        let request_id = match &encoded.packet {
            Some(_) => RequestId::of_packet(&encoded.bytes),
            None => None,
        }
        // Not a space packet: no PUS report can name it; a request id no packet has.
        .unwrap_or(RequestId { packet_id: 0xFFFF, sequence_control: id.0 as u16 });
        // On-board time tag: the command travels inside a TC[11,4] (acceptance and completion
        // of the insertion asked), sent now; the spacecraft executes it at the release time.
        let (bytes, request_id, scheduled) = match draft.schedule_at_ms {
            None => (encoded.bytes.clone(), request_id, None),
            Some(at_ms) => {
                let apid = request_id.apid();
                let refuse = |error: tc::pus11::Pus11Error| BackendError::BadRequest {
                    field: "schedule_at_ms".into(),
                    reason: error.to_string(),
                };
                let time = tc::pus11::CucTime::from_epoch_ms(at_ms).map_err(refuse)?;
                let sequence = self.next_sequence_count(apid);
                let wrapper = tc::pus11::insert_activity(apid, sequence, WRAPPER_ACK_FLAGS, time, &encoded.bytes)
                    .map_err(refuse)?;
                let scheduled = tc::lifecycle::Scheduled::new(request_id, at_ms, WRAPPER_ACK_FLAGS);
                let wrapper_id = RequestId::of_packet(&wrapper)
                    .ok_or_else(|| BackendError::Internal("a TC[11,4] shorter than its header".into()))?;
                (wrapper, wrapper_id, Some(scheduled))
            }
        };
        let arguments_json = serde_json::to_string(&draft.arguments).unwrap_or_default();
        let command = Command {
            id,
            name: draft.name.to_string(),
            principal: draft.principal.clone(),
            arguments: draft.arguments.clone(),
            bytes: bytes.clone(),
            significance: draft.significance,
            request_id,
            release_at_ms: draft.release_at_ms,
            expected: draft.expected,
            scheduled,
        };
        let digest = command.digest();
        let events = self.queue.submit(command, now_ms).map_err(lifecycle_error)?;
        self.next_id += 1;
        let view = CommandView {
            id: id.0,
            command: draft.name.to_string(),
            principal: draft.principal.clone(),
            arguments: draft
                .arguments
                .iter()
                .map(|(name, value)| ArgumentValue { name: name.clone(), value: value.clone() })
                .collect(),
            digest: digest.to_string(),
            bytes_hex: hex(&bytes),
            state: State::Requested.as_str().to_string(),
            finished: false,
            requested_ms: now_ms,
            stages: Vec::new(),
            history: Vec::new(),
        };
        record.board.insert(view);
        self.meta.insert(
            id,
            Meta { name: draft.name.to_string(), arguments_json, bytes: bytes.clone(), digest: digest.to_string() },
        );
        let state = events.last().map_or(State::Requested, |event| event.state);
        self.record(events, record);
        Ok(CommandAccepted {
            id: id.0,
            digest: digest.to_string(),
            state: state.as_str().to_string(),
            bytes_hex: hex(&bytes),
        })
    }

    /// The next sequence count of an APID's telecommands (14 bits, wrapping).
    fn next_sequence_count(&mut self, apid: u16) -> u16 {
        let count = self.sequence_counts.entry(apid).or_insert(0);
        let next = *count;
        *count = (*count + 1) & tc::pus::SEQUENCE_COUNT_MAX;
        next
    }

    fn apply(
        &mut self,
        result: Result<Vec<HistoryEvent>, LifecycleError>,
        record: &mut Record<'_>,
    ) -> Result<(), BackendError> {
        let events = result.map_err(lifecycle_error)?;
        self.record(events, record);
        Ok(())
    }

    /// A PUS 1 report from the deployment's telemetry.
    pub fn report(&mut self, report: &VerificationReport, now_ms: u64, record: &mut Record<'_>) {
        // The spacecraft's answer can reach the ingest thread before the uplink task's word that
        // the command went out: the report proves it did.
        if let Some((id, request)) = self.in_flight {
            if request == report.request {
                let latest = &self.latest;
                if let Ok(events) = self.queue.sent_with_values(id, &|name| latest.get(name).cloned(), now_ms) {
                    self.record(events, record);
                    self.in_flight = None;
                    self.sent_early = Some(id);
                }
            }
        }
        match self.queue.report(report, now_ms) {
            ReportMatch::Matched(events) => self.record_after(events, Some(report), record),
            ReportMatch::Unmatched(_) => self.unmatched_reports += 1,
        }
    }

    /// A PUS TM packet that is no service 1 report: a reply some command may wait for (TM[17,2]
    /// to a ping). Cheap when no command is live.
    pub fn service_reply(&mut self, packet: &[u8], now_ms: u64, record: &mut Record<'_>) {
        if self.queue.is_empty() || packet.len() < 9 || packet[0] & 0x08 == 0 {
            return;
        }
        let apid = u16::from_be_bytes([packet[0], packet[1]]) & 0x07FF;
        if let Some(events) = self.queue.service_reply(apid, packet[7], packet[8], now_ms) {
            self.record(events, record);
        }
    }

    /// A decoded packet's samples: the latest values of watched parameters, and the telemetry
    /// verifiers they may satisfy. Cheap when no command watches telemetry.
    pub fn telemetry(&mut self, plan: &Plan, samples: &[Sample], now_ms: u64, record: &mut Record<'_>) {
        if self.watched_stale {
            self.watched_stale = false;
            self.watched = self
                .queue
                .watched_parameters()
                .into_iter()
                .filter_map(|name| plan.parameter_id(&name).map(|id| (id, name)))
                .collect();
            self.latest.retain(|name, _| self.watched.values().any(|watched| watched == name));
        }
        if self.watched.is_empty() {
            return;
        }
        let mut seen = false;
        for sample in samples.iter().filter(|sample| sample.element == 0) {
            if let Some(name) = self.watched.get(&sample.parameter) {
                self.latest.insert(name.clone(), telemetry_value(plan, sample));
                seen = true;
            }
        }
        if seen && self.queue.watches_telemetry() {
            let latest = &self.latest;
            let events = self.queue.telemetry(&|name| latest.get(name).cloned(), now_ms);
            self.record(events, record);
        }
    }

    /// The uplink's answer for the command in flight.
    pub fn uplinked(&mut self, id: CommandId, result: Result<usize, String>, now_ms: u64, record: &mut Record<'_>) {
        if self.sent_early == Some(id) {
            // A report already showed it sent; the uplink's word adds nothing.
            self.sent_early = None;
            self.pump(now_ms);
            return;
        }
        if self.in_flight.is_some_and(|(in_flight, _)| in_flight == id) {
            self.in_flight = None;
        }
        let events = match result {
            Ok(_) => {
                let latest = &self.latest;
                self.queue.sent_with_values(id, &|name| latest.get(name).cloned(), now_ms)
            }
            Err(error) => self.queue.cancel(id, "uplink", now_ms).map(|events| {
                events
                    .into_iter()
                    .map(|event| HistoryEvent {
                        state: State::Failed,
                        principal: None,
                        detail: format!("not sent: {error}"),
                        ..event
                    })
                    .collect()
            }),
        };
        match events {
            Ok(events) => self.record(events, record),
            Err(error) => tracing::warn!(%error, "uplink answer for a command the queue no longer holds"),
        }
        self.pump(now_ms);
    }

    /// Time passes: timeouts, approvals that expired, time-tagged commands that fell due.
    pub fn tick(&mut self, now_ms: u64, record: &mut Record<'_>) {
        if self.queue.is_empty() {
            return;
        }
        let events = self.queue.tick(now_ms);
        self.record(events, record);
        self.pump(now_ms);
    }

    /// Hands the next due command to the uplink when none is in flight.
    fn pump(&mut self, now_ms: u64) {
        if self.in_flight.is_some() || self.sent_early.is_some() {
            return;
        }
        let Some(uplink) = &self.uplink else { return };
        if let Some(command) = self.queue.next_to_send(now_ms) {
            if uplink.send(Outgoing { id: command.id, bytes: command.bytes.clone() }) {
                self.in_flight = Some((command.id, command.request_id));
            }
        }
    }

    /// Records transitions: archive rows, live messages, the API's views.
    fn record(&mut self, events: Vec<HistoryEvent>, record: &mut Record<'_>) {
        self.record_after(events, None, record);
    }

    /// Records transitions that `report` (when given) caused.
    fn record_after(
        &mut self,
        events: Vec<HistoryEvent>,
        report: Option<&VerificationReport>,
        record: &mut Record<'_>,
    ) {
        if !events.is_empty() {
            self.watched_stale = true;
            self.changed = true;
        }
        for event in events {
            let id = event.command;
            let dto = CommandEventDto {
                id: id.0,
                command: self.meta.get(&id).map(|meta| meta.name.clone()).unwrap_or_default(),
                time_ms: event.time_ms,
                state: event.state.as_str().to_string(),
                principal: event.principal.clone(),
                detail: event.detail.clone(),
            };
            if let Some(meta) = self.meta.get(&id) {
                record.writer.command(&archive::CommandRecord {
                    id: id.0.to_string(),
                    time_ms: event.time_ms,
                    principal: event.principal.clone().unwrap_or_default(),
                    command: meta.name.clone(),
                    arguments_json: meta.arguments_json.clone(),
                    bytes: if event.state == State::Requested { meta.bytes.clone() } else { Vec::new() },
                    digest: meta.digest.clone(),
                    state: event.state.as_str().to_string(),
                    detail: event.detail.clone(),
                });
            }
            record.hub.command(&dto);
            let stages = self.queue.status(id).map(|status| status.stages.iter().map(stage_dto).collect::<Vec<_>>());
            record.board.update(id.0, |view| {
                view.state = dto.state.clone();
                view.finished = event.state.is_final();
                match stages {
                    Some(stages) => view.stages = stages,
                    // It just left the queue: complete its stages from what ended it.
                    None if event.state.is_final() => finish_stages(view, report, &event),
                    None => {}
                }
                view.history.push(dto);
            });
            if event.state.is_final() {
                self.meta.remove(&id);
            }
        }
    }
}
