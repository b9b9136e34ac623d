//! `groundplane mission ...`: the control plane of a running platform over its HTTP API —
//! missions created from mission files, releases cut by the platform, approvals, promotions,
//! rollbacks, pause and resume, blackout windows, drift.
//!
//! Exit codes: 0 done; 1 refused by the platform (a 4xx answer with its reason); 2 a usage
//! error, an unreadable file, an unreachable server or an answer that is not the API's.

mod call;
mod render;
pub(crate) mod source;
#[cfg(test)]
mod tests;

use crate::procedure_cmd::http::Client;
use crate::release_cmd::create::env_var;
use std::path::PathBuf;
use std::process::ExitCode;

/// The platform's URL when neither `--url` nor `$GROUNDPLANE_URL` gives one.
const URL_DEFAULT: &str = "http://127.0.0.1:8080";
/// The most characters of an unexpected answer quoted in an error.
const SNIPPET_CHARS_MAX: usize = 200;

#[derive(clap::Subcommand)]
pub enum MissionCommand {
    /// Create a mission from a mission file: the platform cuts and signs its first release and
    /// promotes it to DEV.
    Create {
        /// The mission file (TOML); its model and procedures are read beside it.
        file: PathBuf,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// List the platform's missions.
    List {
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Show a mission: its releases and what each environment runs.
    Show {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// The control plane's record of a mission (creations, approvals, promotions, ...).
    Events {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Every environment that does not run what it should.
    Drift {
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Have the platform cut and sign a release of a mission file's mission; prints its digest.
    Release {
        /// The mission file (TOML).
        file: PathBuf,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Upload a release cut locally (`groundplane release create`) from the release store.
    Import {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// A digest, or enough of its first hex digits to be unique in the store.
        digest: String,
        /// The release store folder.
        #[arg(long, default_value = crate::release_cmd::store::STORE_DEFAULT)]
        store: PathBuf,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// List a mission's releases, oldest first.
    Releases {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Show a release: its files, gate results and approvals.
    ReleaseShow {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// A digest, or enough of its first hex digits to be unique.
        digest: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// What changed from release A to release B: model, mission file, procedures.
    Diff {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// Release A: its digest, or enough of its first hex digits.
        a: String,
        /// Release B.
        b: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Approve a release for an environment, in a role you hold there.
    Approve {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The environment: dev, aiv or ops.
        env: String,
        /// The release: its digest, or enough of its first hex digits.
        digest: String,
        /// The role approved in, e.g. `flight-director`.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Promote a release to an environment: its gates run, then it is deployed (exit 1: refused).
    Promote {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The environment: dev, aiv or ops.
        env: String,
        /// The release: its digest, or enough of its first hex digits.
        digest: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Redeploy the release the environment ran before its current one.
    Rollback {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The environment: dev, aiv or ops.
        env: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Stop an environment's deployment, keeping its data and the release it shall run.
    Pause {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The environment: dev, aiv or ops.
        env: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Start a paused environment's deployment again.
    Resume {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The environment: dev, aiv or ops.
        env: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Refuse every promotion to an environment from --from until --to (a pass, a critical
    /// operation); prints the environment with its blackouts.
    Blackout {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The environment: dev, aiv or ops.
        env: String,
        /// The start: milliseconds since the Unix epoch or RFC 3339 (2026-11-24T10:00:00Z).
        #[arg(long, value_name = "TIME", value_parser = time_ms)]
        from: u64,
        /// The end, exclusive, after --from: as --from.
        #[arg(long, value_name = "TIME", value_parser = time_ms)]
        to: u64,
        /// Why, e.g. `pass over Kiruna`.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Archive a mission: stop its deployments and keep its data; no promotion afterwards.
    Archive {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The mission's name again.
        #[arg(long)]
        confirm: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// Delete a mission: its data and records are exported, then removed.
    Delete {
        /// The mission, e.g. `sentinel-x`.
        mission: String,
        /// The mission's name again.
        #[arg(long)]
        confirm: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
}

/// Where the platform is, how to authenticate, how to print.
#[derive(Clone, clap::Args)]
pub struct PlatformArgs {
    /// The platform's URL (default: $GROUNDPLANE_URL, then http://127.0.0.1:8080).
    #[arg(long)]
    url: Option<String>,
    /// A bearer token (default: $GROUNDPLANE_TOKEN).
    #[arg(long)]
    token: Option<String>,
    /// Print the platform's JSON answer as it is (for scripts).
    #[arg(long)]
    json: bool,
}

impl PlatformArgs {
    /// The URL and token: the options, else the env_vars, else the default URL and no token.
    fn resolve(&self, env_var: impl Fn(&str) -> Option<String>) -> (String, Option<String>) {
        let url = self.url.clone().or_else(|| env_var("GROUNDPLANE_URL")).unwrap_or_else(|| URL_DEFAULT.to_string());
        (url, self.token.clone().or_else(|| env_var("GROUNDPLANE_TOKEN")))
    }
}

impl MissionCommand {
    fn platform(&self) -> &PlatformArgs {
        use MissionCommand as C;
        match self {
            C::Create { platform, .. }
            | C::List { platform }
            | C::Show { platform, .. }
            | C::Events { platform, .. }
            | C::Drift { platform }
            | C::Release { platform, .. }
            | C::Import { platform, .. }
            | C::Releases { platform, .. }
            | C::ReleaseShow { platform, .. }
            | C::Diff { platform, .. }
            | C::Approve { platform, .. }
            | C::Promote { platform, .. }
            | C::Rollback { platform, .. }
            | C::Pause { platform, .. }
            | C::Resume { platform, .. }
            | C::Blackout { platform, .. }
            | C::Archive { platform, .. }
            | C::Delete { platform, .. } => platform,
        }
    }
}

/// A TIME argument: milliseconds since the Unix epoch or RFC 3339 (a usage error otherwise).
fn time_ms(text: &str) -> Result<u64, String> {
    api::time::parse_time_ms(text).map_err(|error| error.to_string())
}

pub fn run(command: MissionCommand) -> anyhow::Result<ExitCode> {
    let printed = invoke(&command, env_var)?;
    print!("{}", printed.stdout);
    eprint!("{}", printed.stderr);
    Ok(ExitCode::from(printed.code))
}

/// What a command prints, and its exit code.
#[derive(Debug, PartialEq, Eq)]
struct Printed {
    code: u8,
    stdout: String,
    stderr: String,
}

/// Runs a command: reads what it uploads, asks the platform, renders the answer. An `Err` is
/// exit code 2.
fn invoke(command: &MissionCommand, env_var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Printed> {
    let platform = command.platform();
    let (url, token) = platform.resolve(env_var);
    let call = call::of(command)?;
    // The errors' sources are in their text already: `{:#}` would print them twice.
    let client = Client::new(&url, token).map_err(|error| anyhow::anyhow!("{error}"))?;
    let response = client
        .with_read_timeout(call.timeout)
        .request(call.method, &call.path, call.body.as_deref())
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let what = format!("{} {}", call.method, call.path);
    let as_is = || format!("{}\n", String::from_utf8_lossy(&response.body).trim_end());
    if (200..300).contains(&response.status) {
        let stdout = if platform.json {
            as_is()
        } else {
            (call.render)(&response.body)
                .map_err(|error| anyhow::anyhow!("{what}: unexpected answer ({error}): {}", snippet(&response.body)))?
        };
        return Ok(Printed { code: 0, stdout, stderr: String::new() });
    }
    if (400..500).contains(&response.status) {
        if let Some(refusal) = render::refusal(response.status, &response.body) {
            let stdout = if platform.json { as_is() } else { String::new() };
            return Ok(Printed { code: 1, stdout, stderr: refusal });
        }
    }
    let reason = render::reason(&response.body).unwrap_or_else(|| snippet(&response.body));
    anyhow::bail!("{what}: HTTP {}: {reason}", response.status)
}

/// The start of a body, as text, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut snippet: String = text.chars().take(SNIPPET_CHARS_MAX).collect();
    if text.chars().count() > SNIPPET_CHARS_MAX {
        snippet.push('…');
    }
    snippet
}
