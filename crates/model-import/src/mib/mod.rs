//! SCOS-2000 MIB importer: the ASCII tables of the MIB (tab-separated `.dat` files, one row
//! per line, fields in the order of the SCOS-2000 MIB ICD, EGOS-MCS-S2K-ICD-0001) into the
//! mission model.
//!
//! Every item is named under one root space system called after the MIB's folder (or `MIB`).
//! Rows may be shorter than the ICD layout: missing optional columns take their defaults,
//! missing mandatory ones are errors. Every problem is reported at `table:line:column`, with
//! the column as the 1-based field number; what the model cannot hold is reported as
//! unsupported. `CCF_NPARS`, `CAF_NCURVE`, `TXF_NALIAS`, `PRF_NRANGE` and `OCF_NBOOL` only count rows of
//! other tables: they are checked (a warning when they disagree), not stored.

mod args;
mod calib;
mod fixed;
mod monitoring;
mod packets;
mod table;
mod tc;
mod tm;
mod types;
mod verification;
mod vpd;

#[cfg(test)]
mod tests;

use crate::report::{Diagnostic, ImportReport, Place};
use crate::{Imported, ItemKind, SourceFile, SourceMap};
use model::{MissionModel, QualifiedName, SpaceSystem};
use std::collections::BTreeMap;
use table::{Col, Row, Table};

/// The tables this importer reads.
const IMPORTED: [&str; 23] = [
    "pid", "pic", "tpcf", "pcf", "plf", "vpd", "cur", "caf", "cap", "txf", "txp", "mcf", "lgf", "ocf", "ocp", "ccf",
    "cdf", "cpc", "prf", "prv", "cvs", "cve", "cvp",
];

/// Other tables of the ICD, known but not imported (displays, sequences, TC headers, ...).
const NOT_IMPORTED: [&str; 30] = [
    "vdf", "grp", "grpa", "grpk", "dpf", "dpc", "gpf", "gpc", "spf", "spc", "ppf", "ppc", "tcp", "pcpc", "pcdf", "dst",
    "ptv", "csf", "css", "sdf", "csp", "pst", "psv", "cps", "pvs", "psm", "cca", "ccs", "paf", "pas",
];

/// Imports a SCOS-2000 MIB given as its table files.
pub fn import(files: &[SourceFile]) -> Result<Imported, ImportReport> {
    crate::finish(read(files))
}

/// Reads the MIB table files into a draft: whatever could be built, and every finding so far.
pub fn read(files: &[SourceFile]) -> crate::Draft {
    let mut cx = Ctx::new(root_name(files));
    let tables = Tables::read(&mut cx, files);
    let fallback = match files.first() {
        Some(file) => Place::new(file.file_name(), 1, 1),
        None => {
            let fallback = Place::new("mib", 1, 1);
            cx.report.push(Diagnostic::error(fallback.clone(), "MIB", "no MIB table files were given"));
            let Ctx { model, report, sources, .. } = cx;
            return crate::Draft { model, report, sources, fallback };
        }
    };
    cx.sources.insert(ItemKind::SpaceSystem, cx.root.clone(), fallback.clone());
    let calibrations = calib::read(&mut cx, &tables);
    let params = tm::read(&mut cx, &tables, &calibrations);
    calib::read_context(&mut cx, &tables, &calibrations, &params);
    monitoring::read(&mut cx, &tables, &params);
    let packets = packets::read(&mut cx, &tables, &params);
    let commands = tc::read(&mut cx, &tables);
    verification::read(&mut cx, &tables, &params, &packets, &commands);
    cx.flush_ignored();
    let Ctx { model, report, sources, .. } = cx;
    crate::Draft { model, report, sources, fallback }
}

