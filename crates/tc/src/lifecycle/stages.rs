//! Verification stages of a sent command: which to wait for, until when, and what came.

use super::{State, ACCEPTANCE_WINDOW_MS, COMPLETION_WINDOW_MS};
use base::hex;
use model::{CheckWindow, Verifier, VerifierStage, WindowAnchor};
use tm::pus::{VerificationReport, VerificationStage};

/// A verification stage a command waits for, and the window its report must come in.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub stage: VerificationStage,
    /// The report must come by `stop_ms` after the anchor: sending (`CommandRelease`) or the
    /// previous expected stage (`LastVerifier`). Reports before `start_ms` count too.
    pub window: CheckWindow,
}

impl Expectation {
    /// The stage with its default window, counted from sending.
    pub fn with_default_window(stage: VerificationStage) -> Self {
        let stop_ms = match stage {
            VerificationStage::Acceptance => ACCEPTANCE_WINDOW_MS,
            _ => COMPLETION_WINDOW_MS,
        };
        Expectation { stage, window: CheckWindow { start_ms: 0, stop_ms, anchor: WindowAnchor::CommandRelease } }
    }
}

/// What became of an expected stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageOutcome {
    Pending,
    /// Its report came, or a report of a later stage did.
    Passed {
        time_ms: u64,
    },
    Failed {
        time_ms: u64,
        failure_code: Option<u64>,
    },
    TimedOut {
        time_ms: u64,
    },
}

/// An expected stage of a command, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageStatus {
    pub stage: VerificationStage,
    /// The last time its report may come; `None` before the anchor is known.
    pub deadline_ms: Option<u64>,
    pub outcome: StageOutcome,
}

// PUS-C acknowledgement flags (4 bits): acceptance, start, progress, completion, from the top.
const ACK_ACCEPTANCE: u8 = 0b1000;
const ACK_START: u8 = 0b0100;
const ACK_COMPLETION: u8 = 0b0001;

/// The stages to wait for: those the PUS acknowledgement flags ask the spacecraft to report
/// (when given), else those the model's verifiers name, else acceptance and completion. A
/// stage takes its window from its verifier in the model, else a default. Progress is never
/// waited for: a command may have no steps.
pub fn expected_stages(ack_flags: Option<u8>, verifiers: &[Verifier]) -> Vec<Expectation> {
    use VerificationStage::*;
    let stages: Vec<VerificationStage> = match ack_flags {
        Some(flags) => [(ACK_ACCEPTANCE, Acceptance), (ACK_START, Start), (ACK_COMPLETION, Completion)]
            .into_iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|(_, stage)| stage)
            .collect(),
        None => {
            let mut stages: Vec<_> = verifiers.iter().filter_map(|verifier| pus_stage(verifier.stage)).collect();
            stages.sort();
            stages.dedup();
            if stages.is_empty() {
                vec![Acceptance, Completion]
            } else {
                stages
            }
        }
    };
    let window_in_model = |stage| verifiers.iter().find(|verifier| pus_stage(verifier.stage) == Some(stage));
    stages
        .into_iter()
        .map(|stage| match window_in_model(stage) {
            Some(verifier) => Expectation { stage, window: verifier.window.clone() },
            None => Expectation::with_default_window(stage),
        })
        .collect()
}

/// The PUS 1 stage that reports a model verifier's stage; `None` for ground stages.
fn pus_stage(stage: VerifierStage) -> Option<VerificationStage> {
    match stage {
        VerifierStage::Received | VerifierStage::Accepted => Some(VerificationStage::Acceptance),
        VerifierStage::Execution => Some(VerificationStage::Start),
        VerifierStage::Complete => Some(VerificationStage::Completion),
        VerifierStage::TransferredToRange
        | VerifierStage::SentFromRange
        | VerifierStage::Queued
        | VerifierStage::Failed => None,
    }
}

/// The stage's name in history details.
pub(super) fn stage_name(stage: VerificationStage) -> &'static str {
    match stage {
        VerificationStage::Acceptance => "acceptance",
        VerificationStage::Start => "start",
        VerificationStage::Progress => "progress",
        VerificationStage::Completion => "completion",
    }
}

/// A transition verification causes.
pub(super) struct Step {
    pub state: State,
    pub detail: String,
    /// Whether the command's life ends with it.
    pub finished: bool,
}

