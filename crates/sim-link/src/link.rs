//! The running simulator: its TC socket bound, then three tasks — the TC socket (and its
//! connections), the simulator (ticks and answers), and the TM sender.

use crate::frames::TmFramer;
use crate::tc_in::TcSocket;
use crate::{tc_in, tm_out, Clock, Endpoint, SimCounters, SimLinkError, TcFraming, TcTls, TmFraming, TmTls};
use crate::{TC_QUEUE_MAX, TM_QUEUE_MAX};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The simulator's TC side, bound but not yet running.
pub struct SimLink {
    socket: TcSocket,
    tc_framing: TcFraming,
    local: SocketAddr,
    runtime: Handle,
    tm_tls: Option<TmTls>,
    tc_tls: Option<TcTls>,
}

/// A running simulator; its tasks stop on `stop` or when it is dropped.
pub struct RunningSim {
    local: SocketAddr,
    counters: Arc<Counters>,
    tasks: Vec<JoinHandle<()>>,
    /// Hands the engine a simulator to continue with (a new model version).
    replace: mpsc::Sender<sim::Simulator>,
}

/// The counters, shared by the tasks.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub tm_sent: AtomicU64,
    pub tm_dropped: AtomicU64,
    pub tc_received: AtomicU64,
    pub tc_invalid: AtomicU64,
    pub connections: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn snapshot(&self) -> SimCounters {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        SimCounters {
            tm_sent: get(&self.tm_sent),
            tm_dropped: get(&self.tm_dropped),
            tc_received: get(&self.tc_received),
            tc_invalid: get(&self.tc_invalid),
            connections: get(&self.connections),
        }
    }
}

impl SimLink {
    /// Binds the TC endpoint: a UDP socket, or a TCP listener that accepts up to
    /// `TC_CONNECTIONS_MAX` clients at once. Call it within a tokio runtime; `run` starts
    /// the tasks on that runtime.
    pub async fn bind(tc: &Endpoint, tc_framing: TcFraming) -> Result<SimLink, SimLinkError> {
        let (socket, local) = TcSocket::bind(tc).await?;
        Ok(SimLink { socket, tc_framing, local, runtime: Handle::current(), tm_tls: None, tc_tls: None })
    }

    /// Sends TM over TLS (TCP only; ignored for UDP): each connection is a TLS handshake
    /// first, and one that fails is retried like a failed connection.
    pub fn with_tm_tls(mut self, tls: TmTls) -> SimLink {
        self.tm_tls = Some(tls);
        self
    }

    /// Requires mutual TLS of TC clients (TCP only; ignored for UDP): each connection is a
    /// handshake first, and only a client `tls.expected` accepts is read.
    pub fn with_tc_tls(mut self, tls: TcTls) -> SimLink {
        self.tc_tls = Some(tls);
        self
    }

    /// Where the TC socket listens.
    pub fn tc_local(&self) -> SocketAddr {
        self.local
    }

    /// Starts the simulator: it ticks every `tick_ms` (emitting the TM due), answers each
    /// telecommand at once, and sends TM to `tm` (UDP: one datagram per packet or frame; TCP:
    /// it connects, and when it cannot or the connection drops it tries again at once, then
    /// every `RETRY_MS`, counting what it could not send as dropped). Invalid `tm_framing`
    /// (see `TmFraming::check`) is logged and every TM unit dropped.
    pub fn run(
        self,
        sim: sim::Simulator,
        tm: Endpoint,
        tm_framing: TmFraming,
        tick_ms: u64,
        clock: Clock,
    ) -> RunningSim {
        let counters = Arc::new(Counters::default());
        let (tc_sender, tc_receiver) = mpsc::channel(TC_QUEUE_MAX);
        let (tm_sender, tm_receiver) = mpsc::channel(TM_QUEUE_MAX);
        let output = match tm_framing.frame_config().map(TmFramer::new) {
            None => Output::Packets,
            Some(Ok(framer)) => Output::Frames(framer),
            Some(Err(error)) => {
                tracing::error!(%error, "the simulator cannot frame TM: every TM unit is dropped");
                Output::Refused
            }
        };
        let tc_tls = self.tc_tls.map(|tls| tc_in::Tls { tls, clock: clock.clone() });
        let engine = Engine { sim, output, tm: tm_sender, counters: counters.clone(), clock };
        let (replace, replacements) = mpsc::channel(1);
        let tasks = vec![
            self.runtime.spawn(tc_in::serve(self.socket, self.tc_framing, tc_sender, counters.clone(), tc_tls)),
            self.runtime.spawn(engine.run(tc_receiver, replacements, tick_ms)),
            self.runtime.spawn(tm_out::send(tm, tm_receiver, counters.clone(), self.tm_tls)),
        ];
        RunningSim { local: self.local, counters, tasks, replace }
    }
}

