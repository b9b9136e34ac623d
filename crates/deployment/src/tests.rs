//! Shared helpers of the deployment crate's tests (real captures from `shared/real`).

use model_import::SourceFile;
use test_utils::real;

pub const JPSS_MODEL: &str = "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml";
pub const JPSS_DATA: &str = "lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1";

/// The JPSS-1 model.
pub fn jpss_model() -> model::MissionModel {
    let files = vec![SourceFile::new(JPSS_MODEL, std::fs::read(real(JPSS_MODEL)).unwrap())];
    model_import::import(model_import::SourceKind::Xtce, &files).expect("the JPSS model imports").model
}

/// The JPSS-1 decoding plan.
pub fn jpss_plan() -> tm::Plan {
    tm::Plan::compile(&jpss_model()).unwrap()
}

/// The 7,200 JPSS-1 packets of the real capture.
pub fn jpss_packets() -> Vec<Vec<u8>> {
    let bytes = std::fs::read(real(JPSS_DATA)).unwrap();
    let packets: Vec<Vec<u8>> = ccsds::whole_packets(&bytes).into_iter().map(<[u8]>::to_vec).collect();
    assert_eq!(packets.len(), 7200);
    packets
}

/// The standard workload's model (XTCE in the groundplane crate's bench data).
pub fn workload_model() -> model::MissionModel {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../groundplane/bench_data/hk_workload.xml");
    let files = vec![SourceFile::new("hk_workload.xml", std::fs::read(path).unwrap())];
    model_import::import(model_import::SourceKind::Xtce, &files).expect("the workload model imports").model
}

/// One workload packet (WORKLOAD.md layout) with every value 0 but `U8_00`.
pub fn workload_packet(seq: u16, u8_00: u8) -> Vec<u8> {
    let mut packet = vec![0u8; 148];
    packet[..6].copy_from_slice(&[0x08, 0x64, 0xC0 | (seq >> 8) as u8 & 0x3F, seq as u8, 0, 141]);
    packet[6..9].copy_from_slice(&[0x20, 3, 25]);
    packet[16] = u8_00;
    let crc = ccsds::crc16_ccitt_false(&packet[..146]);
    packet[146..].copy_from_slice(&crc.to_be_bytes());
    packet
}

mod alarms;
mod tls;
mod uplink_tls;
