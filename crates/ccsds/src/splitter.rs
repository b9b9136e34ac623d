//! Splitting a byte stream of space packets into units, each optionally behind a fixed
//! per-packet header (the 4-byte SUDA file header, a station's own wrapper).
//!
//! Input arrives in chunks of any size; `split` takes whole units from the front of what it is
//! given and says how much it consumed, so the caller keeps only the tail. Nothing is lost:
//! a packet whose header is not version 0 means the stream has lost sync, and everything from
//! there on is handed out as invalid units, since a packet stream without framing cannot be
//! resynchronised safely.

use crate::counters::InvalidReason;
use crate::packet::{PacketError, PacketHeader, PACKET_HEADER_LEN, PACKET_LEN_MAX};

/// How a packet stream is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SplitterConfig {
    /// Bytes before each packet that are not part of it (0 for a plain stream).
    pub prefix_len: usize,
}

/// One unit taken from the stream: a packet, or bytes that could not be one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unit<'a> {
    Packet {
        /// Where the unit (its prefix, if any) starts in the stream.
        offset: u64,
        prefix: &'a [u8],
        header: PacketHeader,
        /// The whole packet, header included.
        bytes: &'a [u8],
    },
    Invalid {
        offset: u64,
        bytes: &'a [u8],
        reason: InvalidReason,
    },
}

/// Splits a packet stream; keeps only its position and sync state between calls.
#[derive(Clone, Debug, Default)]
pub struct PacketSplitter {
    config: SplitterConfig,
    /// Stream offset of the next byte `split` will be given.
    offset: u64,
    lost_sync: bool,
}

impl PacketSplitter {
    /// A splitter at the start of a stream.
    pub fn new(config: SplitterConfig) -> Self {
        PacketSplitter { config, offset: 0, lost_sync: false }
    }

    /// A splitter whose next byte is at `offset` of the link's stream (a new datagram).
    pub fn starting_at(config: SplitterConfig, offset: u64) -> Self {
        PacketSplitter { config, offset, lost_sync: false }
    }

    /// Hands every whole unit at the front of `bytes` to `out` and returns how many bytes
    /// were consumed; the caller passes the rest again with more data appended.
    pub fn split<'a>(&mut self, bytes: &'a [u8], mut out: impl FnMut(Unit<'a>)) -> usize {
        let mut pos = 0;
        if self.lost_sync {
            if !bytes.is_empty() {
                out(Unit::Invalid { offset: self.offset, bytes, reason: InvalidReason::LostSync });
            }
            self.offset += bytes.len() as u64;
            return bytes.len();
        }
        let prefix_len = self.config.prefix_len;
        while let Some(rest) = bytes.get(pos..) {
            let offset = self.offset + pos as u64;
            let Some(packet_start) = rest.get(prefix_len..) else {
                break;
            };
            let header = match PacketHeader::parse(packet_start, offset + prefix_len as u64) {
                Ok(header) => header,
                Err(PacketError::TooShort { .. }) => break,
                Err(PacketError::BadVersion { .. }) => {
                    self.lost_sync = true;
                    out(Unit::Invalid { offset, bytes: rest, reason: InvalidReason::LostSync });
                    pos = bytes.len();
                    break;
                }
            };
            let unit_len = prefix_len + header.packet_len();
            let Some(unit) = rest.get(..unit_len) else {
                break;
            };
            out(Unit::Packet { offset, prefix: &unit[..prefix_len], header, bytes: &unit[prefix_len..] });
            pos += unit_len;
        }
        self.offset += pos as u64;
        pos
    }

    /// Ends the stream: whatever was left unconsumed is a truncated unit.
    pub fn finish<'a>(&mut self, rest: &'a [u8], mut out: impl FnMut(Unit<'a>)) {
        if !rest.is_empty() {
            let reason = if self.lost_sync { InvalidReason::LostSync } else { InvalidReason::Truncated };
            out(Unit::Invalid { offset: self.offset, bytes: rest, reason });
            self.offset += rest.len() as u64;
        }
    }

    /// The most bytes a caller must buffer to always make progress.
    pub fn unit_len_max(&self) -> usize {
        self.config.prefix_len + PACKET_LEN_MAX.max(PACKET_HEADER_LEN)
    }
}

/// The whole packets of a capture of plain packets back to back (no prefix), in order;
/// anything that is not a whole packet is left out (for replaying captures, not for links,
/// which must keep every byte).
pub fn whole_packets(bytes: &[u8]) -> Vec<&[u8]> {
    let mut packets = Vec::new();
    PacketSplitter::new(SplitterConfig { prefix_len: 0 }).split(bytes, |unit| {
        if let Unit::Packet { bytes, .. } = unit {
            packets.push(bytes);
        }
    });
    packets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(apid: u16, data: &[u8]) -> Vec<u8> {
        let len = (data.len() - 1) as u16;
        let mut bytes = vec![(apid >> 8) as u8 & 0x07, apid as u8, 0xC0, 0x00];
        bytes.extend(len.to_be_bytes());
        bytes.extend(data);
        bytes
    }

    fn split_all(config: SplitterConfig, stream: &[u8], chunk: usize) -> Vec<String> {
        let mut splitter = PacketSplitter::new(config);
        let mut pending: Vec<u8> = Vec::new();
        let mut seen = Vec::new();
        let describe = |unit: Unit<'_>| match unit {
            Unit::Packet { offset, header, bytes, .. } => format!("{offset}: apid {} len {}", header.apid, bytes.len()),
            Unit::Invalid { offset, bytes, reason } => format!("{offset}: invalid {reason:?} len {}", bytes.len()),
        };
        for piece in stream.chunks(chunk.max(1)) {
            pending.extend_from_slice(piece);
            let used = splitter.split(&pending, |unit| seen.push(describe(unit)));
            pending.drain(..used);
        }
        splitter.finish(&pending, |unit| seen.push(describe(unit)));
        seen
    }

    #[test]
    fn any_chunking_gives_the_same_units() {
        let mut stream = packet(100, &[1, 2, 3]);
        stream.extend(packet(0x7FF, &[0; 10]));
        stream.extend(&packet(5, &[9; 4])[..7]);
        let expected = ["0: apid 100 len 9", "9: apid 2047 len 16", "25: invalid Truncated len 7"];
        for chunk in 1..=stream.len() {
            assert_eq!(split_all(SplitterConfig::default(), &stream, chunk), expected, "chunk {chunk}");
        }
    }

    #[test]
    fn prefix_and_lost_sync() {
        let mut stream = vec![0xAA; 4];
        stream.extend(packet(1, &[7]));
        stream.extend([0xFF; 12]);
        let units = split_all(SplitterConfig { prefix_len: 4 }, &stream, 5);
        assert_eq!(units, ["0: apid 1 len 7", "11: invalid LostSync len 12"]);
        let after_sync_loss = split_all(SplitterConfig { prefix_len: 4 }, &stream, 21);
        assert_eq!(after_sync_loss, ["0: apid 1 len 7", "11: invalid LostSync len 10", "21: invalid LostSync len 2"]);
    }
}
