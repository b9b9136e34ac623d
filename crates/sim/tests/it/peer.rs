//! The telecommands Python `spacepackets` built (crates/tc/test_data/pus_tc_peer.txt, made and
//! checked by scripts/peers/tc_compare.py) fed to the simulator of the Yamcs PUS example: each
//! is read and answered with reports about its own request id.

use crate::commands::{describe, simulator};
use expect_test::expect;
use tm::pus::{report, PusReport, VerificationStage};

/// (the fixture's fields apid seq service subtype source_id ack_flags, packet) per line.
fn peer_tcs() -> Vec<([u16; 6], Vec<u8>)> {
    let text = include_str!("../../../tc/test_data/pus_tc_peer.txt");
    let lines = text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty());
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 8, "a fixture line has 8 fields: {line}");
            let number = |idx: usize| fields[idx].parse::<u16>().expect("a number");
            let packet = fields[7];
            let bytes = (0..packet.len())
                .step_by(2)
                .map(|idx| u8::from_str_radix(&packet[idx..idx + 2], 16).expect("hex"))
                .collect();
            ([number(0), number(1), number(2), number(3), number(4), number(5)], bytes)
        })
        .collect()
}

#[test]
fn peer_telecommands_are_answered_about_their_own_request() {
    let tcs = peer_tcs();
    assert_eq!(tcs.len(), 8);
    let mut sim = simulator("");
    let layout = sim.pus_layout();
    let mut lines = String::new();
    for ([apid, sequence_count, service, subtype, _, ack_flags], packet) in &tcs {
        let view = tc::pus::parse_pus_tc(packet).expect("the peer's TC parses");
        assert_eq!(
            (view.apid, view.sequence_count, u16::from(view.service), u16::from(view.subtype)),
            (*apid, *sequence_count, *service, *subtype)
        );
        let answers = sim.telecommand(packet, 1000);
        let verifications: Vec<_> = answers
            .iter()
            .filter_map(|answer| match report(answer, &layout).expect("a report tm::pus reads") {
                Some(PusReport::Verification(verification)) => Some(verification),
                _ => None,
            })
            .collect();
        for verification in &verifications {
            assert_eq!(verification.request.packet_id.to_be_bytes(), [packet[0], packet[1]]);
            assert_eq!(verification.request.sequence_control.to_be_bytes(), [packet[2], packet[3]]);
        }
        let acceptance = verifications.iter().find(|v| v.stage == VerificationStage::Acceptance);
        if (*service, *subtype) == (17, 1) {
            // Ping: accepted when asked, and answered by TM[17,2].
            assert_eq!(acceptance.map(|a| a.success), (ack_flags & 0b1000 != 0).then_some(true));
            assert!(answers.iter().any(|answer| (answer[7], answer[8]) == (17, 2)), "TM[17,2] for {packet:02x?}");
        } else {
            // The Yamcs example defines none of the others (and the peer's TC[11,4] holds no
            // activity layout): one acceptance failure, whatever the ack flags, with its code.
            let failure = acceptance.expect("an acceptance failure");
            assert!(!failure.success);
            let expected =
                if (*service, *subtype) == (11, 4) { sim::FAILURE_INVALID_DATA } else { sim::FAILURE_UNKNOWN_COMMAND };
            assert_eq!(failure.failure_code, Some(expected));
            assert_eq!(answers.len(), 1);
        }
        lines += &format!("TC[{service},{subtype}] ack {ack_flags:04b}:\n{}", describe(&sim, &answers));
    }
    expect![[r#"
        TC[17,1] ack 1111:
        TM[1,1] Acceptance success=true request=1802/c001 code=None
        TM[1,3] Start success=true request=1802/c001 code=None
        TM[17,2] Ok(None)
        TM[1,7] Completion success=true request=1802/c001 code=None
        TC[17,128] ack 1111:
        TM[1,2] Acceptance success=false request=1802/c002 code=Some(2)
        TC[3,27] ack 1111:
        TM[1,2] Acceptance success=false request=1803/c003 code=Some(2)
        TC[99,1] ack 1111:
        TM[1,2] Acceptance success=false request=1802/c004 code=Some(2)
        TC[255,255] ack 0000:
        TM[1,2] Acceptance success=false request=1fff/ffff code=Some(2)
        TC[0,0] ack 1001:
        TM[1,2] Acceptance success=false request=1800/c000 code=Some(2)
        TC[11,4] ack 0001:
        TM[1,2] Acceptance success=false request=1801/c02a code=Some(3)
        TC[3,20] ack 1001:
        TM[1,2] Acceptance success=false request=1cd3/c007 code=Some(2)
    "#]]
    .assert_eq(&lines);
}
