//! The ingest thread of a deployment: bytes from its links → `tm::link` → the archive writer
//! and the live hub. One thread owns the links' decoding state, the alarm board, the archive
//! writer and the hub, so none of them needs a lock on the hot path.
//!
//! Durability: the archive commits (fsync) at least every `COMMIT_INTERVAL_MS`; only then do
//! the `stored` totals the API reports move. A crash loses at most what was received since
//! the last commit, and that was never reported stored.

use crate::commanding::book::{Board, Book, CommandInput, Record};
use crate::convert;
use crate::durable::Durability;
use crate::hub::{Hub, Inbox};
use crate::{Clock, LinkSpec};
use api::wire::{LinkStatus, OpenAlarmDto, StoredTotals};
use ccsds::LinkCounters;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tm::alarms::{AlarmBoard, AlarmChange, AlarmPhase};
use tm::link::{Link, ReceivedUnit, TmSink};
use tm::pus::{PusLayout, PusReport};
use tm::{ContainerId, Plan, Sample};
use tokio::sync::mpsc;

/// Longest time between two durable commits.
pub const COMMIT_INTERVAL_MS: u64 = 100;
/// Inputs queued for the ingest thread (at most 64 × 256 KiB of TCP reads); a full queue makes TCP links wait (back-pressure to
/// the sender) and UDP datagrams wait in the socket buffer.
pub const INPUT_QUEUE_LEN: usize = 64;
/// How often retention runs (and once when the deployment starts).
pub const RETENTION_EVERY_MS: u64 = 3_600_000;
/// How often command timeouts and time tags are checked while commands are live.
pub const COMMAND_TICK_MS: u64 = 20;
/// A UDP link counts as active when data arrived within this long.
pub const ACTIVE_WINDOW_MS: u64 = 10_000;

/// What reaches the ingest thread.
#[derive(Debug)]
pub enum Input {
    /// Bytes of a stream connection (TCP).
    Stream { link: usize, connection: u64, bytes: Vec<u8>, reception_ms: u64 },
    /// A stream connection opened.
    StreamStart { link: usize, connection: u64 },
    /// A stream connection ended: what is left is a truncated unit.
    StreamEnd { link: usize, connection: u64, reception_ms: u64 },
    /// One datagram (UDP).
    Datagram { link: usize, bytes: Vec<u8>, reception_ms: u64 },
    /// An operator acknowledges the open alarm of a parameter.
    Acknowledge { parameter: String, by: String, reply: std::sync::mpsc::Sender<Result<(), String>> },
    /// Replace the archived samples of [from_ms, to_ms) by those of `packets` decoded with
    /// `plan` (replay with backfill; one slice, applied atomically).
    Backfill {
        plan: std::sync::Arc<Plan>,
        from_ms: u64,
        to_ms: u64,
        packets: Vec<(u64, Vec<u8>)>,
        reply: std::sync::mpsc::Sender<Result<archive::BackfillReport, String>>,
    },
    /// A command request of the API (submit, approve, release, cancel).
    Command(CommandInput),
    /// The uplink's answer: the command went out (bytes on the wire) or not.
    Uplinked { id: tc::lifecycle::CommandId, result: Result<usize, String>, time_ms: u64 },
    /// Time passes: commit and flush if due.
    Tick,
    /// Commit and end the thread.
    Stop,
}

/// What the ingest thread shows the rest of the platform, refreshed at every commit.
#[derive(Clone, Debug, Default)]
pub struct IngestStatus {
    pub stored: StoredTotals,
    pub links: Vec<LinkStatus>,
    pub open_alarms: Vec<OpenAlarmDto>,
    pub pending_units: u64,
    pub packets_in: u64,
    pub samples_in: u64,
    pub commits: u64,
    pub commit_failures: u64,
    /// Completed fsyncs, and failed ones (nothing was reported stored for those).
    pub syncs: u64,
    pub sync_failures: u64,
    pub commit_ms_last: u64,
    pub live_subscribers: usize,
    pub live_dropped: u64,
    pub live_disconnected: u64,
    /// Commands in the queue (not finished).
    pub commands_live: usize,
    /// `automatic` or `manual`.
    pub command_release: &'static str,
    /// PUS 1 reports that named no live command.
    pub reports_unmatched: u64,
}

/// State shared between the ingest thread and the API.
#[derive(Default)]
pub struct Shared {
    pub status: Mutex<IngestStatus>,
    pub inbox: Inbox,
    /// The commands the API shows.
    pub commands: Board,
}

