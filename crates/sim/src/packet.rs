//! TM packet framing: the CCSDS primary header, the PUS-C secondary header with the time,
//! and the packet error control.

use crate::bits::write_bits;
use crate::config::PusTmLayout;

/// The PUS part of a packet's header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PusHeader {
    pub service: u8,
    pub subtype: u8,
    pub message_counter: u16,
}

/// Writes the headers (and the CRC when PUS packets have one) over `bytes`, whose length is
/// the whole packet's.
pub(crate) fn frame(
    bytes: &mut [u8],
    layout: &PusTmLayout,
    apid: u16,
    sequence_count: u16,
    pus: Option<PusHeader>,
    now_ms: u64,
) {
    debug_assert!(bytes.len() >= 7, "a packet has a header and at least one byte of data");
    let packet_id = (u16::from(pus.is_some()) << 11) | (apid & 0x07FF);
    bytes[0..2].copy_from_slice(&packet_id.to_be_bytes());
    bytes[2..4].copy_from_slice(&(0xC000 | (sequence_count & 0x3FFF)).to_be_bytes());
    let data_len = (bytes.len() - 7) as u16;
    bytes[4..6].copy_from_slice(&data_len.to_be_bytes());
    let Some(pus) = pus else { return };
    let header_end = 6 + layout.data_field_header_len;
    let limit = header_end.min(bytes.len());
    let fits = |at: usize, len: usize| at + len <= limit;
    for (at, len, value) in [
        (6, 1, 0x20u64),
        (7, 1, u64::from(pus.service)),
        (8, 1, u64::from(pus.subtype)),
        (9, 2, u64::from(pus.message_counter)),
        (11, 2, u64::from(layout.destination_id)),
    ] {
        if fits(at, len) {
            write_bits(bytes, at * 8, 8 * len as u32, value);
        }
    }
    if let Some(p_field) = layout.time_p_field {
        if layout.time_offset > 0 && fits(layout.time_offset - 1, 1) {
            bytes[layout.time_offset - 1] = p_field;
        }
    }
    let (coarse_len, fine_len) = (layout.time_coarse_len.min(8), layout.time_fine_len.min(8));
    if fits(layout.time_offset, coarse_len + fine_len) {
        let fine_bits = 8 * fine_len as u32;
        let fine = (((now_ms % 1000) as u128) << fine_bits) / 1000;
        write_bits(bytes, layout.time_offset * 8, 8 * coarse_len as u32, now_ms / 1000);
        write_bits(bytes, (layout.time_offset + coarse_len) * 8, fine_bits, fine as u64);
    }
    if layout.has_crc {
        let end = bytes.len() - 2;
        let crc = ccsds::crc16_ccitt_false(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_be_bytes());
    }
}

/// A whole PUS TM packet with this source data.
pub(crate) fn pus_packet(
    layout: &PusTmLayout,
    apid: u16,
    sequence_count: u16,
    header: PusHeader,
    source: &[u8],
    now_ms: u64,
) -> Vec<u8> {
    let start = 6 + layout.data_field_header_len;
    let crc_len = if layout.has_crc { 2 } else { 0 };
    let mut bytes = vec![0u8; (start + source.len() + crc_len).max(7)];
    bytes[start..start + source.len()].copy_from_slice(source);
    frame(&mut bytes, layout, apid, sequence_count, Some(header), now_ms);
    bytes
}

/// `value` in `len` big-endian bytes (truncated to its low bytes).
pub(crate) fn be_bytes(value: u64, len: usize) -> Vec<u8> {
    (0..len).rev().map(|idx| if idx >= 8 { 0 } else { (value >> (8 * idx)) as u8 }).collect()
}
