//! A command request, checked and encoded against the model before it reaches the queue.

use super::definitions::significance;
use super::CommandingSpec;
use api::backend::BackendError;
use api::wire::CommandRequest;
use model::{MissionModel, QualifiedName, SignificanceLevel};
use tc::args::ArgError;
use tc::encode::{EncodeError, EncodedCommand};
use tc::lifecycle::Expectation;

/// A checked, encoded command, not yet numbered: the ingest thread gives it its id and
/// sequence count.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub name: QualifiedName,
    pub principal: String,
    /// The arguments as the requester gave them, in text form.
    pub arguments: Vec<(String, String)>,
    pub encoded: EncodedCommand,
    pub significance: SignificanceLevel,
    pub release_at_ms: Option<u64>,
    /// Sent now inside a TC[11,4] that has the spacecraft execute it at this time.
    pub schedule_at_ms: Option<u64>,
    pub expected: Vec<Expectation>,
}

/// Checks and encodes a request; every refusal names the request field at fault.
pub fn prepare(
    model: &MissionModel,
    spec: &CommandingSpec,
    request: &CommandRequest,
    principal: &str,
) -> Result<Draft, BackendError> {
    let name = QualifiedName::parse(&request.command).ok_or_else(|| BackendError::BadRequest {
        field: "command".into(),
        reason: format!("{:?} is not a qualified name (like /PUS/PUS17/PING)", request.command),
    })?;
    if !model.commands.contains_key(&name) {
        return Err(BackendError::NotFound { what: "command", name: request.command.clone() });
    }
    let given = tc::request::arguments_from_json(&request.arguments)
        .map_err(|error| BackendError::BadRequest { field: "arguments".into(), reason: error.to_string() })?;
    let checked = tc::args::check(model, &name, &given).map_err(arg_error)?;
    let encoded = tc::encode::encode(model, &checked).map_err(encode_error)?;
    let arguments = request.arguments.iter().map(|(name, value)| (name.clone(), value_text(value))).collect();
    let expected = expectations(model, spec, &name, &encoded);
    if let Some(at_ms) = request.schedule_at_ms {
        let refuse = |reason: String| BackendError::BadRequest { field: "schedule_at_ms".into(), reason };
        if request.release_at_ms.is_some() {
            return Err(refuse("give release_at_ms (ground) or schedule_at_ms (on board), not both".into()));
        }
        if tc::pus::parse_pus_tc(&encoded.bytes).is_err() {
            return Err(refuse(format!("{name} is no PUS-C telecommand: it cannot go into a TC[11,4]")));
        }
        tc::pus11::CucTime::from_epoch_ms(at_ms).map_err(|error| refuse(error.to_string()))?;
    }
    Ok(Draft {
        significance: significance(model, &name),
        name,
        principal: principal.to_string(),
        arguments,
        encoded,
        release_at_ms: request.release_at_ms,
        schedule_at_ms: request.schedule_at_ms,
        expected,
    })
}

/// The stages to wait for: per the PUS ack flags of the encoded telecommand, else the model's
/// verifiers; windows from the model, else the deployment's.
fn expectations(
    model: &MissionModel,
    spec: &CommandingSpec,
    name: &QualifiedName,
    encoded: &EncodedCommand,
) -> Vec<Expectation> {
    let chain = tc::args::resolve_chain(model, name).unwrap_or_default();
    let verifiers = chain.iter().rev().map(|level| &level.verifiers).find(|v| !v.is_empty());
    let verifiers = verifiers.map_or(&[][..], Vec::as_slice);
    let mut expected = match tc::pus::parse_pus_tc(&encoded.bytes) {
        Ok(tc) => tc::lifecycle::expected_for_pus_tc(&tc, verifiers),
        Err(_) => tc::lifecycle::expected_stages(None, verifiers),
    };
    for expectation in &mut expected {
        if *expectation == Expectation::with_default_window(expectation.stage) {
            expectation.window.stop_ms = match expectation.stage {
                tm::pus::VerificationStage::Acceptance => spec.acceptance_timeout_ms,
                _ => spec.completion_timeout_ms,
            };
        }
    }
    expected
}

fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn arg_error(error: ArgError) -> BackendError {
    let field = match &error {
        ArgError::UnknownCommand(name) => {
            return BackendError::NotFound { what: "command", name: name.to_string() };
        }
        ArgError::UnknownArgument { argument, .. }
        | ArgError::Duplicate { argument, .. }
        | ArgError::Assigned { argument, .. }
        | ArgError::Missing { argument, .. }
        | ArgError::UnknownType { argument, .. }
        | ArgError::Invalid { argument, .. } => format!("arguments.{argument}"),
        ArgError::Abstract(_)
        | ArgError::UnknownBase { .. }
        | ArgError::ChainTooDeep(_)
        | ArgError::AssignmentToUnknown { .. } => "command".to_string(),
    };
    BackendError::BadRequest { field, reason: error.to_string() }
}

fn encode_error(error: EncodeError) -> BackendError {
    let field = match &error {
        EncodeError::Unchecked { argument, .. }
        | EncodeError::UnknownType { argument, .. }
        | EncodeError::RawOutOfRange { argument, .. }
        | EncodeError::Invalid { argument, .. }
        | EncodeError::Unsupported { argument, .. } => format!("arguments.{argument}"),
        _ => "command".to_string(),
    };
    BackendError::BadRequest { field, reason: error.to_string() }
}
