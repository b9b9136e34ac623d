//! `groundplane secret ...`: the secrets vault of a platform directory. The core (`vault`)
//! seals, opens and rotates; `archive::VaultStore` stores; this module reads the master key,
//! the value and randomness, and prints. A value is read from a file or stdin, never from
//! the command line (it would show in `ps`), and is printed by `get` alone, to stdout.

pub(crate) mod master;
mod vault_dir;

#[cfg(test)]
mod tests;

use base::{Env, MissionSlug, Scope};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vault::SecretName;

/// `groundplane secret ...`.
#[derive(clap::Subcommand)]
pub enum SecretCommand {
    /// Make a master key: FILE (64 hex digits, mode 0600), never overwritten.
    InitKey {
        /// Where to write the key; keep it apart from the vault directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Store a new version of a secret (older versions are kept).
    Put {
        #[command(flatten)]
        at: At,
        /// The secret's name, like `gs-kiruna.password`.
        name: SecretName,
        #[command(flatten)]
        source: ValueSource,
    },
    /// Print a secret's value to stdout, exactly its bytes.
    Get {
        #[command(flatten)]
        at: At,
        /// The secret's name.
        name: SecretName,
        /// This version instead of the latest.
        #[arg(long)]
        version: Option<u32>,
    },
    /// List the secrets of a mission's environment: names and versions, never values.
    List {
        #[command(flatten)]
        at: At,
    },
    /// Give the environment a new data key and re-seal every version of its secrets under it.
    Rotate {
        #[command(flatten)]
        at: At,
    },
    /// Re-wrap every data key under a new master key (from `init-key`).
    RotateMaster {
        #[command(flatten)]
        vault: VaultArgs,
        /// The new master key file.
        #[arg(long)]
        new_master_key: PathBuf,
    },
    /// Delete every version of a secret.
    Delete {
        #[command(flatten)]
        at: At,
        /// The secret's name.
        name: SecretName,
    },
}

/// The vault directory and its master key.
#[derive(clap::Args)]
pub struct VaultArgs {
    /// The vault's directory (holds `vault.sqlite`).
    #[arg(long)]
    dir: PathBuf,
    /// The master key file (mode 0600); default: the GROUNDPLANE_MASTER_KEY env_var.
    #[arg(long)]
    master_key: Option<PathBuf>,
}

/// The vault and one mission's environment in it.
#[derive(clap::Args)]
pub struct At {
    #[command(flatten)]
    vault: VaultArgs,
    /// The mission's slug.
    #[arg(long)]
    mission: MissionSlug,
    /// dev, aiv or ops.
    #[arg(long)]
    env: Env,
}

impl At {
    fn scope(&self) -> Scope {
        Scope { mission: self.mission.clone(), env: self.env }
    }
}

/// Where `put` reads the value: exactly the bytes given (a trailing newline is kept).
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct ValueSource {
    /// Read the value from this file.
    #[arg(long)]
    value_file: Option<PathBuf>,
    /// Read the value from stdin.
    #[arg(long)]
    stdin: bool,
}

/// What a command reads and writes besides files: stdin, stdout and the env_vars.
pub struct Console<'a> {
    /// Where `put --stdin` reads the value.
    pub stdin: &'a mut dyn Read,
    /// Where every command reports (and `get` writes the value).
    pub stdout: &'a mut dyn Write,
    /// Reads an env_var (`GROUNDPLANE_MASTER_KEY`).
    pub env_var: &'a dyn Fn(&str) -> Option<String>,
}

/// Runs a `secret` subcommand on the process's stdin, stdout and env_vars.
pub fn run(command: SecretCommand) -> anyhow::Result<ExitCode> {
    let audited = describe(&command);
    let run = move || {
        let (mut stdin, mut stdout) = (std::io::stdin().lock(), std::io::stdout().lock());
        let env_var = crate::release_cmd::create::env_var;
        run_with(command, &mut Console { stdin: &mut stdin, stdout: &mut stdout, env_var: &env_var })
    };
    match audited {
        Some((data, action, resource, detail)) => {
            crate::auditor::CliAudit::open(&data)?.around(action, &resource, detail, run)
        }
        None => run(),
    }
}

