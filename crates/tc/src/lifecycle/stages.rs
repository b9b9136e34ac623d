//! Verification stages of a command: which to wait for, what passes them, and until when.

use super::telemetry::TelemetryCheck;
use super::{ACCEPTANCE_WINDOW_MS, COMPLETION_WINDOW_MS};
use model::{CheckWindow, Verifier, VerifierCheck, VerifierStage, WindowAnchor};
use tm::pus::VerificationStage;

/// A verification stage a command waits for, what passes it, and the window it must pass in.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The stage it verifies; a pass moves the command to accepted, started or completed.
    pub stage: VerificationStage,
    /// It must pass by `stop_ms` after the anchor: sending (`CommandRelease`; for a command
    /// scheduled on board, its on-board release) or the previous expectation's pass
    /// (`LastVerifier`). Reports and replies before `start_ms` count too; telemetry counts
    /// only from `start_ms`.
    pub window: CheckWindow,
    pub evidence: Evidence,
}

/// What passes an expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// The PUS 1 report of the stage, naming the command's request id.
    Report,
    /// The reply its PUS service defines, from the command's APID: TM[17,2] for TC[17,1].
    Reply { service: u8, subtype: u8 },
    /// Telemetry, per a model verifier of this XTCE stage.
    Telemetry { verifier: VerifierStage, check: TelemetryCheck },
}

impl Expectation {
    /// The PUS 1 report of `stage`, within `window`.
    pub fn report(stage: VerificationStage, window: CheckWindow) -> Self {
        Expectation { stage, window, evidence: Evidence::Report }
    }

    /// The PUS 1 report of `stage` with its default window, counted from sending.
    pub fn with_default_window(stage: VerificationStage) -> Self {
        Expectation::report(stage, default_window(stage))
    }

    /// The expectation's name in history details and status: `acceptance`, `TM[17,2] reply`,
    /// `complete verifier (/T/c == 2)`.
    pub fn label(&self) -> String {
        match &self.evidence {
            Evidence::Report => self.stage.as_str().to_string(),
            Evidence::Reply { service, subtype } => format!("TM[{service},{subtype}] reply"),
            Evidence::Telemetry { verifier, check } => {
                format!("{} verifier ({check})", verifier_name(*verifier))
            }
        }
    }
}

/// What became of an expected stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageOutcome {
    Pending,
    /// It passed, or (for a report) a report of a later stage came.
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
    /// What it waits for ([`Expectation::label`]); `on-board schedule ` before it for the
    /// stages of a TC[11,4] wrapper.
    pub label: String,
    /// The last time it may pass; `None` before the anchor is known.
    pub deadline_ms: Option<u64>,
    pub outcome: StageOutcome,
}

// PUS-C acknowledgement flags (4 bits): acceptance, start, progress, completion, from the top.
const ACK_ACCEPTANCE: u8 = 0b1000;
const ACK_START: u8 = 0b0100;
const ACK_COMPLETION: u8 = 0b0001;

