//! One telemetry link of a deployment, without I/O: bytes in (a stream, or one datagram at a
//! time) → units (packets, or frames and the packets in them) → processing → a `TmSink`.
//!
//! Nothing received is lost: every unit goes to the sink raw, valid or with the reason it is
//! not; every decoded packet's samples, every PUS 1/5 report and every alarm change follow.
//! The adapters (files, UDP, TCP, the archive) supply the bytes and the sink.

use crate::alarms::{AlarmBoard, AlarmChange};
use crate::pus::{report, PusLayout, PusReport};
use crate::{ContainerId, Plan, Processor, Sample};
use ccsds::{
    DemuxConfig, FrameConfig, FrameDemux, FrameEvent, LinkCounters, NctrsTmHeader, PacketSplitter, SplitterConfig, Unit,
};

/// How a link's bytes are cut into units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Space packets, each behind `prefix_len` bytes that are not part of it.
    Packets { prefix_len: usize },
    /// TM transfer frames of a fixed length.
    Frames { frame_len: usize, fecf: bool, spacecraft_id: Option<u16> },
    /// TM frames each behind an ESA NCTRS TM data unit header (which states its length).
    Nctrs { fecf: bool, spacecraft_id: Option<u16> },
}

/// The kind of a received unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Packet,
    Frame,
    /// Bytes that are neither (a broken header, a packet cut by a gap).
    Fragment,
}

/// One unit as received, for the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceivedUnit<'a> {
    pub kind: UnitKind,
    /// Where it starts in the link's byte stream.
    pub offset: u64,
    pub reception_ms: u64,
    pub bytes: &'a [u8],
    /// Why it could not be used, when it could not.
    pub invalid: Option<&'a str>,
}

/// Where a link's results go: the archive, a live stream, a test's memory.
pub trait TmSink {
    /// Every unit received, raw.
    fn unit(&mut self, unit: &ReceivedUnit<'_>);
    /// A decoded packet and its samples.
    fn packet(&mut self, reception_ms: u64, container: ContainerId, packet: &[u8], samples: &[Sample]);
    /// A PUS verification or event report.
    fn report(&mut self, reception_ms: u64, report: &PusReport);
    /// An alarm that changed.
    fn alarm(&mut self, change: &AlarmChange);
}

/// The link's state between calls: framing position, per-channel state, counters.
pub struct Link<'p> {
    framing: Framing,
    pus: Option<PusLayout>,
    processor: Processor<'p>,
    plan: &'p Plan,
    splitter: PacketSplitter,
    demux: FrameDemux,
    pending: Vec<u8>,
    offset: u64,
    samples: Vec<Sample>,
    /// Counters of units that are packets (on packet links); frame links count in the demux.
    packet_counters: LinkCounters,
}

/// A link's state between two plans: everything of a `Link` but its plan and processor.
pub struct UnboundLink {
    framing: Framing,
    pus: Option<PusLayout>,
    splitter: PacketSplitter,
    demux: FrameDemux,
    pending: Vec<u8>,
    offset: u64,
    samples: Vec<Sample>,
    packet_counters: LinkCounters,
}

impl UnboundLink {
    /// The link again, decoding with `plan` from its next byte on (see `Link::rebind`).
    pub fn bind(self, plan: &Plan) -> Link<'_> {
        Link {
            framing: self.framing,
            pus: self.pus,
            processor: Processor::new(plan),
            plan,
            splitter: self.splitter,
            demux: self.demux,
            pending: self.pending,
            offset: self.offset,
            samples: self.samples,
            packet_counters: self.packet_counters,
        }
    }

    /// The link's counters (as `Link::counters`).
    pub fn counters(&self) -> LinkCounters {
        counters(self.framing, &self.demux, &self.packet_counters)
    }
}

fn counters(framing: Framing, demux: &FrameDemux, packet_counters: &LinkCounters) -> LinkCounters {
    match framing {
        Framing::Packets { .. } => packet_counters.clone(),
        _ => {
            let mut counters = demux.counters().clone();
            for (reason, n) in &packet_counters.invalid {
                *counters.invalid.entry(*reason).or_default() += n;
            }
            counters
        }
    }
}

