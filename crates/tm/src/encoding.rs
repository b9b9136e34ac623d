//! Integer and float encodings: sign conventions, byte orders, IEEE 754 and MIL-STD-1750A.

use crate::bits::{read_bits, BitsError};
use model::{ByteOrder, FloatFormat, IntegerSign};

/// Why a value could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Bits(#[from] BitsError),
    #[error("field at bit {bit_offset}: byte order {byte_order:?} needs whole bytes, got {size_bits} bits")]
    ByteOrderNeedsBytes { bit_offset: usize, size_bits: u32, byte_order: ByteOrder },
    #[error("field at bit {bit_offset}: {format:?} floats of {size_bits} bits are not defined")]
    FloatSize { bit_offset: usize, size_bits: u32, format: FloatFormat },
}

impl DecodeError {
    /// What is wrong, without the place (for callers that name the place themselves).
    pub fn reason(&self) -> String {
        match self {
            DecodeError::Bits(bits) => bits.reason(),
            DecodeError::ByteOrderNeedsBytes { size_bits, byte_order, .. } => {
                format!("byte order {byte_order:?} needs whole bytes, got {size_bits} bits")
            }
            DecodeError::FloatSize { size_bits, format, .. } => {
                format!("{format:?} floats of {size_bits} bits are not defined")
            }
        }
    }
}

/// Reads an unsigned field in the given byte order.
fn read_ordered(bytes: &[u8], bit_offset: usize, size_bits: u32, order: &ByteOrder) -> Result<u64, DecodeError> {
    let significance: Vec<u8> = match order {
        ByteOrder::BigEndian => return Ok(read_bits(bytes, bit_offset, size_bits)?),
        ByteOrder::LittleEndian => (0..(size_bits / 8) as u8).collect(),
        ByteOrder::Custom { significance } => significance.clone(),
    };
    if !size_bits.is_multiple_of(8) || significance.len() * 8 != size_bits as usize {
        return Err(DecodeError::ByteOrderNeedsBytes { bit_offset, size_bits, byte_order: order.clone() });
    }
    read_bits(bytes, bit_offset, size_bits)?; // bounds check once
    let mut value = 0u64;
    for (idx, significance) in significance.iter().enumerate() {
        let byte = read_bits(bytes, bit_offset + 8 * idx, 8)?;
        value |= byte << (8 * u32::from(*significance));
    }
    Ok(value)
}

/// Decodes an integer field: its raw bits as sent, and its signed value.
pub fn decode_integer(
    bytes: &[u8],
    bit_offset: usize,
    size_bits: u32,
    sign: IntegerSign,
    order: &ByteOrder,
) -> Result<i128, DecodeError> {
    let raw = read_ordered(bytes, bit_offset, size_bits, order)?;
    if size_bits == 0 {
        return Ok(0);
    }
    let top = 1u64 << (size_bits - 1);
    let negative = raw & top != 0;
    let mask = if size_bits == 64 { u64::MAX } else { (1u64 << size_bits) - 1 };
    Ok(match sign {
        IntegerSign::Unsigned => i128::from(raw),
        IntegerSign::TwosComplement if negative => i128::from(raw) - (i128::from(mask) + 1),
        IntegerSign::SignMagnitude if negative => -i128::from(raw & !top),
        IntegerSign::OnesComplement if negative => -i128::from(!raw & mask),
        _ => i128::from(raw),
    })
}

