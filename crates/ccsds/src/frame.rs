//! The TM transfer frame (CCSDS 132.0-B-3): primary header, optional secondary header, data
//! field, operational control field (CLCW) and frame error control field.

use crate::counters::InvalidReason;
use crate::crc::crc16_ccitt_false;

/// Longest TM transfer frame (132.0-B: 2048 octets).
pub const FRAME_LEN_MAX: usize = 2048;
/// Primary header length.
pub const FRAME_HEADER_LEN: usize = 6;
/// First header pointer: no packet starts in this frame.
pub const FHP_NO_PACKET_START: u16 = 0x7FF;
/// First header pointer: the data field holds only idle data.
pub const FHP_IDLE: u16 = 0x7FE;

/// The fixed properties of a TM channel (managed parameters in 132.0-B).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameConfig {
    pub frame_len: usize,
    /// Whether frames end with a 2-byte frame error control field.
    pub fecf: bool,
}

/// The decoded primary header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TmFrameHeader {
    pub version: u8,
    pub spacecraft_id: u16,
    pub virtual_channel_id: u8,
    pub ocf_present: bool,
    pub master_channel_count: u8,
    pub virtual_channel_count: u8,
    pub secondary_header: bool,
    pub synchronised: bool,
    pub packet_order: bool,
    pub segment_length_id: u8,
    pub first_header_pointer: u16,
}

/// A frame taken apart; slices borrow from the received bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TmFrame<'a> {
    pub header: TmFrameHeader,
    pub secondary_header: &'a [u8],
    pub data: &'a [u8],
    pub ocf: Option<u32>,
}

/// Why bytes are not a valid frame; each maps to an `InvalidReason`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame at byte {offset}: {found} bytes, expected {expected}")]
    WrongLength { offset: u64, found: usize, expected: usize },
    #[error("frame at byte {offset}: version {version}, expected 0 (TM)")]
    BadVersion { offset: u64, version: u8 },
    #[error("frame at byte {offset}: FECF {found:#06x}, computed {computed:#06x}")]
    CrcMismatch { offset: u64, found: u16, computed: u16 },
    #[error("frame at byte {offset}: secondary header of {len} bytes does not fit")]
    BadSecondaryHeader { offset: u64, len: usize },
    #[error("frame at byte {offset}: first header pointer {pointer} beyond the {data_len}-byte data field")]
    BadFirstHeaderPointer { offset: u64, pointer: u16, data_len: usize },
}

impl FrameError {
    /// The reason an invalid unit carries.
    pub fn reason(&self) -> InvalidReason {
        match self {
            FrameError::WrongLength { .. } => InvalidReason::WrongFrameLength,
            FrameError::BadVersion { .. } => InvalidReason::BadFrameVersion,
            FrameError::CrcMismatch { .. } => InvalidReason::CrcMismatch,
            FrameError::BadSecondaryHeader { .. } => InvalidReason::BadSecondaryHeader,
            FrameError::BadFirstHeaderPointer { .. } => InvalidReason::BadFirstHeaderPointer,
        }
    }
}

impl<'a> TmFrame<'a> {
    /// Takes a frame apart and checks it; `offset` is where it starts in the input.
    pub fn parse(bytes: &'a [u8], config: &FrameConfig, offset: u64) -> Result<TmFrame<'a>, FrameError> {
        let trailer_len = if config.fecf { 2 } else { 0 };
        if bytes.len() != config.frame_len || bytes.len() < FRAME_HEADER_LEN + trailer_len {
            return Err(FrameError::WrongLength { offset, found: bytes.len(), expected: config.frame_len });
        }
        let version = bytes[0] >> 6;
        if version != 0 {
            return Err(FrameError::BadVersion { offset, version });
        }
        let mut end = bytes.len();
        if config.fecf {
            end -= 2;
            let found = u16::from_be_bytes([bytes[end], bytes[end + 1]]);
            let computed = crc16_ccitt_false(&bytes[..end]);
            if found != computed {
                return Err(FrameError::CrcMismatch { offset, found, computed });
            }
        }
        let header = parse_header(bytes);
        let ocf = if header.ocf_present {
            if end < FRAME_HEADER_LEN + 4 {
                return Err(FrameError::WrongLength { offset, found: bytes.len(), expected: config.frame_len });
            }
            end -= 4;
            Some(u32::from_be_bytes([bytes[end], bytes[end + 1], bytes[end + 2], bytes[end + 3]]))
        } else {
            None
        };
        let mut start = FRAME_HEADER_LEN;
        let mut secondary_header: &[u8] = &[];
        if header.secondary_header {
            let len = usize::from(bytes[start] & 0x3F) + 1;
            secondary_header = bytes
                .get(start..start + len)
                .filter(|_| start + len <= end)
                .ok_or(FrameError::BadSecondaryHeader { offset, len })?;
            start += len;
        }
        let data = &bytes[start..end];
        let pointer = header.first_header_pointer;
        if pointer != FHP_NO_PACKET_START && pointer != FHP_IDLE && usize::from(pointer) >= data.len() {
            return Err(FrameError::BadFirstHeaderPointer { offset, pointer, data_len: data.len() });
        }
        Ok(TmFrame { header, secondary_header, data, ocf })
    }
}

fn parse_header(bytes: &[u8]) -> TmFrameHeader {
    TmFrameHeader {
        version: bytes[0] >> 6,
        spacecraft_id: (u16::from(bytes[0] & 0x3F) << 4) | u16::from(bytes[1] >> 4),
        virtual_channel_id: (bytes[1] >> 1) & 0x07,
        ocf_present: bytes[1] & 0x01 != 0,
        master_channel_count: bytes[2],
        virtual_channel_count: bytes[3],
        secondary_header: bytes[4] & 0x80 != 0,
        synchronised: bytes[4] & 0x40 != 0,
        packet_order: bytes[4] & 0x20 != 0,
        segment_length_id: (bytes[4] >> 3) & 0x03,
        first_header_pointer: u16::from_be_bytes([bytes[4] & 0x07, bytes[5]]),
    }
}

/// The communications link control word (232.0-B), carried in the OCF: the state of the
/// spacecraft's FARM, which the ground's COP-1 reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clcw {
    pub control_word_type: u8,
    pub version: u8,
    pub status: u8,
    pub cop_in_effect: u8,
    pub virtual_channel_id: u8,
    pub no_rf_available: bool,
    pub no_bit_lock: bool,
    pub lockout: bool,
    pub wait: bool,
    pub retransmit: bool,
    pub farm_b_counter: u8,
    pub report_value: u8,
}

impl Clcw {
    /// Decodes a CLCW from the 32-bit OCF; `None` when the OCF holds another report type.
    pub fn from_ocf(ocf: u32) -> Option<Clcw> {
        let bit = |n: u32| ocf >> (31 - n) & 1 == 1;
        let field = |from: u32, len: u32| ((ocf >> (32 - from - len)) & ((1 << len) - 1)) as u8;
        (!bit(0)).then(|| Clcw {
            control_word_type: 0,
            version: field(1, 2),
            status: field(3, 3),
            cop_in_effect: field(6, 2),
            virtual_channel_id: field(8, 6),
            no_rf_available: bit(16),
            no_bit_lock: bit(17),
            lockout: bit(18),
            wait: bit(19),
            retransmit: bit(20),
            farm_b_counter: field(21, 2),
            report_value: field(24, 8),
        })
    }
}
