//! What the engine drives: a platform that takes commands and reports telemetry. The CLI
//! implements it over HTTP; a deployment can implement it in-process.

use serde_json::{Map, Value};

/// A platform to run procedures against. Calls are synchronous; the engine polls.
pub trait Target {
    /// Requests a command; returns the platform's id for it.
    fn send(&mut self, command: &str, arguments: &Map<String, Value>) -> Result<u64, TargetError>;
    /// The current state of a command sent earlier.
    fn command(&mut self, id: u64) -> Result<CommandState, TargetError>;
    /// The latest value of each named parameter that has one (others are left out).
    fn latest(&mut self, parameters: &[&str]) -> Result<Vec<ParameterValue>, TargetError>;
    /// Milliseconds on a clock that never goes back; only differences are used.
    fn now_ms(&mut self) -> u64;
    /// Waits; a fake target advances its clock instead.
    fn sleep_ms(&mut self, duration_ms: u64);
}

/// A command's life as the platform sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandState {
    /// The latest state: `queued`, `released`, `sent`, `accepted`, `started`, `progress`,
    /// `completed`, `failed`, `timed_out`, `cancelled`, `rejected`, ...
    pub state: String,
    /// Whether its life is over.
    pub finished: bool,
    /// Expected verification stages, in order.
    pub stages: Vec<StageState>,
}

/// One verification stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageState {
    /// `acceptance`, `start`, `progress`, `completion` or `telemetry`.
    pub stage: String,
    pub outcome: StageOutcome,
    /// The failure code of a failed stage's report.
    pub failure_code: Option<u64>,
}

/// Where a stage is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageOutcome {
    Pending,
    Passed,
    Failed,
    TimedOut,
}

/// A parameter's latest value.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterValue {
    pub parameter: String,
    /// When it was measured or received, ms since the epoch.
    pub time_ms: u64,
    /// The engineering value: a number, boolean, string (labels) or null.
    pub eng: Value,
}

/// Why a target could not answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The platform refused this request (an unknown command or parameter, a bad argument):
    /// the step fails.
    #[error("refused: {message}")]
    Refused { message: String },
    /// The platform could not be reached or answered nonsense: the run stops with an error.
    #[error("unavailable: {message}")]
    Unavailable { message: String },
}
