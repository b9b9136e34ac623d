//! The rules of each type kind, and the text forms of values.

use super::{ArgError, ArgValue};
use model::{
    BinarySize, CommandEntryKind, DataEncoding, DataType, IntegerSign, MetaCommand, MissionModel, QualifiedName, Range,
    StringSize, TypeKind,
};
use std::collections::BTreeSet;

/// The most elements an array argument (or a group repeater) may have.
pub const ARRAY_LEN_MAX: usize = 4096;
/// How deeply arrays and aggregates may nest.
const NESTING_MAX: usize = 8;

/// Checks one argument's value against its type (by reference); `in_group` accepts an array of
/// values for an argument inside a group repeater.
pub(crate) fn check_argument(
    model: &MissionModel,
    argument: &str,
    type_ref: &QualifiedName,
    value: &ArgValue,
    in_group: bool,
) -> Result<ArgValue, ArgError> {
    let data_type = model
        .argument_types
        .get(type_ref)
        .ok_or_else(|| ArgError::UnknownType { argument: argument.to_string(), type_ref: type_ref.clone() })?;
    let invalid = |reason: String| ArgError::Invalid { argument: argument.to_string(), reason };
    match value {
        ArgValue::Array(values) if in_group && !matches!(data_type.kind, TypeKind::Array { .. }) => {
            if values.len() > ARRAY_LEN_MAX {
                return Err(invalid(format!("{} repeats, at most {ARRAY_LEN_MAX}", values.len())));
            }
            let checked: Result<Vec<_>, String> =
                values.iter().map(|value| check_value(model, data_type, value, 0)).collect();
            checked.map(ArgValue::Array).map_err(invalid)
        }
        _ => check_value(model, data_type, value, 0).map_err(invalid),
    }
}

/// Checks a value against a type; the error is the reason, without the argument's name.
pub fn check_value(
    model: &MissionModel,
    data_type: &DataType,
    value: &ArgValue,
    depth: usize,
) -> Result<ArgValue, String> {
    if depth > NESTING_MAX {
        return Err(format!("arrays and aggregates nest deeper than {NESTING_MAX}"));
    }
    let encoding = data_type.encoding.as_ref();
    let raw_rules = data_type.calibrator.is_none();
    match &data_type.kind {
        TypeKind::Integer { signed, size_bits, valid_range } => {
            let number = integer(value)?;
            check_integer_bounds(number, *signed, *size_bits, "type")?;
            if let (Some(DataEncoding::Integer { size_bits, sign, .. }), true) = (encoding, raw_rules) {
                check_integer_bounds(number, *sign != IntegerSign::Unsigned, *size_bits, "encoding")?;
            }
            check_range(number as f64, valid_range.as_ref())?;
            Ok(ArgValue::Integer(number))
        }
        TypeKind::Float { size_bits, valid_range } => {
            let number = float(value)?;
            if !number.is_finite() {
                return Err(format!("{number} is not a finite number"));
            }
            let single = *size_bits == 32 || matches!(encoding, Some(DataEncoding::Float { size_bits: 32, .. }));
            if single && number.abs() > f64::from(f32::MAX) {
                return Err(format!("{number} does not fit a 32-bit float"));
            }
            check_range(number, valid_range.as_ref())?;
            Ok(ArgValue::Float(number))
        }
        TypeKind::Boolean { one, zero } => boolean(value, one, zero).map(ArgValue::Bool),
        TypeKind::Enumerated { values } => enumerated(value, values),
        TypeKind::String { length_range } => {
            let ArgValue::Text(text) = value else {
                return Err(format!("{value} is not text"));
            };
            let n_chars = text.chars().count();
            check_length(n_chars, *length_range, "characters")?;
            if let Some(DataEncoding::String { size, charset }) = encoding {
                if charset.eq_ignore_ascii_case("US-ASCII") && !text.is_ascii() {
                    return Err(format!("{value} is not US-ASCII"));
                }
                check_encoded_len(text.len(), string_max_bytes(size), "bytes of text")?;
            }
            Ok(ArgValue::Text(text.clone()))
        }
        TypeKind::Binary { length_range } => {
            let bytes = bytes(value)?;
            check_length(bytes.len(), *length_range, "bytes")?;
            if let Some(DataEncoding::Binary { size }) = encoding {
                check_encoded_len(bytes.len(), binary_max_bytes(size), "bytes")?;
            }
            Ok(ArgValue::Bytes(bytes))
        }
        TypeKind::Array { element_type, dimensions } => {
            let ArgValue::Array(elements) = value else {
                return Err(format!("{value} is not an array"));
            };
            if elements.len() > ARRAY_LEN_MAX {
                return Err(format!("{} elements, at most {ARRAY_LEN_MAX}", elements.len()));
            }
            if let [model::ArrayDimension {
                start: model::IntegerValue::Fixed(start),
                end: model::IntegerValue::Fixed(end),
            }] = dimensions.as_slice()
            {
                let expected = (end - start + 1).max(0) as usize;
                if elements.len() != expected {
                    return Err(format!("{} elements, the array has {expected}", elements.len()));
                }
            }
            let element = lookup(model, element_type)?;
            let checked: Result<Vec<_>, String> = elements
                .iter()
                .enumerate()
                .map(|(idx, value)| check_value(model, element, value, depth + 1).map_err(|e| format!("[{idx}]: {e}")))
                .collect();
            checked.map(ArgValue::Array)
        }
        TypeKind::Aggregate { members } => {
            let ArgValue::Aggregate(given) = value else {
                return Err(format!("{value} is not an aggregate"));
            };
            if let Some((name, _)) = given.iter().find(|(name, _)| !members.iter().any(|m| &m.name == name)) {
                return Err(format!("no member {name:?}"));
            }
            let mut checked = Vec::new();
            for member in members {
                let Some((_, value)) = given.iter().find(|(name, _)| name == &member.name) else {
                    return Err(format!("member {:?} is missing", member.name));
                };
                let member_type = lookup(model, &member.type_ref)?;
                let value =
                    check_value(model, member_type, value, depth + 1).map_err(|e| format!(".{}: {e}", member.name))?;
                checked.push((member.name.clone(), value));
            }
            Ok(ArgValue::Aggregate(checked))
        }
        TypeKind::AbsoluteTime { .. } | TypeKind::RelativeTime { .. } => {
            Err("time arguments are not supported yet".to_string())
        }
    }
}

