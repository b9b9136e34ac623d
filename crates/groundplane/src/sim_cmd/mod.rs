//! `groundplane sim`: a simulator generated from a mission model, on UDP or TCP links.
//!
//! It prints where it listens and sends, what it emits and skips, a status line every
//! `STATUS_EVERY_S` seconds, and its counters when it stops (Ctrl-C, SIGTERM, or
//! `--duration-s`).

mod args;

pub use args::SimArgs;

use crate::clock::now_ms;
use crate::{load, render};
use anyhow::{bail, Context};
use model_import::Severity;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Prints a line to stdout; a closed stdout does not stop the simulator.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Seconds between status lines.
pub const STATUS_EVERY_S: u64 = 5;
/// Worker threads of the async runtime (sockets and the simulator task).
const ASYNC_WORKERS: usize = 2;

/// Runs the simulator until it is stopped; errors in the arguments or files exit 2.
pub fn run(args: SimArgs) -> anyhow::Result<ExitCode> {
    let model = load_model(&args.model, args.allow_errors)?;
    let mut simulator = sim::Simulator::new(&model, args.sim_config()).context("the simulator")?;
    if let Some(path) = &args.scenario {
        simulator = simulator.with_scenario(scenario(path)?).with_context(|| format!("{}", path.display()))?;
    }
    let tm_framing = args.tm_framing();
    tm_framing.check().context("--tm-frames")?;
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(ASYNC_WORKERS)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(simulate(simulator, &args))?;
    Ok(ExitCode::SUCCESS)
}

async fn simulate(simulator: sim::Simulator, args: &SimArgs) -> anyhow::Result<()> {
    let link = sim_link::SimLink::bind(&args.tc, args.tc_framing()).await.context("--tc")?;
    say!("sim: tc listening {} {}{}", args.tc.transport, link.tc_local(), tc_note(args.tc_framing()));
    say!("sim: tm to {} {}{}", args.tm.transport, args.tm.address, tm_note(args.tm_framing()));
    for container in simulator.containers() {
        say!("sim: emits {container}");
    }
    for skipped in simulator.skipped() {
        say!("sim: skips {}: {}", skipped.container, skipped.reason);
    }
    let running = link.run(simulator, args.tm.clone(), args.tm_framing(), args.tick_ms, Arc::new(now_ms));
    let until = async {
        match args.duration_s {
            Some(seconds) => tokio::time::sleep(Duration::from_secs(seconds)).await,
            None => shutdown().await,
        }
    };
    tokio::pin!(until);
    let mut status = tokio::time::interval(Duration::from_secs(STATUS_EVERY_S));
    status.tick().await;
    loop {
        tokio::select! {
            _ = &mut until => break,
            _ = status.tick() => say!("sim: status {}", counters(&running.counters())),
        }
    }
    let last = running.counters();
    running.stop().await;
    say!("sim: stopped {}", counters(&last));
    Ok(())
}

/// The model, or its import report on stderr and an error (what could be read with
/// `allow_errors`).
fn load_model(path: &Path, allow_errors: bool) -> anyhow::Result<model::MissionModel> {
    let (kind, files) = load::model_files(path)?;
    match model_import::import(kind, &files) {
        Ok(imported) => Ok(imported.model),
        Err(report) if !allow_errors => {
            eprint!("{}", render::report(&report, &files));
            bail!(
                "{}: the model has errors: fix them first, or simulate what could be read with --allow-errors",
                path.display()
            )
        }
        Err(_) => {
            let partial = model_import::import_partial(kind, &files);
            eprint!("{}", render::report(&partial.report, &files));
            let n_errors = partial.report.count(Severity::Error);
            eprintln!("warning: {}: {n_errors} error(s); simulating what could be read", path.display());
            Ok(partial.model)
        }
    }
}

/// A scenario file; its errors name the file, line and column.
fn scenario(path: &Path) -> anyhow::Result<sim::Scenario> {
    let len = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?.len();
    if len > sim::SCENARIO_LEN_MAX as u64 {
        bail!("{}: {len} bytes, a scenario has at most {}", path.display(), sim::SCENARIO_LEN_MAX);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    sim::Scenario::parse(&text)
        .map_err(|error| anyhow::anyhow!("{}:{}:{}: {}", path.display(), error.line, error.column, error.message))
}

fn tc_note(framing: sim_link::TcFraming) -> String {
    match framing {
        sim_link::TcFraming::Packets => String::new(),
        sim_link::TcFraming::Frames { fecf } => format!(" (TC frames{})", if fecf { ", FECF" } else { "" }),
    }
}

fn tm_note(framing: sim_link::TmFraming) -> String {
    match framing {
        sim_link::TmFraming::Packets => String::new(),
        sim_link::TmFraming::Frames { frame_len, spacecraft_id, virtual_channel, fecf } => format!(
            " (frames of {frame_len} bytes, spacecraft {spacecraft_id}, VC {virtual_channel}{})",
            if fecf { ", FECF" } else { "" }
        ),
    }
}

fn counters(counters: &sim_link::SimCounters) -> String {
    let sim_link::SimCounters { tm_sent, tm_dropped, tc_received, tc_invalid, connections } = counters;
    format!(
        "tm_sent={tm_sent} tm_dropped={tm_dropped} tc_received={tc_received} tc_invalid={tc_invalid} \
         connections={connections}"
    )
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return interrupt.await.unwrap_or(()),
        };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
