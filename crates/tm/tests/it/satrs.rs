//! The sat-rs example capture (shared/real/satrs-example-capture/tm_received.bin) decoded with
//! test_data/satrs/pus_c.xml, against the capture's listing.txt (decoded by another program)
//! and a CRC computed here.

use crate::common::{check_paths_agree, import_xtce, show, test_data, value, Decode};
use crate::packets;
use expect_test::expect;
use test_utils::real;
use tm::{Plan, Processor, RawValue, Sample};

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), as PUS packets carry it.
fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0xFFFF, |crc, byte| {
        (0..8).fold(
            crc ^ (u16::from(*byte) << 8),
            |crc, _| {
                if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                }
            },
        )
    })
}

/// The TM lines of listing.txt: `TM[s,t] apid=.. seq=.. len=.. time(..)=hex src=hex`, then the
/// packet in hex on the next line.
struct Line {
    service_subtype: String,
    apid: u64,
    seq: u64,
    len: usize,
    time: String,
    src: String,
    hex: String,
}

fn listing() -> Vec<Line> {
    let text = std::fs::read_to_string(real("satrs-example-capture/listing.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let field = |line: &str, key: &str| -> String {
        let start = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
        line[start..].split_whitespace().next().unwrap_or("").to_string()
    };
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("TM["))
        .map(|(idx, line)| Line {
            service_subtype: line.split_whitespace().next().unwrap().to_string(),
            apid: field(line, "apid=").parse().unwrap(),
            seq: field(line, "seq=").parse().unwrap(),
            len: field(line, "len=").parse().unwrap(),
            time: field(line, "P-field)="),
            src: field(line, "src="),
            hex: lines[idx + 1].trim().to_string(),
        })
        .collect()
}

fn plan() -> Plan {
    let model = import_xtce(&[("satrs/pus_c.xml", test_data("satrs/pus_c.xml"))]);
    Plan::compile(&model).expect("pus_c.xml compiles")
}

fn unsigned(plan: &Plan, packet: &[u8], samples: &[Sample], name: &str) -> u64 {
    match value(plan, packet, samples, name) {
        Some((RawValue::Unsigned(v), _)) => v,
        other => panic!("{name}: {other:?}"),
    }
}

/// The source data as listing.txt shows it, rebuilt from the decoded fields.
fn source_data(plan: &Plan, packet: &[u8], samples: &[Sample]) -> String {
    let u = |name: &str| unsigned(plan, packet, samples, name);
    let has = |name: &str| value(plan, packet, samples, name).is_some();
    let mut hex = String::new();
    if has("tc_packet_id") {
        hex += &format!("{:04x}{:04x}", u("tc_packet_id"), u("tc_sequence_control"));
    }
    if has("failure_code") {
        hex += &format!("{:04x}{:02x}", u("failure_code"), u("failure_data"));
    }
    if has("event_id") {
        hex += &format!("{:08x}", u("event_id"));
    }
    if has("target_id") {
        let float = |name: &str| match value(plan, packet, samples, name) {
            Some((RawValue::Float(v), _)) => (v as f32).to_bits(),
            other => panic!("{name}: {other:?}"),
        };
        hex += &format!("{:08x}{:08x}", u("target_id"), u("set_id"));
        hex += &format!("{:08x}{:08x}{:08x}{:02x}", float("mgm_x"), float("mgm_y"), float("mgm_z"), u("mgm_valid"));
    }
    hex
}

