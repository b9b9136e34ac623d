//! Raw units, events, alarm changes and commands by time, paged by (time, sequence or row).

use super::Reader;
use crate::codec::block::decode_block;
use crate::cursor;
use crate::error::SqlContext;
use crate::records::{level_code, level_from_code};
use crate::schema::{key, unkey};
use crate::writer::{apid_of, kind_from_code, BLOCK_SPAN_MS_MAX};
use crate::{ArchiveError, CommandRecord, EventRecord, EventSeverity, Page, StoredAlarm, StoredUnit};
use model::AlarmLevel;
use rusqlite::{params, Row};
use std::collections::HashMap;

impl Reader {
    /// Units received in [from_ms, to_ms), optionally only packets of one APID, ordered by
    /// (time, sequence number).
    pub fn units(
        &self,
        from_ms: u64,
        to_ms: u64,
        apid: Option<u16>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<StoredUnit>, ArchiveError> {
        cursor::check_limit(limit)?;
        let after: Option<[u64; 2]> = cursor.map(|c| cursor::decode('u', c)).transpose()?;
        let doing = "reading units";
        let tx = self.conn.unchecked_transaction().doing(&self.path, doing)?;
        let links = self.link_names()?;
        let start_ms = after.map_or(from_ms, |[time_ms, _]| time_ms.max(from_ms));
        // Blocks span at most BLOCK_SPAN_MS_MAX, so none that starts earlier reaches start_ms.
        let lowest = key(start_ms.saturating_sub(BLOCK_SPAN_MS_MAX));
        let by_apid = if apid.is_some() { "apid = ?4" } else { "?4 IS NULL" };
        let sql = format!(
            "SELECT id, blob FROM unit_blocks WHERE first_ms >= ?1 AND first_ms < ?2 AND last_ms >= ?3 AND {by_apid}
             ORDER BY first_ms, id"
        );
        let mut select = self.conn.prepare(&sql).doing(&self.path, doing)?;
        let mut rows = select.query(params![lowest, key(to_ms), key(start_ms), apid]).doing(&self.path, doing)?;
        // Units of blocks read so far that may still be preceded by units of later blocks.
        let mut waiting: Vec<StoredUnit> = Vec::new();
        let mut out: Vec<StoredUnit> = Vec::new();
        while out.len() <= limit {
            let Some(row) = rows.next().doing(&self.path, doing)? else { break };
            let id: i64 = row.get(0).doing(&self.path, doing)?;
            let blob = row.get_ref(1).and_then(|v| Ok(v.as_blob()?)).doing(&self.path, doing)?;
            let corrupt = || ArchiveError::Corrupt { table: "unit_blocks", row: id };
            let units = decode_block(blob).ok_or_else(corrupt)?;
            // Every later block starts at or after this one: earlier units are final.
            let block_first_ms = units.first().map_or(0, |unit| unit.time_ms);
            release(&mut waiting, &mut out, |unit| unit.time_ms < block_first_ms);
            for unit in units {
                let sort_key = [unit.time_ms, unit.seq];
                if unit.time_ms < from_ms || unit.time_ms >= to_ms || after.is_some_and(|after| sort_key <= after) {
                    continue;
                }
                let kind = kind_from_code(unit.kind).ok_or_else(corrupt)?;
                waiting.push(StoredUnit {
                    seq: unit.seq,
                    link: links.get(&unit.link).cloned().unwrap_or_default(),
                    time_ms: unit.time_ms,
                    kind,
                    apid: apid_of(kind, unit.bytes),
                    bytes: unit.bytes.to_vec(),
                    invalid: unit.invalid.map(str::to_string),
                });
            }
        }
        release(&mut waiting, &mut out, |_| true);
        drop(rows);
        drop(select);
        drop(tx);
        Ok(cursor::page(out, limit, 'u', |unit| [unit.time_ms, unit.seq]))
    }

    fn link_names(&self) -> Result<HashMap<u32, String>, ArchiveError> {
        let mut select = self.conn.prepare("SELECT id, name FROM links").doing(&self.path, "reading links")?;
        let rows = select.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).doing(&self.path, "reading links")?;
        rows.collect::<Result<_, _>>().doing(&self.path, "reading links")
    }

