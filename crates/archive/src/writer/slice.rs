//! The database side of a backfill, one transaction: every series loses its samples in
//! [from_ms, to_ms) and gains the backfilled segments. Memory is not touched here: the
//! caller applies the returned changes once the transaction has committed.
//!
//! Readers rely on this for a series not marked `backwards`: in (first_ms, id) order, each
//! segment ends before the next starts, or at the same time with a lower id. Removing rows
//! keeps that; each row inserted is checked against its neighbours, and the series is marked
//! `backwards` when one does not fit.

use super::backfill::NewSeries;
use super::commit::{INSERT_SEGMENT, UPDATE_SEGMENT};
use super::series::SealedSegment;
use super::Writer;
use crate::codec::decode::{decode, inputs, Decoded};
use crate::codec::segment::SegmentEncoder;
use crate::error::SqlContext;
use crate::schema::{key, unkey};
use crate::ArchiveError;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;

/// What became of a series' open segment.
pub(super) enum TailChange {
    Keep,
    /// Sealed or cut: the next sample starts a new open segment.
    Closed,
    /// The same open segment, now in this row.
    Moved(i64),
}

/// One series changed by the slice, as memory must take it.
pub(super) struct SeriesChange {
    /// The writer's index of the series; `None` for a series the slice created.
    pub idx: Option<usize>,
    pub id: i64,
    pub name: String,
    pub samples: u64,
    pub first_ms: Option<u64>,
    pub max_ms: Option<u64>,
    pub backwards: bool,
    pub tail: TailChange,
}

/// What the slice did.
pub(super) struct Sliced {
    pub changes: Vec<SeriesChange>,
    pub removed: u64,
    pub added: u64,
    /// `Stored::samples` as the totals row now has it.
    pub samples_total: u64,
}

/// A series as the slice finds it.
struct Before {
    id: i64,
    samples: u64,
    backwards: bool,
    /// The open segment's row and first time.
    tail: Option<(i64, u64)>,
}

/// A series' change, with the samples it lost and gained.
struct Outcome {
    samples: u64,
    first_ms: Option<u64>,
    max_ms: Option<u64>,
    backwards: bool,
    tail: TailChange,
    removed: u64,
    added: u64,
}

const OVERLAPPING: &str = "SELECT id, first_ms, last_ms, count, blob FROM segments
    WHERE series_id = ?1 AND first_ms < ?3 AND last_ms >= ?2 AND first_ms >= ?4 ORDER BY first_ms, id";
const MOVE_SEGMENT: &str = "INSERT INTO segments
    (series_id, first_ms, last_ms, count, open, numeric, min, max, sum, blob)
    SELECT series_id, first_ms, last_ms, count, open, numeric, min, max, sum, blob FROM segments WHERE id = ?1";

pub(super) fn apply(writer: &Writer, range: (u64, u64), new_series: &[NewSeries]) -> Result<Sliced, ArchiveError> {
    let (conn, path) = (&writer.conn, writer.path.as_path());
    let tx = conn.unchecked_transaction().doing(path, "beginning a backfill")?;
    let mut by_name: HashMap<&str, &NewSeries> = new_series.iter().map(|n| (n.name.as_str(), n)).collect();
    let mut sliced = Sliced { changes: Vec::new(), removed: 0, added: 0, samples_total: 0 };
    let record = |sliced: &mut Sliced, idx, id, name: &str, outcome: Outcome| {
        sliced.removed += outcome.removed;
        sliced.added += outcome.added;
        sliced.changes.push(SeriesChange {
            idx,
            id,
            name: name.to_string(),
            samples: outcome.samples,
            first_ms: outcome.first_ms,
            max_ms: outcome.max_ms,
            backwards: outcome.backwards,
            tail: outcome.tail,
        });
    };
    for (idx, series) in writer.series.iter().enumerate() {
        let tail = series.tail_rowid.filter(|_| series.enc.count > 0).map(|rowid| (rowid, series.enc.first_ms));
        let before = Before { id: series.id, samples: series.samples, backwards: series.backwards, tail };
        let segments = by_name.remove(series.name.as_str()).map_or(&[][..], |n| &n.segments[..]);
        if let Some(outcome) = slice_series(conn, path, &before, range, segments)? {
            record(&mut sliced, Some(idx), series.id, &series.name, outcome);
        }
    }
    let created = new_series.iter().filter(|n| by_name.contains_key(n.name.as_str()));
    for (next_id, new) in (writer.next_series_id..).zip(created) {
        conn.execute(
            "INSERT INTO series (id, name, samples, backwards) VALUES (?1, ?2, 0, 0)",
            params![next_id, new.name],
        )
        .doing(path, "inserting a series")?;
        let before = Before { id: next_id, samples: 0, backwards: false, tail: None };
        if let Some(outcome) = slice_series(conn, path, &before, range, &new.segments)? {
            record(&mut sliced, None, next_id, &new.name, outcome);
        }
    }
    sliced.samples_total = writer.stored.samples.saturating_sub(sliced.removed) + sliced.added;
    conn.execute("UPDATE totals SET samples = ?1", [sliced.samples_total as i64]).doing(path, "updating the totals")?;
    tx.commit().doing(path, "committing a backfill")?;
    Ok(sliced)
}

