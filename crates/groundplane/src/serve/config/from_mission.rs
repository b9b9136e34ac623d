//! A mission file's deployments in the server configuration's words, so that a deployment the
//! control plane starts from a release and one configured in the server's file are built and
//! checked by the same code.

use super::{
    CommandingConfig, DeploymentConfig, FramingConfig, LinkConfig, LinkTlsConfig, MissionConfig, ReleaseConfig,
    RetentionConfig, SimulatorConfig, TransportConfig, UplinkConfig, UplinkFramingConfig,
};
use release::mission::{self as file, MissionFile};
use std::path::PathBuf;

/// The mission of a mission file, its model at `model` (the release's canonical model is
/// imported elsewhere: the path only names it).
pub fn mission_config(mission: &MissionFile, model: PathBuf) -> MissionConfig {
    MissionConfig {
        name: mission.name.clone(),
        model,
        model_exclude: mission.model_exclude.clone(),
        pus: mission.pus,
        deployments: mission.env.iter().map(|(env, config)| deployment(env, config)).collect(),
    }
}

fn deployment(env: base::Env, config: &file::EnvConfig) -> DeploymentConfig {
    let defaults = CommandingConfig::default();
    let retention = config.retention;
    DeploymentConfig {
        env,
        retention: RetentionConfig {
            raw_units_days: retention.raw_units_days,
            parameters_days: retention.parameters_days,
            events_days: retention.events_days,
            alarms_days: retention.alarms_days,
            commands_days: retention.commands_days,
        },
        links: config.links.iter().map(link).collect(),
        commanding: CommandingConfig {
            release: match config.commanding.release {
                Some(file::CommandRelease::Manual) => ReleaseConfig::Manual,
                Some(file::CommandRelease::Automatic) | None => defaults.release,
            },
            acceptance_timeout_ms: config.commanding.acceptance_timeout_ms.unwrap_or(defaults.acceptance_timeout_ms),
            completion_timeout_ms: config.commanding.completion_timeout_ms.unwrap_or(defaults.completion_timeout_ms),
        },
        uplink: config.uplink.as_ref().map(|uplink| UplinkConfig {
            transport: transport(uplink.transport),
            address: uplink.address.clone(),
            framing: match uplink.framing {
                Some(file::Framing::Frames) => UplinkFramingConfig::Frames,
                _ => UplinkFramingConfig::Packets,
            },
            spacecraft_id: uplink.spacecraft_id,
            virtual_channel: uplink.virtual_channel,
            fecf: uplink.fecf,
            login_secret: uplink.login_secret.clone(),
            tls: tls(uplink.tls),
        }),
        simulator: config.simulator.as_ref().map(|simulator| SimulatorConfig {
            tm_link: simulator.tm_link.clone(),
            seed: simulator.seed,
            period_ms: simulator.period_ms.unwrap_or(super::DEFAULT_SIM_PERIOD_MS),
            apid: simulator.apid,
            scenario: simulator.scenario.as_ref().map(PathBuf::from),
        }),
    }
}

fn link(link: &file::Link) -> LinkConfig {
    LinkConfig {
        name: link.name.clone(),
        transport: transport(link.transport),
        address: link.address.clone(),
        framing: match link.framing {
            file::Framing::Packets => FramingConfig::Packets,
            file::Framing::Frames => FramingConfig::Frames,
            file::Framing::Nctrs => FramingConfig::Nctrs,
        },
        prefix_len: link.prefix_len,
        frame_len: link.frame_len,
        fecf: link.fecf,
        spacecraft_id: link.spacecraft_id,
        tls: tls(link.tls),
    }
}

fn tls(tls: file::Tls) -> LinkTlsConfig {
    match tls {
        file::Tls::Off => LinkTlsConfig::Off,
        file::Tls::Mutual => LinkTlsConfig::Mutual,
    }
}

fn transport(transport: file::Transport) -> TransportConfig {
    match transport {
        file::Transport::Udp => TransportConfig::Udp,
        file::Transport::Tcp => TransportConfig::Tcp,
    }
}
