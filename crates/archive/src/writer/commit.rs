//! One commit: every pending row in one transaction, then the in-memory state is moved on
//! only when SQLite reports the transaction durable.

use super::series::Series;
use super::units::UnitGroup;
use super::Writer;
use crate::codec::segment::Aggregates;
use crate::error::SqlContext;
use crate::schema::key;
use crate::{ArchiveError, Pending, Stored};
use rusqlite::{params, Connection, Statement};
use std::path::Path;

pub(super) const INSERT_SEGMENT: &str = "INSERT INTO segments
    (series_id, first_ms, last_ms, count, open, numeric, min, max, sum, blob)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
pub(super) const UPDATE_SEGMENT: &str = "UPDATE segments SET
    series_id = ?1, first_ms = ?2, last_ms = ?3, count = ?4, open = ?5, numeric = ?6, min = ?7, max = ?8,
    sum = ?9, blob = ?10 WHERE id = ?11";
const INSERT_BLOCK: &str = "INSERT INTO unit_blocks
    (grp, apid, first_ms, last_ms, first_seq, count, open, blob) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
const UPDATE_BLOCK: &str = "UPDATE unit_blocks SET
    grp = ?1, apid = ?2, first_ms = ?3, last_ms = ?4, first_seq = ?5, count = ?6, open = ?7, blob = ?8 WHERE id = ?9";

/// The statements of one commit, prepared once.
struct Statements<'c> {
    insert_segment: Statement<'c>,
    update_segment: Statement<'c>,
    insert_block: Statement<'c>,
    update_block: Statement<'c>,
    insert_series: Statement<'c>,
    update_series: Statement<'c>,
}

impl<'c> Statements<'c> {
    fn prepare(conn: &'c Connection, path: &Path) -> Result<Self, ArchiveError> {
        let prepare = |sql: &str| conn.prepare(sql).doing(path, "preparing a commit");
        Ok(Statements {
            insert_segment: prepare(INSERT_SEGMENT)?,
            update_segment: prepare(UPDATE_SEGMENT)?,
            insert_block: prepare(INSERT_BLOCK)?,
            update_block: prepare(UPDATE_BLOCK)?,
            insert_series: prepare("INSERT INTO series (id, name, samples, backwards) VALUES (?1, ?2, 0, 0)")?,
            update_series: prepare(
                "UPDATE series SET samples = ?1, first_ms = ?2, last_ms = ?3, backwards = ?4 WHERE id = ?5",
            )?,
        })
    }
}

/// A segment row to write.
struct SegmentRow<'a> {
    first_ms: u64,
    last_ms: u64,
    count: u32,
    open: bool,
    agg: Aggregates,
    blob: &'a [u8],
}

/// Writes a segment (updating `replaces` when given); returns its row id.
fn write_segment(
    conn: &Connection,
    statements: &mut Statements<'_>,
    path: &Path,
    series_id: i64,
    row: &SegmentRow<'_>,
    replaces: Option<i64>,
) -> Result<i64, ArchiveError> {
    let has = row.agg.numeric > 0;
    let (min, max, sum) = (has.then_some(row.agg.min), has.then_some(row.agg.max), has.then_some(row.agg.sum));
    let values = params![
        series_id,
        key(row.first_ms),
        key(row.last_ms),
        row.count,
        row.open,
        row.agg.numeric as i64,
        min,
        max,
        sum,
        row.blob
    ];
    if let Some(id) = replaces {
        let update = &mut statements.update_segment;
        let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
        all.push(&id);
        if update.execute(all.as_slice()).doing(path, "updating a segment")? == 1 {
            return Ok(id);
        }
    }
    statements.insert_segment.execute(values).doing(path, "inserting a segment")?;
    Ok(conn.last_insert_rowid())
}