#[test]
fn every_packet_matches_the_listing() {
    let bytes = std::fs::read(real("satrs-example-capture/tm_received.bin")).unwrap();
    let packets = packets(&bytes);
    let listing = listing();
    // README.md says 17 packets; the file and listing.txt hold 14 (380 bytes).
    assert_eq!((packets.len(), listing.len()), (14, 14));
    let plan = plan();
    let mut processor = Processor::new(&plan);
    let mut lines = Vec::new();
    for (idx, (packet, line)) in packets.iter().zip(&listing).enumerate() {
        let hex: String = packet.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, line.hex, "packet {idx}");
        let mut samples = Vec::new();
        let id = processor.process(packet, &mut samples).unwrap_or_else(|e| panic!("packet {idx}: {e}"));
        assert!(plan.is_fast(id), "static layouts take the fast path");
        let u = |name: &str| unsigned(&plan, packet, &samples, name);
        let container = plan.container_name(id).unwrap().local().to_string();
        assert_eq!(format!("TM[{},{}]", u("service"), u("subtype")), line.service_subtype, "packet {idx}");
        assert_eq!(container.replace('_', ",").replacen(",", "[", 1) + "]", line.service_subtype, "packet {idx}");
        assert_eq!((u("apid"), u("seq_count")), (line.apid, line.seq), "packet {idx}");
        assert_eq!((u("packet_length") + 7) as usize, line.len, "packet {idx}");
        assert_eq!(format!("{:02x}{:04x}{:08x}", u("time_pfield"), u("time_days"), u("time_ms")), line.time);
        assert_eq!((u("version"), u("type"), u("sec_hdr_flag"), u("pus_version")), (0, 0, 1, 2), "packet {idx}");
        assert_eq!(source_data(&plan, packet, &samples), line.src, "packet {idx}");
        assert_eq!(u("crc"), u64::from(crc16(&packet[..packet.len() - 2])), "packet {idx}");
        let data: Vec<Sample> = samples.into_iter().filter(|s| s.bit_offset >= 6 * 8).collect();
        lines.push(format!("{container}: {}", show(&plan, packet, &data)));
    }
    expect![[r#"
        TM_1_1: pus_version=2 time_ref_status=0 service=1 subtype=1 msg_counter=0 destination_id=0 time_pfield=64 time_days=25164 time_ms=21862191 tc_packet_id=6146 tc_sequence_control=49153 crc=15171
        TM_1_3: pus_version=2 time_ref_status=0 service=1 subtype=3 msg_counter=1 destination_id=0 time_pfield=64 time_days=25164 time_ms=21862195 tc_packet_id=6146 tc_sequence_control=49153 crc=23244
        TM_17_2: pus_version=2 time_ref_status=0 service=17 subtype=2 msg_counter=0 destination_id=0 time_pfield=64 time_days=25164 time_ms=21862195 crc=28809
        TM_1_7: pus_version=2 time_ref_status=0 service=1 subtype=7 msg_counter=2 destination_id=0 time_pfield=64 time_days=25164 time_ms=21862195 tc_packet_id=6146 tc_sequence_control=49153 crc=60528
        TM_1_1: pus_version=2 time_ref_status=0 service=1 subtype=1 msg_counter=3 destination_id=0 time_pfield=64 time_days=25164 time_ms=21864001 tc_packet_id=6146 tc_sequence_control=49154 crc=32686
        TM_1_3: pus_version=2 time_ref_status=0 service=1 subtype=3 msg_counter=4 destination_id=0 time_pfield=64 time_days=25164 time_ms=21864199 tc_packet_id=6146 tc_sequence_control=49154 crc=890
        TM_1_7: pus_version=2 time_ref_status=0 service=1 subtype=7 msg_counter=5 destination_id=0 time_pfield=64 time_days=25164 time_ms=21864199 tc_packet_id=6146 tc_sequence_control=49154 crc=38642
        TM_5_1: pus_version=2 time_ref_status=0 service=5 subtype=1 msg_counter=0 destination_id=0 time_pfield=64 time_days=25164 time_ms=21864400 event_id=0 crc=53463
        TM_1_1: pus_version=2 time_ref_status=0 service=1 subtype=1 msg_counter=6 destination_id=0 time_pfield=64 time_days=25164 time_ms=21866002 tc_packet_id=6147 tc_sequence_control=49155 crc=44952
        TM_1_3: pus_version=2 time_ref_status=0 service=1 subtype=3 msg_counter=7 destination_id=0 time_pfield=64 time_days=25164 time_ms=21866201 tc_packet_id=6147 tc_sequence_control=49155 crc=40481
        TM_3_25: pus_version=2 time_ref_status=0 service=3 subtype=25 msg_counter=0 destination_id=0 time_pfield=64 time_days=25164 time_ms=21866283 target_id=3 set_id=0 mgm_x=0 mgm_y=0 mgm_z=0 mgm_valid=0 crc=10459
        TM_1_7: pus_version=2 time_ref_status=0 service=1 subtype=7 msg_counter=8 destination_id=0 time_pfield=64 time_days=25164 time_ms=21866402 tc_packet_id=6147 tc_sequence_control=49155 crc=24444
        TM_1_1: pus_version=2 time_ref_status=0 service=1 subtype=1 msg_counter=9 destination_id=0 time_pfield=64 time_days=25164 time_ms=21868004 tc_packet_id=6146 tc_sequence_control=49156 crc=11368
        TM_1_4: pus_version=2 time_ref_status=0 service=1 subtype=4 msg_counter=10 destination_id=0 time_pfield=64 time_days=25164 time_ms=21868004 tc_packet_id=6146 tc_sequence_control=49156 failure_code=1 failure_data=99 crc=63078"#]].assert_eq(&lines.join("\n"));
    check_paths_agree(&plan, &packets, Decode::Identify);
}
