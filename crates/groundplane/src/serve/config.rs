//! The server's configuration file (TOML): where to listen, where data lives, who may ask, and
//! the missions with their deployments and links. This module owns the file format.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! data_dir = "groundplane-data"
//!
//! [auth]
//! anonymous_read = true          # anyone who can reach the port may read (a demo, a lab)
//! [[auth.tokens]]                # fixed tokens (stored, expiring ones: `groundplane token`)
//! name = "ops-bot"
//! token = "a-long-random-secret"
//! grants = ["jpss-1/ops/operator"]  # mission/env/role (`*` for every mission or env)
//! scopes = ["jpss-1/ops"]        # optional: where it may act (default: its grants' envs)
//!
//! [control]
//! trusted_keys = ["keys/sentinel-x.pub"]  # release signatures trusted besides the platform's
//! trust_domain = "groundplane.local"      # of the CA's SPIFFE ids (the default)
//!
//! [[mission]]
//! name = "jpss-1"
//! model = "models/jpss1.xml"     # XTCE file or folder, or a SCOS-2000 MIB folder
//! model_exclude = []             # files of a model folder to leave out
//! [mission.pus]                  # optional: PUS 1/5 reports
//! data_field_header_len = 10
//! has_crc = true
//! failure_code_len = 1           # also step_id_len, event_id_len; and where a simulator
//! time_offset = 13               # writes the CUC time: time_coarse_len, time_fine_len,
//!                                # time_p_field
//!
//! [[mission.deployment]]
//! env = "ops"
//! retention = { raw_units_days = 30 }
//! [[mission.deployment.link]]
//! name = "tm"
//! transport = "udp"              # udp | tcp
//! address = "127.0.0.1:10015"
//! framing = "packets"            # packets | frames | nctrs
//! tls = "mutual"                 # optional, TCP only: peers need a certificate of this
//!                                # mission and env from the platform CA (`groundplane pki`)
//! [mission.deployment.commanding] # optional
//! release = "automatic"          # automatic | manual (an operator releases each command)
//! acceptance_timeout_ms = 10000  # verification windows where the model gives none
//! completion_timeout_ms = 60000
//! [mission.deployment.uplink]    # where telecommands go (none: commands are refused)
//! transport = "udp"              # udp: one TC per datagram; tcp: connect and stream
//! address = "127.0.0.1:10025"
//! framing = "packets"            # packets | frames (TC transfer frames, Type-BD)
//! spacecraft_id = 42             # frames only
//! virtual_channel = 0
//! fecf = true
//! tls = "off"                    # or "mutual" (tcp only): connect with TLS as .../uplink and
//!                                # send only to a station with a certificate of this mission and env
//! [mission.deployment.simulator] # dev and aiv only: a simulator of the model on loopback,
//! tm_link = "tm"                 # sending TM to this link (default: the first) and taking
//! seed = 1                       # the deployment's TCs (it is the uplink then)
//! period_ms = 1000
//! apid = 100                     # APID of containers that do not fix one
//! scenario = "scenarios/aiv.txt" # optional scenario file
//! ```

use serde::Deserialize;
use std::path::PathBuf;

/// The whole file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The HTTP listen address.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Where archives and model versions live (one folder per deployment).
    pub data_dir: PathBuf,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default, rename = "mission")]
    pub missions: Vec<MissionConfig>,
    #[serde(default)]
    pub control: ControlConfig,
    #[serde(default)]
    pub vault: VaultConfig,
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
}

/// A mission: its model and its deployments.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MissionConfig {
    pub name: String,
    /// XTCE file or folder, or MIB folder; relative paths are relative to the config file.
    pub model: PathBuf,
    /// Files of a model folder to leave out (drafts that do not import).
    #[serde(default)]
    pub model_exclude: Vec<String>,
    pub pus: Option<PusConfig>,
    #[serde(default, rename = "deployment")]
    pub deployments: Vec<DeploymentConfig>,
}

/// The sizes of the mission's PUS TM fields: the mission file's words (`release::mission::Pus`).
pub use release::mission::Pus as PusConfig;

