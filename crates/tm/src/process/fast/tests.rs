use super::super::Walk;
use crate::plan::runs::{LaneRead, RunKind};
use crate::*;
use model::*;

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("test names are absolute")
}

fn integer(size_bits: u8, sign: IntegerSign) -> DataType {
    let signed = sign != IntegerSign::Unsigned;
    let mut data_type = DataType::new(TypeKind::Integer { signed, size_bits, valid_range: None });
    data_type.encoding = Some(DataEncoding::Integer { size_bits, sign, byte_order: ByteOrder::BigEndian });
    data_type
}

fn float(size_bits: u8) -> DataType {
    let mut data_type = DataType::new(TypeKind::Float { size_bits, valid_range: None });
    data_type.encoding =
        Some(DataEncoding::Float { size_bits, format: FloatFormat::Ieee754, byte_order: ByteOrder::BigEndian });
    data_type
}

fn limited(mut data_type: DataType, warning: Option<Range>, critical: Option<Range>) -> DataType {
    let ranges = AlarmRanges { warning, critical, ..AlarmRanges::default() };
    data_type.alarm = Some(Alarm::Ranges { min_violations: 1, ranges, delta: None });
    data_type
}

fn calibrated(mut data_type: DataType, coefficients: &[f64]) -> DataType {
    data_type.calibrator = Some(Calibrator::Polynomial { coefficients: coefficients.to_vec() });
    data_type
}

/// A header (APID, service, subtype) and a packet with every kind of fast field in runs: each
/// read with no calibration, a linear and a cubic one, no limits, one range and two (one
/// exclusive), a little-endian field (decoded one at a time), and an 11-bit field in the last
/// bytes, whose 8-byte read goes past the end of the packet. The first field's limits depend on
/// the subtype: a lane's latest value is read back within the packet.
fn equals(param: &str, value: &str) -> Criteria {
    Criteria::Compare(Comparison {
        left: ParamRef::raw(name(param)),
        op: ComparisonOp::Eq,
        right: Operand::Value(value.into()),
    })
}

fn model() -> (MissionModel, usize) {
    let mut model = MissionModel { name: "r".into(), ..MissionModel::default() };
    let header =
        [integer(11, IntegerSign::Unsigned), integer(8, IntegerSign::Unsigned), integer(8, IntegerSign::Unsigned)];
    let mut types = header.to_vec();
    // Its limits depend on the subtype of the same packet, read back before it is decoded.
    let mut in_context = integer(8, IntegerSign::Unsigned);
    in_context.context_alarms = vec![ContextAlarm {
        context: equals("/r/p2", "7"),
        alarm: Alarm::Ranges {
            min_violations: 1,
            ranges: AlarmRanges { warning: Some(Range::inclusive(None, Some(1.0))), ..AlarmRanges::default() },
            delta: None,
        },
    }];
    types.push(in_context);
    let two = |data_type: DataType| {
        let exclusive = Range { min_inclusive: false, ..Range::inclusive(Some(-3.0), Some(3e9)) };
        limited(data_type, Some(Range::inclusive(Some(1.0), Some(100.0))), Some(exclusive))
    };
    let mut reads = Vec::new();
    for size_bits in [8, 16, 32, 64] {
        reads.push(integer(size_bits, IntegerSign::Unsigned));
        reads.push(integer(size_bits, IntegerSign::TwosComplement));
    }
    reads.extend([integer(3, IntegerSign::Unsigned), integer(13, IntegerSign::Unsigned), float(32), float(64)]);
    for read in reads {
        let numeric = !matches!(read.kind, TypeKind::Float { .. });
        let mut variants = vec![read.clone(), two(read.clone())];
        if numeric {
            let linear = calibrated(read.clone(), &[0.5, -2.0]);
            let cubic = calibrated(read.clone(), &[1.0, 0.5, -0.25, 0.125]);
            variants.extend([linear.clone(), two(linear), cubic.clone()]);
            variants.push(limited(cubic, None, Some(Range::inclusive(None, Some(50.0)))));
        }
        for variant in variants {
            // Two of each, so that every run has more than one field.
            types.extend([variant.clone(), variant]);
        }
    }
    let mut little = integer(16, IntegerSign::Unsigned);
    little.encoding =
        Some(DataEncoding::Integer { size_bits: 16, sign: IntegerSign::Unsigned, byte_order: ByteOrder::LittleEndian });
    types.extend([little, integer(11, IntegerSign::Unsigned)]);
    let mut header = SequenceContainer::new(name("/r/header"));
    header.r#abstract = true;
    let mut packet = SequenceContainer::new(name("/r/packet"));
    packet.base = Some(header.name.clone());
    let mut bit_offset = 0;
    for (idx, data_type) in types.iter().enumerate() {
        let parameter = name(&format!("/r/p{idx}"));
        model.parameter_types.insert(name(&format!("/r/t{idx}")), data_type.clone());
        model.parameters.insert(parameter.clone(), Parameter::new(parameter.clone(), name(&format!("/r/t{idx}"))));
        let size_bits = match data_type.encoding {
            Some(DataEncoding::Integer { size_bits, .. } | DataEncoding::Float { size_bits, .. }) => size_bits,
            _ => 0,
        };
        // Whole bytes are aligned; the 3- and 13-bit fields and the last one are not.
        let byte_start = (bit_offset + 7) / 8 * 8;
        let position = match idx {
            0 => 5,
            1 | 2 => 56 + 8 * (idx as i64 - 1),
            _ if idx == types.len() - 1 || size_bits % 8 != 0 => byte_start.max(128) + 3,
            _ => byte_start.max(128),
        };
        bit_offset = position + i64::from(size_bits);
        let entry = ContainerEntry {
            kind: EntryKind::Parameter(parameter),
            location: EntryLocation { reference: LocationReference::ContainerStart, offset_bits: position },
            repeat: None,
            include_if: None,
        };
        if idx <= 2 {
            header.entries.push(entry);
        } else {
            packet.entries.push(entry);
        }
    }
    packet.restriction = Some(Criteria::All(vec![equals("/r/p0", "100"), equals("/r/p1", "3")]));
    model.containers.insert(header.name.clone(), header);
    model.containers.insert(packet.name.clone(), packet);
    (model, (bit_offset as usize).div_ceil(8))
}

