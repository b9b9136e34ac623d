//! Whether a command's state meets a send step's expectation, fails it, or calls for waiting.

use crate::procedure::Expect;
use crate::target::{CommandState, StageOutcome, StageState};

/// What a command's state means for a send step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The expectation holds; what was seen.
    Pass(String),
    /// It can no longer hold; why.
    Fail(String),
    /// Not yet known: poll again.
    Wait,
}

/// The states a command passes through after it leaves the ground, in order.
const SENT_AND_AFTER: [&str; 5] = ["sent", "accepted", "started", "progress", "completed"];

/// Judges a command's state against an expectation (pure: the engine polls).
pub fn judge(expect: Expect, state: &CommandState) -> Verdict {
    match expect {
        Expect::Failed { failure_code } => judge_failure(failure_code, state),
        Expect::Rejected => {
            if state.state == "rejected" {
                Verdict::Pass("rejected".to_string())
            } else if state.finished || reached(&state.state, 0) {
                Verdict::Fail(format!("the platform took the command (state {}); expected a rejection", state.state))
            } else {
                Verdict::Wait
            }
        }
        Expect::Sent => judge_stage(state, None, 0, "sent"),
        Expect::Accepted => judge_stage(state, Some("acceptance"), 1, "accepted"),
        Expect::Started => judge_stage(state, Some("start"), 2, "started"),
        Expect::Completed => judge_stage(state, Some("completion"), 4, "completed"),
    }
}

/// Whether a state is at least `SENT_AND_AFTER[rank]`.
fn reached(state: &str, rank: usize) -> bool {
    SENT_AND_AFTER.iter().position(|known| *known == state).is_some_and(|position| position >= rank)
}

fn judge_stage(state: &CommandState, stage: Option<&str>, rank: usize, word: &str) -> Verdict {
    let passed =
        stage.is_some_and(|stage| state.stages.iter().any(|s| s.stage == stage && s.outcome == StageOutcome::Passed));
    // Any report or verification timeout means the command left the ground.
    let left_ground = state.state == "timed_out" || state.stages.iter().any(|s| s.outcome != StageOutcome::Pending);
    if passed || reached(&state.state, rank) || (stage.is_none() && left_ground) {
        return Verdict::Pass(word.to_string());
    }
    if let Some(failed) = first(state, StageOutcome::Failed) {
        return Verdict::Fail(format!("{}; expected {word}", failed_text(failed)));
    }
    if let Some(timed_out) = first(state, StageOutcome::TimedOut) {
        return Verdict::Fail(format!("stage {} timed out; expected {word}", timed_out.stage));
    }
    match state.state.as_str() {
        "timed_out" => {
            let waited_for =
                first(state, StageOutcome::Pending).map_or(stage.unwrap_or(word), |pending| &pending.stage);
            Verdict::Fail(format!("the command timed out waiting for stage {waited_for}"))
        }
        "failed" => Verdict::Fail(format!("the command failed; expected {word}")),
        _ if state.finished && state.stages.is_empty() && state.state == "sent" => Verdict::Fail(format!(
            "the command has no {} verification and ended sent; use expect = \"sent\"",
            stage.unwrap_or(word)
        )),
        _ if state.finished => Verdict::Fail(format!("the command ended {} before it was {word}", state.state)),
        _ => Verdict::Wait,
    }
}

fn judge_failure(failure_code: Option<u64>, state: &CommandState) -> Verdict {
    if let Some(failed) = first(state, StageOutcome::Failed) {
        return match (failure_code, failed.failure_code) {
            (Some(expected), Some(code)) if expected == code => Verdict::Pass(failed_text(failed)),
            (Some(expected), _) => Verdict::Fail(format!("{}; expected code {expected}", failed_text(failed))),
            (None, _) => Verdict::Pass(failed_text(failed)),
        };
    }
    if state.state == "failed" {
        return match failure_code {
            None => Verdict::Pass("failed".to_string()),
            Some(expected) => {
                Verdict::Fail(format!("the command failed without a failure code; expected code {expected}"))
            }
        };
    }
    let stage_passed = |name: &str| state.stages.iter().any(|s| s.stage == name && s.outcome == StageOutcome::Passed);
    if reached(&state.state, 4) || stage_passed("completion") {
        return Verdict::Fail("the command completed; expected it to fail".to_string());
    }
    if let Some(timed_out) = first(state, StageOutcome::TimedOut) {
        return Verdict::Fail(format!("stage {} timed out; expected a failure report", timed_out.stage));
    }
    if state.finished {
        return Verdict::Fail(format!("the command ended {}; expected it to fail", state.state));
    }
    Verdict::Wait
}

fn first(state: &CommandState, outcome: StageOutcome) -> Option<&StageState> {
    state.stages.iter().find(|stage| stage.outcome == outcome)
}

/// `stage completion failed with code 3`.
fn failed_text(stage: &StageState) -> String {
    match stage.failure_code {
        Some(code) => format!("stage {} failed with code {code}", stage.stage),
        None => format!("stage {} failed", stage.stage),
    }
}
