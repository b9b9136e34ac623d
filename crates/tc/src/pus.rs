//! PUS-C telecommand packets (ECSS-E-ST-70-41C), built and read with the `spacepackets` crate.
//!
//! Layout: the 6-byte CCSDS primary header (version 0, type TC, secondary header flag set,
//! APID, sequence flags "unsegmented", sequence count, data length), the 5-byte secondary
//! header (PUS version 2 and the four ack flags, service, subtype, 16-bit source id), the
//! application data and the packet error control (CRC-16/CCITT-FALSE).
//!
//! [`parse_pus_tc`] takes any bytes: it checks lengths itself before handing them to
//! `spacepackets`, so it never panics, and refuses anything that is not exactly one PUS-C
//! telecommand with a valid CRC.

#[cfg(test)]
mod tests;

use spacepackets::ecss::tc::{AckFlags, GenericPusTcSecondaryHeader, PusTcCreator, PusTcReader, PusTcSecondaryHeader};
use spacepackets::ecss::{CreatorConfig, MessageTypeId};
use spacepackets::{CcsdsPacket, PacketId, PacketSequenceControl, SpHeader};

/// Primary (6) and secondary (5) header bytes of a PUS-C telecommand.
pub const PUS_TC_HEADER_LEN: usize = 11;
/// The shortest PUS-C telecommand: headers and CRC, no application data.
pub const PUS_TC_LEN_MIN: usize = PUS_TC_HEADER_LEN + 2;
/// The longest application data we put in a PUS-C telecommand: the whole packet within
/// 65 535 bytes. The data length field could address 7 bytes more, but `spacepackets` 0.19
/// computes the field from the total length cast to `u16` and overflows beyond that.
pub const APP_DATA_LEN_MAX: usize = u16::MAX as usize - PUS_TC_LEN_MIN;
/// The largest APID (11 bits).
pub const APID_MAX: u16 = 0x07FF;
/// The largest sequence count (14 bits).
pub const SEQUENCE_COUNT_MAX: u16 = 0x3FFF;

/// A PUS-C telecommand's fields, as read by [`parse_pus_tc`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PusTcView {
    pub apid: u16,
    /// The two sequence flags (3 = unsegmented).
    pub sequence_flags: u8,
    pub sequence_count: u16,
    /// Acceptance, start, progress, completion, from the most significant bit.
    pub ack_flags: u8,
    pub service: u8,
    pub subtype: u8,
    pub source_id: u16,
    pub app_data: Vec<u8>,
    pub crc: u16,
}

/// Why a PUS-C telecommand could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PusTcError {
    #[error("PUS TC: APID {0} is above {APID_MAX}")]
    Apid(u16),
    #[error("PUS TC: sequence count {0} is above {SEQUENCE_COUNT_MAX}")]
    SequenceCount(u16),
    #[error("PUS TC: ack flags {0:#x} do not fit 4 bits")]
    AckFlags(u8),
    #[error("PUS TC: {0} bytes of application data, at most {APP_DATA_LEN_MAX}")]
    AppDataTooLong(usize),
    #[error("PUS TC at byte 0: {found} bytes, need {expected}")]
    TooShort { found: usize, expected: usize },
    #[error("PUS TC at byte {offset}: {found} bytes after the packet's end")]
    TrailingBytes { offset: usize, found: usize },
    #[error("PUS TC at byte 0: packet version {0}, only 0 is CCSDS")]
    PacketVersion(u8),
    #[error("PUS TC at byte 0: the packet type bit says telemetry")]
    NotTelecommand,
    #[error("PUS TC at byte 0: no secondary header (flag clear)")]
    NoSecondaryHeader,
    #[error("PUS TC at byte 6: PUS version {0}, only 2 (PUS-C) is read")]
    PusVersion(u8),
    #[error("PUS TC at byte {offset}: CRC {found:#06x}, computed {computed:#06x}")]
    Crc { offset: usize, found: u16, computed: u16 },
    #[error("PUS TC: spacepackets refused it: {0}")]
    Peer(String),
}

