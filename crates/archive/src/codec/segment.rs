//! The segment encoder: one series' samples appended one at a time, so that a segment is
//! encoded as it fills and `finish` only copies bytes (commit rewrites the open segment).
//!
//! ```text
//! format u8 | count varint | n_labels varint | label (len varint, UTF-8) × n_labels
//! times   (len-prefixed): t0 varint, then delta-of-delta zigzag varints
//! meta    (runs): level | invalid << 7
//! raw     kinds (runs), values (len-prefixed)
//! eng     kinds (runs), values (len-prefixed)
//! values: integers (also booleans, enumeration indices) zigzag delta from the previous integer
//!         of the stream; floats XOR with the previous float of the stream; bytes and text
//!         length-prefixed; "same as raw" and invalid take no bytes
//! ```

use super::{put_bytes, put_varint, put_xor, zigzag, Runs, FORMAT};

pub(crate) const RAW_UNSIGNED: u8 = 0;
pub(crate) const RAW_SIGNED: u8 = 1;
pub(crate) const RAW_FLOAT: u8 = 2;
pub(crate) const RAW_BYTES: u8 = 3;

pub(crate) const ENG_UNSIGNED: u8 = 0;
pub(crate) const ENG_SIGNED: u8 = 1;
pub(crate) const ENG_FLOAT: u8 = 2;
pub(crate) const ENG_BOOL: u8 = 3;
pub(crate) const ENG_ENUM: u8 = 4;
pub(crate) const ENG_UNKNOWN_ENUM: u8 = 5;
pub(crate) const ENG_BYTES: u8 = 6;
pub(crate) const ENG_TIME: u8 = 7;
pub(crate) const ENG_INVALID: u8 = 8;
pub(crate) const ENG_TEXT: u8 = 9;
/// The same number (bit for bit) or the same bytes as the raw value.
pub(crate) const ENG_SAME_AS_RAW: u8 = 10;
/// The raw bytes, as text.
pub(crate) const ENG_TEXT_SAME_AS_RAW: u8 = 11;

/// A raw value to encode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RawIn<'a> {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bytes(&'a [u8]),
}

/// An engineering value to encode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum EngIn<'a> {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Enum(u32),
    UnknownEnum(i64),
    Bytes(&'a [u8]),
    Text(&'a [u8]),
    Time(f64),
    Invalid,
}

impl EngIn<'_> {
    /// The value as a number for the aggregates; NaN is left out.
    #[inline]
    pub fn numeric(self) -> Option<f64> {
        let value = match self {
            EngIn::Unsigned(v) => v as f64,
            EngIn::Signed(v) | EngIn::UnknownEnum(v) => v as f64,
            EngIn::Float(v) | EngIn::Time(v) => v,
            EngIn::Bool(b) => f64::from(u8::from(b)),
            EngIn::Enum(_) | EngIn::Bytes(_) | EngIn::Text(_) | EngIn::Invalid => return None,
        };
        (!value.is_nan()).then_some(value)
    }
}

/// Count, minimum, maximum and sum of the numeric engineering values of a segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Aggregates {
    pub numeric: u64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
}

impl Default for Aggregates {
    fn default() -> Self {
        Aggregates { numeric: 0, min: f64::INFINITY, max: f64::NEG_INFINITY, sum: 0.0 }
    }
}

impl Aggregates {
    #[inline]
    pub fn add(&mut self, value: f64) {
        self.numeric += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += value;
    }
}

/// The open segment of one series.
#[derive(Clone, Debug, Default)]
pub(crate) struct SegmentEncoder {
    pub count: u32,
    pub first_ms: u64,
    pub last_ms: u64,
    pub agg: Aggregates,
    prev_delta: u64,
    times: Vec<u8>,
    meta: Runs,
    raw_kinds: Runs,
    eng_kinds: Runs,
    raw: Vec<u8>,
    eng: Vec<u8>,
    raw_int: u64,
    raw_float: u64,
    eng_int: u64,
    eng_float: u64,
}

impl SegmentEncoder {
    /// Appends one sample; `meta` is the level with bit 7 set when the sample is invalid.
    #[inline]
    pub fn push(&mut self, time_ms: u64, raw: RawIn<'_>, eng: EngIn<'_>, meta: u8) {
        if self.count == 0 {
            self.first_ms = time_ms;
            put_varint(&mut self.times, time_ms);
            self.prev_delta = 0;
        } else {
            let delta = time_ms.wrapping_sub(self.last_ms);
            put_varint(&mut self.times, zigzag(delta.wrapping_sub(self.prev_delta) as i64));
            self.prev_delta = delta;
        }
        self.last_ms = time_ms;
        self.count += 1;
        self.meta.push(meta);
        match raw {
            RawIn::Unsigned(v) => self.raw_int(RAW_UNSIGNED, v),
            RawIn::Signed(v) => self.raw_int(RAW_SIGNED, v as u64),
            RawIn::Float(v) => {
                self.raw_kinds.push(RAW_FLOAT);
                put_xor(&mut self.raw, self.raw_float ^ v.to_bits());
                self.raw_float = v.to_bits();
            }
            RawIn::Bytes(bytes) => {
                self.raw_kinds.push(RAW_BYTES);
                put_bytes(&mut self.raw, bytes);
            }
        }
        self.push_eng(raw, eng);
        if let Some(value) = eng.numeric() {
            self.agg.add(value);
        }
    }