/// The stages to wait for, in stage order.
///
/// PUS 1 reports: those the acknowledgement flags ask the spacecraft to report (when given),
/// else those the model's report verifiers (container or algorithm checks) name, else —
/// when the model has no verifiers at all — acceptance and completion. A report takes its
/// window from its report verifier in the model, else a default. Progress is never waited
/// for: a command may have no steps.
///
/// Telemetry: every verifier with criteria or a parameter change whose stage PUS 1 also
/// knows (received, accepted → acceptance; execution → start; complete → completion), with
/// its window. Queued, range and failed verifiers are not waited for.
pub fn expected_stages(ack_flags: Option<u8>, verifiers: &[Verifier]) -> Vec<Expectation> {
    use VerificationStage::*;
    let is_report = |verifier: &&Verifier| {
        matches!(verifier.check, VerifierCheck::Container { .. } | VerifierCheck::Algorithm { .. })
    };
    let report_verifiers: Vec<&Verifier> = verifiers.iter().filter(is_report).collect();
    let mut telemetry: Vec<Expectation> = verifiers.iter().filter_map(telemetry_expectation).collect();
    let stages: Vec<VerificationStage> = match ack_flags {
        Some(flags) => [(ACK_ACCEPTANCE, Acceptance), (ACK_START, Start), (ACK_COMPLETION, Completion)]
            .into_iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|(_, stage)| stage)
            .collect(),
        None => {
            let mut stages: Vec<_> = report_verifiers.iter().filter_map(|verifier| pus_stage(verifier.stage)).collect();
            stages.sort();
            stages.dedup();
            if stages.is_empty() && telemetry.is_empty() {
                vec![Acceptance, Completion]
            } else {
                stages
            }
        }
    };
    let window_in_model = |stage| report_verifiers.iter().find(|verifier| pus_stage(verifier.stage) == Some(stage));
    let mut expected: Vec<Expectation> = stages
        .into_iter()
        .map(|stage| match window_in_model(stage) {
            Some(verifier) => Expectation::report(stage, verifier.window.clone()),
            None => Expectation::with_default_window(stage),
        })
        .collect();
    expected.append(&mut telemetry);
    // Stable: reports stay before telemetry of the same stage, verifiers in model order.
    expected.sort_by_key(|expectation| expectation.stage);
    expected
}

/// The reply a PUS telecommand's service defines, if any: TC[17,1] (are-you-alive) expects a
/// TM[17,2] from the same APID, as a completion stage with the default completion window.
pub fn expected_reply(service: u8, subtype: u8) -> Option<Expectation> {
    let (service, subtype) = match (service, subtype) {
        (17, 1) => (17, 2),
        _ => return None,
    };
    let stage = VerificationStage::Completion;
    Some(Expectation { stage, window: default_window(stage), evidence: Evidence::Reply { service, subtype } })
}

/// The stages of a PUS-C telecommand: [`expected_stages`] for its ack flags and the model's
/// verifiers, then the reply its service defines ([`expected_reply`]).
pub fn expected_for_pus_tc(tc: &crate::pus::PusTcView, verifiers: &[Verifier]) -> Vec<Expectation> {
    let mut expected = expected_stages(Some(tc.ack_flags), verifiers);
    expected.extend(expected_reply(tc.service, tc.subtype));
    expected.sort_by_key(|expectation| expectation.stage);
    expected
}

fn default_window(stage: VerificationStage) -> CheckWindow {
    let stop_ms = match stage {
        VerificationStage::Acceptance => ACCEPTANCE_WINDOW_MS,
        _ => COMPLETION_WINDOW_MS,
    };
    CheckWindow { start_ms: 0, stop_ms, anchor: WindowAnchor::CommandRelease }
}

fn telemetry_expectation(verifier: &Verifier) -> Option<Expectation> {
    let check = match &verifier.check {
        VerifierCheck::Criteria(criteria) => TelemetryCheck::Criteria(criteria.clone()),
        VerifierCheck::ParameterChange { parameter, delta } => {
            TelemetryCheck::Change { parameter: parameter.clone(), delta: *delta }
        }
        VerifierCheck::Container { .. } | VerifierCheck::Algorithm { .. } => return None,
    };
    Some(Expectation {
        stage: pus_stage(verifier.stage)?,
        window: verifier.window.clone(),
        evidence: Evidence::Telemetry { verifier: verifier.stage, check },
    })
}

/// The PUS 1 stage of a model verifier's stage; `None` for ground and on-board queue stages.
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

/// The XTCE verifier's name, lower case.
fn verifier_name(stage: VerifierStage) -> &'static str {
    match stage {
        VerifierStage::TransferredToRange => "transferred-to-range",
        VerifierStage::SentFromRange => "sent-from-range",
        VerifierStage::Received => "received",
        VerifierStage::Accepted => "accepted",
        VerifierStage::Queued => "queued",
        VerifierStage::Execution => "execution",
        VerifierStage::Complete => "complete",
        VerifierStage::Failed => "failed",
    }
}
