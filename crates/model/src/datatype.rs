//! Data types of parameters and arguments: their engineering kind and their raw encoding.

use crate::criteria::{Criteria, ParamRef};
use crate::monitoring::{Alarm, Calibrator, ContextAlarm, ContextCalibrator};
use crate::name::QualifiedName;

/// A parameter type or an argument type: what a value means (its kind), how it is carried in
/// bits (its encoding), and how it is calibrated and monitored.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DataType {
    pub kind: TypeKind,
    /// The raw encoding; `None` for types never carried in a packet (local, aggregate, array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<DataEncoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibrator: Option<Calibrator>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_calibrators: Vec<ContextCalibrator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm: Option<Alarm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_alarms: Vec<ContextAlarm>,
}

impl DataType {
    /// A type of this kind with no encoding, unit, calibration or alarm.
    pub fn new(kind: TypeKind) -> Self {
        DataType {
            kind,
            encoding: None,
            unit: None,
            description: None,
            calibrator: None,
            context_calibrators: Vec::new(),
            alarm: None,
            context_alarms: Vec::new(),
        }
    }
}

/// The engineering kind of a value.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeKind {
    Integer {
        signed: bool,
        size_bits: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid_range: Option<Range>,
    },
    Float {
        size_bits: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid_range: Option<Range>,
    },
    Boolean {
        one: String,
        zero: String,
    },
    Enumerated {
        values: Vec<EnumValue>,
    },
    String {
        /// Allowed length in characters (arguments).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length_range: Option<(u32, u32)>,
    },
    Binary {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length_range: Option<(u32, u32)>,
    },
    AbsoluteTime {
        epoch: Epoch,
        time: TimeEncoding,
    },
    RelativeTime {
        time: TimeEncoding,
    },
    Array {
        element_type: QualifiedName,
        dimensions: Vec<ArrayDimension>,
    },
    Aggregate {
        members: Vec<Member>,
    },
}

/// A closed or open numeric range.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Range {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    pub min_inclusive: bool,
    pub max_inclusive: bool,
    /// Whether the range applies to the calibrated value (true) or the raw value.
    pub calibrated: bool,
}

impl Range {
    /// The inclusive range `[min, max]` on engineering values.
    pub fn inclusive(min: Option<f64>, max: Option<f64>) -> Self {
        Range { min, max, min_inclusive: true, max_inclusive: true, calibrated: true }
    }
}

/// One value of an enumeration; `max` makes it a range of raw values with one label.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnumValue {
    pub value: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The epoch of an absolute time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Epoch {
    Tai,
    J2000,
    Unix,
    Gps,
    /// A calendar date or date-time in UTC, as the source wrote it (ISO 8601).
    Date(String),
    /// The time is an offset from another parameter's value.
    OffsetFrom(ParamRef),
    /// The mission's on-board time reference (a MIB's default), resolved by configuration.
    Mission,
}

/// How a time is carried in bits.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TimeEncoding {
    /// A number (the type's encoding) times `scale` plus `offset` gives seconds.
    Scaled { scale: f64, offset: f64 },
    /// CCSDS unsegmented time code: coarse and fine octets (301.0-B).
    ///
    /// With `p_field`, the data holds the P-field first (one octet, two when its extension
    /// flag is set, 301.0-B-4 §3.2.2) and the octet counts it states are the ones read:
    /// `coarse_octets` and `fine_octets` are then the most it may state (a P-field asking for
    /// more is a decode error). Yamcs's `TimeBinaryDecoder` with `type: CUC` reads this.
    Cuc { coarse_octets: u8, fine_octets: u8, p_field: bool },
    /// CCSDS day segmented time code: day octets (2 or 3), milliseconds, sub-ms octets (0/2/4).
    Cds { day_octets: u8, submillisecond_octets: u8, p_field: bool },
}

/// One dimension of an array: indices `start..=end`, either may come from another parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArrayDimension {
    pub start: IntegerValue,
    pub end: IntegerValue,
}

/// A member of an aggregate type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    pub name: String,
    pub type_ref: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An integer that is fixed in the model or read at decode time from another parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegerValue {
    Fixed(i64),
    /// `slope * value(parameter) + intercept`.
    Dynamic {
        parameter: ParamRef,
        slope: i64,
        intercept: i64,
    },
    /// The first entry whose criteria match gives the value.
    Lookup(Vec<(Criteria, i64)>),
}

