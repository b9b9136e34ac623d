//! Reading bit fields, most significant bit first, as CCSDS sends them.

/// Why a bit field could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BitsError {
    #[error("field at bit {bit_offset}: {size_bits} bits run past the {available_bits}-bit packet")]
    PastEnd { bit_offset: usize, size_bits: u32, available_bits: usize },
    #[error("field at bit {bit_offset}: {size_bits} bits, at most 64 can be read as a number")]
    TooWide { bit_offset: usize, size_bits: u32 },
}

impl BitsError {
    /// What is wrong, without the place (for callers that name the place themselves).
    pub fn reason(&self) -> String {
        match self {
            BitsError::PastEnd { size_bits, available_bits, .. } => {
                format!("{size_bits} bits run past the {available_bits}-bit packet")
            }
            BitsError::TooWide { size_bits, .. } => format!("{size_bits} bits, at most 64 can be read as a number"),
        }
    }
}

/// The `size_bits` (0..=64) bits at `bit_offset`, as an unsigned number.
pub fn read_bits(bytes: &[u8], bit_offset: usize, size_bits: u32) -> Result<u64, BitsError> {
    if size_bits > 64 {
        return Err(BitsError::TooWide { bit_offset, size_bits });
    }
    let available_bits = bytes.len() * 8;
    let end = bit_offset.checked_add(size_bits as usize).filter(|end| *end <= available_bits);
    if end.is_none() {
        return Err(BitsError::PastEnd { bit_offset, size_bits, available_bits });
    }
    if size_bits == 0 {
        return Ok(0);
    }
    let first = bit_offset / 8;
    let skip = (bit_offset % 8) as u32;
    if skip == 0 && size_bits.is_multiple_of(8) {
        // Whole bytes: the common case, without the 128-bit gather.
        let n_bytes = size_bits as usize / 8;
        return Ok(bytes[first..first + n_bytes].iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)));
    }
    let span = (skip + size_bits).div_ceil(8) as usize;
    // At most 9 bytes: gather into a u128 so a 64-bit field at an odd offset fits.
    let mut acc: u128 = 0;
    for &byte in &bytes[first..first + span] {
        acc = (acc << 8) | u128::from(byte);
    }
    let total_bits = span as u32 * 8;
    let shifted = acc >> (total_bits - skip - size_bits);
    let mask = if size_bits == 64 { u64::MAX } else { (1u64 << size_bits) - 1 };
    Ok(shifted as u64 & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_at_any_offset() {
        let bytes = [0b1010_1100, 0b0101_0011, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC];
        assert_eq!(read_bits(&bytes, 0, 4), Ok(0b1010));
        assert_eq!(read_bits(&bytes, 4, 8), Ok(0b1100_0101));
        assert_eq!(read_bits(&bytes, 0, 0), Ok(0));
        assert_eq!(read_bits(&bytes, 15, 2), Ok(0b11));
        assert_eq!(read_bits(&bytes, 16, 64), Ok(0xFF00_1234_5678_9ABC));
        assert_eq!(read_bits(&bytes, 12, 64), Ok(0x3FF0_0123_4567_89AB));
    }

    #[test]
    fn refuses_fields_past_the_end() {
        let error = read_bits(&[0; 2], 10, 7).unwrap_err();
        assert_eq!(error.to_string(), "field at bit 10: 7 bits run past the 16-bit packet");
        assert!(read_bits(&[0; 2], usize::MAX, 8).is_err());
        assert!(read_bits(&[0; 20], 0, 65).is_err());
    }
}
