//! Source files given to an importer, and where each imported item came from.

use crate::report::Place;
use model::{ItemKind, QualifiedName};
use std::collections::BTreeMap;

/// One input file: its path as the user gave it (used in diagnostics) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl SourceFile {
    /// A file named `path` holding `bytes`.
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        SourceFile { path: path.into(), bytes: bytes.into() }
    }

    /// The file name without its folders, lowercased (`PCF.dat` → `pcf.dat`).
    pub fn file_name(&self) -> String {
        self.path.rsplit(['/', '\\']).next().unwrap_or(&self.path).to_ascii_lowercase()
    }
}

/// Where each item of an imported model was defined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    pub places: BTreeMap<(ItemKind, QualifiedName), Place>,
}

impl SourceMap {
    /// Records where an item was defined.
    pub fn insert(&mut self, kind: ItemKind, name: QualifiedName, place: Place) {
        self.places.insert((kind, name), place);
    }

    /// Where an item was defined, if known.
    pub fn get(&self, kind: ItemKind, name: &QualifiedName) -> Option<&Place> {
        self.places.get(&(kind, name.clone()))
    }
}
