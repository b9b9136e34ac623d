//! The archive's one writer: samples, units and records are buffered in memory (encoded as
//! they come) and made durable together by `commit`, one SQLite transaction with fsync.

mod backfill;
mod commit;
mod load;
mod retention;
mod series;
mod slice;
mod sync;
mod units;

pub(crate) use load::{open, read_totals};
pub use series::series_name;
pub use sync::{Syncer, CHECKPOINT_WAL_BYTES};
pub(crate) use units::{apid_of, kind_from_code, BLOCK_SPAN_MS_MAX};

use crate::codec::alarms::AlarmIn;
use crate::codec::block::UnitIn;
use crate::records::level_code;
use crate::records::{CommandRecord, EventRecord};
use crate::{ArchiveError, ArchiveOptions, BackfillReport, Pending, RetentionReport, Stored};
use model::AlarmLevel;
use rusqlite::Connection;
use series::{PlanCache, Series, SKIP, UNRESOLVED};
use std::collections::HashMap;
use std::path::PathBuf;
use tm::alarms::AlarmChange;
use tm::link::ReceivedUnit;
use tm::{ContainerId, Plan, Sample};
use units::UnitGroup;

/// The writer of one archive; there is one at a time (a second `open` gets `Busy`).
///
/// Samples from one plan are mapped to series through a cache keyed by the plan's address:
/// pass the same `Plan` while it lives, and call `forget_plan` before passing a new plan
/// that may sit where a dropped one was.
pub struct Writer {
    conn: Connection,
    path: PathBuf,
    /// Held (locked) while the writer lives.
    _lock: std::fs::File,
    options: ArchiveOptions,
    series: Vec<Series>,
    series_by_name: HashMap<String, u32>,
    next_series_id: i64,
    dirty_series: Vec<u32>,
    cache: PlanCache,
    groups: Vec<Option<UnitGroup>>,
    dirty_groups: Vec<u32>,
    links: HashMap<String, u32>,
    new_links: Vec<(u32, String)>,
    last_link: Option<(String, u32)>,
    next_seq: u64,
    events: Vec<EventRecord>,
    /// Alarm changes of the coming block, and the names they index.
    alarms: Vec<AlarmIn>,
    alarm_names: Vec<String>,
    /// Parameter id (of the current plan) → index in `alarm_names` + 1 (0: none yet).
    alarm_name_of: Vec<u32>,
    commands: Vec<CommandRecord>,
    /// The worst level of each open alarm (by parameter id of the current plan), for the
    /// records of its later changes. Not kept across restarts: those records then say Normal.
    alarm_levels: Vec<Option<AlarmLevel>>,
    /// The syncer `commit` uses (made on first use).
    own_syncer: Option<Syncer>,
    stored: Stored,
    pending: Pending,
    pending_last_unit_ms: Option<u64>,
}

impl Writer {
    /// Every received unit, raw. `link` is the link's name in the deployment config.
    pub fn unit(&mut self, link: &str, unit: &ReceivedUnit<'_>) {
        let link = self.link_id(link);
        let (group_idx, apid) = units::group_of(unit);
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = &mut self.groups[group_idx as usize];
        let group = slot.get_or_insert_with(|| UnitGroup { apid, ..UnitGroup::default() });
        let kind = units::kind_code(unit.kind);
        group.push(&UnitIn { seq, time_ms: unit.reception_ms, link, kind, invalid: unit.invalid, bytes: unit.bytes });
        if !group.dirty {
            group.dirty = true;
            self.dirty_groups.push(group_idx);
        }
        self.pending.units += 1;
        self.pending_last_unit_ms = self.pending_last_unit_ms.max(Some(unit.reception_ms));
    }

