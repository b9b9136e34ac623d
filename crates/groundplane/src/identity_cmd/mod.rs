//! `groundplane user ...` and `groundplane token ...`: people's accounts and API tokens in the
//! platform's identity store (`<data>/_platform/identity/identity.sqlite`). The core
//! (`identity`) hashes and checks; `archive::IdentityStore` stores; this module reads
//! passwords, the clock and randomness, and prints.
//!
//! A password is read from a file or stdin, never from the command line (it would show in
//! `ps`). A token's text is printed once, alone on stdout, at creation; nothing else ever
//! prints it or its hash. Exit codes: 0 done, 1 refused (the reason on stderr), 2 bad usage
//! or input, or a store that cannot be read.

#[cfg(test)]
mod tests;

use ::identity::{
    check_name, grants_within, hash_password, issue, parse_grant, PasswordParams, Revocation, SecretText, UserRecord,
    PASSWORD_BYTES_MAX, SALT_LEN, TOKEN_RANDOM_LEN,
};
use anyhow::{bail, Context};
use archive::IdentityStore;
use base::Env;
use policy::Grant;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The platform's data folder unless `--data` says otherwise.
const DATA_DEFAULT: &str = "groundplane-data";

/// The platform's data folder.
#[derive(clap::Args)]
pub struct Data {
    /// The platform's data folder (the store is in DATA/_platform/identity).
    #[arg(long, default_value = DATA_DEFAULT)]
    data: PathBuf,
}

/// `groundplane user ...`.
#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from --password-file, else from stdin (one line).
    Add {
        #[command(flatten)]
        data: Data,
        /// The login name: lowercase letters, digits, `-`, `_`, `.`.
        name: String,
        /// A role held, as mission/env/role (`*` for all): sentinel-x/ops/operator.
        #[arg(long = "grant", value_parser = parse_grant)]
        grants: Vec<Grant>,
        /// Read the password from this file (a trailing newline is dropped).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Set a user's password (from --password-file or stdin); ends the user's sessions.
    Passwd {
        #[command(flatten)]
        data: Data,
        name: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Give a user more grants.
    Grant {
        #[command(flatten)]
        data: Data,
        name: String,
        /// mission/env/role, one or more.
        #[arg(required = true, value_parser = parse_grant)]
        grants: Vec<Grant>,
    },
    /// Take a grant from a user (their tokens stop acting with it too).
    RevokeGrant {
        #[command(flatten)]
        data: Data,
        name: String,
        #[arg(value_parser = parse_grant)]
        grant: Grant,
    },
    /// Disable a user: no login, sessions ended, tokens refused.
    Disable {
        #[command(flatten)]
        data: Data,
        name: String,
    },
    /// List the users and their grants.
    List {
        #[command(flatten)]
        data: Data,
    },
}

/// `groundplane token ...`.
#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it, once, on stdout.
    Create {
        #[command(flatten)]
        data: Data,
        /// What it is for (`ci-deploy`): lowercase letters, digits, `-`, `_`, `.`.
        name: String,
        /// The user it acts for; its grants must be within theirs.
        #[arg(long)]
        owner: String,
        /// A role it carries, as mission/env/role.
        #[arg(long = "grant", required = true, value_parser = parse_grant)]
        grants: Vec<Grant>,
        /// An environment it may act in (default: those its grants name).
        #[arg(long = "env")]
        envs: Vec<Env>,
        /// Its life: 30d, 12h, 90m, 3600s (default 30d, at most 365d).
        #[arg(long, value_parser = parse_ttl)]
        ttl: Option<u64>,
    },
    /// List tokens: ids, names, owners, scopes and expiry; never the secret.
    List {
        #[command(flatten)]
        data: Data,
        /// Only this user's tokens.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Revoke a token by its id (the 12 hex digits after `gpt_`).
    Revoke {
        #[command(flatten)]
        data: Data,
        id: String,
    },
}

/// What a command reads and writes besides the store.
pub struct Console<'a> {
    /// Where a password is read when no file is given.
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    /// Refusals, and the hint that a token is shown once.
    pub stderr: &'a mut dyn Write,
    /// Milliseconds since the Unix epoch.
    pub now_ms: &'a dyn Fn() -> u64,
    /// Fills its argument with random bytes.
    pub random: &'a mut dyn FnMut(&mut [u8]) -> anyhow::Result<()>,
    /// The Argon2id parameters new passwords are hashed with.
    pub params: PasswordParams,
}

