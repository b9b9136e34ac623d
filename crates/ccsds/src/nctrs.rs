//! The ESA NCTRS TM data unit header: 20 bytes a ground station puts before each frame.

/// Length of the NCTRS TM data unit header.
pub const NCTRS_TM_HEADER_LEN: usize = 20;

/// The decoded header. The earth reception time is kept as its CDS fields (2-byte day,
/// 4-byte millisecond of day, 2-byte microsecond of millisecond).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NctrsTmHeader {
    /// The whole data unit's length: this header plus the frame.
    pub packet_size: u32,
    pub spacecraft_id: u16,
    pub data_stream_type: u8,
    pub virtual_channel_id: u8,
    pub route_id: u16,
    pub ert_day: u16,
    pub ert_ms_of_day: u32,
    pub ert_us_of_ms: u16,
    pub sequence_flag: u8,
    pub quality_flag: u8,
}

impl NctrsTmHeader {
    /// Decodes the header at the start of `bytes`; `None` when fewer than 20 bytes, or when
    /// the size field is smaller than the header itself.
    pub fn parse(bytes: &[u8]) -> Option<NctrsTmHeader> {
        let b = bytes.first_chunk::<NCTRS_TM_HEADER_LEN>()?;
        let header = NctrsTmHeader {
            packet_size: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            spacecraft_id: u16::from_be_bytes([b[4], b[5]]),
            data_stream_type: b[6],
            virtual_channel_id: b[7],
            route_id: u16::from_be_bytes([b[8], b[9]]),
            ert_day: u16::from_be_bytes([b[10], b[11]]),
            ert_ms_of_day: u32::from_be_bytes([b[12], b[13], b[14], b[15]]),
            ert_us_of_ms: u16::from_be_bytes([b[16], b[17]]),
            sequence_flag: b[18],
            quality_flag: b[19],
        };
        (header.packet_size as usize >= NCTRS_TM_HEADER_LEN).then_some(header)
    }

    /// The frame's length: the data unit less this header.
    pub fn frame_len(&self) -> usize {
        self.packet_size as usize - NCTRS_TM_HEADER_LEN
    }
}
