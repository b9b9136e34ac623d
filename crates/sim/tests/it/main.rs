//! The simulator on real models: the XTCE PUS example and the SpacePy MIB. Every packet it
//! emits must decode with `tm` to the container it was built as, within limits; telecommands
//! built with `tc` and the sat-rs capture's are answered with reports `tm::pus` reads.

mod commands;
mod peer;
mod schedule;
mod telemetry;

use model_import::{SourceFile, SourceKind};
use sim::{PusTmLayout, SimConfig};

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

/// The Yamcs PUS example's header: type at byte 7, subtype 8, counter 9–10, destination
/// 11–12, time-type (a CUC P-field) 13, CUC 4+3 from byte 14; failure codes of 32 bits.
pub(crate) fn pus_config() -> SimConfig {
    let mut config = SimConfig::new(100, 7);
    config.pus = PusTmLayout {
        data_field_header_len: 15,
        time_offset: 14,
        time_coarse_len: 4,
        time_fine_len: 3,
        time_p_field: Some(0x2F),
        ..PusTmLayout::pus_c()
    };
    config
}

/// The SpacePy MIB: PID_DFHSIZE 12 (PUS-C with a CUC 4+1 time), no CRC in its packets.
pub(crate) fn mib_config() -> SimConfig {
    let mut config = SimConfig::new(1234, 7);
    config.pus = PusTmLayout { data_field_header_len: 12, time_fine_len: 1, has_crc: false, ..PusTmLayout::pus_c() };
    config
}