/// Writes one series' new rows; returns the row id of its open segment.
fn write_series(
    conn: &Connection,
    statements: &mut Statements<'_>,
    path: &Path,
    series: &Series,
    scratch: &mut Vec<u8>,
) -> Result<Option<i64>, ArchiveError> {
    if series.is_new {
        statements.insert_series.execute(params![series.id, series.name]).doing(path, "inserting a series")?;
    }
    for sealed in &series.sealed {
        let row = SegmentRow {
            first_ms: sealed.first_ms,
            last_ms: sealed.last_ms,
            count: sealed.count,
            open: false,
            agg: sealed.agg,
            blob: &sealed.blob,
        };
        write_segment(conn, statements, path, series.id, &row, sealed.replaces)?;
    }
    let mut tail = series.tail_rowid;
    let enc = &series.enc;
    if enc.count > series.durable_count || (enc.count > 0 && tail.is_none()) {
        enc.finish(&series.labels, scratch);
        let row = SegmentRow {
            first_ms: enc.first_ms,
            last_ms: enc.last_ms,
            count: enc.count,
            open: true,
            agg: enc.agg,
            blob: scratch,
        };
        tail = Some(write_segment(conn, statements, path, series.id, &row, tail)?);
    }
    let samples = (series.samples + series.pending_samples) as i64;
    let first = series.first_ms_after_commit().map(key);
    statements
        .update_series
        .execute(params![samples, first, series.max_ms.map(key), series.backwards, series.id])
        .doing(path, "updating a series")?;
    Ok(tail)
}

/// Writes a block (updating `replaces` when given); returns its row id.
#[allow(clippy::too_many_arguments)]
fn write_block(
    conn: &Connection,
    statements: &mut Statements<'_>,
    path: &Path,
    group: u32,
    apid: Option<u16>,
    (first_ms, last_ms, first_seq, count): (u64, u64, u64, u32),
    open: bool,
    blob: &[u8],
    replaces: Option<i64>,
) -> Result<i64, ArchiveError> {
    let values = params![group, apid, key(first_ms), key(last_ms), key(first_seq), count, open, blob];
    if let Some(id) = replaces {
        let update = &mut statements.update_block;
        let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
        all.push(&id);
        if update.execute(all.as_slice()).doing(path, "updating a unit block")? == 1 {
            return Ok(id);
        }
    }
    statements.insert_block.execute(values).doing(path, "inserting a unit block")?;
    Ok(conn.last_insert_rowid())
}

fn write_group(
    conn: &Connection,
    statements: &mut Statements<'_>,
    path: &Path,
    idx: u32,
    group: &UnitGroup,
    scratch: &mut Vec<u8>,
) -> Result<Option<i64>, ArchiveError> {
    for sealed in &group.sealed {
        let span = (sealed.first_ms, sealed.last_ms, sealed.first_seq, sealed.count);
        write_block(conn, statements, path, idx, group.apid, span, false, &sealed.blob, sealed.replaces)?;
    }
    let enc = &group.enc;
    let mut tail = group.tail_rowid;
    if enc.count > group.durable_count || (enc.count > 0 && tail.is_none()) {
        enc.finish(scratch);
        let span = (enc.first_ms, enc.last_ms, enc.first_seq, enc.count);
        tail = Some(write_block(conn, statements, path, idx, group.apid, span, true, scratch, tail)?);
    }
    Ok(tail)
}

