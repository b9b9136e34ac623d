//! The spacecraft's side of a queue: verification reports, service replies, telemetry and
//! timeouts of sent commands.

use super::queue::{event, Queue, ReportMatch};
use super::stages::Evidence;
use super::telemetry::Values;
use super::verification::{Step, Verification};
use super::{HistoryEvent, State, APPROVAL_VALID_MS};
use model::QualifiedName;
use std::collections::BTreeSet;
use tm::pus::VerificationReport;

impl Queue {
    /// Applies a PUS 1 report to the sent command with its request id (for a command
    /// scheduled on board: the wrapper's, or the inner command's).
    pub fn report(&mut self, report: &VerificationReport, now_ms: u64) -> ReportMatch {
        let found = self
            .entries
            .iter()
            .position(|entry| entry.state.is_sent() && entry.request_ids().any(|request| request == report.request));
        let Some(idx) = found else {
            return ReportMatch::Unmatched(report.clone());
        };
        let time_ms = self.advance(now_ms);
        let entry = &mut self.entries[idx];
        let about_wrapper = entry.command.scheduled.is_some() && entry.command.request_id == report.request;
        let verification = if about_wrapper {
            entry.schedule.as_mut()
        } else {
            // Any report of the on-board execution shows the command was in the schedule.
            if let Some(schedule) = entry.schedule.as_mut() {
                schedule.imply_all(time_ms);
            }
            entry.verification.as_mut()
        };
        let Some(verification) = verification else {
            return ReportMatch::Unmatched(report.clone());
        };
        let step = verification.report(report, time_ms);
        ReportMatch::Matched(vec![self.apply(idx, step, time_ms).0])
    }

    /// Applies a reply TM[`service`,`subtype`] from `apid` that names no request (TM[17,2] to
    /// a TC[17,1]): it goes to the earliest sent command to that APID waiting for it. `None`
    /// when no command waits for it.
    pub fn service_reply(&mut self, apid: u16, service: u8, subtype: u8, now_ms: u64) -> Option<Vec<HistoryEvent>> {
        let idx = (0..self.entries.len())
            .filter(|&idx| {
                let entry = &self.entries[idx];
                let target = entry.command.scheduled.as_ref().map_or(entry.command.request_id, |s| s.inner_request_id);
                entry.state.is_sent()
                    && target.apid() == apid
                    && entry.verification.as_ref().is_some_and(|v| v.wants_reply(service, subtype))
            })
            .min_by_key(|&idx| (self.entries[idx].sent_ms, idx))?;
        let time_ms = self.advance(now_ms);
        let entry = &mut self.entries[idx];
        if let Some(schedule) = entry.schedule.as_mut() {
            schedule.imply_all(time_ms);
        }
        let step = entry.verification.as_mut()?.reply(service, subtype, time_ms)?;
        Some(vec![self.apply(idx, step, time_ms).0])
    }

    /// Whether any live command waits for telemetry: when not, [`Queue::telemetry`] has
    /// nothing to do.
    pub fn watches_telemetry(&self) -> bool {
        self.entries.iter().any(|entry| entry.verifications().any(Verification::watches))
    }

    /// The parameters the pending telemetry checks of live commands read, including those of
    /// commands not yet sent (whose parameter changes count from the value at sending). It
    /// changes only when a call of this queue returns events.
    pub fn watched_parameters(&self) -> Vec<QualifiedName> {
        let mut names = BTreeSet::new();
        for entry in &self.entries {
            if entry.verification.is_some() {
                entry.verifications().for_each(|verification| verification.watched(&mut names));
                continue;
            }
            let scheduled = entry.command.scheduled.iter().flat_map(|scheduled| &scheduled.wrapper_expected);
            for expectation in entry.command.expected.iter().chain(scheduled) {
                if let Evidence::Telemetry { check, .. } = &expectation.evidence {
                    names.extend(check.parameters().into_iter().cloned());
                }
            }
        }
        names.into_iter().collect()
    }

