//! `groundplane pki show|issue`: the platform's certificate authority (`pki_store`, made by
//! the first `groundplane serve`). `issue` gives an external workload — a ground station, a
//! simulator run by hand — a short-lived certificate of one mission and environment, to
//! connect to a link that requires mutual TLS: `<component>.pem`, `<component>.key` (0600)
//! and the CA's `ca.pem` in the output folder.

use crate::pki_store;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The default data folder (as `groundplane serve`'s configuration has it by default).
const DATA_DIR_DEFAULT: &str = "groundplane-data";

#[derive(clap::Subcommand)]
pub enum PkiCommand {
    /// Print the CA's trust domain, certificate file and validity.
    Show {
        /// The platform's data folder (the CA is in DATA/_platform/pki).
        #[arg(long, default_value = DATA_DIR_DEFAULT)]
        data_dir: PathBuf,
    },
    /// Issue a certificate for spiffe://<trust-domain>/mission/M/env/E/COMPONENT.
    Issue {
        #[arg(long, default_value = DATA_DIR_DEFAULT)]
        data_dir: PathBuf,
        #[arg(long)]
        mission: String,
        #[arg(long)]
        env: String,
        /// What the workload is, e.g. station-kiruna or simulator.
        #[arg(long)]
        component: String,
        /// Where to write COMPONENT.pem, COMPONENT.key and ca.pem (created if missing).
        #[arg(long)]
        out_dir: PathBuf,
        /// Lifetime: a number with s, m, h or d (at most 7d).
        #[arg(long, default_value = "24h")]
        ttl: String,
    },
}

/// Runs a `pki` command.
pub fn run(command: PkiCommand) -> anyhow::Result<ExitCode> {
    let now_ms = crate::clock::now_ms();
    let out = &mut std::io::stdout().lock();
    match command {
        PkiCommand::Show { data_dir } => show(&data_dir, out),
        PkiCommand::Issue { data_dir, mission, env, component, out_dir, ttl } => {
            let scope = base::Scope { mission: mission.parse()?, env: env.parse()? };
            issue(&data_dir, &scope, &component, &out_dir, parse_ttl_ms(&ttl)?, now_ms, out)
        }
    }
}

fn show(data_dir: &Path, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let authority = pki_store::load(data_dir)?;
    let path = pki_store::pki_dir(data_dir).join(pki_store::CA_CERT_FILE);
    writeln!(out, "trust domain {}", authority.trust_domain())?;
    writeln!(out, "certificate {}", path.display())?;
    writeln!(out, "serial {}", pki::serial_hex(authority.cert_der()))?;
    writeln!(out, "not after {} ms since the Unix epoch", authority.not_after_ms())?;
    Ok(ExitCode::SUCCESS)
}

fn issue(
    data_dir: &Path,
    scope: &base::Scope,
    component: &str,
    out_dir: &Path,
    ttl_ms: u64,
    now_ms: u64,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let authority = pki_store::load(data_dir).context("no CA yet? `groundplane serve` makes it at its first start")?;
    let id = pki::SpiffeId::new(authority.trust_domain(), scope, component)?;
    let issued = authority.issue(&id, ttl_ms, now_ms)?;
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let (cert_pem, key_pem) = issued.to_pem();
    let key_path = out_dir.join(format!("{component}.key"));
    // A key is never written over: remove the old one on purpose to replace it.
    pki_store::write_private(&key_path, key_pem.as_bytes())?;
    let cert_path = out_dir.join(format!("{component}.pem"));
    std::fs::write(&cert_path, cert_pem).with_context(|| format!("writing {}", cert_path.display()))?;
    let ca_path = out_dir.join("ca.pem");
    std::fs::write(&ca_path, authority.bundle().to_pem()).with_context(|| format!("writing {}", ca_path.display()))?;
    writeln!(out, "issued {id}")?;
    writeln!(out, "serial {}", issued.serial())?;
    writeln!(out, "not after {} ms since the Unix epoch", issued.not_after_ms)?;
    writeln!(out, "certificate {}\nkey {}\nca {}", cert_path.display(), key_path.display(), ca_path.display())?;
    Ok(ExitCode::SUCCESS)
}

/// `90s`, `30m`, `24h`, `7d` in ms.
fn parse_ttl_ms(text: &str) -> anyhow::Result<u64> {
    let invalid = || anyhow::anyhow!("--ttl {text:?}: expected a number with s, m, h or d, e.g. 24h");
    let split = text.len().checked_sub(1).ok_or_else(invalid)?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let unit_ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(invalid()),
    };
    number.checked_mul(unit_ms).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_and_issues_certificates_for_ground_stations() {
        let dir = test_utils::temp_dir("pki-cmd");
        let now_ms = 1_800_000_000_000;
        let created = pki_store::load_or_create(&dir, "groundplane.local", now_ms).unwrap();
        let again = pki_store::load_or_create(&dir, "groundplane.local", now_ms + 1000).unwrap();
        assert_eq!(created.cert_der(), again.cert_der(), "the CA is made once");
        let other = pki_store::load_or_create(&dir, "other.example", now_ms).unwrap_err();
        assert!(other.to_string().contains("the CA is of trust domain `groundplane.local`"), "{other}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = pki_store::pki_dir(&dir).join(pki_store::CA_KEY_FILE);
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let scope = base::Scope { mission: "sentinel-x".parse().unwrap(), env: base::Env::Ops };
        let out_dir = dir.join("station");
        let mut printed = Vec::new();
        issue(&dir, &scope, "station-kiruna", &out_dir, parse_ttl_ms("12h").unwrap(), now_ms, &mut printed).unwrap();
        let printed = String::from_utf8(printed).unwrap();
        assert!(printed.starts_with("issued spiffe://groundplane.local/mission/sentinel-x/env/ops/station-kiruna\n"));
        let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
        let issued = pki::Issued::from_pem(&read("station-kiruna.pem"), &read("station-kiruna.key")).unwrap();
        assert_eq!(issued.not_after_ms, now_ms + 12 * 3_600_000);
        assert_eq!(pki::TrustBundle::from_pem(&read("ca.pem")).unwrap(), created.bundle());
        let again = issue(&dir, &scope, "station-kiruna", &out_dir, 3_600_000, now_ms, &mut Vec::new());
        assert!(again.is_err(), "an existing key is not overwritten");
        assert!(parse_ttl_ms("8x").is_err() && parse_ttl_ms("").is_err() && parse_ttl_ms("h").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
