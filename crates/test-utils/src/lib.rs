//! Test fixtures shared by the crates' tests: where the real third-party material lives.
//!
//! Only tests use this crate. It must never be a dependency of shipped code.

#![allow(clippy::disallowed_methods)] // tests may read GROUNDPLANE_REAL_DIR

use std::path::PathBuf;

/// The folder of real mission databases and captures (`../shared/real` beside the repo, or
/// `$GROUNDPLANE_REAL_DIR`). Panics loudly when it is missing: a test that needs it must fail,
/// never pass by skipping.
pub fn real_dir() -> PathBuf {
    let dir = match std::env::var_os("GROUNDPLANE_REAL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real"),
    };
    assert!(
        dir.join("SOURCES.md").is_file(),
        "real test material not found at {} (set GROUNDPLANE_REAL_DIR): these tests need it",
        dir.display()
    );
    dir
}

/// A path inside the real material folder; panics when it does not exist.
pub fn real(relative: &str) -> PathBuf {
    let path = real_dir().join(relative);
    assert!(path.exists(), "real test material {} is missing", path.display());
    path
}

/// A fresh, empty directory under the system's temporary folder, named after `label` and
/// unique to this process and call. The caller removes it.
pub fn temp_dir(label: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("groundplane-test-{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    dir
}

pub mod http;
pub mod missions;

/// The files of the Yamcs XTCE PUS example that import: `pus20.xml` is a draft with undefined
/// references, and `landing.xml` needs it.
pub const PUS_EXAMPLE: (&str, [&str; 7]) =
    ("yamcs/examples-pus-mdb", ["dt.xml", "pus.xml", "pus5.xml", "pus11.xml", "pus17.xml", "pus19.xml", "pus23.xml"]);

/// The SpacePy test MIB's tables.
pub const SPACEPY_MIB: (&str, [&str; 9]) = (
    "spacepylibrary/mib-ascii",
    ["ccf.dat", "cdf.dat", "cpc.dat", "pcf.dat", "pic.dat", "pid.dat", "plf.dat", "tpcf.dat", "vpd.dat"],
);

/// Files of a folder of the real material, as (path relative to it, bytes).
pub fn real_files(dir: &str, names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|name| {
            let relative = format!("{dir}/{name}");
            let bytes = std::fs::read(real(&relative)).expect("reading real material");
            (relative, bytes)
        })
        .collect()
}
