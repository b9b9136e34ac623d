//! TC transfer frames (CCSDS 232.0-B): the 5-byte primary header, the data field and the
//! optional frame error control field (CRC-16/CCITT-FALSE).
//!
//! Only Type-BD (bypass, data) and Type-AD framing are built here; the COP-1 frame operation
//! procedure (FOP-1: sequence-controlled Type-AD service with retransmission, CLCW handling)
//! is not in scope: a Type-AD frame is built with the sequence number the caller gives, and
//! nothing here retransmits or reads CLCWs.

#[cfg(test)]
mod tests;

/// The longest TC transfer frame (the 10-bit frame length field counts up to 1024).
pub const TC_FRAME_LEN_MAX: usize = 1024;
/// The primary header's length.
pub const TC_FRAME_HEADER_LEN: usize = 5;
/// The largest spacecraft id (10 bits).
pub const SPACECRAFT_ID_MAX: u16 = 0x03FF;
/// The largest virtual channel id (6 bits).
pub const VIRTUAL_CHANNEL_MAX: u8 = 0x3F;

/// A TC transfer frame, as read by [`parse_tc_frame`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcFrame {
    /// Bypass flag: true for Type-B (expedited), false for Type-A (sequence controlled).
    pub bypass: bool,
    /// Control command flag: true for a COP-1 control command, false for data.
    pub control_command: bool,
    pub spacecraft_id: u16,
    pub virtual_channel: u8,
    pub frame_sequence: u8,
    pub data: Vec<u8>,
    /// The frame error control field, when the caller said the frame has one (checked).
    pub fecf: Option<u16>,
}

/// Why a TC frame could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("TC frame: spacecraft id {0} is above {SPACECRAFT_ID_MAX}")]
    SpacecraftId(u16),
    #[error("TC frame: virtual channel {0} is above {VIRTUAL_CHANNEL_MAX}")]
    VirtualChannel(u8),
    #[error("TC frame: {len} bytes with headers, at most {TC_FRAME_LEN_MAX}")]
    TooLong { len: usize },
    #[error("TC frame at byte 0: {found} bytes, need {expected}")]
    TooShort { found: usize, expected: usize },
    #[error("TC frame at byte {offset}: {found} bytes after the frame's end")]
    TrailingBytes { offset: usize, found: usize },
    #[error("TC frame at byte 0: version {0}, only 0 is defined")]
    Version(u8),
    #[error("TC frame at byte {offset}: FECF {found:#06x}, computed {computed:#06x}")]
    Fecf { offset: usize, found: u16, computed: u16 },
}

/// Builds a data frame (control command flag 0) with `data` as its data field; `bypass` gives
/// Type-BD, otherwise Type-AD with `frame_sequence` as its sequence number.
pub fn tc_frame(
    spacecraft_id: u16,
    virtual_channel: u8,
    frame_sequence: u8,
    bypass: bool,
    data: &[u8],
    fecf: bool,
) -> Result<Vec<u8>, FrameError> {
    if spacecraft_id > SPACECRAFT_ID_MAX {
        return Err(FrameError::SpacecraftId(spacecraft_id));
    }
    if virtual_channel > VIRTUAL_CHANNEL_MAX {
        return Err(FrameError::VirtualChannel(virtual_channel));
    }
    let len = TC_FRAME_HEADER_LEN + data.len() + if fecf { 2 } else { 0 };
    if len > TC_FRAME_LEN_MAX {
        return Err(FrameError::TooLong { len });
    }
    let length_field = (len - 1) as u16;
    let mut frame = Vec::with_capacity(len);
    // Version 00, bypass, control command 0, 2 spare bits 0, then the top 2 spacecraft id bits.
    frame.push((u8::from(bypass) << 5) | (spacecraft_id >> 8) as u8);
    frame.push(spacecraft_id as u8);
    frame.push((virtual_channel << 2) | (length_field >> 8) as u8);
    frame.push(length_field as u8);
    frame.push(frame_sequence);
    frame.extend_from_slice(data);
    if fecf {
        frame.extend_from_slice(&ccsds::crc16_ccitt_false(&frame).to_be_bytes());
    }
    Ok(frame)
}

/// Reads exactly one TC frame; `fecf` says whether the link's frames carry one (the header
/// does not say).
pub fn parse_tc_frame(bytes: &[u8], fecf: bool) -> Result<TcFrame, FrameError> {
    let trailer = if fecf { 2 } else { 0 };
    let minimum = TC_FRAME_HEADER_LEN + trailer;
    if bytes.len() < minimum {
        return Err(FrameError::TooShort { found: bytes.len(), expected: minimum });
    }
    let version = bytes[0] >> 6;
    if version != 0 {
        return Err(FrameError::Version(version));
    }
    let total = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]) & 0x03FF) + 1;
    if total < minimum || bytes.len() < total {
        return Err(FrameError::TooShort { found: bytes.len(), expected: total.max(minimum) });
    }
    if bytes.len() > total {
        return Err(FrameError::TrailingBytes { offset: total, found: bytes.len() - total });
    }
    let fecf = if fecf {
        let found = u16::from_be_bytes([bytes[total - 2], bytes[total - 1]]);
        let computed = ccsds::crc16_ccitt_false(&bytes[..total - 2]);
        if found != computed {
            return Err(FrameError::Fecf { offset: total - 2, found, computed });
        }
        Some(found)
    } else {
        None
    };
    Ok(TcFrame {
        bypass: bytes[0] & 0x20 != 0,
        control_command: bytes[0] & 0x10 != 0,
        spacecraft_id: u16::from_be_bytes([bytes[0], bytes[1]]) & SPACECRAFT_ID_MAX,
        virtual_channel: bytes[2] >> 2,
        frame_sequence: bytes[4],
        data: bytes[TC_FRAME_HEADER_LEN..total - trailer].to_vec(),
        fecf,
    })
}
