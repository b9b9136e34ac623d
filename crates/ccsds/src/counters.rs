//! Why a received unit is invalid, and the counters every link keeps.

use std::collections::BTreeMap;

/// Why a received unit (packet or frame) could not be decoded. It is still kept, raw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InvalidReason {
    /// The stream ended inside a unit.
    Truncated,
    /// A packet stream's header was not version 0: the stream cannot be resynchronised.
    LostSync,
    /// A frame whose length is not the configured frame length.
    WrongFrameLength,
    /// A frame whose version is not TM (0).
    BadFrameVersion,
    /// A frame from a spacecraft this link does not expect.
    UnexpectedSpacecraft,
    /// The frame error control field does not match the frame's CRC.
    CrcMismatch,
    /// A frame secondary header longer than the data field.
    BadSecondaryHeader,
    /// A first header pointer beyond the data field.
    BadFirstHeaderPointer,
    /// Bytes of a packet whose start was not received (at start-up or after a gap).
    NoPacketStart,
    /// A packet cut short by a frame gap or by the first header pointer of the next frame.
    IncompletePacket,
    /// A packet header inside a frame that is not version 0.
    BadPacketHeader,
}

impl InvalidReason {
    /// A short lowercase name for counters and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidReason::Truncated => "truncated",
            InvalidReason::LostSync => "lost_sync",
            InvalidReason::WrongFrameLength => "wrong_frame_length",
            InvalidReason::BadFrameVersion => "bad_frame_version",
            InvalidReason::UnexpectedSpacecraft => "unexpected_spacecraft",
            InvalidReason::CrcMismatch => "crc_mismatch",
            InvalidReason::BadSecondaryHeader => "bad_secondary_header",
            InvalidReason::BadFirstHeaderPointer => "bad_first_header_pointer",
            InvalidReason::NoPacketStart => "no_packet_start",
            InvalidReason::IncompletePacket => "incomplete_packet",
            InvalidReason::BadPacketHeader => "bad_packet_header",
        }
    }
}

/// What a link has received: the numbers an operator watches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkCounters {
    /// Units received (frames on a frame link, packets on a packet link).
    pub units_in: u64,
    pub bytes_in: u64,
    /// Packets handed on for processing (idle packets excluded).
    pub packets_out: u64,
    pub idle_frames: u64,
    pub idle_packets: u64,
    /// Invalid units by reason.
    pub invalid: BTreeMap<InvalidReason, u64>,
    /// Counter discontinuities seen (master or virtual channel).
    pub gaps: u64,
    /// Frames known to be missing from those discontinuities.
    pub frames_lost: u64,
}

impl LinkCounters {
    /// Counts one invalid unit.
    pub fn count_invalid(&mut self, reason: InvalidReason) {
        *self.invalid.entry(reason).or_default() += 1;
    }

    /// All invalid units, whatever the reason.
    pub fn invalid_total(&self) -> u64 {
        self.invalid.values().sum()
    }
}
