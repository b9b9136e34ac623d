//! From the queue's statuses to the API's command views.

use api::backend::BackendError;
use api::wire::{CommandView, StageDto};
use tc::lifecycle::{HistoryEvent, LifecycleError, StageOutcome, StageStatus, State, TelemetryValue};
use tm::pus::VerificationReport;
use tm::{EngValue, Plan, Sample};

/// A sample as telemetry verifiers read it.
pub(super) fn telemetry_value(plan: &Plan, sample: &Sample) -> TelemetryValue {
    let raw = sample.raw().as_f64();
    match sample.eng() {
        EngValue::Enum(index) => {
            TelemetryValue { eng: None, raw, label: plan.enum_label(sample.parameter, index).map(str::to_string) }
        }
        eng => TelemetryValue { eng: eng.as_f64(), raw, label: None },
    }
}

/// The stages of a command that just finished (the queue no longer holds it), completed from
/// the final transition: the report that ended it, or the timeout.
pub(super) fn finish_stages(view: &mut CommandView, report: Option<&VerificationReport>, event: &HistoryEvent) {
    let time = Some(event.time_ms);
    // A failure of a stage the command did not wait for (acceptance without its ack flag, say).
    if let (Some(report), State::Failed) = (report, event.state) {
        if !view.stages.iter().any(|stage| stage.stage == report.stage.as_str()) {
            let failed = StageDto {
                stage: report.stage.as_str().to_string(),
                outcome: "failed".into(),
                time_ms: time,
                failure_code: report.failure_code,
                deadline_ms: None,
            };
            let at = view.stages.iter().position(|stage| stage_rank(&stage.stage) > stage_rank(&failed.stage));
            view.stages.insert(at.unwrap_or(view.stages.len()), failed);
            return;
        }
    }
    for stage in &mut view.stages {
        if stage.outcome != "pending" {
            continue;
        }
        match (report, event.state) {
            (Some(report), State::Failed) if stage.stage == report.stage.as_str() => {
                stage.outcome = "failed".into();
                stage.time_ms = time;
                stage.failure_code = report.failure_code;
            }
            (_, State::Completed) => {
                stage.outcome = "passed".into();
                stage.time_ms = time;
            }
            (None, State::TimedOut) if stage.deadline_ms.is_some_and(|deadline| deadline <= event.time_ms) => {
                stage.outcome = "timed_out".into();
                stage.time_ms = time;
            }
            _ => {}
        }
    }
}

/// The order of stages in a command's life.
fn stage_rank(stage: &str) -> usize {
    ["acceptance", "start", "progress", "completion"].iter().position(|s| *s == stage).unwrap_or(usize::MAX)
}

pub(super) fn stage_dto(status: &StageStatus) -> StageDto {
    let (outcome, time_ms, failure_code) = match status.outcome {
        StageOutcome::Pending => ("pending", None, None),
        StageOutcome::Passed { time_ms } => ("passed", Some(time_ms), None),
        StageOutcome::Failed { time_ms, failure_code } => ("failed", Some(time_ms), failure_code),
        StageOutcome::TimedOut { time_ms } => ("timed_out", Some(time_ms), None),
    };
    StageDto {
        stage: if status.label.is_empty() { status.stage.as_str().to_string() } else { status.label.clone() },
        outcome: outcome.to_string(),
        time_ms,
        failure_code,
        deadline_ms: status.deadline_ms,
    }
}

/// How the API reports a refusal of the queue.
pub fn lifecycle_error(error: LifecycleError) -> BackendError {
    match error {
        LifecycleError::UnknownCommand { id } => {
            BackendError::NotFound { what: "command in the queue", name: id.to_string() }
        }
        LifecycleError::QueueFull { .. }
        | LifecycleError::DuplicateId { .. }
        | LifecycleError::DuplicateRequest { .. }
        | LifecycleError::InnerRequestIsWrapper { .. } => BackendError::Conflict { reason: error.to_string() },
        LifecycleError::DigestMismatch { .. }
        | LifecycleError::InvalidTransition { .. }
        | LifecycleError::SelfApproval { .. }
        | LifecycleError::ApprovalExpired { .. } => BackendError::Conflict { reason: error.to_string() },
    }
}
