//! The built-in simulator of a DEV or AIV deployment: generated from the mission's model, it
//! listens for the deployment's telecommands (it is the deployment's uplink) and sends its
//! telemetry to one of the deployment's links, over loopback sockets like a spacecraft behind
//! a ground station would. When its TM link requires mutual TLS, so does its TC side: the
//! simulator listens with a certificate of the deployment's scope, serving only clients of that
//! scope, and the deployment's uplink connects to it with TLS.

use super::config::{FramingConfig, PusLayouts, SimulatorConfig, TransportConfig};
use super::Deployed;
use anyhow::Context;
use deployment::{Clock, Deployment, DeploymentSpec, LinkTls, UplinkFraming, UplinkSpec};
use std::path::Path;

/// How often the simulator is ticked (it emits what is due at each tick).
pub const TICK_MS: u64 = 10;

/// A simulator made for a deployment, its TC side bound, waiting for the deployment to start.
pub struct Prepared {
    simulator: sim::Simulator,
    link: sim_link::SimLink,
    tm_link: usize,
    tm_transport: sim_link::Transport,
    tm_framing: sim_link::TmFraming,
}

/// The simulator of a model as a deployment's configuration asks for it (seed, period, APID,
/// the mission's PUS sizes, a scenario file relative to `base`).
pub fn simulator(
    model: &model::MissionModel,
    config: &SimulatorConfig,
    deployed: &Deployed<'_>,
    base: &Path,
) -> anyhow::Result<sim::Simulator> {
    let mut sim_config = sim::SimConfig::new(config.apid, config.seed);
    sim_config.period_ms = config.period_ms;
    if let Some(pus) = &deployed.pus {
        sim_config.pus = pus.simulator_layout();
    }
    let mut simulator = sim::Simulator::new(model, sim_config)?;
    if let Some(path) = &config.scenario {
        let path = base.join(path);
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let scenario = sim::Scenario::parse(&text).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
        simulator = simulator.with_scenario(scenario).with_context(|| format!("{}", path.display()))?;
    }
    Ok(simulator)
}

/// Makes the simulator, binds its TC side, and points the deployment's uplink at it (and its
/// PUS layout, when the mission has none, at what the simulator writes).
pub async fn prepare(
    spec: &mut DeploymentSpec,
    config: &SimulatorConfig,
    deployed: &Deployed<'_>,
    base: &Path,
) -> anyhow::Result<Prepared> {
    let links = deployed.links;
    let scope = spec.scope.clone();
    let tm_link = match &config.tm_link {
        Some(name) => links.iter().position(|link| &link.name == name),
        None => (!links.is_empty()).then_some(0),
    }
    .with_context(|| format!("{scope}: the simulator has no link to send telemetry to"))?;
    let simulator =
        simulator(&spec.model, config, deployed, base).with_context(|| format!("{scope}: the simulator"))?;
    let link = &links[tm_link];
    let tm_transport = match link.transport {
        TransportConfig::Udp => sim_link::Transport::Udp,
        TransportConfig::Tcp => sim_link::Transport::Tcp,
    };
    let tm_framing = match link.framing {
        FramingConfig::Packets if link.prefix_len == 0 => sim_link::TmFraming::Packets,
        FramingConfig::Frames => sim_link::TmFraming::Frames {
            frame_len: link.frame_len.unwrap_or(ccsds::FRAME_LEN_MAX),
            spacecraft_id: link.spacecraft_id.unwrap_or(0),
            virtual_channel: 0,
            fecf: link.fecf,
        },
        _ => anyhow::bail!("{scope}: the simulator speaks packets or frames, not the framing of link {:?}", link.name),
    };
    tm_framing.check()?;
    let tc = sim_link::Endpoint { transport: tm_transport, address: "127.0.0.1:0".to_string() };
    let mut bound = sim_link::SimLink::bind(&tc, sim_link::TcFraming::Packets).await?;
    let tls = link.tls == super::config::LinkTlsConfig::Mutual;
    if tls {
        // The simulator connects as `.../simulator` of the deployment's scope, and listens for
        // its telecommands as the same (a TLS link is TCP, so its TC side is too).
        let clock: deployment::Clock = std::sync::Arc::new(crate::clock::now_ms);
        bound = bound.with_tm_tls(crate::pki_store::simulator_tls(&scope, &link.name, clock.clone())?);
        bound = bound.with_tc_tls(crate::pki_store::simulator_tc_tls(&scope, clock)?);
    }
    let transport = match tm_transport {
        sim_link::Transport::Udp => deployment::Transport::Udp,
        sim_link::Transport::Tcp => deployment::Transport::Tcp,
    };
    let address = bound.tc_local().to_string();
    spec.commanding.uplink = Some(UplinkSpec { transport, address, framing: UplinkFraming::Packets, login: None });
    spec.commanding.uplink_tls = if tls { LinkTls::Mutual } else { LinkTls::Off };
    if spec.pus.is_none() {
        spec.pus = Some(simulator.pus_layout());
    }
    Ok(Prepared { simulator, link: bound, tm_link, tm_transport, tm_framing })
}

/// Starts the simulator, sending telemetry to the started deployment's link.
pub fn run(prepared: Prepared, deployment: &Deployment, clock: Clock) -> anyhow::Result<sim_link::RunningSim> {
    let mut address = *deployment.bound.get(prepared.tm_link).context("the simulator's link is not bound")?;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let tm = sim_link::Endpoint { transport: prepared.tm_transport, address: address.to_string() };
    super::say(format_args!(
        "simulator {} tm {} tc {} ({} containers)",
        deployment.scope,
        tm,
        prepared.link.tc_local(),
        prepared.simulator.containers().len()
    ));
    Ok(prepared.link.run(prepared.simulator, tm, prepared.tm_framing, TICK_MS, clock))
}
