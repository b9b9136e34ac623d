//! Runs a procedure against a target: steps in order, polling until each one's expectation holds
//! or its time is up; after the first step that does not pass, the rest are skipped.

#[cfg(test)]
mod tests;
mod verdict;

use crate::procedure::{seconds, Expect, Procedure, Step, StepKind};
use crate::report::{ProcedureReport, StepOutcome, StepReport};
use crate::target::{Target, TargetError};
use crate::Condition;
pub use verdict::{judge, Verdict};

/// How often a waiting step asks the target again, when not told otherwise.
pub const POLL_MS_DEFAULT: u64 = 50;

/// How to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// The time between two polls of a waiting step (at least 1 ms).
    pub poll_ms: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { poll_ms: POLL_MS_DEFAULT }
    }
}

/// Told about progress as it happens, e.g. to print it live.
pub trait Observer {
    /// A step (1-based `number` of `total`) begins.
    fn step_started(&mut self, number: usize, total: usize, step: &Step);
    /// A step ended, or was skipped (then without a `step_started` before).
    fn step_finished(&mut self, total: usize, report: &StepReport);
}

/// An observer that ignores everything.
impl Observer for () {
    fn step_started(&mut self, _: usize, _: usize, _: &Step) {}
    fn step_finished(&mut self, _: usize, _: &StepReport) {}
}

/// Runs every step in order until one does not pass; the others are reported skipped.
pub fn run(
    procedure: &Procedure,
    target: &mut dyn Target,
    observer: &mut dyn Observer,
    options: &RunOptions,
) -> ProcedureReport {
    let total = procedure.steps.len();
    let run_started_ms = target.now_ms();
    let mut steps = Vec::with_capacity(total);
    let mut stopped = false;
    for (index, step) in procedure.steps.iter().enumerate() {
        let number = index + 1;
        let (outcome, duration_ms) = if stopped {
            (StepOutcome::Skipped, 0)
        } else {
            observer.step_started(number, total, step);
            let started_ms = target.now_ms();
            let outcome = run_step(step, target, options);
            (outcome, target.now_ms().saturating_sub(started_ms))
        };
        stopped |= !matches!(outcome, StepOutcome::Passed { .. });
        let report = StepReport { number, kind: step.kind_word(), title: step.title(), outcome, duration_ms };
        observer.step_finished(total, &report);
        steps.push(report);
    }
    ProcedureReport { name: procedure.name.clone(), steps, duration_ms: target.now_ms().saturating_sub(run_started_ms) }
}

fn run_step(step: &Step, target: &mut dyn Target, options: &RunOptions) -> StepOutcome {
    let poll_ms = options.poll_ms.max(1);
    match &step.kind {
        StepKind::Log { .. } => StepOutcome::Passed { detail: "logged".to_string() },
        StepKind::Wait { duration_ms } => {
            target.sleep_ms(*duration_ms);
            StepOutcome::Passed { detail: "waited".to_string() }
        }
        StepKind::Send { command, arguments, expect, timeout_ms } => {
            let id = match target.send(command, arguments) {
                Ok(id) => id,
                Err(TargetError::Refused { message }) if *expect == Expect::Rejected => {
                    return StepOutcome::Passed { detail: format!("rejected: {message}") };
                }
                Err(error) => return target_problem(error, "sending the command"),
            };
            let poll = Poll::start(target, *timeout_ms, poll_ms);
            loop {
                let state = match target.command(id) {
                    Ok(state) => state,
                    Err(error) => return target_problem(error, "reading the command's state"),
                };
                match judge(*expect, &state) {
                    Verdict::Pass(detail) => return StepOutcome::Passed { detail },
                    Verdict::Fail(message) => return StepOutcome::Failed { message },
                    Verdict::Wait => {}
                }
                if !poll.again(target) {
                    let message = format!(
                        "not {} within {} s (command {id} is {})",
                        expect.word(),
                        seconds(*timeout_ms),
                        state.state
                    );
                    return StepOutcome::Failed { message };
                }
            }
        }
        StepKind::Parameter { parameter, condition, within_ms } => {
            parameter_step(parameter, condition, *within_ms, target, poll_ms)
        }
    }
}

fn parameter_step(
    parameter: &str,
    condition: &Condition,
    within_ms: u64,
    target: &mut dyn Target,
    poll_ms: u64,
) -> StepOutcome {
    let poll = Poll::start(target, within_ms, poll_ms);
    loop {
        let values = match target.latest(&[parameter]) {
            Ok(values) => values,
            Err(error) => return target_problem(error, "reading the parameter"),
        };
        let why_not = match values.iter().find(|value| value.parameter == parameter) {
            None => "no value".to_string(),
            Some(value) => match condition.check(&value.eng) {
                Ok(()) => return StepOutcome::Passed { detail: format!("value {}", value.eng) },
                Err(why_not) => why_not,
            },
        };
        if !poll.again(target) {
            let message = match within_ms {
                0 => why_not,
                _ => format!("{why_not} after {} s", seconds(within_ms)),
            };
            return StepOutcome::Failed { message };
        }
    }
}

/// A refusal fails the step; a target that cannot answer is an error.
fn target_problem(error: TargetError, doing: &str) -> StepOutcome {
    match error {
        TargetError::Refused { message } => StepOutcome::Failed { message: format!("{doing} was refused: {message}") },
        TargetError::Unavailable { message } => StepOutcome::Error { message: format!("{doing}: {message}") },
    }
}

/// A deadline and a poll interval.
struct Poll {
    deadline_ms: u64,
    poll_ms: u64,
}

impl Poll {
    fn start(target: &mut dyn Target, within_ms: u64, poll_ms: u64) -> Poll {
        Poll { deadline_ms: target.now_ms().saturating_add(within_ms), poll_ms }
    }

    /// Sleeps until the next poll and returns true, or returns false when time is up.
    fn again(&self, target: &mut dyn Target) -> bool {
        let now_ms = target.now_ms();
        if now_ms >= self.deadline_ms {
            return false;
        }
        target.sleep_ms(self.poll_ms.min(self.deadline_ms - now_ms));
        true
    }
}