/// The root space system's name: the database name in `vdf.dat` (VDF_NAME), else `MIB`.
/// Never the folder's name, so a copy of a MIB in another folder is the same model.
fn root_name(files: &[SourceFile]) -> String {
    let vdf_name = files.iter().find(|file| file.file_name() == "vdf.dat").and_then(|file| {
        let text = std::str::from_utf8(&file.bytes).ok()?;
        let name = text.lines().next()?.split('\t').next()?.trim();
        Some(name.to_string())
    });
    vdf_name.filter(|name| table::is_segment(name)).unwrap_or_else(|| "MIB".to_string())
}

/// The state of one import: the model being built, the report and the source map.
struct Ctx {
    pub root: QualifiedName,
    pub model: MissionModel,
    pub report: ImportReport,
    pub sources: SourceMap,
    /// Columns ignored for lack of a place in the model: reported once per column.
    ignored: BTreeMap<(String, u32), Ignored>,
}

struct Ignored {
    place: Place,
    field: &'static str,
    why: &'static str,
    rows: u32,
}

impl Ctx {
    fn new(root_name: String) -> Self {
        let root = QualifiedName::root().join(&root_name);
        let mut model = MissionModel { name: root_name, ..MissionModel::default() };
        let description = Some("Imported from SCOS-2000 MIB ASCII tables".to_string());
        model.space_systems.insert(root.clone(), SpaceSystem { description, ..SpaceSystem::default() });
        Ctx { root, model, report: ImportReport::default(), sources: SourceMap::default(), ignored: BTreeMap::new() }
    }

    /// The qualified name of an item; `local` has been checked to be one name segment.
    pub fn name(&self, local: &str) -> QualifiedName {
        self.root.join(local)
    }

    /// Notes a non-empty field the model has no place for; the report lists each column once
    /// with its first place and the number of rows.
    pub fn ignore(&mut self, row: &Row, col: Col, why: &'static str) {
        if row.text(col).is_none() {
            return;
        }
        let entry = self.ignored.entry((row.table.clone(), col.index)).or_insert_with(|| Ignored {
            place: row.place(col),
            field: col.name,
            why,
            rows: 0,
        });
        entry.rows += 1;
    }

    fn flush_ignored(&mut self) {
        for ignored in std::mem::take(&mut self.ignored).into_values() {
            let rows = if ignored.rows == 1 { "1 row".to_string() } else { format!("{} rows", ignored.rows) };
            let message = format!("{} ({rows}, first here)", ignored.why);
            self.report.push(Diagnostic::unsupported(ignored.place, ignored.field, message));
        }
    }
}

/// The tables of the MIB by name (`pcf.dat`); a table not given is empty.
struct Tables {
    tables: BTreeMap<String, Table>,
}

impl Tables {
    fn read(cx: &mut Ctx, files: &[SourceFile]) -> Tables {
        let mut tables = BTreeMap::new();
        for file in files {
            let file_name = file.file_name();
            let place = Place::new(file_name.clone(), 1, 1);
            let Some(stem) = file_name.strip_suffix(".dat") else {
                let message = "not a MIB table (.dat file); ignored";
                cx.report.push(Diagnostic::warning(place, file_name.clone(), message));
                continue;
            };
            if !IMPORTED.contains(&stem) {
                let message = if NOT_IMPORTED.contains(&stem) {
                    "a SCOS-2000 table this importer does not read (the whole table is ignored)"
                } else {
                    "not a table of the SCOS-2000 MIB ICD (the whole table is ignored)"
                };
                cx.report.push(Diagnostic::unsupported(place, file_name.to_uppercase(), message));
                continue;
            }
            if tables.contains_key(&file_name) {
                let message = format!("table {file_name} is given twice ({})", file.path);
                cx.report.push(Diagnostic::error(place, file_name.to_uppercase(), message));
                continue;
            }
            let table = Table::parse(&file_name, &file.bytes);
            tables.insert(file_name, table);
        }
        Tables { tables }
    }

    /// The rows of a table (`pcf.dat`); none when it was not given.
    pub fn rows(&self, name: &str) -> &[Row] {
        self.tables.get(name).map(|table| table.rows.as_slice()).unwrap_or(&[])
    }
}
