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

/// Logs to stderr at INFO, or at the level `RUST_LOG` names (`error` … `trace`).
fn init_logs() {
    let level = match crate::release_cmd::create::env_var("RUST_LOG").as_deref().map(str::trim) {
        Some("trace") => tracing::Level::TRACE,
        Some("debug") => tracing::Level::DEBUG,
        Some("warn") => tracing::Level::WARN,
        Some("error") => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).with_max_level(level).try_init();
}

async fn serve(config: ServerConfig, base: &Path, demo_from: Option<PathBuf>) -> anyhow::Result<()> {
    let clock: Clock = Arc::new(now_ms);
    let data_dir = base.join(&config.data_dir);
    // The control plane's store and audit chain open first: the vault records every secret
    // it delivers to a configured deployment in that chain.
    let platform = Arc::new(Platform::new(Vec::new()));
    let trusted = control::trusted_keys(&config.control, base)?;
    let controller = control::open_store(&platform, &data_dir, trusted, clock.clone())?;
    let secrets = crate::secrets::serve(&config.vault, base, &data_dir, controller.auditor())?;
    let refusals = crate::pki_store::audited(controller.auditor());
    crate::pki_store::serve(config.control.trust_domain.as_deref(), &data_dir, Some(refusals), now_ms())?;
    let mut simulators = Vec::new();
    for (spec, deployed) in specs(&config, base, &data_dir)? {
        let (deployment, simulator) = start(spec, &deployed, base, clock.clone()).await?;
        simulators.extend(simulator);
        if let Err(refused) = platform.add(deployment) {
            anyhow::bail!("{} is configured twice", refused.scope);
        }
    }
    control::deploy_at_start(&controller).await?;
    let reconciler = tokio::spawn(control::reconcile(controller.clone()));
    let checkpoints = tokio::spawn(control::checkpoint(controller.auditor()));
    if let Some(real_dir) = demo_from {
        demo::feed(&real_dir, &platform)?;
        let (creating, scratch) = (controller.clone(), data_dir.join("_platform").join("demo"));
        tokio::task::spawn_blocking(move || demo::create_missions(&creating, &real_dir, &scratch)).await??;
        for (name, token, _) in demo::DEMO_TOKENS {
            println!("demo token {name}: {token}");
        }
    }
    // Request ids carry the start time, so that ids in logs differ across restarts.
    let options = api::RouterOptions { request_id_prefix: format!("{:x}-", now_ms()), ..api::RouterOptions::default() };
    let control: Arc<dyn api::ControlBackend> = controller.clone();
    let identities = Arc::new(crate::identity::Identities::open(&data_dir.join(crate::identity::IDENTITY_SUBDIR))?);
    let gate = gate(&config.auth, &controller, identities.clone())?;
    let router = api::router_with(platform.clone(), Some(control), Some(secrets), gate, options);
    let router = api::with_identity(router, Some(Arc::new(crate::identity::gate::IdentityRoutes(identities))));
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
    checkpoints.abort();
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
    if let Some(uplink) = spec.commanding.uplink.as_mut() {
        uplink.login = crate::secrets::uplink_login(&scope, deployed.login_secret)?;
    }
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
        uplink_tls: deployment.uplink.as_ref().map_or(deployment::LinkTls::Off, |uplink| link_tls(uplink.tls)),
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
        // The CA `serve` installed (none: a link requiring TLS does not start).
        security: crate::pki_store::link_security(),
    };
    Ok((spec, deployed(mission, deployment)))
}

/// What a deployment's simulator needs from its mission's configuration.
pub(crate) fn deployed<'c>(
    mission: &'c config::MissionConfig,
    deployment: &'c config::DeploymentConfig,
) -> Deployed<'c> {
    let login_secret = deployment.uplink.as_ref().and_then(|uplink| uplink.login_secret.as_deref());
    Deployed { simulator: deployment.simulator.as_ref(), links: &deployment.links, pus: mission.pus, login_secret }
}

/// What the simulator of a deployment needs from its configuration.
pub(crate) struct Deployed<'c> {
    simulator: Option<&'c config::SimulatorConfig>,
    links: &'c [config::LinkConfig],
    pus: Option<config::PusConfig>,
    /// The secret of the deployment's scope its uplink logs in with.
    login_secret: Option<&'c str>,
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
        // Delivered from the vault as the deployment starts (`start`).
        login: None,
    }
}

fn link_tls(tls: config::LinkTlsConfig) -> deployment::LinkTls {
    match tls {
        config::LinkTlsConfig::Off => deployment::LinkTls::Off,
        config::LinkTlsConfig::Mutual => deployment::LinkTls::Mutual,
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
        tls: link_tls(link.tls),
    }
}

/// The request gate: stored tokens and portal sessions (the identity store), the configured
/// tokens, Cedar policy over their grants and the missions' members, every
/// denial and allowed change recorded in the audit chain first.
fn gate(
    auth: &config::AuthConfig,
    controller: &Arc<crate::controller::Controller>,
    identities: Arc<crate::identity::Identities>,
) -> anyhow::Result<api::gate::Gate> {
    let tokens = config_tokens(auth)?;
    let members_of = controller.clone();
    let members: crate::authz::Members = Arc::new(move |principal: &str| members_of.member_grants(principal));
    let authorizer = Arc::new(crate::authz::CedarAuthorizer::new(members, auth.anonymous_read)?);
    let policies = authorizer.clone();
    controller.set_policy_sink(Box::new(move |mission, text| policies.set_mission_policies(mission, text)));
    let identity = crate::identity::gate::PlatformIdentity {
        configured: api::gate::TokenIdentity::new(tokens),
        store: identities,
    };
    let audit = Arc::new(crate::authz::GateAudit(controller.auditor()));
    let authorizer: Arc<dyn api::gate::Authorizer> = authorizer;
    Ok(api::gate::Gate::from_parts(Arc::new(identity), authorizer).audited(audit))
}

/// The configured tokens: their grants, and where they act (their scopes, else the
/// environments their grants name).
pub(crate) fn config_tokens(auth: &config::AuthConfig) -> anyhow::Result<Vec<api::gate::TokenGrant>> {
    let mut tokens = Vec::new();
    for token in &auth.tokens {
        let grants = token.grants.iter().map(|g| g.parse()).collect::<Result<Vec<api::gate::Grant>, _>>()?;
        let mut scopes = token.scopes.iter().map(|s| s.parse()).collect::<Result<Vec<_>, _>>()?;
        if token.scopes.is_empty() {
            scopes = grants
                .iter()
                .map(|grant| api::gate::ScopeGrant { mission: grant.mission.clone(), env: grant.env })
                .collect();
        }
        tokens.push(api::gate::TokenGrant { name: token.name.clone(), token: token.token.clone(), scopes, grants });
    }
    Ok(tokens)
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
