//! Reading model files from disk: one XTCE file, a folder of XTCE files, or a MIB folder.

use anyhow::{bail, Context};
use model_import::{detect, SourceFile, SourceKind};
use std::path::Path;

/// Largest model file read; real databases are a few MB.
pub const MODEL_FILE_LEN_MAX: u64 = 256 * 1024 * 1024;
/// Most files read from one folder.
pub const MODEL_FILES_MAX: usize = 10_000;

/// The files of a model at `path` and their kind.
pub fn model_files(path: &Path) -> anyhow::Result<(SourceKind, Vec<SourceFile>)> {
    model_files_except(path, &[])
}

/// The files of a model at `path` and their kind, leaving out the folder's files named in
/// `exclude` (drafts that do not import, say).
pub fn model_files_except(path: &Path, exclude: &[String]) -> anyhow::Result<(SourceKind, Vec<SourceFile>)> {
    let mut files = if path.is_dir() { folder_files(path)? } else { vec![read_file(path)?] };
    for name in exclude {
        if !files.iter().any(|file| file.file_name() == name.as_str()) {
            bail!("{}: no file {name:?} to leave out", path.display());
        }
    }
    files.retain(|file| !exclude.iter().any(|name| file.file_name() == name.as_str()));
    let Some(kind) = detect(&files) else {
        bail!(
            "{}: not a mission model: expected an XTCE file, a folder of XTCE files, \
             or a SCOS-2000 MIB folder (with pcf.dat, pid.dat, ...)",
            path.display()
        );
    };
    let wanted = |file: &SourceFile| match kind {
        SourceKind::Mib => file.file_name().ends_with(".dat"),
        SourceKind::Xtce => file.file_name().ends_with(".xml") || !path.is_dir(),
    };
    Ok((kind, files.into_iter().filter(wanted).collect()))
}

fn folder_files(dir: &Path) -> anyhow::Result<Vec<SourceFile>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))? {
        let path = entry.with_context(|| format!("{}: cannot list", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        if path.is_file() && (name.ends_with(".xml") || name.ends_with(".dat")) {
            paths.push(path);
        }
    }
    if paths.len() > MODEL_FILES_MAX {
        bail!("{}: {} model files, at most {MODEL_FILES_MAX} are read", dir.display(), paths.len());
    }
    if paths.is_empty() {
        bail!("{}: no .xml or .dat files in this folder", dir.display());
    }
    paths.sort();
    paths.iter().map(|path| read_file(path)).collect()
}

fn read_file(path: &Path) -> anyhow::Result<SourceFile> {
    let len = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?.len();
    if len > MODEL_FILE_LEN_MAX {
        bail!("{}: {len} bytes, larger than the {MODEL_FILE_LEN_MAX} bytes a model file may have", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(SourceFile::new(path.display().to_string(), bytes))
}
