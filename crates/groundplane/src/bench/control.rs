//! `groundplane bench control`: how long the control plane takes to make a new mission
//! operational (mission create → its DEV deployment stores the simulator's first telemetry),
//! and to take a new release through AIV (release create → DEV (validate, hot swap) → AIV's
//! validate and test gates passed, the release deployed there). In-process, against the real model a mission file names.

use crate::controller::{Controller, Dirs, Options};
use anyhow::Context;
use api::gate::{Principal, PrincipalKind};
use api::wire::PromotionRequest;
use api::ControlBackend;
use base::{Env, Scope};
use deployment::Platform;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `bench control` options.
#[derive(clap::Args, Debug)]
pub struct ControlBenchArgs {
    /// The mission file (its model is imported once, as the client would).
    #[arg(long, default_value = "missions/spacepy-mib/mission.toml")]
    pub mission: PathBuf,
    /// Missions created and releases promoted (each run with a fresh control plane).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

/// Longest a DEV deployment may take to store its first telemetry.
const LIVE_TIMEOUT: Duration = Duration::from_secs(30);

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

pub fn run(args: &ControlBenchArgs) -> anyhow::Result<ExitCode> {
    // What `mission create` does on the client first: read, import and canonicalise the model.
    let reading = Instant::now();
    let (slug, source) = crate::mission_cmd::source::release_source(&args.mission)?;
    let read_ms = ms(reading.elapsed());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let root = std::env::temp_dir().join(format!("groundplane-bench-control-{}", std::process::id()));
    let admin = Principal::named("bench", PrincipalKind::Token);
    let (mut live, mut answered, mut aiv) = (Vec::new(), Vec::new(), Vec::new());
    println!(
        "mission {slug} from {}: read and imported by the client in {read_ms:.0} ms ({} KiB model JSON), {} run(s)",
        args.mission.display(),
        source.model_json.len() / 1024,
        args.runs.max(1)
    );
    for run in 0..args.runs.max(1) {
        let platform = Arc::new(Platform::default());
        let clock: deployment::Clock = Arc::new(crate::clock::now_ms);
        let options = Options { dirs: Dirs::under(&root.join(format!("run-{run}"))), trusted: Vec::new(), clock };
        let controller = Controller::open(platform.clone(), options, runtime.handle().clone())?;

        let started = Instant::now();
        controller.create_mission(&source, &admin).map_err(|e| anyhow::anyhow!("mission create: {e}"))?;
        let created = started.elapsed();
        let dev = Scope { mission: slug.clone(), env: Env::Dev };
        while platform.get(&dev).map(|d| d.status().stored.units).unwrap_or_default() == 0 {
            anyhow::ensure!(started.elapsed() < LIVE_TIMEOUT, "{dev}: no telemetry within {LIVE_TIMEOUT:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
        let dev_live = started.elapsed();

        // A new release: the same mission file with one more comment line (another digest).
        let mut next = source.clone();
        next.mission_file.push_str(&format!("\n# bench run {run}\n"));
        let started = Instant::now();
        let release = controller.create_release(&slug, &next, &admin).map_err(|e| anyhow::anyhow!("release: {e}"))?;
        let request = PromotionRequest { release: release.digest.clone() };
        // A release reaches AIV through DEV (its validate gate, then a hot swap there).
        controller.promote(&dev, &request, &admin).map_err(|e| anyhow::anyhow!("promotion to dev: {e}"))?;
        let aiv_scope = Scope { mission: slug.clone(), env: Env::Aiv };
        let outcome =
            controller.promote(&aiv_scope, &request, &admin).map_err(|e| anyhow::anyhow!("promotion to aiv: {e}"))?;
        let aiv_done = started.elapsed();
        anyhow::ensure!(outcome.attested.iter().all(|a| a.passed), "a gate failed: {:?}", outcome.attested);
        println!(
            "run {run}: mission create answered {:.0} ms, DEV live (first telemetry stored) {:.0} ms; \
             release create → DEV → AIV gates passed and deployed {:.0} ms ({} gates)",
            ms(created),
            ms(dev_live),
            ms(aiv_done),
            outcome.attested.len()
        );
        live.push(ms(dev_live));
        answered.push(ms(created));
        aiv.push(ms(aiv_done));
        controller.stop_all();
    }
    std::fs::remove_dir_all(&root).with_context(|| format!("removing {}", root.display())).ok();
    println!(
        "median: mission create → DEV live {:.0} ms (answered {:.0} ms); release create → AIV gate passed {:.0} ms",
        super::median(live),
        super::median(answered),
        super::median(aiv)
    );
    Ok(ExitCode::SUCCESS)
}