/// How a value is carried in bits.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "encoding", rename_all = "snake_case")]
pub enum DataEncoding {
    Integer {
        size_bits: u8,
        sign: IntegerSign,
        byte_order: ByteOrder,
    },
    Float {
        size_bits: u8,
        format: FloatFormat,
        byte_order: ByteOrder,
    },
    /// Text; an integer or float type encoded as a string keeps its kind and uses this.
    String {
        size: StringSize,
        charset: String,
    },
    Binary {
        size: BinarySize,
    },
    /// A value produced by a custom algorithm the model cannot run (kept so the container
    /// layout stays complete; the import report names it).
    Custom {
        algorithm: String,
        size_bits: Option<u32>,
    },
}

impl DataEncoding {
    /// The size in bits when it is fixed.
    pub fn fixed_size_bits(&self) -> Option<u32> {
        match self {
            DataEncoding::Integer { size_bits, .. } | DataEncoding::Float { size_bits, .. } => {
                Some(u32::from(*size_bits))
            }
            DataEncoding::String { size: StringSize::Fixed { size_bits }, .. } => Some(*size_bits),
            DataEncoding::Binary { size: BinarySize::Fixed { size_bits } } => Some(*size_bits),
            DataEncoding::Custom { size_bits, .. } => *size_bits,
            _ => None,
        }
    }
}

/// How an integer's sign is carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegerSign {
    Unsigned,
    TwosComplement,
    SignMagnitude,
    OnesComplement,
}

/// The order in which the bytes of a multi-byte value are sent.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ByteOrder {
    /// Most significant byte first.
    BigEndian,
    /// Least significant byte first.
    LittleEndian,
    /// Byte significances in the order sent: `significance[i]` is the significance (0 = least
    /// significant) of the i-th byte on the wire. XTCE `ByteOrderList`, ccsdspy `"2143"` etc.
    ///
    /// Invariant: a permutation of `0..len`.
    Custom { significance: Vec<u8> },
}

impl ByteOrder {
    /// Builds a byte order from the significance of each byte as sent; normalises the two
    /// common orders and rejects anything that is not a permutation.
    pub fn from_significance(significance: Vec<u8>) -> Option<ByteOrder> {
        let len = significance.len();
        let mut seen = vec![false; len];
        for &s in &significance {
            let slot = seen.get_mut(usize::from(s))?;
            if *slot {
                return None;
            }
            *slot = true;
        }
        let big: Vec<u8> = (0..len as u8).rev().collect();
        let little: Vec<u8> = (0..len as u8).collect();
        Some(if significance == big || len <= 1 {
            ByteOrder::BigEndian
        } else if significance == little {
            ByteOrder::LittleEndian
        } else {
            ByteOrder::Custom { significance }
        })
    }
}

/// The format of a floating point value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloatFormat {
    Ieee754,
    MilStd1750a,
}

/// The size of a string in a packet.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "size", rename_all = "snake_case")]
pub enum StringSize {
    Fixed {
        size_bits: u32,
    },
    /// Ends at the terminator bytes (not part of the value); at most `max_bits`.
    Terminated {
        terminator: Vec<u8>,
        max_bits: Option<u32>,
    },
    /// Preceded by its length in bytes, carried in `length_bits` bits.
    LeadingSize {
        length_bits: u8,
        max_bits: Option<u32>,
    },
    /// Length in bits from another parameter or a lookup.
    Dynamic {
        size_bits: IntegerValue,
        max_bits: Option<u32>,
    },
}

/// The size of a binary value in a packet.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "size", rename_all = "snake_case")]
pub enum BinarySize {
    Fixed { size_bits: u32 },
    LeadingSize { length_bits: u8, max_bits: Option<u32> },
    Dynamic { size_bits: IntegerValue, max_bits: Option<u32> },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_orders_normalise() {
        assert_eq!(ByteOrder::from_significance(vec![3, 2, 1, 0]), Some(ByteOrder::BigEndian));
        assert_eq!(ByteOrder::from_significance(vec![0, 1, 2]), Some(ByteOrder::LittleEndian));
        assert_eq!(ByteOrder::from_significance(vec![0]), Some(ByteOrder::BigEndian));
        assert_eq!(
            ByteOrder::from_significance(vec![2, 3, 0, 1]),
            Some(ByteOrder::Custom { significance: vec![2, 3, 0, 1] })
        );
        assert_eq!(ByteOrder::from_significance(vec![0, 0]), None);
        assert_eq!(ByteOrder::from_significance(vec![0, 2]), None);
    }
}
