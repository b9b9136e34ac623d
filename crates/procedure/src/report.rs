//! What a run found: one outcome per step, and the progress lines the CLI prints.

use crate::procedure::Step;

/// The result of running one procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcedureReport {
    pub name: String,
    /// One per step of the procedure, in order.
    pub steps: Vec<StepReport>,
    pub duration_ms: u64,
}

/// The result of one step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepReport {
    /// 1-based.
    pub number: usize,
    /// The step's kind, e.g. `send`.
    pub kind: &'static str,
    /// `<kind> <summary>`, e.g. `send /PUS/PUS17/PING`.
    pub title: String,
    pub outcome: StepOutcome,
    pub duration_ms: u64,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// It did what it expected; `detail` says what was seen (`completed`, `value 23.5`).
    Passed { detail: String },
    /// The platform did not do what the step expected.
    Failed { message: String },
    /// The target could not be reached or answered nonsense; nothing was checked.
    Error { message: String },
    /// Not run, because an earlier step did not pass.
    Skipped,
}

/// Steps by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl ProcedureReport {
    /// Steps by outcome.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for step in &self.steps {
            match step.outcome {
                StepOutcome::Passed { .. } => counts.passed += 1,
                StepOutcome::Failed { .. } => counts.failed += 1,
                StepOutcome::Error { .. } => counts.errors += 1,
                StepOutcome::Skipped => counts.skipped += 1,
            }
        }
        counts
    }

    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|step| matches!(step.outcome, StepOutcome::Passed { .. }))
    }

    /// The last line of a run: `PASSED PUS ping: 3 passed, 0 failed, 0 errors, 0 skipped in 1.20 s`.
    pub fn summary_line(&self) -> String {
        let counts = self.counts();
        let verdict = match (counts.errors, counts.failed) {
            (0, 0) => "PASSED",
            (0, _) => "FAILED",
            _ => "ERROR",
        };
        format!(
            "{verdict} {}: {} passed, {} failed, {} errors, {} skipped in {}",
            self.name,
            counts.passed,
            counts.failed,
            counts.errors,
            counts.skipped,
            seconds_2(self.duration_ms)
        )
    }
}

/// The progress line when a step starts: `[2/5] send /PUS/PUS17/PING`.
pub fn started_line(number: usize, total: usize, step: &Step) -> String {
    format!("[{number}/{total}] {}", step.title())
}

/// The progress line when a step ends: `[2/5] send /PUS/PUS17/PING … completed in 0.12 s`.
pub fn finished_line(total: usize, report: &StepReport) -> String {
    let head = format!("[{}/{total}] {} …", report.number, report.title);
    let took = seconds_2(report.duration_ms);
    match &report.outcome {
        StepOutcome::Passed { detail } => format!("{head} {detail} in {took}"),
        StepOutcome::Failed { message } => format!("{head} FAILED in {took}: {message}"),
        StepOutcome::Error { message } => format!("{head} ERROR in {took}: {message}"),
        StepOutcome::Skipped => format!("{head} skipped"),
    }
}

/// `0.12 s`.
fn seconds_2(duration_ms: u64) -> String {
    format!("{}.{:02} s", duration_ms / 1000, (duration_ms % 1000) / 10)
}
