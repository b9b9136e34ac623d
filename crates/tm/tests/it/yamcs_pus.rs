//! The Yamcs PUS example (shared/real/yamcs/examples-pus-mdb, the files of
//! `test_utils::PUS_EXAMPLE`) as imported, with no patch: its `PusTimeType` is Yamcs's Java
//! `TimeBinaryDecoder`, read natively as a CCSDS CUC code whose P-field comes first in the
//! data. `pus-tm` places `pus-time` 64 bits back over `time-type` (the P-field), `obt-coarse`
//! and `obt-fine`, and what follows it (the source data) starts where the P-field says the
//! time ends. Packets are built here by hand, as Yamcs's own PUS simulator writes them
//! (`PusTime`: P-field 0x2F, then 4 coarse and 3 fine octets).

use crate::common::{check_paths_agree, show_lines, Decode};
use expect_test::{expect, Expect};
use model::{Epoch, MissionModel};
use model_import::{SourceFile, SourceKind};
use tm::{PacketTime, Plan, Processor};

fn pus_model() -> MissionModel {
    let (dir, names) = test_utils::PUS_EXAMPLE;
    let files: Vec<SourceFile> =
        test_utils::real_files(dir, &names).into_iter().map(|(path, bytes)| SourceFile::new(path, bytes)).collect();
    model_import::import(SourceKind::Xtce, &files).unwrap_or_else(|report| panic!("{report}")).model
}