/// Cuts the range out of one series and inserts its new segments; `None` when the series has
/// nothing in the range and gains nothing.
fn slice_series(
    conn: &Connection,
    path: &Path,
    before: &Before,
    (from_ms, to_ms): (u64, u64),
    segments: &[SealedSegment],
) -> Result<Option<Outcome>, ArchiveError> {
    let doing = "backfilling a series";
    let series_id = before.id;
    let latest: Option<i64> = conn
        .query_row("SELECT max(id) FROM segments WHERE series_id = ?1", [series_id], |row| row.get(0))
        .doing(path, doing)?;
    // Without overlaps, segments that start before the last one starting before the range
    // end before it too.
    let floor: Option<i64> = if before.backwards {
        None
    } else {
        conn.query_row(
            "SELECT max(first_ms) FROM segments WHERE series_id = ?1 AND first_ms < ?2",
            params![series_id, key(from_ms)],
            |row| row.get(0),
        )
        .doing(path, doing)?
    };
    let mut select = conn.prepare(OVERLAPPING).doing(path, doing)?;
    let bounds = params![series_id, key(from_ms), key(to_ms), floor.unwrap_or(i64::MIN)];
    let rows = select
        .query_map(bounds, |row| {
            Ok((row.get(0)?, unkey(row.get(1)?), unkey(row.get(2)?), unkey(row.get(3)?), row.get(4)?))
        })
        .and_then(|rows| rows.collect::<Result<Vec<(i64, u64, u64, u64, Vec<u8>)>, _>>())
        .doing(path, doing)?;
    if rows.is_empty() && segments.is_empty() {
        return Ok(None);
    }
    // A segment across an edge is written again without the range: the part after it keeps
    // the row (and so its place among samples of the same millisecond), the part before it
    // gets a new row.
    let (mut removed, mut pieces, mut rewritten, mut deleted) = (0, Vec::new(), Vec::new(), Vec::new());
    for (id, first_ms, last_ms, count, blob) in rows {
        if first_ms >= from_ms && last_ms < to_ms {
            conn.execute("DELETE FROM segments WHERE id = ?1", [id]).doing(path, doing)?;
            deleted.push(id);
            removed += count;
            continue;
        }
        let decoded = decode(&blob).ok_or(ArchiveError::Corrupt { table: "segments", row: id })?;
        let before_range = piece(&blob, &decoded, |time_ms| time_ms < from_ms);
        let after_range = piece(&blob, &decoded, |time_ms| time_ms >= to_ms);
        let kept: u64 = [&before_range, &after_range].into_iter().flatten().map(|p| u64::from(p.count)).sum();
        removed += (decoded.times.len() as u64).saturating_sub(kept);
        match (before_range, after_range) {
            (before_range, Some(after_range)) => {
                pieces.extend(before_range);
                rewritten.push((id, after_range));
            }
            (Some(before_range), None) => rewritten.push((id, before_range)),
            (None, None) => {
                conn.execute("DELETE FROM segments WHERE id = ?1", [id]).doing(path, doing)?;
                deleted.push(id);
            }
        }
    }
    let mut changed = Vec::with_capacity(segments.len() + pieces.len() + rewritten.len());
    for (id, segment) in &rewritten {
        write(conn, path, series_id, segment, Some(*id))?;
        changed.push((*id, segment.first_ms, segment.last_ms));
    }
    let mut inserted = false;
    for segment in segments.iter().chain(&pieces) {
        changed.push((write(conn, path, series_id, segment, None)?, segment.first_ms, segment.last_ms));
        inserted = true;
    }
    let added: u64 = segments.iter().map(|s| u64::from(s.count)).sum();
    let mut tail = TailChange::Keep;
    if let Some((rowid, first_ms)) = before.tail {
        if deleted.contains(&rowid) {
            tail = TailChange::Closed;
        } else if first_ms < to_ms {
            // Cut, or it would grow over the backfilled segments: seal it.
            conn.execute("UPDATE segments SET open = 0 WHERE id = ?1", [rowid]).doing(path, doing)?;
            tail = TailChange::Closed;
        }
    }
    let mut backwards = before.backwards;
    for &(id, first_ms, last_ms) in &changed {
        backwards = backwards || !fits(conn, path, series_id, id, first_ms, last_ms)?;
    }
    if let Some(latest) = latest.filter(|latest| backwards && inserted && !deleted.contains(latest)) {
        // The latest received sample stays in the highest row.
        conn.execute(MOVE_SEGMENT, [latest]).doing(path, doing)?;
        let moved = conn.last_insert_rowid();
        conn.execute("DELETE FROM segments WHERE id = ?1", [latest]).doing(path, doing)?;
        if matches!(tail, TailChange::Keep) && before.tail.is_some_and(|(rowid, _)| rowid == latest) {
            tail = TailChange::Moved(moved);
        }
    }
    let (first_ms, max_ms): (Option<i64>, Option<i64>) = conn
        .query_row("SELECT min(first_ms), max(last_ms) FROM segments WHERE series_id = ?1", [series_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .doing(path, doing)?;
    let samples = before.samples.saturating_sub(removed) + added;
    conn.execute(
        "UPDATE series SET samples = ?1, first_ms = ?2, last_ms = ?3, backwards = ?4 WHERE id = ?5",
        params![samples as i64, first_ms, max_ms, backwards, series_id],
    )
    .doing(path, doing)?;
    let (first_ms, max_ms) = (first_ms.map(unkey), max_ms.map(unkey));
    Ok(Some(Outcome { samples, first_ms, max_ms, backwards, tail, removed, added }))
}

/// The samples of a decoded segment that `keep` keeps, as a sealed segment (`None`: none).
fn piece(blob: &[u8], decoded: &Decoded, keep: impl Fn(u64) -> bool) -> Option<SealedSegment> {
    let mut enc = SegmentEncoder::default();
    for (idx, &time_ms) in decoded.times.iter().enumerate().filter(|&(_, &time_ms)| keep(time_ms)) {
        let (raw, eng) = inputs(blob, decoded, idx);
        enc.push(time_ms, raw, eng, decoded.meta[idx]);
    }
    if enc.count == 0 {
        return None;
    }
    let mut blob = Vec::new();
    enc.finish(&decoded.labels, &mut blob);
    Some(SealedSegment {
        first_ms: enc.first_ms,
        last_ms: enc.last_ms,
        count: enc.count,
        agg: enc.agg,
        blob,
        replaces: None,
    })
}

/// Writes a sealed segment into row `replaces`, or a new row; returns its row.
fn write(
    conn: &Connection,
    path: &Path,
    series_id: i64,
    segment: &SealedSegment,
    replaces: Option<i64>,
) -> Result<i64, ArchiveError> {
    let agg = segment.agg;
    let has = agg.numeric > 0;
    let values = params![
        series_id,
        key(segment.first_ms),
        key(segment.last_ms),
        segment.count,
        false,
        agg.numeric as i64,
        has.then_some(agg.min),
        has.then_some(agg.max),
        has.then_some(agg.sum),
        segment.blob,
        replaces
    ];
    let doing = "writing a backfilled segment";
    match replaces {
        Some(id) => {
            conn.execute(UPDATE_SEGMENT, values).doing(path, doing)?;
            Ok(id)
        }
        None => {
            conn.execute(INSERT_SEGMENT, &values[..10]).doing(path, doing)?;
            Ok(conn.last_insert_rowid())
        }
    }
}

/// Whether row `id` fits between its neighbours in (first_ms, id) order: the one before ends
/// before it starts (or at that time with a lower id), and it ends before the next starts
/// (or at that time with a lower id than the next).
fn fits(
    conn: &Connection,
    path: &Path,
    series_id: i64,
    id: i64,
    first_ms: u64,
    last_ms: u64,
) -> Result<bool, ArchiveError> {
    let doing = "checking segment order";
    let (first, last) = (key(first_ms), key(last_ms));
    let previous: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, last_ms FROM segments WHERE series_id = ?1 AND (first_ms, id) < (?2, ?3)
             ORDER BY first_ms DESC, id DESC LIMIT 1",
            params![series_id, first, id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .doing(path, doing)?;
    let next: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, first_ms FROM segments WHERE series_id = ?1 AND (first_ms, id) > (?2, ?3)
             ORDER BY first_ms, id LIMIT 1",
            params![series_id, first, id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .doing(path, doing)?;
    let previous_fits = previous.is_none_or(|(p_id, p_last)| p_last < first || (p_last == first && p_id < id));
    let next_fits = next.is_none_or(|(n_id, n_first)| last < n_first || (last == n_first && id < n_id));
    Ok(previous_fits && next_fits)
}
