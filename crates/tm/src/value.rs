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
///
/// Stored as plain words (a kind byte and 64 bits per value) rather than as enums, so that
/// writing millions of them a second never goes through a partial store and reload; `raw()`
/// and `eng()` give the values back as enums. The layout is fixed and has no padding (32 bytes:
/// the two values, then the rest), so a sample is copied in whole words.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct Sample {
    raw_bits: u64,
    eng_bits: u64,
    pub parameter: ParamId,
    /// 0 for a scalar; the flat index of the member or element otherwise.
    pub element: u32,
    /// Where the value starts in the packet, in bits.
    pub bit_offset: u32,
    pub level: AlarmLevel,
    raw_kind: u8,
    eng_kind: u8,
    /// Bit 0: the parameter's validity condition did not hold for this sample (it fills the
    /// last byte, so that the sample has no padding).
    flags: u8,
}

const _: () = assert!(std::mem::size_of::<Sample>() == 32 && std::mem::size_of::<AlarmLevel>() == 1);

fn pack_bytes(start: u32, len: u32) -> u64 {
    (u64::from(start) << 32) | u64::from(len)
}

fn unpack_bytes(bits: u64) -> (u32, u32) {
    ((bits >> 32) as u32, bits as u32)
}

impl Sample {
    /// A sample of `parameter` (element `element`) at `bit_offset`.
    #[inline]
    pub fn new(
        parameter: ParamId,
        element: u32,
        bit_offset: u32,
        raw: RawValue,
        eng: EngValue,
        level: AlarmLevel,
    ) -> Self {
        let (raw_kind, raw_bits) = match raw {
            RawValue::Unsigned(v) => (0, v),
            RawValue::Signed(v) => (1, v as u64),
            RawValue::Float(v) => (2, v.to_bits()),
            RawValue::Bytes { start, len } => (3, pack_bytes(start, len)),
        };
        let (eng_kind, eng_bits) = match eng {
            EngValue::Unsigned(v) => (0, v),
            EngValue::Signed(v) => (1, v as u64),
            EngValue::Float(v) => (2, v.to_bits()),
            EngValue::Bool(b) => (3, u64::from(b)),
            EngValue::Enum(index) => (4, u64::from(index)),
            EngValue::UnknownEnum(v) => (5, v as u64),
            EngValue::Bytes { start, len } => (6, pack_bytes(start, len)),
            EngValue::Time(v) => (7, v.to_bits()),
            EngValue::Invalid => (8, 0),
        };
        Sample { parameter, element, bit_offset, level, raw_kind, eng_kind, raw_bits, eng_bits, flags: 0 }
    }

    /// A sample from its packed parts (the fast path builds them without enums). The kinds
    /// are those `new` uses: raw 0 unsigned, 1 signed, 2 float; eng the same for numbers.
    #[inline]
    pub(crate) fn from_parts(
        parameter: ParamId,
        bit_offset: u32,
        (raw_kind, raw_bits): (u8, u64),
        (eng_kind, eng_bits): (u8, u64),
        level: AlarmLevel,
    ) -> Self {
        Sample { parameter, element: 0, bit_offset, level, raw_kind, eng_kind, raw_bits, eng_bits, flags: 0 }
    }

    /// This sample with other values (the fast path fills a per-field template).
    #[inline]
    pub(crate) fn with_values(&self, raw_bits: u64, eng_bits: u64) -> Self {
        let mut sample = *self;
        sample.raw_bits = raw_bits;
        sample.eng_bits = eng_bits;
        sample
    }

    /// Whether the value is valid: false when its parameter's validity condition (XTCE
    /// `ValidityCondition`, MIB `PCF_VALPAR`) did not hold. The value is still kept.
    #[inline]
    pub fn valid(&self) -> bool {
        self.flags & 1 == 0
    }

    /// Marks the value invalid; an invalid value is not monitored, so its level is normal
    /// (and it raises no alarm).
    pub(crate) fn set_invalid(&mut self) {
        self.flags |= 1;
        self.level = AlarmLevel::Normal;
    }

    /// The value as it was in the packet.
    #[inline]
    pub fn raw(&self) -> RawValue {
        match self.raw_kind {
            0 => RawValue::Unsigned(self.raw_bits),
            1 => RawValue::Signed(self.raw_bits as i64),
            2 => RawValue::Float(f64::from_bits(self.raw_bits)),
            _ => {
                let (start, len) = unpack_bytes(self.raw_bits);
                RawValue::Bytes { start, len }
            }
        }
    }

    /// The engineering value.
    #[inline]
    pub fn eng(&self) -> EngValue {
        match self.eng_kind {
            0 => EngValue::Unsigned(self.eng_bits),
            1 => EngValue::Signed(self.eng_bits as i64),
            2 => EngValue::Float(f64::from_bits(self.eng_bits)),
            3 => EngValue::Bool(self.eng_bits != 0),
            4 => EngValue::Enum(self.eng_bits as u32),
            5 => EngValue::UnknownEnum(self.eng_bits as i64),
            6 => {
                let (start, len) = unpack_bytes(self.eng_bits);
                EngValue::Bytes { start, len }
            }
            7 => EngValue::Time(f64::from_bits(self.eng_bits)),
            _ => EngValue::Invalid,
        }
    }
}

impl std::fmt::Debug for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sample")
            .field("parameter", &self.parameter)
            .field("element", &self.element)
            .field("bit_offset", &self.bit_offset)
            .field("raw", &self.raw())
            .field("eng", &self.eng())
            .field("level", &self.level)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_round_trip_every_kind() {
        let raws = [
            RawValue::Unsigned(u64::MAX),
            RawValue::Signed(-5),
            RawValue::Float(-0.5),
            RawValue::Bytes { start: 7, len: 9 },
        ];
        let engs = [
            EngValue::Unsigned(3),
            EngValue::Signed(i64::MIN),
            EngValue::Float(1e300),
            EngValue::Bool(true),
            EngValue::Enum(4),
            EngValue::UnknownEnum(-1),
            EngValue::Bytes { start: u32::MAX, len: 1 },
            EngValue::Time(12.25),
            EngValue::Invalid,
        ];
        for raw in raws {
            for eng in engs {
                let sample = Sample::new(ParamId(1), 2, 3, raw, eng, AlarmLevel::Watch);
                assert_eq!((sample.raw(), sample.eng()), (raw, eng));
            }
        }
    }
}
