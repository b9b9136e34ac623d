//! TM transfer frames (CCSDS 132.0-B) built from space packets, for a simulator that speaks
//! like a spacecraft: fixed-length frames of one virtual channel, with master and virtual
//! channel frame counts, the first header pointer, no secondary header, no OCF, and an
//! optional frame error control field (CRC-16/CCITT-FALSE). Packets may span frames.
//!
//! Frames are only made when there are packets: `push` hands out every frame it fills, and
//! `flush` closes the partly filled one with an idle packet (APID 0x7FF), so nothing waits
//! for more telemetry. When fewer than 7 bytes are left (the shortest packet), the idle
//! packet runs on through one more frame. A frame in which no packet starts carries the first
//! header pointer 0x7FF; frames of idle data only (0x7FE) are never made, since no frame is
//! sent when there is nothing to send.

use ccsds::{crc16_ccitt_false, PacketHeader, FRAME_LEN_MAX, IDLE_APID, PACKET_HEADER_LEN};

/// The TM frame primary header's length.
const FRAME_HEADER_LEN: usize = 6;
/// First header pointer of a frame in which no packet starts.
const FHP_NO_PACKET_START: u16 = 0x7FF;
/// The shortest space packet: a header and one byte of data.
const PACKET_LEN_MIN: usize = PACKET_HEADER_LEN + 1;
/// The byte idle packets are filled with.
pub const IDLE_FILL: u8 = 0x55;
/// The largest spacecraft id of a TM frame (10 bits).
pub const SPACECRAFT_ID_MAX: u16 = 0x03FF;
/// The largest virtual channel id of a TM frame (3 bits).
pub const VIRTUAL_CHANNEL_MAX: u8 = 0x07;

/// The fixed properties of the frames made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TmFrameConfig {
    pub frame_len: usize,
    pub spacecraft_id: u16,
    pub virtual_channel: u8,
    pub fecf: bool,
}

/// Why frames cannot be made as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TmFramingError {
    #[error("TM frames: frame length {frame_len}: must be {min} to {FRAME_LEN_MAX} bytes")]
    FrameLen { frame_len: usize, min: usize },
    #[error("TM frames: spacecraft id {0} is above {SPACECRAFT_ID_MAX}")]
    SpacecraftId(u16),
    #[error("TM frames: virtual channel {0} is above {VIRTUAL_CHANNEL_MAX}")]
    VirtualChannel(u8),
    #[error("TM frames: {len} bytes are no space packet ({reason})")]
    NotAPacket { len: usize, reason: String },
}

impl TmFrameConfig {
    /// The shortest frame: a header, room for the shortest packet, and the FECF if any.
    pub fn frame_len_min(&self) -> usize {
        FRAME_HEADER_LEN + PACKET_LEN_MIN + if self.fecf { 2 } else { 0 }
    }

    /// Checks the lengths and ids against 132.0-B.
    pub fn check(&self) -> Result<(), TmFramingError> {
        let min = self.frame_len_min();
        if self.frame_len < min || self.frame_len > FRAME_LEN_MAX {
            return Err(TmFramingError::FrameLen { frame_len: self.frame_len, min });
        }
        if self.spacecraft_id > SPACECRAFT_ID_MAX {
            return Err(TmFramingError::SpacecraftId(self.spacecraft_id));
        }
        if self.virtual_channel > VIRTUAL_CHANNEL_MAX {
            return Err(TmFramingError::VirtualChannel(self.virtual_channel));
        }
        Ok(())
    }

    fn data_len(&self) -> usize {
        self.frame_len - FRAME_HEADER_LEN - if self.fecf { 2 } else { 0 }
    }
}

/// Packs packets into frames; keeps the frame counts and the frame being filled.
#[derive(Clone, Debug)]
pub struct TmFramer {
    config: TmFrameConfig,
    master_count: u8,
    virtual_count: u8,
    /// The data field being filled. Invariant: shorter than the data field length.
    data: Vec<u8>,
    /// Where the first packet that starts in the current frame starts.
    first_header: Option<usize>,
}

