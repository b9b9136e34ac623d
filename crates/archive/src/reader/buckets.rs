//! N equal time buckets of a series' numeric engineering values, from the segments' stored
//! aggregates: only segments that straddle a bucket edge or the range's ends are decoded.

use super::{decode_segment, Reader};
use crate::error::SqlContext;
use crate::schema::{key, unkey};
use crate::{ArchiveError, Bucket};
use rusqlite::{params, Statement};
use std::path::Path;

/// Most buckets one query may ask for.
pub const BUCKETS_MAX: usize = 100_000;

/// Running aggregates of one bucket.
#[derive(Clone, Copy, Debug)]
struct Acc {
    count: u64,
    min: f64,
    max: f64,
    sum: f64,
}

impl Acc {
    const EMPTY: Acc = Acc { count: 0, min: f64::INFINITY, max: f64::NEG_INFINITY, sum: 0.0 };

    fn add(&mut self, value: f64) {
        self.count += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += value;
    }
}

/// The bucket boundaries of [from, to) in n: bucket k is [start(k), start(k + 1)).
struct Edges {
    from_ms: u64,
    width: u128,
    n: u128,
}

impl Edges {
    fn start(&self, k: usize) -> u64 {
        // ceil(k * width / n): then `index` below is exact integer arithmetic.
        self.from_ms + ((k as u128 * self.width).div_ceil(self.n)) as u64
    }

    fn index(&self, time_ms: u64) -> usize {
        ((u128::from(time_ms - self.from_ms) * self.n) / self.width) as usize
    }
}

impl Reader {
    /// `n` equal buckets over [from_ms, to_ms) with count, min, max and mean of the numeric
    /// engineering values (NaN left out) of `series`.
    pub fn buckets(&self, series: &str, from_ms: u64, to_ms: u64, n: usize) -> Result<Vec<Bucket>, ArchiveError> {
        if n == 0 || n > BUCKETS_MAX {
            return Err(ArchiveError::BadBuckets { n, max: BUCKETS_MAX });
        }
        if to_ms <= from_ms {
            return Err(ArchiveError::BadRange { from_ms, to_ms });
        }
        let edges = Edges { from_ms, width: u128::from(to_ms - from_ms), n: n as u128 };
        let mut accs = vec![Acc::EMPTY; n];
        let tx = self.conn.unchecked_transaction().doing(&self.path, "reading buckets")?;
        if let Some(series_ref) = self.series_ref(series)? {
            let (after_first, after_id) = self.scan_start(series_ref, from_ms)?;
            let straddling =
                self.add_aggregates(series_ref.id, (after_first, after_id), from_ms, to_ms, &edges, &mut accs)?;
            let mut select =
                self.conn.prepare("SELECT blob FROM segments WHERE id = ?1").doing(&self.path, "reading a segment")?;
            for id in straddling {
                add_decoded(&mut select, &self.path, id, (from_ms, to_ms), &edges, &mut accs)?;
            }
        }
        drop(tx);
        Ok(accs
            .iter()
            .enumerate()
            .map(|(k, acc)| {
                let has = acc.count > 0;
                Bucket {
                    start_ms: edges.start(k),
                    end_ms: edges.start(k + 1),
                    count: acc.count,
                    min: has.then_some(acc.min),
                    max: has.then_some(acc.max),
                    avg: has.then(|| acc.sum / acc.count as f64),
                }
            })
            .collect())
    }

    /// Adds the stored aggregates of every segment wholly inside one bucket; returns the ids
    /// of the segments that must be decoded.
    fn add_aggregates(
        &self,
        series_id: i64,
        (after_first, after_id): (i64, i64),
        from_ms: u64,
        to_ms: u64,
        edges: &Edges,
        accs: &mut [Acc],
    ) -> Result<Vec<i64>, ArchiveError> {
        let doing = "reading segment aggregates";
        // Only columns of the covering index: no segment blob is read here.
        let mut select = self
            .conn
            .prepare(
                "SELECT id, first_ms, last_ms, numeric, min, max, sum FROM segments
                 WHERE series_id = ?1 AND (first_ms, id) > (?2, ?3) AND first_ms < ?4
                 ORDER BY first_ms, id",
            )
            .doing(&self.path, doing)?;
        let mut rows = select.query(params![series_id, after_first, after_id, key(to_ms)]).doing(&self.path, doing)?;
        let mut straddling = Vec::new();
        while let Some(row) = rows.next().doing(&self.path, doing)? {
            let read = || -> rusqlite::Result<_> {
                let id: i64 = row.get(0)?;
                let span: (i64, i64) = (row.get(1)?, row.get(2)?);
                let numeric: i64 = row.get(3)?;
                let aggs: (Option<f64>, Option<f64>, Option<f64>) = (row.get(4)?, row.get(5)?, row.get(6)?);
                Ok((id, span, numeric, aggs))
            };
            let (id, (first_ms, last_ms), numeric, aggs) = read().doing(&self.path, doing)?;
            let (first_ms, last_ms) = (unkey(first_ms), unkey(last_ms));
            if last_ms < from_ms || numeric <= 0 {
                continue;
            }
            let inside = first_ms >= from_ms && last_ms < to_ms && edges.index(first_ms) == edges.index(last_ms);
            match aggs {
                (Some(min), Some(max), Some(sum)) if inside => {
                    let acc = &mut accs[edges.index(first_ms)];
                    acc.count += numeric as u64;
                    acc.min = acc.min.min(min);
                    acc.max = acc.max.max(max);
                    acc.sum += sum;
                }
                _ => straddling.push(id),
            }
        }
        Ok(straddling)
    }
}

fn add_decoded(
    select: &mut Statement<'_>,
    path: &Path,
    id: i64,
    (from_ms, to_ms): (u64, u64),
    edges: &Edges,
    accs: &mut [Acc],
) -> Result<(), ArchiveError> {
    let doing = "reading a segment";
    let mut rows = select.query([id]).doing(path, doing)?;
    let Some(row) = rows.next().doing(path, doing)? else { return Ok(()) };
    let blob = row.get_ref(0).and_then(|v| Ok(v.as_blob()?)).doing(path, doing)?;
    let decoded = decode_segment(blob, id)?;
    for (&time_ms, value) in decoded.times.iter().zip(&decoded.eng) {
        if (from_ms..to_ms).contains(&time_ms) {
            if let Some(value) = value.numeric() {
                accs[edges.index(time_ms)].add(value);
            }
        }
    }
    Ok(())
}
