//! Data encodings (integer, float, string, binary), byte orders, and the integer values
//! (`FixedValue`, `DynamicValue`, `DiscreteLookupList`) that sizes and counts are given by.

use super::calib_alarm;
use super::cx::{child, elements, local, Cx, Res};
use super::types::integer_size;
use super::values;
use super::yamcs_time::{self, Transform};
use model::{
    BinarySize, ByteOrder, DataEncoding, DataType, FloatFormat, IntegerSign, IntegerValue, QualifiedName, StringSize,
};
use roxmltree::Node;

/// Reads a `*DataEncoding` element into the type's encoding and calibrators.
pub fn encoding(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, data_type: &mut DataType) -> Res<()> {
    if node.attribute("bitOrder").map(str::trim) == Some("leastSignificantBitFirst") {
        cx.unsupported(
            node,
            "bit order leastSignificantBitFirst is not supported by the model; read as most significant bit first",
        );
    }
    let transform = elements(node)
        .find(|item| matches!(local(*item), "FromBinaryTransformAlgorithm" | "ToBinaryTransformAlgorithm"));
    let encoding = match (transform, local(node)) {
        (Some(transform), _) => match yamcs_time::read(transform, &mut data_type.kind) {
            // A CCSDS time code says its own layout: the type needs no raw encoding.
            Transform::Cuc => Ok(None),
            Transform::Refused(why) => custom(cx, node, transform, Some(&why)).map(Some),
            Transform::Other => custom(cx, node, transform, None).map(Some),
        },
        (None, "IntegerDataEncoding") => integer(cx, node).map(Some),
        (None, "FloatDataEncoding") => float(cx, node).map(Some),
        (None, "StringDataEncoding") => string(cx, node, space).map(Some),
        (None, _) => binary(cx, node, space).map(Some),
    };
    // A type whose encoding cannot be read is kept without one; the error is reported.
    data_type.encoding = encoding.ok().flatten();
    // Calibrators belong to the encoding: a derived type's new encoding drops its base's.
    data_type.calibrator = None;
    data_type.context_calibrators.clear();
    for item in elements(node) {
        match local(item) {
            "DefaultCalibrator" => data_type.calibrator = calib_alarm::calibrator_in(cx, item, space),
            "ContextCalibratorList" => {
                data_type.context_calibrators = calib_alarm::context_calibrators(cx, item, space)
            }
            // Read by the encoding readers above.
            "ByteOrderList"
            | "SizeInBits"
            | "Variable"
            | "FromBinaryTransformAlgorithm"
            | "ToBinaryTransformAlgorithm" => {}
            _ => cx.unhandled(item),
        }
    }
    Ok(())
}

/// An encoding computed by a transform algorithm (Yamcs Java): kept undecoded, reported
/// (with why, when it is one the model reads in other configurations).
fn custom(cx: &mut Cx, node: Node<'_, '_>, transform: Node<'_, '_>, why: Option<&str>) -> Res<DataEncoding> {
    let algorithm = transform.attribute("name").unwrap_or("unnamed").to_string();
    let size_bits = child(node, "SizeInBits")
        .and_then(|size| child(size, "FixedValue"))
        .and_then(|fixed| fixed.text())
        .and_then(|text| text.trim().parse::<u32>().ok())
        .or_else(|| node.attribute("sizeInBits").and_then(|text| text.trim().parse().ok()));
    let because = why.map(|why| format!(" ({why})")).unwrap_or_default();
    let message =
        format!("transform algorithm `{algorithm}` cannot be run by the model{because}; the value is kept undecoded");
    cx.unsupported(transform, message);
    Ok(DataEncoding::Custom { algorithm, size_bits })
}

fn byte_order(cx: &mut Cx, node: Node<'_, '_>) -> Res<ByteOrder> {
    if let Some(list) = child(node, "ByteOrderList") {
        let mut significance = Vec::new();
        for byte in elements(list) {
            if local(byte) != "Byte" {
                cx.unhandled(byte);
                continue;
            }
            significance.push(cx.num::<u8>(byte, "byteSignificance", 0)?);
        }
        return ByteOrder::from_significance(significance)
            .ok_or_else(|| cx.error(list, "byte significances are not a permutation of 0..n"));
    }
    match node.attribute("byteOrder").map(str::trim) {
        None | Some("mostSignificantByteFirst") => Ok(ByteOrder::BigEndian),
        Some("leastSignificantByteFirst") => Ok(ByteOrder::LittleEndian),
        Some(other) => Err(cx.attr_error(node, "byteOrder", format!("`{other}` is not a byte order"))),
    }
}

