//! Frames to packets: master and virtual channel counters with gap detection, CLCW
//! extraction, idle frames and packets, and packets spanning frames, per virtual channel.

use crate::counters::{InvalidReason, LinkCounters};
use crate::frame::{Clcw, FrameConfig, TmFrame, FHP_IDLE, FHP_NO_PACKET_START};
use crate::packet::{PacketHeader, PACKET_HEADER_LEN};
use std::collections::BTreeMap;

/// What a frame link expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemuxConfig {
    pub frame: FrameConfig,
    /// Frames of other spacecraft are invalid when set.
    pub spacecraft_id: Option<u16>,
}

/// What the demultiplexer hands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameEvent {
    /// A whole space packet (idle packets are counted, not handed on).
    Packet { spacecraft_id: u16, virtual_channel_id: u8, header: PacketHeader, bytes: Vec<u8> },
    /// Bytes that could not be used: a whole frame, or part of a packet. Kept raw.
    Invalid { offset: u64, virtual_channel_id: Option<u8>, bytes: Vec<u8>, reason: InvalidReason },
    /// A counter jumped: `virtual_channel_id` None for the master channel.
    Gap { spacecraft_id: u16, virtual_channel_id: Option<u8>, expected: u8, found: u8 },
    /// The CLCW of a frame's operational control field.
    Clcw { spacecraft_id: u16, virtual_channel_id: u8, clcw: Clcw },
}

/// A packet begun in one frame and continued in the next.
#[derive(Clone, Debug, Default)]
struct Partial {
    bytes: Vec<u8>,
    /// The whole packet's length, once its header is complete.
    packet_len: Option<usize>,
}

#[derive(Clone, Debug, Default)]
struct ChannelState {
    last_count: Option<u8>,
    partial: Option<Partial>,
}

/// Demultiplexes one link's frames into packets; keeps per channel state and the counters.
#[derive(Clone, Debug)]
pub struct FrameDemux {
    config: DemuxConfig,
    master: BTreeMap<u16, u8>,
    channels: BTreeMap<(u16, u8), ChannelState>,
    counters: LinkCounters,
}

impl FrameDemux {
    /// A demultiplexer that has seen no frame.
    pub fn new(config: DemuxConfig) -> Self {
        FrameDemux { config, master: BTreeMap::new(), channels: BTreeMap::new(), counters: LinkCounters::default() }
    }

    /// Changes the expected frame length (for wrappers such as NCTRS that state each frame's
    /// length in their own header).
    pub fn set_frame_len(&mut self, frame_len: usize) {
        self.config.frame.frame_len = frame_len;
    }

    /// The counters so far.
    pub fn counters(&self) -> &LinkCounters {
        &self.counters
    }

    /// Takes one received frame (`offset` is where it starts in the input).
    pub fn push_frame(&mut self, bytes: &[u8], offset: u64, mut out: impl FnMut(FrameEvent)) {
        self.counters.units_in += 1;
        self.counters.bytes_in += bytes.len() as u64;
        let frame = match TmFrame::parse(bytes, &self.config.frame, offset) {
            Ok(frame) => frame,
            Err(error) => return self.invalid(offset, None, bytes, error.reason(), &mut out),
        };
        let header = frame.header;
        let (scid, vcid) = (header.spacecraft_id, header.virtual_channel_id);
        if self.config.spacecraft_id.is_some_and(|expected| expected != scid) {
            return self.invalid(offset, Some(vcid), bytes, InvalidReason::UnexpectedSpacecraft, &mut out);
        }
        if let Some(expected) = self.master.insert(scid, header.master_channel_count).map(|c| c.wrapping_add(1)) {
            if expected != header.master_channel_count {
                self.gap(scid, None, expected, header.master_channel_count, &mut out);
            }
        }
        if let Some(clcw) = frame.ocf.and_then(Clcw::from_ocf) {
            out(FrameEvent::Clcw { spacecraft_id: scid, virtual_channel_id: vcid, clcw });
        }
        let mut channel = self.channels.remove(&(scid, vcid)).unwrap_or_default();
        let expected = channel.last_count.map(|c| c.wrapping_add(1));
        channel.last_count = Some(header.virtual_channel_count);
        if let Some(expected) = expected.filter(|e| *e != header.virtual_channel_count) {
            // The master channel gap already counted the lost frames; this one drops the
            // packet the lost frames would have completed.
            self.counters.gaps += 1;
            out(FrameEvent::Gap {
                spacecraft_id: scid,
                virtual_channel_id: Some(vcid),
                expected,
                found: header.virtual_channel_count,
            });
            if let Some(partial) = channel.partial.take() {
                self.invalid(offset, Some(vcid), &partial.bytes, InvalidReason::IncompletePacket, &mut out);
            }
        }
        if header.first_header_pointer == FHP_IDLE {
            self.counters.idle_frames += 1;
        } else {
            self.reassemble(&mut channel, (scid, vcid), frame.data, header.first_header_pointer, offset, &mut out);
        }
        self.channels.insert((scid, vcid), channel);
    }