    #[inline]
    fn raw_int(&mut self, kind: u8, bits: u64) {
        self.raw_kinds.push(kind);
        put_varint(&mut self.raw, zigzag(bits.wrapping_sub(self.raw_int) as i64));
        self.raw_int = bits;
    }

    #[inline]
    fn eng_int(&mut self, kind: u8, bits: u64) {
        self.eng_kinds.push(kind);
        put_varint(&mut self.eng, zigzag(bits.wrapping_sub(self.eng_int) as i64));
        self.eng_int = bits;
    }

    #[inline]
    fn eng_float(&mut self, kind: u8, value: f64) {
        self.eng_kinds.push(kind);
        put_xor(&mut self.eng, self.eng_float ^ value.to_bits());
        self.eng_float = value.to_bits();
    }

    #[inline]
    fn push_eng(&mut self, raw: RawIn<'_>, eng: EngIn<'_>) {
        let same = match (raw, eng) {
            (RawIn::Unsigned(r), EngIn::Unsigned(e)) => r == e,
            (RawIn::Signed(r), EngIn::Signed(e)) => r == e,
            (RawIn::Float(r), EngIn::Float(e)) => r.to_bits() == e.to_bits(),
            (RawIn::Bytes(r), EngIn::Bytes(e)) => r == e,
            (RawIn::Bytes(r), EngIn::Text(e)) if r == e => {
                self.eng_kinds.push(ENG_TEXT_SAME_AS_RAW);
                return;
            }
            _ => false,
        };
        if same {
            self.eng_kinds.push(ENG_SAME_AS_RAW);
            return;
        }
        match eng {
            EngIn::Unsigned(v) => self.eng_int(ENG_UNSIGNED, v),
            EngIn::Signed(v) => self.eng_int(ENG_SIGNED, v as u64),
            EngIn::Bool(b) => self.eng_int(ENG_BOOL, u64::from(b)),
            EngIn::Enum(index) => self.eng_int(ENG_ENUM, u64::from(index)),
            EngIn::UnknownEnum(v) => self.eng_int(ENG_UNKNOWN_ENUM, v as u64),
            EngIn::Float(v) => self.eng_float(ENG_FLOAT, v),
            EngIn::Time(v) => self.eng_float(ENG_TIME, v),
            EngIn::Bytes(bytes) => {
                self.eng_kinds.push(ENG_BYTES);
                put_bytes(&mut self.eng, bytes);
            }
            EngIn::Text(bytes) => {
                self.eng_kinds.push(ENG_TEXT);
                put_bytes(&mut self.eng, bytes);
            }
            EngIn::Invalid => self.eng_kinds.push(ENG_INVALID),
        }
    }

    /// Writes the segment as it stands into `out` (cleared first), with the enumeration labels
    /// its `Enum` values index.
    pub fn finish(&self, labels: &[String], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(self.times.len() + self.raw.len() + self.eng.len() + 64);
        out.push(FORMAT);
        put_varint(out, u64::from(self.count));
        put_varint(out, labels.len() as u64);
        for label in labels {
            put_bytes(out, label.as_bytes());
        }
        put_bytes(out, &self.times);
        self.meta.write(out);
        self.raw_kinds.write(out);
        put_bytes(out, &self.raw);
        self.eng_kinds.write(out);
        put_bytes(out, &self.eng);
    }

    /// Starts a new segment, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        let mut times = std::mem::take(&mut self.times);
        let mut raw = std::mem::take(&mut self.raw);
        let mut eng = std::mem::take(&mut self.eng);
        let (mut meta, mut raw_kinds, mut eng_kinds) =
            (std::mem::take(&mut self.meta), std::mem::take(&mut self.raw_kinds), std::mem::take(&mut self.eng_kinds));
        for buffer in [&mut times, &mut raw, &mut eng] {
            buffer.clear();
        }
        for runs in [&mut meta, &mut raw_kinds, &mut eng_kinds] {
            runs.clear();
        }
        *self = SegmentEncoder { times, raw, eng, meta, raw_kinds, eng_kinds, ..SegmentEncoder::default() };
    }
}
