//! What the ingest thread publishes at each commit: stored totals (once durable), link
//! states, open alarms, counters.

use super::{Decoding, LinkState, Shared, ACTIVE_WINDOW_MS, RETENTION_EVERY_MS};
use crate::convert;
use crate::durable::Durability;
use crate::Clock;
use api::wire::{LinkStatus, OpenAlarmDto, StoredTotals};
use ccsds::LinkCounters;
use tm::alarms::AlarmPhase;
use tm::link::Link;

impl Decoding<'_> {
    /// Commits everything received and asks the syncer to make it durable (it publishes the
    /// totals once the disk has them); flushes live streams.
    pub(super) fn commit(&mut self, shared: &Shared, durability: &Durability, clock: &Clock) {
        let started_ms = clock();
        let admitted = self.core.hub.admit(&shared.inbox);
        let stored = match self.core.writer.commit_unsynced() {
            Ok(stored) => Some(stored),
            Err(error) => {
                // Nothing is reported stored; the data stays buffered and the next commit retries.
                self.core.commit_failures += 1;
                tracing::error!(%error, "archive commit failed; retrying at the next tick");
                None
            }
        };
        let now_ms = clock();
        if self.core.last_retention_ms.is_none_or(|last| now_ms.saturating_sub(last) >= RETENTION_EVERY_MS) {
            self.core.last_retention_ms = Some(now_ms);
            match self.core.writer.apply_retention(now_ms) {
                Ok(report) => tracing::info!(?report, "retention applied"),
                Err(error) => tracing::error!(%error, "retention failed; retrying in an hour"),
            }
        }
        self.core.commits += 1;
        self.core.commit_ms_last = now_ms.saturating_sub(started_ms);
        self.core.last_commit_ms = now_ms;
        let links: Vec<LinkStatus> = self.links.iter().map(|state| link_status(state, now_ms)).collect();
        // New subscribers get every link's state; the others only what changed.
        for (idx, link) in links.iter().enumerate() {
            if admitted > 0 || self.core.links_published.get(idx) != Some(link) {
                self.core.hub.link(link);
            }
        }
        self.core.links_published.clone_from(&links);
        self.core.hub.flush(now_ms);
        if let Some(stored) = stored {
            durability.request(stored);
        }
        let mut status = shared.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        status.links = links;
        status.open_alarms = self.open_alarms();
        status.pending_units = self.core.writer.pending().units;
        status.packets_in = self.core.packets_in;
        status.samples_in = self.core.samples_in;
        status.commits = self.core.commits;
        status.commit_failures = self.core.commit_failures;
        status.commit_ms_last = self.core.commit_ms_last;
        status.live_subscribers = self.core.hub.len();
        status.live_dropped = self.core.hub.dropped_total;
        status.live_disconnected = self.core.hub.disconnected_total;
        status.commands_live = self.core.book.len();
        status.command_release = match self.core.book.mode() {
            tc::lifecycle::ReleaseMode::Automatic => "automatic",
            tc::lifecycle::ReleaseMode::Manual => "manual",
        };
        status.reports_unmatched = self.core.book.unmatched_reports;
    }

    fn open_alarms(&self) -> Vec<OpenAlarmDto> {
        self.core
            .board
            .open()
            .map(|alarm| OpenAlarmDto {
                parameter: convert::series_name(self.plan, alarm.parameter, 0).unwrap_or_default(),
                phase: match alarm.phase {
                    AlarmPhase::Active => "active",
                    AlarmPhase::Acknowledged => "acknowledged",
                    AlarmPhase::Cleared => "cleared",
                }
                .to_string(),
                level: convert::level_name(alarm.level).to_string(),
                worst: convert::level_name(alarm.worst).to_string(),
                raised_ms: alarm.raised_ms,
                acknowledged_by: alarm.acknowledged.as_ref().map(|(by, _)| by.clone()),
            })
            .collect()
    }
}

/// The archive's totals on the wire.
pub fn totals(stored: &archive::Stored) -> StoredTotals {
    StoredTotals {
        units: stored.units,
        samples: stored.samples,
        events: stored.events,
        alarms: stored.alarms,
        commands: stored.commands,
        last_unit_ms: stored.last_unit_ms,
    }
}

pub(super) fn add_counters(total: &mut LinkCounters, more: &LinkCounters) {
    total.units_in += more.units_in;
    total.bytes_in += more.bytes_in;
    total.packets_out += more.packets_out;
    total.idle_frames += more.idle_frames;
    total.idle_packets += more.idle_packets;
    total.gaps += more.gaps;
    total.frames_lost += more.frames_lost;
    for (reason, n) in &more.invalid {
        *total.invalid.entry(*reason).or_default() += n;
    }
}

fn link_status(state: &LinkState<Link<'_>>, now_ms: u64) -> LinkStatus {
    let mut counters = state.closed.clone();
    for link in state.links.values() {
        add_counters(&mut counters, &link.counters());
    }
    let active = match state.spec.transport {
        crate::Transport::Tcp => !state.links.is_empty(),
        crate::Transport::Udp => state.last_data_ms.is_some_and(|t| now_ms.saturating_sub(t) < ACTIVE_WINDOW_MS),
    };
    LinkStatus {
        name: state.spec.name.clone(),
        transport: state.spec.transport.as_str().to_string(),
        address: state.spec.address.clone(),
        framing: crate::framing_name(state.spec.framing).to_string(),
        active,
        units_in: counters.units_in,
        bytes_in: counters.bytes_in,
        invalid: counters.invalid.iter().map(|(reason, n)| (reason.as_str().to_string(), *n)).collect(),
        gaps: counters.gaps,
    }
}