/// Decodes a float field.
pub fn decode_float(
    bytes: &[u8],
    bit_offset: usize,
    size_bits: u32,
    format: FloatFormat,
    order: &ByteOrder,
) -> Result<f64, DecodeError> {
    let raw = read_ordered(bytes, bit_offset, size_bits, order)?;
    match (format, size_bits) {
        (FloatFormat::Ieee754, 32) => Ok(f64::from(f32::from_bits(raw as u32))),
        (FloatFormat::Ieee754, 64) => Ok(f64::from_bits(raw)),
        (FloatFormat::MilStd1750a, 32) => Ok(mil_std_1750a(raw >> 8, 24, raw as u8)),
        (FloatFormat::MilStd1750a, 48) => {
            // Mantissa MSBs (24), exponent (8), mantissa LSBs (16).
            let mantissa = ((raw >> 24) << 16) | (raw & 0xFFFF);
            Ok(mil_std_1750a(mantissa, 40, (raw >> 16) as u8))
        }
        _ => Err(DecodeError::FloatSize { bit_offset, size_bits, format }),
    }
}

/// A 1750A value: a two's complement fraction of `mantissa_bits` bits times 2^exponent.
fn mil_std_1750a(mantissa: u64, mantissa_bits: u32, exponent: u8) -> f64 {
    let signed = if mantissa >> (mantissa_bits - 1) & 1 == 1 {
        mantissa as i64 - (1i64 << mantissa_bits)
    } else {
        mantissa as i64
    };
    let fraction = signed as f64 / (1u64 << (mantissa_bits - 1)) as f64;
    fraction * 2f64.powi(i32::from(exponent as i8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs() {
        let be = ByteOrder::BigEndian;
        assert_eq!(decode_integer(&[0xFF], 0, 8, IntegerSign::TwosComplement, &be), Ok(-1));
        assert_eq!(decode_integer(&[0xFF], 0, 8, IntegerSign::SignMagnitude, &be), Ok(-127));
        assert_eq!(decode_integer(&[0xFE], 0, 8, IntegerSign::OnesComplement, &be), Ok(-1));
        assert_eq!(decode_integer(&[0x7F], 0, 8, IntegerSign::TwosComplement, &be), Ok(127));
        assert_eq!(decode_integer(&[0xFF; 8], 0, 64, IntegerSign::Unsigned, &be), Ok(u64::MAX as i128));
        assert_eq!(decode_integer(&[0xFF; 8], 0, 64, IntegerSign::TwosComplement, &be), Ok(-1));
        assert_eq!(decode_integer(&[0b1110_0000], 0, 3, IntegerSign::TwosComplement, &be), Ok(-1));
    }

    #[test]
    fn byte_orders() {
        let bytes = [0x01, 0x02, 0x03, 0x04];
        let le = ByteOrder::LittleEndian;
        assert_eq!(decode_integer(&bytes, 0, 32, IntegerSign::Unsigned, &le), Ok(0x04030201));
        let swapped_words = ByteOrder::Custom { significance: vec![1, 0, 3, 2] };
        assert_eq!(decode_integer(&bytes, 0, 32, IntegerSign::Unsigned, &swapped_words), Ok(0x03040102));
        assert!(decode_integer(&bytes, 0, 12, IntegerSign::Unsigned, &le).is_err());
    }

    #[test]
    fn floats() {
        let be = ByteOrder::BigEndian;
        let bytes = 1.5f32.to_be_bytes();
        assert_eq!(decode_float(&bytes, 0, 32, FloatFormat::Ieee754, &be), Ok(1.5));
        let bytes = (-2.25f64).to_le_bytes();
        assert_eq!(decode_float(&bytes, 0, 64, FloatFormat::Ieee754, &ByteOrder::LittleEndian), Ok(-2.25));
        // MIL-STD-1750A examples: 0x40000000 = 0.5 × 2^0; 0x40000001 = 1.0; 0x80000000 = -1.0.
        for (word, value) in [(0x4000_0000u32, 0.5), (0x4000_0001, 1.0), (0x8000_0000, -1.0), (0x6000_0002, 3.0)] {
            assert_eq!(decode_float(&word.to_be_bytes(), 0, 32, FloatFormat::MilStd1750a, &be), Ok(value));
        }
        assert!(decode_float(&[0; 2], 0, 16, FloatFormat::Ieee754, &be).is_err());
    }
}
