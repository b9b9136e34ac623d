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
    model.parameters.insert(
        name(param),
        Parameter {
            name: name(param),
            type_ref: name(type_ref),
            description: None,
            aliases: Vec::new(),
            data_source: DataSource::Telemetered,
            read_only: false,
            validity: None,
            initial_value: None,
        },
    );
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
        at(LocationReference::ContainerEnd, 8, "/t/checksum"),
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
