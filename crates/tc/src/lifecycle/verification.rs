//! The verification of one sent command (or of the TC[11,4] that schedules it on board):
//! its expectations, what came, and what timed out.

use super::stages::{Evidence, Expectation, StageOutcome, StageStatus};
use super::telemetry::{changed, holds, TelemetryCheck, Values};
use super::State;
use base::hex;
use model::{QualifiedName, WindowAnchor};
use std::collections::BTreeSet;
use tm::pus::{VerificationReport, VerificationStage};

/// Whose stages a verification follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// A command executed as it is sent; windows count from sending.
    Command,
    /// The TC[11,4] that puts a command in the on-board schedule; windows count from sending.
    Schedule { release_at_ms: u64 },
    /// A command scheduled on board; windows count from its on-board release.
    Execution,
}

impl Role {
    fn prefix(self) -> &'static str {
        match self {
            Role::Command => "",
            Role::Schedule { .. } => "on-board schedule ",
            Role::Execution => "on-board execution ",
        }
    }

    fn anchor(self) -> &'static str {
        match self {
            Role::Command | Role::Schedule { .. } => "sending",
            Role::Execution => "the on-board release",
        }
    }
}

/// A transition verification causes.
pub(super) struct Step {
    pub state: State,
    pub detail: String,
    /// Whether the command's life ends with it whatever else is pending (failure, timeout).
    pub ends: bool,
}

#[derive(Clone, Debug)]
struct Slot {
    expectation: Expectation,
    outcome: StageOutcome,
    /// For a parameter change: the engineering value it changes from.
    baseline: Option<f64>,
}

#[derive(Clone, Debug)]
pub(super) struct Verification {
    role: Role,
    /// What `CommandRelease` windows count from.
    anchor_ms: u64,
    slots: Vec<Slot>,
}

impl Verification {
    /// Waiting for `expected`, with windows counted from `anchor_ms`.
    pub fn new(expected: &[Expectation], anchor_ms: u64, role: Role) -> Self {
        let slots = expected
            .iter()
            .map(|expectation| Slot {
                expectation: expectation.clone(),
                outcome: StageOutcome::Pending,
                baseline: None,
            })
            .collect();
        Verification { role, anchor_ms, slots }
    }

    /// Whether every expectation passed (true when there are none).
    pub fn is_done(&self) -> bool {
        self.slots.iter().all(|slot| matches!(slot.outcome, StageOutcome::Passed { .. }))
    }

    /// What it still waits for.
    pub fn pending_labels(&self) -> Vec<String> {
        let pending = self.slots.iter().filter(|slot| slot.outcome == StageOutcome::Pending);
        pending.map(|slot| format!("{}{}", self.role.prefix(), slot.expectation.label())).collect()
    }

    /// The expectations and what became of them.
    pub fn statuses(&self) -> Vec<StageStatus> {
        (0..self.slots.len())
            .map(|idx| StageStatus {
                stage: self.slots[idx].expectation.stage,
                label: format!("{}{}", self.role.prefix(), self.slots[idx].expectation.label()),
                deadline_ms: self.deadline_ms(idx),
                outcome: self.slots[idx].outcome,
            })
            .collect()
    }

    /// Whether a telemetry check is pending.
    pub fn watches(&self) -> bool {
        self.slots.iter().any(|slot| {
            slot.outcome == StageOutcome::Pending && matches!(slot.expectation.evidence, Evidence::Telemetry { .. })
        })
    }

    /// Adds the parameters pending telemetry checks read.
    pub fn watched(&self, names: &mut BTreeSet<QualifiedName>) {
        for slot in self.slots.iter().filter(|slot| slot.outcome == StageOutcome::Pending) {
            if let Evidence::Telemetry { check, .. } = &slot.expectation.evidence {
                names.extend(check.parameters().into_iter().cloned());
            }
        }
    }

    /// Records the values parameter changes count from.
    pub fn capture(&mut self, values: Values<'_>) {
        for slot in &mut self.slots {
            if let Evidence::Telemetry { check: TelemetryCheck::Change { parameter, .. }, .. } =
                &slot.expectation.evidence
            {
                slot.baseline = values(parameter).and_then(|value| value.eng);
            }
        }
    }