    /// Evaluates the telemetry checks of sent commands whose window is open at `now_ms`, over
    /// the latest parameter values; call it after each packet that updated a watched
    /// parameter. Telemetry before a window's start does not count; a value that came before
    /// and still is the latest counts at the first call inside the window.
    pub fn telemetry(&mut self, values: Values<'_>, now_ms: u64) -> Vec<HistoryEvent> {
        if !self.watches_telemetry() {
            return Vec::new();
        }
        let time_ms = self.advance(now_ms);
        let mut events = Vec::new();
        let mut idx = 0;
        while idx < self.entries.len() {
            let entry = &mut self.entries[idx];
            let mut steps = Vec::new();
            if let Some(schedule) = entry.schedule.as_mut().filter(|schedule| schedule.watches()) {
                steps.extend(schedule.telemetry(values, time_ms));
            }
            if let Some(verification) = entry.verification.as_mut().filter(|verification| verification.watches()) {
                let passed = verification.telemetry(values, time_ms);
                if let (false, Some(schedule)) = (passed.is_empty(), entry.schedule.as_mut()) {
                    schedule.imply_all(time_ms);
                }
                steps.extend(passed);
            }
            let mut finished = false;
            for step in steps {
                let (event, ends) = self.apply(idx, step, time_ms);
                events.push(event);
                if ends {
                    finished = true;
                    break;
                }
            }
            if !finished {
                idx += 1;
            }
        }
        events
    }

    /// Times out stages whose window closed before `now_ms`, and rejects hazardous commands
    /// whose approval window closed.
    pub fn tick(&mut self, now_ms: u64) -> Vec<HistoryEvent> {
        let time_ms = self.advance(now_ms);
        let mut events = Vec::new();
        let mut idx = 0;
        while idx < self.entries.len() {
            let entry = &mut self.entries[idx];
            let step = if entry.state == State::PendingApproval
                && time_ms >= entry.requested_ms.saturating_add(APPROVAL_VALID_MS)
            {
                let detail = format!("no approval within {APPROVAL_VALID_MS} ms of the request");
                Some(Step { state: State::Rejected, detail, ends: true })
            } else {
                let schedule = entry.schedule.as_mut().and_then(|schedule| schedule.timeout(time_ms));
                schedule.or_else(|| entry.verification.as_mut().and_then(|verification| verification.timeout(time_ms)))
            };
            match step {
                Some(step) => {
                    let (event, finished) = self.apply(idx, step, time_ms);
                    events.push(event);
                    if !finished {
                        idx += 1;
                    }
                }
                None => idx += 1,
            }
        }
        events
    }

    /// Records a verification step of entry `idx`, removing it when its life is over (a
    /// failure, a timeout, or every expectation passed); returns whether it was.
    fn apply(&mut self, idx: usize, step: Step, time_ms: u64) -> (HistoryEvent, bool) {
        let entry = &mut self.entries[idx];
        let finished = step.ends || entry.is_done();
        let (mut state, mut detail) = (step.state, step.detail);
        if state == State::Completed && !finished {
            // Completion with something else pending (telemetry, a reply): not over yet.
            state = State::Progress;
            detail.push_str(&format!("; waiting for {}", entry.pending_labels().join(", ")));
        }
        // A late report of an earlier stage is recorded but does not move the command back.
        if rank(state) >= rank(entry.state) {
            entry.state = state;
        }
        let id = entry.command.id;
        if finished {
            self.entries.remove(idx);
        }
        (event(id, time_ms, state, None, detail), finished)
    }
}

/// The order of the states a sent command passes through.
fn rank(state: State) -> u8 {
    match state {
        State::Sent => 1,
        State::Accepted => 2,
        State::Started => 3,
        State::Progress => 4,
        _ if state.is_final() => 5,
        _ => 0,
    }
}