/// The verification of one sent command.
#[derive(Clone, Debug)]
pub(super) struct Verification {
    sent_ms: u64,
    stages: Vec<(Expectation, StageOutcome)>,
}

impl Verification {
    /// Waiting for `expected`, from sending at `sent_ms`.
    pub fn new(expected: &[Expectation], sent_ms: u64) -> Self {
        Verification {
            sent_ms,
            stages: expected.iter().map(|expectation| (expectation.clone(), StageOutcome::Pending)).collect(),
        }
    }

    /// Whether nothing is left to wait for (no stages expected at all).
    pub fn is_done(&self) -> bool {
        self.stages.iter().all(|(_, outcome)| matches!(outcome, StageOutcome::Passed { .. }))
    }

    /// The expected stages and what became of them.
    pub fn statuses(&self) -> Vec<StageStatus> {
        (0..self.stages.len())
            .map(|idx| StageStatus {
                stage: self.stages[idx].0.stage,
                deadline_ms: self.deadline_ms(idx),
                outcome: self.stages[idx].1,
            })
            .collect()
    }

    /// The last time the report of stage `idx` may come, once its anchor is known.
    fn deadline_ms(&self, idx: usize) -> Option<u64> {
        let window = &self.stages[idx].0.window;
        let anchor_ms = match (window.anchor, idx.checked_sub(1)) {
            (WindowAnchor::CommandRelease, _) | (WindowAnchor::LastVerifier, None) => Some(self.sent_ms),
            (WindowAnchor::LastVerifier, Some(previous)) => match self.stages[previous].1 {
                StageOutcome::Passed { time_ms } => Some(time_ms),
                _ => None,
            },
        };
        anchor_ms.map(|anchor_ms| anchor_ms.saturating_add(window.stop_ms))
    }

    /// Applies a report about this command.
    pub fn report(&mut self, report: &VerificationReport, time_ms: u64) -> Step {
        let name = stage_name(report.stage);
        let position = self.stages.iter().position(|(expectation, _)| expectation.stage == report.stage);
        if !report.success {
            if let Some(idx) = position {
                self.stages[idx].1 = StageOutcome::Failed { time_ms, failure_code: report.failure_code };
            }
            let code = report.failure_code.map_or_else(|| "no failure code".to_string(), |code| format!("code {code}"));
            let data = if report.failure_data.is_empty() {
                String::new()
            } else {
                format!(", data {}", hex(&report.failure_data))
            };
            return Step { state: State::Failed, detail: format!("{name} failed: {code}{data}"), finished: true };
        }
        if report.stage == VerificationStage::Progress {
            let detail = report.step.map_or_else(|| "progress".to_string(), |step| format!("step {step}"));
            return Step { state: State::Progress, detail, finished: false };
        }
        let state = match report.stage {
            VerificationStage::Acceptance => State::Accepted,
            VerificationStage::Start => State::Started,
            _ => State::Completed,
        };
        let repeated = position.is_some_and(|idx| matches!(self.stages[idx].1, StageOutcome::Passed { .. }));
        let mut detail = format!("{name} reported");
        if repeated {
            detail.push_str(" again");
        } else {
            // A report of a stage implies the earlier ones passed, whether or not theirs came.
            let mut implied = Vec::new();
            for (expectation, outcome) in &mut self.stages {
                if *outcome == StageOutcome::Pending && expectation.stage <= report.stage {
                    *outcome = StageOutcome::Passed { time_ms };
                    if expectation.stage != report.stage {
                        implied.push(stage_name(expectation.stage));
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
        let finished = report.stage == VerificationStage::Completion || self.is_done();
        Step { state, detail, finished }
    }

    /// Marks the first pending stage whose window closed before `time_ms` as timed out.
    pub fn timeout(&mut self, time_ms: u64) -> Option<Step> {
        let idx = (0..self.stages.len()).find(|&idx| {
            self.stages[idx].1 == StageOutcome::Pending
                && self.deadline_ms(idx).is_some_and(|deadline| time_ms > deadline)
        })?;
        let (expectation, outcome) = &mut self.stages[idx];
        *outcome = StageOutcome::TimedOut { time_ms };
        let anchor = match expectation.window.anchor {
            WindowAnchor::CommandRelease => "sending",
            WindowAnchor::LastVerifier => "the previous stage",
        };
        let detail =
            format!("no {} report within {} ms of {anchor}", stage_name(expectation.stage), expectation.window.stop_ms);
        Some(Step { state: State::TimedOut, detail, finished: true })
    }
}