    /// Events in [from_ms, to_ms) of at least `min_severity`, in time order.
    pub fn events(
        &self,
        from_ms: u64,
        to_ms: u64,
        min_severity: EventSeverity,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<EventRecord>, ArchiveError> {
        let sql = "SELECT id, time_ms, severity, source, event_id, message, data FROM events
                   WHERE time_ms >= ?1 AND time_ms < ?2 AND (time_ms, id) > (?3, ?4) AND severity >= ?5
                   ORDER BY time_ms, id LIMIT ?6";
        self.records(sql, 'e', (from_ms, to_ms, cursor, limit), min_severity.code(), |row| {
            Ok(EventRecord {
                time_ms: unkey(row.get(1)?),
                severity: EventSeverity::from_code(row.get(2)?).unwrap_or(EventSeverity::High),
                source: row.get(3)?,
                event_id: unkey(row.get(4)?),
                message: row.get(5)?,
                data: row.get(6)?,
            })
        })
    }

    /// Alarm changes in [from_ms, to_ms) of at least `min_level`, in the order they were
    /// recorded (time order but for links whose clocks interleave within one commit window).
    /// Changes are stored in one block per commit window; the cursor is (block, index).
    pub fn alarms(
        &self,
        from_ms: u64,
        to_ms: u64,
        min_level: AlarmLevel,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<StoredAlarm>, ArchiveError> {
        cursor::check_limit(limit)?;
        let [after_block, after_idx] = match cursor {
            Some(c) => cursor::decode::<2>('a', c)?,
            None => [0, u64::MAX],
        };
        let min = level_code(min_level);
        let doing = "reading alarms";
        let mut select = self
            .conn
            .prepare(
                "SELECT id, data FROM alarm_blocks
                 WHERE last_ms >= ?1 AND first_ms < ?2 AND max_level >= ?3 AND id >= ?4 ORDER BY id",
            )
            .doing(&self.path, doing)?;
        let mut rows = select
            .query(params![key(from_ms), key(to_ms), i64::from(min), key(after_block)])
            .doing(&self.path, doing)?;
        let mut items: Vec<(u64, u64, StoredAlarm)> = Vec::new();
        while let Some(row) = rows.next().doing(&self.path, doing)? {
            let id: i64 = row.get(0).doing(&self.path, doing)?;
            let blob: Vec<u8> = row.get(1).doing(&self.path, doing)?;
            let (names, records) =
                crate::codec::alarms::decode(&blob).ok_or(ArchiveError::Corrupt { table: "alarm_blocks", row: id })?;
            let block = unkey(id);
            for (idx, record) in records.into_iter().enumerate() {
                let idx = idx as u64;
                let after_cursor = block > after_block || after_idx == u64::MAX || idx > after_idx;
                let wanted = record.time_ms >= from_ms && record.time_ms < to_ms && record.level >= min;
                if !(after_cursor && wanted) {
                    continue;
                }
                let alarm = StoredAlarm {
                    time_ms: record.time_ms,
                    series: names[record.name as usize].clone(),
                    change: crate::codec::alarms::CHANGES[usize::from(record.change)].to_string(),
                    level: level_from_code(record.level).unwrap_or(AlarmLevel::Severe),
                    by: record.by,
                };
                items.push((block, idx, alarm));
                if items.len() > limit {
                    break;
                }
            }
            if items.len() > limit {
                break;
            }
        }
        let page = cursor::page(items, limit, 'a', |(block, idx, _)| [*block, *idx]);
        Ok(Page { items: page.items.into_iter().map(|(_, _, item)| item).collect(), next: page.next })
    }

    /// Command state changes in [from_ms, to_ms), in time order.
    pub fn commands(
        &self,
        from_ms: u64,
        to_ms: u64,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<CommandRecord>, ArchiveError> {
        let sql = "SELECT id, time_ms, command_id, principal, command, arguments_json, bytes, digest, state, detail
                   FROM commands WHERE time_ms >= ?1 AND time_ms < ?2 AND (time_ms, id) > (?3, ?4) AND ?5 = ?5
                   ORDER BY time_ms, id LIMIT ?6";
        self.records(sql, 'c', (from_ms, to_ms, cursor, limit), 0, |row| command_record(row, 1))
    }

    /// Every stored state change of one command, oldest first.
    pub fn command_history(&self, command_id: &str) -> Result<Vec<CommandRecord>, ArchiveError> {
        let doing = "reading a command's history";
        let sql = "SELECT id, time_ms, command_id, principal, command, arguments_json, bytes, digest, state, detail
                   FROM commands WHERE command_id = ?1 ORDER BY id";
        let mut select = self.conn.prepare(sql).doing(&self.path, doing)?;
        let rows = select.query_map(params![command_id], |row| command_record(row, 1)).doing(&self.path, doing)?;
        rows.collect::<Result<Vec<_>, _>>().doing(&self.path, doing)
    }

    /// The largest numeric command id stored, so that a restarted deployment continues after it.
    pub fn last_command_id(&self) -> Result<Option<u64>, ArchiveError> {
        let doing = "reading the last command id";
        let sql = "SELECT MAX(CAST(command_id AS INTEGER)) FROM commands WHERE command_id GLOB '[0-9]*'";
        let last: Option<i64> = self.conn.query_row(sql, [], |row| row.get(0)).doing(&self.path, doing)?;
        Ok(last.and_then(|id| u64::try_from(id).ok()))
    }

    /// One page of a record table whose first two columns are id and time.
    fn records<T>(
        &self,
        sql: &str,
        letter: char,
        (from_ms, to_ms, cursor, limit): (u64, u64, Option<&str>, usize),
        min: i64,
        read: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Page<T>, ArchiveError> {
        cursor::check_limit(limit)?;
        let [after_ms, after_id] = match cursor {
            Some(c) => cursor::decode::<2>(letter, c)?.map(key),
            None => [i64::MIN, i64::MIN],
        };
        let doing = "reading records";
        let mut select = self.conn.prepare(sql).doing(&self.path, doing)?;
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let rows = select
            .query_map(params![key(from_ms), key(to_ms), after_ms, after_id, min, fetch], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, read(row)?))
            })
            .doing(&self.path, doing)?;
        let items = rows.collect::<Result<Vec<_>, _>>().doing(&self.path, doing)?;
        let page = cursor::page(items, limit, letter, |(id, time_ms, _)| [unkey(*time_ms), unkey(*id)]);
        Ok(Page { items: page.items.into_iter().map(|(_, _, item)| item).collect(), next: page.next })
    }
}

/// Moves the waiting units that `ready` accepts to `out`, in (time, sequence) order.
fn release(waiting: &mut Vec<StoredUnit>, out: &mut Vec<StoredUnit>, ready: impl Fn(&StoredUnit) -> bool) {
    waiting.sort_by_key(|unit| std::cmp::Reverse((unit.time_ms, unit.seq)));
    while waiting.last().is_some_and(&ready) {
        out.extend(waiting.pop());
    }
}

/// A command history row whose columns from `first` are time, command id, principal, command,
/// arguments, bytes, digest, state and detail.
fn command_record(row: &Row<'_>, first: usize) -> rusqlite::Result<CommandRecord> {
    Ok(CommandRecord {
        time_ms: unkey(row.get(first)?),
        id: row.get(first + 1)?,
        principal: row.get(first + 2)?,
        command: row.get(first + 3)?,
        arguments_json: row.get(first + 4)?,
        bytes: row.get(first + 5)?,
        digest: row.get(first + 6)?,
        state: row.get(first + 7)?,
        detail: row.get(first + 8)?,
    })
}