impl Shared {
    /// A copy of the status.
    pub fn status(&self) -> IngestStatus {
        self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

struct LinkState<'p> {
    spec: LinkSpec,
    /// The datagram link, or the connections of a stream link.
    links: BTreeMap<u64, Link<'p>>,
    /// Counters of stream connections that ended.
    closed: LinkCounters,
    last_data_ms: Option<u64>,
}

/// Everything the ingest thread owns.
pub struct Ingest<'p> {
    plan: &'p Plan,
    pus: Option<PusLayout>,
    links: Vec<LinkState<'p>>,
    board: AlarmBoard,
    writer: archive::Writer,
    hub: Hub,
    book: Book,
    last_command_tick_ms: u64,
    packets_in: u64,
    samples_in: u64,
    commits: u64,
    commit_failures: u64,
    commit_ms_last: u64,
    last_commit_ms: u64,
    last_retention_ms: Option<u64>,
    /// Link states last sent to live streams.
    links_published: Vec<LinkStatus>,
}

/// The `TmSink` of one link during one call: writes to the archive and the hub.
struct Sink<'a, 'p> {
    plan: &'p Plan,
    link: &'a str,
    writer: &'a mut archive::Writer,
    hub: &'a mut Hub,
    book: &'a mut Book,
    board: &'a Board,
    /// Whether the mission's TM is PUS (service replies are looked for).
    pus: bool,
    packets: u64,
    samples: u64,
}

impl TmSink for Sink<'_, '_> {
    fn unit(&mut self, unit: &ReceivedUnit<'_>) {
        self.writer.unit(self.link, unit);
        // A reply a command waits for (TM[17,2]) counts whether or not the model decodes it.
        if self.pus && unit.kind == tm::link::UnitKind::Packet && !self.book.is_empty() {
            let mut record = Record { writer: self.writer, hub: self.hub, board: self.board };
            self.book.service_reply(unit.bytes, unit.reception_ms, &mut record);
        }
    }

    fn packet(&mut self, reception_ms: u64, container: ContainerId, packet: &[u8], samples: &[Sample]) {
        self.packets += 1;
        self.samples += samples.len() as u64;
        self.writer.packet(self.plan, reception_ms, container, packet, samples);
        self.hub.samples(self.plan, packet, reception_ms, samples);
        if !self.book.is_empty() {
            let mut record = Record { writer: self.writer, hub: self.hub, board: self.board };
            self.book.telemetry(self.plan, samples, reception_ms, &mut record);
        }
    }

    fn report(&mut self, reception_ms: u64, report: &PusReport) {
        if let PusReport::Verification(report) = report {
            let mut record = Record { writer: self.writer, hub: self.hub, board: self.board };
            self.book.report(report, reception_ms, &mut record);
        }
        if let PusReport::Event(event) = report {
            let record = archive::EventRecord {
                time_ms: reception_ms,
                severity: event.severity.into(),
                source: format!("apid {}", event.apid),
                event_id: event.event_id,
                message: format!("PUS 5 event {}", event.event_id),
                data: event.data.clone(),
            };
            self.writer.event(&record);
            if self.hub.wants_events() {
                self.hub.event(&convert::event(&record));
            }
        }
    }

    fn alarm(&mut self, change: &AlarmChange) {
        self.writer.alarm(self.plan, change);
        if self.hub.wants_alarms() {
            self.hub.alarm(&convert::alarm(self.plan, change));
        }
    }
}

impl<'p> Ingest<'p> {
    /// The ingest state of a deployment with these links.
    pub fn new(
        plan: &'p Plan,
        pus: Option<PusLayout>,
        links: &[LinkSpec],
        writer: archive::Writer,
        book: Book,
    ) -> Self {
        let links = links
            .iter()
            .map(|spec| LinkState {
                spec: spec.clone(),
                links: BTreeMap::new(),
                closed: LinkCounters::default(),
                last_data_ms: None,
            })
            .collect();
        Ingest {
            plan,
            pus,
            links,
            board: AlarmBoard::new(),
            writer,
            hub: Hub::default(),
            book,
            last_command_tick_ms: 0,
            packets_in: 0,
            samples_in: 0,
            commits: 0,
            commit_failures: 0,
            commit_ms_last: 0,
            last_commit_ms: 0,
            last_retention_ms: None,
            links_published: Vec::new(),
        }
    }

    /// Runs until every sender of `inputs` is gone or `Stop` arrives; commits and syncs a last
    /// time before returning.
    pub fn run(mut self, mut inputs: mpsc::Receiver<Input>, shared: &Shared, durability: Durability, clock: &Clock) {
        while let Some(input) = inputs.blocking_recv() {
            if matches!(input, Input::Stop) {
                break;
            }
            self.handle(input, clock, shared);
            let now_ms = clock();
            if !self.book.is_empty() && now_ms.saturating_sub(self.last_command_tick_ms) >= COMMAND_TICK_MS {
                self.last_command_tick_ms = now_ms;
                let mut record = Record { writer: &mut self.writer, hub: &mut self.hub, board: &shared.commands };
                self.book.tick(now_ms, &mut record);
            }
            // Command transitions go out at once, not at the next commit.
            if std::mem::take(&mut self.book.changed) {
                self.hub.flush(now_ms);
            }
            if now_ms.saturating_sub(self.last_commit_ms) >= COMMIT_INTERVAL_MS {
                self.commit(shared, &durability, clock);
            }
        }
        self.commit(shared, &durability, clock);
        durability.finish();
    }

