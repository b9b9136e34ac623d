//! Fuzz target: any bytes, split into MIB tables, give a model or a report, never a panic,
//! and every error names a table of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_import::{Severity, SourceFile};

/// The tables the input is dealt into, split at 0xFF bytes.
const TABLES: [&str; 24] = [
    "pid.dat", "pic.dat", "tpcf.dat", "pcf.dat", "plf.dat", "vpd.dat", "cur.dat", "caf.dat",
    "cap.dat", "txf.dat", "txp.dat", "mcf.dat", "lgf.dat", "ocf.dat", "ocp.dat", "ccf.dat",
    "cdf.dat", "cpc.dat", "prf.dat", "prv.dat", "cvs.dat", "cve.dat", "cvp.dat", "xyz.dat",
];

fuzz_target!(|data: &[u8]| {
    let files: Vec<SourceFile> = data
        .split(|&b| b == 0xFF)
        .zip(TABLES)
        .map(|(bytes, name)| SourceFile::new(name, bytes))
        .collect();
    if let Err(report) = model_import::mib::import(&files) {
        assert!(report.has_errors(), "a failed import reports at least one error");
        for diagnostic in report.of(Severity::Error) {
            assert!(files.iter().any(|f| f.path == diagnostic.place.file), "{diagnostic}");
        }
    }
});
