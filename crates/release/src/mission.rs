//! The mission file (TOML): the deployment configuration a release carries. It names the
//! mission, where its model and procedures are, its spacecraft and members, and per
//! environment what a deployment runs (links, uplink, commanding, simulator, retention; the
//! same words as the server configuration's deployment table).
//!
//! ```toml
//! name = "sentinel-x"                 # mission slug
//! model = "model"                     # XTCE file or folder, or MIB folder, relative to this file
//! model_exclude = []                  # files of a model folder to leave out
//! procedures = "procedures"           # folder of *.toml procedure files (optional)
//! [pus]                              # optional: PUS TM field sizes (as in the server config)
//! data_field_header_len = 10
//! [[spacecraft]]
//! name = "sx-1"
//! id = 42                             # spacecraft id (10 bits)
//! apids = [100, 101]                  # 11 bits each
//! [[member]]
//! principal = "alice"
//! roles = { dev = ["engineer"], ops = ["flight-director"] }
//! [env.dev]                           # dev, aiv, ops: each optional
//! simulator = { seed = 1 }            # dev and aiv only
//! [[env.dev.link]]
//! name = "tm"
//! transport = "udp"                   # udp | tcp
//! address = "127.0.0.1:0"
//! framing = "packets"                 # packets | frames | nctrs
//! tls = "off"                         # or "mutual" (tcp only): peers need a certificate of
//!                                     # this mission and env from the platform's CA
//! [env.ops.uplink]
//! transport = "udp"
//! address = "10.0.0.5:10025"
//! tls = "off"                         # or "mutual" (tcp only): send only to a station with a
//!                                     # certificate of this mission and env
//! [pipeline]                          # optional: the gates of each environment
//! aiv = [{ gate = "validate" }, { gate = "test" }]
//! ops = [{ gate = "validate" }, { gate = "test" }, { gate = "window" },
//!        { gate = "approval", count = 2, roles = ["flight-director", "security-officer"] }]
//! lint = { require_verifier = true, hazardous = ["/*/RESET*"] }
//! ```
//!
//! Parsing is pure: text in, a checked [`MissionFile`] or a [`MissionFileError`] naming the
//! file and the place out.

mod check;
#[cfg(test)]
mod tests;

use serde::Deserialize;

/// The whole mission file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MissionFile {
    /// The mission slug (checked by `base::MissionSlug`).
    pub name: String,
    /// XTCE file or folder, or MIB folder; relative to the mission file.
    pub model: String,
    /// Files of a model folder to leave out.
    #[serde(default)]
    pub model_exclude: Vec<String>,
    /// Folder of `*.toml` procedure files, relative to the mission file.
    pub procedures: Option<String>,
    /// The mission's own Cedar policies (a file, relative to the mission file): carried by
    /// the release, validated against the platform's schema, confined to the mission.
    pub policies: Option<String>,
    #[serde(default)]
    pub spacecraft: Vec<Spacecraft>,
    #[serde(default, rename = "member")]
    pub members: Vec<Member>,
    #[serde(default)]
    pub env: Envs,
    /// The gates of each environment (absent: `PipelineSpec::default()`). A release's pipeline
    /// governs only once that release runs in the environment: a release cannot relax the
    /// gates it is promoted through.
    #[serde(default)]
    pub pipeline: pipeline::PipelineSpec,
    /// The sizes of the mission's PUS TM fields, when its packets are PUS.
    pub pus: Option<Pus>,
}

/// The sizes of the mission's PUS TM fields (how `tm::pus` reads the reports and where a simulator
/// writes the time).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Pus {
    pub data_field_header_len: usize,
    #[serde(default)]
    pub has_crc: bool,
    #[serde(default)]
    pub step_id_len: usize,
    #[serde(default = "one")]
    pub failure_code_len: usize,
    #[serde(default = "one")]
    pub event_id_len: usize,
    /// Where a simulator of the mission writes the CUC time: its byte offset, coarse and fine
    /// octets, and the P-field byte before it when the mission has one.
    #[serde(default = "time_offset")]
    pub time_offset: usize,
    #[serde(default = "four")]
    pub time_coarse_len: usize,
    #[serde(default = "two")]
    pub time_fine_len: usize,
    pub time_p_field: Option<u8>,
}

fn time_offset() -> usize {
    13
}

fn four() -> usize {
    4
}

fn two() -> usize {
    2
}

fn one() -> usize {
    1
}

/// A spacecraft of the mission.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Spacecraft {
    pub name: String,
    /// Spacecraft id, 10 bits.
    pub id: u16,
    /// Its application process ids, 11 bits each.
    #[serde(default)]
    pub apids: Vec<u16>,
}

/// A principal and the roles it holds in each environment.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub principal: String,
    #[serde(default)]
    pub roles: Roles,
}

/// Roles per environment.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    #[serde(default)]
    pub dev: Vec<Role>,
    #[serde(default)]
    pub aiv: Vec<Role>,
    #[serde(default)]
    pub ops: Vec<Role>,
}

