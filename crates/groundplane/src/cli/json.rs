//! JSON output of the model commands (`--json`): a stable shape for scripts and CI.

use super::Loaded;
use model::{MissionModel, ModelDiff, QualifiedName};
use model_import::{Diagnostic, ImportReport, Imported, ItemKind, Severity};
use serde_json::{json, Value};

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Unsupported => "unsupported",
        Severity::Warning => "warning",
    }
}

fn diagnostic(diagnostic: &Diagnostic) -> Value {
    json!({
        "severity": severity(diagnostic.severity),
        "file": diagnostic.place.file,
        "line": diagnostic.place.line,
        "column": diagnostic.place.column,
        "element": diagnostic.element,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    })
}

/// `model check --json`.
pub fn check(loaded: &Loaded, model: Option<&MissionModel>, report: &ImportReport) -> anyhow::Result<String> {
    let value = json!({
        "kind": super::kind_name(loaded.kind),
        "files": loaded.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        "ok": model.is_some(),
        "name": model.map(|m| m.name.clone()),
        "digest": model.map(|m| m.digest().map(|d| d.to_string())).transpose()?,
        "summary": model.map(|m| m.summary()),
        "diagnostics": report.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
    });
    Ok(format!("{}\n", serde_json::to_string_pretty(&value)?))
}

/// One item as the model holds it, with where it was defined, as pretty JSON.
pub fn item(imported: &Imported, kind: ItemKind, name: &QualifiedName) -> anyhow::Result<String> {
    let model = &imported.model;
    let value = match kind {
        ItemKind::SpaceSystem => serde_json::to_value(&model.space_systems[name])?,
        ItemKind::ParameterType => serde_json::to_value(&model.parameter_types[name])?,
        ItemKind::Parameter => {
            let parameter = &model.parameters[name];
            let mut value = serde_json::to_value(parameter)?;
            if let (Value::Object(map), Some(data_type)) = (&mut value, model.parameter_types.get(&parameter.type_ref))
            {
                map.insert("type".into(), serde_json::to_value(data_type)?);
            }
            value
        }
        ItemKind::Container => serde_json::to_value(&model.containers[name])?,
        ItemKind::ArgumentType => serde_json::to_value(&model.argument_types[name])?,
        ItemKind::Command => serde_json::to_value(&model.commands[name])?,
        ItemKind::Algorithm => serde_json::to_value(&model.algorithms[name])?,
    };
    let place = imported.sources.get(kind, name).map(|place| format!(" (defined at {place})")).unwrap_or_default();
    Ok(format!("{kind} {name}{place}\n{}\n", serde_json::to_string_pretty(&value)?))
}

/// `model diff --json`.
pub fn diff(old: &MissionModel, new: &MissionModel, diff: &ModelDiff) -> anyhow::Result<String> {
    let (added, removed, changed) = diff.counts();
    let value = json!({
        "old": old.digest()?.to_string(),
        "new": new.digest()?.to_string(),
        "added": added,
        "removed": removed,
        "changed": changed,
        "changes": diff.changes,
    });
    Ok(format!("{}\n", serde_json::to_string_pretty(&value)?))
}