    /// Handles one input.
    pub fn handle(&mut self, input: Input, clock: &Clock, shared: &Shared) {
        match input {
            Input::Command(command) => {
                let mut record = Record { writer: &mut self.writer, hub: &mut self.hub, board: &shared.commands };
                self.book.handle(command, clock(), &mut record);
            }
            Input::Uplinked { id, result, time_ms } => {
                let mut record = Record { writer: &mut self.writer, hub: &mut self.hub, board: &shared.commands };
                self.book.uplinked(id, result, time_ms, &mut record);
            }
            Input::Stream { link, connection, bytes, reception_ms } => {
                self.with_link(shared, link, connection, reception_ms, |link, board, sink| {
                    link.receive(&bytes, reception_ms, board, sink)
                });
            }
            Input::StreamStart { .. } => {}
            Input::StreamEnd { link, connection, reception_ms } => {
                self.with_link(shared, link, connection, reception_ms, |link, _, sink| link.finish(reception_ms, sink));
                if let Some(state) = self.links.get_mut(link) {
                    if let Some(ended) = state.links.remove(&connection) {
                        add_counters(&mut state.closed, &ended.counters());
                    }
                }
            }
            Input::Datagram { link, bytes, reception_ms } => {
                self.with_link(shared, link, 0, reception_ms, |link, board, sink| {
                    link.datagram(&bytes, reception_ms, board, sink)
                });
            }
            Input::Acknowledge { parameter, by, reply } => {
                let _ = reply.send(self.acknowledge(&parameter, &by, clock()));
            }
            Input::Backfill { plan, from_ms, to_ms, packets, reply } => {
                let packets: Vec<(u64, &[u8])> = packets.iter().map(|(t, p)| (*t, p.as_slice())).collect();
                let result = self.writer.backfill(&plan, from_ms, to_ms, &packets).map_err(|e| e.to_string());
                if let Err(error) = &result {
                    tracing::error!(%error, from_ms, to_ms, "backfill slice refused");
                }
                let _ = reply.send(result);
            }
            Input::Tick | Input::Stop => {}
        }
    }

