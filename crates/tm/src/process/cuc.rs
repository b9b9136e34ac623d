//! CCSDS unsegmented time codes (301.0-B-4 §3.2): the T-field as seconds, and the P-field
//! that states its octets when it comes first in the data.

use crate::read_bits;

/// Most fine octets read: beyond 16 (128 bits), a fraction of a second says nothing an `f64`
/// can hold, and a model asking for more is refused rather than shifted out of range.
const FINE_OCTETS_MAX: u32 = 16;

/// The seconds of a T-field at `bit_offset`: `coarse_octets` of whole seconds, then
/// `fine_octets` of binary fraction.
pub(super) fn seconds(packet: &[u8], bit_offset: usize, coarse_octets: u32, fine_octets: u32) -> Result<f64, String> {
    if fine_octets > FINE_OCTETS_MAX {
        return Err(format!("{fine_octets} fine octets, at most {FINE_OCTETS_MAX} are read"));
    }
    let read = |at: usize, bits: u32| read_bits(packet, at, bits).map_err(|e| e.reason());
    let coarse = read(bit_offset, coarse_octets * 8)?;
    let fine_at = bit_offset + coarse_octets as usize * 8;
    // The fraction in two reads of at most 64 bits (an extended P-field may state 10 octets).
    let high_octets = fine_octets.min(8);
    let low_octets = fine_octets - high_octets;
    let high = u128::from(read(fine_at, high_octets * 8)?);
    let low = if low_octets == 0 { 0 } else { u128::from(read(fine_at + 64, low_octets * 8)?) };
    let fine = (high << (8 * low_octets)) | low;
    Ok(coarse as f64 + fine as f64 / 2f64.powi(8 * fine_octets as i32))
}

/// A P-field read from the data: its length and the octets it states.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct PField {
    pub len_bits: usize,
    pub coarse_octets: u32,
    pub fine_octets: u32,
}

/// Reads the P-field at `bit_offset` and checks that what it states is allowed and fits the
/// packet, so the error says what the P-field asked for.
pub(super) fn p_field(
    packet: &[u8],
    bit_offset: usize,
    coarse_octets_max: u32,
    fine_octets_max: u32,
) -> Result<PField, String> {
    let octet = |at: usize| read_bits(packet, at, 8).map(|v| v as u8).map_err(|e| format!("P-field: {}", e.reason()));
    let first = octet(bit_offset)?;
    let second = if first & 0x80 != 0 { Some(octet(bit_offset + 8)?) } else { None };
    let (coarse_octets, fine_octets) = octets(first, second)?;
    let shown = match second {
        Some(second) => format!("P-field {first:#04x} {second:#04x}"),
        None => format!("P-field {first:#04x}"),
    };
    if coarse_octets > coarse_octets_max || fine_octets > fine_octets_max {
        return Err(format!(
            "{shown} states {coarse_octets} coarse and {fine_octets} fine octets, more than the type's \
             {coarse_octets_max} and {fine_octets_max}"
        ));
    }
    let len_bits = if second.is_some() { 16 } else { 8 };
    let end_bits = bit_offset + len_bits + 8 * (coarse_octets + fine_octets) as usize;
    if end_bits > packet.len() * 8 {
        return Err(format!(
            "{shown} states {coarse_octets} coarse and {fine_octets} fine octets, which run past the {}-byte packet",
            packet.len()
        ));
    }
    Ok(PField { len_bits, coarse_octets, fine_octets })
}

/// The coarse and fine octets a P-field states: coarse − 1 in bits 3–2 and fine in bits 1–0
/// of the first octet; with its extension flag (bit 7), more coarse octets in bits 6–5 and
/// more fine octets in bits 4–2 of the second. The time code id (bits 6–4) names the epoch
/// level, which the type's epoch gives, so it is not read (as Yamcs does not).
fn octets(first: u8, second: Option<u8>) -> Result<(u32, u32), String> {
    let coarse = 1 + u32::from((first >> 2) & 0x3);
    let fine = u32::from(first & 0x3);
    match second {
        None => Ok((coarse, fine)),
        Some(second) if second & 0x80 != 0 => {
            Err(format!("P-field {first:#04x} {second:#04x}: a third P-field octet is not defined"))
        }
        Some(second) => Ok((coarse + u32::from((second >> 5) & 0x3), fine + u32::from((second >> 2) & 0x7))),
    }
}
