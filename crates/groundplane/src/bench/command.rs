//! `groundplane bench command`: a command's round trip on loopback, measured end to end.
//!
//! One DEV deployment of the SpacePy MIB with the simulator generated from the same model,
//! both in this process, talking over UDP on loopback as in `serve`: request (check, encode) →
//! queue → uplink → simulator → TM[1,1], TM[17,2], TM[1,7] over the TM link → ingest → stages
//! matched → completed. Latency: one command at a time, from the request to the moment the
//! command is seen completed, twice: through the `Backend` call the HTTP handler makes, and as
//! an HTTP POST to the real API on loopback (token, gate, JSON; a connection per request).
//! Throughput: commands completed per second with `--concurrency` in flight (`Backend` calls).

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
        let (gate, authorizer, auditor) = production_gate(&dir)?;
        let api = runtime.block_on(serve_api(platform.clone(), gate))?;
        let over_http = http_round_trips(&platform, &scope, api, args.count)?;
        let authz = decisions(&authorizer, &scope, args.count.max(1_000))?;
        let records = audit_records(&auditor, args.count.clamp(100, 1_000))?;
        let started = Instant::now();
        let throughput = round_trips(&platform, &scope, args.throughput_count, args.concurrency)?;
        let elapsed = started.elapsed().as_secs_f64();
        report(args, &latency, &throughput, elapsed);
        let (p50, p99, max) = percentiles(&over_http);
        println!("  over HTTP (POST …/commands, then seen completed), one at a time, behind the production gate");
        println!("  (Cedar policy; the decision and the outcome fsynced to an audit chain):");
        println!("  {} commands: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms", over_http.len());
        let (authz_p50, authz_p99, _) = percentiles(&authz);
        println!(
            "  authorization decision (Cedar), {} asked: p50 {:.1} µs, p99 {:.1} µs = {:.1} % of the HTTP p50",
            authz.len(),
            authz_p50 * 1000.0,
            authz_p99 * 1000.0,
            100.0 * authz_p50 / p50
        );
        let (audit_p50, audit_p99, _) = percentiles(&records);
        println!(
            "  audit record (appended, fsynced), {} written: p50 {audit_p50:.2} ms, p99 {audit_p99:.2} ms; \
             two per command (the decision, the outcome) = {:.0} % of the HTTP p50",
            records.len(),
            100.0 * 2.0 * audit_p50 / p50
        );
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
            tls: Default::default(),
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.to_path_buf(),
        commanding: CommandingSpec {
            uplink: Some(UplinkSpec {
                transport: Transport::Udp,
                address: link.tc_local().to_string(),
                framing: UplinkFraming::Packets,
                login: None,
            }),
            ..CommandingSpec::default()
        },
        security: Default::default(),
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
    let principal = Principal::named("bench", PrincipalKind::Token);
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

/// The token of the benchmark's API (it listens on loopback only, for the run).
const BENCH_TOKEN: &str = "bench-token-0123456789";

/// The benchmark token's principal: an operator of the benchmark's mission in DEV.
fn bench_grant() -> anyhow::Result<api::gate::TokenGrant> {
    Ok(api::gate::TokenGrant {
        name: "bench".into(),
        token: BENCH_TOKEN.into(),
        scopes: vec!["bench/dev".parse()?],
        grants: vec!["bench/dev/operator".parse()?],
    })
}

/// The gate `serve` runs: Cedar policy, every allowed change and denial recorded (fsynced) in
/// an audit chain first (in `dir`, signed by a key made for the run).
type ProductionGate = (api::gate::Gate, Arc<crate::authz::CedarAuthorizer>, Arc<crate::auditor::Auditor>);

