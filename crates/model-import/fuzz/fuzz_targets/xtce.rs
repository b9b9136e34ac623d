//! Fuzz target: any bytes given to the XTCE importer give a model or a report, never a panic,
//! and every error names a place in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_import::{Severity, SourceFile};

fuzz_target!(|data: &[u8]| {
    let files = [SourceFile::new("fuzz.xml", data)];
    if let Err(report) = model_import::xtce::import(&files) {
        assert!(report.has_errors(), "a failed import reports at least one error");
        for diagnostic in report.of(Severity::Error) {
            assert_eq!(diagnostic.place.file, "fuzz.xml");
        }
    }
});
