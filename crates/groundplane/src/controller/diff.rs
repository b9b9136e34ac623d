//! A release diff as the API answers it: the model's changes in the same JSON as
//! `model diff --json`, the mission file's and the procedures' line changes, and the text
//! `release diff` prints.

use api::BackendError;
use base::Digest;
use release::LineChange;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn lines(changes: &[LineChange]) -> Value {
    changes
        .iter()
        .map(|change| match change {
            LineChange::Removed { line, text } => json!({"change": "removed", "line": line, "text": text}),
            LineChange::Added { line, text } => json!({"change": "added", "line": line, "text": text}),
        })
        .collect()
}

fn model(files: &BTreeMap<String, Vec<u8>>) -> Result<model::MissionModel, BackendError> {
    let bytes = files.get(release::manifest::MODEL).map(Vec::as_slice).unwrap_or_default();
    model::MissionModel::from_canonical_json(bytes)
        .map_err(|error| BackendError::Internal(format!("a verified release's model: {error}")))
}

/// The diff from release `a` to release `b` (both verified).
pub fn json(
    a: &Digest,
    b: &Digest,
    files_a: &BTreeMap<String, Vec<u8>>,
    files_b: &BTreeMap<String, Vec<u8>>,
) -> Result<Value, BackendError> {
    let diff = release::diff(files_a, files_b).map_err(|error| BackendError::Internal(error.to_string()))?;
    let (old, new) = (model(files_a)?, model(files_b)?);
    let model_json = crate::cli::json::diff(&old, &new, &diff.model)
        .map_err(|error| BackendError::Internal(format!("{error:#}")))?;
    let model_value: Value =
        serde_json::from_str(&model_json).map_err(|error| BackendError::Internal(error.to_string()))?;
    let procedures: Vec<Value> = diff
        .procedures
        .iter()
        .map(|change| {
            json!({"name": change.name, "kind": format!("{:?}", change.kind).to_lowercase(), "lines": lines(&change.lines)})
        })
        .collect();
    Ok(json!({
        "a": a.to_string(),
        "b": b.to_string(),
        "empty": diff.is_empty(),
        "model": model_value,
        "mission_file": lines(&diff.mission_file),
        "procedures": procedures,
        "text": diff.to_string(),
    }))
}
