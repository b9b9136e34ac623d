//! The ingest thread of a deployment: bytes from its links → `tm::link` → the archive writer
//! and the live hub. One thread owns the links' decoding state, the alarm board, the archive
//! writer and the hub, so none of them needs a lock on the hot path.
//!
//! Durability: the archive commits (fsync) at least every `COMMIT_INTERVAL_MS`; only then do
//! the `stored` totals the API reports move. A crash loses at most what was received since
//! the last commit, and that was never reported stored.
//!
//! Model versions: the thread decodes with one `Plan` at a time (`Decoding`, which borrows
//! it) and changes plan between two inputs (`Input::Swap`, see `crate::swap`): it leaves the
//! old plan (`Decoding::leave`: what names parameters by id moves to the new plan or is
//! forgotten), keeps every link's framing state (`tm::link::UnboundLink`) and binds it to the
//! new plan. No byte is decoded twice or skipped, and nothing on the hot path changes.

mod sink;
mod status;

use crate::commanding::book::{Board, Book, CommandInput, Record};
use crate::convert;
use crate::durable::Durability;
use crate::hub::{Hub, Inbox};
use crate::swap::{SwapApplied, SwapRequest};
use crate::{Clock, LinkSpec};
use api::wire::{LinkStatus, OpenAlarmDto, StoredTotals};
use base::Digest;
use ccsds::LinkCounters;
use sink::Sink;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tm::alarms::AlarmBoard;
use tm::link::{Link, TmSink, UnboundLink};
use tm::pus::PusLayout;
use tm::Plan;
use tokio::sync::mpsc;

pub use status::totals;

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
        plan: Arc<Plan>,
        from_ms: u64,
        to_ms: u64,
        packets: Vec<(u64, Vec<u8>)>,
        reply: std::sync::mpsc::Sender<Result<archive::BackfillReport, String>>,
    },
    /// A command request of the API (submit, approve, release, cancel).
    Command(CommandInput),
    /// The uplink's answer: the command went out (bytes on the wire) or not.
    Uplinked { id: tc::lifecycle::CommandId, result: Result<usize, String>, time_ms: u64 },
    /// Decode with another model version from the next input on (hot swap, `crate::swap`).
    Swap(SwapRequest),
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

/// One link of the deployment: its spec, and the decoding state `L` of each connection
/// (`Link` while decoding, `UnboundLink` between two plans).
struct LinkState<L> {
    spec: LinkSpec,
    /// The datagram link, or the connections of a stream link.
    links: BTreeMap<u64, L>,
    /// Counters of stream connections that ended.
    closed: LinkCounters,
    last_data_ms: Option<u64>,
}

impl<L> LinkState<L> {
    fn map<M>(self, rebind: impl Fn(L) -> M) -> LinkState<M> {
        LinkState {
            spec: self.spec,
            links: self.links.into_iter().map(|(connection, link)| (connection, rebind(link))).collect(),
            closed: self.closed,
            last_data_ms: self.last_data_ms,
        }
    }
}

/// What the ingest thread keeps from one model version to the next.
struct Core {
    /// The digest of the model version decoding now.
    digest: Digest,
    pus: Option<PusLayout>,
    /// Invariant: indexed by parameter ids of the plan decoding now (remapped at a swap).
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

/// Everything the ingest thread owns, between two plans (and before the first).
pub struct Ingest {
    links: Vec<LinkState<UnboundLink>>,
    core: Core,
}

/// The ingest thread decoding with one plan.
struct Decoding<'p> {
    plan: &'p Plan,
    links: Vec<LinkState<Link<'p>>>,
    core: Core,
}

impl Ingest {
    /// The ingest state of a deployment with these links, running the model `digest`.
    pub fn new(
        digest: Digest,
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
        let core = Core {
            digest,
            pus,
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
        };
        Ingest { links, core }
    }

    /// Decodes with `plan` (then with each plan a `Swap` brings) until every sender of
    /// `inputs` is gone or `Stop` arrives; commits and syncs a last time before returning.
    pub fn run(
        self,
        plan: Arc<Plan>,
        mut inputs: mpsc::Receiver<Input>,
        shared: &Shared,
        durability: Durability,
        clock: &Clock,
    ) {
        let (mut plan, mut ingest) = (plan, self);
        loop {
            let mut decoding = ingest.bind(&plan);
            let Some(swap) = decoding.run_until_swap(&mut inputs, shared, &durability, clock) else {
                decoding.commit(shared, &durability, clock);
                durability.finish();
                return;
            };
            let (rest, applied) = decoding.leave(&swap.plan, swap.digest, clock());
            ingest = rest;
            plan = swap.plan;
            let _ = swap.reply.send(applied);
        }
    }

    fn bind(self, plan: &Plan) -> Decoding<'_> {
        let links = self.links.into_iter().map(|state| state.map(|link| link.bind(plan))).collect();
        Decoding { plan, links, core: self.core }
    }
}

