//! The repository's mission files (`missions/<name>/`) copied for a test: the model pointed at
//! the real material, the procedures beside it; and a SpacePy MIB with a limit to change.

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of `missions/<name>/` in `dir` whose mission file names `model` (an absolute path);
/// answers the copied mission file.
pub fn mission_copy(dir: &Path, name: &str, model: &Path) -> PathBuf {
    let source = repo().join("missions").join(name);
    let text = std::fs::read_to_string(source.join("mission.toml")).expect("the repository's mission file");
    let model_line = text.lines().find(|line| line.starts_with("model = ")).expect("a model line");
    let text = text.replace(model_line, &format!("model = {:?}", model.display().to_string()));
    let at = dir.join(name);
    std::fs::create_dir_all(at.join("procedures")).expect("creating the copy");
    std::fs::write(at.join("mission.toml"), text).expect("writing the mission file");
    if source.join("policies.cedar").is_file() {
        std::fs::copy(source.join("policies.cedar"), at.join("policies.cedar")).expect("copying the policies");
    }
    for entry in std::fs::read_dir(source.join("procedures")).expect("the mission's procedures") {
        let path = entry.expect("listing the procedures").path();
        std::fs::copy(&path, at.join("procedures").join(path.file_name().expect("a file"))).expect("copying");
    }
    at.join("mission.toml")
}

/// The SpacePy MIB copied into `dir` with a soft limit 0..=`high` on PAR9 (an unsigned
/// 32-bit parameter): `ocf.dat` and `ocp.dat` added.
pub fn mib_with_limit(dir: &Path, high: u32) -> PathBuf {
    let mib = dir.join(format!("mib-{high}"));
    std::fs::create_dir_all(&mib).expect("creating the MIB copy");
    for entry in std::fs::read_dir(crate::real(crate::SPACEPY_MIB.0)).expect("the real MIB") {
        let path = entry.expect("listing the MIB").path();
        std::fs::copy(&path, mib.join(path.file_name().expect("a file"))).expect("copying the MIB");
    }
    std::fs::write(mib.join("ocf.dat"), "PAR9\t1\t0\tU\tR\n").expect("writing ocf.dat");
    std::fs::write(mib.join("ocp.dat"), format!("PAR9\t1\tS\t0\t{high}\n")).expect("writing ocp.dat");
    mib
}
