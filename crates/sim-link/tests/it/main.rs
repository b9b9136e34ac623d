//! The simulator on loopback sockets, built from the real Yamcs PUS example and SpacePy MIB:
//! TM over UDP and TCP, as packets and frames; telecommands over UDP and TCP, as packets and
//! TC frames, answered with PUS 1 and 17 reports carrying their request id.

mod links;
mod tc_tls;

use model_import::{SourceFile, SourceKind};
use sim::{PusTmLayout, SimConfig, Simulator};
use sim_link::Clock;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpStream, UdpSocket};

/// How long a test waits for an answer before it fails.
pub const WAIT: Duration = Duration::from_secs(10);

fn load(dir: &str, names: &[&str]) -> Vec<SourceFile> {
    test_utils::real_files(dir, names).into_iter().map(|(path, bytes)| SourceFile::new(path, bytes)).collect()
}

/// The Yamcs PUS example's simulator, with its header layout (as in the `sim` tests).
pub fn pus_simulator() -> Simulator {
    let (dir, names) = test_utils::PUS_EXAMPLE;
    let model = model_import::import(SourceKind::Xtce, &load(dir, &names)).unwrap_or_else(|r| panic!("{r}")).model;
    let mut config = SimConfig::new(100, 7);
    config.pus = PusTmLayout {
        data_field_header_len: 15,
        time_offset: 14,
        time_coarse_len: 4,
        time_fine_len: 3,
        time_p_field: Some(0x2F),
        ..PusTmLayout::pus_c()
    };
    Simulator::new(&model, config).expect("simulator")
}

/// The SpacePy MIB's simulator: PUS-C with a CUC 4+1 time, no CRC in its packets.
pub fn mib_simulator() -> Simulator {
    let (dir, names) = test_utils::SPACEPY_MIB;
    let model = model_import::import(SourceKind::Mib, &load(dir, &names)).unwrap_or_else(|r| panic!("{r}")).model;
    let mut config = SimConfig::new(1234, 7);
    config.pus = PusTmLayout { data_field_header_len: 12, time_fine_len: 1, has_crc: false, ..PusTmLayout::pus_c() };
    Simulator::new(&model, config).expect("simulator")
}

/// Milliseconds since the Unix epoch, from a fixed start (tests do not read the system clock).
pub fn clock() -> Clock {
    let start = Instant::now();
    Arc::new(move || 1_790_000_000_000 + start.elapsed().as_millis() as u64)
}

/// Where the test reads TM from, and how it is framed.
pub enum TmSource {
    Udp(UdpSocket),
    Tcp(TcpStream),
}

/// Reads TM packets: datagrams of one packet, datagrams of one frame, or a packet stream.
pub struct TmReader {
    pub source: TmSource,
    pub demux: Option<ccsds::FrameDemux>,
    pending: Vec<u8>,
    packets: std::collections::VecDeque<Vec<u8>>,
}

impl TmReader {
    pub fn new(source: TmSource, demux: Option<ccsds::FrameDemux>) -> TmReader {
        TmReader { source, demux, pending: Vec::new(), packets: Default::default() }
    }

    /// The next TM packet; panics after `WAIT`, or on bytes that are no packet.
    pub async fn packet(&mut self) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(packet) = self.packets.pop_front() {
                let header = ccsds::PacketHeader::parse(&packet, 0).expect("a CCSDS packet");
                assert_eq!(header.packet_len(), packet.len(), "length field of {packet:02x?}");
                return packet;
            }
            let mut buffer = vec![0u8; 65_536];
            let read = async {
                match &mut self.source {
                    TmSource::Udp(socket) => socket.recv(&mut buffer).await,
                    TmSource::Tcp(stream) => stream.read(&mut buffer).await,
                }
            };
            let len = tokio::time::timeout_at(deadline, read).await.expect("TM within the wait").expect("TM read");
            assert!(len > 0, "the TM connection closed");
            self.take(&buffer[..len]);
        }
    }

    fn take(&mut self, bytes: &[u8]) {
        let packets = &mut self.packets;
        if let Some(demux) = &mut self.demux {
            demux.push_frame(bytes, 0, |event| match event {
                ccsds::FrameEvent::Packet { bytes, .. } => packets.push_back(bytes),
                other => panic!("unexpected frame event {other:?}"),
            });
        } else if matches!(self.source, TmSource::Udp(_)) {
            packets.push_back(bytes.to_vec());
        } else {
            self.pending.extend_from_slice(bytes);
            let whole: Vec<Vec<u8>> = ccsds::whole_packets(&self.pending).into_iter().map(<[u8]>::to_vec).collect();
            let used: usize = whole.iter().map(Vec::len).sum();
            self.pending.drain(..used);
            packets.extend(whole);
        }
    }

    /// What the simulator answers to `tc`: its PUS 1 reports for that request id and the
    /// TM[17,2] between them, one line each, up to the completion (or a failure).
    pub async fn answers(&mut self, layout: &tm::pus::PusLayout, tc: &[u8]) -> Vec<String> {
        let request = (u16::from_be_bytes([tc[0], tc[1]]), u16::from_be_bytes([tc[2], tc[3]]));
        let mut lines = Vec::new();
        loop {
            let packet = self.packet().await;
            let (service, subtype) = (packet[7], packet[8]);
            match (service, tm::pus::report(&packet, layout)) {
                (1, Ok(Some(tm::pus::PusReport::Verification(v)))) => {
                    if (v.request.packet_id, v.request.sequence_control) != request {
                        continue;
                    }
                    lines.push(format!("TM[1,{subtype}] {:?} success={}", v.stage, v.success));
                    if subtype == 7 || !v.success {
                        return lines;
                    }
                }
                (17, _) if !lines.is_empty() => lines.push("TM[17,2]".to_string()),
                _ => {}
            }
        }
    }
}

/// A ping asking for acceptance and completion reports.
pub fn ping(apid: u16, sequence_count: u16) -> Vec<u8> {
    tc::pus::pus_tc(apid, sequence_count, 17, 1, 0, 0b1001, &[]).expect("ping")
}

/// Waits until `done` holds of the counters; panics after `WAIT`.
pub async fn wait_for(sim: &sim_link::RunningSim, what: &str, done: impl Fn(&sim_link::SimCounters) -> bool) {
    let start = Instant::now();
    while !done(&sim.counters()) {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}: {:?}", sim.counters());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
