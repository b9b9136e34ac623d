//! SCOS-2000 parameter formats (PTC/PFC) shared by TM parameters (PCF) and TC parameters
//! (CPC): the engineering kind and the raw encoding of each combination.

use model::{BinarySize, ByteOrder, DataEncoding, Epoch, FloatFormat, IntegerSign, StringSize, TimeEncoding, TypeKind};

/// What a PTC/PFC pair means.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Format {
    pub kind: TypeKind,
    pub encoding: Option<DataEncoding>,
    /// Set when the model holds the format only in part; the caller reports it.
    pub unsupported: Option<String>,
}

/// Why a PTC/PFC pair is not a SCOS-2000 format: the PTC itself, or the PFC for that PTC.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum FormatError {
    Ptc(String),
    Pfc(String),
}

/// The bits of an integer (PTC 3 and 4) for its PFC.
pub(super) fn integer_bits(pfc: i64) -> Option<u8> {
    match pfc {
        0..=12 => u8::try_from(pfc + 4).ok(),
        13 => Some(24),
        14 => Some(32),
        15 => Some(48),
        16 => Some(64),
        _ => None,
    }
}

/// The coarse and fine octets of a CUC time (PTC 9 and 10, PFC 3..=18).
fn cuc_octets(pfc: i64) -> Option<(u8, u8)> {
    let k = u8::try_from(pfc.checked_sub(3)?).ok().filter(|k| *k < 16)?;
    Some((k / 4 + 1, k % 4))
}

/// The kind and encoding of a PTC/PFC pair. `little_endian` comes from `PCF_ENDIAN`/`CPC_ENDIAN`.
pub(super) fn format(ptc: i64, pfc: i64, little_endian: bool) -> Result<Format, FormatError> {
    let byte_order = if little_endian { ByteOrder::LittleEndian } else { ByteOrder::BigEndian };
    let integer =
        |size_bits: u8, sign: IntegerSign| DataEncoding::Integer { size_bits, sign, byte_order: byte_order.clone() };
    let bad_pfc = |what: &str| Err(FormatError::Pfc(format!("PFC {pfc} is not valid for PTC {ptc} ({what})")));
    let ok = |kind: TypeKind, encoding: DataEncoding| Ok(Format { kind, encoding: Some(encoding), unsupported: None });
    match ptc {
        1 if pfc == 0 => {
            ok(TypeKind::Boolean { one: "TRUE".into(), zero: "FALSE".into() }, integer(1, IntegerSign::Unsigned))
        }
        1 => bad_pfc("boolean takes PFC 0"),
        2 => match u8::try_from(pfc) {
            Ok(bits @ 1..=32) => ok(
                TypeKind::Integer { signed: false, size_bits: bits, valid_range: None },
                integer(bits, IntegerSign::Unsigned),
            ),
            _ => bad_pfc("enumerated takes PFC 1..=32"),
        },
        3 | 4 => {
            let signed = ptc == 4;
            let Some(bits) = integer_bits(pfc) else { return bad_pfc("integers take PFC 0..=16") };
            let sign = if signed { IntegerSign::TwosComplement } else { IntegerSign::Unsigned };
            ok(TypeKind::Integer { signed, size_bits: bits, valid_range: None }, integer(bits, sign))
        }
        5 => {
            let (kind_bits, size_bits, float_format) = match pfc {
                1 => (32, 32, FloatFormat::Ieee754),
                2 => (64, 64, FloatFormat::Ieee754),
                3 => (32, 32, FloatFormat::MilStd1750a),
                4 => (64, 48, FloatFormat::MilStd1750a),
                _ => return bad_pfc("reals take PFC 1..=4"),
            };
            ok(
                TypeKind::Float { size_bits: kind_bits, valid_range: None },
                DataEncoding::Float { size_bits, format: float_format, byte_order },
            )
        }
        6 => match u32::try_from(pfc) {
            Ok(0) => Ok(Format {
                kind: TypeKind::Binary { length_range: None },
                encoding: Some(DataEncoding::Custom { algorithm: "variable bit string".into(), size_bits: None }),
                unsupported: Some(
                    "a variable-length bit string (PTC 6, PFC 0) has no length field the model can describe".into(),
                ),
            }),
            Ok(bits @ 1..=32) => ok(
                TypeKind::Binary { length_range: None },
                DataEncoding::Binary { size: BinarySize::Fixed { size_bits: bits } },
            ),
            _ => bad_pfc("bit strings take PFC 0..=32"),
        },
        7 => match u32::try_from(pfc) {
            Ok(0) => ok(
                TypeKind::Binary { length_range: None },
                DataEncoding::Binary { size: BinarySize::LeadingSize { length_bits: 8, max_bits: None } },
            ),
            Ok(octets @ 1..=65535) => ok(
                TypeKind::Binary { length_range: None },
                DataEncoding::Binary { size: BinarySize::Fixed { size_bits: octets * 8 } },
            ),
            _ => bad_pfc("octet strings take PFC 0..=65535"),
        },
        8 => {
            let size = match u32::try_from(pfc) {
                Ok(0) => StringSize::LeadingSize { length_bits: 8, max_bits: None },
                Ok(chars @ 1..=65535) => StringSize::Fixed { size_bits: chars * 8 },
                _ => return bad_pfc("strings take PFC 0..=65535"),
            };
            ok(TypeKind::String { length_range: None }, DataEncoding::String { size, charset: "US-ASCII".into() })
        }
        9 | 10 => time_format(ptc, pfc),
        11 => Ok(Format {
            kind: TypeKind::Binary { length_range: None },
            encoding: Some(DataEncoding::Custom { algorithm: "deduced (PTC 11)".into(), size_bits: None }),
            unsupported: Some(
                "a deduced parameter (PTC 11) takes its type from another parameter's value at run time".into(),
            ),
        }),
        13 if pfc == 0 => Ok(Format {
            kind: TypeKind::Float { size_bits: 64, valid_range: None },
            encoding: None,
            unsupported: Some(
                "a saved synthetic parameter (PTC 13) keeps the type of its source; taken as a 64-bit real".into(),
            ),
        }),
        13 => bad_pfc("saved synthetic takes PFC 0"),
        _ => Err(FormatError::Ptc(format!("PTC {ptc} is not a SCOS-2000 parameter type code (1..=11, 13)"))),
    }
}

