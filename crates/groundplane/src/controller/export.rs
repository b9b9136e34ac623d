//! Deleting a mission exports it first: its archives, its releases and its control events go
//! to `<exports>/<mission>-<ms>/`, moved (not copied) so nothing is left half-removed.

use super::Controller;
use api::BackendError;
use base::MissionSlug;
use std::io::Write;

fn io(what: &str, path: &std::path::Path, error: std::io::Error) -> BackendError {
    BackendError::Internal(format!("{what} {}: {error}", path.display()))
}

impl Controller {
    /// Moves the mission's data and releases into a new export folder with its events
    /// (`events.jsonl`); answers the folder.
    pub(super) fn export(&self, mission: &MissionSlug, now_ms: u64) -> Result<String, BackendError> {
        let export = self.dirs.exports.join(format!("{mission}-{now_ms}"));
        std::fs::create_dir_all(&export).map_err(|e| io("creating", &export, e))?;
        let events_path = export.join("events.jsonl");
        let mut file = std::fs::File::create_new(&events_path).map_err(|e| io("creating", &events_path, e))?;
        for event in self.log.read().unwrap_or_else(std::sync::PoisonError::into_inner).iter() {
            if event.mission() == mission.as_str() {
                let line = serde_json::to_string(event).map_err(|e| BackendError::Internal(e.to_string()))?;
                writeln!(file, "{line}").map_err(|e| io("writing", &events_path, e))?;
            }
        }
        file.sync_all().map_err(|e| io("syncing", &events_path, e))?;
        for (from, name) in
            [(self.dirs.data.join(mission.as_str()), "data"), (self.dirs.releases.join(mission.as_str()), "releases")]
        {
            if from.exists() {
                let to = export.join(name);
                std::fs::rename(&from, &to).map_err(|e| io("moving", &from, e))?;
            }
        }
        Ok(export.display().to_string())
    }
}