fn system_random(bytes: &mut [u8]) -> anyhow::Result<()> {
    getrandom::fill(bytes).map_err(|error| anyhow::anyhow!("no randomness from the system: {error}"))
}

/// Runs `command` on the process's stdin, stdout, stderr, clock and randomness.
fn with_console(run: impl FnOnce(&mut Console<'_>) -> anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    let (mut stdin, mut stdout, mut stderr) = (std::io::stdin().lock(), std::io::stdout().lock(), std::io::stderr());
    let mut random = system_random;
    run(&mut Console {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        now_ms: &crate::clock::now_ms,
        random: &mut random,
        params: PasswordParams::default(),
    })
}

/// Runs a `user` subcommand.
pub fn run_user(command: UserCommand) -> anyhow::Result<ExitCode> {
    let Some((data, action, detail)) = describe_user(&command) else {
        return with_console(|console| user_with(command, console));
    };
    let audit = crate::auditor::CliAudit::open(&data)?;
    audit.around(action, "platform", detail, || with_console(|console| user_with(command, console)))
}

/// What a changing `user` command is, for the audit: its data folder, action and detail.
fn describe_user(command: &UserCommand) -> Option<(PathBuf, &'static str, serde_json::Value)> {
    let grants = |grants: &[Grant]| grants.iter().map(ToString::to_string).collect::<Vec<_>>();
    match command {
        UserCommand::Add { data, name, grants: given, .. } => {
            Some((data.data.clone(), "user.add", serde_json::json!({ "user": name, "grants": grants(given) })))
        }
        UserCommand::Passwd { data, name, .. } => {
            Some((data.data.clone(), "user.passwd", serde_json::json!({ "user": name })))
        }
        UserCommand::Grant { data, name, grants: given } => {
            Some((data.data.clone(), "user.grant", serde_json::json!({ "user": name, "grants": grants(given) })))
        }
        UserCommand::RevokeGrant { data, name, grant } => Some((
            data.data.clone(),
            "user.revoke_grant",
            serde_json::json!({ "user": name, "grant": grant.to_string() }),
        )),
        UserCommand::Disable { data, name } => {
            Some((data.data.clone(), "user.disable", serde_json::json!({ "user": name })))
        }
        UserCommand::List { .. } => None,
    }
}

/// What a changing `token` command is, for the audit (never the token's secret).
fn describe_token(command: &TokenCommand) -> Option<(PathBuf, &'static str, serde_json::Value)> {
    match command {
        TokenCommand::Create { data, name, owner, grants, .. } => {
            let grants: Vec<String> = grants.iter().map(ToString::to_string).collect();
            let detail = serde_json::json!({ "name": name, "owner": owner, "grants": grants });
            Some((data.data.clone(), "token.create", detail))
        }
        TokenCommand::Revoke { data, id } => Some((data.data.clone(), "token.revoke", serde_json::json!({ "id": id }))),
        TokenCommand::List { .. } => None,
    }
}

/// Runs a `token` subcommand.
pub fn run_token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    let Some((data, action, detail)) = describe_token(&command) else {
        return with_console(|console| token_with(command, console));
    };
    let audit = crate::auditor::CliAudit::open(&data)?;
    audit.around(action, "platform", detail, || with_console(|console| token_with(command, console)))
}

/// The store under `data`; a command that only reads or changes never creates one.
fn open(data: &Data, create: bool) -> anyhow::Result<IdentityStore> {
    let dir = data.data.join(crate::identity::IDENTITY_SUBDIR);
    if !create && !dir.join("identity.sqlite").is_file() {
        bail!("no identity store in {}: add a user first (groundplane user add)", dir.display());
    }
    Ok(IdentityStore::open(&dir)?)
}

/// Prints `reason` to stderr and exits 1.
fn refused(console: &mut Console<'_>, reason: std::fmt::Arguments<'_>) -> anyhow::Result<ExitCode> {
    writeln!(console.stderr, "refused: {reason}")?;
    Ok(ExitCode::from(1))
}

fn grants_text(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "(none)".into();
    }
    grants.iter().map(Grant::to_string).collect::<Vec<_>>().join(", ")
}

