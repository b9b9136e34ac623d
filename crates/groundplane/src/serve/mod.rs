//! `groundplane serve`: the embedded platform. Every configured deployment runs (links,
//! ingest, archive), and the HTTP/WebSocket API answers for all of them on one address.

pub mod config;
mod control;
mod demo;
pub(crate) mod simulate;

use crate::clock::now_ms;
use anyhow::Context;
use config::{PusLayouts, ServerConfig};
use deployment::{Clock, Deployment, DeploymentSpec, LinkSpec, Platform, Transport};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Worker threads of the async runtime (sockets and HTTP); decoding runs on each deployment's
/// own ingest thread.
const ASYNC_WORKERS: usize = 2;

/// `groundplane serve` options.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The configuration file (TOML).
    #[arg(long, required_unless_present = "demo")]
    pub config: Option<PathBuf>,
    /// Run the demo missions from the real mission databases, with their captures replayed.
    #[arg(long, conflicts_with = "config")]
    pub demo: bool,
    /// Listen on this address instead of the configured one (e.g. 127.0.0.1:0 for any port).
    #[arg(long)]
    pub listen: Option<String>,
    /// Keep data here instead of the configured folder.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Folder of real mission databases for --demo (default: $GROUNDPLANE_REAL_DIR or ../shared/real).
    #[arg(long)]
    pub real_dir: Option<PathBuf>,
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logs();
    let real_dir = crate::demo::real_dir(args.real_dir.clone());
    let (mut config, base) = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let config = config::parse(&path.display().to_string(), &text)?;
            (config, path.parent().map(Path::to_path_buf).unwrap_or_default())
        }
        None => {
            let data_dir = PathBuf::from("groundplane-data/demo");
            (demo::config(&real_dir, data_dir, "127.0.0.1:8080".to_string()), PathBuf::new())
        }
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(data_dir) = args.data_dir {
        config.data_dir = data_dir;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(ASYNC_WORKERS)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config, &base, args.demo.then_some(real_dir)))?;
    Ok(ExitCode::SUCCESS)
}

fn init_logs() {
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).try_init();
}

async fn serve(config: ServerConfig, base: &Path, demo_from: Option<PathBuf>) -> anyhow::Result<()> {
    let clock: Clock = Arc::new(now_ms);
    let data_dir = base.join(&config.data_dir);
    let mut deployments = Vec::new();
    let mut simulators = Vec::new();
    for (spec, deployed) in specs(&config, base, &data_dir)? {
        let (deployment, simulator) = start(spec, &deployed, base, clock.clone()).await?;
        simulators.extend(simulator);
        deployments.push(deployment);
    }
    let platform = Arc::new(Platform::new(deployments));
    let trusted = control::trusted_keys(&config.control, base)?;
    let controller = control::open(&platform, &data_dir, trusted, clock.clone()).await?;
    let reconciler = tokio::spawn(control::reconcile(controller.clone()));
    if let Some(real_dir) = demo_from {
        demo::feed(&real_dir, &platform)?;
        let (creating, scratch) = (controller.clone(), data_dir.join("_platform").join("demo"));
        tokio::task::spawn_blocking(move || demo::create_missions(&creating, &real_dir, &scratch)).await??;
        for (name, token) in demo::DEMO_TOKENS {
            println!("demo token {name}: {token}");
        }
    }
    // Request ids carry the start time, so that ids in logs differ across restarts.
    let options = api::RouterOptions { request_id_prefix: format!("{:x}-", now_ms()), ..api::RouterOptions::default() };
    let control: Arc<dyn api::ControlBackend> = controller.clone();
    let router = api::router_with_control(platform.clone(), Some(control), gate(&config.auth)?, options);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to find the port.
    println!("groundplane: serving http://{address} ({} deployments)", platform.iter().count());
    tracing::info!(%address, "serving");
    axum::serve(listener, router.into_make_service()).with_graceful_shutdown(shutdown()).await?;
    tracing::info!("stopping: committing what each deployment holds");
    for simulator in simulators {
        simulator.stop().await;
    }
    reconciler.abort();
    let stopping = controller.clone();
    tokio::task::spawn_blocking(move || stopping.stop_all()).await?;
    platform.stop().await;
    Ok(())
}

/// A line on stdout for scripts and tests (where each link listens). Deployments also start
/// long after startup (the control plane), when nobody may read stdout any more: a closed or
/// full stdout must never fail them, so write errors are ignored.
pub(crate) fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Starts a deployment (and its simulator, when it has one, bound first: it is the uplink),
/// printing where its links listen; `base` is where a simulator's scenario path starts.
pub(crate) async fn start(
    mut spec: DeploymentSpec,
    deployed: &Deployed<'_>,
    base: &Path,
    clock: Clock,
) -> anyhow::Result<(Deployment, Option<sim_link::RunningSim>)> {
    let scope = spec.scope.clone();
    let prepared = match deployed.simulator {
        Some(simulator) => Some(simulate::prepare(&mut spec, simulator, deployed, base).await?),
        None => None,
    };
    let deployment = Deployment::start(spec, clock.clone()).await.with_context(|| format!("starting {scope}"))?;
    for (link, address) in deployment.links.iter().zip(&deployment.bound) {
        say(format_args!("link {scope} {} {} {address}", link.name, link.transport.as_str()));
    }
    if let Some(uplink) = &deployment.commanding.uplink {
        say(format_args!(
            "uplink {scope} {} {} {}",
            uplink.transport.as_str(),
            uplink.address,
            uplink.framing.as_str()
        ));
    }
    let simulator = match prepared {
        Some(prepared) => Some(simulate::run(prepared, &deployment, clock)?),
        None => None,
    };
    Ok((deployment, simulator))
}

