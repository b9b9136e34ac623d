//! SCOS-2000 MIB importer (in progress).
use crate::{ImportReport, Imported, SourceFile};
/// Imports MIB tables.
pub fn import(_files: &[SourceFile]) -> Result<Imported, ImportReport> {
    Err(ImportReport::default())
}
