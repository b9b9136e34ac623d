//! Argument checks: a command's arguments, as an operator or a procedure gives them, checked
//! against the mission model before anything is encoded.
//!
//! [`check`] walks the command's inheritance chain (root base first), fixes the arguments the
//! chain assigns, fills defaults (initial values), refuses unknown, duplicate and missing
//! arguments, and checks every value against its type: integer range (the type's size and sign,
//! the encoding's size and sign, the valid range), float range, enumeration labels and values,
//! string and binary lengths, booleans. Every value may also be given as text (API requests
//! carry JSON): `"42"`, `"0x2A"`, `"-3"`, `"1.5e3"`, `"ON"`, `"0a0b"` (hex bytes).

mod rules;
#[cfg(test)]
mod tests;

use model::{MetaCommand, MissionModel, QualifiedName};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use rules::{check_value, ARRAY_LEN_MAX};

/// How deep a command's inheritance chain may be; deeper (or a cycle) is refused.
pub const CHAIN_MAX: usize = 16;

/// An argument value, as given or as checked.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// A whole number (also an enumeration's raw value).
    Integer(i128),
    Float(f64),
    /// Text: a string argument, an enumeration label, or any value in its text form.
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    /// The elements of an array argument, or the repeats of an argument in a group repeater.
    Array(Vec<ArgValue>),
    /// The members of an aggregate argument, by name.
    Aggregate(Vec<(String, ArgValue)>),
}

impl fmt::Display for ArgValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgValue::Integer(value) => write!(f, "{value}"),
            ArgValue::Float(value) => write!(f, "{value}"),
            ArgValue::Text(text) => write!(f, "{text:?}"),
            ArgValue::Bytes(bytes) => {
                f.write_str("0x")?;
                bytes.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
            ArgValue::Bool(value) => write!(f, "{value}"),
            ArgValue::Array(values) => write!(f, "[{} values]", values.len()),
            ArgValue::Aggregate(members) => write!(f, "{{{} members}}", members.len()),
        }
    }
}

/// A command whose arguments all passed [`check`]: the only input [`crate::encode::encode`]
/// takes.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedCommand {
    pub command: QualifiedName,
    /// The inheritance chain, root base first, ending with the command itself.
    pub chain: Vec<QualifiedName>,
    /// Every argument of the chain with its checked value: integers as `Integer`, floats as
    /// `Float`, booleans as `Bool`, enumerations as the label `Text` (or the raw `Integer` when
    /// given as a number), strings as `Text`, binary as `Bytes`.
    pub values: BTreeMap<String, ArgValue>,
    /// The arguments the chain's assignments fixed (not given by the caller).
    pub assigned: BTreeSet<String>,
}

/// Why a command's arguments were refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ArgError {
    #[error("command {0}: not in the model")]
    UnknownCommand(QualifiedName),
    #[error("command {0}: abstract, it can only be the base of another command")]
    Abstract(QualifiedName),
    #[error("command {command}: base {base} is not in the model")]
    UnknownBase { command: QualifiedName, base: QualifiedName },
    #[error("command {0}: the inheritance chain is deeper than {CHAIN_MAX} (a cycle?)")]
    ChainTooDeep(QualifiedName),
    #[error("command {command}: no argument {argument:?} (arguments: {known})")]
    UnknownArgument { command: QualifiedName, argument: String, known: String },
    #[error("command {command}: argument {argument:?} is given twice")]
    Duplicate { command: QualifiedName, argument: String },
    #[error("command {command}: argument {argument:?} is fixed to {value} by {by}, it cannot be given")]
    Assigned { command: QualifiedName, argument: String, value: String, by: QualifiedName },
    #[error("command {command}: argument {argument:?} is missing and has no default")]
    Missing { command: QualifiedName, argument: String },
    #[error("command {command}: assignment by {by} names {argument:?}, which no base command has")]
    AssignmentToUnknown { command: QualifiedName, argument: String, by: QualifiedName },
    #[error("argument {argument:?}: type {type_ref} is not in the model")]
    UnknownType { argument: String, type_ref: QualifiedName },
    /// A value broke a rule of its type; `reason` says which (`300 is above the maximum 255
    /// (8-bit unsigned encoding)`).
    #[error("argument {argument:?}: {reason}")]
    Invalid { argument: String, reason: String },
}