/// The deployment specs of a configuration, with their models imported, and the configuration
/// each came from.
fn specs<'c>(
    config: &'c ServerConfig,
    base: &Path,
    data_dir: &Path,
) -> anyhow::Result<Vec<(DeploymentSpec, Deployed<'c>)>> {
    let mut specs = Vec::new();
    for mission in &config.missions {
        let path = base.join(&mission.model);
        let (kind, files) = crate::load::model_files_except(&path, &mission.model_exclude)?;
        let loaded = crate::cli::Loaded { kind, result: model_import::import(kind, &files), files };
        let imported = match loaded.result {
            Ok(imported) => imported,
            Err(report) => {
                eprint!("{}", crate::render::report(&report, &loaded.files));
                anyhow::bail!("mission {}: the model {} has errors", mission.name, path.display());
            }
        };
        for deployment in &mission.deployments {
            specs.push(deployment_spec(mission, deployment, imported.model.clone(), data_dir)?);
        }
    }
    Ok(specs)
}

/// One deployment's spec: its mission's configuration and model; its archive in
/// `<data_dir>/<mission>/<env>`.
pub(crate) fn deployment_spec<'c>(
    mission: &'c config::MissionConfig,
    deployment: &'c config::DeploymentConfig,
    model: model::MissionModel,
    data_dir: &Path,
) -> anyhow::Result<(DeploymentSpec, Deployed<'c>)> {
    let slug: base::MissionSlug = mission.name.parse()?;
    let scope = base::Scope { mission: slug.clone(), env: deployment.env };
    let retention = archive::Retention {
        raw_units_days: deployment.retention.raw_units_days,
        parameters_days: deployment.retention.parameters_days,
        events_days: deployment.retention.events_days,
        alarms_days: deployment.retention.alarms_days,
        commands_days: deployment.retention.commands_days,
    };
    let commanding = deployment::CommandingSpec {
        uplink: deployment.uplink.as_ref().map(uplink_spec),
        release: match deployment.commanding.release {
            config::ReleaseConfig::Automatic => tc::lifecycle::ReleaseMode::Automatic,
            config::ReleaseConfig::Manual => tc::lifecycle::ReleaseMode::Manual,
        },
        acceptance_timeout_ms: deployment.commanding.acceptance_timeout_ms,
        completion_timeout_ms: deployment.commanding.completion_timeout_ms,
    };
    let spec = DeploymentSpec {
        dir: data_dir.join(slug.as_str()).join(deployment.env.to_string()),
        commanding,
        scope,
        model,
        pus: mission.pus.map(|pus| pus.layout()),
        links: deployment.links.iter().map(link_spec).collect(),
        archive: archive::ArchiveOptions { retention, ..archive::ArchiveOptions::default() },
    };
    Ok((spec, deployed(mission, deployment)))
}

/// What a deployment's simulator needs from its mission's configuration.
pub(crate) fn deployed<'c>(
    mission: &'c config::MissionConfig,
    deployment: &'c config::DeploymentConfig,
) -> Deployed<'c> {
    Deployed { simulator: deployment.simulator.as_ref(), links: &deployment.links, pus: mission.pus }
}

/// What the simulator of a deployment needs from its configuration.
pub(crate) struct Deployed<'c> {
    simulator: Option<&'c config::SimulatorConfig>,
    links: &'c [config::LinkConfig],
    pus: Option<config::PusConfig>,
}

fn uplink_spec(uplink: &config::UplinkConfig) -> deployment::UplinkSpec {
    deployment::UplinkSpec {
        transport: match uplink.transport {
            config::TransportConfig::Udp => Transport::Udp,
            config::TransportConfig::Tcp => Transport::Tcp,
        },
        address: uplink.address.clone(),
        framing: match uplink.framing {
            config::UplinkFramingConfig::Packets => deployment::UplinkFraming::Packets,
            config::UplinkFramingConfig::Frames => deployment::UplinkFraming::Frames {
                spacecraft_id: uplink.spacecraft_id.unwrap_or(0),
                virtual_channel: uplink.virtual_channel,
                fecf: uplink.fecf,
            },
        },
    }
}

fn link_spec(link: &config::LinkConfig) -> LinkSpec {
    LinkSpec {
        name: link.name.clone(),
        transport: match link.transport {
            config::TransportConfig::Udp => Transport::Udp,
            config::TransportConfig::Tcp => Transport::Tcp,
        },
        address: link.address.clone(),
        framing: link.framing(),
    }
}

/// The request gate of issue 4: bearer tokens from the configuration, anonymous reads when
/// the configuration allows them (issue 7 replaces both with identity and Cedar policy).
fn gate(auth: &config::AuthConfig) -> anyhow::Result<api::gate::Gate> {
    let mut tokens = Vec::new();
    for token in &auth.tokens {
        let scopes = token.scopes.iter().map(|s| s.parse()).collect::<Result<Vec<_>, _>>()?;
        tokens.push(api::gate::TokenGrant { name: token.name.clone(), token: token.token.clone(), scopes });
    }
    Ok(api::gate::Gate::with_tokens(tokens, auth.anonymous_read))
}

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
