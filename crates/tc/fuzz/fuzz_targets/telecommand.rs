//! Fuzz target: any bytes as a received telecommand — a PUS-C TC packet, a TC transfer frame
//! (with and without FECF), and a TC the simulator must answer — never panic; a TC that
//! parses re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(view) = tc::pus::parse_pus_tc(data) {
        let again = tc::pus::pus_tc(
            view.apid,
            view.sequence_count,
            view.service,
            view.subtype,
            view.source_id,
            view.ack_flags,
            &view.app_data,
        );
        // Only unsegmented TCs are built; others parse but re-encode with flags 3.
        if view.sequence_flags == 3 {
            assert_eq!(again.as_deref().ok(), Some(data), "a parsed TC re-encodes identically");
        }
    }
    let _ = tc::frame::parse_tc_frame(data, true);
    let _ = tc::frame::parse_tc_frame(data, false);
    let model = model::MissionModel::default();
    if let Ok(mut simulator) = sim::Simulator::new(&model, sim::SimConfig::new(100, 1)) {
        let _ = simulator.telecommand(data, 0);
    }
});
