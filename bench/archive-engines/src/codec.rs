//! The one segment codec every engine stores, so that the engines are compared on the same
//! bytes. A segment is a run of consecutive samples of one parameter:
//!
//! ```text
//! kind u8 | count varint | t0 varint | [d1 zigzag varint] | dod zigzag varint × (count - 2) | values
//! values, integers: v0 zigzag varint | delta zigzag varint × (count - 1)
//! values, floats:   v0 8 bytes LE    | xor record × (count - 1)
//! xor record: 0xFF when equal to the previous value, else (lz << 4 | tz) in whole zero bytes,
//!             then the 8 - lz - tz middle bytes of (previous ^ current), big-endian
//! ```
//!
//! Times are nanoseconds; delta-of-delta makes a regular 1 Hz series cost one byte a sample.

/// The value type of a parameter's samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    U16 = 1,
    I32 = 2,
    F64 = 3,
}

/// Decoded values of one segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>),
}

/// A decoded segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub kind: Kind,
    pub times_ns: Vec<u64>,
    pub values: Values,
}

/// Encodes `times_ns` (non-decreasing) with their values into `out` (cleared first).
pub fn encode(kind: Kind, times_ns: &[u64], values: &Values, out: &mut Vec<u8>) {
    assert!(!times_ns.is_empty(), "a segment has at least one sample");
    out.clear();
    out.push(kind as u8);
    put_varint(out, times_ns.len() as u64);
    put_varint(out, times_ns[0]);
    let mut prev_delta = 0i64;
    for pair in times_ns.windows(2) {
        let delta = pair[1].wrapping_sub(pair[0]) as i64;
        put_varint(out, zigzag(delta.wrapping_sub(prev_delta)));
        prev_delta = delta;
    }
    match values {
        Values::Int(ints) => {
            assert_eq!(ints.len(), times_ns.len(), "one value per time");
            let mut prev = 0i64;
            for &value in ints {
                put_varint(out, zigzag(value.wrapping_sub(prev)));
                prev = value;
            }
        }
        Values::Float(floats) => {
            assert_eq!(floats.len(), times_ns.len(), "one value per time");
            let mut prev = floats[0].to_bits();
            out.extend_from_slice(&prev.to_le_bytes());
            for value in &floats[1..] {
                let bits = value.to_bits();
                put_xor(out, prev ^ bits);
                prev = bits;
            }
        }
    }
}

/// Decodes a segment written by [`encode`]; `None` when the bytes are malformed.
pub fn decode(bytes: &[u8]) -> Option<Segment> {
    let mut reader = Reader { bytes, pos: 0 };
    let kind = match reader.byte()? {
        1 => Kind::U16,
        2 => Kind::I32,
        3 => Kind::F64,
        _ => return None,
    };
    let count = usize::try_from(reader.varint()?).ok()?;
    if count == 0 || count > bytes.len() {
        return None;
    }
    let mut times_ns = Vec::with_capacity(count);
    let mut time = reader.varint()?;
    times_ns.push(time);
    let mut delta = 0i64;
    for _ in 1..count {
        delta = delta.wrapping_add(unzigzag(reader.varint()?));
        time = time.wrapping_add(delta as u64);
        times_ns.push(time);
    }
    let values = if kind == Kind::F64 {
        let mut floats = Vec::with_capacity(count);
        let mut bits = u64::from_le_bytes(reader.take(8)?.try_into().ok()?);
        floats.push(f64::from_bits(bits));
        for _ in 1..count {
            bits ^= reader.xor()?;
            floats.push(f64::from_bits(bits));
        }
        Values::Float(floats)
    } else {
        let mut ints = Vec::with_capacity(count);
        let mut value = 0i64;
        for _ in 0..count {
            value = value.wrapping_add(unzigzag(reader.varint()?));
            ints.push(value);
        }
        Values::Int(ints)
    };
    (reader.pos == bytes.len()).then_some(Segment { kind, times_ns, values })
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_xor(out: &mut Vec<u8>, xor: u64) {
    if xor == 0 {
        out.push(0xFF);
        return;
    }
    let leading = (xor.leading_zeros() / 8) as usize;
    let trailing = (xor.trailing_zeros() / 8) as usize;
    out.push(((leading << 4) | trailing) as u8);
    out.extend_from_slice(&xor.to_be_bytes()[leading..8 - trailing]);
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    fn take(&mut self, len: usize) -> Option<&[u8]> {
        let slice = self.bytes.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(slice)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    fn xor(&mut self) -> Option<u64> {
        let header = self.byte()?;
        if header == 0xFF {
            return Some(0);
        }
        let (leading, trailing) = ((header >> 4) as usize, (header & 0x0F) as usize);
        if leading + trailing >= 8 {
            return None;
        }
        let mut be = [0u8; 8];
        be[leading..8 - trailing].copy_from_slice(self.take(8 - leading - trailing)?);
        Some(u64::from_be_bytes(be))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_round_trip(kind: Kind, times_ns: &[u64], values: Values) -> usize {
        let mut bytes = Vec::new();
        encode(kind, times_ns, &values, &mut bytes);
        let segment = decode(&bytes).expect("our own encoding decodes");
        assert_eq!(segment, Segment { kind, times_ns: times_ns.to_vec(), values });
        // Every truncation is refused, never misread or panicking.
        for len in 0..bytes.len() {
            assert_eq!(decode(&bytes[..len]), None, "truncated to {len}");
        }
        bytes.len()
    }

    #[test]
    fn round_trips() {
        let t0 = 1_767_225_600_000_000_000u64;
        let regular: Vec<u64> = (0..1024).map(|k| t0 + k * 1_000_000_000).collect();
        let irregular: Vec<u64> = (0..1024u64).map(|k| t0 + k * 1_000_000_000 + (k * 7919) % 2_000_000).collect();
        let ints: Vec<i64> = (0..1024).map(|k| (k * 37 % 101) - 50).collect();
        let len = check_round_trip(Kind::I32, &regular, Values::Int(ints.clone()));
        // A regular series costs one byte per time (plus the header and the first delta).
        assert!(len < 1024 * 2 + 16, "{len}");
        check_round_trip(Kind::U16, &irregular, Values::Int(vec![0xFFFF; 1024]));
        let floats: Vec<f64> = ints.iter().map(|&raw| 12.5 + 0.0123 * raw as f64).collect();
        check_round_trip(Kind::F64, &irregular, Values::Float(floats));
        let extremes = vec![0.0, -0.0, f64::MAX, f64::MIN_POSITIVE, f64::INFINITY, f64::NAN.copysign(-1.0), 1.0, 1.0];
        let len_e = extremes.len();
        let segment_times: Vec<u64> = regular[..len_e].to_vec();
        let mut bytes = Vec::new();
        encode(Kind::F64, &segment_times, &Values::Float(extremes.clone()), &mut bytes);
        let Values::Float(decoded) = decode(&bytes).unwrap().values else { panic!("floats") };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&decoded), bits(&extremes));
        check_round_trip(Kind::I32, &[u64::MAX], Values::Int(vec![i64::MIN]));
        check_round_trip(Kind::I32, &[0, u64::MAX, 0], Values::Int(vec![i64::MAX, i64::MIN, 0]));
    }
}