/// What a vault command is, for the platform's audit chain, when the vault is a platform's
/// (`<data>/_platform/vault`): its data folder, action, resource and detail (never a value).
fn describe(command: &SecretCommand) -> Option<(PathBuf, &'static str, String, serde_json::Value)> {
    let (vault, action, scope, name) = match command {
        SecretCommand::InitKey { .. } => return None,
        SecretCommand::Put { at, name, .. } => (&at.vault, "secret.put", Some(at.scope()), Some(name)),
        SecretCommand::Get { at, name, .. } => (&at.vault, "secret.read", Some(at.scope()), Some(name)),
        SecretCommand::List { at } => (&at.vault, "secret.list", Some(at.scope()), None),
        SecretCommand::Rotate { at } => (&at.vault, "secret.rotate", Some(at.scope()), None),
        SecretCommand::RotateMaster { vault, .. } => (vault, "secret.rotate_master", None, None),
        SecretCommand::Delete { at, name } => (&at.vault, "secret.delete", Some(at.scope()), Some(name)),
    };
    let platform = vault.dir.parent().filter(|parent| parent.file_name().is_some_and(|name| name == "_platform"))?;
    let data = platform.parent()?.to_path_buf();
    let resource = scope.map_or_else(|| "platform".to_string(), |scope| format!("deployment {scope}"));
    let detail = serde_json::json!({ "name": name.map(ToString::to_string) });
    Some((data, action, resource, detail))
}

/// Runs a `secret` subcommand on `console`.
pub fn run_with(command: SecretCommand, console: &mut Console<'_>) -> anyhow::Result<ExitCode> {
    match command {
        SecretCommand::InitKey { out } => master::init_key(&out, console.stdout)?,
        SecretCommand::Put { at, name, source } => {
            let value = vault_dir::read_value(source.value_file.as_deref(), console.stdin)?;
            let mut opened = vault_dir::open(&at.vault, console, true)?;
            let version = opened.put(&at.scope(), &name, &value)?;
            writeln!(console.stdout, "secret {} {name} version {version} stored", at.scope())?;
        }
        SecretCommand::Get { at, name, version } => {
            let opened = vault_dir::open(&at.vault, console, false)?;
            let value = opened.vault.get(&at.scope(), &name, version)?;
            console.stdout.write_all(value.expose())?;
            console.stdout.flush()?;
        }
        SecretCommand::List { at } => {
            let opened = vault_dir::open(&at.vault, console, false)?;
            let secrets = opened.vault.list(&at.scope())?;
            for secret in &secrets {
                let versions: Vec<String> = secret.versions.iter().map(u32::to_string).collect();
                writeln!(console.stdout, "{}  versions {}", secret.name, versions.join(", "))?;
            }
            if secrets.is_empty() {
                writeln!(console.stdout, "no secrets in {}", at.scope())?;
            }
        }
        SecretCommand::Rotate { at } => {
            let mut opened = vault_dir::open(&at.vault, console, false)?;
            let (dek_version, n_resealed) = opened.rotate_data_key(&at.scope())?;
            let scope = at.scope();
            writeln!(
                console.stdout,
                "data key {scope} version {dek_version}: {n_resealed} secret version(s) re-sealed"
            )?;
        }
        SecretCommand::RotateMaster { vault, new_master_key } => {
            let mut opened = vault_dir::open(&vault, console, false)?;
            let n_keys = opened.rotate_master(&new_master_key)?;
            writeln!(console.stdout, "{n_keys} data key(s) re-wrapped under {}", new_master_key.display())?;
        }
        SecretCommand::Delete { at, name } => {
            let mut opened = vault_dir::open(&at.vault, console, false)?;
            opened.delete(&at.scope(), &name)?;
            writeln!(console.stdout, "secret {} {name} deleted (every version)", at.scope())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
