//! `groundplane bench command`: a command's round trip on loopback, measured end to end.
//!
//! One DEV deployment of the SpacePy MIB with the simulator generated from the same model,
//! both in this process, talking over UDP on loopback as in `serve`: request (check, encode) →
//! queue → uplink → simulator → TM[1,1], TM[17,2], TM[1,7] over the TM link → ingest → stages
//! matched → completed. The request goes through the same `Backend` call the HTTP handler
//! makes (HTTP itself is not in the path). Latency: one command at a time, from the call to
//! the moment the command is seen completed. Throughput: commands completed per second with
//! `--concurrency` in flight.

use crate::clock::now_ms;
use anyhow::{bail, Context};
use api::backend::Backend;
use api::gate::{Principal, PrincipalKind};
use api::wire::CommandRequest;
use deployment::{Clock, CommandingSpec, Deployment, DeploymentSpec, LinkSpec, Platform, Transport};
use deployment::{UplinkFraming, UplinkSpec};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The command every round trip sends: PUS TC[17,1] with acceptance and completion asked.
const COMMAND: &str = "/MIB/TESTCMD";

/// `bench command` options.
#[derive(clap::Args, Debug)]
pub struct CommandBenchArgs {
    /// Commands sent one at a time for the latency figures.
    #[arg(long, default_value_t = 2_000)]
    pub count: usize,
    /// Commands sent for the throughput figure.
    #[arg(long, default_value_t = 10_000)]
    pub throughput_count: usize,
    /// Commands in flight at once during the throughput run.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
}

fn load_mib() -> anyhow::Result<model::MissionModel> {
    let path = crate::demo::real_dir(None).join("spacepylibrary/mib-ascii");
    let loaded = crate::cli::load_model(&path)?;
    match loaded.result {
        Ok(imported) => Ok(imported.model),
        Err(report) => bail!("{}: the SpacePy MIB does not import: {report}", path.display()),
    }
}

/// Runs the benchmark.
pub fn run(args: &CommandBenchArgs) -> anyhow::Result<ExitCode> {
    if args.concurrency == 0 || args.concurrency > tc::lifecycle::QUEUE_LEN_MAX {
        bail!("--concurrency: from 1 to {}", tc::lifecycle::QUEUE_LEN_MAX);
    }
    let model = load_mib()?;
    let dir = std::env::temp_dir().join(format!("groundplane-bench-command-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let clock: Clock = Arc::new(now_ms);
    let (platform, simulator) = runtime.block_on(start(model, &dir, clock))?;
    let platform = Arc::new(platform);
    let scope = base::Scope { mission: "bench".parse()?, env: base::Env::Dev };
    let result = (|| {
        // Warm up: sockets, the first archive commit.
        round_trips(&platform, &scope, 20, 1)?;
        let latency = round_trips(&platform, &scope, args.count, 1)?;
        let started = Instant::now();
        let throughput = round_trips(&platform, &scope, args.throughput_count, args.concurrency)?;
        let elapsed = started.elapsed().as_secs_f64();
        report(args, &latency, &throughput, elapsed);
        anyhow::Ok(())
    })();
    runtime.block_on(async {
        simulator.stop().await;
        platform.stop().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
    result.map(|()| ExitCode::SUCCESS)
}

async fn start(
    model: model::MissionModel,
    dir: &std::path::Path,
    clock: Clock,
) -> anyhow::Result<(Platform, sim_link::RunningSim)> {
    let mut config = sim::SimConfig::new(1234, 1);
    config.pus =
        sim::PusTmLayout { data_field_header_len: 12, time_fine_len: 1, has_crc: false, ..sim::PusTmLayout::pus_c() };
    // Housekeeping once a minute: the benchmark measures commanding, not telemetry load.
    config.period_ms = 60_000;
    let simulator = sim::Simulator::new(&model, config)?;
    let tc = sim_link::Endpoint { transport: sim_link::Transport::Udp, address: "127.0.0.1:0".into() };
    let link = sim_link::SimLink::bind(&tc, sim_link::TcFraming::Packets).await?;
    let spec = DeploymentSpec {
        scope: base::Scope { mission: "bench".parse()?, env: base::Env::Dev },
        model,
        pus: Some(simulator.pus_layout()),
        links: vec![LinkSpec {
            name: "tm".into(),
            transport: Transport::Udp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.to_path_buf(),
        commanding: CommandingSpec {
            uplink: Some(UplinkSpec {
                transport: Transport::Udp,
                address: link.tc_local().to_string(),
                framing: UplinkFraming::Packets,
            }),
            ..CommandingSpec::default()
        },
    };
    let deployment = Deployment::start(spec, clock.clone()).await?;
    let tm = sim_link::Endpoint { transport: sim_link::Transport::Udp, address: deployment.bound[0].to_string() };
    let running = link.run(simulator, tm, sim_link::TmFraming::Packets, 10, clock);
    Ok((Platform::new(vec![deployment]), running))
}

/// Sends `count` commands with at most `in_flight` unfinished; answers each one's latency
/// (call → seen completed). Any command that does not complete fails the run.
fn round_trips(
    platform: &Platform,
    scope: &base::Scope,
    count: usize,
    in_flight: usize,
) -> anyhow::Result<Vec<Duration>> {
    let principal = Principal { id: "bench".into(), kind: PrincipalKind::Token };
    let request = CommandRequest {
        command: COMMAND.into(),
        arguments: serde_json::Map::new(),
        release_at_ms: None,
        schedule_at_ms: None,
    };
    let mut latencies = Vec::with_capacity(count);
    let mut pending: Vec<(u64, Instant)> = Vec::new();
    let mut sent = 0;
    let deadline = Instant::now() + Duration::from_secs(60 + count as u64 / 10);
    while latencies.len() < count {
        while pending.len() < in_flight && sent < count {
            let started = Instant::now();
            let accepted = platform.send_command(scope, &request, &principal).context("sending a command")?;
            pending.push((accepted.id, started));
            sent += 1;
        }
        let mut idx = 0;
        while idx < pending.len() {
            let (id, started) = pending[idx];
            let view = platform.command(scope, id).context("reading a command")?;
            if view.finished {
                if view.state != "completed" {
                    bail!("command {id} ended {}: {:?}", view.state, view.history.last());
                }
                latencies.push(started.elapsed());
                pending.swap_remove(idx);
            } else {
                idx += 1;
            }
        }
        if Instant::now() > deadline {
            bail!("{} commands still unfinished at the deadline", pending.len());
        }
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_micros(50));
        }
    }
    Ok(latencies)
}

fn report(args: &CommandBenchArgs, latency: &[Duration], throughput: &[Duration], elapsed_s: f64) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut sorted: Vec<f64> = latency.iter().map(|d| ms(*d)).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
    println!("command round trip on loopback ({COMMAND}: TC[17,1] → TM[1,1], TM[17,2], TM[1,7]), one at a time:");
    println!(
        "  {} commands: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sorted.len(),
        at(0.50),
        at(0.99),
        sorted.last().copied().unwrap_or_default()
    );
    let mut loaded: Vec<f64> = throughput.iter().map(|d| ms(*d)).collect();
    loaded.sort_by(f64::total_cmp);
    let p50 = loaded[loaded.len() / 2];
    println!(
        "  throughput: {} commands with {} in flight in {elapsed_s:.2} s = {:.0} commands/s (p50 latency {p50:.2} ms)",
        throughput.len(),
        args.concurrency,
        throughput.len() as f64 / elapsed_s
    );
}
