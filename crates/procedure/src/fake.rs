//! A scripted target with a fake clock, for the engine's tests: answers change at set times,
//! and sleeping advances the clock.

use crate::target::{CommandState, ParameterValue, StageOutcome, StageState, Target, TargetError};
use serde_json::{Map, Value};

/// Answers by time; every call is written to `calls`.
#[derive(Default)]
pub struct FakeTarget {
    pub now_ms: u64,
    /// What `send` answers (`Ok(7)` when empty).
    pub send: Option<Result<u64, TargetError>>,
    /// `(from_ms, answer)`: `command` gives the last answer whose time has come.
    pub command: Vec<(u64, Result<CommandState, TargetError>)>,
    /// `(from_ms, value)`: `latest` gives, per parameter, the last value whose time has come.
    pub values: Vec<(u64, ParameterValue)>,
    /// What `latest` fails with, if anything.
    pub latest_error: Option<TargetError>,
    pub calls: Vec<String>,
}

impl Target for FakeTarget {
    fn send(&mut self, command: &str, arguments: &Map<String, Value>) -> Result<u64, TargetError> {
        self.calls.push(format!("{} send {command} {}", self.now_ms, Value::Object(arguments.clone())));
        self.send.clone().unwrap_or(Ok(7))
    }

    fn command(&mut self, id: u64) -> Result<CommandState, TargetError> {
        self.calls.push(format!("{} command {id}", self.now_ms));
        let now_ms = self.now_ms;
        let answer = self.command.iter().rev().find(|(from_ms, _)| *from_ms <= now_ms);
        answer.map(|(_, answer)| answer.clone()).unwrap_or_else(|| Ok(state("queued", false, &[])))
    }

    fn latest(&mut self, parameters: &[&str]) -> Result<Vec<ParameterValue>, TargetError> {
        self.calls.push(format!("{} latest {}", self.now_ms, parameters.join(",")));
        if let Some(error) = &self.latest_error {
            return Err(error.clone());
        }
        let now_ms = self.now_ms;
        let found = parameters.iter().filter_map(|name| {
            let value =
                self.values.iter().rev().find(|(from_ms, value)| *from_ms <= now_ms && value.parameter == *name);
            value.map(|(_, value)| value.clone())
        });
        Ok(found.collect())
    }

    fn now_ms(&mut self) -> u64 {
        self.now_ms
    }

    fn sleep_ms(&mut self, duration_ms: u64) {
        self.calls.push(format!("{} sleep {duration_ms}", self.now_ms));
        self.now_ms += duration_ms;
    }
}

/// A command state; stages as `(stage, outcome, failure code)`.
pub fn state(state: &str, finished: bool, stages: &[(&str, StageOutcome, Option<u64>)]) -> CommandState {
    let stages = stages
        .iter()
        .map(|(stage, outcome, failure_code)| StageState {
            stage: stage.to_string(),
            outcome: *outcome,
            failure_code: *failure_code,
        })
        .collect();
    CommandState { state: state.to_string(), finished, stages }
}

/// A parameter value.
pub fn value(parameter: &str, eng: Value) -> ParameterValue {
    ParameterValue { parameter: parameter.to_string(), time_ms: 0, eng }
}
