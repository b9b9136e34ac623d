//! XTCE 1.0/1.1/1.2 importer: a set of XTCE files (one SpaceSystem tree each) into one
//! `MissionModel`.
//!
//! It reads in two passes. The first parses every file and indexes every definition by its
//! qualified name (so references may cross files); the second builds the model items,
//! resolving every reference the XTCE way. Elements are matched by local name, in any XTCE
//! namespace or none. What the model cannot represent is reported as unsupported; problems
//! of the source are errors, all of them collected, each at its file:line:column.

mod algorithms;
mod arguments;
mod calib_alarm;
mod commands;
mod compound;
mod containers;
mod criteria;
mod cx;
mod depth;
mod encoding;
mod index;
mod names;
#[cfg(test)]
mod tests;
mod types;
mod values;
mod verifiers;
mod yamcs_time;

use crate::{Diagnostic, ImportReport, Imported, Place, SourceFile};
use cx::Cx;
use index::{Def, DefKind};
use model::{MissionModel, QualifiedName};

/// Deepest nesting followed (space systems, boolean expressions, base-type chains).
pub const NESTING_MAX: usize = 64;

/// Imports a set of XTCE files into one model. Each file's root SpaceSystem becomes a child
/// of `/`; references may point into any file of the set.
pub fn import(files: &[SourceFile]) -> Result<Imported, ImportReport> {
    crate::finish(read(files))
}

/// Reads the XTCE files into a draft: whatever could be built, and every finding so far.
pub fn read(files: &[SourceFile]) -> crate::Draft {
    let mut report = ImportReport::default();
    let texts: Vec<Option<&str>> = files.iter().map(|file| text_of(file, &mut report)).collect();
    let mut docs = Vec::new();
    for (file_idx, (file, text)) in files.iter().zip(&texts).enumerate() {
        let Some(text) = text else { continue };
        if let Some(offset) = depth::too_deep(text) {
            let (line, column) = line_column(text.as_bytes(), offset);
            let place = Place::new(&file.path, line, column);
            let message = format!("elements nested deeper than {} levels", depth::XML_DEPTH_MAX);
            report.push(Diagnostic::error(place, "XML", message));
            continue;
        }
        let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
        match roxmltree::Document::parse_with_options(text, options) {
            Ok(doc) => docs.push((file_idx, doc)),
            Err(err) => {
                let pos = err.pos();
                let place = Place::new(&file.path, pos.row.max(1), pos.col.max(1));
                report.push(Diagnostic::error(place, "XML", format!("not well-formed XML: {err}")));
            }
        }
    }
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    let mut cx = Cx::new(&paths, &texts, report);
    let mut defs: Vec<Def<'_, '_>> = Vec::new();
    for (file_idx, doc) in &docs {
        cx.file = *file_idx;
        index::index_document(&mut cx, doc, &mut defs);
    }
    let model = build(&mut cx, &defs);
    let fallback = Place::new(paths.first().copied().unwrap_or("<no file>"), 1, 1);
    let Cx { report, sources, .. } = cx;
    crate::Draft { model, report, sources, fallback }
}

