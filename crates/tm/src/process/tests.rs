use crate::*;
use expect_test::{expect, Expect};
use model::*;

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("test names are absolute")
}

fn integer(size_bits: u8, sign: IntegerSign, order: ByteOrder) -> DataType {
    let signed = sign != IntegerSign::Unsigned;
    let mut data_type = DataType::new(TypeKind::Integer { signed, size_bits, valid_range: None });
    data_type.encoding = Some(DataEncoding::Integer { size_bits, sign, byte_order: order });
    data_type
}

fn add_parameter(model: &mut MissionModel, param: &str, type_ref: &str) {
    model.parameters.insert(name(param), Parameter::new(name(param), name(type_ref)));
}

fn at(reference: LocationReference, offset_bits: i64, param: &str) -> ContainerEntry {
    ContainerEntry {
        kind: EntryKind::Parameter(name(param)),
        location: EntryLocation { reference, offset_bits },
        repeat: None,
        include_if: None,
    }
}

fn equals(param: &str, value: &str) -> Criteria {
    Criteria::Compare(Comparison {
        left: ParamRef::raw(name(param)),
        op: ComparisonOp::Eq,
        right: Operand::Value(value.into()),
    })
}

/// A PUS-like model: an abstract header (APID, service, subtype) and a HK packet for APID
/// 100 service 3 subtype 25 with a calibrated, limited u16, a mode enumeration, a float, a
/// count and that many repeated u8 samples, and a trailing checksum at the container end.
fn test_model() -> MissionModel {
    let mut model = MissionModel { name: "t".into(), ..MissionModel::default() };
    let be = || ByteOrder::BigEndian;
    model.parameter_types.insert(name("/t/u11"), integer(11, IntegerSign::Unsigned, be()));
    model.parameter_types.insert(name("/t/u8"), integer(8, IntegerSign::Unsigned, be()));
    let mut cal = integer(16, IntegerSign::Unsigned, ByteOrder::LittleEndian);
    cal.calibrator = Some(Calibrator::Polynomial { coefficients: vec![0.5, 2.0] });
    cal.alarm = Some(Alarm::Ranges {
        min_violations: 1,
        ranges: AlarmRanges {
            warning: Some(Range::inclusive(Some(1000.0), Some(120_000.0))),
            ..AlarmRanges::default()
        },
        delta: None,
    });
    model.parameter_types.insert(name("/t/cal_u16"), cal);
    let mut mode = DataType::new(TypeKind::Enumerated {
        values: vec![
            EnumValue { value: 0, max: None, label: "SAFE".into(), description: None },
            EnumValue { value: 1, max: Some(3), label: "NOMINAL".into(), description: None },
        ],
    });
    mode.encoding = integer(8, IntegerSign::Unsigned, be()).encoding;
    mode.alarm = Some(Alarm::Enumeration {
        min_violations: 1,
        levels: EnumAlarm { default_level: AlarmLevel::Normal, labels: vec![("SAFE".into(), AlarmLevel::Critical)] },
    });
    model.parameter_types.insert(name("/t/mode"), mode);
    let mut f32_type = DataType::new(TypeKind::Float { size_bits: 32, valid_range: None });
    f32_type.encoding =
        Some(DataEncoding::Float { size_bits: 32, format: FloatFormat::Ieee754, byte_order: ByteOrder::BigEndian });
    model.parameter_types.insert(name("/t/f32"), f32_type);
    for (param, type_ref) in [
        ("/t/apid", "/t/u11"),
        ("/t/service", "/t/u8"),
        ("/t/subtype", "/t/u8"),
        ("/t/volts", "/t/cal_u16"),
        ("/t/mode", "/t/mode"),
        ("/t/temp", "/t/f32"),
        ("/t/n", "/t/u8"),
        ("/t/sample", "/t/u8"),
        ("/t/checksum", "/t/u8"),
    ] {
        add_parameter(&mut model, param, type_ref);
    }
    let mut header = SequenceContainer::new(name("/t/header"));
    header.r#abstract = true;
    header.entries = vec![
        at(LocationReference::ContainerStart, 5, "/t/apid"),
        at(LocationReference::ContainerStart, 56, "/t/service"),
        at(LocationReference::PreviousEntry, 0, "/t/subtype"),
    ];
    model.containers.insert(header.name.clone(), header);
    let mut hk = SequenceContainer::new(name("/t/hk"));
    hk.base = Some(name("/t/header"));
    hk.restriction =
        Some(Criteria::All(vec![equals("/t/apid", "100"), equals("/t/service", "3"), equals("/t/subtype", "25")]));
    let mut samples = ContainerEntry::next(EntryKind::Parameter(name("/t/sample")));
    samples.repeat = Some(Repeat {
        count: IntegerValue::Dynamic { parameter: ParamRef::raw(name("/t/n")), slope: 1, intercept: 0 },
        offset_bits: 0,
    });
    hk.entries = vec![
        at(LocationReference::ContainerStart, 128, "/t/volts"),
        ContainerEntry::next(EntryKind::Parameter(name("/t/mode"))),
        ContainerEntry::next(EntryKind::Parameter(name("/t/temp"))),
        ContainerEntry::next(EntryKind::Parameter(name("/t/n"))),
        samples,
        at(LocationReference::ContainerEnd, 0, "/t/checksum"),
    ];
    model.containers.insert(hk.name.clone(), hk);
    model
}