/// A PUS-C TM packet of APID 100: service, subtype, message counter 7, destination 0, then
/// `time` (P-field and T-field) and `source`, and a CRC.
fn packet(service: u8, subtype: u8, time: &[u8], source: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x08, 100, 0xC0, 0x05, 0, 0, 0x20, service, subtype, 0x00, 0x07, 0x00, 0x00];
    bytes.extend(time);
    bytes.extend(source);
    bytes.extend([0, 0]);
    let len = (bytes.len() - 7) as u16;
    bytes[4..6].copy_from_slice(&len.to_be_bytes());
    let end = bytes.len() - 2;
    let crc = ccsds::crc16_ccitt_false(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// P-field 0x2F (agency epoch, 4 coarse and 3 fine octets), 86400 s and 0x800001 / 2^24.
const TIME_4_3: [u8; 8] = [0x2F, 0x00, 0x01, 0x51, 0x80, 0x80, 0x00, 0x01];

/// The packet's container and its samples, one a line, or its error.
#[track_caller]
fn check(plan: &Plan, packet: &[u8], expect: Expect) {
    let mut samples = Vec::new();
    let text = match Processor::new(plan).process(packet, &mut samples) {
        Ok(id) => {
            format!("{}\n{}\n", plan.container_name(id).expect("a container"), show_lines(plan, packet, &samples))
        }
        Err(error) => format!("error: {error}\n"),
    };
    expect.assert_eq(&text);
}

#[test]
fn housekeeping_follows_the_time_the_p_field_sizes() {
    let plan = Plan::compile(&pus_model()).expect("plan");
    assert_eq!(plan.unsupported, vec![], "every parameter type decodes");
    let hk = packet(3, 25, &TIME_4_3, &[0x00, 0x00, 0x00, 0x2A]);
    check(
        &plan,
        &hk,
        expect![[r#"
            /PUS/hk25
            apid=100
            seqcount=5
            type=3
            subtype=25
            counter=7
            destination=0
            time-type=47
            obt-coarse=86400
            obt-fine=8388609
            pus-time=t86400.5000000596
            hkid=42
        "#]],
    );
    let mut samples = Vec::new();
    Processor::new(&plan).process(&hk, &mut samples).expect("decodes");
    let seconds = 86_400.0 + f64::from(0x80_0001) / f64::from(1 << 24);
    assert_eq!(plan.generation_time(&samples), Some(PacketTime { epoch: Epoch::Mission, seconds }));
    // P-field 0x2E states 4 coarse and 2 fine octets: the time is a byte shorter and `hkid`
    // starts a byte earlier (at byte 20, the third fine octet 0x01 of these bytes).
    let mut short_time = TIME_4_3;
    short_time[0] = 0x2E;
    check(
        &plan,
        &packet(3, 25, &short_time, &[0x00, 0x00, 0x00, 0x2A]),
        expect![[r#"
            /PUS/hk25
            apid=100
            seqcount=5
            type=3
            subtype=25
            counter=7
            destination=0
            time-type=46
            obt-coarse=86400
            obt-fine=8388609
            pus-time=t86400.5
            hkid=16777216
        "#]],
    );
}

#[test]
fn verification_reports_follow_the_time_too() {
    let plan = Plan::compile(&pus_model()).expect("plan");
    // TM[1,2]: the request's packet id (APID 0x123 at bit 5) and sequence (0x0456 at bit 2 of
    // its word), both placed relative to the end of `pus-time`, then a failure code.
    let request = [0x19, 0x23, 0xC4, 0x56];
    check(
        &plan,
        &packet(1, 2, &TIME_4_3, &[&request[..], &[0x00, 0x00, 0x00, 0x03]].concat()),
        expect![[r#"
            /PUS/pus-tc-ack-acceptance-failure
            apid=100
            seqcount=5
            type=1
            subtype=2
            counter=7
            destination=0
            time-type=47
            obt-coarse=86400
            obt-fine=8388609
            pus-time=t86400.5000000596
            tc-ack-apid=291
            tc-ack-seq=1110
            tc-ack-acceptance-failure-code=3
        "#]],
    );
    // An extended P-field (0xAF 0x7C: 7 coarse and 10 fine octets): 86400 s and a half.
    let extended = [0xAF, 0x7C, 0, 0, 0, 0, 0x01, 0x51, 0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];
    check(
        &plan,
        &packet(1, 2, &extended, &[&request[..], &[0x00, 0x00, 0x00, 0x03]].concat()),
        expect![[r#"
            /PUS/pus-tc-ack-acceptance-failure
            apid=100
            seqcount=5
            type=1
            subtype=2
            counter=7
            destination=0
            time-type=175
            obt-coarse=2080374784
            obt-fine=337
            pus-time=t86400.5
            tc-ack-apid=291
            tc-ack-seq=1110
            tc-ack-acceptance-failure-code=3
        "#]],
    );
}

#[test]
fn a_p_field_asking_for_more_than_the_packet_holds_is_an_error() {
    let plan = Plan::compile(&pus_model()).expect("plan");
    // 0xAF 0x7C asks for 17 octets of T-field after its 2: 32 bytes from byte 13, past the
    // 27-byte packet (whose 4+3 octets `obt-coarse` and `obt-fine` still read).
    check(
        &plan,
        &packet(3, 25, &[0xAF, 0x7C, 0, 0, 0, 1, 0, 0], &[0, 0, 0, 0x2A]),
        expect![[r#"
            error: `/PUS/pus-time` at bit 104: P-field 0xaf 0x7c states 7 coarse and 10 fine octets, which run past the 27-byte packet
        "#]],
    );
    // A third P-field octet is not defined by CCSDS.
    check(
        &plan,
        &packet(3, 25, &[0xAF, 0xFC, 0, 0, 0, 1, 0, 0], &[0, 0, 0, 0x2A]),
        expect![[r#"
            error: `/PUS/pus-time` at bit 104: P-field 0xaf 0xfc: a third P-field octet is not defined
        "#]],
    );
}

#[test]
fn every_truncation_and_flip_agrees_and_never_panics() {
    let plan = Plan::compile(&pus_model()).expect("plan");
    let packets = [
        packet(3, 25, &TIME_4_3, &[0x00, 0x00, 0x00, 0x2A]),
        packet(1, 2, &TIME_4_3, &[0x19, 0x23, 0xC4, 0x56, 0x00, 0x00, 0x00, 0x03]),
        packet(17, 2, &TIME_4_3, &[]),
    ];
    let packets: Vec<&[u8]> = packets.iter().map(Vec::as_slice).collect();
    check_paths_agree(&plan, &packets, Decode::Identify);
}
