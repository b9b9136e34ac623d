//! Telecommands on real material: the XTCE PUS example and the SpacePy MIB checked and
//! encoded, the sat-rs capture's TCs parsed and re-encoded, and the Python `spacepackets` peer.

mod peer;
mod real_models;

use model_import::{SourceFile, SourceKind};

/// Loads files of a folder of the real material.
pub(crate) fn load(dir: &str, names: &[&str]) -> Vec<SourceFile> {
    names
        .iter()
        .map(|name| {
            let relative = format!("{dir}/{name}");
            let bytes = std::fs::read(test_utils::real(&relative)).expect("reading real material");
            SourceFile::new(relative, bytes)
        })
        .collect()
}

/// The XTCE PUS example. pus20.xml is a draft with undefined references and does not import,
/// and landing.xml belongs to the simulator: both are left out.
pub(crate) fn pus_model() -> model::MissionModel {
    let names = ["dt.xml", "pus.xml", "pus5.xml", "pus11.xml", "pus17.xml", "pus19.xml", "pus23.xml"];
    let files = load("yamcs/examples-pus-mdb", &names);
    model_import::import(SourceKind::Xtce, &files).unwrap_or_else(|report| panic!("{report}")).model
}

/// The SpacePy test MIB.
pub(crate) fn mib_model() -> model::MissionModel {
    let names = ["ccf.dat", "cdf.dat", "cpc.dat", "pcf.dat", "pic.dat", "pid.dat", "plf.dat", "tpcf.dat", "vpd.dat"];
    let files = load("spacepylibrary/mib-ascii", &names);
    model_import::import(SourceKind::Mib, &files).unwrap_or_else(|report| panic!("{report}")).model
}

pub(crate) use base::hex;

pub(crate) fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|idx| u8::from_str_radix(&text[idx..idx + 2], 16).expect("hex")).collect()
}