    /// A decoded packet's samples (time of each sample = `reception_ms`).
    pub fn packet(
        &mut self,
        plan: &Plan,
        reception_ms: u64,
        container: ContainerId,
        packet: &[u8],
        samples: &[Sample],
    ) {
        let _ = container;
        let address = plan as *const Plan as usize;
        if address != self.cache.plan {
            self.cache = PlanCache { plan: address, ..PlanCache::default() };
        }
        let segment_samples_max = self.options.segment_samples_max.max(1);
        let mut accepted = 0;
        for sample in samples {
            let mut idx = self.cache.get(sample);
            if idx == UNRESOLVED {
                idx = self.resolve(plan, sample);
            }
            if idx == SKIP {
                continue;
            }
            let series = &mut self.series[idx as usize];
            series.push(reception_ms, sample, packet, segment_samples_max);
            if !series.dirty {
                series.dirty = true;
                self.dirty_series.push(idx);
            }
            accepted += 1;
        }
        self.pending.samples += accepted;
    }

    /// Drops the plan cache: the next `packet` looks its series up again.
    pub fn forget_plan(&mut self) {
        self.cache = PlanCache::default();
        self.alarm_name_of.clear();
        self.alarm_levels.clear();
    }

    /// Looks up (or creates) the series of a sample under `plan` and caches it.
    #[cold]
    fn resolve(&mut self, plan: &Plan, sample: &Sample) -> u32 {
        let Some(name) = series::series_name(plan, sample.parameter, sample.element) else {
            self.cache.set(sample, SKIP);
            return SKIP;
        };
        let idx = match self.series_by_name.get(&name) {
            Some(&idx) => idx,
            None => {
                // Invariant: fewer than u32::MAX - 1 series (names come from a model).
                let idx = self.series.len() as u32;
                self.series.push(Series::new(self.next_series_id, name.clone()));
                self.next_series_id += 1;
                self.series_by_name.insert(name, idx);
                idx
            }
        };
        let text = plan.parameter(sample.parameter).is_some_and(|info| info.text);
        self.series[idx as usize].adopt(series::labels(plan, sample), text);
        self.cache.set(sample, idx);
        idx
    }

    fn link_id(&mut self, link: &str) -> u32 {
        if let Some((name, id)) = &self.last_link {
            if name == link {
                return *id;
            }
        }
        let id = match self.links.get(link) {
            Some(&id) => id,
            None => {
                let id = self.links.len() as u32 + 1;
                self.links.insert(link.to_string(), id);
                self.new_links.push((id, link.to_string()));
                id
            }
        };
        self.last_link = Some((link.to_string(), id));
        id
    }

    /// An event record.
    pub fn event(&mut self, record: &EventRecord) {
        self.events.push(record.clone());
        self.pending.events += 1;
    }

    /// An alarm change; the series is named through `plan`.
    pub fn alarm(&mut self, plan: &Plan, change: &AlarmChange) {
        let (parameter, time_ms, change_code, new_level, by) = match change {
            AlarmChange::Raised { parameter, level, time_ms } => (parameter, time_ms, 0, Some(*level), None),
            AlarmChange::LevelChanged { parameter, to, time_ms, .. } => (parameter, time_ms, 1, Some(*to), None),
            AlarmChange::Acknowledged { parameter, by, time_ms } => (parameter, time_ms, 2, None, Some(by.clone())),
            AlarmChange::Cleared { parameter, time_ms } => (parameter, time_ms, 3, None, None),
            AlarmChange::Closed { parameter, time_ms } => (parameter, time_ms, 4, None, None),
        };
        let id = parameter.0 as usize;
        if id >= self.alarm_levels.len() {
            self.alarm_levels.resize(id + 1, None);
            self.alarm_name_of.resize(id + 1, 0);
        }
        let known = &mut self.alarm_levels[id];
        let level = match (change, new_level) {
            (AlarmChange::Raised { .. }, Some(level)) => {
                *known = Some(level);
                level
            }
            (_, Some(level)) => {
                *known = Some(known.unwrap_or(AlarmLevel::Normal).max(level));
                level
            }
            _ => known.unwrap_or(AlarmLevel::Normal),
        };
        if matches!(change, AlarmChange::Closed { .. }) {
            *known = None;
        }
        let name = match self.alarm_name_of[id] {
            0 => {
                let text = match plan.parameter(*parameter) {
                    Some(info) => info.name.to_string(),
                    None => format!("#{id}"),
                };
                self.alarm_names.push(text);
                self.alarm_name_of[id] = self.alarm_names.len() as u32;
                self.alarm_names.len() as u32 - 1
            }
            name => name - 1,
        };
        self.alarms.push(AlarmIn { time_ms: *time_ms, name, change: change_code, level: level_code(level), by });
        self.pending.alarms += 1;
    }

