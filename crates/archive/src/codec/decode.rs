//! Reading segments back: into columns of compact values that point into the blob, so that
//! aggregates need no allocation and only the samples returned become owned values.

use super::segment::*;
use super::{read_runs, unzigzag, ByteReader, FORMAT};

/// A decoded value; bytes and text are (start, len) in the blob.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Val {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Enum(u32),
    UnknownEnum(i64),
    Bytes(usize, usize),
    Text(usize, usize),
    Time(f64),
    Invalid,
}

impl Val {
    /// The value as a number, as the aggregates count it.
    #[inline]
    pub fn numeric(self) -> Option<f64> {
        let value = match self {
            Val::Unsigned(v) => v as f64,
            Val::Signed(v) | Val::UnknownEnum(v) => v as f64,
            Val::Float(v) | Val::Time(v) => v,
            Val::Bool(b) => f64::from(u8::from(b)),
            Val::Enum(_) | Val::Bytes(..) | Val::Text(..) | Val::Invalid => return None,
        };
        (!value.is_nan()).then_some(value)
    }
}

/// A decoded segment; its bytes and text values point into the blob it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Decoded {
    pub labels: Vec<String>,
    pub times: Vec<u64>,
    pub meta: Vec<u8>,
    pub raw: Vec<Val>,
    pub eng: Vec<Val>,
}

/// The bytes a `Bytes` or `Text` value points at in the blob it was decoded from.
pub(crate) fn bytes_of(blob: &[u8], start: usize, len: usize) -> &[u8] {
    // Invariant: the decoder only makes ranges that lie within the blob.
    &blob[start..start + len]
}

/// Decodes a segment written by `SegmentEncoder::finish`; `None` when the bytes are malformed.
pub(crate) fn decode(blob: &[u8]) -> Option<Decoded> {
    let mut reader = ByteReader::new(blob);
    if reader.byte()? != FORMAT {
        return None;
    }
    let count = usize::try_from(reader.varint()?).ok()?;
    if count == 0 || count > blob.len() {
        return None;
    }
    let n_labels = usize::try_from(reader.varint()?).ok()?;
    if n_labels > blob.len() {
        return None;
    }
    let mut labels = Vec::with_capacity(n_labels);
    for _ in 0..n_labels {
        let (_, bytes) = reader.bytes_at()?;
        labels.push(std::str::from_utf8(bytes).ok()?.to_string());
    }
    let times = read_times(&mut reader, count)?;
    let mut meta = Vec::with_capacity(count);
    read_runs(&mut reader, count, &mut meta)?;
    if meta.iter().any(|&m| m & 0x7F > 5) {
        return None;
    }
    let mut kinds = Vec::with_capacity(count);
    read_runs(&mut reader, count, &mut kinds)?;
    let raw = read_raw(&mut reader, &kinds)?;
    read_runs(&mut reader, count, &mut kinds)?;
    let eng = read_eng(&mut reader, &kinds, &raw)?;
    reader.at_end().then_some(Decoded { labels, times, meta, raw, eng })
}

fn read_times(reader: &mut ByteReader<'_>, count: usize) -> Option<Vec<u64>> {
    let mut stream = reader.sub()?;
    let mut times = Vec::with_capacity(count);
    let mut time = stream.varint()?;
    times.push(time);
    let mut delta = 0u64;
    for _ in 1..count {
        delta = delta.wrapping_add(unzigzag(stream.varint()?) as u64);
        time = time.wrapping_add(delta);
        times.push(time);
    }
    stream.at_end().then_some(times)
}

/// Where a sub-stream's bytes start in the blob, to turn its offsets into blob offsets.
fn base_of(reader: &ByteReader<'_>, stream: &ByteReader<'_>) -> usize {
    reader.pos - stream.bytes.len()
}

