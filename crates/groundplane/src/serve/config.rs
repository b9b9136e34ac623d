//! The server's configuration file (TOML): where to listen, where data lives, who may ask, and
//! the missions with their deployments and links. This module owns the file format.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! data_dir = "groundplane-data"
//!
//! [auth]
//! anonymous_read = true          # anyone who can reach the port may read (a demo, a lab)
//! [[auth.tokens]]
//! name = "ops-bot"
//! token = "a-long-random-secret"
//! scopes = ["jpss-1/ops"]        # mission/env, or mission/* for every environment
//!
//! [[mission]]
//! name = "jpss-1"
//! model = "models/jpss1.xml"     # XTCE file or folder, or a SCOS-2000 MIB folder
//! [mission.pus]                  # optional: PUS 1/5 reports
//! data_field_header_len = 10
//! has_crc = true
//!
//! [[mission.deployment]]
//! env = "ops"
//! retention = { raw_units_days = 30 }
//! [[mission.deployment.link]]
//! name = "tm"
//! transport = "udp"              # udp | tcp
//! address = "127.0.0.1:10015"
//! framing = "packets"            # packets | frames | nctrs
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
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
}

/// Who may use the API until the platform's identity service (issue 7) exists.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Requests without a token may read everything (never write).
    #[serde(default)]
    pub anonymous_read: bool,
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
}

/// An API token.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub name: String,
    pub token: String,
    /// `mission/env` or `mission/*`; `*` for every deployment.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenConfig")
            .field("name", &self.name)
            .field("token", &"[redacted]")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A mission: its model and its deployments.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MissionConfig {
    pub name: String,
    /// XTCE file or folder, or MIB folder; relative paths are relative to the config file.
    pub model: PathBuf,
    pub pus: Option<PusConfig>,
    #[serde(default, rename = "deployment")]
    pub deployments: Vec<DeploymentConfig>,
}

/// The sizes of the mission's PUS TM fields (see `tm::pus::PusLayout`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PusConfig {
    pub data_field_header_len: usize,
    #[serde(default)]
    pub has_crc: bool,
    #[serde(default)]
    pub step_id_len: usize,
    #[serde(default = "one")]
    pub failure_code_len: usize,
    #[serde(default = "one")]
    pub event_id_len: usize,
}

fn one() -> usize {
    1
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

fn check(config: &ServerConfig) -> Result<(), (String, String)> {
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
            }
        }
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

#[cfg(test)]
mod tests;
