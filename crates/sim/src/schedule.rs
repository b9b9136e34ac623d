//! PUS 11, time-based scheduling: TC[11,4] stores activities (the layout of
//! [`tc::pus11`]), `tick` releases each at its release time as if it had just been received,
//! TC[11,1]/TC[11,2] enable and disable the release, and TC[11,3] resets the schedule to its
//! start state (empty, enabled).
//!
//! Release times are CUC seconds from the epoch of the simulator's clock (`now_ms`), converted
//! with [`tc::pus11::CucTime::to_epoch_ms`] (rounded up to the millisecond). The schedule starts
//! enabled, so a TC[11,4] works without a TC[11,1] first (ECSS starts it disabled; a simulator
//! for ground tests favours the short path). While it is disabled nothing is released; the
//! activities that fell due meanwhile are released by the first `tick` after TC[11,1].

use crate::command::FAILURE_INVALID_DATA;
use crate::sim::Simulator;
use tc::pus::PusTcView;

/// The most activities the schedule holds; a TC[11,4] that would exceed it fails completion
/// with [`FAILURE_SCHEDULE_FULL`] and inserts nothing.
pub const SCHEDULE_MAX: usize = 256;
/// Completion failure code of a TC[11,4] with a release time before now (the Yamcs PUS
/// example's `SCHEDULE_TIME_IN_THE_PAST`).
pub const FAILURE_SCHEDULE_TIME_IN_THE_PAST: u64 = 4;
/// Completion failure code of a TC[11,4] whose activities do not fit the schedule.
pub const FAILURE_SCHEDULE_FULL: u64 = 5;

/// A stored activity: the request and when to release it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Activity {
    pub release_ms: u64,
    pub request: Vec<u8>,
}

impl Simulator {
    /// The activities waiting in the time-based schedule: (release time in ms, request bytes),
    /// in release order.
    pub fn scheduled(&self) -> Vec<(u64, &[u8])> {
        self.schedule.iter().map(|activity| (activity.release_ms, activity.request.as_slice())).collect()
    }

    /// Whether the time-based schedule releases activities (TC[11,1] enables, TC[11,2]
    /// disables).
    pub fn is_schedule_enabled(&self) -> bool {
        self.schedule_enabled
    }

    /// Answers a TC[11,1] to TC[11,4], already past the command checks.
    pub(crate) fn time_based_schedule(&mut self, tc: &PusTcView, request: &[u8], now_ms: u64, out: &mut Vec<Vec<u8>>) {
        let apid = tc.apid;
        let mut activities = Vec::new();
        if tc.subtype == tc::pus11::SUBTYPE_INSERT {
            match read_activities(&tc.app_data) {
                Some(read) => activities = read,
                None => {
                    let report = self.verification(apid, request, 2, Some(FAILURE_INVALID_DATA), now_ms);
                    self.send(report, now_ms, out);
                    return;
                }
            }
        }
        let wants = |bit: u8| tc.ack_flags & bit != 0;
        if wants(0b1000) {
            let report = self.verification(apid, request, 1, None, now_ms);
            self.send(report, now_ms, out);
        }
        if wants(0b0100) {
            let report = self.verification(apid, request, 3, None, now_ms);
            self.send(report, now_ms, out);
        }
        let failure = if activities.iter().any(|activity| activity.release_ms < now_ms) {
            Some(FAILURE_SCHEDULE_TIME_IN_THE_PAST)
        } else if self.schedule.len() + activities.len() > SCHEDULE_MAX {
            Some(FAILURE_SCHEDULE_FULL)
        } else {
            None
        };
        if let Some(code) = failure {
            let report = self.verification(apid, request, 8, Some(code), now_ms);
            self.send(report, now_ms, out);
            return;
        }
        match tc.subtype {
            1 => self.schedule_enabled = true,
            2 => self.schedule_enabled = false,
            3 => {
                self.schedule.clear();
                self.schedule_enabled = true;
            }
            _ => {}
        }
        for activity in activities {
            // After every activity due at the same time or earlier: equal times keep their order.
            let at = self.schedule.partition_point(|stored| stored.release_ms <= activity.release_ms);
            self.schedule.insert(at, activity);
        }
        if wants(0b0001) {
            let report = self.verification(apid, request, 7, None, now_ms);
            self.send(report, now_ms, out);
        }
    }

    /// Executes the activities due at `now_ms` (when the schedule is enabled), in release order,
    /// each exactly as a telecommand received now; returns what they answered.
    pub(crate) fn release_due(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        if !self.schedule_enabled {
            return Vec::new();
        }
        let due = self.schedule.partition_point(|activity| activity.release_ms <= now_ms);
        let released: Vec<Activity> = self.schedule.drain(..due).collect();
        released.iter().flat_map(|activity| self.telecommand(&activity.request, now_ms)).collect()
    }
}

/// The activities of a TC[11,4], each request a whole PUS-C telecommand; `None` when the
/// layout or any request is malformed.
fn read_activities(app_data: &[u8]) -> Option<Vec<Activity>> {
    let activities = tc::pus11::parse_insert_activity(app_data).ok()?;
    activities
        .into_iter()
        .map(|(release_time, request)| {
            tc::pus::parse_pus_tc(&request).ok()?;
            Some(Activity { release_ms: release_time.to_epoch_ms(), request })
        })
        .collect()
}
