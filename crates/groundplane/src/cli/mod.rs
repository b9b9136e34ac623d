//! The `groundplane model ...` commands: check, show and diff mission models.

pub(crate) mod json;
#[cfg(test)]
mod tests;

use crate::{load, render};
use anyhow::Context;
use clap::Subcommand;
use model::{MissionModel, ModelDiff, QualifiedName};
use model_import::{ImportReport, Imported, ItemKind, Severity, SourceFile, SourceKind};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Most matches `model show` prints in full; more are listed by name.
const SHOW_MATCHES_MAX: usize = 8;

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Import a model and report counts, its digest and every problem (exit 1 on errors).
    Check {
        /// An XTCE file, a folder of XTCE files, or a SCOS-2000 MIB folder.
        path: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show a parameter, type, container or command as the model holds it.
    Show {
        path: PathBuf,
        /// A qualified name (`/BogusSAT/SC001/BusElectronics/Battery_Voltage`) or a local name.
        name: Option<String>,
    },
    /// What was added, removed and changed from model A to model B.
    Diff {
        a: PathBuf,
        b: PathBuf,
        #[arg(long)]
        json: bool,
        /// Compare what could be read even when a model has errors (they are printed too).
        #[arg(long)]
        allow_errors: bool,
    },
}

/// Runs one model command, printing its output; the exit code says whether it found errors.
pub fn run_model(command: ModelCommand) -> anyhow::Result<ExitCode> {
    let outcome = match command {
        ModelCommand::Check { path, json } => check(&path, json)?,
        ModelCommand::Show { path, name } => show(&path, name.as_deref())?,
        ModelCommand::Diff { a, b, json, allow_errors } => diff(&a, &b, json, allow_errors)?,
    };
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    Ok(if outcome.failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// What a command prints and whether it failed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub failed: bool,
}

/// A model read from disk: its files, kind, and the import result.
pub struct Loaded {
    pub kind: SourceKind,
    pub files: Vec<SourceFile>,
    pub result: Result<Imported, ImportReport>,
}

/// Reads and imports the model at `path`.
pub fn load_model(path: &Path) -> anyhow::Result<Loaded> {
    let (kind, files) = load::model_files(path)?;
    let result = model_import::import(kind, &files);
    Ok(Loaded { kind, files, result })
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Xtce => "XTCE",
        SourceKind::Mib => "SCOS-2000 MIB",
    }
}

/// `model check`.
pub fn check(path: &Path, as_json: bool) -> anyhow::Result<Outcome> {
    let loaded = load_model(path)?;
    let report = match &loaded.result {
        Ok(imported) => &imported.report,
        Err(report) => report,
    };
    let model = loaded.result.as_ref().ok().map(|imported| &imported.model);
    let mut outcome = Outcome { failed: loaded.result.is_err(), ..Outcome::default() };
    if as_json {
        outcome.stdout = json::check(&loaded, model, report)?;
        return Ok(outcome);
    }
    let files = loaded.files.len();
    let _ = writeln!(outcome.stdout, "{}: {}, {files} file(s)", path.display(), kind_name(loaded.kind));
    if let Some(model) = model {
        outcome.stdout.push_str(&summary_text(model)?);
    }
    outcome.stderr = render::report(report, &loaded.files);
    let _ = writeln!(
        outcome.stdout,
        "report: {} error(s), {} unsupported, {} warning(s)",
        report.count(Severity::Error),
        report.count(Severity::Unsupported),
        report.count(Severity::Warning)
    );
    Ok(outcome)
}

/// The counts and digest of a model, one per line.
pub fn summary_text(model: &MissionModel) -> anyhow::Result<String> {
    let summary = model.summary();
    let digest = model.digest().context("computing the model digest")?;
    let mut out = String::new();
    let _ = writeln!(out, "model {}  {digest}", model.name);
    for (label, count) in [
        ("space systems", summary.space_systems),
        ("parameters", summary.parameters),
        ("parameter types", summary.parameter_types),
        ("containers", summary.containers),
        ("commands", summary.commands),
        ("argument types", summary.argument_types),
        ("calibrators", summary.calibrators),
        ("alarms", summary.alarms),
        ("algorithms", summary.algorithms),
    ] {
        let _ = writeln!(out, "  {label:<16} {count:>6}");
    }
    Ok(out)
}

/// An imported model, or the outcome that says why there is none.
fn imported_or_outcome(loaded: Loaded) -> Result<(Imported, Vec<SourceFile>), Outcome> {
    match loaded.result {
        Ok(imported) => Ok((imported, loaded.files)),
        Err(report) => Err(Outcome {
            stderr: format!("{}the model has errors: fix them first\n", render::report(&report, &loaded.files)),
            failed: true,
            ..Outcome::default()
        }),
    }
}

