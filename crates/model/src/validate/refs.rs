//! Every name in the model must resolve to an item of the right kind.

use super::{ItemKind, Sink, ValidationIssue, ValidationKind};
use crate::{
    ArrayDimension, Criteria, DataType, EntryKind, Epoch, IntegerValue, MathToken, MissionModel, QualifiedName,
    TypeKind, VerifierCheck,
};
use crate::{BinarySize, CommandEntryKind, DataEncoding, StringSize};
use std::collections::BTreeMap;

pub(super) fn check(model: &MissionModel, issues: &mut Vec<ValidationIssue>) {
    let refs = Refs { model };
    for (name, data_type) in &model.parameter_types {
        let mut sink = Sink { issues, item_kind: ItemKind::ParameterType, item: name };
        refs.data_type(data_type, &model.parameter_types, &mut sink);
    }
    for (name, data_type) in &model.argument_types {
        let mut sink = Sink { issues, item_kind: ItemKind::ArgumentType, item: name };
        refs.data_type(data_type, &model.argument_types, &mut sink);
    }
    for (name, parameter) in &model.parameters {
        let mut sink = Sink { issues, item_kind: ItemKind::Parameter, item: name };
        refs.type_ref(&parameter.type_ref, &model.parameter_types, "parameter type", &mut sink);
        refs.criteria(parameter.validity.as_ref(), &mut sink);
    }
    for (name, container) in &model.containers {
        let mut sink = Sink { issues, item_kind: ItemKind::Container, item: name };
        if let Some(base) = &container.base {
            refs.container(base, &mut sink);
        }
        refs.criteria(container.restriction.as_ref(), &mut sink);
        for entry in &container.entries {
            match &entry.kind {
                EntryKind::Parameter(p) | EntryKind::ArrayParameter(p) => refs.parameter(p, &mut sink),
                EntryKind::Container(c) => refs.container(c, &mut sink),
                EntryKind::Fixed { .. } => {}
                EntryKind::Group { count, .. } => refs.integer_value(count, &mut sink),
            }
            refs.criteria(entry.include_if.as_ref(), &mut sink);
            if let Some(repeat) = &entry.repeat {
                refs.integer_value(&repeat.count, &mut sink);
            }
        }
    }
    for (name, command) in &model.commands {
        let mut sink = Sink { issues, item_kind: ItemKind::Command, item: name };
        refs.command(model, command, &mut sink);
    }
    for (name, algorithm) in &model.algorithms {
        let mut sink = Sink { issues, item_kind: ItemKind::Algorithm, item: name };
        for input in &algorithm.inputs {
            refs.parameter(&input.parameter.parameter, &mut sink);
        }
        refs.parameter(&algorithm.output, &mut sink);
        refs.tokens(&algorithm.expression, &mut sink);
    }
}

struct Refs<'a> {
    model: &'a MissionModel,
}