fn production_gate(dir: &std::path::Path) -> anyhow::Result<ProductionGate> {
    let members: crate::authz::Members = Arc::new(|_: &str| Vec::new());
    let authorizer = Arc::new(crate::authz::CedarAuthorizer::new(members, false)?);
    let seed = crate::identity::random::<32>().map_err(|refusal| anyhow::anyhow!(refusal.reason()))?;
    let auditor =
        crate::auditor::Auditor::open(&dir.join("audit"), audit::KeySigner::from_seed(seed), Arc::new(now_ms))?;
    let identity = Arc::new(api::gate::TokenIdentity::new(vec![bench_grant()?]));
    let shared: Arc<dyn api::gate::Authorizer> = authorizer.clone();
    let gate =
        api::gate::Gate::from_parts(identity, shared).audited(Arc::new(crate::authz::GateAudit(auditor.clone())));
    Ok((gate, authorizer, auditor))
}

/// Serves the API for the platform on a free loopback port, behind `gate`.
async fn serve_api(platform: Arc<Platform>, gate: api::gate::Gate) -> anyhow::Result<std::net::SocketAddr> {
    let router = api::router(platform, gate);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service()).await;
    });
    Ok(address)
}

/// `count` audit records like the gate's, appended one at a time: their latencies.
fn audit_records(auditor: &crate::auditor::Auditor, count: usize) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(count);
    for n in 0..count {
        let entry =
            audit::Entry::new(now_ms(), "bench", "authz.send_command", "deployment bench/dev", audit::Outcome::Allowed)
                .with_detail(serde_json::json!({ "request_id": format!("bench-{n}") }));
        let started = Instant::now();
        auditor.record(&entry)?;
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// The authorization decision of the benchmark's command, asked `count` times: its latencies.
fn decisions(
    authorizer: &crate::authz::CedarAuthorizer,
    scope: &base::Scope,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    use api::gate::Authorizer as _;
    let principal = bench_grant()?.principal();
    let resource = api::gate::Resource::Deployment(scope.clone());
    let context = api::gate::Context::default();
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let decision = authorizer.authorize(&principal, api::gate::Action::SendCommand, &resource, &context);
        latencies.push(started.elapsed());
        anyhow::ensure!(decision.allow, "the benchmark's command is denied: {}", decision.reason);
    }
    Ok(latencies)
}

/// Sends `count` commands one at a time as HTTP POSTs; answers each one's latency.
fn http_round_trips(
    platform: &Platform,
    scope: &base::Scope,
    api: std::net::SocketAddr,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let client = crate::procedure_cmd::http::Client::new(&format!("http://{api}"), Some(BENCH_TOKEN.into()))?;
    let path = format!("/api/missions/{}/envs/{}/commands", scope.mission, scope.env);
    let body = serde_json::json!({ "command": COMMAND }).to_string();
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = client.request("POST", &path, Some(body.as_bytes()))?;
        if response.status != 202 {
            bail!("POST {path}: HTTP {}: {}", response.status, String::from_utf8_lossy(&response.body));
        }
        let accepted: api::wire::CommandAccepted = serde_json::from_slice(&response.body)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let view = platform.command(scope, accepted.id)?;
            if view.finished {
                if view.state != "completed" {
                    bail!("command {} ended {}", accepted.id, view.state);
                }
                break;
            }
            if Instant::now() > deadline {
                bail!("command {} did not finish within 10 s", accepted.id);
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// p50, p99 and max in milliseconds.
fn percentiles(latencies: &[Duration]) -> (f64, f64, f64) {
    let mut sorted: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
    (at(0.50), at(0.99), sorted.last().copied().unwrap_or_default())
}

fn report(args: &CommandBenchArgs, latency: &[Duration], throughput: &[Duration], elapsed_s: f64) {
    let (p50, p99, max) = percentiles(latency);
    println!("command round trip on loopback ({COMMAND}: TC[17,1] → TM[1,1], TM[17,2], TM[1,7]), one at a time:");
    println!("  {} commands: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms", latency.len());
    let (p50, _, _) = percentiles(throughput);
    println!(
        "  throughput: {} commands with {} in flight in {elapsed_s:.2} s = {:.0} commands/s (p50 latency {p50:.2} ms)",
        throughput.len(),
        args.concurrency,
        throughput.len() as f64 / elapsed_s
    );
}