/// How the ground reads and a simulator writes the mission's PUS reports.
pub trait PusLayouts {
    /// How `tm::pus` reads the mission's reports.
    fn layout(&self) -> tm::pus::PusLayout;
    /// What a simulator of the mission writes (the same sizes the ground reads).
    fn simulator_layout(&self) -> sim::PusTmLayout;
}

impl PusLayouts for PusConfig {
    fn layout(&self) -> tm::pus::PusLayout {
        tm::pus::PusLayout {
            data_field_header_len: self.data_field_header_len,
            has_crc: self.has_crc,
            step_id_len: self.step_id_len,
            failure_code_len: self.failure_code_len,
            event_id_len: self.event_id_len,
        }
    }

    fn simulator_layout(&self) -> sim::PusTmLayout {
        sim::PusTmLayout {
            data_field_header_len: self.data_field_header_len,
            has_crc: self.has_crc,
            time_offset: self.time_offset,
            time_coarse_len: self.time_coarse_len,
            time_fine_len: self.time_fine_len,
            time_p_field: self.time_p_field,
            step_id_len: self.step_id_len,
            failure_code_len: self.failure_code_len,
            event_id_len: self.event_id_len,
            ..sim::PusTmLayout::pus_c()
        }
    }
}

/// One environment of a mission.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    pub env: base::Env,
    #[serde(default)]
    pub retention: RetentionConfig,
    #[serde(default, rename = "link")]
    pub links: Vec<LinkConfig>,
    #[serde(default)]
    pub commanding: CommandingConfig,
    pub uplink: Option<UplinkConfig>,
    pub simulator: Option<SimulatorConfig>,
}

/// How the deployment's command queue works.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CommandingConfig {
    #[serde(default = "automatic")]
    pub release: ReleaseConfig,
    #[serde(default = "acceptance_timeout")]
    pub acceptance_timeout_ms: u64,
    #[serde(default = "completion_timeout")]
    pub completion_timeout_ms: u64,
}

impl Default for CommandingConfig {
    fn default() -> Self {
        CommandingConfig {
            release: ReleaseConfig::Automatic,
            acceptance_timeout_ms: acceptance_timeout(),
            completion_timeout_ms: completion_timeout(),
        }
    }
}

fn automatic() -> ReleaseConfig {
    ReleaseConfig::Automatic
}

fn acceptance_timeout() -> u64 {
    tc::lifecycle::ACCEPTANCE_WINDOW_MS
}

fn completion_timeout() -> u64 {
    tc::lifecycle::COMPLETION_WINDOW_MS
}

/// `automatic` or `manual`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReleaseConfig {
    Automatic,
    Manual,
}

/// Where the deployment's telecommands go.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UplinkConfig {
    pub transport: TransportConfig,
    pub address: String,
    #[serde(default = "packets")]
    pub framing: UplinkFramingConfig,
    pub spacecraft_id: Option<u16>,
    #[serde(default)]
    pub virtual_channel: u8,
    #[serde(default)]
    pub fecf: bool,
    /// TCP only: the name of a secret of this deployment's vault scope (like
    /// `gs-kiruna.password`), sent as `LOGIN <value>\n` first on every new connection.
    pub login_secret: Option<String>,
    /// `mutual`: connect with TLS and send only to a station whose certificate is of the
    /// platform's CA and of this mission and environment (TCP only).
    #[serde(default)]
    pub tls: LinkTlsConfig,
}

fn packets() -> UplinkFramingConfig {
    UplinkFramingConfig::Packets
}

/// `packets` or `frames`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum UplinkFramingConfig {
    Packets,
    Frames,
}

/// A simulator generated from the mission's model, run with the deployment.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SimulatorConfig {
    /// The link it sends telemetry to (default: the deployment's first link).
    pub tm_link: Option<String>,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "period")]
    pub period_ms: u64,
    #[serde(default)]
    pub apid: u16,
    /// A scenario file, relative to the configuration file.
    pub scenario: Option<PathBuf>,
}

/// A simulator's period when its configuration gives none.
pub const DEFAULT_SIM_PERIOD_MS: u64 = 1000;

fn period() -> u64 {
    DEFAULT_SIM_PERIOD_MS
}

/// How long each kind of record is kept; absent = forever.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    pub raw_units_days: Option<u32>,
    pub parameters_days: Option<u32>,
    pub events_days: Option<u32>,
    pub alarms_days: Option<u32>,
    pub commands_days: Option<u32>,
}