impl Refs<'_> {
    fn unresolved(&self, what: &str, name: &QualifiedName, sink: &mut Sink<'_>) {
        sink.push(ValidationKind::UnresolvedReference, format!("{what} `{name}` is not defined"));
    }

    fn parameter(&self, name: &QualifiedName, sink: &mut Sink<'_>) {
        if !self.model.parameters.contains_key(name) {
            self.unresolved("parameter", name, sink);
        }
    }

    fn container(&self, name: &QualifiedName, sink: &mut Sink<'_>) {
        if !self.model.containers.contains_key(name) {
            self.unresolved("container", name, sink);
        }
    }

    fn type_ref(
        &self,
        name: &QualifiedName,
        types: &BTreeMap<QualifiedName, DataType>,
        what: &str,
        sink: &mut Sink<'_>,
    ) {
        if !types.contains_key(name) {
            self.unresolved(what, name, sink);
        }
    }

    fn criteria(&self, criteria: Option<&Criteria>, sink: &mut Sink<'_>) {
        for name in criteria.map(Criteria::parameters).unwrap_or_default() {
            self.parameter(name, sink);
        }
    }

    fn integer_value(&self, value: &IntegerValue, sink: &mut Sink<'_>) {
        match value {
            IntegerValue::Fixed(_) => {}
            IntegerValue::Dynamic { parameter, .. } => self.parameter(&parameter.parameter, sink),
            IntegerValue::Lookup(entries) => {
                entries.iter().for_each(|(criteria, _)| self.criteria(Some(criteria), sink))
            }
        }
    }

    fn tokens(&self, tokens: &[MathToken], sink: &mut Sink<'_>) {
        for token in tokens {
            if let MathToken::Parameter(param) = token {
                self.parameter(&param.parameter, sink);
            }
        }
    }

    fn data_type(&self, data_type: &DataType, types: &BTreeMap<QualifiedName, DataType>, sink: &mut Sink<'_>) {
        match &data_type.kind {
            TypeKind::Array { element_type, dimensions } => {
                self.type_ref(element_type, types, "element type", sink);
                for ArrayDimension { start, end } in dimensions {
                    self.integer_value(start, sink);
                    self.integer_value(end, sink);
                }
            }
            TypeKind::Aggregate { members } => {
                for member in members {
                    self.type_ref(&member.type_ref, types, "member type", sink);
                }
            }
            TypeKind::AbsoluteTime { epoch: Epoch::OffsetFrom(param), .. } => self.parameter(&param.parameter, sink),
            _ => {}
        }
        match &data_type.encoding {
            Some(DataEncoding::String { size: StringSize::Dynamic { size_bits, .. }, .. })
            | Some(DataEncoding::Binary { size: BinarySize::Dynamic { size_bits, .. } }) => {
                self.integer_value(size_bits, sink)
            }
            _ => {}
        }
        if let Some(crate::Calibrator::MathOperation { tokens }) = &data_type.calibrator {
            self.tokens(tokens, sink);
        }
        for context in &data_type.context_calibrators {
            self.criteria(Some(&context.context), sink);
        }
        for context in &data_type.context_alarms {
            self.criteria(Some(&context.context), sink);
        }
    }

    fn command(&self, model: &MissionModel, command: &crate::MetaCommand, sink: &mut Sink<'_>) {
        if let Some(base) = &command.base {
            if !model.commands.contains_key(&base.command) {
                self.unresolved("base command", &base.command, sink);
            }
        }
        let known_arguments = argument_names(model, command);
        let check_argument = |name: &str, sink: &mut Sink<'_>| {
            if !known_arguments.iter().any(|known| known == name) {
                sink.push(
                    ValidationKind::UnresolvedReference,
                    format!("argument `{name}` is not an argument of this command or its bases"),
                );
            }
        };
        if let Some(base) = &command.base {
            for assignment in &base.assignments {
                check_argument(&assignment.argument, sink);
            }
        }
        for argument in &command.arguments {
            self.type_ref(&argument.type_ref, &model.argument_types, "argument type", sink);
        }
        for entry in &command.entries {
            match &entry.kind {
                CommandEntryKind::Argument(name) => check_argument(name, sink),
                CommandEntryKind::Group { count_argument, .. } => check_argument(count_argument, sink),
                CommandEntryKind::Parameter(p) => self.parameter(p, sink),
                CommandEntryKind::Container(c) => self.container(c, sink),
                CommandEntryKind::Fixed { .. } => {}
            }
            self.criteria(entry.include_if.as_ref(), sink);
        }
        for constraint in &command.constraints {
            self.criteria(Some(&constraint.criteria), sink);
        }
        for verifier in &command.verifiers {
            match &verifier.check {
                VerifierCheck::Container { container, criteria } => {
                    self.container(container, sink);
                    self.criteria(criteria.as_ref(), sink);
                }
                VerifierCheck::Criteria(criteria) => self.criteria(Some(criteria), sink),
                VerifierCheck::ParameterChange { parameter, .. } => self.parameter(parameter, sink),
                VerifierCheck::Algorithm { .. } => {}
            }
        }
    }
}

/// The argument names of a command and of its base chain (bounded, so a cycle stops).
fn argument_names(model: &MissionModel, command: &crate::MetaCommand) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = Some(command);
    for _ in 0..super::NESTING_MAX {
        let Some(cmd) = current else { break };
        names.extend(cmd.arguments.iter().map(|a| a.name.clone()));
        current = cmd.base.as_ref().and_then(|base| model.commands.get(&base.command));
    }
    names
}
