//! `groundplane procedure ...`: check test procedures, and run them against a deployment of a
//! running platform over its HTTP API, with live progress and a JUnit XML report.

pub(crate) mod http;
mod target;
#[cfg(test)]
mod tests;

use anyhow::Context;
use procedure::{Observer, Procedure, ProcedureReport, RunOptions, Step, StepReport};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The platform's URL when neither `--url` nor `$GROUNDPLANE_URL` gives one.
const URL_DEFAULT: &str = "http://127.0.0.1:8080";

#[derive(clap::Subcommand)]
pub enum ProcedureCommand {
    /// Read and validate a procedure file (exit 0: valid, 1: problems listed, 2: unreadable).
    Check {
        /// The procedure file (TOML).
        file: PathBuf,
    },
    /// Run a procedure against a deployment (exit 0: every step passed, 1: a step failed,
    /// 2: a usage, file or connection error).
    Run {
        /// The procedure file (TOML).
        file: PathBuf,
        /// The mission, e.g. `sentinel-x`.
        #[arg(long)]
        mission: String,
        /// The environment: dev, aiv or ops.
        #[arg(long)]
        env: String,
        /// The platform's URL (default: $GROUNDPLANE_URL, then http://127.0.0.1:8080).
        #[arg(long)]
        url: Option<String>,
        /// A bearer token (default: $GROUNDPLANE_TOKEN).
        #[arg(long)]
        token: Option<String>,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Milliseconds between two polls of a waiting step.
        #[arg(long, default_value_t = procedure::POLL_MS_DEFAULT)]
        poll_ms: u64,
    },
}

pub fn run(command: ProcedureCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProcedureCommand::Check { file } => {
            let Some(procedure) = load(&file)? else { return Ok(ExitCode::from(1)) };
            println!("{}: ok: {} ({} steps)", file.display(), procedure.name, procedure.steps.len());
            Ok(ExitCode::SUCCESS)
        }
        ProcedureCommand::Run { file, mission, env, url, token, junit, poll_ms } => {
            let Some(procedure) = load(&file)? else { return Ok(ExitCode::from(2)) };
            let url = url.or_else(|| env_var("GROUNDPLANE_URL")).unwrap_or_else(|| URL_DEFAULT.to_string());
            let token = token.or_else(|| env_var("GROUNDPLANE_TOKEN"));
            let client = http::Client::new(&url, token)?;
            let mut target = target::HttpTarget::new(client, &mission, &env);
            println!("procedure {} against {mission}/{env} at {url}", procedure.name);
            let report = procedure::run(&procedure, &mut target, &mut Progress, &RunOptions { poll_ms });
            println!("{}", report.summary_line());
            if let Some(path) = junit {
                std::fs::write(&path, procedure::junit_xml(&report))
                    .with_context(|| format!("writing the JUnit report {}", path.display()))?;
            }
            Ok(exit_code(&report))
        }
    }
}

/// 0: every step passed; 1: a step failed; 2: the target could not be reached.
fn exit_code(report: &ProcedureReport) -> ExitCode {
    let counts = report.counts();
    match (counts.errors, counts.failed) {
        (0, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

/// Reads and validates a file; prints its problems as `file:line:column: ...` and gives `None`
/// when it has any.
fn load(file: &Path) -> anyhow::Result<Option<Procedure>> {
    let opened = std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    let mut bytes = Vec::new();
    opened
        .take(procedure::PROCEDURE_LEN_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", file.display()))?;
    if bytes.len() > procedure::PROCEDURE_LEN_MAX {
        anyhow::bail!("{}: larger than {} bytes", file.display(), procedure::PROCEDURE_LEN_MAX);
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let (line, column) = line_column(&error.as_bytes()[..error.utf8_error().valid_up_to()]);
        anyhow::anyhow!("{}:{line}:{column}: not UTF-8 text", file.display())
    })?;
    match Procedure::parse(&text) {
        Ok(procedure) => Ok(Some(procedure)),
        Err(error) => {
            for problem in &error.problems {
                let separator = if problem.place().line == 0 { ": " } else { ":" };
                eprintln!("{}{separator}{problem}", file.display());
            }
            eprintln!("{}: {} problem(s)", file.display(), error.problems.len());
            Ok(None)
        }
    }
}

/// The 1-based line and column just after valid UTF-8 `prefix`.
fn line_column(prefix: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(prefix);
    let line_start = text.rfind('\n').map_or(0, |newline| newline + 1);
    (text.matches('\n').count() + 1, text[line_start..].chars().count() + 1)
}

#[allow(clippy::disallowed_methods)] // groundplane reads env_vars
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Prints a line when a step starts and when it ends, flushed at once.
struct Progress;

impl Observer for Progress {
    fn step_started(&mut self, number: usize, total: usize, step: &Step) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", procedure::started_line(number, total, step));
        let _ = stdout.flush();
    }

    fn step_finished(&mut self, total: usize, report: &StepReport) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", procedure::finished_line(total, report));
        let _ = stdout.flush();
    }
}
