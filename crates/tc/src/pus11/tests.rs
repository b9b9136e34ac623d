//! TC[11,4]: exact bytes, round trips, every truncation, and the layout against the Yamcs PUS
//! example's `pus11.xml` and `pus.xml`.

use super::*;
use expect_test::{expect, Expect};
use proptest::prelude::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn ping(sequence_count: u16) -> Vec<u8> {
    pus_tc(1, sequence_count, 17, 1, 0, 0b1001, &[]).expect("ping")
}

/// Builds a TC[11,4] for each (coarse, fine, request) and prints its application data and what
/// reading it back gives, or the error.
#[track_caller]
fn check(cases: &[(u32, u32, Vec<u8>)], expect: Expect) {
    let mut lines = String::new();
    for (coarse_s, fine, request) in cases {
        let release_time = CucTime { coarse_s: *coarse_s, fine: *fine };
        let line = match insert_activity(1, 9, 0b1001, release_time, request) {
            Ok(packet) => {
                let tc = parse_pus_tc(&packet).expect("a TC[11,4] we built parses");
                assert_eq!((tc.service, tc.subtype, tc.ack_flags, tc.sequence_count), (11, 4, 0b1001, 9));
                let activities = parse_insert_activity(&tc.app_data).expect("a TC[11,4] we built reads back");
                assert_eq!(activities, vec![(release_time, request.clone())], "round trip");
                hex(&tc.app_data)
            }
            Err(err) => format!("error: {err}"),
        };
        lines += &format!("{line}\n");
    }
    expect.assert_eq(&lines);
}

