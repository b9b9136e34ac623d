//! Telecommands out of received bytes, without I/O: a TCP stream or one UDP datagram split
//! into space packets by their length field, or into TC transfer frames (232.0-B) by the
//! frame length field, each frame's data field holding whole packets, optionally behind a
//! segment header of an unsegmented unit (sequence flags 0b11).
//!
//! A unit that cannot be read is handed out as invalid with its offset and reason, and the
//! next one is read. Only a header that is not version 0 loses sync: nothing after it can be
//! trusted, so the rest of the stream is invalid and the caller closes it.

use crate::TcFraming;
use ccsds::{PacketSplitter, SplitterConfig, Unit};

/// What the decoder hands out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TcUnit {
    /// A whole space packet, for the simulator.
    Packet(Vec<u8>),
    /// Bytes that were no TC packet or frame; `offset` counts from the stream's start.
    Invalid { offset: u64, len: usize, reason: String },
    /// A valid frame the simulator does not act on (a COP-1 control command).
    Ignored { offset: u64, reason: &'static str },
}

/// Splits one stream; keeps the bytes of an unfinished unit between calls.
#[derive(Clone, Debug)]
pub(crate) struct TcDecoder {
    framing: TcFraming,
    /// Received bytes not yet handed out. Invariant: shorter than the longest unit (a packet
    /// of 65 542 bytes) plus the last chunk, since every whole unit is taken at once.
    pending: Vec<u8>,
    /// Stream offset of `pending[0]`.
    offset: u64,
    lost_sync: bool,
}

impl TcDecoder {
    /// A decoder at the start of a stream (or of a datagram).
    pub(crate) fn new(framing: TcFraming) -> TcDecoder {
        TcDecoder { framing, pending: Vec::new(), offset: 0, lost_sync: false }
    }

    /// Whether the stream lost sync: the caller should stop reading it.
    pub(crate) fn lost_sync(&self) -> bool {
        self.lost_sync
    }

    /// Takes more bytes; returns the units they complete.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Vec<TcUnit> {
        let mut units = Vec::new();
        if self.lost_sync {
            if !bytes.is_empty() {
                units.push(self.invalid(bytes.len(), "after lost sync".into()));
                self.offset += bytes.len() as u64;
            }
            return units;
        }
        self.pending.extend_from_slice(bytes);
        let used = match self.framing {
            TcFraming::Packets => self.packets(&mut units),
            TcFraming::Frames { fecf } => self.frames(fecf, &mut units),
        };
        self.pending.drain(..used);
        self.offset += used as u64;
        units
    }

    /// Ends the stream: bytes of an unfinished unit are invalid.
    pub(crate) fn finish(&mut self) -> Vec<TcUnit> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let unit = self.invalid(
            self.pending.len(),
            format!("truncated: the stream ends {} bytes into a unit", self.pending.len()),
        );
        self.offset += self.pending.len() as u64;
        self.pending.clear();
        vec![unit]
    }

    fn invalid(&self, len: usize, reason: String) -> TcUnit {
        TcUnit::Invalid { offset: self.offset, len, reason }
    }

    fn packets(&mut self, units: &mut Vec<TcUnit>) -> usize {
        let mut splitter = PacketSplitter::starting_at(SplitterConfig::default(), self.offset);
        let mut lost_sync = false;
        let used = splitter.split(&self.pending, |unit| match unit {
            Unit::Packet { bytes, .. } => units.push(TcUnit::Packet(bytes.to_vec())),
            Unit::Invalid { offset, bytes, .. } => {
                lost_sync = true;
                let reason = format!("lost sync: packet version {}, expected 0", bytes[0] >> 5);
                units.push(TcUnit::Invalid { offset, len: bytes.len(), reason });
            }
        });
        self.lost_sync = lost_sync;
        used
    }

    fn frames(&mut self, fecf: bool, units: &mut Vec<TcUnit>) -> usize {
        let mut used = 0;
        while let Some(rest) = self.pending.get(used..).filter(|rest| rest.len() >= 4) {
            let offset = self.offset + used as u64;
            if rest[0] >> 6 != 0 {
                self.lost_sync = true;
                let reason = format!("lost sync: TC frame version {}, expected 0", rest[0] >> 6);
                units.push(TcUnit::Invalid { offset, len: rest.len(), reason });
                return self.pending.len();
            }
            let frame_len = usize::from(u16::from_be_bytes([rest[2], rest[3]]) & 0x03FF) + 1;
            let Some(frame) = rest.get(..frame_len) else { break };
            used += frame_len;
            match tc::frame::parse_tc_frame(frame, fecf) {
                Err(error) => units.push(TcUnit::Invalid { offset, len: frame_len, reason: error.to_string() }),
                Ok(frame) if frame.control_command => {
                    units.push(TcUnit::Ignored { offset, reason: "a COP-1 control command frame (no FARM here)" })
                }
                Ok(frame) => data_field(&frame.data, offset + tc::frame::TC_FRAME_HEADER_LEN as u64, units),
            }
        }
        used
    }
}

/// The packets of a frame's data field; `offset` is where the field starts in the stream.
fn data_field(data: &[u8], offset: u64, units: &mut Vec<TcUnit>) {
    let (packets, offset) = match data.first() {
        None => return units.push(TcUnit::Invalid { offset, len: 0, reason: "TC frame without data".into() }),
        // Sequence flags 0b11: the segment header of an unsegmented unit (a packet starts with 0b000).
        Some(byte) if byte >> 6 == 0b11 => (&data[1..], offset + 1),
        Some(byte) if byte >> 5 != 0 => {
            let reason = format!("segment header {byte:#04x}: segmented telecommands are not supported");
            return units.push(TcUnit::Invalid { offset, len: data.len(), reason });
        }
        Some(_) => (data, offset),
    };
    let mut splitter = PacketSplitter::starting_at(SplitterConfig::default(), offset);
    let used = splitter.split(packets, |unit| match unit {
        Unit::Packet { bytes, .. } => units.push(TcUnit::Packet(bytes.to_vec())),
        Unit::Invalid { offset, bytes, .. } => {
            let reason = "TC frame data: no space packet (version not 0)".to_string();
            units.push(TcUnit::Invalid { offset, len: bytes.len(), reason });
        }
    });
    if used < packets.len() || packets.is_empty() {
        let reason = format!("TC frame data: {} bytes are no whole packet", packets.len() - used);
        units.push(TcUnit::Invalid { offset: offset + used as u64, len: packets.len() - used, reason });
    }
}

#[cfg(test)]
mod tests;
