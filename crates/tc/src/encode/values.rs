//! Writing bits, and checked values in their encodings (the inverse of `tm`'s decoding).

use super::EncodeError;
use crate::args::ArgValue;
use model::{
    BinarySize, ByteOrder, Calibrator, DataEncoding, DataType, FloatFormat, IntegerSign, MissionModel, StringSize,
    TypeKind,
};

/// A growing bit buffer, most significant bit first, as CCSDS sends them.
#[derive(Default)]
pub(crate) struct BitWriter {
    pub bytes: Vec<u8>,
    /// The next bit to write at.
    pub pos: usize,
}

impl BitWriter {
    /// Writes the low `size_bits` (at most 64) of `value` at the current position.
    pub fn write(&mut self, value: u64, size_bits: u32) {
        assert!(size_bits <= 64, "callers split wider fields");
        let end = self.pos + size_bits as usize;
        if self.bytes.len() * 8 < end {
            self.bytes.resize(end.div_ceil(8), 0);
        }
        for idx in 0..size_bits {
            let bit = (value >> (size_bits - 1 - idx)) & 1;
            let at = self.pos + idx as usize;
            let mask = 0x80u8 >> (at % 8);
            if bit == 1 {
                self.bytes[at / 8] |= mask;
            } else {
                self.bytes[at / 8] &= !mask;
            }
        }
        self.pos = end;
    }

    /// Writes whole bytes.
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|byte| self.write(u64::from(*byte), 8));
    }

    /// Writes the last `size_bits` bits of a big-endian bit string (zeros on the left when it
    /// is shorter).
    pub fn write_fixed(&mut self, value: &[u8], size_bits: u32) {
        let available = value.len() * 8;
        for idx in 0..size_bits as usize {
            let from_end = size_bits as usize - idx;
            let bit = if from_end > available {
                0
            } else {
                let at = available - from_end;
                (value[at / 8] >> (7 - at % 8)) & 1
            };
            self.write(u64::from(bit), 1);
        }
    }
}

/// Encodes a checked value of `data_type` at the writer's position.
pub(crate) fn write_value(
    model: &MissionModel,
    writer: &mut BitWriter,
    argument: &str,
    data_type: &DataType,
    value: &ArgValue,
) -> Result<(), EncodeError> {
    let unsupported = |what: String| EncodeError::Unsupported { argument: argument.to_string(), what };
    match (&data_type.kind, value) {
        (TypeKind::Array { element_type, .. }, ArgValue::Array(elements)) => {
            let element =
                model.argument_types.get(element_type).ok_or_else(|| unsupported(format!("type {element_type}")))?;
            return elements.iter().try_for_each(|value| write_value(model, writer, argument, element, value));
        }
        (TypeKind::Aggregate { members }, ArgValue::Aggregate(values)) => {
            for (member, (_, value)) in members.iter().zip(values) {
                let member_type = model
                    .argument_types
                    .get(&member.type_ref)
                    .ok_or_else(|| unsupported(format!("type {}", member.type_ref)))?;
                write_value(model, writer, argument, member_type, value)?;
            }
            return Ok(());
        }
        _ => {}
    }
    let Some(encoding) = &data_type.encoding else {
        return Err(unsupported("a type without an encoding".to_string()));
    };
    match encoding {
        DataEncoding::Integer { size_bits, sign, byte_order } => {
            let raw = raw_number(data_type, value, argument)?;
            let number = match raw {
                Raw::Integer(number) => number,
                Raw::Float(number) => number.round() as i128,
            };
            let bits = integer_bits(number, *size_bits, *sign).ok_or_else(|| EncodeError::RawOutOfRange {
                argument: argument.to_string(),
                raw: number.to_string(),
                encoding: format!("{size_bits}-bit {sign:?}"),
            })?;
            write_ordered(writer, bits, u32::from(*size_bits), byte_order).map_err(unsupported)
        }
        DataEncoding::Float { size_bits, format: FloatFormat::Ieee754, byte_order } => {
            let number = match raw_number(data_type, value, argument)? {
                Raw::Integer(number) => number as f64,
                Raw::Float(number) => number,
            };
            let bits = match size_bits {
                32 => u64::from((number as f32).to_bits()),
                64 => number.to_bits(),
                _ => return Err(unsupported(format!("{size_bits}-bit IEEE 754 floats"))),
            };
            write_ordered(writer, bits, u32::from(*size_bits), byte_order).map_err(unsupported)
        }
        DataEncoding::Float { format, .. } => Err(unsupported(format!("{format:?} float encoding"))),
        DataEncoding::String { size, .. } => {
            let ArgValue::Text(text) = value else {
                return Err(unsupported(format!("{value} in a string encoding")));
            };
            write_sized(writer, text.as_bytes(), string_size(size).map_err(unsupported)?)
                .map_err(|reason| EncodeError::Invalid { argument: argument.to_string(), reason })
        }
        DataEncoding::Binary { size } => {
            let ArgValue::Bytes(bytes) = value else {
                return Err(unsupported(format!("{value} in a binary encoding")));
            };
            let size = match size {
                BinarySize::Fixed { size_bits } => Sized::Fixed(*size_bits),
                BinarySize::LeadingSize { length_bits, .. } => Sized::Leading(*length_bits),
                BinarySize::Dynamic { .. } => return Err(unsupported("binary of dynamic size".to_string())),
            };
            write_sized(writer, bytes, size)
                .map_err(|reason| EncodeError::Invalid { argument: argument.to_string(), reason })
        }
        DataEncoding::Custom { algorithm, .. } => Err(unsupported(format!("custom encoding algorithm {algorithm}"))),
    }
}

enum Raw {
    Integer(i128),
    Float(f64),
}

