//! Gate runners of a pipeline (issue 6): the test gate runs a release's procedures in-process
//! against a deployment (a simulator's, in DEV or AIV) through the same `Backend` calls the HTTP
//! API makes, as the principal the gate acts for.

use crate::Platform;
use api::backend::{Backend, BackendError};
use api::gate::Principal;
use api::wire::{CommandRequest, CommandView};
use base::Scope;
use procedure::{
    CommandState, ParameterValue, Procedure, ProcedureReport, StageOutcome, StageState, Target, TargetError,
};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

#[cfg(test)]
mod tests;

/// A deployment as a procedure's target, in-process.
pub struct InProcessTarget<'a> {
    platform: &'a Platform,
    scope: Scope,
    principal: Principal,
    started: Instant,
}

impl<'a> InProcessTarget<'a> {
    /// Procedures act on `scope` as `principal`.
    pub fn new(platform: &'a Platform, scope: Scope, principal: Principal) -> Self {
        InProcessTarget { platform, scope, principal, started: Instant::now() }
    }
}

fn refused_or_unavailable(error: BackendError) -> TargetError {
    match error {
        BackendError::Internal(message) => TargetError::Unavailable { message },
        BackendError::NotFound { what: "deployment", name } => {
            TargetError::Unavailable { message: format!("no deployment {name}") }
        }
        other => TargetError::Refused { message: other.to_string() },
    }
}

impl Target for InProcessTarget<'_> {
    fn send(&mut self, command: &str, arguments: &Map<String, Value>) -> Result<u64, TargetError> {
        let request = CommandRequest {
            command: command.to_string(),
            arguments: arguments.clone(),
            release_at_ms: None,
            schedule_at_ms: None,
        };
        let accepted =
            self.platform.send_command(&self.scope, &request, &self.principal).map_err(refused_or_unavailable)?;
        Ok(accepted.id)
    }

    fn command(&mut self, id: u64) -> Result<CommandState, TargetError> {
        command_state(self.platform.command(&self.scope, id).map_err(refused_or_unavailable)?)
    }

    fn latest(&mut self, parameters: &[&str]) -> Result<Vec<ParameterValue>, TargetError> {
        let names: Vec<String> = parameters.iter().map(|name| name.to_string()).collect();
        let samples = self.platform.latest(&self.scope, &names).map_err(refused_or_unavailable)?;
        Ok(samples
            .into_iter()
            .map(|sample| ParameterValue { parameter: sample.parameter, time_ms: sample.time_ms, eng: sample.eng })
            .collect())
    }

    fn now_ms(&mut self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn sleep_ms(&mut self, duration_ms: u64) {
        std::thread::sleep(Duration::from_millis(duration_ms));
    }
}

/// The API's command view in the procedure engine's words.
pub fn command_state(view: CommandView) -> Result<CommandState, TargetError> {
    let mut stages = Vec::with_capacity(view.stages.len());
    for stage in view.stages {
        let outcome = match stage.outcome.as_str() {
            "pending" => StageOutcome::Pending,
            "passed" => StageOutcome::Passed,
            "failed" => StageOutcome::Failed,
            "timed_out" => StageOutcome::TimedOut,
            other => {
                let message = format!("command {}: stage {} has an unknown outcome `{other}`", view.id, stage.stage);
                return Err(TargetError::Unavailable { message });
            }
        };
        stages.push(StageState { stage: stage.stage, outcome, failure_code: stage.failure_code });
    }
    Ok(CommandState { state: view.state, finished: view.finished, stages })
}

/// The test gate: every procedure runs against the deployment, in order; the gate passes when
/// every step of every procedure passed. Answers (passed, a one-line summary per procedure,
/// the reports). Blocking: run it off the async threads.
pub fn test_gate(
    platform: &Platform,
    scope: &Scope,
    principal: &Principal,
    procedures: &[Procedure],
) -> (bool, String, Vec<ProcedureReport>) {
    let mut reports = Vec::new();
    for procedure in procedures {
        let mut target = InProcessTarget::new(platform, scope.clone(), principal.clone());
        reports.push(procedure::run(procedure, &mut target, &mut (), &procedure::RunOptions::default()));
    }
    let passed = reports.iter().all(ProcedureReport::passed);
    let detail = reports.iter().map(ProcedureReport::summary_line).collect::<Vec<_>>().join("; ");
    (passed, detail, reports)
}