/// `model show`.
pub fn show(path: &Path, name: Option<&str>) -> anyhow::Result<Outcome> {
    let (imported, _files) = match imported_or_outcome(load_model(path)?) {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    let Some(name) = name else {
        let mut stdout = summary_text(&imported.model)?;
        stdout.push_str("give a NAME to show one item (a qualified name or a local name)\n");
        return Ok(Outcome { stdout, ..Outcome::default() });
    };
    let matches = find(&imported.model, name);
    let mut outcome = Outcome::default();
    match matches.len() {
        0 => {
            outcome.failed = true;
            outcome.stderr = format!("error: no parameter, type, container or command is named `{name}`\n");
        }
        n if n > SHOW_MATCHES_MAX => {
            let _ = writeln!(outcome.stdout, "{n} items match `{name}`; give a qualified name:");
            for (kind, qualified) in &matches {
                let _ = writeln!(outcome.stdout, "  {kind} {qualified}");
            }
        }
        _ => {
            for (kind, qualified) in &matches {
                outcome.stdout.push_str(&json::item(&imported, *kind, qualified)?);
            }
        }
    }
    Ok(outcome)
}

/// Every item named `name`: by qualified name, else by local name or path suffix.
fn find(model: &MissionModel, name: &str) -> Vec<(ItemKind, QualifiedName)> {
    let keys = |kind: ItemKind| -> Vec<(ItemKind, QualifiedName)> {
        let names: Vec<&QualifiedName> = match kind {
            ItemKind::SpaceSystem => model.space_systems.keys().collect(),
            ItemKind::ParameterType => model.parameter_types.keys().collect(),
            ItemKind::Parameter => model.parameters.keys().collect(),
            ItemKind::Container => model.containers.keys().collect(),
            ItemKind::ArgumentType => model.argument_types.keys().collect(),
            ItemKind::Command => model.commands.keys().collect(),
            ItemKind::Algorithm => model.algorithms.keys().collect(),
        };
        names.into_iter().map(|n| (kind, n.clone())).collect()
    };
    let all: Vec<(ItemKind, QualifiedName)> = [
        ItemKind::Parameter,
        ItemKind::Container,
        ItemKind::Command,
        ItemKind::ParameterType,
        ItemKind::ArgumentType,
        ItemKind::Algorithm,
        ItemKind::SpaceSystem,
    ]
    .into_iter()
    .flat_map(keys)
    .collect();
    let exact: Vec<_> = all.iter().filter(|(_, n)| n.as_str() == name).cloned().collect();
    if !exact.is_empty() {
        return exact;
    }
    let suffix = format!("/{}", name.trim_start_matches('/'));
    all.into_iter().filter(|(_, n)| n.as_str().ends_with(&suffix)).collect()
}

/// A model for `diff`: imported, or with `allow_errors` read as far as possible (its errors
/// go to `stderr`).
fn diff_side(path: &Path, allow_errors: bool, stderr: &mut String) -> anyhow::Result<Result<Imported, Outcome>> {
    let loaded = load_model(path)?;
    if !allow_errors || loaded.result.is_ok() {
        return Ok(imported_or_outcome(loaded).map(|(imported, _)| imported).map_err(|mut outcome| {
            outcome.stderr.push_str("  = hint: `--allow-errors` compares what could be read\n");
            outcome
        }));
    }
    let partial = model_import::import_partial(loaded.kind, &loaded.files);
    let n_errors = partial.report.count(Severity::Error);
    stderr.push_str(&render::report(&partial.report, &loaded.files));
    let _ = writeln!(stderr, "warning: {}: {n_errors} error(s); the diff covers what could be read", path.display());
    Ok(Ok(partial))
}

/// `model diff`.
pub fn diff(a: &Path, b: &Path, as_json: bool, allow_errors: bool) -> anyhow::Result<Outcome> {
    let mut stderr = String::new();
    let old = match diff_side(a, allow_errors, &mut stderr)? {
        Ok(imported) => imported,
        Err(outcome) => return Ok(outcome),
    };
    let new = match diff_side(b, allow_errors, &mut stderr)? {
        Ok(imported) => imported,
        Err(outcome) => return Ok(outcome),
    };
    let diff = ModelDiff::between(&old.model, &new.model);
    let stdout = if as_json {
        json::diff(&old.model, &new.model, &diff)?
    } else {
        let old_digest = old.model.digest()?;
        let new_digest = new.model.digest()?;
        format!("--- {} {old_digest}\n+++ {} {new_digest}\n{diff}\n", a.display(), b.display())
    };
    Ok(Outcome { stdout, stderr, ..Outcome::default() })
}
