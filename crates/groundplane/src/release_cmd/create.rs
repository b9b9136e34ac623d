//! `release keygen` and `release create`: the commands that read keys, the mission file, the
//! model and the procedures from disk, the clock and randomness, and hand bytes to the core.

use super::store::{self, Written};
use anyhow::{bail, Context};
use base::Digest;
use release::{CutInputs, MissionFile, SecretKey, SignerKind};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Largest mission file read.
const MISSION_FILE_LEN_MAX: u64 = 1024 * 1024;

/// `release keygen`: a new secret key in `out` (mode 0600) and its public key in `out.pub`.
pub fn keygen(out: &Path) -> anyhow::Result<ExitCode> {
    let public_path = public_path(out);
    for path in [out, public_path.as_path()] {
        if path.exists() {
            bail!("{}: exists; a key is never overwritten", path.display());
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| anyhow::anyhow!("no randomness from the system: {error}"))?;
    let key = SecretKey::from_seed(seed);
    write_new(out, key.to_text().as_bytes(), 0o600)?;
    write_new(&public_path, key.public().to_text().as_bytes(), 0o644)?;
    println!("secret key {} (keep it secret)", out.display());
    println!("public key {} {}", public_path.display(), key.public().to_text().trim());
    println!("key id {}", key.public().key_id());
    Ok(ExitCode::SUCCESS)
}

/// Where keygen puts the public key of the secret key at `out`.
fn public_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).with_context(|| format!("{}: cannot create", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).with_context(|| format!("{}: cannot write", path.display()))
}

/// What `release create` was asked.
pub struct CreateArgs<'a> {
    pub mission: &'a Path,
    pub key: &'a Path,
    pub signer: SignerKind,
    pub by: Option<String>,
    pub store: &'a Path,
}