impl TmFramer {
    /// A framer whose first frame has counts 0.
    pub fn new(config: TmFrameConfig) -> Result<TmFramer, TmFramingError> {
        config.check()?;
        Ok(TmFramer { config, master_count: 0, virtual_count: 0, data: Vec::new(), first_header: None })
    }

    /// Adds one packet; appends the frames it fills to `frames`. Bytes whose length field
    /// does not match their length are refused (they would break every later frame).
    pub fn push(&mut self, packet: &[u8], frames: &mut Vec<Vec<u8>>) -> Result<(), TmFramingError> {
        let header = PacketHeader::parse(packet, 0)
            .map_err(|error| TmFramingError::NotAPacket { len: packet.len(), reason: error.to_string() })?;
        if header.packet_len() != packet.len() {
            let reason = format!("its length field says {} bytes", header.packet_len());
            return Err(TmFramingError::NotAPacket { len: packet.len(), reason });
        }
        self.append(packet, frames);
        Ok(())
    }

    /// Closes the frame being filled, if any, with an idle packet; appends it (and the one
    /// more frame a short idle packet runs into) to `frames`.
    pub fn flush(&mut self, frames: &mut Vec<Vec<u8>>) {
        if self.data.is_empty() {
            return;
        }
        let mut idle_len = self.config.data_len() - self.data.len();
        if idle_len < PACKET_LEN_MIN {
            idle_len += self.config.data_len();
        }
        self.append(&idle_packet(idle_len), frames);
        debug_assert!(self.data.is_empty(), "the idle packet ends on a frame boundary");
    }

    fn append(&mut self, packet: &[u8], frames: &mut Vec<Vec<u8>>) {
        let data_len = self.config.data_len();
        self.first_header.get_or_insert(self.data.len());
        let mut rest = packet;
        while !rest.is_empty() {
            let take = (data_len - self.data.len()).min(rest.len());
            self.data.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.data.len() == data_len {
                frames.push(self.finish_frame());
            }
        }
    }

    fn finish_frame(&mut self) -> Vec<u8> {
        let config = &self.config;
        let pointer = self.first_header.take().map_or(FHP_NO_PACKET_START, |at| at as u16);
        let mut frame = Vec::with_capacity(config.frame_len);
        // Version 00, spacecraft id (10 bits), virtual channel (3 bits), no OCF.
        frame.push((config.spacecraft_id >> 4) as u8);
        frame.push(((config.spacecraft_id & 0x0F) as u8) << 4 | config.virtual_channel << 1);
        frame.push(self.master_count);
        frame.push(self.virtual_count);
        // No secondary header, not synchronised, forward order, segment length id 0b11.
        frame.extend_from_slice(&(0x1800 | pointer).to_be_bytes());
        frame.append(&mut self.data);
        if config.fecf {
            let crc = crc16_ccitt_false(&frame);
            frame.extend_from_slice(&crc.to_be_bytes());
        }
        self.master_count = self.master_count.wrapping_add(1);
        self.virtual_count = self.virtual_count.wrapping_add(1);
        frame
    }
}

/// An idle packet of `len` bytes (at least 7, at most a data field plus 6).
fn idle_packet(len: usize) -> Vec<u8> {
    debug_assert!((PACKET_LEN_MIN..=FRAME_LEN_MAX * 2).contains(&len), "idle packet of {len} bytes");
    let data_len_field = (len - PACKET_HEADER_LEN - 1) as u16;
    let mut packet = Vec::with_capacity(len);
    packet.extend_from_slice(&IDLE_APID.to_be_bytes());
    packet.extend_from_slice(&[0xC0, 0x00]);
    packet.extend_from_slice(&data_len_field.to_be_bytes());
    packet.resize(len, IDLE_FILL);
    packet
}

#[cfg(test)]
mod tests;