    /// Marks every pending expectation passed (a later stage showed they must have).
    pub fn imply_all(&mut self, time_ms: u64) {
        for slot in &mut self.slots {
            if slot.outcome == StageOutcome::Pending {
                slot.outcome = StageOutcome::Passed { time_ms };
            }
        }
    }

    /// When `CommandRelease` windows of slot `idx` open, or the previous slot passed.
    fn window_anchor_ms(&self, idx: usize) -> Option<u64> {
        match (self.slots[idx].expectation.window.anchor, idx.checked_sub(1)) {
            (WindowAnchor::CommandRelease, _) | (WindowAnchor::LastVerifier, None) => Some(self.anchor_ms),
            (WindowAnchor::LastVerifier, Some(previous)) => match self.slots[previous].outcome {
                StageOutcome::Passed { time_ms } => Some(time_ms),
                _ => None,
            },
        }
    }

    /// The last time slot `idx` may pass, once its anchor is known.
    fn deadline_ms(&self, idx: usize) -> Option<u64> {
        let stop_ms = self.slots[idx].expectation.window.stop_ms;
        self.window_anchor_ms(idx).map(|anchor_ms| anchor_ms.saturating_add(stop_ms))
    }

    /// The state a pass of `stage` moves the command to.
    fn pass_state(&self, stage: VerificationStage) -> State {
        match (self.role, stage) {
            (Role::Schedule { .. }, _) => State::Accepted,
            (_, VerificationStage::Acceptance) => State::Accepted,
            (_, VerificationStage::Start) => State::Started,
            (_, VerificationStage::Progress) => State::Progress,
            (_, VerificationStage::Completion) => State::Completed,
        }
    }

    /// Applies a PUS 1 report about this command.
    pub fn report(&mut self, report: &VerificationReport, time_ms: u64) -> Step {
        let prefix = self.role.prefix();
        let name = report.stage.as_str();
        let position = self
            .slots
            .iter()
            .position(|slot| slot.expectation.evidence == Evidence::Report && slot.expectation.stage == report.stage);
        if !report.success {
            if let Some(idx) = position {
                self.slots[idx].outcome = StageOutcome::Failed { time_ms, failure_code: report.failure_code };
            }
            let code = report.failure_code.map_or_else(|| "no failure code".to_string(), |code| format!("code {code}"));
            let data = if report.failure_data.is_empty() {
                String::new()
            } else {
                format!(", data {}", hex(&report.failure_data))
            };
            return Step { state: State::Failed, detail: format!("{prefix}{name} failed: {code}{data}"), ends: true };
        }
        if report.stage == VerificationStage::Progress {
            let detail = report.step.map_or_else(|| "progress".to_string(), |step| format!("step {step}"));
            return Step { state: self.pass_state(report.stage), detail: format!("{prefix}{detail}"), ends: false };
        }
        let repeated = position.is_some_and(|idx| matches!(self.slots[idx].outcome, StageOutcome::Passed { .. }));
        let mut detail = format!("{prefix}{name} reported");
        if repeated {
            detail.push_str(" again");
        } else {
            // A report of a stage implies the earlier reports passed, whether or not they came;
            // telemetry and replies are not implied: they check something reports do not.
            let mut implied = Vec::new();
            for slot in &mut self.slots {
                let expectation = &slot.expectation;
                if slot.outcome == StageOutcome::Pending
                    && expectation.evidence == Evidence::Report
                    && expectation.stage <= report.stage
                {
                    slot.outcome = StageOutcome::Passed { time_ms };
                    if expectation.stage != report.stage {
                        implied.push(expectation.stage.as_str());
                    }
                }
            }
            if !implied.is_empty() {
                detail.push_str(&format!(" (implies {})", implied.join(", ")));
            }
            if position.is_none() {
                detail.push_str(" (not expected)");
            }
        }
        if let (Role::Schedule { release_at_ms }, VerificationStage::Completion) = (self.role, report.stage) {
            detail.push_str(&format!(": on board, executes at {release_at_ms} ms"));
        }
        Step { state: self.pass_state(report.stage), detail, ends: false }
    }

    /// Whether a pending reply expectation waits for TM[`service`,`subtype`].
    pub fn wants_reply(&self, service: u8, subtype: u8) -> bool {
        self.slots.iter().any(|slot| {
            slot.outcome == StageOutcome::Pending && slot.expectation.evidence == Evidence::Reply { service, subtype }
        })
    }

