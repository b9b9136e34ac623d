//! Which parameters the processing itself reads back (conditions, dynamic sizes and counts,
//! context calibrations and alarms, math expressions, algorithm inputs): only those need
//! their latest value kept while packets are processed.

use model::{
    BinarySize, Calibrator, Criteria, DataEncoding, EntryKind, Epoch, IntegerValue, MathToken, MissionModel,
    QualifiedName, StringSize, TypeKind, VerifierCheck,
};
use std::collections::BTreeSet;

/// The names of every parameter the model reads at processing time.
pub(crate) fn referenced(model: &MissionModel) -> BTreeSet<QualifiedName> {
    let mut names = BTreeSet::new();
    let criteria = |c: &Criteria, names: &mut BTreeSet<QualifiedName>| {
        names.extend(c.parameters().into_iter().cloned());
    };
    fn value(v: &IntegerValue, names: &mut BTreeSet<QualifiedName>) {
        match v {
            IntegerValue::Fixed(_) => {}
            IntegerValue::Dynamic { parameter, .. } => {
                names.insert(parameter.parameter.clone());
            }
            IntegerValue::Lookup(entries) => {
                for (c, _) in entries {
                    names.extend(c.parameters().into_iter().cloned());
                }
            }
        }
    }
    for container in model.containers.values() {
        if let Some(c) = &container.restriction {
            criteria(c, &mut names);
        }
        for entry in &container.entries {
            if let Some(c) = &entry.include_if {
                criteria(c, &mut names);
            }
            if let Some(repeat) = &entry.repeat {
                value(&repeat.count, &mut names);
            }
            if let EntryKind::Group { count, .. } = &entry.kind {
                value(count, &mut names);
            }
        }
    }
    for data_type in model.parameter_types.values() {
        for context in &data_type.context_calibrators {
            criteria(&context.context, &mut names);
        }
        for context in &data_type.context_alarms {
            criteria(&context.context, &mut names);
        }
        let calibrators =
            data_type.calibrator.iter().chain(data_type.context_calibrators.iter().map(|c| &c.calibrator));
        for calibrator in calibrators {
            if let Calibrator::MathOperation { tokens } = calibrator {
                names.extend(tokens.iter().filter_map(|t| match t {
                    MathToken::Parameter(p) => Some(p.parameter.clone()),
                    _ => None,
                }));
            }
        }
        match &data_type.encoding {
            Some(DataEncoding::String { size: StringSize::Dynamic { size_bits, .. }, .. })
            | Some(DataEncoding::Binary { size: BinarySize::Dynamic { size_bits, .. } }) => {
                value(size_bits, &mut names)
            }
            _ => {}
        }
        match &data_type.kind {
            TypeKind::Array { dimensions, .. } => {
                for dimension in dimensions {
                    value(&dimension.start, &mut names);
                    value(&dimension.end, &mut names);
                }
            }
            TypeKind::AbsoluteTime { epoch: Epoch::OffsetFrom(p), .. } => {
                names.insert(p.parameter.clone());
            }
            _ => {}
        }
    }
    for parameter in model.parameters.values() {
        if let Some(c) = &parameter.validity {
            criteria(c, &mut names);
        }
    }
    for algorithm in model.algorithms.values() {
        names.extend(algorithm.inputs.iter().map(|i| i.parameter.parameter.clone()));
        names.extend(algorithm.expression.iter().filter_map(|t| match t {
            MathToken::Parameter(p) => Some(p.parameter.clone()),
            _ => None,
        }));
    }
    for command in model.commands.values() {
        for constraint in &command.constraints {
            criteria(&constraint.criteria, &mut names);
        }
        for verifier in &command.verifiers {
            match &verifier.check {
                VerifierCheck::Criteria(c) | VerifierCheck::Container { criteria: Some(c), .. } => {
                    criteria(c, &mut names)
                }
                VerifierCheck::ParameterChange { parameter, .. } => {
                    names.insert(parameter.clone());
                }
                _ => {}
            }
        }
    }
    names
}
