//! What the commands upload: the source of a release (a mission file with its model and
//! procedures, read and checked as `release create` does) and a release cut locally.

use crate::release_cmd::{create, store};
use anyhow::{bail, Context};
use api::wire::{ReleaseBundle, ReleaseSource};
use base::MissionSlug;
use std::collections::BTreeMap;
use std::path::Path;

/// The mission a mission file names, and the source the platform cuts a release from.
pub fn release_source(mission_path: &Path) -> anyhow::Result<(MissionSlug, ReleaseSource)> {
    let inputs = create::read_inputs(mission_path)?;
    let slug = inputs.mission.slug().with_context(|| inputs.mission_name.clone())?;
    let text =
        |name: &str, bytes: Vec<u8>| String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{name}: not UTF-8 text"));
    let mission_file = text(&inputs.mission_name, inputs.mission_bytes)?;
    let model_json = text("the model's canonical JSON", inputs.model_json)?;
    let model_sources = inputs.model_sources.into_iter().map(|(name, digest)| (name, digest.to_string())).collect();
    let mut procedures = BTreeMap::new();
    for (name, bytes) in inputs.procedures {
        let procedure = text(&name, bytes)?;
        procedures.insert(name, procedure);
    }
    let policies = inputs.policies.map(|bytes| text("the mission's policies", bytes)).transpose()?;
    Ok((slug, ReleaseSource { mission_file, model_json, model_sources, procedures, policies }))
}

/// Every file of a release in the local store (found by its digest or a unique prefix of it),
/// which must be of `mission`.
pub fn release_bundle(store_dir: &Path, mission: &str, digest: &str) -> anyhow::Result<ReleaseBundle> {
    let entry = store::find(store_dir, digest)?;
    if entry.mission.as_str() != mission {
        bail!("release {} in {} is of mission {}, not {mission}", entry.digest, store_dir.display(), entry.mission);
    }
    let mut files = BTreeMap::new();
    for (path, bytes) in store::read(&entry.dir)? {
        let Ok(text) = String::from_utf8(bytes) else {
            bail!("{}: not UTF-8 text", entry.dir.join(&path).display());
        };
        files.insert(path, text);
    }
    Ok(ReleaseBundle { files })
}