    /// A command's state change.
    pub fn command(&mut self, record: &CommandRecord) {
        self.commands.push(record.clone());
        self.pending.commands += 1;
    }

    /// Makes everything passed in so far durable (one SQLite transaction, fsync) and returns
    /// the cumulative totals that are now durable. On error nothing is lost from memory: the
    /// next commit tries again.
    pub fn commit(&mut self) -> Result<Stored, ArchiveError> {
        let stored = commit::commit(self)?;
        self.sync_own()?;
        Ok(stored)
    }

    /// Replaces the parameter samples of [from_ms, to_ms) by those decoded from `packets`
    /// (reception time, packet bytes) with `plan`, in one transaction made durable before it
    /// returns; raw units, events, alarms and commands are not touched.
    ///
    /// Every packet's time must lie in the range (else `PacketOutsideRange` naming the first
    /// that does not) and the range must not be empty (else `BadRange`); then nothing changes.
    /// What is pending is committed first. Then, in one transaction: every series loses its
    /// samples in the range (segments inside are deleted, segments across an edge are written
    /// again without them, an open segment touched becomes sealed and the next `packet` starts
    /// a new one); the packets are decoded in order with a fresh `tm::Processor` (a packet
    /// that does not decode is counted in `undecodable` and skipped) and their samples, in
    /// time order, written as sealed segments of the series named as `packet` names them,
    /// created when new. A series whose segments may then overlap in time is marked so, and
    /// reads stay in time order. `Stored::samples` becomes the previous total less what was
    /// removed plus what was added. On error the archive and this writer are as before the
    /// transaction (what was pending stays committed). The plan cache of `packet` is left
    /// alone: `plan` may be any model version.
    pub fn backfill(
        &mut self,
        plan: &Plan,
        from_ms: u64,
        to_ms: u64,
        packets: &[(u64, &[u8])],
    ) -> Result<BackfillReport, ArchiveError> {
        let report = backfill::backfill(self, plan, from_ms, to_ms, packets)?;
        self.sync_own()?;
        Ok(report)
    }

    /// Makes every commit so far durable with the writer's own syncer (made on first use).
    fn sync_own(&mut self) -> Result<(), ArchiveError> {
        if self.own_syncer.is_none() {
            self.own_syncer = Some(self.syncer()?);
        }
        if let Some(syncer) = &mut self.own_syncer {
            syncer.sync()?;
        }
        Ok(())
    }

    /// Commits like `commit` but returns before the disk has the data: the returned totals
    /// are durable only once a `Syncer::sync` that started after this call has returned.
    /// Lets one thread fill the next batch while another waits for the disk.
    pub fn commit_unsynced(&mut self) -> Result<Stored, ArchiveError> {
        commit::commit(self)
    }

    /// A syncer for this archive (its own file handle and connection).
    pub fn syncer(&self) -> Result<Syncer, ArchiveError> {
        Syncer::open(&self.path)
    }

    /// Deletes what retention says is too old, relative to `now_ms`: whole sealed segments and
    /// blocks that end before the cut, and records before it. Totals stay cumulative.
    pub fn apply_retention(&mut self, now_ms: u64) -> Result<RetentionReport, ArchiveError> {
        retention::apply(self, now_ms)
    }

    /// Durable totals as of the last commit.
    pub fn stored(&self) -> Stored {
        self.stored
    }

    /// What is buffered in memory, not yet durable.
    pub fn pending(&self) -> Pending {
        self.pending
    }

    /// Copies the WAL back into the database file (call from the archive's thread between
    /// commits, so that automatic checkpoints do not lengthen a commit).
    pub fn checkpoint(&mut self) -> Result<(), ArchiveError> {
        use crate::error::SqlContext;
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).doing(&self.path, "checkpoint")
    }
}
