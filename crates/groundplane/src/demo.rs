//! The demo: missions imported from the real mission databases in `shared/real`, printed with
//! what they contain. Later issues make it start the whole embedded platform.

use crate::cli;
use base::MissionSlug;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A demo mission: its slug and where its model is, relative to the real material folder.
/// Only permissively licensed material is used (see shared/real/SOURCES.md).
pub const DEMO_MISSIONS: [(&str, &str); 4] = [
    ("jpss-1", "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml"),
    ("bogussat-diag", "xtcetools-bogussat/Diagnostic_Log_Packets.xml"),
    ("imap-idex", "lasp-space_packet_parser/idex/idex_combined_science_definition.xml"),
    ("spacepy-mib", "spacepylibrary/mib-ascii"),
];

/// How many example names are printed per collection.
const EXAMPLES_MAX: usize = 3;

/// The real material folder: the flag, else `$GROUNDPLANE_REAL_DIR`, else `../shared/real`.
pub fn real_dir(flag: Option<PathBuf>) -> PathBuf {
    #[allow(clippy::disallowed_methods)] // the binary is where env_vars are read
    let from_env = std::env::var_os("GROUNDPLANE_REAL_DIR").map(PathBuf::from);
    flag.or(from_env).unwrap_or_else(|| PathBuf::from("../shared/real"))
}

/// Imports every demo mission and prints it; fails when any does not import cleanly.
pub fn run(real_dir: &Path) -> anyhow::Result<ExitCode> {
    let (text, failed) = render(real_dir)?;
    print!("{text}");
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The demo's text and whether any mission failed to import.
pub fn render(real_dir: &Path) -> anyhow::Result<(String, bool)> {
    let mut out = String::new();
    let mut failed = false;
    let _ = writeln!(out, "Groundplane demo: {} missions from {}\n", DEMO_MISSIONS.len(), real_dir.display());
    for (slug, relative) in DEMO_MISSIONS {
        let slug: MissionSlug = slug.parse()?;
        let path = real_dir.join(relative);
        let loaded = cli::load_model(&path)?;
        let _ = writeln!(out, "mission {slug}  ({})", path.display());
        match &loaded.result {
            Ok(imported) => {
                out.push_str(&cli::summary_text(&imported.model)?);
                let model = &imported.model;
                let examples = |names: Vec<&model::QualifiedName>| {
                    names.iter().take(EXAMPLES_MAX).map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
                };
                let _ = writeln!(out, "  e.g. parameters: {}", examples(model.parameters.keys().collect()));
                let _ = writeln!(out, "       containers: {}", examples(model.containers.keys().collect()));
                let _ = writeln!(out, "       commands:   {}", examples(model.commands.keys().collect()));
                let unsupported = imported.report.count(model_import::Severity::Unsupported);
                let _ = writeln!(out, "  import report: {unsupported} unsupported construct(s) listed\n");
            }
            Err(report) => {
                failed = true;
                let _ = writeln!(out, "  FAILED to import: {} error(s)\n", report.count(model_import::Severity::Error));
            }
        }
    }
    Ok((out, failed))
}