/// The raw (uncalibrated) number of a checked value.
fn raw_number(data_type: &DataType, value: &ArgValue, argument: &str) -> Result<Raw, EncodeError> {
    let engineering = match (&data_type.kind, value) {
        (TypeKind::Enumerated { values }, ArgValue::Text(label)) => {
            let found = values.iter().find(|v| &v.label == label).ok_or_else(|| EncodeError::Invalid {
                argument: argument.to_string(),
                reason: format!("label {label:?} is not in the enumeration"),
            })?;
            return Ok(Raw::Integer(i128::from(found.value)));
        }
        (_, ArgValue::Integer(number)) => Raw::Integer(*number),
        (_, ArgValue::Float(number)) => Raw::Float(*number),
        (_, ArgValue::Bool(value)) => return Ok(Raw::Integer(i128::from(*value))),
        _ => {
            let what = format!("{value} in a numeric encoding");
            return Err(EncodeError::Unsupported { argument: argument.to_string(), what });
        }
    };
    match &data_type.calibrator {
        None => Ok(engineering),
        Some(Calibrator::Polynomial { coefficients }) if coefficients.len() <= 2 => {
            let (c0, c1) = (coefficients.first().copied().unwrap_or(0.0), coefficients.get(1).copied().unwrap_or(0.0));
            if c1 == 0.0 {
                let what = "a constant polynomial calibrator (not invertible)".to_string();
                return Err(EncodeError::Unsupported { argument: argument.to_string(), what });
            }
            let y = match engineering {
                Raw::Integer(number) => number as f64,
                Raw::Float(number) => number,
            };
            Ok(Raw::Float((y - c0) / c1))
        }
        Some(other) => {
            let kind = match other {
                Calibrator::Polynomial { .. } => "polynomial of degree 2 or more",
                Calibrator::Spline { .. } => "spline",
                Calibrator::MathOperation { .. } => "math operation",
                Calibrator::Logarithmic { .. } => "logarithmic",
            };
            let what = format!("inverting a {kind} calibrator");
            Err(EncodeError::Unsupported { argument: argument.to_string(), what })
        }
    }
}

/// The `size_bits` raw bits of `number` in a sign convention; `None` when it does not fit.
pub(crate) fn integer_bits(number: i128, size_bits: u8, sign: IntegerSign) -> Option<u64> {
    let size = u32::from(size_bits.min(64));
    if size == 0 {
        return (number == 0).then_some(0);
    }
    let mask: u128 = if size == 64 { u128::from(u64::MAX) } else { (1u128 << size) - 1 };
    let half = 1i128 << (size - 1);
    let bits = match sign {
        IntegerSign::Unsigned => (number >= 0 && number as u128 <= mask).then_some(number as u128)?,
        IntegerSign::TwosComplement => ((-half..half).contains(&number)).then_some(number as u128 & mask)?,
        IntegerSign::SignMagnitude | IntegerSign::OnesComplement if number.abs() >= half => return None,
        IntegerSign::SignMagnitude if number < 0 => (number.unsigned_abs()) | half as u128,
        IntegerSign::OnesComplement if number < 0 => !(number.unsigned_abs()) & mask,
        _ => number as u128,
    };
    Some(bits as u64)
}

/// Writes an unsigned field in a byte order (the inverse of `tm`'s ordered read).
fn write_ordered(writer: &mut BitWriter, value: u64, size_bits: u32, order: &ByteOrder) -> Result<(), String> {
    let significance: Vec<u8> = match order {
        ByteOrder::BigEndian => {
            writer.write(value, size_bits);
            return Ok(());
        }
        ByteOrder::LittleEndian => (0..(size_bits / 8) as u8).collect(),
        ByteOrder::Custom { significance } => significance.clone(),
    };
    if !size_bits.is_multiple_of(8) || significance.len() * 8 != size_bits as usize {
        return Err(format!("byte order {order:?} on {size_bits} bits"));
    }
    for significance in significance {
        writer.write((value >> (8 * u32::from(significance))) & 0xFF, 8);
    }
    Ok(())
}

enum Sized<'a> {
    Fixed(u32),
    Leading(u8),
    Terminated(&'a [u8]),
}

fn string_size(size: &StringSize) -> Result<Sized<'_>, String> {
    match size {
        StringSize::Fixed { size_bits } => Ok(Sized::Fixed(*size_bits)),
        StringSize::LeadingSize { length_bits, .. } => Ok(Sized::Leading(*length_bits)),
        StringSize::Terminated { terminator, .. } => Ok(Sized::Terminated(terminator)),
        StringSize::Dynamic { .. } => Err("strings of dynamic size".to_string()),
    }
}

/// Writes bytes padded to a fixed size, after their length, or before a terminator.
fn write_sized(writer: &mut BitWriter, bytes: &[u8], size: Sized<'_>) -> Result<(), String> {
    match size {
        Sized::Fixed(size_bits) => {
            if bytes.len() * 8 > size_bits as usize {
                return Err(format!("{} bytes do not fit {size_bits} bits", bytes.len()));
            }
            writer.write_bytes(bytes);
            let pad = size_bits as usize - bytes.len() * 8;
            (0..pad).for_each(|_| writer.write(0, 1));
        }
        Sized::Leading(length_bits) => {
            let max = if length_bits >= 64 { i128::from(u64::MAX) } else { (1i128 << length_bits) - 1 };
            if bytes.len() as i128 > max {
                return Err(format!("{} bytes, a {length_bits}-bit length holds at most {max}", bytes.len()));
            }
            writer.write(bytes.len() as u64, u32::from(length_bits.min(64)));
            writer.write_bytes(bytes);
        }
        Sized::Terminated(terminator) => {
            writer.write_bytes(bytes);
            writer.write_bytes(terminator);
        }
    }
    Ok(())
}
