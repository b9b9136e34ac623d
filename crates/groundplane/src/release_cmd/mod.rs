//! `groundplane release ...`: cut, list, show, diff and verify releases. The core (`release`)
//! does the digests, signatures and checks; this module reads and writes the store, the keys
//! and the clock.

pub(crate) mod create;
pub(crate) mod store;

use anyhow::Context;
use base::MissionSlug;
use release::{PublicKey, Release, SignerKind};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ReleaseCommand {
    /// Make a signing key: FILE (32 random bytes in hex, mode 0600) and FILE.pub.
    Keygen {
        /// Where to write the secret key; never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Cut a release from a mission file: its model, configuration and procedures, signed.
    Create {
        /// The mission file (TOML).
        #[arg(long)]
        mission: PathBuf,
        /// The secret key file to sign with.
        #[arg(long)]
        key: PathBuf,
        /// Whose key it is: the platform's or the mission's.
        #[arg(long, value_enum, default_value = "platform")]
        signer: Signer,
        /// Who cuts the release (default: $USER).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List the releases in the store.
    List {
        /// Only this mission's.
        #[arg(long)]
        mission: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Show a release: its files, provenance and signer (not verified: see `verify`).
    Show {
        /// A digest, or enough of its first hex digits to be unique.
        digest: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// What changed from release A to release B: model, mission file, procedures.
    Diff {
        a: String,
        b: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Check a release's digests and signature (exit 0: valid, 1: invalid, 2: usage).
    Verify {
        digest: String,
        /// Public key files to trust (from `keygen`: FILE.pub).
        #[arg(long, required = true, num_args = 1..)]
        trust: Vec<PathBuf>,
        /// The mission the release must be of.
        #[arg(long)]
        mission: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
}

/// The release store.
#[derive(clap::Args)]
pub struct StoreArg {
    /// The release store folder.
    #[arg(long = "store", default_value = store::STORE_DEFAULT)]
    dir: PathBuf,
}

/// `--signer`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Signer {
    Platform,
    Mission,
}

pub fn run(command: ReleaseCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReleaseCommand::Keygen { out } => create::keygen(&out),
        ReleaseCommand::Create { mission, key, signer, by, store } => create::create(create::CreateArgs {
            mission: &mission,
            key: &key,
            signer: match signer {
                Signer::Platform => SignerKind::Platform,
                Signer::Mission => SignerKind::Mission,
            },
            by,
            store: &store.dir,
        }),
        ReleaseCommand::List { mission, store } => list(mission.as_deref(), &store.dir),
        ReleaseCommand::Show { digest, store } => show(&digest, &store.dir),
        ReleaseCommand::Diff { a, b, store } => diff(&a, &b, &store.dir),
        ReleaseCommand::Verify { digest, trust, mission, store } => {
            verify(&digest, &trust, mission.as_deref(), &store.dir)
        }
    }
}

fn slug(text: Option<&str>) -> anyhow::Result<Option<MissionSlug>> {
    text.map(|text| text.parse::<MissionSlug>()).transpose().map_err(Into::into)
}

fn list(mission: Option<&str>, store: &std::path::Path) -> anyhow::Result<ExitCode> {
    let mission = slug(mission)?;
    let mut rows = Vec::new();
    for entry in store::entries(store, mission.as_ref())? {
        let row = match store::read(&entry.dir).map(|files| Release::read(&files)) {
            Ok(Ok(release)) => {
                let predicate = &release.provenance.predicate;
                let n_procedures = release
                    .manifest
                    .files
                    .iter()
                    .filter(|f| f.path.starts_with(release::manifest::PROCEDURES_DIR))
                    .count();
                let when = utc(predicate.cut_at_ms);
                (
                    predicate.cut_at_ms,
                    format!(
                        "{}  {}  {when}  by {}  {n_procedures} procedure(s)",
                        entry.digest, entry.mission, predicate.cut_by
                    ),
                )
            }
            Ok(Err(error)) => (0, format!("{}  {}  unreadable: {error}", entry.digest, entry.mission)),
            Err(error) => (0, format!("{}  {}  unreadable: {error:#}", entry.digest, entry.mission)),
        };
        rows.push(row);
    }
    rows.sort();
    for (_, row) in &rows {
        println!("{row}");
    }
    if rows.is_empty() {
        println!("no releases in {}", store.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn show(digest: &str, store: &std::path::Path) -> anyhow::Result<ExitCode> {
    let entry = store::find(store, digest)?;
    let files = store::read(&entry.dir)?;
    let release = Release::read(&files)?;
    let predicate = &release.provenance.predicate;
    println!("release {}  (not verified here: run `groundplane release verify`)", release.digest);
    println!("mission {}", release.manifest.mission);
    println!("model   {}", release.manifest.model_digest);
    println!("files:");
    for file in &release.manifest.files {
        println!("  {:<40} {:>10} bytes  {}", file.path, file.size, file.digest);
    }
    println!("provenance ({}):", release.provenance.predicate_type);
    println!("  cut by {} at {} ({} ms)", predicate.cut_by, utc(predicate.cut_at_ms), predicate.cut_at_ms);
    println!("  tool {} {}", predicate.tool.name, predicate.tool.version);
    for input in &predicate.inputs {
        println!("  input {:<40} sha256:{}", input.name, input.digest.sha256);
    }
    println!("signature: {} key {}", release.signature.signer, release.signature.key_id);
    Ok(ExitCode::SUCCESS)
}

fn diff(a: &str, b: &str, store: &std::path::Path) -> anyhow::Result<ExitCode> {
    let (a, b) = (store::find(store, a)?, store::find(store, b)?);
    let (files_a, files_b) = (store::read(&a.dir)?, store::read(&b.dir)?);
    let diff = release::diff(&files_a, &files_b)?;
    let (a, b) = (format!("{} {}", a.mission, a.digest), format!("{} {}", b.mission, b.digest));
    print!("{}", diff_text(&a, &b, &diff.to_string()));
    Ok(ExitCode::SUCCESS)
}

/// A release diff as printed: the two releases (`mission digest`), then the changes (the
/// `Display` of `release::ReleaseDiff`). `mission diff` prints the platform's diffs with it.
pub(crate) fn diff_text(a: &str, b: &str, changes: &str) -> String {
    format!("--- {a}\n+++ {b}\n{changes}")
}

fn verify(digest: &str, trust: &[PathBuf], mission: Option<&str>, store: &std::path::Path) -> anyhow::Result<ExitCode> {
    let mission = slug(mission)?;
    let mut trusted = Vec::new();
    for path in trust {
        let text = String::from_utf8_lossy(&store::read_file(path)?).into_owned();
        trusted.push(PublicKey::from_text(&path.display().to_string(), &text)?);
    }
    let entry = store::find(store, digest)?;
    let files = store::read(&entry.dir).with_context(|| format!("release {}", entry.digest))?;
    // The folders' names are the mission and digest the release is filed under: its manifest
    // must hash to that digest and name that mission (or the one asked for).
    let expected_mission = mission.unwrap_or_else(|| entry.mission.clone());
    match release::verify(&files, &trusted, Some(&expected_mission), Some(&entry.digest)) {
        Ok(verified) => {
            let release = &verified.release;
            println!(
                "release {} valid: mission {}, {} files, signed by {} key {}",
                release.digest,
                release.manifest.mission,
                release.manifest.files.len(),
                release.signature.signer,
                verified.key_id
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("release {} INVALID: {error}", entry.digest);
            Ok(ExitCode::from(1))
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of milliseconds since the Unix epoch.
pub(crate) fn utc(ms: u64) -> String {
    let (days, ms_of_day) = (ms / 86_400_000, ms % 86_400_000);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        for (ms, text) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_795_000_000_123, "2026-11-18T11:06:40.123Z"),
            (u64::MAX, "584556019-04-03T14:25:51.615Z"),
        ] {
            assert_eq!(super::utc(ms), text);
        }
    }
}