/// Most bytes a stream link buffers while waiting for the rest of a unit.
pub const PENDING_LEN_MAX: usize = 2 * (ccsds::PACKET_LEN_MAX + ccsds::NCTRS_TM_HEADER_LEN + ccsds::FRAME_LEN_MAX);

impl<'p> Link<'p> {
    /// A link decoding with `plan`; `pus` reads PUS 1 and 5 reports when given.
    pub fn new(plan: &'p Plan, framing: Framing, pus: Option<PusLayout>) -> Self {
        let (prefix_len, frame_len, fecf, spacecraft_id) = match framing {
            Framing::Packets { prefix_len } => (prefix_len, 0, false, None),
            Framing::Frames { frame_len, fecf, spacecraft_id } => (0, frame_len, fecf, spacecraft_id),
            Framing::Nctrs { fecf, spacecraft_id } => (0, 0, fecf, spacecraft_id),
        };
        Link {
            framing,
            pus,
            processor: Processor::new(plan),
            plan,
            splitter: PacketSplitter::new(SplitterConfig { prefix_len }),
            demux: FrameDemux::new(DemuxConfig { frame: FrameConfig { frame_len, fecf }, spacecraft_id }),
            pending: Vec::new(),
            offset: 0,
            samples: Vec::with_capacity(256),
            packet_counters: LinkCounters::default(),
        }
    }

    /// The link's counters: units, bytes, invalid units by reason, gaps.
    pub fn counters(&self) -> LinkCounters {
        counters(self.framing, &self.demux, &self.packet_counters)
    }

