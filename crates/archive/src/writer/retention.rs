//! Retention: whole sealed segments and blocks that end before the cut, and records before
//! it, deleted in one transaction. Open segments and blocks are kept (the writer holds them).

use super::Writer;
use crate::error::SqlContext;
use crate::schema::{key, unkey};
use crate::{ArchiveError, RetentionReport};
use rusqlite::params;

const DAY_MS: u64 = 86_400_000;

/// The cut for a retention of `days`: what ends before it goes.
fn cut(now_ms: u64, days: Option<u32>) -> Option<i64> {
    days.map(|days| key(now_ms.saturating_sub(u64::from(days) * DAY_MS)))
}

pub(super) fn apply(writer: &mut Writer, now_ms: u64) -> Result<RetentionReport, ArchiveError> {
    let retention = writer.options.retention.clone();
    let path = writer.path.clone();
    let conn = &writer.conn;
    let mut report = RetentionReport::default();
    let tx = conn.unchecked_transaction().doing(&path, "beginning retention")?;
    let mut series_changes = Vec::new();
    if let Some(cut) = cut(now_ms, retention.parameters_days) {
        for (idx, series) in writer.series.iter().enumerate() {
            let (n_segments, n_samples): (i64, i64) = conn
                .query_row(
                    "SELECT count(*), coalesce(sum(count), 0) FROM segments
                     WHERE series_id = ?1 AND first_ms < ?2 AND last_ms < ?2 AND open = 0",
                    params![series.id, cut],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .doing(&path, "retention of segments")?;
            if n_segments == 0 {
                continue;
            }
            conn.execute(
                "DELETE FROM segments WHERE series_id = ?1 AND first_ms < ?2 AND last_ms < ?2 AND open = 0",
                params![series.id, cut],
            )
            .doing(&path, "retention of segments")?;
            let first: Option<i64> = conn
                .query_row("SELECT min(first_ms) FROM segments WHERE series_id = ?1", [series.id], |row| row.get(0))
                .doing(&path, "retention of segments")?;
            let samples = series.samples.saturating_sub(unkey(n_samples));
            conn.execute(
                "UPDATE series SET samples = ?1, first_ms = ?2 WHERE id = ?3",
                params![samples as i64, first, series.id],
            )
            .doing(&path, "retention of segments")?;
            report.segments += unkey(n_segments);
            report.samples += unkey(n_samples);
            series_changes.push((idx, samples, first.map(unkey)));
        }
    }
    if let Some(cut) = cut(now_ms, retention.raw_units_days) {
        let (n_blocks, n_units): (i64, i64) = conn
            .query_row(
                "SELECT count(*), coalesce(sum(count), 0) FROM unit_blocks WHERE first_ms < ?1 AND last_ms < ?1 AND open = 0",
                [cut],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .doing(&path, "retention of units")?;
        conn.execute("DELETE FROM unit_blocks WHERE first_ms < ?1 AND last_ms < ?1 AND open = 0", [cut])
            .doing(&path, "retention of units")?;
        report.unit_blocks = unkey(n_blocks);
        report.units = unkey(n_units);
    }
    for (table, days, removed) in [
        ("events", retention.events_days, &mut report.events),
        ("commands", retention.commands_days, &mut report.commands),
    ] {
        if let Some(cut) = cut(now_ms, days) {
            let sql = format!("DELETE FROM {table} WHERE time_ms < ?1");
            *removed = conn.execute(&sql, [cut]).doing(&path, "retention of records")? as u64;
        }
    }
    if let Some(cut) = cut(now_ms, retention.alarms_days) {
        let n: i64 = conn
            .query_row("SELECT COALESCE(SUM(count), 0) FROM alarm_blocks WHERE last_ms < ?1", [cut], |row| row.get(0))
            .doing(&path, "retention of alarms")?;
        conn.execute("DELETE FROM alarm_blocks WHERE last_ms < ?1", [cut]).doing(&path, "retention of alarms")?;
        report.alarms = unkey(n);
    }
    tx.commit().doing(&path, "committing retention")?;
    for (idx, samples, first_ms) in series_changes {
        let series = &mut writer.series[idx];
        series.samples = samples;
        series.first_ms = first_ms;
    }
    Ok(report)
}
