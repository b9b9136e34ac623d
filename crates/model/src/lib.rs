//! The mission model: the single source of truth from which telemetry decoders, command
//! encoders, the simulator, displays and tests are derived.
//!
//! It holds what XTCE 1.2 and SCOS-2000 MIB databases describe: space systems, parameter and
//! argument types with their encodings, calibrators and alarms, sequence containers, commands
//! with verifiers, and derived-parameter algorithms. It gives a canonical form with a SHA-256
//! digest (what releases carry), validation and a structural diff.
//!
//! It must never do I/O, read the clock or know any file format but its own canonical JSON:
//! importers live in `model-import`.

mod algorithm;
mod canonical;
mod command;
mod container;
mod criteria;
mod datatype;
mod diff;
mod monitoring;
mod name;
mod validate;

pub use algorithm::{Algorithm, AlgorithmInput, MathOp, MathToken};
pub use canonical::{CanonicalError, ModelSummary};
pub use command::{
    ArgumentAssignment, BaseCommand, CheckWindow, CommandArgument, CommandEntry, CommandEntryKind, MetaCommand,
    PusCommandId, Significance, SignificanceLevel, TransmissionConstraint, Verifier, VerifierCheck, VerifierStage,
    WindowAnchor,
};
pub use container::{
    ContainerEntry, EntryKind, EntryLocation, LocationReference, PiField, PusPacketId, Repeat, SequenceContainer,
};
pub use criteria::{Comparison, ComparisonOp, Criteria, Operand, ParamRef};
pub use datatype::{
    ArrayDimension, BinarySize, ByteOrder, DataEncoding, DataType, EnumValue, Epoch, FloatFormat, IntegerSign,
    IntegerValue, Member, Range, StringSize, TimeEncoding, TypeKind,
};
pub use diff::{Change, ChangeKind, FieldChange, ModelDiff};
pub use monitoring::{
    Alarm, AlarmLevel, AlarmRanges, Calibrator, ContextAlarm, ContextCalibrator, EnumAlarm, SplinePoint,
};
pub use name::{Alias, QualifiedName, SpaceSystem};
pub use validate::{ItemKind, ValidationIssue, ValidationKind, NESTING_MAX};

use std::collections::BTreeMap;

/// Where a parameter's values come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Decoded from telemetry packets.
    Telemetered,
    /// Computed by an algorithm from other parameters.
    Derived,
    /// A constant of the model.
    Constant,
    /// Set locally on the ground (e.g. by an operator or procedure).
    Local,
    /// Produced by the ground system itself (link status, counters).
    Ground,
}

/// A parameter: a named quantity of the spacecraft or ground whose type says how it is
/// encoded, calibrated and monitored.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Parameter {
    pub name: QualifiedName,
    pub type_ref: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    pub data_source: DataSource,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// When the value is valid; an invalid sample is still archived, flagged invalid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<Criteria>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_value: Option<String>,
}

impl Parameter {
    /// A telemetered parameter of type `type_ref` with nothing else set.
    pub fn new(name: QualifiedName, type_ref: QualifiedName) -> Self {
        Parameter {
            name,
            type_ref,
            description: None,
            aliases: Vec::new(),
            data_source: DataSource::Telemetered,
            read_only: false,
            validity: None,
            initial_value: None,
        }
    }
}

/// The whole mission model. Every collection is keyed by qualified name, so the canonical
/// form (and its digest) does not depend on the order of the source files or elements.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MissionModel {
    /// The root space system's name (e.g. `BogusSAT`).
    pub name: String,
    pub space_systems: BTreeMap<QualifiedName, SpaceSystem>,
    pub parameter_types: BTreeMap<QualifiedName, DataType>,
    pub parameters: BTreeMap<QualifiedName, Parameter>,
    pub containers: BTreeMap<QualifiedName, SequenceContainer>,
    pub argument_types: BTreeMap<QualifiedName, DataType>,
    pub commands: BTreeMap<QualifiedName, MetaCommand>,
    pub algorithms: BTreeMap<QualifiedName, Algorithm>,
}