    /// The same link decoding with another plan (a new model version) from the next byte on:
    /// framing position, bytes of a unit not yet whole, per-channel state, offsets and
    /// counters carry over, so a packet split across the change is decoded whole, by `plan`.
    /// The processor starts afresh: its latest values (read by derived parameters and by
    /// conditions on earlier packets' values) start empty under the new plan.
    pub fn rebind<'q>(self, plan: &'q Plan) -> Link<'q> {
        self.unbind().bind(plan)
    }

    /// The link's state without its plan (to keep while the plan changes).
    pub fn unbind(self) -> UnboundLink {
        UnboundLink {
            framing: self.framing,
            pus: self.pus,
            splitter: self.splitter,
            demux: self.demux,
            pending: self.pending,
            offset: self.offset,
            samples: self.samples,
            packet_counters: self.packet_counters,
        }
    }

    /// Bytes from a stream (a file, a TCP connection): units may span calls.
    pub fn receive(&mut self, bytes: &[u8], reception_ms: u64, alarms: &mut AlarmBoard, sink: &mut dyn TmSink) {
        self.pending.extend_from_slice(bytes);
        let pending = std::mem::take(&mut self.pending);
        let used = self.take(&pending, reception_ms, alarms, sink);
        self.pending = pending;
        self.pending.drain(..used);
        if self.pending.len() > PENDING_LEN_MAX {
            // Cannot happen with a sane framer; bounded all the same.
            let rest = std::mem::take(&mut self.pending);
            self.fragment(&rest, reception_ms, ccsds::InvalidReason::LostSync, "buffer overflow", sink);
        }
    }

    /// The end of a stream: what is left is a truncated unit.
    pub fn finish(&mut self, reception_ms: u64, sink: &mut dyn TmSink) {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.fragment(&rest, reception_ms, ccsds::InvalidReason::Truncated, "truncated", sink);
        }
    }

    /// One datagram (UDP): exactly one unit, never joined with the next datagram.
    pub fn datagram(&mut self, bytes: &[u8], reception_ms: u64, alarms: &mut AlarmBoard, sink: &mut dyn TmSink) {
        let used = self.take(bytes, reception_ms, alarms, sink);
        if used < bytes.len() {
            let reason = "datagram does not hold whole units";
            self.fragment(&bytes[used..], reception_ms, ccsds::InvalidReason::Truncated, reason, sink);
        }
        // A datagram stream keeps no partial state across datagrams, but offsets go on.
        let prefix_len = match self.framing {
            Framing::Packets { prefix_len } => prefix_len,
            _ => 0,
        };
        self.splitter = PacketSplitter::starting_at(SplitterConfig { prefix_len }, self.offset);
    }

    fn fragment(
        &mut self,
        bytes: &[u8],
        reception_ms: u64,
        reason: ccsds::InvalidReason,
        detail: &str,
        sink: &mut dyn TmSink,
    ) {
        let unit =
            ReceivedUnit { kind: UnitKind::Fragment, offset: self.offset, reception_ms, bytes, invalid: Some(detail) };
        self.offset += bytes.len() as u64;
        self.packet_counters.count_invalid(reason);
        sink.unit(&unit);
    }

    /// Takes the whole units at the front of `bytes`; returns how many bytes were used.
    fn take(&mut self, bytes: &[u8], reception_ms: u64, alarms: &mut AlarmBoard, sink: &mut dyn TmSink) -> usize {
        match self.framing {
            Framing::Packets { .. } => {
                let mut splitter = std::mem::take(&mut self.splitter);
                let used = splitter.split(bytes, |unit| match unit {
                    Unit::Packet { offset, prefix, bytes, .. } => {
                        self.packet_counters.units_in += 1;
                        self.packet_counters.bytes_in += (prefix.len() + bytes.len()) as u64;
                        self.packet(offset, bytes, reception_ms, UnitKind::Packet, alarms, sink);
                    }
                    Unit::Invalid { offset, bytes, reason } => {
                        self.packet_counters.units_in += 1;
                        self.packet_counters.bytes_in += bytes.len() as u64;
                        self.packet_counters.count_invalid(reason);
                        let unit = ReceivedUnit {
                            kind: UnitKind::Fragment,
                            offset,
                            reception_ms,
                            bytes,
                            invalid: Some(reason.as_str()),
                        };
                        sink.unit(&unit);
                    }
                });
                self.splitter = splitter;
                self.offset += used as u64;
                used
            }
            Framing::Frames { frame_len, .. } => {
                let mut used = 0;
                while let Some(frame) = bytes.get(used..used + frame_len).filter(|_| frame_len > 0) {
                    self.frame(frame, reception_ms, alarms, sink);
                    used += frame_len;
                }
                used
            }
            Framing::Nctrs { .. } => {
                let mut used = 0;
                while let Some(header) = NctrsTmHeader::parse(&bytes[used..]) {
                    let unit_len = header.packet_size as usize;
                    if unit_len > ccsds::NCTRS_TM_HEADER_LEN + ccsds::FRAME_LEN_MAX {
                        // No station sends this: everything left is unusable.
                        let rest = &bytes[used..];
                        self.fragment(rest, reception_ms, ccsds::InvalidReason::LostSync, "bad NCTRS header", sink);
                        return bytes.len();
                    }
                    let Some(unit) = bytes.get(used..used + unit_len) else { break };
                    self.demux.set_frame_len(unit_len - ccsds::NCTRS_TM_HEADER_LEN);
                    self.offset += ccsds::NCTRS_TM_HEADER_LEN as u64;
                    self.frame(&unit[ccsds::NCTRS_TM_HEADER_LEN..], reception_ms, alarms, sink);
                    used += unit_len;
                }
                used
            }
        }
    }

    fn frame(&mut self, frame: &[u8], reception_ms: u64, alarms: &mut AlarmBoard, sink: &mut dyn TmSink) {
        let offset = self.offset;
        let mut events = Vec::new();
        self.demux.push_frame(frame, offset, |event| events.push(event));
        let frame_invalid = events.iter().find_map(|e| match e {
            FrameEvent::Invalid { bytes, reason, .. } if bytes.len() == frame.len() && bytes == frame => {
                Some(reason.as_str())
            }
            _ => None,
        });
        sink.unit(&ReceivedUnit { kind: UnitKind::Frame, offset, reception_ms, bytes: frame, invalid: frame_invalid });
        for event in events {
            match event {
                FrameEvent::Packet { bytes, .. } => {
                    self.packet(offset, &bytes, reception_ms, UnitKind::Packet, alarms, sink)
                }
                FrameEvent::Invalid { bytes, reason, .. } if frame_invalid.is_none() => {
                    let unit = ReceivedUnit {
                        kind: UnitKind::Fragment,
                        offset,
                        reception_ms,
                        bytes: &bytes,
                        invalid: Some(reason.as_str()),
                    };
                    sink.unit(&unit);
                }
                _ => {}
            }
        }
        self.offset += frame.len() as u64;
    }

    fn packet(
        &mut self,
        offset: u64,
        packet: &[u8],
        reception_ms: u64,
        kind: UnitKind,
        alarms: &mut AlarmBoard,
        sink: &mut dyn TmSink,
    ) {
        // The mission's packets end with a PUS packet error control: one that does not match is
        // kept raw and not decoded (its values cannot be trusted).
        if self.pus.is_some_and(|layout| layout.has_crc) && !pec_ok(packet) {
            self.packet_counters.count_invalid(ccsds::InvalidReason::CrcMismatch);
            let invalid = Some(ccsds::InvalidReason::CrcMismatch.as_str());
            sink.unit(&ReceivedUnit { kind, offset, reception_ms, bytes: packet, invalid });
            return;
        }
        self.samples.clear();
        match self.processor.process(packet, &mut self.samples) {
            Ok(container) => {
                sink.unit(&ReceivedUnit { kind, offset, reception_ms, bytes: packet, invalid: None });
                sink.packet(reception_ms, container, packet, &self.samples);
                for sample in &self.samples {
                    // Only an out-of-limits sample can raise an alarm: skip the type lookup otherwise.
                    let min_violations = match sample.level {
                        model::AlarmLevel::Normal => 1,
                        _ => self.plan.min_violations(sample.parameter),
                    };
                    if let Some(change) = alarms.observe(sample.parameter, sample.level, min_violations, reception_ms) {
                        sink.alarm(&change);
                    }
                }
            }
            Err(error) => {
                let reason = error.to_string();
                sink.unit(&ReceivedUnit { kind, offset, reception_ms, bytes: packet, invalid: Some(&reason) });
            }
        }
        // PUS 1 and 5 reports are read by the mission's PUS layout, whether or not the model
        // describes them: command verification must not depend on a container definition.
        // One too short for the layout was still archived above.
        if let Some(Ok(Some(report))) = self.pus.as_ref().map(|layout| report(packet, layout)) {
            sink.report(reception_ms, &report);
        }
    }
}

