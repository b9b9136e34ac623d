//! Alarm change blocks: the alarm changes of one commit window in one blob, so that a
//! parameter flapping at packet rate costs bytes, not SQL rows.
//!
//! ```text
//! FORMAT u8 | n_names varint | name (len varint, bytes) × n_names | count varint
//! record × count: time zigzag-delta varint | name index varint | change u8 | level u8 | by (len varint, bytes)
//! ```

use super::{put_bytes, put_varint, unzigzag, zigzag, ByteReader, FORMAT};

/// One alarm change in a block. `name` indexes the block's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AlarmIn {
    pub time_ms: u64,
    pub name: u32,
    pub change: u8,
    pub level: u8,
    pub by: Option<String>,
}

/// The change names, by code.
pub(crate) const CHANGES: [&str; 5] = ["raised", "level_changed", "acknowledged", "cleared", "closed"];

/// Encodes a block.
pub(crate) fn encode(names: &[String], records: &[AlarmIn], out: &mut Vec<u8>) {
    out.clear();
    out.push(FORMAT);
    put_varint(out, names.len() as u64);
    for name in names {
        put_bytes(out, name.as_bytes());
    }
    put_varint(out, records.len() as u64);
    let mut prev = 0u64;
    for record in records {
        put_varint(out, zigzag(record.time_ms.wrapping_sub(prev) as i64));
        prev = record.time_ms;
        put_varint(out, u64::from(record.name));
        out.push(record.change);
        out.push(record.level);
        put_bytes(out, record.by.as_deref().unwrap_or("").as_bytes());
    }
}

/// Decodes a block: its names and records; `None` when the bytes are malformed.
pub(crate) fn decode(blob: &[u8]) -> Option<(Vec<String>, Vec<AlarmIn>)> {
    let mut reader = ByteReader::new(blob);
    if reader.byte()? != FORMAT {
        return None;
    }
    let n_names = usize::try_from(reader.varint()?).ok()?;
    let mut names = Vec::with_capacity(n_names.min(blob.len()));
    for _ in 0..n_names {
        let (_, bytes) = reader.bytes_at()?;
        names.push(String::from_utf8(bytes.to_vec()).ok()?);
    }
    let count = usize::try_from(reader.varint()?).ok()?;
    let mut records = Vec::with_capacity(count.min(blob.len()));
    let mut prev = 0u64;
    for _ in 0..count {
        let time_ms = prev.wrapping_add(unzigzag(reader.varint()?) as u64);
        prev = time_ms;
        let name = u32::try_from(reader.varint()?).ok()?;
        if name as usize >= names.len() {
            return None;
        }
        let change = reader.byte()?;
        if usize::from(change) >= CHANGES.len() {
            return None;
        }
        let level = reader.byte()?;
        let (_, by) = reader.bytes_at()?;
        let by = if by.is_empty() { None } else { Some(String::from_utf8(by.to_vec()).ok()?) };
        records.push(AlarmIn { time_ms, name, change, level, by });
    }
    reader.at_end().then_some((names, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_and_every_truncation_is_refused() {
        let names = vec!["/sc/TEMP".to_string(), "/sc/VOLT".to_string()];
        let records = vec![
            AlarmIn { time_ms: 1_000, name: 0, change: 0, level: 2, by: None },
            AlarmIn { time_ms: 1_000, name: 1, change: 1, level: 4, by: None },
            AlarmIn { time_ms: 999, name: 0, change: 2, level: 2, by: Some("alice".into()) },
        ];
        let mut blob = Vec::new();
        encode(&names, &records, &mut blob);
        assert_eq!(decode(&blob), Some((names, records)));
        for len in 0..blob.len() {
            assert_eq!(decode(&blob[..len]), None, "truncated to {len}");
        }
    }
}