fn integer(cx: &mut Cx, node: Node<'_, '_>) -> Res<DataEncoding> {
    let size_bits = integer_size(cx, node, "sizeInBits", 8)?;
    let sign = match node.attribute("encoding").map(str::trim) {
        None | Some("unsigned") => IntegerSign::Unsigned,
        Some("twosComplement" | "twosCompliment") => IntegerSign::TwosComplement,
        Some("signMagnitude") => IntegerSign::SignMagnitude,
        Some("onesComplement" | "onesCompliment") => IntegerSign::OnesComplement,
        Some(other @ ("BCD" | "packedBCD")) => {
            return Err(cx.unsupported(node, format!("integer encoding `{other}` is not supported by the model")))
        }
        Some(other) => return Err(cx.attr_error(node, "encoding", format!("`{other}` is not an integer encoding"))),
    };
    let byte_order = byte_order(cx, node)?;
    Ok(DataEncoding::Integer { size_bits, sign, byte_order })
}

fn float(cx: &mut Cx, node: Node<'_, '_>) -> Res<DataEncoding> {
    let size: u8 = cx.num(node, "sizeInBits", 32)?;
    let format = match node.attribute("encoding").map(str::trim) {
        None | Some("IEEE754_1985" | "IEEE754" | "IEEE") => FloatFormat::Ieee754,
        Some("MILSTD_1750A" | "MIL-STD-1750A") => FloatFormat::MilStd1750a,
        Some(other @ ("DEC" | "IBM" | "TI")) => {
            return Err(cx.unsupported(node, format!("float encoding `{other}` is not supported by the model")))
        }
        Some(other) => return Err(cx.attr_error(node, "encoding", format!("`{other}` is not a float encoding"))),
    };
    let sizes_ok = match format {
        FloatFormat::Ieee754 => [16, 32, 64, 128].contains(&size),
        FloatFormat::MilStd1750a => [32, 48].contains(&size),
    };
    if !sizes_ok {
        // A well-formed definition that cannot be decoded (xtcetools' own test files hold such
        // types on purpose): keep the type, list it, and let decoding report it per packet.
        let _ = cx.unsupported(
            node,
            format!("{size}-bit {format:?} floats cannot be decoded; values of this type will be reported invalid"),
        );
    }
    let byte_order = byte_order(cx, node)?;
    Ok(DataEncoding::Float { size_bits: size, format, byte_order })
}