impl<'p> Decoding<'p> {
    /// Handles inputs until a `Swap` (returned) or the end (`None`).
    fn run_until_swap(
        &mut self,
        inputs: &mut mpsc::Receiver<Input>,
        shared: &Shared,
        durability: &Durability,
        clock: &Clock,
    ) -> Option<SwapRequest> {
        while let Some(input) = inputs.blocking_recv() {
            match input {
                Input::Stop => return None,
                Input::Swap(swap) => return Some(swap),
                input => self.handle(input, clock, shared),
            }
            let now_ms = clock();
            let core = &mut self.core;
            if !core.book.is_empty() && now_ms.saturating_sub(core.last_command_tick_ms) >= COMMAND_TICK_MS {
                core.last_command_tick_ms = now_ms;
                let mut record = Record { writer: &mut core.writer, hub: &mut core.hub, board: &shared.commands };
                core.book.tick(now_ms, &mut record);
            }
            // Command transitions go out at once, not at the next commit.
            if std::mem::take(&mut core.book.changed) {
                core.hub.flush(now_ms);
            }
            if now_ms.saturating_sub(core.last_commit_ms) >= COMMIT_INTERVAL_MS {
                self.commit(shared, durability, clock);
            }
        }
        None
    }

    /// Handles one input (not `Stop` or `Swap`, which `run_until_swap` takes).
    fn handle(&mut self, input: Input, clock: &Clock, shared: &Shared) {
        let core = &mut self.core;
        match input {
            Input::Command(command) => {
                let mut record = Record { writer: &mut core.writer, hub: &mut core.hub, board: &shared.commands };
                core.book.handle(command, clock(), &mut record);
            }
            Input::Uplinked { id, result, time_ms } => {
                let mut record = Record { writer: &mut core.writer, hub: &mut core.hub, board: &shared.commands };
                core.book.uplinked(id, result, time_ms, &mut record);
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
                        status::add_counters(&mut state.closed, &ended.counters());
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
                let result = core.writer.backfill(&plan, from_ms, to_ms, &packets).map_err(|e| e.to_string());
                if let Err(error) = &result {
                    tracing::error!(%error, from_ms, to_ms, "backfill slice refused");
                }
                let _ = reply.send(result);
            }
            Input::Tick | Input::Stop | Input::Swap(_) => {}
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
        let core = &mut self.core;
        let pus = core.pus;
        let Some(state) = self.links.get_mut(link_idx) else { return };
        state.last_data_ms = Some(reception_ms);
        let link = state.links.entry(connection).or_insert_with(|| Link::new(plan, state.spec.framing, pus));
        let mut sink = Sink {
            plan,
            link: &state.spec.name,
            writer: &mut core.writer,
            hub: &mut core.hub,
            book: &mut core.book,
            board: &shared.commands,
            pus: pus.is_some(),
            packets: 0,
            samples: 0,
        };
        run(link, &mut core.board, &mut sink);
        core.packets_in += sink.packets;
        core.samples_in += sink.samples;
    }

    fn acknowledge(&mut self, parameter: &str, by: &str, now_ms: u64) -> Result<(), String> {
        let name =
            model::QualifiedName::parse(parameter).ok_or_else(|| format!("{parameter:?} is not a parameter name"))?;
        let id = self.plan.parameter_id(&name).ok_or_else(|| format!("no parameter named {parameter:?}"))?;
        let core = &mut self.core;
        let changes = core.board.acknowledge(id, by, now_ms).map_err(|error| match error {
            tm::alarms::AlarmError::NoAlarm(_) => format!("{parameter} has no open alarm"),
            tm::alarms::AlarmError::AlreadyAcknowledged(_) => {
                format!("the alarm of {parameter} is already acknowledged")
            }
        })?;
        for change in &changes {
            core.writer.alarm(self.plan, change);
            core.hub.alarm(&convert::alarm(self.plan, change));
        }
        Ok(())
    }

    /// Leaves this plan for `to` (the model `digest`), between two inputs: every cache that
    /// names parameters by this plan's ids is moved to `to`'s ids (the alarm board, by name) or
    /// forgotten (the archive writer's series and alarm caches, the live hub's subscriptions,
    /// the command book's watched parameters); an open alarm whose parameter `to` lacks is
    /// closed and recorded. The links keep their framing state, unbound.
    fn leave(self, to: &Plan, digest: Digest, now_ms: u64) -> (Ingest, SwapApplied) {
        let Decoding { plan: from, links, mut core } = self;
        let units_before = core.writer.stored().units + core.writer.pending().units;
        let new_id = |id| from.parameter(id).and_then(|info| to.parameter_id(&info.name));
        let closed = core.board.remap(new_id, now_ms);
        for change in &closed {
            core.writer.alarm(from, change);
            if core.hub.wants_alarms() {
                core.hub.alarm(&convert::alarm(from, change));
            }
        }
        core.writer.forget_plan();
        core.hub.forget_plan();
        core.book.forget_plan();
        let record = crate::swap::event(&core.digest, &digest, now_ms);
        core.writer.event(&record);
        if core.hub.wants_events() {
            core.hub.event(&convert::event(&record));
        }
        tracing::info!(from = %core.digest, to = %digest, units_before, "model swapped");
        let applied = SwapApplied {
            from: std::mem::replace(&mut core.digest, digest),
            units_before,
            alarms_kept: core.board.open_count(),
            alarms_closed: closed.len(),
            connections: links.iter().map(|state| state.links.len()).sum(),
            time_ms: now_ms,
        };
        let links = links.into_iter().map(|state| state.map(Link::unbind)).collect();
        (Ingest { links, core }, applied)
    }
}