fn time_format(ptc: i64, pfc: i64) -> Result<Format, FormatError> {
    let (time, size_bits) = match (ptc, pfc) {
        (9, 1) => (TimeEncoding::Cds { day_octets: 2, submillisecond_octets: 0, p_field: false }, 48),
        (9, 2) => (TimeEncoding::Cds { day_octets: 2, submillisecond_octets: 2, p_field: false }, 64),
        (9, 0) | (10, 0) => {
            return Ok(Format {
                kind: TypeKind::Binary { length_range: None },
                encoding: Some(DataEncoding::Custom {
                    algorithm: "time with explicit P-field".into(),
                    size_bits: None,
                }),
                unsupported: Some(format!(
                    "a time of PTC {ptc} with PFC 0 carries its own P-field; the model needs a fixed code"
                )),
            })
        }
        _ => match cuc_octets(pfc) {
            Some((coarse, fine)) => (
                TimeEncoding::Cuc { coarse_octets: coarse, fine_octets: fine, p_field: false },
                u32::from(coarse + fine) * 8,
            ),
            None => {
                let what =
                    if ptc == 9 { "absolute times take PFC 0..=18" } else { "relative times take PFC 0 or 3..=18" };
                return Err(FormatError::Pfc(format!("PFC {pfc} is not valid for PTC {ptc} ({what})")));
            }
        },
    };
    let kind =
        if ptc == 9 { TypeKind::AbsoluteTime { epoch: Epoch::Mission, time } } else { TypeKind::RelativeTime { time } };
    let encoding = DataEncoding::Binary { size: BinarySize::Fixed { size_bits } };
    Ok(Format { kind, encoding: Some(encoding), unsupported: None })
}
