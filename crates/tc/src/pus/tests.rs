use super::*;
use expect_test::expect;

#[test]
fn builds_and_reads_back() {
    let packet = pus_tc(2, 1, 17, 1, 0, 0xF, &[]).expect("valid");
    assert_eq!(packet, [0x18, 0x02, 0xc0, 0x01, 0x00, 0x06, 0x2f, 0x11, 0x01, 0x00, 0x00, 0xe0, 0x01]);
    let packet = pus_tc(0x7FF, 0x3FFF, 8, 1, 0xBEEF, 0x9, &[1, 2, 3]).expect("valid");
    expect![[r#"
        Ok(
            PusTcView {
                apid: 2047,
                sequence_flags: 3,
                sequence_count: 16383,
                ack_flags: 9,
                service: 8,
                subtype: 1,
                source_id: 48879,
                app_data: [
                    1,
                    2,
                    3,
                ],
                crc: 33764,
            },
        )
    "#]]
    .assert_debug_eq(&parse_pus_tc(&packet));
}

#[test]
fn refuses_bad_fields() {
    assert_eq!(pus_tc(0x800, 0, 1, 1, 0, 0, &[]), Err(PusTcError::Apid(0x800)));
    assert_eq!(pus_tc(1, 0x4000, 1, 1, 0, 0, &[]), Err(PusTcError::SequenceCount(0x4000)));
    assert_eq!(pus_tc(1, 0, 1, 1, 0, 0x10, &[]), Err(PusTcError::AckFlags(0x10)));
    let long = vec![0; APP_DATA_LEN_MAX + 1];
    assert_eq!(pus_tc(1, 0, 1, 1, 0, 0, &long), Err(PusTcError::AppDataTooLong(APP_DATA_LEN_MAX + 1)));
    assert!(pus_tc(1, 0, 1, 1, 0, 0, &long[1..]).is_ok());
}

#[test]
fn refuses_every_truncation_and_corruption() {
    let packet = pus_tc(3, 3, 3, 27, 0, 0xF, &[0, 0, 0, 3, 0, 0, 0, 0]).expect("valid");
    for cut in 0..packet.len() {
        assert!(parse_pus_tc(&packet[..cut]).is_err(), "{cut} bytes");
    }
    let mut long = packet.clone();
    long.push(0);
    assert_eq!(parse_pus_tc(&long), Err(PusTcError::TrailingBytes { offset: packet.len(), found: 1 }));
    let errors: Vec<String> = [(0, 0x20u8), (0, 0x10), (0, 0x08), (6, 0x10), (8, 0x01)]
        .iter()
        .map(|(at, flip)| {
            let mut bad = packet.clone();
            bad[*at] ^= flip;
            parse_pus_tc(&bad).map(|_| String::new()).unwrap_or_else(|e| e.to_string())
        })
        .collect();
    expect![[r#"
        [
            "PUS TC at byte 0: packet version 1, only 0 is CCSDS",
            "PUS TC at byte 0: the packet type bit says telemetry",
            "PUS TC at byte 0: no secondary header (flag clear)",
            "PUS TC at byte 6: PUS version 3, only 2 (PUS-C) is read",
            "PUS TC at byte 19: CRC 0x1b03, computed 0xc34a",
        ]
    "#]]
    .assert_debug_eq(&errors);
}

proptest::proptest! {
    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
        let _ = parse_pus_tc(&bytes);
    }
}