fn read_raw(reader: &mut ByteReader<'_>, kinds: &[u8]) -> Option<Vec<Val>> {
    let mut stream = reader.sub()?;
    let base = base_of(reader, &stream);
    let mut values = Vec::with_capacity(kinds.len());
    let (mut int, mut float) = (0u64, 0u64);
    for &kind in kinds {
        values.push(match kind {
            RAW_UNSIGNED | RAW_SIGNED => {
                int = int.wrapping_add(unzigzag(stream.varint()?) as u64);
                if kind == RAW_UNSIGNED {
                    Val::Unsigned(int)
                } else {
                    Val::Signed(int as i64)
                }
            }
            RAW_FLOAT => {
                float ^= stream.xor()?;
                Val::Float(f64::from_bits(float))
            }
            RAW_BYTES => {
                let (start, bytes) = stream.bytes_at()?;
                Val::Bytes(base + start, bytes.len())
            }
            _ => return None,
        });
    }
    stream.at_end().then_some(values)
}

fn read_eng(reader: &mut ByteReader<'_>, kinds: &[u8], raw: &[Val]) -> Option<Vec<Val>> {
    let mut stream = reader.sub()?;
    let base = base_of(reader, &stream);
    let mut values = Vec::with_capacity(kinds.len());
    let (mut int, mut float) = (0u64, 0u64);
    for (&kind, &raw) in kinds.iter().zip(raw) {
        values.push(match kind {
            ENG_UNSIGNED | ENG_SIGNED | ENG_BOOL | ENG_ENUM | ENG_UNKNOWN_ENUM => {
                int = int.wrapping_add(unzigzag(stream.varint()?) as u64);
                match kind {
                    ENG_UNSIGNED => Val::Unsigned(int),
                    ENG_SIGNED => Val::Signed(int as i64),
                    ENG_BOOL => Val::Bool(int != 0),
                    ENG_ENUM => Val::Enum(u32::try_from(int).ok()?),
                    _ => Val::UnknownEnum(int as i64),
                }
            }
            ENG_FLOAT | ENG_TIME => {
                float ^= stream.xor()?;
                if kind == ENG_FLOAT {
                    Val::Float(f64::from_bits(float))
                } else {
                    Val::Time(f64::from_bits(float))
                }
            }
            ENG_BYTES | ENG_TEXT => {
                let (start, bytes) = stream.bytes_at()?;
                if kind == ENG_BYTES {
                    Val::Bytes(base + start, bytes.len())
                } else {
                    Val::Text(base + start, bytes.len())
                }
            }
            ENG_INVALID => Val::Invalid,
            ENG_SAME_AS_RAW => raw,
            ENG_TEXT_SAME_AS_RAW => match raw {
                Val::Bytes(start, len) => Val::Text(start, len),
                _ => return None,
            },
            _ => return None,
        });
    }
    stream.at_end().then_some(values)
}

/// The values to encode again (an open segment reloaded after a restart).
pub(crate) fn inputs<'a>(blob: &'a [u8], decoded: &Decoded, idx: usize) -> (RawIn<'a>, EngIn<'a>) {
    let raw = match decoded.raw[idx] {
        Val::Unsigned(v) => RawIn::Unsigned(v),
        Val::Signed(v) => RawIn::Signed(v),
        Val::Float(v) => RawIn::Float(v),
        Val::Bytes(start, len) | Val::Text(start, len) => RawIn::Bytes(bytes_of(blob, start, len)),
        // The raw stream only holds the four kinds above.
        _ => RawIn::Unsigned(0),
    };
    let eng = match decoded.eng[idx] {
        Val::Unsigned(v) => EngIn::Unsigned(v),
        Val::Signed(v) => EngIn::Signed(v),
        Val::Float(v) => EngIn::Float(v),
        Val::Bool(b) => EngIn::Bool(b),
        Val::Enum(index) => EngIn::Enum(index),
        Val::UnknownEnum(v) => EngIn::UnknownEnum(v),
        Val::Bytes(start, len) => EngIn::Bytes(bytes_of(blob, start, len)),
        Val::Text(start, len) => EngIn::Text(bytes_of(blob, start, len)),
        Val::Time(v) => EngIn::Time(v),
        Val::Invalid => EngIn::Invalid,
    };
    (raw, eng)
}
