use super::*;
use expect_test::expect;

#[test]
fn type_bd_round_trip() {
    let data = [0x18, 0x02, 0xc0, 0x01, 0x00, 0x06, 0x2f, 0x11, 0x01, 0x00, 0x00, 0xe0, 0x01];
    let frame = tc_frame(0x3AB, 5, 0, true, &data, true).expect("valid");
    let header: String = frame[..5].iter().map(|b| format!("{b:02x}")).collect();
    // 0x23: bypass, spacecraft id bits 9..8 = 11; 0xab; VC 5 << 2 and length 20 - 1 = 19.
    assert_eq!(header, "23ab141300");
    let parsed = parse_tc_frame(&frame, true).expect("valid");
    assert_eq!((parsed.bypass, parsed.spacecraft_id, parsed.virtual_channel), (true, 0x3AB, 5));
    assert_eq!(parsed.data, data);
    let frame = tc_frame(1, 0, 7, false, &[0xAA], false).expect("valid");
    expect![[r#"
        Ok(
            TcFrame {
                bypass: false,
                control_command: false,
                spacecraft_id: 1,
                virtual_channel: 0,
                frame_sequence: 7,
                data: [
                    170,
                ],
                fecf: None,
            },
        )
    "#]]
    .assert_debug_eq(&parse_tc_frame(&frame, false));
}

#[test]
fn refuses_bad_fields_and_every_truncation() {
    assert_eq!(tc_frame(0x400, 0, 0, true, &[], true), Err(FrameError::SpacecraftId(0x400)));
    assert_eq!(tc_frame(1, 64, 0, true, &[], true), Err(FrameError::VirtualChannel(64)));
    assert_eq!(tc_frame(1, 0, 0, true, &[0; 1018], true), Err(FrameError::TooLong { len: 1025 }));
    let frame = tc_frame(1, 0, 0, true, &[0; 1017], true).expect("the largest frame");
    assert_eq!(frame.len(), TC_FRAME_LEN_MAX);
    assert_eq!(parse_tc_frame(&frame, true).map(|f| f.data.len()), Ok(1017));
    for cut in 0..frame.len() {
        assert!(parse_tc_frame(&frame[..cut], true).is_err(), "{cut} bytes");
    }
    let mut bad = frame.clone();
    bad[10] ^= 1;
    assert!(matches!(parse_tc_frame(&bad, true), Err(FrameError::Fecf { offset: 1022, .. })));
    bad[0] |= 0x40;
    assert_eq!(parse_tc_frame(&bad, true), Err(FrameError::Version(1)));
}

proptest::proptest! {
    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), fecf: bool) {
        let _ = parse_tc_frame(&bytes, fecf);
    }
}
