//! Data types compiled for decoding: how to read the bits (`Codec`), how to turn raw into
//! engineering values (`Conversion`), calibration and monitoring.

use super::criteria::{Condition, Count, Names};
use super::PlanError;
use model::{
    Alarm, BinarySize, ByteOrder, Calibrator, DataEncoding, DataType, EnumValue, Epoch, FloatFormat, IntegerSign,
    StringSize, TimeEncoding, TypeKind,
};

/// How a field's size is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Size {
    Fixed(u32),
    /// Ends at the terminator (not part of the value).
    Terminated {
        terminator: Vec<u8>,
        max_bits: Option<u32>,
    },
    /// A byte count of `length_bits` bits comes first.
    Leading {
        length_bits: u32,
        max_bits: Option<u32>,
    },
    /// Bits from another parameter.
    Dynamic {
        bits: Count,
        max_bits: Option<u32>,
    },
}

/// How the bits are read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Codec {
    Integer {
        size_bits: u32,
        sign: IntegerSign,
        order: ByteOrder,
    },
    Float {
        size_bits: u32,
        format: FloatFormat,
        order: ByteOrder,
    },
    Text {
        size: Size,
    },
    Binary {
        size: Size,
    },
    /// CCSDS time codes, read as seconds from the epoch.
    Cuc {
        coarse_octets: u32,
        fine_octets: u32,
    },
    /// A CUC code whose P-field comes first in the data and states its octets (at most
    /// these): its size is known only when read.
    CucPField {
        coarse_octets_max: u32,
        fine_octets_max: u32,
    },
    Cds {
        day_octets: u32,
        submillisecond_octets: u32,
    },
}

/// How a raw value becomes an engineering value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Conversion {
    Integer {
        signed: bool,
    },
    Float,
    Boolean,
    Enumerated(Vec<EnumValue>),
    /// Text (or binary) stays as bytes; a number encoded as text is parsed.
    Bytes,
    NumberFromText,
    /// `raw * scale + offset` seconds (CUC/CDS codecs give seconds already: scale 1).
    Time {
        scale: f64,
        offset: f64,
    },
}

/// A type ready for decoding.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledType {
    pub codec: Codec,
    pub conversion: Conversion,
    pub calibrator: Option<Calibrator>,
    pub context_calibrators: Vec<(Condition, Calibrator)>,
    pub alarm: Option<Alarm>,
    pub context_alarms: Vec<(Condition, Alarm)>,
    /// For `Epoch` display and time correlation later.
    pub epoch: Option<Epoch>,
}

pub(crate) fn compile_type(name: &str, data_type: &DataType, names: &Names<'_>) -> Result<CompiledType, PlanError> {
    let unsupported = |why: &str| PlanError::UnsupportedType { name: name.to_string(), why: why.to_string() };
    // CCSDS time codes say their own layout; every other type needs an encoding.
    let encoding = data_type.encoding.as_ref();
    let needs_encoding = || encoding.ok_or_else(|| unsupported("it has no encoding"));
    let (codec, conversion, epoch) = match &data_type.kind {
        TypeKind::AbsoluteTime { epoch, time } => {
            let (codec, conversion) = time_codec(time, encoding, names).ok_or_else(|| unsupported("time encoding"))?;
            (codec, conversion, Some(epoch.clone()))
        }
        TypeKind::RelativeTime { time } => {
            let (codec, conversion) = time_codec(time, encoding, names).ok_or_else(|| unsupported("time encoding"))?;
            (codec, conversion, None)
        }
        kind => {
            let codec =
                codec(needs_encoding()?, names)?.ok_or_else(|| unsupported("its encoding is a custom algorithm"))?;
            let text = matches!(codec, Codec::Text { .. });
            let conversion = match kind {
                TypeKind::Integer { .. } | TypeKind::Float { .. } if text => Conversion::NumberFromText,
                TypeKind::Integer { signed, .. } => Conversion::Integer { signed: *signed },
                TypeKind::Float { .. } => Conversion::Float,
                TypeKind::Boolean { .. } => Conversion::Boolean,
                TypeKind::Enumerated { values } => Conversion::Enumerated(values.clone()),
                // A string or binary type may be encoded as a number (XTCE allows an integer or
                // float encoding for any type): its value is that number, not bytes.
                TypeKind::String { .. } | TypeKind::Binary { .. } => match &codec {
                    Codec::Integer { sign, .. } => Conversion::Integer { signed: *sign != IntegerSign::Unsigned },
                    Codec::Float { .. } => Conversion::Float,
                    _ => Conversion::Bytes,
                },
                _ => return Err(unsupported("arrays and aggregates are laid out, not decoded as one value")),
            };
            (codec, conversion, None)
        }
    };
    let contexts = |items: &[(&model::Criteria, &Calibrator)]| -> Result<Vec<(Condition, Calibrator)>, PlanError> {
        items.iter().map(|(c, cal)| Ok((names.condition(c, 0)?, (*cal).clone()))).collect()
    };
    let calibrators: Vec<_> = data_type.context_calibrators.iter().map(|c| (&c.context, &c.calibrator)).collect();
    let alarms = data_type
        .context_alarms
        .iter()
        .map(|c| Ok((names.condition(&c.context, 0)?, c.alarm.clone())))
        .collect::<Result<_, PlanError>>()?;
    Ok(CompiledType {
        codec,
        conversion,
        calibrator: data_type.calibrator.clone(),
        context_calibrators: contexts(&calibrators)?,
        alarm: data_type.alarm.clone(),
        context_alarms: alarms,
        epoch,
    })
}