/// Checks `given` against `command` in `model`; see the module documentation.
pub fn check(
    model: &MissionModel,
    command: &QualifiedName,
    given: &[(String, ArgValue)],
) -> Result<CheckedCommand, ArgError> {
    let chain = resolve_chain(model, command)?;
    let leaf = chain.last().expect("a chain holds at least the command itself");
    if leaf.r#abstract {
        return Err(ArgError::Abstract(command.clone()));
    }
    // Assignments, root first; a later (more derived) assignment wins.
    let mut fixed: BTreeMap<&str, (&str, &QualifiedName)> = BTreeMap::new();
    for level in &chain {
        if let Some(base) = &level.base {
            for assignment in &base.assignments {
                fixed.insert(&assignment.argument, (&assignment.value, &level.name));
            }
        }
    }
    let arguments: Vec<_> = chain.iter().flat_map(|level| &level.arguments).collect();
    let known = |name: &str| arguments.iter().any(|argument| argument.name == name);
    for (name, (_, by)) in &fixed {
        if !known(name) {
            let (command, argument, by) = (command.clone(), name.to_string(), (*by).clone());
            return Err(ArgError::AssignmentToUnknown { command, argument, by });
        }
    }
    let mut given_map: BTreeMap<&str, &ArgValue> = BTreeMap::new();
    for (name, value) in given {
        if !known(name) {
            let free: Vec<&str> =
                arguments.iter().map(|a| a.name.as_str()).filter(|name| !fixed.contains_key(name)).collect();
            let known = if free.is_empty() { "none".to_string() } else { free.join(", ") };
            return Err(ArgError::UnknownArgument { command: command.clone(), argument: name.clone(), known });
        }
        if let Some((value, by)) = fixed.get(name.as_str()) {
            let (argument, value, by) = (name.clone(), value.to_string(), (*by).clone());
            return Err(ArgError::Assigned { command: command.clone(), argument, value, by });
        }
        if given_map.insert(name, value).is_some() {
            return Err(ArgError::Duplicate { command: command.clone(), argument: name.clone() });
        }
    }
    let grouped = rules::grouped_arguments(&chain);
    let mut values = BTreeMap::new();
    let mut assigned = BTreeSet::new();
    for argument in arguments {
        let raw = match (fixed.get(argument.name.as_str()), given_map.get(argument.name.as_str())) {
            (Some((value, _)), _) => {
                assigned.insert(argument.name.clone());
                ArgValue::Text(value.to_string())
            }
            (None, Some(value)) => (*value).clone(),
            (None, None) => match &argument.initial_value {
                Some(initial) => ArgValue::Text(initial.clone()),
                None => return Err(ArgError::Missing { command: command.clone(), argument: argument.name.clone() }),
            },
        };
        let in_group = grouped.contains(argument.name.as_str());
        let value = rules::check_argument(model, &argument.name, &argument.type_ref, &raw, in_group)?;
        values.insert(argument.name.clone(), value);
    }
    let chain = chain.iter().map(|level| level.name.clone()).collect();
    Ok(CheckedCommand { command: command.clone(), chain, values, assigned })
}

/// The command and its bases, root base first.
pub fn resolve_chain<'m>(model: &'m MissionModel, command: &QualifiedName) -> Result<Vec<&'m MetaCommand>, ArgError> {
    let mut chain = Vec::new();
    let mut current = model.commands.get(command).ok_or_else(|| ArgError::UnknownCommand(command.clone()))?;
    loop {
        chain.push(current);
        let Some(base) = &current.base else { break };
        if chain.len() >= CHAIN_MAX {
            return Err(ArgError::ChainTooDeep(command.clone()));
        }
        current = model
            .commands
            .get(&base.command)
            .ok_or_else(|| ArgError::UnknownBase { command: current.name.clone(), base: base.command.clone() })?;
    }
    chain.reverse();
    Ok(chain)
}
