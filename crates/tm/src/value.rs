//! Decoded values and samples. Values are small and `Copy`: text and binary values point into
//! the packet instead of owning a copy, so processing allocates nothing per sample.

use model::AlarmLevel;

/// Index of a parameter in a compiled plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParamId(pub u32);

/// Index of a container in a compiled plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerId(pub u32);

/// A value as it was in the packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RawValue {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    /// Bytes of the packet (strings, binaries): `len` bytes from byte `start`.
    Bytes {
        start: u32,
        len: u32,
    },
}

impl RawValue {
    /// The value as a number, for calibration and comparisons; `None` for bytes.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            RawValue::Unsigned(v) => Some(v as f64),
            RawValue::Signed(v) => Some(v as f64),
            RawValue::Float(v) => Some(v),
            RawValue::Bytes { .. } => None,
        }
    }
}

/// A value in engineering terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EngValue {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    /// An enumeration label: the index into the type's values.
    Enum(u32),
    /// A raw value no enumeration label covers.
    UnknownEnum(i64),
    /// Text or binary: `len` bytes of the packet from byte `start`.
    Bytes {
        start: u32,
        len: u32,
    },
    /// Seconds from the type's epoch.
    Time(f64),
    /// Calibration failed (e.g. outside a spline without extrapolation); the raw value stands.
    Invalid,
}

impl EngValue {
    /// The value as a number, for limits and comparisons.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            EngValue::Unsigned(v) => Some(v as f64),
            EngValue::Signed(v) => Some(v as f64),
            EngValue::Float(v) | EngValue::Time(v) => Some(v),
            EngValue::Bool(b) => Some(f64::from(u8::from(b))),
            EngValue::UnknownEnum(v) => Some(v as f64),
            EngValue::Enum(_) | EngValue::Bytes { .. } | EngValue::Invalid => None,
        }
    }
}

/// One parameter value taken from one packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub parameter: ParamId,
    /// 0 for a scalar; the flat index of the member or element otherwise.
    pub element: u32,
    /// Where the value starts in the packet, in bits.
    pub bit_offset: u32,
    pub raw: RawValue,
    pub eng: EngValue,
    pub level: AlarmLevel,
}