    fn gap(&mut self, scid: u16, vcid: Option<u8>, expected: u8, found: u8, out: &mut impl FnMut(FrameEvent)) {
        self.counters.gaps += 1;
        self.counters.frames_lost += u64::from(found.wrapping_sub(expected));
        out(FrameEvent::Gap { spacecraft_id: scid, virtual_channel_id: vcid, expected, found });
    }

    fn invalid(
        &mut self,
        offset: u64,
        vcid: Option<u8>,
        bytes: &[u8],
        reason: InvalidReason,
        out: &mut impl FnMut(FrameEvent),
    ) {
        self.counters.count_invalid(reason);
        out(FrameEvent::Invalid { offset, virtual_channel_id: vcid, bytes: bytes.to_vec(), reason });
    }

    fn reassemble(
        &mut self,
        channel: &mut ChannelState,
        (scid, vcid): (u16, u8),
        data: &[u8],
        pointer: u16,
        offset: u64,
        out: &mut impl FnMut(FrameEvent),
    ) {
        let start = if pointer == FHP_NO_PACKET_START { data.len() } else { usize::from(pointer) };
        if let Some(mut partial) = channel.partial.take() {
            let used = partial.feed(&data[..start]);
            match partial.complete() {
                Some(Ok(header)) => self.packet(scid, vcid, header, partial.bytes, out),
                Some(Err(())) => self.invalid(offset, Some(vcid), &partial.bytes, InvalidReason::BadPacketHeader, out),
                None if pointer == FHP_NO_PACKET_START => channel.partial = Some(partial),
                None => self.invalid(offset, Some(vcid), &partial.bytes, InvalidReason::IncompletePacket, out),
            }
            if used < start && channel.partial.is_none() {
                self.invalid(offset, Some(vcid), &data[used..start], InvalidReason::NoPacketStart, out);
            }
        } else if start > 0 {
            self.invalid(offset, Some(vcid), &data[..start], InvalidReason::NoPacketStart, out);
        }
        let mut pos = start;
        while pos < data.len() {
            let rest = &data[pos..];
            let mut partial = Partial::default();
            let used = partial.feed(rest);
            match partial.complete() {
                Some(Ok(header)) => self.packet(scid, vcid, header, partial.bytes, out),
                Some(Err(())) => {
                    self.invalid(offset, Some(vcid), rest, InvalidReason::BadPacketHeader, out);
                    return;
                }
                None => {
                    channel.partial = Some(partial);
                    return;
                }
            }
            pos += used;
        }
    }

    fn packet(&mut self, scid: u16, vcid: u8, header: PacketHeader, bytes: Vec<u8>, out: &mut impl FnMut(FrameEvent)) {
        if header.is_idle() {
            self.counters.idle_packets += 1;
        } else {
            self.counters.packets_out += 1;
            out(FrameEvent::Packet { spacecraft_id: scid, virtual_channel_id: vcid, header, bytes });
        }
    }
}

impl Partial {
    /// Takes as many bytes as the packet still needs; returns how many it took.
    fn feed(&mut self, data: &[u8]) -> usize {
        let mut used = 0;
        if self.packet_len.is_none() {
            let take = (PACKET_HEADER_LEN - self.bytes.len().min(PACKET_HEADER_LEN)).min(data.len());
            self.bytes.extend_from_slice(&data[..take]);
            used = take;
            if self.bytes.len() >= PACKET_HEADER_LEN {
                self.packet_len = PacketHeader::parse(&self.bytes, 0).ok().map(|h| h.packet_len()).or(Some(0));
            }
        }
        if let Some(len) = self.packet_len.filter(|len| *len > self.bytes.len()) {
            let take = (len - self.bytes.len()).min(data.len() - used);
            self.bytes.extend_from_slice(&data[used..used + take]);
            used += take;
        }
        used
    }

    /// `Some(Ok)` when whole, `Some(Err)` when its header is not a packet header, `None`
    /// while bytes are missing.
    fn complete(&self) -> Option<Result<PacketHeader, ()>> {
        let len = self.packet_len?;
        match PacketHeader::parse(&self.bytes, 0) {
            Err(_) => Some(Err(())),
            Ok(header) if self.bytes.len() >= len => Some(Ok(header)),
            Ok(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
