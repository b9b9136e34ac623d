//! Commands: meta-commands with arguments, their encoding, significance, constraints and
//! verifiers.

use crate::container::{EntryLocation, Repeat};
use crate::criteria::Criteria;
use crate::monitoring::AlarmLevel;
use crate::name::{Alias, QualifiedName};

/// A command the model defines, possibly extending a base command.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetaCommand {
    pub name: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub r#abstract: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseCommand>,
    pub arguments: Vec<CommandArgument>,
    /// The encoded layout: entries in order.
    pub entries: Vec<CommandEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significance: Option<Significance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<TransmissionConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verifiers: Vec<Verifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pus: Option<PusCommandId>,
}

impl MetaCommand {
    /// A concrete command with nothing in it.
    pub fn new(name: QualifiedName) -> Self {
        MetaCommand {
            name,
            description: None,
            aliases: Vec::new(),
            r#abstract: false,
            base: None,
            arguments: Vec::new(),
            entries: Vec::new(),
            significance: None,
            constraints: Vec::new(),
            verifiers: Vec::new(),
            pus: None,
        }
    }
}

/// The base a command extends, with values fixed for some of the base's arguments.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BaseCommand {
    pub command: QualifiedName,
    pub assignments: Vec<ArgumentAssignment>,
}

/// A base command's argument fixed to a value.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArgumentAssignment {
    pub argument: String,
    pub value: String,
}

/// An argument an operator (or a procedure) supplies.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CommandArgument {
    pub name: String,
    pub type_ref: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The default value, as written in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_value: Option<String>,
}

/// What one command entry encodes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandEntryKind {
    /// An argument of this command or of a base command, by name.
    Argument(String),
    /// A parameter's current value (e.g. a counter kept on the ground).
    Parameter(QualifiedName),
    /// Fixed bits.
    Fixed { size_bits: u32, value: Vec<u8> },
    /// Another container's entries inline.
    Container(QualifiedName),
    /// The following `group_size` entries repeated as many times as the argument says (MIB
    /// CDF group repeaters).
    Group { group_size: u32, count_argument: String },
}

/// One entry of a command's encoded layout.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CommandEntry {
    pub kind: CommandEntryKind,
    pub location: EntryLocation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_if: Option<Criteria>,
}

impl CommandEntry {
    /// An entry right after the previous one.
    pub fn next(kind: CommandEntryKind) -> Self {
        CommandEntry { kind, location: EntryLocation::NEXT, repeat: None, include_if: None }
    }
}

/// How dangerous a command is; `Critical` and above need a second approver in OPS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignificanceLevel {
    None,
    Watch,
    Warning,
    Distress,
    Critical,
    Severe,
}

impl SignificanceLevel {
    /// Parses XTCE's `consequenceLevel` spellings.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match AlarmLevel::parse(text) {
            Some(AlarmLevel::Normal) => SignificanceLevel::None,
            Some(AlarmLevel::Watch) => SignificanceLevel::Watch,
            Some(AlarmLevel::Warning) => SignificanceLevel::Warning,
            Some(AlarmLevel::Distress) => SignificanceLevel::Distress,
            Some(AlarmLevel::Critical) => SignificanceLevel::Critical,
            Some(AlarmLevel::Severe) => SignificanceLevel::Severe,
            None if text.trim().eq_ignore_ascii_case("none") => SignificanceLevel::None,
            None => return None,
        })
    }

    /// Whether a command of this level is hazardous (needs two-person approval in OPS).
    pub fn is_hazardous(self) -> bool {
        self >= SignificanceLevel::Critical
    }
}

/// A command's significance and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Significance {
    pub level: SignificanceLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A condition that must hold before the command may be released.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransmissionConstraint {
    pub criteria: Criteria,
    /// How long to wait for the condition before failing; 0 checks once.
    pub timeout_ms: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspendable: bool,
}

/// A stage of a command's verification (XTCE verifier kinds, PUS service 1 reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifierStage {
    TransferredToRange,
    SentFromRange,
    Received,
    Accepted,
    Queued,
    Execution,
    Complete,
    Failed,
}

/// What a verifier checks.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifierCheck {
    /// Passes when this container is received (e.g. a PUS 1 report) and the criteria hold.
    Container { container: QualifiedName, criteria: Option<Criteria> },
    /// Passes when the criteria over telemetry hold.
    Criteria(Criteria),
    /// Passes when the parameter changes by at least `delta`.
    ParameterChange { parameter: QualifiedName, delta: f64 },
    /// A custom algorithm the model cannot run; the import report names it.
    Algorithm { name: String },
}

/// What a check window is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowAnchor {
    CommandRelease,
    LastVerifier,
}

/// When a verifier must pass: between `start_ms` and `stop_ms` after the anchor.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckWindow {
    pub start_ms: u64,
    pub stop_ms: u64,
    pub anchor: WindowAnchor,
}

/// One verification stage of a command.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Verifier {
    pub stage: VerifierStage,
    pub check: VerifierCheck,
    pub window: CheckWindow,
}

/// How a MIB identifies a command: APID, PUS type and subtype, ack flags.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PusCommandId {
    pub apid: u16,
    pub service: u8,
    pub subtype: u8,
    /// PUS acknowledgement flags (acceptance, start, progress, completion) as 4 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_flags: Option<u8>,
}
