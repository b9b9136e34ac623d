//! The byte formats of the archive's blobs: parameter segments (`segment`, `decode`) and raw
//! unit blocks (`block`). Both are built from the same pieces: LEB128 varints, zigzag deltas,
//! XOR-compressed floats and run-length coded kinds. Decoders check every length and return
//! `None` on malformed bytes; they never panic.

pub(crate) mod alarms;
pub(crate) mod block;
pub(crate) mod decode;
pub(crate) mod segment;

#[cfg(test)]
mod tests;

/// Version byte at the start of every blob this build writes.
pub(crate) const FORMAT: u8 = 1;

pub(crate) fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

pub(crate) fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Bytes `put_varint` writes for `value`.
pub(crate) fn varint_len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// A length-prefixed byte string.
pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The XOR of a float with the previous one: 0xFF when equal, else (leading << 4 | trailing)
/// in whole zero bytes, then the middle bytes, big-endian.
#[inline]
pub(crate) fn put_xor(out: &mut Vec<u8>, xor: u64) {
    if xor == 0 {
        out.push(0xFF);
        return;
    }
    let leading = xor.leading_zeros() / 8;
    let trailing = xor.trailing_zeros() / 8;
    out.push(((leading << 4) | trailing) as u8);
    // Byte by byte: a variable-length copy would call memmove for a few bytes.
    let middle = xor >> (8 * trailing);
    for k in (0..8 - leading - trailing).rev() {
        out.push((middle >> (8 * k)) as u8);
    }
}

/// Reads what the `put_*` functions wrote; every read is bounds-checked.
pub(crate) struct ByteReader<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> ByteReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        ByteReader { bytes, pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    pub fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    pub fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(slice)
    }

    /// A length-prefixed byte string, with where it starts.
    pub fn bytes_at(&mut self) -> Option<(usize, &'a [u8])> {
        let len = usize::try_from(self.varint()?).ok()?;
        let start = self.pos;
        Some((start, self.take(len)?))
    }

    pub fn varint(&mut self) -> Option<u64> {
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

    pub fn xor(&mut self) -> Option<u64> {
        let header = self.byte()?;
        if header == 0xFF {
            return Some(0);
        }
        let (leading, trailing) = ((header >> 4) as usize, (header & 0x0F) as usize);
        if leading + trailing >= 8 {
            return None;
        }
        let middle =
            self.take(8 - leading - trailing)?.iter().fold(0u64, |value, &byte| (value << 8) | u64::from(byte));
        Some(middle << (8 * trailing))
    }

    /// A length-prefixed sub-stream.
    pub fn sub(&mut self) -> Option<ByteReader<'a>> {
        let (_, bytes) = self.bytes_at()?;
        Some(ByteReader::new(bytes))
    }
}

/// A run-length coded stream of small kinds: (value, run) pairs, the last run kept open so
/// that the stream can grow while the segment is open.
#[derive(Clone, Debug, Default)]
pub(crate) struct Runs {
    closed: Vec<u8>,
    current: u8,
    run: u64,
}

impl Runs {
    #[inline]
    pub fn push(&mut self, value: u8) {
        if self.run > 0 && value == self.current {
            self.run += 1;
        } else {
            self.close();
            self.current = value;
            self.run = 1;
        }
    }

    fn close(&mut self) {
        if self.run > 0 {
            self.closed.push(self.current);
            put_varint(&mut self.closed, self.run);
        }
    }

    pub fn clear(&mut self) {
        self.closed.clear();
        self.run = 0;
    }

    /// Writes the stream, length-prefixed, with the open run closed.
    pub fn write(&self, out: &mut Vec<u8>) {
        let open_len = if self.run > 0 { 1 + varint_len(self.run) } else { 0 };
        put_varint(out, (self.closed.len() + open_len) as u64);
        out.extend_from_slice(&self.closed);
        if self.run > 0 {
            out.push(self.current);
            put_varint(out, self.run);
        }
    }
}

/// Reads a run-length stream written by [`Runs::write`] into exactly `count` values.
pub(crate) fn read_runs(reader: &mut ByteReader<'_>, count: usize, out: &mut Vec<u8>) -> Option<()> {
    let mut stream = reader.sub()?;
    out.clear();
    while !stream.at_end() {
        let value = stream.byte()?;
        let run = usize::try_from(stream.varint()?).ok()?;
        if run == 0 || run > count - out.len() {
            return None;
        }
        out.resize(out.len() + run, value);
    }
    (out.len() == count).then_some(())
}