/// The arguments that sit inside a group repeater of the chain's layout.
pub(crate) fn grouped_arguments<'m>(chain: &[&'m MetaCommand]) -> BTreeSet<&'m str> {
    let mut grouped = BTreeSet::new();
    for level in chain {
        let mut remaining = 0u32;
        for entry in &level.entries {
            match &entry.kind {
                CommandEntryKind::Group { group_size, .. } => remaining = *group_size,
                CommandEntryKind::Argument(name) if remaining > 0 => {
                    grouped.insert(name.as_str());
                    remaining -= 1;
                }
                _ => remaining = remaining.saturating_sub(1),
            }
        }
    }
    grouped
}

fn lookup<'m>(model: &'m MissionModel, type_ref: &QualifiedName) -> Result<&'m DataType, String> {
    model.argument_types.get(type_ref).ok_or_else(|| format!("type {type_ref} is not in the model"))
}

/// An integer from a number or its text (decimal, `0x` hex, `0b` binary, optional sign).
fn integer(value: &ArgValue) -> Result<i128, String> {
    match value {
        ArgValue::Integer(number) => Ok(*number),
        ArgValue::Float(number) if number.fract() == 0.0 && number.abs() < 1e30 => Ok(*number as i128),
        ArgValue::Text(text) => parse_integer(text).ok_or_else(|| format!("{value} is not an integer")),
        _ => Err(format!("{value} is not an integer")),
    }
}