/// `release create`: reads and checks everything, cuts and signs, writes into the store.
pub fn create(args: CreateArgs<'_>) -> anyhow::Result<ExitCode> {
    let inputs = read_inputs(args.mission)?;
    let key_text = String::from_utf8_lossy(&store::read_file(args.key)?).into_owned();
    let key = SecretKey::from_text(&args.key.display().to_string(), &key_text)?;
    let cut_by = args.by.or_else(|| env_var("USER")).unwrap_or_else(|| "unknown".to_string());
    let cut_inputs = CutInputs {
        mission_file_name: &inputs.mission_name,
        mission_file: &inputs.mission_bytes,
        model_json: &inputs.model_json,
        model_sources: &inputs.model_sources,
        procedures: &inputs.procedures,
        policies: inputs.policies.as_deref(),
        cut_by: &cut_by,
        cut_at_ms: crate::clock::now_ms(),
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let bundle = release::cut(&cut_inputs, &key, args.signer)?;
    let summary = format!(
        "mission {}, model {}, {} procedure(s)",
        bundle.mission,
        Digest::of(&inputs.model_json),
        inputs.procedures.len()
    );
    match store::write(args.store, &bundle)? {
        Written::Created(dir) => println!("release {} created in {} ({summary})", bundle.digest, dir.display()),
        Written::Exists(dir) => println!("release {} exists in {} (unchanged)", bundle.digest, dir.display()),
    }
    Ok(ExitCode::SUCCESS)
}

/// What a release is cut from, read from disk and checked: the mission file, its model
/// imported and made canonical, and its procedures. Every file is UTF-8 text.
pub(crate) struct Inputs {
    /// The mission file's path as given: it names the file in messages and the provenance.
    pub mission_name: String,
    pub mission_bytes: Vec<u8>,
    pub mission: MissionFile,
    /// The model's canonical JSON (its digest is the model's digest).
    pub model_json: Vec<u8>,
    /// The model's source files: name → digest.
    pub model_sources: Vec<(String, Digest)>,
    /// Procedure files: file name → its text (checked: UTF-8, a valid procedure).
    pub procedures: BTreeMap<String, Vec<u8>>,
    /// The mission's own Cedar policies, checked against the platform's schema.
    pub policies: Option<Vec<u8>>,
}

/// Reads the mission file (bounded), its model (import errors printed with their places) and
/// its procedures (each checked); refuses when any has a problem.
pub(crate) fn read_inputs(mission_path: &Path) -> anyhow::Result<Inputs> {
    let mission_name = mission_path.display().to_string();
    let mission_bytes = store::read_file(mission_path)?;
    if mission_bytes.len() as u64 > MISSION_FILE_LEN_MAX {
        bail!("{mission_name}: larger than {MISSION_FILE_LEN_MAX} bytes");
    }
    let text = std::str::from_utf8(&mission_bytes).map_err(|_| anyhow::anyhow!("{mission_name}: not UTF-8 text"))?;
    let mission = MissionFile::parse(&mission_name, text)?;
    let base = mission_path.parent().unwrap_or(Path::new("."));

    let model_path = base.join(&mission.model);
    let (kind, files) = crate::load::model_files_except(&model_path, &mission.model_exclude)?;
    let imported = match model_import::import(kind, &files) {
        Ok(imported) => imported,
        Err(report) => {
            eprint!("{}", crate::render::report(&report, &files));
            bail!("mission {}: the model {} has errors: no release", mission.name, model_path.display());
        }
    };
    let model_json = imported.model.canonical_json()?;
    let model_sources = files.iter().map(|file| (file.file_name(), Digest::of(&file.bytes))).collect();
    let procedures = match &mission.procedures {
        Some(folder) => read_procedures(&base.join(folder))?,
        None => BTreeMap::new(),
    };
    let policies = match &mission.policies {
        Some(file) => {
            let path = base.join(file);
            let bytes = store::read_file(&path)?;
            let text =
                std::str::from_utf8(&bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))?;
            crate::authz::check_mission_policies(&mission.slug()?, text)
                .map_err(|problems| anyhow::anyhow!("{}: {problems}", path.display()))?;
            Some(bytes)
        }
        None => None,
    };
    Ok(Inputs { mission_name, mission_bytes, mission, model_json, model_sources, procedures, policies })
}

/// The `*.toml` files of a procedures folder, each checked as a procedure; every problem is
/// printed as `file:line:column: ...` before refusing.
fn read_procedures(folder: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut procedures = BTreeMap::new();
    let mut n_bad = 0;
    let listing =
        std::fs::read_dir(folder).with_context(|| format!("{}: cannot list the procedures", folder.display()))?;
    let mut paths = Vec::new();
    for entry in listing {
        let path = entry.with_context(|| format!("{}: cannot list", folder.display()))?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "toml") {
            paths.push(path);
        }
    }
    if paths.len() > release::manifest::PROCEDURES_MAX {
        bail!(
            "{}: {} procedures, at most {} go in a release",
            folder.display(),
            paths.len(),
            release::manifest::PROCEDURES_MAX
        );
    }
    paths.sort();
    for path in paths {
        let bytes = store::read_file(&path)?;
        if bytes.len() > procedure::PROCEDURE_LEN_MAX {
            bail!("{}: larger than {} bytes", path.display(), procedure::PROCEDURE_LEN_MAX);
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            bail!("{}: not UTF-8 text", path.display());
        };
        if let Err(error) = procedure::Procedure::parse(text) {
            for problem in &error.problems {
                let separator = if problem.place().line == 0 { ": " } else { ":" };
                eprintln!("{}{separator}{problem}", path.display());
            }
            n_bad += 1;
            continue;
        }
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        procedures.insert(name, bytes);
    }
    if n_bad > 0 {
        bail!("{}: {n_bad} procedure(s) with problems: no release", folder.display());
    }
    Ok(procedures)
}

#[allow(clippy::disallowed_methods)] // groundplane reads env_vars
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}