/// The file's text, or an error at the first byte that is not UTF-8.
fn text_of<'a>(file: &'a SourceFile, report: &mut ImportReport) -> Option<&'a str> {
    match std::str::from_utf8(&file.bytes) {
        Ok(text) => Some(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(err) => {
            let offset = err.valid_up_to();
            let (line, column) = line_column(&file.bytes, offset);
            let place = Place::new(&file.path, line, column);
            let message = format!("not UTF-8 at byte offset {offset}");
            report.push(Diagnostic::error(place, "file", message));
            None
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset`.
fn line_column(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |idx| idx + 1);
    let on_line = before.get(line_start..).unwrap_or_default();
    let column = std::str::from_utf8(on_line).map_or(on_line.len(), |text| text.chars().count()) + 1;
    (to_u32(line), to_u32(column))
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A type's `initialValue` is the initial value of each parameter or argument of that type
/// that states none itself (the model keeps initial values on parameters and arguments).
fn inherit_initial_values(model: &mut MissionModel, defs: &[Def<'_, '_>]) {
    let by_name: std::collections::HashMap<(DefKind, &QualifiedName), &str> =
        defs.iter().filter_map(|def| Some(((def.kind, &def.name), def.node.attribute("initialValue")?))).collect();
    let initial = |kind: DefKind, type_ref: &QualifiedName| by_name.get(&(kind, type_ref)).map(|v| v.to_string());
    for parameter in model.parameters.values_mut().filter(|p| p.initial_value.is_none()) {
        parameter.initial_value = initial(DefKind::ParameterType, &parameter.type_ref);
    }
    for command in model.commands.values_mut() {
        for argument in command.arguments.iter_mut().filter(|a| a.initial_value.is_none()) {
            argument.initial_value = initial(DefKind::ArgumentType, &argument.type_ref);
        }
    }
}

/// The model's name: the root space system holding the most definitions (the mission's
/// own file rather than a shared types file), the first such on a tie.
fn model_name(defs: &[Def<'_, '_>]) -> String {
    let roots =
        defs.iter().filter(|def| def.kind == DefKind::SpaceSystem && def.name.parent() == QualifiedName::root());
    let size = |root: &QualifiedName| {
        let prefix = format!("{root}/");
        defs.iter().filter(|def| def.name.as_str().starts_with(&prefix)).count()
    };
    let mut best: Option<(usize, &QualifiedName)> = None;
    for root in roots {
        let count = size(&root.name);
        if best.is_none_or(|(best_count, _)| count > best_count) {
            best = Some((count, &root.name));
        }
    }
    best.map(|(_, name)| name.local().to_string()).unwrap_or_default()
}

/// The second pass: every indexed definition becomes a model item.
fn build(cx: &mut Cx, defs: &[Def<'_, '_>]) -> MissionModel {
    let mut model = MissionModel { name: model_name(defs), ..MissionModel::default() };
    let mut builder = types::TypeBuilder::new(defs);
    let argument_index = arguments::ArgumentIndex::new(cx, defs);
    for def in defs {
        cx.file = def.file;
        match def.kind {
            DefKind::SpaceSystem => {
                let space_system = index::space_system(def.node);
                model.space_systems.insert(def.name.clone(), space_system);
            }
            DefKind::ParameterType => {
                if let Some(data_type) = builder.build(cx, def.key(), 0) {
                    model.parameter_types.insert(def.name.clone(), data_type);
                }
            }
            DefKind::ArgumentType => {
                if let Some(data_type) = builder.build(cx, def.key(), 0) {
                    model.argument_types.insert(def.name.clone(), data_type);
                }
            }
            DefKind::Parameter => {
                if let Some(parameter) = containers::parameter(cx, def) {
                    model.parameters.insert(def.name.clone(), parameter);
                }
            }
            DefKind::Container | DefKind::CommandContainer => {
                if let Some(container) = containers::container(cx, def) {
                    model.containers.insert(def.name.clone(), container);
                }
            }
            DefKind::Command => {
                if let Some(command) = commands::command(cx, def, &argument_index) {
                    model.commands.insert(def.name.clone(), command);
                }
            }
            DefKind::MathAlgorithm => {
                if let Some(algorithm) = algorithms::math_algorithm(cx, def) {
                    model.algorithms.insert(def.name.clone(), algorithm);
                }
            }
            DefKind::CustomAlgorithm => algorithms::custom_algorithm(cx, def),
        }
        // Building a type may have read its base in another file.
        cx.file = def.file;
        if let Some(item_kind) = def.kind.item_kind() {
            cx.sources.insert(item_kind, def.name.clone(), cx.place(def.node));
        }
    }
    inherit_initial_values(&mut model, defs);
    for output in std::mem::take(&mut cx.derived_outputs) {
        if let Some(parameter) = model.parameters.get_mut(&output) {
            parameter.data_source = model::DataSource::Derived;
        }
    }
    for algorithm in model.algorithms.values() {
        if let Some(parameter) = model.parameters.get_mut(&algorithm.output) {
            parameter.data_source = model::DataSource::Derived;
        }
    }
    model
}
