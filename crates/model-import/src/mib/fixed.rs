//! Encoding the value of a fixed command element (CDF_ELTYPE `F` or `A`) into its bits.

use super::table::parse_int_radix;
use model::{BinarySize, ByteOrder, DataEncoding, DataType, FloatFormat, IntegerSign, StringSize, TypeKind};

/// Why a fixed value could not be encoded.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum FixedError {
    /// The value is wrong for its type (an error of the MIB).
    Malformed(String),
    /// The type is one whose fixed values the model cannot carry as bits.
    Unsupported(String),
}

/// The bits of `text` as a value of `data_type`, `size_bits` wide when the element says so.
/// Integers are right-aligned in the returned bytes (the value as a big-endian number).
pub(super) fn encode(
    text: &str,
    data_type: &DataType,
    size_bits: Option<u32>,
    radix: char,
) -> Result<(u32, Vec<u8>), FixedError> {
    match &data_type.encoding {
        Some(DataEncoding::Integer { size_bits: natural, sign, byte_order }) => {
            let bits = size_bits.unwrap_or(u32::from(*natural));
            let value = match (&data_type.kind, text.trim().to_ascii_uppercase().as_str()) {
                (TypeKind::Boolean { .. }, "TRUE") => 1,
                (TypeKind::Boolean { .. }, "FALSE") => 0,
                _ => parse_int_radix(text, radix)
                    .ok_or_else(|| FixedError::Malformed(format!("{text:?} is not an integer in radix {radix}")))?,
            };
            let mut bytes = integer(value, bits, *sign != IntegerSign::Unsigned)?;
            if *byte_order == ByteOrder::LittleEndian {
                bytes.reverse();
            }
            Ok((bits, bytes))
        }
        Some(DataEncoding::Float { size_bits: 32, format: FloatFormat::Ieee754, .. }) => {
            let value: f32 =
                text.trim().parse().map_err(|_| FixedError::Malformed(format!("{text:?} is not a number")))?;
            Ok((32, value.to_be_bytes().to_vec()))
        }
        Some(DataEncoding::Float { size_bits: 64, format: FloatFormat::Ieee754, .. }) => {
            let value: f64 =
                text.trim().parse().map_err(|_| FixedError::Malformed(format!("{text:?} is not a number")))?;
            Ok((64, value.to_be_bytes().to_vec()))
        }
        Some(DataEncoding::String { size, .. }) => {
            if !text.is_ascii() {
                return Err(FixedError::Malformed(format!("{text:?} is not ASCII text")));
            }
            let mut bytes = text.as_bytes().to_vec();
            let bits = match (size, size_bits) {
                (StringSize::Fixed { size_bits }, _) => *size_bits,
                (_, Some(size_bits)) => size_bits,
                _ => u32::try_from(bytes.len() * 8).map_err(|_| FixedError::Malformed("text too long".into()))?,
            };
            let len = usize::try_from(bits / 8).unwrap_or(usize::MAX);
            if bytes.len() > len {
                return Err(FixedError::Malformed(format!("{text:?} does not fit in {bits} bits")));
            }
            // Fixed-size text is padded with spaces, as SCOS-2000 pads strings.
            bytes.resize(len, b' ');
            Ok((bits, bytes))
        }
        Some(DataEncoding::Binary { size: BinarySize::Fixed { size_bits: natural } }) => {
            let bits = size_bits.unwrap_or(*natural);
            let value = parse_int_radix(text, if radix == 'D' { 'H' } else { radix })
                .ok_or_else(|| FixedError::Malformed(format!("{text:?} is not a hexadecimal value")))?;
            Ok((bits, integer(value, bits, false)?))
        }
        _ => Err(FixedError::Unsupported("fixed values of this parameter type cannot be encoded by the model".into())),
    }
}

/// A fixed element of `bits` zero bits or of the integer `text` (CDF_ELTYPE `A`).
pub(super) fn area(text: Option<&str>, bits: u32) -> Result<Vec<u8>, FixedError> {
    let value = match text {
        None => 0,
        Some(text) => {
            parse_int_radix(text, 'D').ok_or_else(|| FixedError::Malformed(format!("{text:?} is not an integer")))?
        }
    };
    if bits > 64 {
        if value != 0 {
            return Err(FixedError::Malformed(format!("a value for {bits} bits must be 0")));
        }
        return Ok(vec![0; usize::try_from(bits.div_ceil(8)).unwrap_or(0)]);
    }
    integer(value, bits, false)
}

/// `value` in `bits` bits, two's complement when `signed`, as big-endian bytes.
fn integer(value: i64, bits: u32, signed: bool) -> Result<Vec<u8>, FixedError> {
    if bits == 0 || bits > 64 {
        return Err(FixedError::Malformed(format!("an integer of {bits} bits is not encodable")));
    }
    let (min, max) =
        if signed { (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1) } else { (0, (1i128 << bits) - 1) };
    let wide = i128::from(value);
    if wide < min || wide > max {
        return Err(FixedError::Malformed(format!("{value} does not fit in {bits} bits")));
    }
    let masked = (wide as u128) & ((1u128 << bits) - 1);
    let n_bytes = usize::try_from(bits.div_ceil(8)).unwrap_or(8);
    let all = masked.to_be_bytes();
    Ok(all[all.len() - n_bytes..].to_vec())
}