#[test]
fn every_kind_of_run_agrees_with_the_general_path() {
    let (model, packet_len) = model();
    assert_eq!(model.validate(), Vec::new());
    let plan = Plan::compile(&model).expect("the test model compiles");
    let id = plan.container_id(&name("/r/packet")).expect("the packet container");
    let fast = plan.fast[id.0 as usize].as_ref().expect("the packet takes the fast path");
    let n_same = fast.runs.iter().filter(|run| matches!(run.kind, RunKind::Same { .. })).count();
    assert!(n_same >= 40 && fast.runs.iter().any(|run| run.kind == RunKind::Mixed), "{:?}", fast.runs);
    let last = fast.runs.last().expect("runs");
    assert!(matches!(last.kind, RunKind::Same { read: LaneRead::Bits, .. }) && last.need_len == packet_len);
    let general = plan.clone().without_fast_path();
    let (mut fast_processor, mut general_processor) = (Processor::new(&plan), Processor::new(&general));
    let mut random = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    for round in 0..300 {
        let mut bytes: Vec<u8> = (0..packet_len).map(|_| next() as u8).collect();
        if round % 3 == 0 {
            // Small values, so that limits are crossed both ways.
            bytes.iter_mut().skip(16).for_each(|byte| *byte %= 4);
        }
        bytes[0..2].copy_from_slice(&(0x0800u16 | 100).to_be_bytes());
        bytes[7] = 3;
        if round % 2 == 0 {
            bytes[8] = 7;
        }
        // Every length from the whole packet down, with the length field fixed up.
        let cut = if round < 100 { packet_len - round % packet_len } else { packet_len };
        bytes.truncate(cut.max(6));
        let declared = (bytes.len().max(7) - 7) as u16;
        bytes[4..6].copy_from_slice(&declared.to_be_bytes());
        if bytes.len() == packet_len {
            // Whole packets take the fast path all the way (no field falls back to the general path).
            let (mut latest, mut out) = (vec![None; plan.parameters.len()], Vec::new());
            let mut walk = Walk { plan: &plan, packet: &bytes, latest: &mut latest, out: &mut out };
            assert_eq!(walk.decode_fast(fast), Ok(()));
        }
        let (mut fast_out, mut general_out) = (Vec::new(), Vec::new());
        let fast_result = fast_processor.process(&bytes, &mut fast_out);
        let general_result = general_processor.process(&bytes, &mut general_out);
        assert_eq!(fast_result, general_result, "{bytes:02x?}");
        assert_eq!(fast_out, general_out, "{bytes:02x?}");
        // The parameters processing reads back (the restriction's) have the same latest values.
        for parameter in ["/r/p0", "/r/p1", "/r/p2"].map(|p| plan.parameter_id(&name(p)).expect("a parameter")) {
            assert_eq!(fast_processor.latest(parameter), general_processor.latest(parameter));
        }
    }
}
