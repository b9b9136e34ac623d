//! The spacecraft's side of a queue: verification reports and timeouts of sent commands.

use super::queue::{event, Queue, ReportMatch};
use super::stages::Step;
use super::{HistoryEvent, State, APPROVAL_VALID_MS};
use tm::pus::VerificationReport;

impl Queue {
    /// Applies a PUS 1 report to the sent command with its request id.
    pub fn report(&mut self, report: &VerificationReport, now_ms: u64) -> ReportMatch {
        let found =
            self.entries.iter().position(|entry| entry.command.request_id == report.request && entry.state.is_sent());
        let Some(idx) = found else {
            return ReportMatch::Unmatched(report.clone());
        };
        let time_ms = self.advance(now_ms);
        let Some(verification) = self.entries[idx].verification.as_mut() else {
            return ReportMatch::Unmatched(report.clone());
        };
        let step = verification.report(report, time_ms);
        ReportMatch::Matched(vec![self.apply(idx, step, time_ms)])
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
                Some(Step { state: State::Rejected, detail, finished: true })
            } else {
                entry.verification.as_mut().and_then(|verification| verification.timeout(time_ms))
            };
            match step {
                Some(step) => {
                    let finished = step.finished;
                    events.push(self.apply(idx, step, time_ms));
                    if !finished {
                        idx += 1;
                    }
                }
                None => idx += 1,
            }
        }
        events
    }

    /// Records a verification step of entry `idx`, removing it when its life is over.
    fn apply(&mut self, idx: usize, step: Step, time_ms: u64) -> HistoryEvent {
        let entry = &mut self.entries[idx];
        // A late report of an earlier stage is recorded but does not move the command back.
        if rank(step.state) >= rank(entry.state) {
            entry.state = step.state;
        }
        let id = entry.command.id;
        if step.finished {
            self.entries.remove(idx);
        }
        event(id, time_ms, step.state, None, step.detail)
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
