//! Every command of the real models, checked with example arguments and encoded.

use crate::{hex, mib_model, pus_model};
use expect_test::{expect, Expect};
use model::{MissionModel, QualifiedName, TypeKind};
use tc::args::{check, ArgValue};
use tc::encode::encode;

/// A plausible value of a type: the minimum of its range, its first label, one element.
fn example(model: &MissionModel, type_ref: &QualifiedName) -> ArgValue {
    let Some(data_type) = model.argument_types.get(type_ref) else { return ArgValue::Integer(0) };
    match &data_type.kind {
        TypeKind::Integer { valid_range, .. } => {
            ArgValue::Integer(valid_range.as_ref().and_then(|r| r.min).unwrap_or(1.0) as i128)
        }
        TypeKind::Float { .. } => ArgValue::Float(1.0),
        TypeKind::Boolean { .. } => ArgValue::Bool(true),
        TypeKind::Enumerated { values } => ArgValue::Text(values.first().map(|v| v.label.clone()).unwrap_or_default()),
        TypeKind::String { .. } => ArgValue::Text("A".to_string()),
        TypeKind::Binary { .. } => ArgValue::Bytes(vec![0xAB]),
        TypeKind::Array { element_type, .. } => ArgValue::Array(vec![example(model, element_type)]),
        TypeKind::Aggregate { members } => {
            ArgValue::Aggregate(members.iter().map(|m| (m.name.clone(), example(model, &m.type_ref))).collect())
        }
        TypeKind::AbsoluteTime { .. } | TypeKind::RelativeTime { .. } => ArgValue::Integer(0),
    }
}

/// Checks and encodes every concrete command with defaults, and examples for arguments that
/// have none; one line per command.
fn all_commands(model: &MissionModel) -> String {
    let mut lines = Vec::new();
    let (mut ok, mut failed) = (0, 0);
    for (name, command) in &model.commands {
        if command.r#abstract {
            continue;
        }
        let chain = tc::args::resolve_chain(model, name).expect("chain");
        let assigned: Vec<&str> = chain
            .iter()
            .filter_map(|c| c.base.as_ref())
            .flat_map(|b| &b.assignments)
            .map(|a| a.argument.as_str())
            .collect();
        let given: Vec<(String, ArgValue)> = chain
            .iter()
            .flat_map(|c| &c.arguments)
            .filter(|a| a.initial_value.is_none() && !assigned.contains(&a.name.as_str()))
            .map(|a| (a.name.clone(), example(model, &a.type_ref)))
            .collect();
        let result = check(model, name, &given)
            .map_err(|e| e.to_string())
            .and_then(|checked| encode(model, &checked).map_err(|e| e.to_string()));
        match result {
            Ok(encoded) => {
                ok += 1;
                lines.push(format!("{name}: {}", hex(&encoded.bytes)));
            }
            Err(err) => {
                failed += 1;
                lines.push(format!("{name}: ERROR {err}"));
            }
        }
    }
    lines.push(format!("{ok} encoded, {failed} refused"));
    lines.join("\n")
}