pub(crate) fn parse_integer(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = digits.to_ascii_lowercase();
    let magnitude = if let Some(hex) = lower.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()?
    } else {
        lower.parse::<i128>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn float(value: &ArgValue) -> Result<f64, String> {
    match value {
        ArgValue::Float(number) => Ok(*number),
        ArgValue::Integer(number) => Ok(*number as f64),
        ArgValue::Text(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .or_else(|| parse_integer(text).map(|n| n as f64))
            .ok_or_else(|| format!("{value} is not a number")),
        _ => Err(format!("{value} is not a number")),
    }
}

fn boolean(value: &ArgValue, one: &str, zero: &str) -> Result<bool, String> {
    let refused = || format!("{value} is not a boolean ({one:?} or {zero:?})");
    match value {
        ArgValue::Bool(value) => Ok(*value),
        ArgValue::Integer(0) => Ok(false),
        ArgValue::Integer(1) => Ok(true),
        ArgValue::Text(text) => {
            let text = text.trim();
            if text.eq_ignore_ascii_case(one) || text.eq_ignore_ascii_case("true") || text == "1" {
                Ok(true)
            } else if text.eq_ignore_ascii_case(zero) || text.eq_ignore_ascii_case("false") || text == "0" {
                Ok(false)
            } else {
                Err(refused())
            }
        }
        _ => Err(refused()),
    }
}

fn enumerated(value: &ArgValue, values: &[model::EnumValue]) -> Result<ArgValue, String> {
    let contains = |number: i128| {
        values.iter().any(|v| number >= i128::from(v.value) && number <= i128::from(v.max.unwrap_or(v.value)))
    };
    let labels = || values.iter().map(|v| v.label.as_str()).collect::<Vec<_>>().join(", ");
    match value {
        ArgValue::Text(text) => {
            if let Some(found) = values.iter().find(|v| v.label == *text) {
                return Ok(ArgValue::Text(found.label.clone()));
            }
            if let Some(found) = values.iter().find(|v| v.label.eq_ignore_ascii_case(text.trim())) {
                return Ok(ArgValue::Text(found.label.clone()));
            }
            match parse_integer(text) {
                Some(number) if contains(number) => Ok(ArgValue::Integer(number)),
                _ => Err(format!("{value} is not one of the labels {}", labels())),
            }
        }
        ArgValue::Integer(number) if contains(*number) => Ok(ArgValue::Integer(*number)),
        _ => Err(format!("{value} is not one of the labels {} nor their values", labels())),
    }
}

/// Bytes from bytes or hex text (`0a0b`, `0x0a0b`, spaces allowed).
fn bytes(value: &ArgValue) -> Result<Vec<u8>, String> {
    match value {
        ArgValue::Bytes(bytes) => Ok(bytes.clone()),
        ArgValue::Text(text) => {
            let digits: String = text.trim().trim_start_matches("0x").chars().filter(|c| !c.is_whitespace()).collect();
            let refused = || format!("{value} is not hex bytes");
            if !digits.len().is_multiple_of(2) {
                return Err(refused());
            }
            (0..digits.len())
                .step_by(2)
                .map(|idx| digits.get(idx..idx + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(refused)
        }
        _ => Err(format!("{value} is not bytes")),
    }
}

/// The bounds of an integer of `size_bits` bits, signed (two's complement) or not.
pub(crate) fn integer_bounds(signed: bool, size_bits: u8) -> (i128, i128) {
    let size_bits = u32::from(size_bits.min(64));
    match (signed, size_bits) {
        (_, 0) => (0, 0),
        (true, _) => (-(1i128 << (size_bits - 1)), (1i128 << (size_bits - 1)) - 1),
        (false, _) => (0, (1i128 << size_bits) - 1),
    }
}

fn check_integer_bounds(number: i128, signed: bool, size_bits: u8, what: &str) -> Result<(), String> {
    let (min, max) = integer_bounds(signed, size_bits);
    let sign = if signed { "signed" } else { "unsigned" };
    if number > max {
        return Err(format!("{number} is above the maximum {max} ({size_bits}-bit {sign} {what})"));
    }
    if number < min {
        return Err(format!("{number} is below the minimum {min} ({size_bits}-bit {sign} {what})"));
    }
    Ok(())
}

fn check_range(number: f64, range: Option<&Range>) -> Result<(), String> {
    let Some(range) = range else { return Ok(()) };
    if let Some(max) = range.max {
        if number > max || (!range.max_inclusive && number == max) {
            let exclusive = if range.max_inclusive { "" } else { " (exclusive)" };
            return Err(format!("{number} is above the maximum {max}{exclusive} (valid range)"));
        }
    }
    if let Some(min) = range.min {
        if number < min || (!range.min_inclusive && number == min) {
            let exclusive = if range.min_inclusive { "" } else { " (exclusive)" };
            return Err(format!("{number} is below the minimum {min}{exclusive} (valid range)"));
        }
    }
    Ok(())
}

fn check_length(len: usize, range: Option<(u32, u32)>, unit: &str) -> Result<(), String> {
    let Some((min, max)) = range else { return Ok(()) };
    if len < min as usize {
        return Err(format!("{len} {unit}, at least {min} needed"));
    }
    if len > max as usize {
        return Err(format!("{len} {unit}, at most {max} allowed"));
    }
    Ok(())
}

fn check_encoded_len(len: usize, max: Option<usize>, unit: &str) -> Result<(), String> {
    match max {
        Some(max) if len > max => Err(format!("{len} {unit}, the encoding holds at most {max}")),
        _ => Ok(()),
    }
}

/// The most bytes a string encoding holds.
pub(crate) fn string_max_bytes(size: &StringSize) -> Option<usize> {
    match size {
        StringSize::Fixed { size_bits } => Some(*size_bits as usize / 8),
        StringSize::Terminated { max_bits, terminator } => {
            max_bits.map(|max| (max as usize / 8).saturating_sub(terminator.len()))
        }
        StringSize::LeadingSize { length_bits, max_bits } => leading_max(*length_bits, *max_bits),
        StringSize::Dynamic { max_bits, .. } => max_bits.map(|max| max as usize / 8),
    }
}

/// The most bytes a binary encoding holds.
pub(crate) fn binary_max_bytes(size: &BinarySize) -> Option<usize> {
    match size {
        BinarySize::Fixed { size_bits } => Some(*size_bits as usize / 8),
        BinarySize::LeadingSize { length_bits, max_bits } => leading_max(*length_bits, *max_bits),
        BinarySize::Dynamic { max_bits, .. } => max_bits.map(|max| max as usize / 8),
    }
}

fn leading_max(length_bits: u8, max_bits: Option<u32>) -> Option<usize> {
    let by_field = integer_bounds(false, length_bits).1.min(usize::MAX as i128) as usize;
    Some(max_bits.map_or(by_field, |max| by_field.min(max as usize / 8)))
}
