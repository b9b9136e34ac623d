//! Telecommands on real material: the XTCE PUS example and the SpacePy MIB checked and
//! encoded, the sat-rs capture's TCs parsed and re-encoded, and the Python `spacepackets` peer.

mod peer;
mod real_models;

use model_import::{SourceFile, SourceKind};

/// Loads files of a folder of the real material.
pub(crate) fn load(dir: &str, names: &[&str]) -> Vec<SourceFile> {
    test_utils::real_files(dir, names).into_iter().map(|(path, bytes)| SourceFile::new(path, bytes)).collect()
}

/// The XTCE PUS example (the files that import: see `test_utils::PUS_EXAMPLE`).
pub(crate) fn pus_model() -> model::MissionModel {
    let (dir, names) = test_utils::PUS_EXAMPLE;
    model_import::import(SourceKind::Xtce, &load(dir, &names)).unwrap_or_else(|report| panic!("{report}")).model
}

/// The SpacePy test MIB.
pub(crate) fn mib_model() -> model::MissionModel {
    let (dir, names) = test_utils::SPACEPY_MIB;
    model_import::import(SourceKind::Mib, &load(dir, &names)).unwrap_or_else(|report| panic!("{report}")).model
}

pub(crate) use base::hex;

pub(crate) fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|idx| u8::from_str_radix(&text[idx..idx + 2], 16).expect("hex")).collect()
}