    /// Applies a reply TM[`service`,`subtype`]; `None` when none is expected.
    pub fn reply(&mut self, service: u8, subtype: u8, time_ms: u64) -> Option<Step> {
        let idx = self.slots.iter().position(|slot| {
            slot.outcome == StageOutcome::Pending && slot.expectation.evidence == Evidence::Reply { service, subtype }
        })?;
        self.slots[idx].outcome = StageOutcome::Passed { time_ms };
        let expectation = &self.slots[idx].expectation;
        let detail = format!("{}{} received", self.role.prefix(), expectation.label());
        Some(Step { state: self.pass_state(expectation.stage), detail, ends: false })
    }

    /// Evaluates the pending telemetry checks whose window is open at `time_ms`, in order (so
    /// that a pass opens the window of a check anchored on it), and returns their passes.
    pub fn telemetry(&mut self, values: Values<'_>, time_ms: u64) -> Vec<Step> {
        let mut steps = Vec::new();
        for idx in 0..self.slots.len() {
            let slot = &self.slots[idx];
            let Evidence::Telemetry { check, .. } = &slot.expectation.evidence else {
                continue;
            };
            if slot.outcome != StageOutcome::Pending {
                continue;
            }
            let (baseline, current) = match check {
                TelemetryCheck::Change { parameter, .. } => {
                    let current = values(parameter).and_then(|value| value.eng);
                    if slot.baseline.is_none() {
                        // Nothing was known at sending: the first value after it is the baseline.
                        self.slots[idx].baseline = current;
                        continue;
                    }
                    (slot.baseline, current)
                }
                TelemetryCheck::Criteria(_) => (None, None),
            };
            let window = &slot.expectation.window;
            let Some(anchor_ms) = self.window_anchor_ms(idx) else {
                continue;
            };
            if time_ms < anchor_ms.saturating_add(window.start_ms) || time_ms > anchor_ms.saturating_add(window.stop_ms)
            {
                continue;
            }
            let shown = match (check, baseline, current) {
                (TelemetryCheck::Criteria(criteria), _, _) => holds(criteria, values).then(String::new),
                (TelemetryCheck::Change { delta, .. }, Some(from), Some(to)) => {
                    changed(from, to, *delta).then(|| format!(": from {from} to {to}"))
                }
                (TelemetryCheck::Change { .. }, _, _) => None,
            };
            if let Some(shown) = shown {
                let expectation = &slot.expectation;
                let detail = format!("{}{} passed{shown}", self.role.prefix(), expectation.label());
                steps.push(Step { state: self.pass_state(expectation.stage), detail, ends: false });
                self.slots[idx].outcome = StageOutcome::Passed { time_ms };
            }
        }
        steps
    }

    /// Marks the first pending expectation whose window closed before `time_ms` as timed out.
    pub fn timeout(&mut self, time_ms: u64) -> Option<Step> {
        let idx = (0..self.slots.len()).find(|&idx| {
            self.slots[idx].outcome == StageOutcome::Pending
                && self.deadline_ms(idx).is_some_and(|deadline| time_ms > deadline)
        })?;
        let slot = &mut self.slots[idx];
        slot.outcome = StageOutcome::TimedOut { time_ms };
        let expectation = &slot.expectation;
        let anchor = match expectation.window.anchor {
            WindowAnchor::CommandRelease => self.role.anchor(),
            WindowAnchor::LastVerifier => "the previous stage",
        };
        let prefix = self.role.prefix();
        let missing = match &expectation.evidence {
            Evidence::Report => format!("no {prefix}{} report", expectation.stage.as_str()),
            Evidence::Reply { service, subtype } => format!("no {prefix}TM[{service},{subtype}] reply"),
            Evidence::Telemetry { .. } => format!("{prefix}{} did not pass", expectation.label()),
        };
        let window = &expectation.window;
        let within = match (&expectation.evidence, window.start_ms) {
            (Evidence::Telemetry { .. }, start_ms) if start_ms > 0 => {
                format!("between {start_ms} and {} ms", window.stop_ms)
            }
            _ => format!("within {} ms", window.stop_ms),
        };
        Some(Step { state: State::TimedOut, detail: format!("{missing} {within} of {anchor}"), ends: true })
    }
}
