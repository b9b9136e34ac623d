//! The space packet primary header (CCSDS 133.0-B-2).

/// Length of the primary header in bytes.
pub const PACKET_HEADER_LEN: usize = 6;
/// Longest space packet: 6 header bytes plus 65,536 data bytes.
pub const PACKET_LEN_MAX: usize = PACKET_HEADER_LEN + 65_536;
/// The APID of idle packets.
pub const IDLE_APID: u16 = 0x7FF;

/// Telemetry or telecommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketType {
    Tm,
    Tc,
}

/// A decoded primary header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketHeader {
    pub version: u8,
    pub packet_type: PacketType,
    pub secondary_header: bool,
    pub apid: u16,
    /// 0b01 first segment, 0b00 continuation, 0b10 last segment, 0b11 unsegmented.
    pub sequence_flags: u8,
    pub sequence_count: u16,
    /// The packet data length field: data bytes minus one.
    pub data_len_field: u16,
}

/// Why bytes are not a space packet.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    #[error("packet at byte {offset}: {found} bytes, need {expected}")]
    TooShort { offset: u64, found: usize, expected: usize },
    #[error("packet at byte {offset}: version {version}, expected 0")]
    BadVersion { offset: u64, version: u8 },
}

impl PacketHeader {
    /// Decodes the header at the start of `bytes`; `offset` is where `bytes` starts in the
    /// input, for the error.
    pub fn parse(bytes: &[u8], offset: u64) -> Result<PacketHeader, PacketError> {
        let Some(head) = bytes.first_chunk::<PACKET_HEADER_LEN>() else {
            return Err(PacketError::TooShort { offset, found: bytes.len(), expected: PACKET_HEADER_LEN });
        };
        let version = head[0] >> 5;
        if version != 0 {
            return Err(PacketError::BadVersion { offset, version });
        }
        Ok(PacketHeader {
            version,
            packet_type: if head[0] & 0x10 != 0 { PacketType::Tc } else { PacketType::Tm },
            secondary_header: head[0] & 0x08 != 0,
            apid: u16::from_be_bytes([head[0] & 0x07, head[1]]),
            sequence_flags: head[2] >> 6,
            sequence_count: u16::from_be_bytes([head[2] & 0x3F, head[3]]),
            data_len_field: u16::from_be_bytes([head[4], head[5]]),
        })
    }

    /// The whole packet's length in bytes, header included.
    pub fn packet_len(&self) -> usize {
        PACKET_HEADER_LEN + usize::from(self.data_len_field) + 1
    }

    /// Whether this is an idle packet (APID 0x7FF).
    pub fn is_idle(&self) -> bool {
        self.apid == IDLE_APID
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pus_tm_header() {
        // The first packet of shared/real/spacepylibrary/tmFiles/TMpackets3.txt.
        let header = PacketHeader::parse(&[0x0C, 0xD2, 0xC0, 0x00, 0x00, 0x1A], 0).unwrap();
        assert_eq!(header.apid, 1234);
        assert_eq!(header.packet_type, PacketType::Tm);
        assert!(header.secondary_header);
        assert_eq!(header.sequence_flags, 3);
        assert_eq!(header.sequence_count, 0);
        assert_eq!(header.packet_len(), 33);
    }

    #[test]
    fn errors_name_the_offset() {
        let short = PacketHeader::parse(&[0x08], 40).unwrap_err();
        assert_eq!(short.to_string(), "packet at byte 40: 1 bytes, need 6");
        let version = PacketHeader::parse(&[0xE8, 0, 0, 0, 0, 0], 7).unwrap_err();
        assert_eq!(version.to_string(), "packet at byte 7: version 7, expected 0");
    }
}