/// A link: a socket the mission's telemetry arrives on.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    pub name: String,
    pub transport: TransportConfig,
    pub address: String,
    pub framing: FramingConfig,
    /// Bytes before each packet that are not part of it (packets framing).
    #[serde(default)]
    pub prefix_len: usize,
    /// Frame length (frames framing).
    pub frame_len: Option<usize>,
    /// Whether frames end with a frame error control field.
    #[serde(default)]
    pub fecf: bool,
    /// Accept only frames of this spacecraft id.
    pub spacecraft_id: Option<u16>,
    /// `mutual`: peers connect with TLS and a certificate of the deployment's mission and
    /// environment (TCP links only).
    #[serde(default)]
    pub tls: LinkTlsConfig,
}

/// What a link asks of its peers: `off` (the default) or `mutual` TLS.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LinkTlsConfig {
    #[default]
    Off,
    Mutual,
}

/// `udp` or `tcp`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TransportConfig {
    Udp,
    Tcp,
}

/// `packets`, `frames` or `nctrs`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FramingConfig {
    Packets,
    Frames,
    Nctrs,
}

/// A configuration that cannot be used, with the place.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {place}: {reason}")]
    Invalid { file: String, place: String, reason: String },
}

/// Parses and checks a configuration file's text.
pub fn parse(file: &str, text: &str) -> Result<ServerConfig, ConfigError> {
    let config: ServerConfig =
        toml::from_str(text).map_err(|e| ConfigError::Syntax { file: file.to_string(), message: e.to_string() })?;
    check(&config).map_err(|(place, reason)| ConfigError::Invalid { file: file.to_string(), place, reason })?;
    Ok(config)
}

/// Checks a configuration: `(place, reason)` of the first problem.
pub fn check(config: &ServerConfig) -> Result<(), (String, String)> {
    let mut scopes = std::collections::BTreeSet::new();
    for (m, mission) in config.missions.iter().enumerate() {
        let place = format!("mission[{m}]");
        mission.name.parse::<base::MissionSlug>().map_err(|e| (format!("{place}.name"), e.to_string()))?;
        for (d, deployment) in mission.deployments.iter().enumerate() {
            let place = format!("{place}.deployment[{d}]");
            if !scopes.insert((mission.name.clone(), deployment.env)) {
                return Err((
                    format!("{place}.env"),
                    format!("{}/{} is configured twice", mission.name, deployment.env),
                ));
            }
            check_commanding(deployment).map_err(|(field, reason)| (format!("{place}.{field}"), reason))?;
            for (l, link) in deployment.links.iter().enumerate() {
                let place = format!("{place}.link[{l}]");
                if deployment.links[..l].iter().any(|other| other.name == link.name) {
                    return Err((format!("{place}.name"), format!("another link is named {:?}", link.name)));
                }
                if link.framing == FramingConfig::Frames
                    && !link.frame_len.is_some_and(|len| (7..=ccsds::FRAME_LEN_MAX).contains(&len))
                {
                    let reason = format!("frames framing needs frame_len between 7 and {}", ccsds::FRAME_LEN_MAX);
                    return Err((format!("{place}.frame_len"), reason));
                }
                if link.prefix_len > 4096 {
                    return Err((format!("{place}.prefix_len"), "at most 4096 bytes".to_string()));
                }
                if link.tls == LinkTlsConfig::Mutual && link.transport != TransportConfig::Tcp {
                    return Err((format!("{place}.tls"), "mutual TLS needs transport = \"tcp\"".to_string()));
                }
            }
        }
    }
    if let Some(trust_domain) = &config.control.trust_domain {
        pki::check_trust_domain(trust_domain).map_err(|why| ("control.trust_domain".to_string(), why.to_string()))?;
    }
    if config.vault.master_key_file.as_ref().is_some_and(|path| path.as_os_str().is_empty()) {
        return Err(("vault.master_key_file".into(), "an empty path: leave it out to use the env_var".into()));
    }
    for (t, token) in config.auth.tokens.iter().enumerate() {
        if token.token.len() < 16 {
            return Err((format!("auth.tokens[{t}].token"), "a token must have at least 16 characters".to_string()));
        }
        for (s, scope) in token.scopes.iter().enumerate() {
            if let Err(error) = scope.parse::<api::gate::ScopeGrant>() {
                return Err((format!("auth.tokens[{t}].scopes[{s}]"), error.to_string()));
            }
        }
        for (g, grant) in token.grants.iter().enumerate() {
            if let Err(error) = grant.parse::<api::gate::Grant>() {
                return Err((format!("auth.tokens[{t}].grants[{g}]"), error.to_string()));
            }
        }
    }
    Ok(())
}

