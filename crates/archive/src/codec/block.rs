//! Raw unit blocks: the units of one group (an APID, or frames, or fragments) received
//! together, in arrival order, each with its sequence number, time, link, kind and reason.
//!
//! ```text
//! format u8 | count varint | first_seq varint | first_ms varint
//! per unit: seq delta varint | time delta varint | link id varint | kind u8
//!           | invalid (0, or len + 1 varint then UTF-8) | bytes (len varint, bytes)
//! ```
//!
//! Times within a block never decrease: a unit received earlier than the last starts a block.

use super::{put_bytes, put_varint, ByteReader, FORMAT};

/// The open block of one group.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockEncoder {
    pub count: u32,
    pub first_seq: u64,
    pub last_seq: u64,
    pub first_ms: u64,
    pub last_ms: u64,
    body: Vec<u8>,
}

/// One unit to encode or as decoded (`bytes` and `invalid` borrowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UnitIn<'a> {
    pub seq: u64,
    pub time_ms: u64,
    pub link: u32,
    pub kind: u8,
    pub invalid: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl BlockEncoder {
    /// Bytes held so far.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Appends a unit: its time must not be before the last one's, its sequence number after.
    pub fn push(&mut self, unit: &UnitIn<'_>) {
        if self.count == 0 {
            self.first_seq = unit.seq;
            self.first_ms = unit.time_ms;
            self.last_seq = unit.seq;
            self.last_ms = unit.time_ms;
        }
        put_varint(&mut self.body, unit.seq.wrapping_sub(self.last_seq));
        put_varint(&mut self.body, unit.time_ms.wrapping_sub(self.last_ms));
        put_varint(&mut self.body, u64::from(unit.link));
        self.body.push(unit.kind);
        match unit.invalid {
            None => self.body.push(0),
            Some(reason) => {
                put_varint(&mut self.body, reason.len() as u64 + 1);
                self.body.extend_from_slice(reason.as_bytes());
            }
        }
        put_bytes(&mut self.body, unit.bytes);
        self.last_seq = unit.seq;
        self.last_ms = unit.time_ms;
        self.count += 1;
    }

    /// Writes the block as it stands into `out` (cleared first).
    pub fn finish(&self, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(self.body.len() + 24);
        out.push(FORMAT);
        put_varint(out, u64::from(self.count));
        put_varint(out, self.first_seq);
        put_varint(out, self.first_ms);
        out.extend_from_slice(&self.body);
    }

    /// Starts a new block, keeping the buffer's capacity.
    pub fn clear(&mut self) {
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        *self = BlockEncoder { body, ..BlockEncoder::default() };
    }
}

/// Decodes a block written by [`BlockEncoder::finish`]; `None` when the bytes are malformed.
pub(crate) fn decode_block(blob: &[u8]) -> Option<Vec<UnitIn<'_>>> {
    let mut reader = ByteReader::new(blob);
    if reader.byte()? != FORMAT {
        return None;
    }
    let count = usize::try_from(reader.varint()?).ok()?;
    if count == 0 || count > blob.len() {
        return None;
    }
    let mut seq = reader.varint()?;
    let mut time_ms = reader.varint()?;
    let mut units = Vec::with_capacity(count);
    for _ in 0..count {
        seq = seq.checked_add(reader.varint()?)?;
        time_ms = time_ms.checked_add(reader.varint()?)?;
        let link = u32::try_from(reader.varint()?).ok()?;
        let kind = reader.byte()?;
        let invalid = match reader.varint()? {
            0 => None,
            len_plus_one => {
                let len = usize::try_from(len_plus_one - 1).ok()?;
                Some(std::str::from_utf8(reader.take(len)?).ok()?)
            }
        };
        let (_, bytes) = reader.bytes_at()?;
        units.push(UnitIn { seq, time_ms, link, kind, invalid, bytes });
    }
    reader.at_end().then_some(units)
}