impl RunningSim {
    /// Where the TC socket listens.
    pub fn tc_local(&self) -> SocketAddr {
        self.local
    }

    /// The counters now.
    pub fn counters(&self) -> SimCounters {
        self.counters.snapshot()
    }

    /// Continues with another simulator (another model version) on the same sockets: the TC
    /// port stays (it is a deployment's uplink) and TM keeps flowing to the same link; the new
    /// simulator starts from its own initial state. Refused when a replacement is still pending
    /// or the simulator has stopped.
    pub fn replace(&self, sim: sim::Simulator) -> Result<(), SimLinkError> {
        self.replace.try_send(sim).map_err(|_| SimLinkError::Replace)
    }

    /// Stops every task and waits until they are gone (sockets closed).
    pub async fn stop(mut self) {
        for task in std::mem::take(&mut self.tasks) {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// What the simulator's TM becomes.
enum Output {
    Packets,
    Frames(TmFramer),
    /// The TM framing was refused: nothing is sent.
    Refused,
}

/// The task that owns the simulator.
struct Engine {
    sim: sim::Simulator,
    output: Output,
    tm: mpsc::Sender<Vec<u8>>,
    counters: Arc<Counters>,
    clock: Clock,
}

impl Engine {
    async fn run(
        mut self,
        mut tcs: mpsc::Receiver<Vec<u8>>,
        mut replacements: mpsc::Receiver<sim::Simulator>,
        tick_ms: u64,
    ) {
        let mut ticks = tokio::time::interval(Duration::from_millis(tick_ms.max(1)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            // Telecommands first: their answers are what a ground system waits for.
            tokio::select! {
                biased;
                tc = tcs.recv() => match tc {
                    Some(tc) => {
                        let packets = self.sim.telecommand(&tc, (self.clock)());
                        self.emit(packets);
                    }
                    None => return,
                },
                Some(sim) = replacements.recv() => {
                    tracing::info!(containers = sim.containers().len(), "the simulator continues with another model");
                    self.sim = sim;
                }
                _ = ticks.tick() => {
                    let packets = self.sim.tick((self.clock)());
                    self.emit(packets);
                }
            }
        }
    }

    /// Queues packets for the TM sender (as frames, flushed, when framing); what does not
    /// fit the queue is dropped.
    fn emit(&mut self, packets: Vec<Vec<u8>>) {
        if packets.is_empty() {
            return;
        }
        let units = match &mut self.output {
            Output::Packets => packets,
            Output::Frames(framer) => {
                let mut frames = Vec::new();
                for packet in &packets {
                    if let Err(error) = framer.push(packet, &mut frames) {
                        tracing::warn!(%error, "a simulated packet could not be framed");
                        Counters::add(&self.counters.tm_dropped, 1);
                    }
                }
                framer.flush(&mut frames);
                frames
            }
            Output::Refused => {
                Counters::add(&self.counters.tm_dropped, packets.len() as u64);
                return;
            }
        };
        for unit in units {
            if self.tm.try_send(unit).is_err() {
                Counters::add(&self.counters.tm_dropped, 1);
            }
        }
    }
}