fn check_commanding(deployment: &DeploymentConfig) -> Result<(), (String, String)> {
    let commanding = &deployment.commanding;
    for (field, value) in [
        ("acceptance_timeout_ms", commanding.acceptance_timeout_ms),
        ("completion_timeout_ms", commanding.completion_timeout_ms),
    ] {
        if !(1..=86_400_000).contains(&value) {
            return Err((format!("commanding.{field}"), "between 1 ms and one day".to_string()));
        }
    }
    if let Some(uplink) = &deployment.uplink {
        if uplink.address.parse::<std::net::SocketAddr>().is_err() {
            return Err((
                "uplink.address".into(),
                format!("{:?} is not an address like 127.0.0.1:10025", uplink.address),
            ));
        }
        if let Some(name) = &uplink.login_secret {
            name.parse::<vault::SecretName>()
                .map_err(|error| ("uplink.login_secret".to_string(), error.to_string()))?;
            if uplink.transport != TransportConfig::Tcp {
                return Err(("uplink.login_secret".into(), "a login is sent on a tcp uplink only".into()));
            }
        }
        if uplink.tls == LinkTlsConfig::Mutual && uplink.transport != TransportConfig::Tcp {
            return Err(("uplink.tls".into(), "mutual TLS needs transport = \"tcp\"".into()));
        }
        if uplink.framing == UplinkFramingConfig::Frames {
            match uplink.spacecraft_id {
                None => return Err(("uplink.spacecraft_id".into(), "frames framing needs a spacecraft_id".into())),
                Some(id) if id > 1023 => return Err(("uplink.spacecraft_id".into(), "at most 1023 (10 bits)".into())),
                Some(_) => {}
            }
            if uplink.virtual_channel > 63 {
                return Err(("uplink.virtual_channel".into(), "at most 63 (6 bits)".into()));
            }
        }
    }
    if let Some(simulator) = &deployment.simulator {
        if deployment.env == base::Env::Ops {
            return Err(("simulator".into(), "a simulator runs in dev and aiv only, never in ops".into()));
        }
        if deployment.uplink.is_some() {
            return Err(("uplink".into(), "the simulator is this deployment's uplink: leave uplink out".into()));
        }
        match &simulator.tm_link {
            Some(name) if !deployment.links.iter().any(|link| &link.name == name) => {
                return Err(("simulator.tm_link".into(), format!("no link named {name:?}")));
            }
            None if deployment.links.is_empty() => {
                return Err(("simulator".into(), "a simulator needs a link to send telemetry to".into()));
            }
            _ => {}
        }
        if simulator.apid > 2047 {
            return Err(("simulator.apid".into(), "at most 2047 (11 bits)".into()));
        }
        if !(10..=3_600_000).contains(&simulator.period_ms) {
            return Err(("simulator.period_ms".into(), "between 10 ms and one hour".into()));
        }
    }
    Ok(())
}

impl LinkConfig {
    /// The link's framing for `tm::link`.
    pub fn framing(&self) -> tm::link::Framing {
        match self.framing {
            FramingConfig::Packets => tm::link::Framing::Packets { prefix_len: self.prefix_len },
            FramingConfig::Frames => tm::link::Framing::Frames {
                frame_len: self.frame_len.unwrap_or(ccsds::FRAME_LEN_MAX),
                fecf: self.fecf,
                spacecraft_id: self.spacecraft_id,
            },
            FramingConfig::Nctrs => tm::link::Framing::Nctrs { fecf: self.fecf, spacecraft_id: self.spacecraft_id },
        }
    }
}

mod access;
mod from_mission;

pub use access::{AuthConfig, ControlConfig, TokenConfig, VaultConfig};
#[cfg(test)]
mod tests;

pub use from_mission::mission_config;
