//! XTCE importer (in progress).
use crate::{ImportReport, Imported, SourceFile};
/// Imports XTCE files.
pub fn import(_files: &[SourceFile]) -> Result<Imported, ImportReport> {
    Err(ImportReport::default())
}