/// Runs a `user` subcommand on `console`.
pub fn user_with(command: UserCommand, console: &mut Console<'_>) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add { data, name, grants, password_file } => {
            check_name(&name).with_context(|| format!("user {}", name.escape_debug()))?;
            let mut store = open(&data, true)?;
            if store.user(&name)?.is_some() {
                return refused(console, format_args!("user {name} exists"));
            }
            let phc = new_password_hash(password_file.as_deref(), console)?;
            let user = UserRecord::new(&name, phc, dedup(grants), (console.now_ms)())?;
            if !store.add_user(&user)? {
                return refused(console, format_args!("user {name} exists"));
            }
            writeln!(console.stdout, "user {name} added, grants {}", grants_text(&user.grants))?;
        }
        UserCommand::Passwd { data, name, password_file } => {
            let mut store = open(&data, false)?;
            if store.user(&name)?.is_none() {
                return refused(console, format_args!("no user {}", name.escape_debug()));
            }
            let phc = new_password_hash(password_file.as_deref(), console)?;
            if !store.set_password(&name, &phc)? {
                return refused(console, format_args!("no user {name}"));
            }
            writeln!(console.stdout, "password of {name} changed; their sessions ended")?;
        }
        UserCommand::Grant { data, name, grants } => {
            let mut store = open(&data, false)?;
            let Some(user) = store.user(&name)? else {
                return refused(console, format_args!("no user {}", name.escape_debug()));
            };
            let all = dedup(user.grants.into_iter().chain(grants).collect());
            store.set_grants(&name, &all)?;
            writeln!(console.stdout, "user {name}: grants {}", grants_text(&all))?;
        }
        UserCommand::RevokeGrant { data, name, grant } => {
            let mut store = open(&data, false)?;
            let Some(user) = store.user(&name)? else {
                return refused(console, format_args!("no user {}", name.escape_debug()));
            };
            if !user.grants.contains(&grant) {
                return refused(console, format_args!("user {name} does not hold {grant}"));
            }
            let rest: Vec<Grant> = user.grants.into_iter().filter(|g| *g != grant).collect();
            store.set_grants(&name, &rest)?;
            writeln!(
                console.stdout,
                "user {name}: {grant} revoked (their tokens no longer act with it); grants {}",
                grants_text(&rest)
            )?;
        }
        UserCommand::Disable { data, name } => {
            let mut store = open(&data, false)?;
            if !store.disable(&name)? {
                return refused(console, format_args!("no user {}", name.escape_debug()));
            }
            writeln!(console.stdout, "user {name} disabled: sessions ended, tokens refused")?;
        }
        UserCommand::List { data } => {
            let store = open(&data, false)?;
            let users = store.users()?;
            for user in &users {
                let state = if user.disabled { "disabled" } else { "enabled" };
                writeln!(console.stdout, "{}  {state}  {}", user.name, grants_text(&user.grants))?;
            }
            if users.is_empty() {
                writeln!(console.stdout, "no users")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `token` subcommand on `console`.
pub fn token_with(command: TokenCommand, console: &mut Console<'_>) -> anyhow::Result<ExitCode> {
    let now_ms = (console.now_ms)();
    match command {
        TokenCommand::Create { data, name, owner, grants, envs, ttl } => {
            let mut store = open(&data, false)?;
            let owner_record = match store.user(&owner)? {
                Some(user) if !user.disabled => user,
                Some(_) => return refused(console, format_args!("user {owner} is disabled")),
                None => return refused(console, format_args!("no user {}", owner.escape_debug())),
            };
            let grants = dedup(grants);
            if let Err(outside) = grants_within(&grants, &owner_record.grants) {
                return refused(
                    console,
                    format_args!(
                        "{owner} does not hold {outside} (holds {}): a token carries only its owner's grants",
                        grants_text(&owner_record.grants)
                    ),
                );
            }
            let envs = (!envs.is_empty()).then_some(envs);
            let mut random = [0; TOKEN_RANDOM_LEN];
            (console.random)(&mut random)?;
            let (record, text) = issue(&name, &owner, grants, envs, ttl, now_ms, random)?;
            if !store.insert_token(&record)? {
                bail!("token id {} is taken (a 1 in 2^48 chance): run the command again", record.id);
            }
            writeln!(console.stdout, "{}", text.expose())?;
            console.stdout.flush()?;
            writeln!(
                console.stderr,
                "token {} ({name}) for {owner}: grants {}, envs {}, expires {}\nthe token above is shown once: store it now",
                record.id,
                grants_text(&record.grants),
                envs_text(record.envs.as_deref()),
                crate::release_cmd::utc(record.expires_ms),
            )?;
        }
        TokenCommand::List { data, owner } => {
            let store = open(&data, false)?;
            let tokens: Vec<_> =
                store.tokens()?.into_iter().filter(|t| owner.as_ref().is_none_or(|o| *o == t.owner)).collect();
            for token in &tokens {
                let view = token.view();
                writeln!(
                    console.stdout,
                    "{}  {}  owner {}  {}  expires {}  grants {}  envs {}",
                    view.id,
                    view.name,
                    view.owner,
                    view.status(now_ms),
                    crate::release_cmd::utc(view.expires_ms),
                    view.grants.join(", "),
                    envs_text(view.envs.as_deref()),
                )?;
            }
            if tokens.is_empty() {
                writeln!(console.stdout, "no tokens")?;
            }
        }
        TokenCommand::Revoke { data, id } => {
            let mut store = open(&data, false)?;
            match store.revoke_token(&id, now_ms)? {
                Some(Revocation::Revoked { .. }) => writeln!(console.stdout, "token {id} revoked")?,
                Some(Revocation::AlreadyRevoked { at_ms }) => {
                    writeln!(console.stdout, "token {id} was already revoked, at {}", crate::release_cmd::utc(at_ms))?
                }
                None => return refused(console, format_args!("no token {}", id.escape_debug())),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn envs_text(envs: Option<&[Env]>) -> String {
    match envs {
        None => "all".into(),
        Some(envs) => envs.iter().map(|env| env.as_str()).collect::<Vec<_>>().join(", "),
    }
}

fn dedup(mut grants: Vec<Grant>) -> Vec<Grant> {
    grants.sort();
    grants.dedup();
    grants
}

/// Reads a new password (from `file`, else one line of stdin) and hashes it.
fn new_password_hash(file: Option<&Path>, console: &mut Console<'_>) -> anyhow::Result<String> {
    let password = read_password(file, console.stdin)?;
    let mut salt = [0; SALT_LEN];
    (console.random)(&mut salt)?;
    Ok(hash_password(password.expose(), console.params, salt)?)
}

/// A password from `file` (its whole content) or the first line of `stdin`, without the
/// line end; read bounded into one buffer (never grown, so never copied) that becomes a
/// `SecretText`, zeroed when dropped.
fn read_password(file: Option<&Path>, stdin: &mut dyn Read) -> anyhow::Result<SecretText> {
    let limit = PASSWORD_BYTES_MAX + 2;
    let mut bytes = Vec::with_capacity(limit + 1);
    match file {
        Some(path) => {
            let read = std::fs::File::open(path).and_then(|file| file.take(limit as u64).read_to_end(&mut bytes));
            read.with_context(|| format!("password file {}", path.display()))?;
        }
        None => {
            let mut byte = [0u8; 1];
            while bytes.len() < limit && stdin.read(&mut byte).context("reading the password from stdin")? == 1 {
                if byte[0] == b'\n' {
                    break;
                }
                bytes.push(byte[0]);
            }
        }
    }
    for end in [b'\n', b'\r'] {
        if bytes.last() == Some(&end) {
            bytes.pop();
        }
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => SecretText::new(text),
        Err(error) => {
            error.into_bytes().fill(0);
            bail!("the password is not UTF-8");
        }
    };
    if text.expose().is_empty() {
        bail!("no password given: use --password-file FILE, or write it on stdin");
    }
    Ok(text)
}

/// A token's life: a number and a unit, `d`, `h`, `m` or `s`, in milliseconds.
fn parse_ttl(text: &str) -> Result<u64, String> {
    let error = || format!("`{text}`: expected a number and a unit, like 30d, 12h, 90m or 3600s");
    let unit_at = text.len().checked_sub(1).filter(|at| text.is_char_boundary(*at)).ok_or_else(error)?;
    let (number, unit) = text.split_at(unit_at);
    let unit_ms: u64 = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        "s" => 1_000,
        _ => return Err(error()),
    };
    let number: u64 = number.parse().map_err(|_| error())?;
    number.checked_mul(unit_ms).ok_or_else(error)
}