#[track_caller]
fn check_encode(model: &MissionModel, command: &str, given: &[(&str, ArgValue)], expect: Expect) {
    let name = QualifiedName::parse(command).expect("a name");
    let given: Vec<(String, ArgValue)> = given.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
    let actual = match check(model, &name, &given) {
        Ok(checked) => match encode(model, &checked) {
            Ok(encoded) => {
                let parsed = encoded.packet.as_ref().filter(|p| p.crc).map(|_| tc::pus::parse_pus_tc(&encoded.bytes));
                format!("{} {:?}", hex(&encoded.bytes), parsed.map(|p| p.map(|v| (v.service, v.subtype, v.apid))))
            }
            Err(err) => format!("encode: {err}"),
        },
        Err(err) => format!("check: {err}"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn xtce_pus_example_all_commands() {
    expect![[r#"
        /PUS11/DELETE_ACTIVITIES_BY_FILTER: ERROR argument "start_time": time arguments are not supported yet
        /PUS11/DELETE_ACTIVITIES_BY_ID: 1801c000000e270b0500000001000100010001ce4b
        /PUS11/DISABLE_SCHEDULE: 1801c0000008270b1500000101553f
        /PUS11/DISABLE_SCHEDULER: 1801c0000006270b0200003e6c
        /PUS11/ENABLE_SCHEDULE: 1801c0000008270b1400000101ff6e
        /PUS11/ENABLE_SCHEDULER: 1801c0000006270b010000673c
        /PUS11/GET_DETAIL_REPORT: 1801c0000006270b100000136f
        /PUS11/GET_DETAIL_REPORT_BY_FILTER: ERROR argument "start_time": time arguments are not supported yet
        /PUS11/GET_DETAIL_REPORT_BY_ID: 1801c000000e270b09000000010001000100013d82
        /PUS11/GET_SCHEDULE_STATUS: 1801c0000006270b1200007d0f
        /PUS11/GET_SUMMARY_REPORT: 1801c0000006270b110000245f
        /PUS11/GET_SUMMARY_REPORT_BY_FILTER: ERROR argument "start_time": time arguments are not supported yet
        /PUS11/GET_SUMMARY_REPORT_BY_ID: 1801c000000e270b0c00000001000100010001b48c
        /PUS11/RESET_SCHEDULER: 1801c0000006270b030000095c
        /PUS11/TIME_SHIFT_ACTIVITIES: 1801c000000e270b0f00000001000100010001cc76
        /PUS11/TIME_SHIFT_ACTIVITIES_BY_FILTER: ERROR argument "start_time": time arguments are not supported yet
        /PUS11/TIME_SHIFT_ACTIVITIES_BY_ID: 1801c000000e270b07000000010001000100016ef8
        /PUS17/ARE_YOU_ALIVE: 1801c000000627110100001430
        /PUS5/DISABLE_REPORT_GENERATION: 1801c0000008270506000001013f14
        /PUS5/ENABLE_REPORT_GENERATION: 1801c000000827050500000101d1c6
        16 encoded, 4 refused"#]]
    .assert_eq(&all_commands(&pus_model()));
}

#[test]
fn mib_all_commands() {
    expect![[r#"
        /MIB/PUSCMD01: 1cd2c0000014290801000000000000001717171717171717003a24
        /MIB/PUSCMD02: 1cd3c0000014290801000000000000001717171717171717000d27
        /MIB/PUSCMD03: 1cd3c000000b29031400000227800000b772
        /MIB/PUSCMD04: 1cd3c000000b2903140000022800000058c6
        /MIB/TESTCMD: 1cd3c0000006291101000056ed
        /MIB/TXTCMD01: 1cd4c000000b200000000041424f52549731
        /MIB/TXTCMD02: 1cd4c0000010200000000041434b5f5341464554590a02
        /MIB/TXTCMD03: 1cd4c000000e20000000004150504c59200141dab0
        /MIB/TXTCMD04: 1cd4c000000f20000000004348415247452001414e45
        /MIB/TXTCMD05: 1cd4c000000e20000000004552524f52200141ceb3
        /MIB/TXTCMD06: 1cd4c000000e2000000000474554544d200141c527
        /MIB/TXTCMD07: 1cd4c000001020000000004d4553534147452001411384
        /MIB/TXTCMD08: 1cd4c000001020000000004f46464c494e452001418dec
        /MIB/TXTCMD09: 1cd4c000000f20000000004f4e4c494e45200141e0ce
        /MIB/TXTCMD10: 1cd4c000001320000000005245504f525450415241200141aa76
        /MIB/TXTCMD11: 1cd4c000000e200000000052455345542001413eb7
        /MIB/TXTCMD12: 1cd4c000000c2000000000534554200141267a
        /MIB/TXTCMD13: 1cd4c000000e20000000005354524150200141f029
        /MIB/TXTCMD14: 1cd4c000000d200000000054455354200141690c
        /MIB/TXTCMD15: 1cd4c000001120000000005452414e53464552200141b695
        /MIB/TXTCMD16: 1cd4c000000f20000000005550444154452001412316
        21 encoded, 0 refused"#]]
    .assert_eq(&all_commands(&mib_model()));
}

#[test]
fn xtce_commands() {
    let model = pus_model();
    // PUS 17 ping: all header fields assigned by the bases; sequence count 0, CRC appended.
    check_encode(&model, "/PUS17/ARE_YOU_ALIVE", &[], expect!["1801c000000627110100001430 Some(Ok((17, 1, 1)))"]);
    // PUS 5 with an array argument of enumerated event ids.
    let events = ArgValue::Array(vec![ArgValue::Text("EVENT_1".into()), ArgValue::Integer(2)]);
    check_encode(
        &model,
        "/PUS5/ENABLE_REPORT_GENERATION",
        &[("N", ArgValue::Integer(2)), ("events", events)],
        expect!["1801c000000927050500000201028f6d Some(Ok((5, 5, 1)))"],
    );
    // Assigned arguments may not be given; abstract commands cannot be sent.
    check_encode(
        &model,
        "/PUS17/ARE_YOU_ALIVE",
        &[("apid", ArgValue::Integer(5))],
        expect![[
            r#"check: command /PUS17/ARE_YOU_ALIVE: argument "apid" is fixed to 1 by /PUS17/pus17-tc, it cannot be given"#
        ]],
    );
    check_encode(
        &model,
        "/PUS17/pus17-tc",
        &[],
        expect!["check: command /PUS17/pus17-tc: abstract, it can only be the base of another command"],
    );
    check_encode(
        &model,
        "/PUS17/ARE_YOU_ALIVE",
        &[("ackflags", ArgValue::Text("0x10".into()))],
        expect![[r#"check: argument "ackflags": 16 is above the maximum 15 (4-bit unsigned encoding)"#]],
    );
}

#[test]
fn mib_commands() {
    let model = mib_model();
    // Editable bit parameters, a 32-bit integer and an 8-byte string.
    let given = [
        ("PAR1", ArgValue::Integer(1)),
        ("PAR9", ArgValue::Text("0x01020304".into())),
        ("PAR10", ArgValue::Text("ABCDEFGH".into())),
    ];
    check_encode(
        &model,
        "/MIB/PUSCMD01",
        &given,
        expect!["1cd2c00000142908010000400081018220a121a222a323a4002220 Some(Ok((8, 1, 1234)))"],
    );
    // A fixed SID, then a group repeater: N = 2 repeats of the 32-bit parameter number.
    let given =
        [("PAR12", ArgValue::Integer(2)), ("PAR13", ArgValue::Array(vec![ArgValue::Integer(1), ArgValue::Integer(2)]))];
    check_encode(
        &model,
        "/MIB/PUSCMD03",
        &given,
        expect!["1cd3c00000132903140000022780010000000080000001004600 Some(Ok((3, 20, 1235)))"],
    );
    let given = [("PAR12", ArgValue::Integer(3)), ("PAR13", ArgValue::Array(vec![ArgValue::Integer(1)]))];
    check_encode(
        &model,
        "/MIB/PUSCMD03",
        &given,
        expect![[
            r#"encode: command /MIB/PUSCMD03, entry 2: group count "PAR12" is not the number of values given for "PAR13""#
        ]],
    );
    check_encode(
        &model,
        "/MIB/PUSCMD01",
        &[("PAR1", ArgValue::Integer(2))],
        expect![[r#"check: argument "PAR1": 2 is above the maximum 1 (1-bit unsigned type)"#]],
    );
}
