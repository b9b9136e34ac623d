//! The standard telemetry workload of `shared/bench/WORKLOAD.md`: 148-byte PUS-C-like HK
//! packets (APID 100, TM[3,25]) of 40 parameters, values from splitmix64, CRC-16 at the end,
//! and the mission model that describes them.

use model::*;

/// Length of one workload packet.
pub const PACKET_LEN: usize = 148;
/// Parameters per packet.
pub const N_PARAMS: usize = 40;
/// The generator's default seed.
pub const SEED: u64 = 0x00C0_FFEE;
/// SHA-256 of the default file (1,000,000 packets), from WORKLOAD.md.
pub const DIGEST_1M: &str = "sha256:3456079daaa690d58e239d0e6beffaa0ce0ef9ed69248347762cb0259e1f175b";

fn splitmix64(n: u64, seed: u64) -> u64 {
    let mut z = seed.wrapping_add((n + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Packet `i` of the workload, written into `out` (148 bytes).
pub fn write_packet(i: u64, seed: u64, out: &mut [u8; PACKET_LEN]) {
    out[0..2].copy_from_slice(&0x0864u16.to_be_bytes());
    out[2..4].copy_from_slice(&(0xC000 | (i & 0x3FFF) as u16).to_be_bytes());
    out[4..6].copy_from_slice(&((PACKET_LEN - 7) as u16).to_be_bytes());
    out[6] = 0x20;
    out[7] = 3;
    out[8] = 25;
    out[9..11].copy_from_slice(&((i & 0xFFFF) as u16).to_be_bytes());
    out[11..16].fill(0);
    let r = |j: u64| splitmix64(i * N_PARAMS as u64 + j, seed);
    for j in 0..10 {
        out[16 + j] = (r(j as u64) >> 56) as u8;
        out[26 + 2 * j..28 + 2 * j].copy_from_slice(&((r(10 + j as u64) >> 48) as u16).to_be_bytes());
        out[46 + 4 * j..50 + 4 * j].copy_from_slice(&((r(20 + j as u64) >> 32) as u32).to_be_bytes());
    }
    for j in 0..5 {
        let k32 = (r(30 + j as u64) >> 40) as i64 - (1 << 23);
        out[86 + 4 * j..90 + 4 * j].copy_from_slice(&((k32 as f64 / 256.0) as f32).to_be_bytes());
        let k64 = (r(35 + j as u64) >> 31) as i64 - (1 << 32);
        out[106 + 8 * j..114 + 8 * j].copy_from_slice(&(k64 as f64 / 4096.0).to_be_bytes());
    }
    let crc = ccsds::crc16_ccitt_false(&out[..PACKET_LEN - 2]);
    out[PACKET_LEN - 2..].copy_from_slice(&crc.to_be_bytes());
}

/// The whole workload: `count` packets back to back.
pub fn generate(count: u64, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; count as usize * PACKET_LEN];
    let mut packet = [0u8; PACKET_LEN];
    for (i, chunk) in bytes.chunks_exact_mut(PACKET_LEN).enumerate() {
        write_packet(i as u64, seed, &mut packet);
        chunk.copy_from_slice(&packet);
    }
    bytes
}

/// The 40 parameter names in packet order.
pub fn parameter_names() -> Vec<String> {
    let mut names = Vec::with_capacity(N_PARAMS);
    for (prefix, n) in [("U8", 10), ("U16", 10), ("I32", 10), ("F32", 5), ("F64", 5)] {
        names.extend((0..n).map(|k| format!("{prefix}_{k:02}")));
    }
    names
}

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("workload names are absolute")
}

fn int_type(size_bits: u8, sign: IntegerSign) -> DataType {
    let signed = sign != IntegerSign::Unsigned;
    let mut data_type = DataType::new(TypeKind::Integer { signed, size_bits, valid_range: None });
    data_type.encoding = Some(DataEncoding::Integer { size_bits, sign, byte_order: ByteOrder::BigEndian });
    data_type
}

fn float_type(size_bits: u8) -> DataType {
    let mut data_type = DataType::new(TypeKind::Float { size_bits, valid_range: None });
    data_type.encoding =
        Some(DataEncoding::Float { size_bits, format: FloatFormat::Ieee754, byte_order: ByteOrder::BigEndian });
    data_type
}

fn ranges(warning: Option<Range>, critical: Option<Range>) -> Option<Alarm> {
    Some(Alarm::Ranges {
        min_violations: 1,
        ranges: AlarmRanges { warning, critical, ..AlarmRanges::default() },
        delta: None,
    })
}

/// The workload's mission model: a PUS TM header (abstract) and the HK packet restricted to
/// APID 100, service 3, subtype 25, with `CAL_U16` calibration and the WORKLOAD.md limits.
pub fn model() -> MissionModel {
    let mut model = MissionModel { name: "bench".into(), ..MissionModel::default() };
    model.space_systems.insert(name("/bench"), SpaceSystem::default());
    let mut u8_type = int_type(8, IntegerSign::Unsigned);
    u8_type.alarm = ranges(Some(Range::inclusive(None, Some(200.0))), Some(Range::inclusive(None, Some(250.0))));
    let mut u16_type = int_type(16, IntegerSign::Unsigned);
    u16_type.calibrator = Some(Calibrator::Polynomial { coefficients: vec![0.5, 2.0] });
    u16_type.alarm = ranges(Some(Range::inclusive(Some(1000.0), Some(120_000.0))), None);
    let mut f64_type = float_type(64);
    f64_type.alarm = ranges(None, Some(Range::inclusive(Some(-1e6), Some(1e6))));
    let types = [
        ("U8", u8_type),
        ("CAL_U16", u16_type),
        ("I32", int_type(32, IntegerSign::TwosComplement)),
        ("F32", float_type(32)),
        ("F64", f64_type),
        ("U11", int_type(11, IntegerSign::Unsigned)),
        ("U14", int_type(14, IntegerSign::Unsigned)),
        ("U8_HEADER", int_type(8, IntegerSign::Unsigned)),
        ("U16_HEADER", int_type(16, IntegerSign::Unsigned)),
    ];
    for (type_name, data_type) in types {
        model.parameter_types.insert(name(&format!("/bench/{type_name}")), data_type);
    }
    let mut add = |param: &str, type_name: &str| {
        let qualified = name(&format!("/bench/{param}"));
        let parameter = Parameter::new(qualified.clone(), name(&format!("/bench/{type_name}")));
        model.parameters.insert(qualified, parameter);
    };
    for (param, type_name) in [
        ("APID", "U11"),
        ("SEQ_COUNT", "U14"),
        ("SERVICE", "U8_HEADER"),
        ("SUBTYPE", "U8_HEADER"),
        ("MSG_COUNTER", "U16_HEADER"),
    ] {
        add(param, type_name);
    }
    for param in parameter_names() {
        let type_name = match &param[..param.find('_').unwrap_or(0)] {
            "U16" => "CAL_U16",
            prefix => prefix,
        };
        add(&param, type_name);
    }
    let at = |param: &str, offset_bits: i64| ContainerEntry {
        kind: EntryKind::Parameter(name(&format!("/bench/{param}"))),
        location: EntryLocation { reference: LocationReference::ContainerStart, offset_bits },
        repeat: None,
        include_if: None,
    };
    let mut header = SequenceContainer::new(name("/bench/TM_HEADER"));
    header.r#abstract = true;
    header.entries =
        vec![at("APID", 5), at("SEQ_COUNT", 18), at("SERVICE", 56), at("SUBTYPE", 64), at("MSG_COUNTER", 72)];
    model.containers.insert(header.name.clone(), header);
    let equals = |param: &str, value: &str| {
        Criteria::Compare(Comparison {
            left: ParamRef::raw(name(&format!("/bench/{param}"))),
            op: ComparisonOp::Eq,
            right: Operand::Value(value.into()),
        })
    };
    let mut hk = SequenceContainer::new(name("/bench/HK"));
    hk.base = Some(name("/bench/TM_HEADER"));
    hk.restriction = Some(Criteria::All(vec![equals("APID", "100"), equals("SERVICE", "3"), equals("SUBTYPE", "25")]));
    hk.entries = parameter_names()
        .iter()
        .enumerate()
        .map(|(idx, param)| {
            if idx == 0 {
                at(param, 128)
            } else {
                ContainerEntry::next(EntryKind::Parameter(name(&format!("/bench/{param}"))))
            }
        })
        .collect();
    model.containers.insert(hk.name.clone(), hk);
    model
}
