//! `groundplane audit verify|show`: the platform's tamper-evident audit chain
//! (`<data>/_platform/audit/audit.sqlite`, `archive::AuditStore`). The core (`audit`) does
//! the hashing, signatures and checks; this module picks the keys, reads the store and prints.
//!
//! `verify` exits 0 when the chain is valid, 1 when it was tampered with or is signed by no
//! trusted key (the place is printed), and 2 (through `main`) when the command is wrong or the store or a key cannot be
//! read.

use anyhow::Context;
use archive::{ArchiveError, AuditStore};
use audit::{KeySigner, Record, TrustedKey};
use release::{PublicKey, SecretKey};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the platform keeps its audit store, under the default data folder.
pub const AUDIT_DIR_DEFAULT: &str = "groundplane-data/_platform/audit";

/// The platform key's file, in the control folder beside the audit folder.
const PLATFORM_KEY: &str = "platform.key";

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Check the audit chain: every record in place and unmodified, every checkpoint signed by
    /// a trusted key, nothing cut off before the latest (exit 0: valid, 1: tampered, 2: usage
    /// or unreadable).
    Verify {
        /// The folder holding audit.sqlite.
        #[arg(long, default_value = AUDIT_DIR_DEFAULT)]
        dir: PathBuf,
        /// Public key files to trust (default: the platform key's public half, from
        /// DIR/../control/platform.key).
        #[arg(long, num_args = 1..)]
        trust: Vec<PathBuf>,
    },
    /// Print the audit records, one a line (not verified here: run `audit verify`).
    Show {
        /// The folder holding audit.sqlite.
        #[arg(long, default_value = AUDIT_DIR_DEFAULT)]
        dir: PathBuf,
        /// Only the last N records.
        #[arg(long)]
        last: Option<u64>,
    },
}

pub fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    run_with(command, &mut std::io::stdout().lock())
}

/// Runs a command, printing to `out`.
fn run_with(command: AuditCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { dir, trust } => verify(&dir, &trust, out),
        AuditCommand::Show { dir, last } => show(&dir, last, out),
    }
}

fn verify(dir: &Path, trust: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let trusted = trusted_keys(dir, trust)?;
    let store = AuditStore::open_existing(dir)?;
    match store.verify(&trusted) {
        Ok(report) => {
            let path = dir.join(archive::AUDIT_FILE);
            writeln!(out, "audit chain {} valid", path.display())?;
            match report.last_seq {
                Some(last) => writeln!(out, "  records      {} (seq 0 to {last})", report.records)?,
                None => writeln!(out, "  records      0")?,
            }
            match report.last_checkpoint_seq {
                Some(seq) => writeln!(out, "  checkpoints  {}, the latest at seq {seq}", report.checkpoints)?,
                None => writeln!(out, "  checkpoints  0")?,
            }
            writeln!(
                out,
                "  unsigned     {} record(s) after the latest checkpoint (hash-chained, not signed yet)",
                report.unverified_tail
            )?;
            let key_ids: Vec<String> = trusted.iter().map(TrustedKey::key_id).collect();
            writeln!(out, "  trusted      {}", key_ids.join(", "))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ArchiveError::Audit { path, source }) => {
            writeln!(out, "audit chain {} INVALID: {source}", path.display())?;
            Ok(ExitCode::from(1))
        }
        Err(error) => Err(error.into()),
    }
}

fn show(dir: &Path, last: Option<u64>, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let store = AuditStore::open_existing(dir)?;
    let records = match last {
        Some(n) => store.last_records(n)?,
        None => store.records()?,
    };
    for record in &records {
        writeln!(out, "{}", record_line(record))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One record as `show` prints it: seq, UTC time, principal, action, resource, outcome,
/// detail (JSON, omitted when null). Text fields are escaped, so no record can forge lines.
fn record_line(record: &Record) -> String {
    let mut line = format!(
        "{:>6}  {}  {}  {}  {}  {}",
        record.seq,
        crate::release_cmd::utc(record.at_ms),
        record.principal.escape_debug(),
        record.action.escape_debug(),
        record.resource.escape_debug(),
        record.outcome,
    );
    if !record.detail.is_null() {
        line.push_str("  ");
        line.push_str(&record.detail.to_string());
    }
    line
}

/// The keys `verify` trusts: the `--trust` files, or else the platform key's public half.
fn trusted_keys(dir: &Path, trust: &[PathBuf]) -> anyhow::Result<Vec<TrustedKey>> {
    let mut trusted = Vec::new();
    for path in trust {
        let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
        trusted.push(trusted_key(&PublicKey::from_text(&path.display().to_string(), &text)?)?);
    }
    if !trusted.is_empty() {
        return Ok(trusted);
    }
    let control = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join("control"),
        _ => dir.join("..").join("control"),
    };
    let key_path = control.join(PLATFORM_KEY);
    if !key_path.is_file() {
        anyhow::bail!("no key to trust: {} does not exist; give --trust KEY.pub", key_path.display());
    }
    let text = std::fs::read_to_string(&key_path).with_context(|| format!("{}: cannot read", key_path.display()))?;
    let key = SecretKey::from_text(&key_path.display().to_string(), &text)?;
    Ok(vec![trusted_key(&key.public())?])
}

/// A release public key as the audit chain's trusted key (same key, same key id).
pub(crate) fn trusted_key(public: &PublicKey) -> anyhow::Result<TrustedKey> {
    let bytes = hex32(public.to_text().trim()).context("a public key's text is 64 hex digits")?;
    Ok(TrustedKey::from_bytes(&bytes)?)
}

/// The platform key as the audit chain's checkpoint signer, for `AuditStore::append`.
// The seed passes through a `String` (`SecretKey::to_text`) that is not zeroized: the key
// file's text is the same bytes. A `release::SecretKey` signing method would avoid it.
pub(crate) fn platform_signer(key: &SecretKey) -> KeySigner {
    let seed = hex32(key.to_text().trim()).expect("SecretKey::to_text is 64 hex digits");
    KeySigner::from_seed(seed)
}

/// 64 hex digits as 32 bytes.
fn hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (idx, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * idx..2 * idx + 2], 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests;