/// Builds a PUS-C telecommand with its CRC; `ack_flags` are 4 bits (acceptance first).
pub fn pus_tc(
    apid: u16,
    sequence_count: u16,
    service: u8,
    subtype: u8,
    source_id: u16,
    ack_flags: u8,
    app_data: &[u8],
) -> Result<Vec<u8>, PusTcError> {
    if apid > APID_MAX {
        return Err(PusTcError::Apid(apid));
    }
    if sequence_count > SEQUENCE_COUNT_MAX {
        return Err(PusTcError::SequenceCount(sequence_count));
    }
    if ack_flags > 0x0F {
        return Err(PusTcError::AckFlags(ack_flags));
    }
    if app_data.len() > APP_DATA_LEN_MAX {
        return Err(PusTcError::AppDataTooLong(app_data.len()));
    }
    // The raw header words avoid a dependency on `arbitrary-int` for the u11/u14 types.
    let packet_id = PacketId::from(0x1800 | apid);
    let sequence_control = PacketSequenceControl::from(0xC000 | sequence_count);
    let header = SpHeader::new(packet_id, sequence_control, 0);
    let flags = AckFlags::builder()
        .with_acceptance(ack_flags & 0b1000 != 0)
        .with_start(ack_flags & 0b0100 != 0)
        .with_progress(ack_flags & 0b0010 != 0)
        .with_completion(ack_flags & 0b0001 != 0)
        .build();
    let secondary = PusTcSecondaryHeader::new(MessageTypeId::new(service, subtype), flags, source_id);
    let creator = PusTcCreator::new(header, secondary, app_data, CreatorConfig::default());
    creator.to_vec().map_err(|err| PusTcError::Peer(err.to_string()))
}

/// Reads exactly one PUS-C telecommand; see the module documentation.
pub fn parse_pus_tc(bytes: &[u8]) -> Result<PusTcView, PusTcError> {
    if bytes.len() < PUS_TC_LEN_MIN {
        return Err(PusTcError::TooShort { found: bytes.len(), expected: PUS_TC_LEN_MIN });
    }
    if bytes[0] >> 5 != 0 {
        return Err(PusTcError::PacketVersion(bytes[0] >> 5));
    }
    if bytes[0] & 0x10 == 0 {
        return Err(PusTcError::NotTelecommand);
    }
    if bytes[0] & 0x08 == 0 {
        return Err(PusTcError::NoSecondaryHeader);
    }
    if bytes[6] >> 4 != 2 {
        return Err(PusTcError::PusVersion(bytes[6] >> 4));
    }
    let total = usize::from(u16::from_be_bytes([bytes[4], bytes[5]])) + 7;
    if total < PUS_TC_LEN_MIN || bytes.len() < total {
        return Err(PusTcError::TooShort { found: bytes.len(), expected: total.max(PUS_TC_LEN_MIN) });
    }
    if bytes.len() > total {
        return Err(PusTcError::TrailingBytes { offset: total, found: bytes.len() - total });
    }
    let found = u16::from_be_bytes([bytes[total - 2], bytes[total - 1]]);
    let computed = ccsds::crc16_ccitt_false(&bytes[..total - 2]);
    if found != computed {
        return Err(PusTcError::Crc { offset: total - 2, found, computed });
    }
    let reader = PusTcReader::new(bytes).map_err(|err| PusTcError::Peer(err.to_string()))?;
    let flags = reader.ack_flags();
    let ack_flags = (u8::from(flags.acceptance()) << 3)
        | (u8::from(flags.start()) << 2)
        | (u8::from(flags.progress()) << 1)
        | u8::from(flags.completion());
    Ok(PusTcView {
        apid: reader.packet_id().raw() & APID_MAX,
        sequence_flags: (reader.psc().raw() >> 14) as u8,
        sequence_count: reader.psc().raw() & SEQUENCE_COUNT_MAX,
        ack_flags,
        service: reader.service_type_id(),
        subtype: reader.message_subtype_id(),
        source_id: reader.source_id(),
        app_data: reader.app_data().to_vec(),
        crc: found,
    })
}

/// Recomputes the CRC in the last two bytes of a packet (after a header field changed).
pub(crate) fn refresh_crc(bytes: &mut [u8]) {
    if bytes.len() >= 2 {
        let end = bytes.len() - 2;
        let crc = ccsds::crc16_ccitt_false(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_be_bytes());
    }
}