/// Whether a packet's last two bytes are the CRC-16 of the rest.
fn pec_ok(packet: &[u8]) -> bool {
    match packet.len().checked_sub(2) {
        Some(end) if end > 0 => {
            ccsds::crc16_ccitt_false(&packet[..end]) == u16::from_be_bytes([packet[end], packet[end + 1]])
        }
        _ => false,
    }
}

/// A sink that keeps everything in memory (tests; the archive takes its place in issue 4).
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    /// (kind, offset, length, invalid reason) of every unit.
    pub units: Vec<(UnitKind, u64, usize, Option<String>)>,
    pub packets: Vec<(ContainerId, Vec<Sample>)>,
    pub reports: Vec<PusReport>,
    pub alarms: Vec<AlarmChange>,
}

impl TmSink for MemorySink {
    fn unit(&mut self, unit: &ReceivedUnit<'_>) {
        self.units.push((unit.kind, unit.offset, unit.bytes.len(), unit.invalid.map(str::to_string)));
    }

    fn packet(&mut self, _reception_ms: u64, container: ContainerId, _packet: &[u8], samples: &[Sample]) {
        self.packets.push((container, samples.to_vec()));
    }

    fn report(&mut self, _reception_ms: u64, report: &PusReport) {
        self.reports.push(report.clone());
    }

    fn alarm(&mut self, change: &AlarmChange) {
        self.alarms.push(change.clone());
    }
}

#[cfg(test)]
mod tests;
