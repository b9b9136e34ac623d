//! Samples of several series over a time range, merged in (time, series order, arrival)
//! order and paged by a cursor holding the last sample's full sort key, so that a page ends
//! and the next starts anywhere, even among thousands of samples of one millisecond.

use super::{decode_segment, stored_sample, Reader, SeriesRef};
use crate::codec::decode::Decoded;
use crate::cursor;
use crate::error::SqlContext;
use crate::schema::key;
use crate::{ArchiveError, Page, StoredSample};
use rusqlite::{params, Statement};
use std::collections::VecDeque;

/// Segments read per query while merging.
const SEGMENTS_PER_FETCH: i64 = 4;
/// Most samples a page reserves room for up front.
const OUT_RESERVE_MAX: usize = 1 << 17;

/// The next segments of a series, in (first time, row) order.
const FILL_SQL: &str = "SELECT id, first_ms, last_ms, blob FROM segments
    WHERE series_id = ?1 AND (first_ms, id) > (?2, ?3) AND first_ms < ?4
    ORDER BY first_ms, id LIMIT ?5";

/// (time, series position, segment row, index in segment): unique and in output order.
type SortKey = [u64; 4];

/// One series' samples in sort-key order, read a few segments at a time. Samples become
/// `StoredSample`s only when they are returned.
struct Stream<'a> {
    position: u64,
    name: &'a str,
    series: SeriesRef,
    /// Read segments after this (first_ms, id).
    after: (i64, i64),
    done: bool,
    /// Segments read, with their blobs.
    segments: Vec<(Vec<u8>, Decoded)>,
    /// (sort key, segment slot) of the samples not yet returned, in order.
    items: VecDeque<(SortKey, usize)>,
}

impl Reader {
    /// Samples of `series` with times in [from_ms, to_ms), ordered by (time, position in
    /// `series`, arrival), at most `limit` per page. Unknown names contribute nothing.
    pub fn range(
        &self,
        series: &[String],
        from_ms: u64,
        to_ms: u64,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<StoredSample>, ArchiveError> {
        cursor::check_limit(limit)?;
        let after: Option<SortKey> = cursor.map(|c| cursor::decode('s', c)).transpose()?;
        let tx = self.conn.unchecked_transaction().doing(&self.path, "reading a range")?;
        let start_ms = after.map_or(from_ms, |key| key[0].max(from_ms));
        let mut streams = Vec::new();
        for (position, name) in series.iter().enumerate() {
            if series[..position].contains(name) {
                continue;
            }
            if let Some(series_ref) = self.series_ref(name)? {
                streams.push(Stream {
                    position: position as u64,
                    name,
                    series: series_ref,
                    after: self.scan_start(series_ref, start_ms)?,
                    done: from_ms >= to_ms,
                    segments: Vec::new(),
                    items: VecDeque::new(),
                });
            }
        }
        let mut select = self.conn.prepare(FILL_SQL).doing(&self.path, "reading segments")?;
        let mut out: Vec<StoredSample> = Vec::with_capacity(limit.min(OUT_RESERVE_MAX) + 1);
        let mut last_key = None;
        while out.len() <= limit {
            let mut best: Option<usize> = None;
            for idx in 0..streams.len() {
                while streams[idx].items.is_empty() && !streams[idx].done {
                    self.fill(&mut select, &mut streams[idx], (from_ms, to_ms), after)?;
                }
                if let Some((key, _)) = streams[idx].items.front() {
                    if best.is_none_or(|b| streams[b].items.front().is_some_and(|(best_key, _)| key < best_key)) {
                        best = Some(idx);
                    }
                }
            }
            let Some(best) = best else { break };
            let stream = &mut streams[best];
            if let Some((sort_key, slot)) = stream.items.pop_front() {
                let (blob, decoded) = &stream.segments[slot];
                out.push(stored_sample(stream.name, blob, decoded, sort_key[3] as usize));
                if out.len() == limit {
                    last_key = Some(sort_key);
                }
            }
        }
        drop(select);
        drop(tx);
        let next = if out.len() > limit {
            out.truncate(limit);
            last_key.map(|key| cursor::encode('s', key))
        } else {
            None
        };
        Ok(Page { items: out, next })
    }

    /// Reads the stream's next segments (all of them when segments may overlap in time).
    fn fill(
        &self,
        select: &mut Statement<'_>,
        stream: &mut Stream<'_>,
        (from_ms, to_ms): (u64, u64),
        after: Option<SortKey>,
    ) -> Result<(), ArchiveError> {
        let doing = "reading segments";
        let limit = if stream.series.backwards { i64::MAX } else { SEGMENTS_PER_FETCH };
        let (after_first, after_id) = stream.after;
        let mut rows = select
            .query(params![stream.series.id, after_first, after_id, key(to_ms), limit])
            .doing(&self.path, doing)?;
        let mut n_rows = 0;
        while let Some(row) = rows.next().doing(&self.path, doing)? {
            n_rows += 1;
            let (id, first_ms, last_ms): (i64, i64, i64) = (
                row.get(0).doing(&self.path, doing)?,
                row.get(1).doing(&self.path, doing)?,
                row.get(2).doing(&self.path, doing)?,
            );
            stream.after = (first_ms, id);
            if last_ms < key(from_ms) {
                continue;
            }
            let blob: Vec<u8> = row.get(3).doing(&self.path, doing)?;
            let decoded = decode_segment(&blob, id)?;
            let slot = stream.segments.len();
            for (idx, &time_ms) in decoded.times.iter().enumerate() {
                let sort_key = [time_ms, stream.position, id as u64, idx as u64];
                if time_ms < from_ms || time_ms >= to_ms || after.is_some_and(|after| sort_key <= after) {
                    continue;
                }
                stream.items.push_back((sort_key, slot));
            }
            stream.segments.push((blob, decoded));
        }
        if stream.series.backwards {
            stream.items.make_contiguous().sort_by_key(|item| item.0);
        }
        if n_rows < limit {
            stream.done = true;
        }
        Ok(())
    }
}
