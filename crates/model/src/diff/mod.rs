//! A structural diff of two models: items added, removed and changed per collection, and for
//! a changed item every field that differs, labelled with the aspect it touches (encoding,
//! calibration, limits, entries, arguments, verification, ...).

#[cfg(test)]
mod tests;

use crate::MissionModel;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// What happened to one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One field of a changed item that differs: its path, old and new value (compact JSON).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    /// The aspect of the item the field belongs to (`encoding`, `calibration`, `limits`, ...).
    pub aspect: &'static str,
    /// Where in the item, like `encoding.size_bits` or `entries[3]`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// One item that differs between the two models.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// The collection: `parameters`, `parameter_types`, `containers`, `commands`, ...
    pub collection: &'static str,
    pub name: String,
    pub kind: ChangeKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// Everything that differs from model A to model B.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ModelDiff {
    pub changes: Vec<Change>,
}

/// Longest value printed in a field change; longer ones are cut with `…`.
const VALUE_TEXT_MAX: usize = 160;

impl ModelDiff {
    /// What differs from `old` to `new`.
    pub fn between(old: &MissionModel, new: &MissionModel) -> ModelDiff {
        let mut changes = Vec::new();
        let mut compare =
            |collection: &'static str, old: Value, new: Value| diff_collection(collection, old, new, &mut changes);
        let json = |value: Result<Value, serde_json::Error>| value.unwrap_or(Value::Null);
        macro_rules! collection {
            ($field:ident) => {
                compare(
                    stringify!($field),
                    json(serde_json::to_value(&old.$field)),
                    json(serde_json::to_value(&new.$field)),
                )
            };
        }
        collection!(space_systems);
        collection!(parameter_types);
        collection!(parameters);
        collection!(containers);
        collection!(argument_types);
        collection!(commands);
        collection!(algorithms);
        ModelDiff { changes }
    }

    /// Whether the models are the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many items were added, removed and changed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |kind| self.changes.iter().filter(|c| c.kind == kind).count();
        (count(ChangeKind::Added), count(ChangeKind::Removed), count(ChangeKind::Changed))
    }
}

fn diff_collection(collection: &'static str, old: Value, new: Value, changes: &mut Vec<Change>) {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        return;
    };
    let mut names: BTreeMap<&String, ()> = old.keys().map(|k| (k, ())).collect();
    names.extend(new.keys().map(|k| (k, ())));
    for name in names.keys() {
        let change = |kind, fields| Change { collection, name: name.to_string(), kind, fields };
        match (old.get(*name), new.get(*name)) {
            (Some(_), None) => changes.push(change(ChangeKind::Removed, Vec::new())),
            (None, Some(_)) => changes.push(change(ChangeKind::Added, Vec::new())),
            (Some(a), Some(b)) if a != b => {
                let mut fields = Vec::new();
                diff_value(collection, String::new(), a, b, &mut fields);
                changes.push(change(ChangeKind::Changed, fields));
            }
            _ => {}
        }
    }
}

fn diff_value(collection: &str, path: String, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff_value(collection, sub, x, y, out),
                    (x, y) => out.push(field(collection, sub, x, y)),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (idx, (x, y)) in a.iter().zip(b).enumerate() {
                diff_value(collection, format!("{path}[{idx}]"), x, y, out);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            // Lengths differ: list the elements only one side has, by value.
            for (idx, x) in a.iter().enumerate().filter(|(_, x)| !b.contains(x)) {
                out.push(field(collection, format!("{path}[{idx}]"), Some(x), None));
            }
            for (idx, y) in b.iter().enumerate().filter(|(_, y)| !a.contains(y)) {
                out.push(field(collection, format!("{path}[{idx}]"), None, Some(y)));
            }
        }
        _ => out.push(field(collection, path, Some(old), Some(new))),
    }
}

fn field(collection: &str, path: String, old: Option<&Value>, new: Option<&Value>) -> FieldChange {
    let text = |value: &Value| {
        let text = value.to_string();
        match text.char_indices().nth(VALUE_TEXT_MAX) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    };
    FieldChange { aspect: aspect(collection, &path), old: old.map(text), new: new.map(text), path }
}

/// Names the aspect a field path belongs to, from its first segment.
fn aspect(collection: &str, path: &str) -> &'static str {
    let head = path.split(['.', '[']).next().unwrap_or("");
    match (collection, head) {
        (_, "encoding") => "encoding",
        (_, "calibrator" | "context_calibrators") => "calibration",
        (_, "alarm" | "context_alarms") => "limits",
        (_, "kind" | "type_ref") => "type",
        (_, "unit") => "unit",
        (_, "description" | "aliases") => "description",
        ("containers", "entries" | "size_bits") => "layout",
        ("containers", "base" | "restriction" | "pus" | "abstract") => "identification",
        ("commands", "entries" | "pus") => "encoding",
        ("commands", "arguments" | "base") => "arguments",
        ("commands", "verifiers") => "verification",
        ("commands", "significance") => "significance",
        ("commands", "constraints") => "constraints",
        _ => "other",
    }
}

impl fmt::Display for ModelDiff {
    /// One line per item (`+` added, `-` removed, `~` changed), then one indented line per field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut collection = "";
        for change in &self.changes {
            if change.collection != collection {
                collection = change.collection;
                writeln!(f, "{collection}:")?;
            }
            let mark = match change.kind {
                ChangeKind::Added => '+',
                ChangeKind::Removed => '-',
                ChangeKind::Changed => '~',
            };
            writeln!(f, "  {mark} {}", change.name)?;
            for field in &change.fields {
                let old = field.old.as_deref().unwrap_or("(none)");
                let new = field.new.as_deref().unwrap_or("(none)");
                writeln!(f, "      [{}] {}: {old} → {new}", field.aspect, field.path)?;
            }
        }
        let (added, removed, changed) = self.counts();
        write!(f, "{added} added, {removed} removed, {changed} changed")
    }
}
