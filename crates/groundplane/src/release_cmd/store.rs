//! The release store on disk: `<store>/<mission>/<hex>/` holding a release's files. A release
//! is written to a temporary folder beside its place, synced, then renamed into place, so it
//! is never seen half-written; once there it is never changed (its files are made read-only)
//! and writing the same digest again is a no-op.

use anyhow::{bail, Context};
use base::{Digest, MissionSlug};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Where releases live unless `--store` says otherwise.
pub const STORE_DEFAULT: &str = "groundplane-data/releases";
/// Largest file read from a release folder (the model's JSON is the big one).
const RELEASE_FILE_LEN_MAX: u64 = crate::load::MODEL_FILE_LEN_MAX;
/// Most files read from a release folder: every procedure and the five records.
const RELEASE_FILES_MAX: usize = release::manifest::PROCEDURES_MAX + 5;
/// Shortest digest prefix accepted on the command line.
pub const PREFIX_LEN_MIN: usize = 4;

/// What `write` did.
pub enum Written {
    Created(PathBuf),
    Exists(PathBuf),
}

/// Writes a bundle into the store, atomically; a release already there is left alone.
pub fn write(store: &Path, bundle: &release::Bundle) -> anyhow::Result<Written> {
    let mission_dir = store.join(bundle.mission.as_str());
    let place = mission_dir.join(bundle.digest.hex());
    if place.exists() {
        return Ok(Written::Exists(place));
    }
    std::fs::create_dir_all(&mission_dir).with_context(|| format!("{}: cannot create", mission_dir.display()))?;
    let temp = mission_dir.join(format!(".tmp-{}-{}", bundle.digest.short(), std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    let result = write_files(&temp, &bundle.files).and_then(|()| {
        std::fs::rename(&temp, &place).with_context(|| format!("{}: cannot move into place", place.display()))
    });
    match result {
        Ok(()) => {
            sync_dir(&mission_dir)?;
            Ok(Written::Created(place))
        }
        // Another process may have written the same release meanwhile: the same bytes.
        Err(_) if place.exists() => {
            let _ = std::fs::remove_dir_all(&temp);
            Ok(Written::Exists(place))
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&temp);
            Err(error)
        }
    }
}

fn write_files(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> anyhow::Result<()> {
    for (path, bytes) in files {
        let target = dir.join(path);
        let parent = target.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).with_context(|| format!("{}: cannot create", parent.display()))?;
        let mut file =
            std::fs::File::create_new(&target).with_context(|| format!("{}: cannot create", target.display()))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("{}: cannot write", target.display()))?;
        set_read_only(&target)?;
    }
    sync_dir(&dir.join(release::manifest::PROCEDURES_DIR)).ok();
    sync_dir(dir)
}

fn set_read_only(path: &Path) -> anyhow::Result<()> {
    let mut permissions = std::fs::metadata(path)?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(path, permissions).with_context(|| format!("{}: cannot make read-only", path.display()))
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).with_context(|| format!("{}: cannot sync", dir.display()))
}

/// Reads every file of a release folder (path relative to it → bytes), bounded. Anything
/// there is read, listed or not, so that `verify` can refuse what the manifest does not name.
pub fn read(dir: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&folder).with_context(|| format!("{}: cannot list", folder.display()))? {
            let entry = entry.with_context(|| format!("{}: cannot list", folder.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                pending.push((path, format!("{prefix}{name}/")));
                continue;
            }
            if files.len() >= RELEASE_FILES_MAX {
                bail!("{}: more than {RELEASE_FILES_MAX} files", dir.display());
            }
            files.insert(format!("{prefix}{name}"), read_file(&path)?);
        }
    }
    Ok(files)
}

/// Reads one file, refusing any larger than `RELEASE_FILE_LEN_MAX`.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut bytes = Vec::new();
    file.take(RELEASE_FILE_LEN_MAX + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if bytes.len() as u64 > RELEASE_FILE_LEN_MAX {
        bail!("{}: larger than {RELEASE_FILE_LEN_MAX} bytes", path.display());
    }
    Ok(bytes)
}

/// A release in the store: its mission, digest and folder.
pub struct Entry {
    pub mission: MissionSlug,
    pub digest: Digest,
    pub dir: PathBuf,
}

/// Every release in the store (of one mission when given), by mission then digest.
pub fn entries(store: &Path, mission: Option<&MissionSlug>) -> anyhow::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    if !store.is_dir() {
        return Ok(entries);
    }
    for mission_entry in std::fs::read_dir(store).with_context(|| format!("{}: cannot list", store.display()))? {
        let mission_dir = mission_entry?.path();
        let Some(slug) = mission_dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<MissionSlug>().ok())
        else {
            continue;
        };
        if !mission_dir.is_dir() || mission.is_some_and(|wanted| *wanted != slug) {
            continue;
        }
        for release_entry in
            std::fs::read_dir(&mission_dir).with_context(|| format!("{}: cannot list", mission_dir.display()))?
        {
            let dir = release_entry?.path();
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Ok(digest) = format!("sha256:{name}").parse::<Digest>() {
                entries.push(Entry { mission: slug.clone(), digest, dir });
            }
        }
    }
    entries.sort_by(|a, b| (&a.mission, a.digest).cmp(&(&b.mission, b.digest)));
    Ok(entries)
}

/// The lower-case hex a user named a release by: a digest (`sha256:` optional) or at least
/// `PREFIX_LEN_MIN` of its first hex digits; `None` when the text is neither.
pub fn digest_prefix(text: &str) -> Option<String> {
    let prefix = text.strip_prefix("sha256:").unwrap_or(text).to_ascii_lowercase();
    let fits = (PREFIX_LEN_MIN..=64).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_hexdigit());
    fits.then_some(prefix)
}

/// The one release whose digest starts with `text` (`sha256:` optional, at least 4 hex digits).
pub fn find(store: &Path, text: &str) -> anyhow::Result<Entry> {
    let Some(prefix) = digest_prefix(text) else {
        bail!("release {text:?}: expected a digest, or at least {PREFIX_LEN_MIN} of its first hex digits");
    };
    let mut matches: Vec<Entry> =
        entries(store, None)?.into_iter().filter(|entry| entry.digest.hex().starts_with(&prefix)).collect();
    match matches.len() {
        0 => bail!("no release sha256:{prefix}… in {}", store.display()),
        1 => Ok(matches.remove(0)),
        n => bail!("{n} releases start with sha256:{prefix}: give more digits"),
    }
}