fn string(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<DataEncoding> {
    let charset = node.attribute("encoding").unwrap_or("UTF-8").to_string();
    let size = if let Some(size_in_bits) = child(node, "SizeInBits") {
        string_size_in_bits(cx, size_in_bits, space)?
    } else if let Some(variable) = child(node, "Variable") {
        string_variable(cx, variable, space)?
    } else {
        return Err(cx.error(node, "a StringDataEncoding needs SizeInBits or Variable"));
    };
    Ok(DataEncoding::String { size, charset })
}

/// XTCE 1.0/1.1 `SizeInBits`: `Fixed`, `TerminationChar` and/or `LeadingSize`.
fn string_size_in_bits(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<StringSize> {
    let mut fixed = None;
    let mut terminator = None;
    let mut leading = None;
    for item in elements(node) {
        match local(item) {
            "Fixed" => match values::integer_value(cx, item, space)? {
                IntegerValue::Fixed(bits) => fixed = Some(size_u32(cx, item, bits)?),
                dynamic => return Ok(StringSize::Dynamic { size_bits: dynamic, max_bits: None }),
            },
            "TerminationChar" => terminator = Some(hex_bytes(cx, item)?),
            "LeadingSize" => leading = Some(integer_size(cx, item, "sizeInBitsOfSizeTag", 16)?),
            _ => cx.unhandled(item),
        }
    }
    Ok(match (fixed, terminator, leading) {
        (_, Some(terminator), _) if fixed.is_none() => StringSize::Terminated { terminator, max_bits: None },
        (None, None, Some(length_bits)) => StringSize::LeadingSize { length_bits, max_bits: None },
        (Some(size_bits), terminator, leading) => {
            if terminator.is_some() || leading.is_some() {
                cx.unsupported(
                    node,
                    "a terminator or size tag inside a fixed-size string buffer: the model keeps the fixed size only",
                );
            }
            StringSize::Fixed { size_bits }
        }
        _ => return Err(cx.error(node, "SizeInBits needs Fixed, TerminationChar or LeadingSize")),
    })
}

/// XTCE 1.2 `Variable maxSizeInBits`: `DynamicValue`, `DiscreteLookupList`, `TerminationChar`
/// or `LeadingSize`.
fn string_variable(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<StringSize> {
    let max_bits = Some(cx.num(node, "maxSizeInBits", u32::MAX)?);
    let mut dynamic = None;
    let mut size = None;
    for item in elements(node) {
        match local(item) {
            "DynamicValue" | "DiscreteLookupList" if is_yamcs_ignore(item) => {}
            "DynamicValue" | "DiscreteLookupList" => dynamic = Some(values::value_of(cx, item, space)?),
            "TerminationChar" => size = Some(StringSize::Terminated { terminator: hex_bytes(cx, item)?, max_bits }),
            "LeadingSize" => {
                let length_bits = integer_size(cx, item, "sizeInBitsOfSizeTag", 16)?;
                size = Some(StringSize::LeadingSize { length_bits, max_bits })
            }
            _ => cx.unhandled(item),
        }
    }
    match (size, dynamic) {
        (Some(size), None) => Ok(size),
        (None, Some(size_bits)) => Ok(StringSize::Dynamic { size_bits, max_bits }),
        (Some(size), Some(_)) => {
            cx.unsupported(node, "a terminated or size-tagged string inside a dynamically sized buffer: the model keeps the terminator or size tag only");
            Ok(size)
        }
        (None, None) => Err(cx.error(node, "Variable needs a DynamicValue, TerminationChar or LeadingSize")),
    }
}

/// Yamcs' `_yamcs_ignore` parameter: the dynamic size is not used.
fn is_yamcs_ignore(node: Node<'_, '_>) -> bool {
    node.descendants().any(|n| n.attribute("parameterRef").map(str::trim) == Some("_yamcs_ignore"))
}

fn binary(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<DataEncoding> {
    let Some(size_in_bits) = child(node, "SizeInBits") else {
        return Err(cx.error(node, "a BinaryDataEncoding needs SizeInBits"));
    };
    let leading = child(size_in_bits, "LeadingSize");
    if is_yamcs_ignore(size_in_bits) {
        return Err(
            cx.unsupported(size_in_bits, "a binary size from Yamcs' `_yamcs_ignore` is not supported by the model")
        );
    }
    let size = match leading {
        Some(leading) => {
            let length_bits = integer_size(cx, leading, "sizeInBitsOfSizeTag", 16)?;
            BinarySize::LeadingSize { length_bits, max_bits: None }
        }
        None => match values::integer_value(cx, size_in_bits, space)? {
            IntegerValue::Fixed(-1) => {
                // FIXME: Yamcs' "-1: the size of the value given" has no model form.
                cx.unsupported(size_in_bits, "size -1 (Yamcs: the size of the argument value given) cannot be represented; kept as an unresolved dynamic size");
                BinarySize::Dynamic { size_bits: IntegerValue::Lookup(Vec::new()), max_bits: None }
            }
            IntegerValue::Fixed(bits) => BinarySize::Fixed { size_bits: size_u32(cx, size_in_bits, bits)? },
            dynamic => BinarySize::Dynamic { size_bits: dynamic, max_bits: None },
        },
    };
    Ok(DataEncoding::Binary { size })
}

fn size_u32(cx: &mut Cx, node: Node<'_, '_>, bits: i64) -> Res<u32> {
    u32::try_from(bits).map_err(|_| cx.error(node, format!("{bits} is not a size in bits")))
}

/// The bytes of a hex string (`00`, `0x0A0D`).
pub fn hex_bytes(cx: &mut Cx, node: Node<'_, '_>) -> Res<Vec<u8>> {
    let text = node.text().unwrap_or_default().trim();
    parse_hex(text).ok_or_else(|| cx.error(node, format!("`{text}` is not hexadecimal bytes")))
}

/// Parses hex digits (optionally `0x`-prefixed, odd length left-padded) into bytes.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let padded = if digits.len() % 2 == 1 { format!("0{digits}") } else { digits.to_string() };
    (0..padded.len() / 2).map(|idx| u8::from_str_radix(padded.get(2 * idx..2 * idx + 2)?, 16).ok()).collect()
}