    fn with_link(
        &mut self,
        shared: &Shared,
        link_idx: usize,
        connection: u64,
        reception_ms: u64,
        run: impl FnOnce(&mut Link<'p>, &mut AlarmBoard, &mut dyn TmSink),
    ) {
        let plan = self.plan;
        let pus = self.pus;
        let Some(state) = self.links.get_mut(link_idx) else { return };
        state.last_data_ms = Some(reception_ms);
        let link = state.links.entry(connection).or_insert_with(|| Link::new(plan, state.spec.framing, pus));
        let mut sink = Sink {
            plan,
            link: &state.spec.name,
            writer: &mut self.writer,
            hub: &mut self.hub,
            book: &mut self.book,
            board: &shared.commands,
            pus: pus.is_some(),
            packets: 0,
            samples: 0,
        };
        run(link, &mut self.board, &mut sink);
        self.packets_in += sink.packets;
        self.samples_in += sink.samples;
    }

    fn acknowledge(&mut self, parameter: &str, by: &str, now_ms: u64) -> Result<(), String> {
        let name =
            model::QualifiedName::parse(parameter).ok_or_else(|| format!("{parameter:?} is not a parameter name"))?;
        let id = self.plan.parameter_id(&name).ok_or_else(|| format!("no parameter named {parameter:?}"))?;
        let changes = self.board.acknowledge(id, by, now_ms).map_err(|error| match error {
            tm::alarms::AlarmError::NoAlarm(_) => format!("{parameter} has no open alarm"),
            tm::alarms::AlarmError::AlreadyAcknowledged(_) => {
                format!("the alarm of {parameter} is already acknowledged")
            }
        })?;
        for change in &changes {
            self.writer.alarm(self.plan, change);
            self.hub.alarm(&convert::alarm(self.plan, change));
        }
        Ok(())
    }

    /// Commits everything received and asks the syncer to make it durable (it publishes the
    /// totals once the disk has them); flushes live streams.
    pub fn commit(&mut self, shared: &Shared, durability: &Durability, clock: &Clock) {
        let started_ms = clock();
        let admitted = self.hub.admit(&shared.inbox);
        let stored = match self.writer.commit_unsynced() {
            Ok(stored) => Some(stored),
            Err(error) => {
                // Nothing is reported stored; the data stays buffered and the next commit retries.
                self.commit_failures += 1;
                tracing::error!(%error, "archive commit failed; retrying at the next tick");
                None
            }
        };
        let now_ms = clock();
        if self.last_retention_ms.is_none_or(|last| now_ms.saturating_sub(last) >= RETENTION_EVERY_MS) {
            self.last_retention_ms = Some(now_ms);
            match self.writer.apply_retention(now_ms) {
                Ok(report) => tracing::info!(?report, "retention applied"),
                Err(error) => tracing::error!(%error, "retention failed; retrying in an hour"),
            }
        }
        self.commits += 1;
        self.commit_ms_last = now_ms.saturating_sub(started_ms);
        self.last_commit_ms = now_ms;
        let links: Vec<LinkStatus> = self.links.iter().map(|state| link_status(state, now_ms)).collect();
        // New subscribers get every link's state; the others only what changed.
        for (idx, link) in links.iter().enumerate() {
            if admitted > 0 || self.links_published.get(idx) != Some(link) {
                self.hub.link(link);
            }
        }
        self.links_published.clone_from(&links);
        self.hub.flush(now_ms);
        if let Some(stored) = stored {
            durability.request(stored);
        }
        let mut status = shared.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        status.links = links;
        status.open_alarms = self.open_alarms();
        status.pending_units = self.writer.pending().units;
        status.packets_in = self.packets_in;
        status.samples_in = self.samples_in;
        status.commits = self.commits;
        status.commit_failures = self.commit_failures;
        status.commit_ms_last = self.commit_ms_last;
        status.live_subscribers = self.hub.len();
        status.live_dropped = self.hub.dropped_total;
        status.live_disconnected = self.hub.disconnected_total;
        status.commands_live = self.book.len();
        status.command_release = match self.book.mode() {
            tc::lifecycle::ReleaseMode::Automatic => "automatic",
            tc::lifecycle::ReleaseMode::Manual => "manual",
        };
        status.reports_unmatched = self.book.unmatched_reports;
    }

    fn open_alarms(&self) -> Vec<OpenAlarmDto> {
        self.board
            .open()
            .map(|alarm| OpenAlarmDto {
                parameter: convert::series_name(self.plan, alarm.parameter, 0).unwrap_or_default(),
                phase: match alarm.phase {
                    AlarmPhase::Active => "active",
                    AlarmPhase::Acknowledged => "acknowledged",
                    AlarmPhase::Cleared => "cleared",
                }
                .to_string(),
                level: convert::level_name(alarm.level).to_string(),
                worst: convert::level_name(alarm.worst).to_string(),
                raised_ms: alarm.raised_ms,
                acknowledged_by: alarm.acknowledged.as_ref().map(|(by, _)| by.clone()),
            })
            .collect()
    }
}

/// The archive's totals on the wire.
pub fn totals(stored: &archive::Stored) -> StoredTotals {
    StoredTotals {
        units: stored.units,
        samples: stored.samples,
        events: stored.events,
        alarms: stored.alarms,
        commands: stored.commands,
        last_unit_ms: stored.last_unit_ms,
    }
}

fn add_counters(total: &mut LinkCounters, more: &LinkCounters) {
    total.units_in += more.units_in;
    total.bytes_in += more.bytes_in;
    total.packets_out += more.packets_out;
    total.idle_frames += more.idle_frames;
    total.idle_packets += more.idle_packets;
    total.gaps += more.gaps;
    total.frames_lost += more.frames_lost;
    for (reason, n) in &more.invalid {
        *total.invalid.entry(*reason).or_default() += n;
    }
}

fn link_status(state: &LinkState<'_>, now_ms: u64) -> LinkStatus {
    let mut counters = state.closed.clone();
    for link in state.links.values() {
        add_counters(&mut counters, &link.counters());
    }
    let active = match state.spec.transport {
        crate::Transport::Tcp => !state.links.is_empty(),
        crate::Transport::Udp => state.last_data_ms.is_some_and(|t| now_ms.saturating_sub(t) < ACTIVE_WINDOW_MS),
    };
    LinkStatus {
        name: state.spec.name.clone(),
        transport: state.spec.transport.as_str().to_string(),
        address: state.spec.address.clone(),
        framing: crate::framing_name(state.spec.framing).to_string(),
        active,
        units_in: counters.units_in,
        bytes_in: counters.bytes_in,
        invalid: counters.invalid.iter().map(|(reason, n)| (reason.as_str().to_string(), *n)).collect(),
        gaps: counters.gaps,
    }
}