/// The codec of an encoding; `None` for a custom algorithm.
fn codec(encoding: &DataEncoding, names: &Names<'_>) -> Result<Option<Codec>, PlanError> {
    let dynamic = |bits: &model::IntegerValue, max_bits: &Option<u32>| -> Result<Size, PlanError> {
        Ok(Size::Dynamic { bits: names.count(bits)?, max_bits: *max_bits })
    };
    Ok(Some(match encoding {
        DataEncoding::Integer { size_bits, sign, byte_order } => {
            Codec::Integer { size_bits: u32::from(*size_bits), sign: *sign, order: byte_order.clone() }
        }
        DataEncoding::Float { size_bits, format, byte_order } => {
            Codec::Float { size_bits: u32::from(*size_bits), format: *format, order: byte_order.clone() }
        }
        DataEncoding::String { size, .. } => Codec::Text {
            size: match size {
                StringSize::Fixed { size_bits: bits } => Size::Fixed(*bits),
                StringSize::Terminated { terminator, max_bits } => {
                    Size::Terminated { terminator: terminator.clone(), max_bits: *max_bits }
                }
                StringSize::LeadingSize { length_bits, max_bits } => {
                    Size::Leading { length_bits: u32::from(*length_bits), max_bits: *max_bits }
                }
                StringSize::Dynamic { size_bits: bits, max_bits } => dynamic(bits, max_bits)?,
            },
        },
        DataEncoding::Binary { size } => Codec::Binary {
            size: match size {
                BinarySize::Fixed { size_bits: bits } => Size::Fixed(*bits),
                BinarySize::LeadingSize { length_bits, max_bits } => {
                    Size::Leading { length_bits: u32::from(*length_bits), max_bits: *max_bits }
                }
                BinarySize::Dynamic { size_bits: bits, max_bits } => dynamic(bits, max_bits)?,
            },
        },
        DataEncoding::Custom { .. } => return Ok(None),
    }))
}

/// The codec and conversion of a time type.
fn time_codec(time: &TimeEncoding, encoding: Option<&DataEncoding>, names: &Names<'_>) -> Option<(Codec, Conversion)> {
    match time {
        TimeEncoding::Scaled { scale, offset } => {
            let codec = codec(encoding?, names).ok()??;
            Some((codec, Conversion::Time { scale: *scale, offset: *offset }))
        }
        TimeEncoding::Cuc { coarse_octets, fine_octets, p_field: false } => Some((
            Codec::Cuc { coarse_octets: u32::from(*coarse_octets), fine_octets: u32::from(*fine_octets) },
            Conversion::Time { scale: 1.0, offset: 0.0 },
        )),
        TimeEncoding::Cuc { coarse_octets, fine_octets, p_field: true } => Some((
            Codec::CucPField { coarse_octets_max: u32::from(*coarse_octets), fine_octets_max: u32::from(*fine_octets) },
            Conversion::Time { scale: 1.0, offset: 0.0 },
        )),
        TimeEncoding::Cds { day_octets, submillisecond_octets, p_field: false } => Some((
            Codec::Cds { day_octets: u32::from(*day_octets), submillisecond_octets: u32::from(*submillisecond_octets) },
            Conversion::Time { scale: 1.0, offset: 0.0 },
        )),
        // A CDS P-field makes the code self-describing: not decoded yet.
        TimeEncoding::Cds { p_field: true, .. } => None,
    }
}
