//! Importers: XTCE 1.0/1.1/1.2 and SCOS-2000 MIB ASCII tables into the mission model, with an
//! import report naming the place (file:line:column or table:line:column) of every problem.
//!
//! It returns a model only when there are no errors; what the model cannot represent is listed
//! in the report as unsupported, never dropped silently. It takes file contents as bytes and
//! never does I/O itself: the caller reads the files.

mod detect;
pub mod mib;
mod report;
mod sources;
mod suggest;
pub mod xtce;

pub use detect::{detect, SourceKind};
pub use model::ItemKind;
pub use report::{Diagnostic, ImportReport, Place, Severity};
pub use sources::{SourceFile, SourceMap};

use model::MissionModel;

/// A successful import: the model, the report (unsupported items and warnings only), and
/// where each item came from.
#[derive(Clone, Debug)]
pub struct Imported {
    pub model: MissionModel,
    pub report: ImportReport,
    pub sources: SourceMap,
}

/// Imports a set of files of one kind. On any error, returns the whole report (every error
/// found, not just the first) and no model.
pub fn import(kind: SourceKind, files: &[SourceFile]) -> Result<Imported, ImportReport> {
    finish(read(kind, files))
}

/// Reads what it can even when there are errors: for inspecting or comparing a broken model
/// (`model diff --allow-errors`), never for running one. The report holds every error.
pub fn import_partial(kind: SourceKind, files: &[SourceFile]) -> Imported {
    let (model, report, sources) = check(read(kind, files));
    Imported { model, report, sources }
}

fn read(kind: SourceKind, files: &[SourceFile]) -> Draft {
    match kind {
        SourceKind::Xtce => xtce::read(files),
        SourceKind::Mib => mib::read(files),
    }
}

/// What an importer built before validation: the model so far, the report, where each item
/// came from, and the place to name when an item has none.
#[derive(Clone, Debug)]
pub struct Draft {
    pub model: MissionModel,
    pub report: ImportReport,
    pub sources: SourceMap,
    pub fallback: Place,
}

/// The last step of every import: validates the draft and returns the model only when there
/// is no error.
pub fn finish(draft: Draft) -> Result<Imported, ImportReport> {
    let (model, report, sources) = check(draft);
    if report.has_errors() {
        return Err(report);
    }
    let mut model = model;
    model.canonicalize();
    Ok(Imported { model, report, sources })
}

/// Validates a draft: validation issues become diagnostics placed at the item's definition
/// (overlays are warnings, the rest errors), with a "did you mean" hint for unknown names.
fn check(draft: Draft) -> (MissionModel, ImportReport, SourceMap) {
    let Draft { model, mut report, sources, fallback } = draft;
    let fallback = &fallback;
    for issue in model.validate() {
        let place = sources.get(issue.item_kind, &issue.item).unwrap_or(fallback).clone();
        let element = format!("{} {}", issue.item_kind, issue.item);
        let mut diagnostic = if issue.kind.is_error() {
            Diagnostic::error(place, element, issue.message)
        } else {
            Diagnostic::warning(place, element, issue.message)
        };
        if let Some(suggestion) = issue.reference.as_ref().and_then(|r| suggest::closest(&model, r)) {
            diagnostic = diagnostic.with_hint(format!("did you mean `{suggestion}`?"));
        }
        report.push(diagnostic);
    }
    report.sort();
    (model, report, sources)
}