#[test]
fn builds_tc_11_4() {
    check(
        &[
            (0, 0, ping(1)),
            (0x0102_0304, 0x00AB_CDEF, ping(0x3FFF)),
            (u32::MAX, FINE_MAX, pus_tc(0x7FF, 2, 3, 5, 7, 0, &[0, 1, 2]).expect("tc")),
            (1, FINE_MAX + 1, ping(1)),
            (1, 0, ping(1)[..10].to_vec()),
            (1, 0, vec![]),
        ],
        expect![[r#"
            00012f000000000000001801c001000629110100009c4b
            00012f01020304abcdef1801ffff000629110100002381
            00012fffffffffffffff1fffc002000920030500070001025635
            error: TC[11,4]: fine time 0x1000000 does not fit 24 bits
            error: TC[11,4]: the request to schedule is no PUS-C telecommand: PUS TC at byte 0: 10 bytes, need 13
            error: TC[11,4]: the request to schedule is no PUS-C telecommand: PUS TC at byte 0: 0 bytes, need 13
        "#]],
    );
    let long = vec![0; crate::pus::APP_DATA_LEN_MAX - 13 - HEADER_LEN - RELEASE_TIME_LEN + 1];
    let request = pus_tc(1, 1, 8, 1, 0, 0, &long).expect("a long request");
    assert_eq!(
        insert_activity(1, 1, 0, CucTime { coarse_s: 0, fine: 0 }, &request),
        Err(Pus11Error::Packet(PusTcError::AppDataTooLong(crate::pus::APP_DATA_LEN_MAX + 1)))
    );
}

#[test]
fn reads_many_activities_and_refuses_bad_layouts() {
    let first = ping(1);
    let second = pus_tc(2, 2, 3, 6, 0, 1, &[1, 0, 5]).expect("tc");
    let mut two = vec![4, 2, CUC_P_FIELD, 0, 0, 0, 10, 0x80, 0, 0];
    two.extend_from_slice(&first);
    two.extend_from_slice(&[CUC_P_FIELD, 0, 0, 0, 11, 0, 0, 1]);
    two.extend_from_slice(&second);
    let activities = parse_insert_activity(&two).expect("two activities");
    assert_eq!(
        activities,
        vec![(CucTime { coarse_s: 10, fine: 0x80_0000 }, first.clone()), (CucTime { coarse_s: 11, fine: 1 }, second)]
    );
    assert_eq!(parse_insert_activity(&[0, 0]), Ok(vec![]));
    let mut cases: Vec<Vec<u8>> = Vec::new();
    let mut bad_p_field = two.clone();
    bad_p_field[2] = 0x2E;
    cases.push(bad_p_field);
    let mut second_p_field = two.clone();
    second_p_field[10 + first.len()] = 0;
    cases.push(second_p_field);
    let mut trailing = two.clone();
    trailing.push(0);
    cases.push(trailing);
    let mut one_more = two.clone();
    one_more[1] = 3;
    cases.push(one_more);
    let mut long_header = two.clone();
    long_header[15] = 0x40;
    cases.push(long_header);
    let errors: Vec<String> = cases.iter().map(|case| format!("{:?}", parse_insert_activity(case))).collect();
    expect![[r#"
        [
            "Err(PField { offset: 2, found: 46 })",
            "Err(PField { offset: 23, found: 0 })",
            "Err(TrailingBytes { offset: 47, found: 1 })",
            "Err(TooShort { offset: 47, found: 0, expected: 8, what: \"a release time\" })",
            "Err(TooShort { offset: 10, found: 37, expected: 71, what: \"the request (its header's length)\" })",
        ]
    "#]]
    .assert_debug_eq(&errors);
    assert_eq!(
        parse_insert_activity(&two[..2 + 8 + 3]).map_err(|e| e.to_string()),
        Err("TC[11,4] at byte 10: 3 bytes left, need 6 for the request's packet header".to_string())
    );
    for cut in 0..two.len() {
        assert!(parse_insert_activity(&two[..cut]).is_err(), "{cut} bytes");
    }
}

#[test]
fn release_times_convert_exactly_in_milliseconds() {
    let cases = [0u64, 1, 999, 1000, 1001, 12_345_678, u64::from(u32::MAX) * 1000 + 999];
    let lines: Vec<String> = cases
        .iter()
        .map(|ms| {
            let cuc = CucTime::from_epoch_ms(*ms).expect("in range");
            assert_eq!(cuc.to_epoch_ms(), *ms, "round trip of {ms}");
            format!("{ms} ms = {} s + {:#08x}", cuc.coarse_s, cuc.fine)
        })
        .collect();
    expect![[r#"
        [
            "0 ms = 0 s + 0x000000",
            "1 ms = 0 s + 0x004189",
            "999 ms = 0 s + 0xffbe76",
            "1000 ms = 1 s + 0x000000",
            "1001 ms = 1 s + 0x004189",
            "12345678 ms = 12345 s + 0xad9168",
            "4294967295999 ms = 4294967295 s + 0xffbe76",
        ]
    "#]]
    .assert_debug_eq(&lines);
    let beyond = (u64::from(u32::MAX) + 1) * 1000;
    assert_eq!(CucTime::from_epoch_ms(beyond), Err(Pus11Error::TimeOutOfRange { epoch_ms: beyond }));
    // A fine value between two milliseconds is released at the later one, never early.
    assert_eq!(CucTime { coarse_s: 2, fine: 1 }.to_epoch_ms(), 2001);
    assert_eq!(CucTime { coarse_s: 2, fine: FINE_MAX }.to_epoch_ms(), 3000);
}

/// The layout cross-checked with the Yamcs PUS example: its TM[11,10] detail report element is
/// sub-schedule id (8 bits), release time (`PusTimeType`), then the request's packet fields,
/// which is what TC[11,4] carries per activity after its sub-schedule id and N; and the
/// example's `PusTimeType` encoder writes an explicit P-field 0x2F (CUC 4+3).
#[test]
fn layout_matches_the_yamcs_pus_example() {
    let (dir, names) = test_utils::PUS_EXAMPLE;
    let files: Vec<_> = test_utils::real_files(dir, &names)
        .into_iter()
        .map(|(path, bytes)| model_import::SourceFile::new(path, bytes))
        .collect();
    let model =
        model_import::import(model_import::SourceKind::Xtce, &files).unwrap_or_else(|report| panic!("{report}")).model;
    let name = |text: &str| model::QualifiedName::parse(text).expect("a name");
    let element = &model.containers[&name("/PUS11/DETAIL_REPORT/DETAIL_REPORT_ELEMENT")];
    let entries: Vec<String> = element
        .entries
        .iter()
        .map(|entry| match &entry.kind {
            model::EntryKind::Parameter(parameter) => {
                let type_ref = &model.parameters[parameter].type_ref;
                let size = match &model.parameter_types[type_ref].encoding {
                    Some(model::DataEncoding::Integer { size_bits, .. }) => format!("{size_bits} bits"),
                    _ => type_ref.to_string(),
                };
                format!(
                    "{} ({size}) at +{}",
                    parameter.to_string().rsplit('/').next().unwrap_or(""),
                    entry.location.offset_bits
                )
            }
            other => format!("{other:?}"),
        })
        .collect();
    expect![[r#"
        [
            "schedule_id (8 bits) at +0",
            "release_time (/PUS/PusTimeType) at +0",
            "apid (11 bits) at +5",
            "seq (14 bits) at +2",
            "length (16 bits) at +0",
            "ackflags (4 bits) at +4",
            "type (8 bits) at +0",
            "subtype (8 bits) at +0",
            "source (16 bits) at +0",
            "tc_data (/PUS11/DETAIL_REPORT/DetailReportTcPacketDataType) at +0",
            "crc (16 bits) at +0",
        ]
    "#]]
    .assert_debug_eq(&entries);
    let pus = String::from_utf8(test_utils::real_files(dir, &["pus.xml"]).remove(0).1).expect("UTF-8");
    assert!(pus.contains(
        "TimeBinaryEncoder({type: CUC, epoch: NONE, tcoService: tco0, pfield: 0x2f, implicitPfield: false})"
    ));
    // 0x2F: no extension, time code 010 (agency epoch), 3 + 1 = 4 coarse octets, 3 fine octets.
    assert_eq!((CUC_P_FIELD >> 4) & 0x7, 0b010);
    assert_eq!(((CUC_P_FIELD >> 2) & 0x3) + 1, 4);
    assert_eq!(CUC_P_FIELD & 0x3, 3);
    // Our activity, after the sub-schedule id and N, reads as that element's fields.
    let request = pus_tc(0x123, 0x2345, 17, 1, 0xBEEF, 0b1001, &[7]).expect("tc");
    let packet = insert_activity(1, 0, 0, CucTime { coarse_s: 5, fine: 6 }, &request).expect("TC[11,4]");
    let app_data = parse_pus_tc(&packet).expect("parses").app_data;
    let mut element = vec![app_data[0]];
    element.extend_from_slice(&app_data[HEADER_LEN..]);
    let bits = |bit: usize, len: u32| tm::read_bits(&element, bit, len).expect("in the element");
    let time_end = 8 + RELEASE_TIME_LEN * 8;
    assert_eq!(bits(0, 8), u64::from(SUBSCHEDULE_ID));
    assert_eq!(bits(time_end + 5, 11), 0x123);
    assert_eq!(bits(time_end + 18, 14), 0x2345);
    assert_eq!(bits(time_end + 52, 4), 0b1001);
    assert_eq!((bits(time_end + 56, 8), bits(time_end + 64, 8), bits(time_end + 72, 16)), (17, 1, 0xBEEF));
}

proptest! {
    #[test]
    fn any_app_data_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = parse_insert_activity(&bytes);
    }

    #[test]
    fn any_activity_round_trips(coarse_s in any::<u32>(), fine in 0..=FINE_MAX, ack in 0u8..16,
                                data in proptest::collection::vec(any::<u8>(), 0..32)) {
        let request = pus_tc(5, 6, 8, 1, 0, ack, &data).expect("tc");
        let release_time = CucTime { coarse_s, fine };
        let packet = insert_activity(5, 7, ack, release_time, &request).expect("TC[11,4]");
        let app_data = parse_pus_tc(&packet).expect("parses").app_data;
        prop_assert_eq!(parse_insert_activity(&app_data), Ok(vec![(release_time, request)]));
    }
}
