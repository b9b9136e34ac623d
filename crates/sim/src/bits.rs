//! Writing fields into packet bytes: the inverse of `tm`'s reading of integers and floats.

use model::{ByteOrder, FloatFormat, IntegerSign};

/// Writes the low `size_bits` bits of `value` (at most 64) at `bit_offset`, most significant
/// bit first. Bits beyond the end of `bytes` are not written.
pub(crate) fn write_bits(bytes: &mut [u8], bit_offset: usize, size_bits: u32, value: u64) {
    for idx in 0..size_bits as usize {
        let bit = (value >> (size_bits as usize - 1 - idx)) & 1;
        let at = bit_offset + idx;
        let Some(byte) = bytes.get_mut(at / 8) else { return };
        let mask = 0x80u8 >> (at % 8);
        if bit == 1 {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// Writes an unsigned field in a byte order; `false` when the order does not fit the size.
pub(crate) fn write_ordered(bytes: &mut [u8], bit_offset: usize, size_bits: u32, order: &ByteOrder, raw: u64) -> bool {
    let significance: Vec<u8> = match order {
        ByteOrder::BigEndian => {
            write_bits(bytes, bit_offset, size_bits, raw);
            return true;
        }
        ByteOrder::LittleEndian => (0..(size_bits / 8) as u8).collect(),
        ByteOrder::Custom { significance } => significance.clone(),
    };
    if !size_bits.is_multiple_of(8) || significance.len() * 8 != size_bits as usize {
        return false;
    }
    for (idx, significance) in significance.iter().enumerate() {
        let byte = (raw >> (8 * u32::from(*significance))) & 0xFF;
        write_bits(bytes, bit_offset + 8 * idx, 8, byte);
    }
    true
}

/// The raw bits of a signed number in `size_bits` bits with a sign convention; `None` when it
/// does not fit.
pub(crate) fn integer_bits(number: i64, size_bits: u32, sign: IntegerSign) -> Option<u64> {
    if size_bits == 0 || size_bits > 64 {
        return None;
    }
    let mask = if size_bits == 64 { u64::MAX } else { (1u64 << size_bits) - 1 };
    let (lo, hi) = integer_range(size_bits, sign);
    if (number as i128) < lo || (number as i128) > hi {
        return None;
    }
    let magnitude = number.unsigned_abs();
    let top = 1u64 << (size_bits - 1);
    Some(match sign {
        IntegerSign::Unsigned | IntegerSign::TwosComplement => (number as u64) & mask,
        IntegerSign::SignMagnitude if number < 0 => magnitude | top,
        IntegerSign::OnesComplement if number < 0 => !magnitude & mask,
        _ => magnitude,
    })
}

/// The smallest and largest number an integer encoding holds.
pub(crate) fn integer_range(size_bits: u32, sign: IntegerSign) -> (i128, i128) {
    let bits = size_bits.clamp(1, 64);
    match sign {
        IntegerSign::Unsigned => (0, (1i128 << bits) - 1),
        IntegerSign::TwosComplement => (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1),
        IntegerSign::SignMagnitude | IntegerSign::OnesComplement => {
            (-(1i128 << (bits - 1)) + 1, (1i128 << (bits - 1)) - 1)
        }
    }
}

/// The raw bits of a float; `None` for formats not written (MIL-STD-1750A) or odd sizes.
pub(crate) fn float_bits(value: f64, size_bits: u32, format: FloatFormat) -> Option<u64> {
    match (format, size_bits) {
        (FloatFormat::Ieee754, 32) => Some(u64::from((value as f32).to_bits())),
        (FloatFormat::Ieee754, 64) => Some(value.to_bits()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_tm() {
        let mut bytes = [0u8; 8];
        write_bits(&mut bytes, 5, 11, 0x7AB);
        assert_eq!(tm::read_bits(&bytes, 5, 11), Ok(0x7AB));
        let order = ByteOrder::Custom { significance: vec![1, 0, 3, 2] };
        assert!(write_ordered(&mut bytes, 8, 32, &order, 0x0304_0102));
        assert_eq!(tm::decode_integer(&bytes, 8, 32, IntegerSign::Unsigned, &order), Ok(0x0304_0102));
        for sign in [IntegerSign::TwosComplement, IntegerSign::SignMagnitude, IntegerSign::OnesComplement] {
            let raw = integer_bits(-5, 8, sign).expect("fits");
            write_bits(&mut bytes, 0, 8, raw);
            assert_eq!(tm::decode_integer(&bytes, 0, 8, sign, &ByteOrder::BigEndian), Ok(-5));
        }
        assert_eq!(integer_bits(256, 8, IntegerSign::Unsigned), None);
    }
}