fn packet(apid: u16, service: u8, subtype: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x08 | (apid >> 8) as u8, apid as u8, 0xC0, 0x00, 0x00, 0x00, 0x20, service, subtype];
    bytes.resize(16, 0);
    bytes.extend(payload);
    let len = (bytes.len() - 7) as u16;
    bytes[4..6].copy_from_slice(&len.to_be_bytes());
    bytes
}

#[track_caller]
fn check(packets: &[Vec<u8>], expect: Expect) {
    let model = test_model();
    assert_eq!(model.validate(), Vec::new());
    let plan = Plan::compile(&model).expect("the test model compiles");
    let mut processor = Processor::new(&plan);
    let mut lines = Vec::new();
    for packet in packets {
        let mut samples = Vec::new();
        match processor.process(packet, &mut samples) {
            Ok(container) => {
                lines.push(format!("{}:", plan.container_name(container).unwrap()));
                for s in samples {
                    let name = plan.parameter(s.parameter).unwrap().name.local();
                    let eng = match s.eng() {
                        EngValue::Enum(idx) => plan.enum_label(s.parameter, idx).unwrap().to_string(),
                        other => format!("{other:?}"),
                    };
                    lines.push(format!(
                        "  {name}[{}] @{} raw {:?} eng {eng} {:?}",
                        s.element,
                        s.bit_offset,
                        s.raw(),
                        s.level
                    ));
                }
            }
            Err(error) => lines.push(format!("invalid: {error}")),
        }
    }
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn decodes_calibrates_and_monitors() {
    let volts = 400u16.to_le_bytes();
    let temp = 21.5f32.to_be_bytes();
    let payload = [&volts[..], &[2], &temp, &[3, 7, 8, 9], &[0xAB]].concat();
    let safe_payload = [&1000u16.to_le_bytes()[..], &[0], &temp, &[0], &[0xCD]].concat();
    check(
        &[packet(100, 3, 25, &payload), packet(100, 3, 25, &safe_payload)],
        expect![[r#"
            /t/hk:
              apid[0] @5 raw Unsigned(100) eng Unsigned(100) Normal
              service[0] @56 raw Unsigned(3) eng Unsigned(3) Normal
              subtype[0] @64 raw Unsigned(25) eng Unsigned(25) Normal
              volts[0] @128 raw Unsigned(400) eng Float(800.5) Warning
              mode[0] @144 raw Unsigned(2) eng NOMINAL Normal
              temp[0] @152 raw Float(21.5) eng Float(21.5) Normal
              n[0] @184 raw Unsigned(3) eng Unsigned(3) Normal
              sample[0] @192 raw Unsigned(7) eng Unsigned(7) Normal
              sample[0] @200 raw Unsigned(8) eng Unsigned(8) Normal
              sample[0] @208 raw Unsigned(9) eng Unsigned(9) Normal
              checksum[0] @216 raw Unsigned(171) eng Unsigned(171) Normal
            /t/hk:
              apid[0] @5 raw Unsigned(100) eng Unsigned(100) Normal
              service[0] @56 raw Unsigned(3) eng Unsigned(3) Normal
              subtype[0] @64 raw Unsigned(25) eng Unsigned(25) Normal
              volts[0] @128 raw Unsigned(1000) eng Float(2000.5) Normal
              mode[0] @144 raw Unsigned(0) eng SAFE Critical
              temp[0] @152 raw Float(21.5) eng Float(21.5) Normal
              n[0] @184 raw Unsigned(0) eng Unsigned(0) Normal
              checksum[0] @192 raw Unsigned(205) eng Unsigned(205) Normal"#]],
    );
}

#[test]
fn unknown_and_short_packets_are_errors_not_panics() {
    let full = packet(100, 3, 25, &[0, 0, 1, 0, 0, 0, 0, 2, 1, 2, 0]);
    let mut packets = vec![packet(101, 3, 25, &[0; 8]), packet(100, 3, 25, &[0, 0, 1, 0, 0, 0, 0, 200])];
    packets.extend((0..full.len()).map(|cut| full[..cut].to_vec()));
    let model = test_model();
    let plan = Plan::compile(&model).unwrap();
    let mut processor = Processor::new(&plan);
    for packet in &packets {
        let mut samples = Vec::new();
        assert!(processor.process(packet, &mut samples).is_err(), "{packet:02x?}");
        assert!(samples.is_empty(), "nothing is appended on error");
    }
    check(
        &packets[..2],
        expect![[r#"
            invalid: no container of the model matches this packet
            invalid: `/t/sample` at bit 192: 8 bits run past the 192-bit packet"#]],
    );
}

#[test]
fn process_as_decodes_a_named_container_without_identification() {
    let model = test_model();
    let plan = Plan::compile(&model).unwrap();
    let hk = plan.container_id(&name("/t/hk")).unwrap();
    let mut processor = Processor::new(&plan);
    // APID 101 is not identified as /t/hk, and a trailing byte breaks the length field.
    let mut bytes = packet(101, 3, 25, &[1, 0, 1, 0, 0, 0, 0, 0, 0xEE]);
    bytes.push(0x77);
    let mut samples = Vec::new();
    assert_eq!(processor.process(&bytes, &mut samples), Err(ProcessError::LengthMismatch { declared: 25, actual: 26 }));
    assert_eq!(processor.process_as(hk, &bytes, &mut samples), Ok(()));
    let values: Vec<_> = samples.iter().map(|s| (plan.parameter(s.parameter).unwrap().name.local(), s.raw())).collect();
    assert_eq!(values[0], ("apid", RawValue::Unsigned(101)));
    assert_eq!(values[3], ("volts", RawValue::Unsigned(1)));
    assert_eq!(values.last(), Some(&("checksum", RawValue::Unsigned(0x77))));
    let mut none = Vec::new();
    assert!(processor.process_as(hk, &bytes[..17], &mut none).is_err());
    assert!(processor.process_as(ContainerId(99), &bytes, &mut none).is_err());
    assert!(none.is_empty(), "nothing is appended on error");
}

#[test]
fn a_string_type_encoded_as_an_integer_gives_the_number() {
    // BogusSAT's `Basic_string_uint32_Type`: a StringParameterType with an IntegerDataEncoding.
    let mut model = test_model();
    let mut text = integer(16, IntegerSign::TwosComplement, ByteOrder::BigEndian);
    text.kind = TypeKind::String { length_range: None };
    model.parameter_types.insert(name("/t/text16"), text);
    model.parameters.get_mut(&name("/t/service")).unwrap().type_ref = name("/t/text16");
    let plan = Plan::compile(&model).unwrap();
    let mut samples = Vec::new();
    let hk = plan.container_id(&name("/t/hk")).unwrap();
    let bytes = packet(100, 0xFF, 0xFE, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    Processor::new(&plan).process_as(hk, &bytes, &mut samples).unwrap();
    let service = samples.iter().find(|s| plan.parameter(s.parameter).unwrap().name.local() == "service").unwrap();
    assert_eq!((service.raw(), service.eng()), (RawValue::Signed(-2), EngValue::Signed(-2)));
}

#[test]
fn a_packet_too_short_for_its_header_gets_the_same_error_on_both_paths() {
    let mut model = test_model();
    // Only static entries, so the plan has a fast identification tree.
    model.containers.get_mut(&name("/t/hk")).unwrap().entries.truncate(3);
    let plan = Plan::compile(&model).unwrap();
    let general = plan.clone().without_fast_path();
    let mut bytes = packet(100, 3, 25, &[0; 7]);
    bytes.truncate(8);
    bytes[4..6].copy_from_slice(&1u16.to_be_bytes());
    let error = ProcessError::Field {
        parameter: "/t/subtype".into(),
        bit_offset: 64,
        why: "8 bits run past the 64-bit packet".into(),
    };
    for plan in [&plan, &general] {
        assert_eq!(Processor::new(plan).process(&bytes, &mut Vec::new()), Err(error.clone()));
    }
}

#[test]
fn a_packet_that_does_not_fit_its_container_is_not_its_parents() {
    let mut model = test_model();
    model.containers.get_mut(&name("/t/header")).unwrap().r#abstract = false;
    let plan = Plan::compile(&model).unwrap();
    // APID 100, PUS (3,25): the hk container's, but the payload stops inside `volts`.
    let bytes = packet(100, 3, 25, &[0]);
    let mut samples = Vec::new();
    let result = Processor::new(&plan).process(&bytes, &mut samples);
    assert!(matches!(result, Err(ProcessError::Field { .. })), "{result:?}");
    assert!(samples.is_empty());
}

/// A packet whose first byte is an aggregate `word` {a: 4 bits, flag: 4-bit boolean ON/OFF}.
fn member_model() -> MissionModel {
    let mut model = MissionModel { name: "m".into(), ..MissionModel::default() };
    model.parameter_types.insert(name("/m/u4"), integer(4, IntegerSign::Unsigned, ByteOrder::BigEndian));
    let mut flag = DataType::new(TypeKind::Boolean { one: "ON".into(), zero: "OFF".into() });
    flag.encoding = integer(4, IntegerSign::Unsigned, ByteOrder::BigEndian).encoding;
    model.parameter_types.insert(name("/m/flag"), flag);
    let member =
        |member: &str, type_ref: &str| Member { name: member.into(), type_ref: name(type_ref), description: None };
    let word = DataType::new(TypeKind::Aggregate { members: vec![member("a", "/m/u4"), member("flag", "/m/flag")] });
    model.parameter_types.insert(name("/m/word"), word);
    add_parameter(&mut model, "/m/word", "/m/word");
    let mut base = SequenceContainer::new(name("/m/base"));
    base.r#abstract = true;
    base.entries = vec![at(LocationReference::ContainerStart, 0, "/m/word")];
    model.containers.insert(base.name.clone(), base);
    let compare = |path: &str, use_calibrated: bool, value: &str| {
        let left = ParamRef { member_path: Some(path.into()), use_calibrated, ..ParamRef::raw(name("/m/word")) };
        Criteria::Compare(Comparison { left, op: ComparisonOp::Eq, right: Operand::Value(value.into()) })
    };
    for (container, restriction) in [
        ("/m/on", compare("flag", true, "ON")),
        ("/m/two_off", Criteria::All(vec![compare("a", false, "2"), compare("flag", false, "0")])),
    ] {
        let mut child = SequenceContainer::new(name(container));
        child.base = Some(name("/m/base"));
        child.restriction = Some(restriction);
        model.containers.insert(child.name.clone(), child);
    }
    model
}

#[test]
fn conditions_read_aggregate_members_and_boolean_labels() {
    let model = member_model();
    assert_eq!(model.validate(), Vec::new());
    let plan = Plan::compile(&model).unwrap();
    let mut processor = Processor::new(&plan);
    let mut identify = |first_byte: u8| {
        let packet = [first_byte, 0, 0, 0, 0, 1, 0, 0];
        processor.process(&packet, &mut Vec::new()).map(|id| plan.container_name(id).unwrap().local().to_string())
    };
    assert_eq!(identify(0x21), Ok("on".to_string()));
    assert_eq!(identify(0x20), Ok("two_off".to_string()));
    assert_eq!(identify(0x30), Err(ProcessError::UnknownPacket));
}

/// The hk packet holding only a CUC time with its P-field in the data (at most 4 coarse and 2
/// fine octets) at byte 16, then `n`.
#[track_caller]
fn check_cuc_p_field(payload: &[u8], expect: Expect) {
    let mut model = test_model();
    let cuc = TimeEncoding::Cuc { coarse_octets: 4, fine_octets: 2, p_field: true };
    let time = DataType::new(TypeKind::AbsoluteTime { epoch: Epoch::Tai, time: cuc });
    model.parameter_types.insert(name("/t/cuc"), time);
    add_parameter(&mut model, "/t/time", "/t/cuc");
    model.containers.get_mut(&name("/t/hk")).unwrap().entries = vec![
        at(LocationReference::ContainerStart, 128, "/t/time"),
        ContainerEntry::next(EntryKind::Parameter(name("/t/n"))),
    ];
    let plan = Plan::compile(&model).unwrap();
    assert!(!plan.is_fast(plan.container_id(&name("/t/hk")).unwrap()), "its size is known only when read");
    let mut samples = Vec::new();
    let text = match Processor::new(&plan).process(&packet(100, 3, 25, payload), &mut samples) {
        Ok(_) => samples.iter().skip(3).map(|s| format!("@{} {:?} {:?}\n", s.bit_offset, s.raw(), s.eng())).collect(),
        Err(error) => format!("invalid: {error}\n"),
    };
    expect.assert_eq(&text);
}

#[test]
fn a_cuc_p_field_sizes_the_time_and_places_what_follows() {
    // 0x1A: 3 coarse and 2 fine octets; 0x12: 1 coarse and 2 fine.
    check_cuc_p_field(
        &[0x1A, 0x00, 0x01, 0x00, 0x40, 0x00, 9],
        expect![[r#"
            @128 Float(256.25) Time(256.25)
            @176 Unsigned(9) Unsigned(9)
        "#]],
    );
    check_cuc_p_field(
        &[0x12, 0x05, 0xC0, 0x00, 9],
        expect![[r#"
            @128 Float(5.75) Time(5.75)
            @160 Unsigned(9) Unsigned(9)
        "#]],
    );
    // More fine octets than the type allows, an undefined third octet, a time past the end.
    check_cuc_p_field(
        &[0x1F, 0, 0, 0, 0, 0, 0, 0, 9],
        expect![[r#"
        invalid: `/t/time` at bit 128: P-field 0x1f states 4 coarse and 3 fine octets, more than the type's 4 and 2
    "#]],
    );
    check_cuc_p_field(
        &[0x9C, 0x80, 0, 0, 0, 0, 9],
        expect![[r#"
        invalid: `/t/time` at bit 128: P-field 0x9c 0x80: a third P-field octet is not defined
    "#]],
    );
    check_cuc_p_field(
        &[0x1E, 0, 0, 0, 0],
        expect![[r#"
        invalid: `/t/time` at bit 128: P-field 0x1e states 4 coarse and 2 fine octets, which run past the 21-byte packet
    "#]],
    );
    check_cuc_p_field(
        &[],
        expect![[r#"
        invalid: `/t/time` at bit 128: P-field: 8 bits run past the 128-bit packet
    "#]],
    );
}