/// A role a principal may hold in an environment of a mission.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Viewer,
    Operator,
    Engineer,
    FlightDirector,
    MissionAdmin,
    SecurityOfficer,
}

impl Role {
    /// The kebab-case name, as written in the file and in approvals.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Engineer => "engineer",
            Role::FlightDirector => "flight-director",
            Role::MissionAdmin => "mission-admin",
            Role::SecurityOfficer => "security-officer",
        }
    }
}

impl Roles {
    /// The roles held in one environment.
    pub fn of(&self, env: base::Env) -> &[Role] {
        match env {
            base::Env::Dev => &self.dev,
            base::Env::Aiv => &self.aiv,
            base::Env::Ops => &self.ops,
        }
    }
}

/// The deployments of the mission, one per environment, each optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Envs {
    pub dev: Option<EnvConfig>,
    pub aiv: Option<EnvConfig>,
    pub ops: Option<EnvConfig>,
}

impl Envs {
    /// Each configured environment with its deployment, in promotion order.
    pub fn iter(&self) -> impl Iterator<Item = (base::Env, &EnvConfig)> {
        [(base::Env::Dev, &self.dev), (base::Env::Aiv, &self.aiv), (base::Env::Ops, &self.ops)]
            .into_iter()
            .filter_map(|(env, config)| config.as_ref().map(|config| (env, config)))
    }
}

/// One deployment: the mission in one environment.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    #[serde(default)]
    pub retention: Retention,
    #[serde(default, rename = "link")]
    pub links: Vec<Link>,
    #[serde(default)]
    pub commanding: Commanding,
    pub uplink: Option<Uplink>,
    pub simulator: Option<Simulator>,
}

/// How long each kind of record is kept; absent = forever.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub raw_units_days: Option<u32>,
    pub parameters_days: Option<u32>,
    pub events_days: Option<u32>,
    pub alarms_days: Option<u32>,
    pub commands_days: Option<u32>,
}

/// A link: a socket the mission's telemetry arrives on.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub name: String,
    pub transport: Transport,
    pub address: String,
    pub framing: Framing,
    /// Bytes before each packet that are not part of it (packets framing).
    #[serde(default)]
    pub prefix_len: usize,
    /// Frame length (frames framing).
    pub frame_len: Option<usize>,
    #[serde(default)]
    pub fecf: bool,
    /// Accept only frames of this spacecraft id.
    pub spacecraft_id: Option<u16>,
    /// `mutual`: peers connect with TLS and a certificate of the mission and environment from
    /// the platform's CA (TCP only).
    #[serde(default)]
    pub tls: Tls,
}

/// What a link or an uplink asks of its peer: `off` (the default) or `mutual` TLS, where the
/// peer is identified by a certificate of the platform's CA naming this mission and
/// environment, never by its address.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    #[default]
    Off,
    Mutual,
}

/// `udp` or `tcp`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
}

/// `packets`, `frames` or `nctrs`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Framing {
    Packets,
    Frames,
    Nctrs,
}

/// How the deployment's command queue works; absent fields take the server's defaults.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Commanding {
    pub release: Option<CommandRelease>,
    pub acceptance_timeout_ms: Option<u64>,
    pub completion_timeout_ms: Option<u64>,
}

/// `automatic` or `manual`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CommandRelease {
    Automatic,
    Manual,
}

/// Where the deployment's telecommands go.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Uplink {
    pub transport: Transport,
    pub address: String,
    /// `packets` (default) or `frames`.
    pub framing: Option<Framing>,
    pub spacecraft_id: Option<u16>,
    #[serde(default)]
    pub virtual_channel: u8,
    #[serde(default)]
    pub fecf: bool,
    /// TCP only: the name of a secret of the environment's vault scope, sent as
    /// `LOGIN <value>\n` first on every new connection (checked by the platform).
    pub login_secret: Option<String>,
    /// `mutual`: connect with TLS and send only to a station whose certificate is of the
    /// platform's CA and of this mission and environment (TCP only).
    #[serde(default)]
    pub tls: Tls,
}

/// A simulator of the model run with a DEV or AIV deployment.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Simulator {
    pub tm_link: Option<String>,
    #[serde(default)]
    pub seed: u64,
    pub period_ms: Option<u64>,
    #[serde(default)]
    pub apid: u16,
    /// A scenario file, relative to the mission file.
    pub scenario: Option<String>,
}

/// A mission file that cannot be used, naming the file and the place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MissionFileError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {place}: {reason}")]
    Invalid { file: String, place: String, reason: String },
}

impl MissionFile {
    /// Parses and checks a mission file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<MissionFile, MissionFileError> {
        let mission: MissionFile = toml::from_str(text)
            .map_err(|e| MissionFileError::Syntax { file: file.to_string(), message: e.to_string() })?;
        check::mission(&mission).map_err(|(place, reason)| MissionFileError::Invalid {
            file: file.to_string(),
            place,
            reason,
        })?;
        Ok(mission)
    }

    /// The mission's slug (checked when parsed).
    pub fn slug(&self) -> Result<base::MissionSlug, base::SlugError> {
        self.name.parse()
    }
}
