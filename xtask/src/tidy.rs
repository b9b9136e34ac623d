//! The tidy checks: no async runtime or I/O in the core, no banned attributes or macros,
//! every crate forbids unsafe code through the workspace lints, every crate root says what
//! it is for, and no source file grows past 500 lines unless listed here with a reason.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// Crates that form the pure core: no I/O, no async runtime, no clock.
const CORE_CRATES: [&str; 15] = [
    "audit",
    "base",
    "ccsds",
    "control",
    "identity",
    "model",
    "model-import",
    "pipeline",
    "policy",
    "procedure",
    "release",
    "sim",
    "tc",
    "tm",
    "vault",
];

/// Longest source file, in lines, unless listed in `LONG_FILES`.
const FILE_LINES_MAX: usize = 500;

/// Files allowed past `FILE_LINES_MAX`, with the reason.
const LONG_FILES: [(&str, &str); 0] = [];

/// Text that must not appear in core sources (I/O and runtimes belong to adapters).
const CORE_BANNED: [&str; 6] = ["std::fs", "std::net", "std::process", "tokio", "SystemTime", "Instant::now"];

/// The workspace root (xtask lives one level below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Every problem found, one line each, with the file it is in.
pub fn run(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    // Built from pieces so this file does not trip its own check.
    let banned_everywhere = [
        format!("#[{}", "ignore"),
        format!("#[{}", "should_panic"),
        format!("{}!(", "todo"),
        format!("{}!(", "unimplemented"),
    ];
    for file in rust_files(root)? {
        let text = std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
        let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        for banned in &banned_everywhere {
            if text.contains(banned.as_str()) {
                problems.push(format!("{shown}: contains `{banned}` (see STYLE.md: Tests)"));
            }
        }
        let lines = text.lines().count();
        if lines > FILE_LINES_MAX && !LONG_FILES.iter().any(|(path, _)| shown == *path) {
            problems.push(format!("{shown}: {lines} lines, more than {FILE_LINES_MAX}: split it by concept"));
        }
        let is_root = shown.ends_with("src/lib.rs") || shown.ends_with("src/main.rs");
        if is_root && !text.starts_with("//!") {
            problems.push(format!("{shown}: a crate root opens with a `//!` comment saying what it is for"));
        }
        let in_core_src = CORE_CRATES.iter().any(|c| shown.starts_with(&format!("crates/{c}/src/")));
        // Tests may read their fixtures; the rule is about what ships.
        let is_test = shown.ends_with("/tests.rs") || shown.contains("/tests/");
        if in_core_src && !is_test {
            for banned in CORE_BANNED {
                if text.contains(banned) {
                    problems.push(format!(
                        "{shown}: core crate uses `{banned}`: I/O, clocks and runtimes belong to adapters"
                    ));
                }
            }
        }
    }
    for manifest in crate_manifests(root)? {
        let text = std::fs::read_to_string(&manifest).with_context(|| format!("{}", manifest.display()))?;
        let shown = manifest.strip_prefix(root).unwrap_or(&manifest).display().to_string();
        if !text.contains("[lints]\nworkspace = true") {
            problems.push(format!("{shown}: needs `[lints] workspace = true` (forbids unsafe code)"));
        }
        if !text.contains("publish.workspace = true") {
            problems.push(format!("{shown}: needs `publish.workspace = true`"));
        }
        let is_core = CORE_CRATES.iter().any(|c| shown == format!("crates/{c}/Cargo.toml"));
        if is_core && text.contains("tokio") {
            problems.push(format!("{shown}: core crate depends on tokio"));
        }
    }
    Ok(problems)
}

fn crate_manifests(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut manifests = vec![root.join("xtask/Cargo.toml")];
    for entry in std::fs::read_dir(root.join("crates")).context("listing crates/")? {
        let manifest = entry?.path().join("Cargo.toml");
        if manifest.is_file() {
            manifests.push(manifest);
        }
    }
    manifests.sort();
    Ok(manifests)
}

fn rust_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![root.join("crates"), root.join("xtask")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() && name != "target" && name != "corpus" && name != "artifacts" {
                pending.push(path);
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        let problems = run(&repo_root()).expect("tidy reads the repository");
        assert!(problems.is_empty(), "tidy problems:\n{}", problems.join("\n"));
    }

    #[test]
    fn tidy_catches_what_it_should() {
        let dir = std::env::temp_dir().join(format!("gp-tidy-{}", std::process::id()));
        let src = dir.join("crates/model/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::create_dir_all(dir.join("xtask")).unwrap();
        std::fs::write(dir.join("xtask/Cargo.toml"), "[lints]\nworkspace = true\npublish.workspace = true\n").unwrap();
        std::fs::write(dir.join("crates/model/Cargo.toml"), "[dependencies]\ntokio = \"1\"\n").unwrap();
        let body = format!("fn f() {{ let _ = std::fs::read(\"x\"); {}!() }}\n", "todo");
        std::fs::write(src.join("lib.rs"), body + &"//\n".repeat(FILE_LINES_MAX)).unwrap();
        let problems = run(&dir).unwrap().join("\n");
        std::fs::remove_dir_all(&dir).unwrap();
        for expected in [
            "contains `",
            "lines, more than 500",
            "opens with a `//!`",
            "uses `std::fs`",
            "needs `[lints]",
            "depends on tokio",
        ] {
            assert!(problems.contains(expected), "missing {expected:?} in:\n{problems}");
        }
    }
}
