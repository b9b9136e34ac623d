//! Opening the writer: the lock, the schema, and the state a restart continues from (series,
//! open segments and blocks, links, totals), all read from what is durable.

use super::series::{PlanCache, Series};
use super::units::{UnitGroup, GROUPS};
use super::Writer;
use crate::codec::block::decode_block;
use crate::codec::decode::{decode, inputs};
use crate::error::SqlContext;
use crate::schema::{self, unkey};
use crate::{ArchiveError, ArchiveOptions, Pending, Stored};
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::Path;

/// Opens (creating if needed) the archive in `dir` for writing.
pub(crate) fn open(dir: &Path, options: &ArchiveOptions) -> Result<Writer, ArchiveError> {
    std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io { path: dir.to_path_buf(), source })?;
    let lock_path = dir.join(schema::LOCK_FILE);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| ArchiveError::Io { path: lock_path.clone(), source })?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(ArchiveError::Busy { path: dir.to_path_buf() }),
        Err(std::fs::TryLockError::Error(source)) => return Err(ArchiveError::Io { path: lock_path, source }),
    }
    let (conn, path) = schema::open_writer(dir)?;
    let mut writer = Writer {
        conn,
        path,
        _lock: lock,
        options: options.clone(),
        series: Vec::new(),
        series_by_name: HashMap::new(),
        next_series_id: 1,
        dirty_series: Vec::new(),
        cache: PlanCache::default(),
        groups: vec![None; GROUPS],
        dirty_groups: Vec::new(),
        links: HashMap::new(),
        new_links: Vec::new(),
        last_link: None,
        next_seq: 1,
        events: Vec::new(),
        alarms: Vec::new(),
        alarm_names: Vec::new(),
        alarm_name_of: Vec::new(),
        commands: Vec::new(),
        alarm_levels: Vec::new(),
        own_syncer: None,
        stored: Stored::default(),
        pending: Pending::default(),
        pending_last_unit_ms: None,
    };
    load_series(&mut writer)?;
    load_tails(&mut writer)?;
    load_blocks(&mut writer)?;
    load_links(&mut writer)?;
    writer.stored = read_totals(&writer.conn, &writer.path)?;
    writer.next_seq = writer.stored.units + 1;
    Ok(writer)
}

fn load_series(writer: &mut Writer) -> Result<(), ArchiveError> {
    let path = writer.path.clone();
    let mut select = writer
        .conn
        .prepare("SELECT id, name, samples, first_ms, last_ms, backwards FROM series ORDER BY id")
        .doing(&path, "reading series")?;
    let mut rows = select.query([]).doing(&path, "reading series")?;
    while let Some(row) = rows.next().doing(&path, "reading series")? {
        let read = || -> rusqlite::Result<Series> {
            let mut series = Series::new(row.get(0)?, row.get(1)?);
            series.is_new = false;
            series.samples = unkey(row.get(2)?);
            series.first_ms = row.get::<_, Option<i64>>(3)?.map(unkey);
            series.max_ms = row.get::<_, Option<i64>>(4)?.map(unkey);
            series.backwards = row.get(5)?;
            Ok(series)
        };
        let series = read().doing(&path, "reading series")?;
        writer.next_series_id = writer.next_series_id.max(series.id + 1);
        writer.series_by_name.insert(series.name.clone(), writer.series.len() as u32);
        writer.series.push(series);
    }
    Ok(())
}

/// Reloads the open segment of every series, to go on filling it.
fn load_tails(writer: &mut Writer) -> Result<(), ArchiveError> {
    let path = writer.path.clone();
    let by_id: HashMap<i64, usize> = writer.series.iter().enumerate().map(|(idx, s)| (s.id, idx)).collect();
    let mut select = writer
        .conn
        .prepare("SELECT id, series_id, blob FROM segments WHERE open = 1")
        .doing(&path, "reading open segments")?;
    let mut rows = select.query([]).doing(&path, "reading open segments")?;
    while let Some(row) = rows.next().doing(&path, "reading open segments")? {
        let (id, series_id): (i64, i64) = (row.get(0).doing(&path, "")?, row.get(1).doing(&path, "")?);
        let blob = row.get_ref(2).and_then(|v| Ok(v.as_blob()?)).doing(&path, "reading open segments")?;
        let corrupt = || ArchiveError::Corrupt { table: "segments", row: id };
        let decoded = decode(blob).ok_or_else(corrupt)?;
        let series = &mut writer.series[*by_id.get(&series_id).ok_or_else(corrupt)?];
        series.labels = decoded.labels.clone();
        for (idx, &time_ms) in decoded.times.iter().enumerate() {
            let (raw, eng) = inputs(blob, &decoded, idx);
            series.enc.push(time_ms, raw, eng, decoded.meta[idx]);
        }
        series.tail_rowid = Some(id);
        series.durable_count = series.enc.count;
    }
    Ok(())
}

/// Reloads the open block of every unit group.
fn load_blocks(writer: &mut Writer) -> Result<(), ArchiveError> {
    let path = writer.path.clone();
    let mut select = writer
        .conn
        .prepare("SELECT id, grp, apid, blob FROM unit_blocks WHERE open = 1")
        .doing(&path, "reading open unit blocks")?;
    let mut rows = select.query([]).doing(&path, "reading open unit blocks")?;
    while let Some(row) = rows.next().doing(&path, "reading open unit blocks")? {
        let id: i64 = row.get(0).doing(&path, "reading open unit blocks")?;
        let corrupt = || ArchiveError::Corrupt { table: "unit_blocks", row: id };
        let group_idx: i64 = row.get(1).doing(&path, "reading open unit blocks")?;
        let apid: Option<u16> = row.get(2).map_err(|_| corrupt())?;
        let blob = row.get_ref(3).and_then(|v| Ok(v.as_blob()?)).doing(&path, "reading open unit blocks")?;
        let units = decode_block(blob).ok_or_else(corrupt)?;
        let slot = usize::try_from(group_idx).ok().and_then(|idx| writer.groups.get_mut(idx)).ok_or_else(corrupt)?;
        let group = slot.get_or_insert_with(|| UnitGroup { apid, ..UnitGroup::default() });
        for unit in &units {
            group.enc.push(unit);
        }
        group.tail_rowid = Some(id);
        group.durable_count = group.enc.count;
    }
    Ok(())
}

fn load_links(writer: &mut Writer) -> Result<(), ArchiveError> {
    let path = writer.path.clone();
    let mut select = writer.conn.prepare("SELECT id, name FROM links").doing(&path, "reading links")?;
    let links = select
        .query_map([], |row| Ok((row.get::<_, String>(1)?, row.get::<_, u32>(0)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .doing(&path, "reading links")?;
    drop(select);
    writer.links.extend(links);
    Ok(())
}

/// The durable totals.
pub(crate) fn read_totals(conn: &Connection, path: &Path) -> Result<Stored, ArchiveError> {
    conn.query_row(
        "SELECT units, samples, events, alarms, commands, last_unit_ms FROM totals WHERE id = 1",
        [],
        |row| {
            Ok(Stored {
                units: unkey(row.get(0)?),
                samples: unkey(row.get(1)?),
                events: unkey(row.get(2)?),
                alarms: unkey(row.get(3)?),
                commands: unkey(row.get(4)?),
                last_unit_ms: row.get::<_, Option<i64>>(5)?.map(unkey),
            })
        },
    )
    .doing(path, "reading the totals")
}
