//! The model's commands as a command stack lists them.

use api::wire::{ArgumentDefinition, CommandDefinition};
use model::{MissionModel, SignificanceLevel, TypeKind};
use std::collections::BTreeSet;

/// Every command of the model that can be sent (not abstract, inheritance chain resolvable),
/// with the arguments a request may give.
pub fn definitions(model: &MissionModel) -> Vec<CommandDefinition> {
    model
        .commands
        .values()
        .filter(|command| !command.r#abstract)
        .filter_map(|command| {
            let chain = tc::args::resolve_chain(model, &command.name).ok()?;
            let assigned: BTreeSet<&str> = chain
                .iter()
                .filter_map(|level| level.base.as_ref())
                .flat_map(|base| base.assignments.iter().map(|a| a.argument.as_str()))
                .collect();
            let arguments = chain
                .iter()
                .flat_map(|level| &level.arguments)
                .filter(|argument| !assigned.contains(argument.name.as_str()))
                .map(|argument| argument_definition(model, argument))
                .collect();
            let level = significance(model, &command.name);
            Some(CommandDefinition {
                name: command.name.to_string(),
                description: command.description.clone(),
                significance: significance_name(level).to_string(),
                hazardous: tc::lifecycle::needs_approval(level),
                arguments,
            })
        })
        .collect()
}

/// A command's significance: its own, else the nearest base's, else none.
pub fn significance(model: &MissionModel, command: &model::QualifiedName) -> SignificanceLevel {
    let Ok(chain) = tc::args::resolve_chain(model, command) else { return SignificanceLevel::None };
    chain.iter().rev().find_map(|level| level.significance.as_ref()).map_or(SignificanceLevel::None, |s| s.level)
}

/// The wire name of a significance level.
pub fn significance_name(level: SignificanceLevel) -> &'static str {
    match level {
        SignificanceLevel::None => "none",
        SignificanceLevel::Watch => "watch",
        SignificanceLevel::Warning => "warning",
        SignificanceLevel::Distress => "distress",
        SignificanceLevel::Critical => "critical",
        SignificanceLevel::Severe => "severe",
    }
}

fn argument_definition(model: &MissionModel, argument: &model::CommandArgument) -> ArgumentDefinition {
    let data_type = model.argument_types.get(&argument.type_ref);
    let (kind, range, labels) = match data_type.map(|t| &t.kind) {
        Some(TypeKind::Integer { signed, size_bits, valid_range }) => {
            let range = valid_range.as_ref().map(range_text).or_else(|| Some(integer_range(*signed, *size_bits)));
            ("integer", range, Vec::new())
        }
        Some(TypeKind::Float { valid_range, .. }) => ("float", valid_range.as_ref().map(range_text), Vec::new()),
        Some(TypeKind::Boolean { one, zero }) => ("boolean", None, vec![zero.clone(), one.clone()]),
        Some(TypeKind::Enumerated { values }) => {
            ("enumeration", None, values.iter().map(|value| value.label.clone()).collect())
        }
        Some(TypeKind::String { length_range }) => ("string", length_range.map(|(a, b)| format!("{a}..={b}")), vec![]),
        Some(TypeKind::Binary { length_range }) => ("binary", length_range.map(|(a, b)| format!("{a}..={b}")), vec![]),
        Some(TypeKind::AbsoluteTime { .. }) => ("absolute_time", None, Vec::new()),
        Some(TypeKind::RelativeTime { .. }) => ("time", None, Vec::new()),
        Some(TypeKind::Array { .. }) => ("array", None, Vec::new()),
        Some(TypeKind::Aggregate { .. }) => ("aggregate", None, Vec::new()),
        None => ("unknown", None, Vec::new()),
    };
    ArgumentDefinition {
        name: argument.name.clone(),
        type_name: argument.type_ref.to_string(),
        kind: kind.to_string(),
        default: argument.initial_value.clone(),
        range,
        labels,
    }
}

fn range_text(range: &model::Range) -> String {
    let low = range.min.map_or(String::new(), |min| format!("{min}"));
    let high = range.max.map_or(String::new(), |max| format!("{max}"));
    let op = if range.max_inclusive { "..=" } else { ".." };
    let open = if range.min_inclusive || range.min.is_none() { "" } else { ">" };
    format!("{open}{low}{op}{high}")
}

fn integer_range(signed: bool, size_bits: u8) -> String {
    let bits = u32::from(size_bits.clamp(1, 64));
    if signed {
        let max = (1i128 << (bits - 1)) - 1;
        format!("{}..={max}", -max - 1)
    } else {
        format!("0..={}", (1u128 << bits) - 1)
    }
}
