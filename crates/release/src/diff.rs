//! What differs between two releases: the model (through `model::ModelDiff`), the mission
//! file (a line diff), and the procedures (added, removed, changed with their line diff).

use crate::manifest::{MISSION_FILE, MODEL, PROCEDURES_DIR};
use model::{ChangeKind, MissionModel, ModelDiff};
use std::collections::BTreeMap;
use std::fmt;

/// Largest product of the two sides' line counts diffed line by line (after the common head
/// and tail are set aside); beyond it every differing line is listed as removed then added.
const LINE_DIFF_CELLS_MAX: usize = 4_000_000;

/// Everything that differs from release A to release B.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReleaseDiff {
    pub model: ModelDiff,
    pub mission_file: Vec<LineChange>,
    pub procedures: Vec<ProcedureChange>,
}

/// A line only one side has: its 1-based line number on that side, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineChange {
    Removed { line: usize, text: String },
    Added { line: usize, text: String },
}

/// A procedure file that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureChange {
    /// The file name, like `ping.toml`.
    pub name: String,
    pub kind: ChangeKind,
    /// For a changed file, its line diff.
    pub lines: Vec<LineChange>,
}

/// Why two releases cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("release {side}: {path}: missing")]
    Missing { side: char, path: String },
    #[error("release {side}: model.json: {reason}")]
    Model { side: char, reason: String },
}

impl ReleaseDiff {
    /// Whether the two releases hold the same content.
    pub fn is_empty(&self) -> bool {
        self.model.is_empty() && self.mission_file.is_empty() && self.procedures.is_empty()
    }
}

/// Compares two releases' folders (path → bytes).
pub fn diff(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Result<ReleaseDiff, DiffError> {
    let model = |side: char, files: &BTreeMap<String, Vec<u8>>| {
        let bytes = files.get(MODEL).ok_or(DiffError::Missing { side, path: MODEL.to_string() })?;
        MissionModel::from_canonical_json(bytes).map_err(|error| DiffError::Model { side, reason: error.to_string() })
    };
    let mission = |side: char, files: &BTreeMap<String, Vec<u8>>| {
        let bytes = files.get(MISSION_FILE).ok_or(DiffError::Missing { side, path: MISSION_FILE.to_string() })?;
        Ok::<_, DiffError>(String::from_utf8_lossy(bytes).into_owned())
    };
    let model = ModelDiff::between(&model('A', a)?, &model('B', b)?);
    let mission_file = lines(&mission('A', a)?, &mission('B', b)?);
    Ok(ReleaseDiff { model, mission_file, procedures: procedures(a, b) })
}

fn procedures(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<ProcedureChange> {
    let of = |files: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, String> {
        files
            .iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix(PROCEDURES_DIR)?;
                Some((name.to_string(), String::from_utf8_lossy(bytes).into_owned()))
            })
            .collect()
    };
    let (old, new) = (of(a), of(b));
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    let mut changes = Vec::new();
    for name in names {
        let change = |kind, lines| ProcedureChange { name: name.clone(), kind, lines };
        match (old.get(name), new.get(name)) {
            (Some(_), None) => changes.push(change(ChangeKind::Removed, Vec::new())),
            (None, Some(_)) => changes.push(change(ChangeKind::Added, Vec::new())),
            (Some(x), Some(y)) if x != y => changes.push(change(ChangeKind::Changed, lines(x, y))),
            _ => {}
        }
    }
    changes
}

/// The lines only one side has, in order (a longest-common-subsequence diff).
pub fn lines(old: &str, new: &str) -> Vec<LineChange> {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let head = old.iter().zip(&new).take_while(|(x, y)| x == y).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let removed = |idx: usize| LineChange::Removed { line: head + idx + 1, text: a[idx].to_string() };
    let added = |idx: usize| LineChange::Added { line: head + idx + 1, text: b[idx].to_string() };
    if a.len().saturating_mul(b.len()) > LINE_DIFF_CELLS_MAX {
        return (0..a.len()).map(removed).chain((0..b.len()).map(added)).collect();
    }
    // common[i][j]: the longest common subsequence of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut common = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i * width + j] = if a[i] == b[j] {
                common[(i + 1) * width + j + 1] + 1
            } else {
                common[(i + 1) * width + j].max(common[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if j == b.len() || (i < a.len() && common[(i + 1) * width + j] >= common[i * width + j + 1]) {
            out.push(removed(i));
            i += 1;
        } else {
            out.push(added(j));
            j += 1;
        }
    }
    out
}

impl fmt::Display for LineChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineChange::Removed { line, text } => write!(f, "-{line}: {text}"),
            LineChange::Added { line, text } => write!(f, "+{line}: {text}"),
        }
    }
}

impl fmt::Display for ReleaseDiff {
    /// Three sections (model, mission file, procedures), each `(no change)` when equal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "model:")?;
        if self.model.is_empty() {
            writeln!(f, "  (no change)")?;
        } else {
            for line in self.model.to_string().lines() {
                writeln!(f, "  {line}")?;
            }
        }
        writeln!(f, "mission file:")?;
        if self.mission_file.is_empty() {
            writeln!(f, "  (no change)")?;
        }
        for change in &self.mission_file {
            writeln!(f, "  {change}")?;
        }
        writeln!(f, "procedures:")?;
        if self.procedures.is_empty() {
            writeln!(f, "  (no change)")?;
        }
        for procedure in &self.procedures {
            let mark = match procedure.kind {
                ChangeKind::Added => '+',
                ChangeKind::Removed => '-',
                ChangeKind::Changed => '~',
            };
            writeln!(f, "  {mark} {}", procedure.name)?;
            for change in &procedure.lines {
                writeln!(f, "      {change}")?;
            }
        }
        Ok(())
    }
}
