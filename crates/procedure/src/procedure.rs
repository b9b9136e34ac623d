//! A validated procedure: what a file says, with every duration in milliseconds.

use crate::condition::Condition;

/// A test procedure: a named sequence of steps, run in order until one fails.
#[derive(Clone, Debug, PartialEq)]
pub struct Procedure {
    pub name: String,
    pub description: Option<String>,
    /// Invariant: not empty.
    pub steps: Vec<Step>,
}

/// One step, with the line of the file it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// 1-based line of the step's first key in the file (0 when built in code).
    pub line: usize,
    pub kind: StepKind,
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// Writes a message to the progress display and the report; always passes.
    Log { message: String },
    /// Sends a command and waits for `expect` (or fails at once when the command fails
    /// otherwise).
    Send { command: String, arguments: serde_json::Map<String, serde_json::Value>, expect: Expect, timeout_ms: u64 },
    /// Polls a parameter's latest engineering value until `condition` holds, for at most
    /// `within_ms` (0: checks once).
    Parameter { parameter: String, condition: Condition, within_ms: u64 },
    /// Waits.
    Wait { duration_ms: u64 },
}

/// What a send step waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The platform refuses the request (an argument check, an unknown command).
    Rejected,
    /// The command left the ground (state `sent` or any later one).
    Sent,
    /// The acceptance stage passed.
    Accepted,
    /// The start stage passed.
    Started,
    /// The completion stage passed.
    Completed,
    /// A stage failed, with this failure code when given.
    Failed { failure_code: Option<u64> },
}

impl Expect {
    /// The word a file uses for it.
    pub fn word(self) -> &'static str {
        match self {
            Expect::Rejected => "rejected",
            Expect::Sent => "sent",
            Expect::Accepted => "accepted",
            Expect::Started => "started",
            Expect::Completed => "completed",
            Expect::Failed { .. } => "failed",
        }
    }
}

impl Step {
    /// The step's kind as a word: `log`, `send`, `parameter` or `wait`.
    pub fn kind_word(&self) -> &'static str {
        match self.kind {
            StepKind::Log { .. } => "log",
            StepKind::Send { .. } => "send",
            StepKind::Parameter { .. } => "parameter",
            StepKind::Wait { .. } => "wait",
        }
    }

    /// A one-line summary after the kind: the message, the command, the condition, the delay.
    pub fn summary(&self) -> String {
        match &self.kind {
            StepKind::Log { message } => message.lines().next().unwrap_or("").to_string(),
            StepKind::Send { command, expect, .. } => match expect {
                Expect::Completed => command.clone(),
                Expect::Failed { failure_code: Some(code) } => format!("{command} (expect failed, code {code})"),
                other => format!("{command} (expect {})", other.word()),
            },
            StepKind::Parameter { parameter, condition, .. } => format!("{parameter} {condition}"),
            StepKind::Wait { duration_ms } => format!("{} s", seconds(*duration_ms)),
        }
    }

    /// `<kind> <summary>`, as the progress display and the report name the step.
    pub fn title(&self) -> String {
        format!("{} {}", self.kind_word(), self.summary())
    }
}

/// Milliseconds as seconds, without trailing zeros: `2`, `0.5`, `0.125`.
pub fn seconds(duration_ms: u64) -> String {
    let whole = duration_ms / 1000;
    let frac = duration_ms % 1000;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:03}").trim_end_matches('0').to_string()
    }
}