fn write_records(writer: &Writer) -> Result<(), ArchiveError> {
    let (conn, path) = (&writer.conn, writer.path.as_path());
    for (id, name) in &writer.new_links {
        conn.execute("INSERT INTO links (id, name) VALUES (?1, ?2)", params![id, name])
            .doing(path, "inserting a link")?;
    }
    let mut insert = conn
        .prepare(
            "INSERT INTO events (time_ms, severity, source, event_id, message, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .doing(path, "inserting events")?;
    for e in &writer.events {
        let row = params![key(e.time_ms), e.severity.code(), e.source, key(e.event_id), e.message, e.data];
        insert.execute(row).doing(path, "inserting events")?;
    }
    if !writer.alarms.is_empty() {
        let mut blob = Vec::new();
        crate::codec::alarms::encode(&writer.alarm_names, &writer.alarms, &mut blob);
        let first_ms = writer.alarms.iter().map(|a| a.time_ms).min().unwrap_or(0);
        let last_ms = writer.alarms.iter().map(|a| a.time_ms).max().unwrap_or(0);
        let max_level = writer.alarms.iter().map(|a| a.level).max().unwrap_or(0);
        conn.execute(
            "INSERT INTO alarm_blocks (first_ms, last_ms, max_level, count, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key(first_ms), key(last_ms), max_level, writer.alarms.len() as i64, blob],
        )
        .doing(path, "inserting alarms")?;
    }
    let mut insert = conn
        .prepare(
            "INSERT INTO commands (command_id, time_ms, principal, command, arguments_json, bytes, digest, state, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .doing(path, "inserting commands")?;
    for c in &writer.commands {
        let row = params![
            c.id,
            key(c.time_ms),
            c.principal,
            c.command,
            c.arguments_json,
            c.bytes,
            c.digest,
            c.state,
            c.detail
        ];
        insert.execute(row).doing(path, "inserting commands")?;
    }
    Ok(())
}

/// The totals once what is pending is durable.
fn totals_after(stored: Stored, pending: Pending, pending_last_unit_ms: Option<u64>) -> Stored {
    Stored {
        units: stored.units + pending.units,
        samples: stored.samples + pending.samples,
        events: stored.events + pending.events,
        alarms: stored.alarms + pending.alarms,
        commands: stored.commands + pending.commands,
        last_unit_ms: stored.last_unit_ms.max(pending_last_unit_ms),
    }
}

pub(super) fn commit(writer: &mut Writer) -> Result<Stored, ArchiveError> {
    let path = writer.path.clone();
    let totals = totals_after(writer.stored, writer.pending, writer.pending_last_unit_ms);
    let mut scratch = Vec::new();
    let tx = writer.conn.unchecked_transaction().doing(&path, "beginning a commit")?;
    let mut statements = Statements::prepare(&writer.conn, &path)?;
    let mut series_tails = Vec::with_capacity(writer.dirty_series.len());
    for &idx in &writer.dirty_series {
        series_tails.push(write_series(
            &writer.conn,
            &mut statements,
            &path,
            &writer.series[idx as usize],
            &mut scratch,
        )?);
    }
    let mut group_tails = Vec::with_capacity(writer.dirty_groups.len());
    for &idx in &writer.dirty_groups {
        if let Some(group) = &writer.groups[idx as usize] {
            group_tails.push(write_group(&writer.conn, &mut statements, &path, idx, group, &mut scratch)?);
        }
    }
    write_records(writer)?;
    let t = &totals;
    writer
        .conn
        .execute(
            "UPDATE totals SET units = ?1, samples = ?2, events = ?3, alarms = ?4, commands = ?5, last_unit_ms = ?6",
            params![
                t.units as i64,
                t.samples as i64,
                t.events as i64,
                t.alarms as i64,
                t.commands as i64,
                t.last_unit_ms.map(key)
            ],
        )
        .doing(&path, "updating the totals")?;
    drop(statements);
    tx.commit().doing(&path, "committing")?;
    // Durable: move the memory on.
    for (&idx, tail) in writer.dirty_series.iter().zip(series_tails) {
        let series = &mut writer.series[idx as usize];
        series.first_ms = series.first_ms_after_commit();
        series.samples += series.pending_samples;
        series.pending_samples = 0;
        series.sealed.clear();
        series.tail_rowid = tail;
        series.durable_count = series.enc.count;
        series.is_new = false;
        series.dirty = false;
    }
    writer.dirty_series.clear();
    let mut tails = group_tails.into_iter();
    for &idx in &writer.dirty_groups {
        if let Some(group) = &mut writer.groups[idx as usize] {
            group.sealed.clear();
            group.tail_rowid = tails.next().flatten();
            group.durable_count = group.enc.count;
            group.dirty = false;
        }
    }
    writer.dirty_groups.clear();
    writer.new_links.clear();
    writer.events.clear();
    writer.alarms.clear();
    writer.alarm_names.clear();
    writer.alarm_name_of.iter_mut().for_each(|name| *name = 0);
    writer.commands.clear();
    writer.stored = totals;
    writer.pending = Pending::default();
    writer.pending_last_unit_ms = None;
    Ok(totals)
}
