use super::*;
use expect_test::{expect, Expect};
use model::{AlarmRanges, Calibrator, DataType, IntegerSign, Parameter, Range};

/// The raw values generated for a 16-bit parameter over 10 packets a second apart.
#[track_caller]
fn check(name: &str, calibrator: Option<Calibrator>, warning: (f64, f64), expect: Expect) {
    let mut model = MissionModel::default();
    let type_name = QualifiedName::parse("/t/type").expect("name");
    let parameter = QualifiedName::parse(name).expect("name");
    let mut data_type = DataType::new(TypeKind::Integer { signed: true, size_bits: 16, valid_range: None });
    data_type.encoding = Some(DataEncoding::Integer {
        size_bits: 16,
        sign: IntegerSign::TwosComplement,
        byte_order: model::ByteOrder::BigEndian,
    });
    data_type.calibrator = calibrator;
    data_type.alarm = Some(Alarm::Ranges {
        min_violations: 1,
        ranges: AlarmRanges { warning: Some(Range::inclusive(Some(warning.0), Some(warning.1))), ..Default::default() },
        delta: None,
    });
    model.parameter_types.insert(type_name.clone(), data_type.clone());
    model.parameters.insert(parameter.clone(), Parameter::new(parameter.clone(), type_name));
    let field = generator(&model, &parameter, 16, &mut XorShift::new(1)).expect("generator");
    let raws: Vec<f64> = (0..10).map(|idx| field.raw(idx, idx * 1000)).collect();
    assert!(raws.iter().all(|raw| is_normal(&data_type, *raw)), "{raws:?}");
    expect.assert_debug_eq(&raws);
}

#[test]
fn counters_and_waves_stay_within_limits() {
    check(
        "/t/frame_count",
        None,
        (3.0, 7.0),
        expect![[r#"
        [
            3.0,
            4.0,
            5.0,
            6.0,
            7.0,
            3.0,
            4.0,
            5.0,
            6.0,
            7.0,
        ]
    "#]],
    );
    check(
        "/t/temperature",
        None,
        (-20.0, 40.0),
        expect![[r#"
        [
            36.0,
            36.0,
            35.0,
            34.0,
            32.0,
            30.0,
            28.0,
            26.0,
            24.0,
            21.0,
        ]
    "#]],
    );
    // Engineering = 0.01 * raw - 50: the normal range -20..=40 is raw 3000..=9000.
    let linear = Calibrator::Polynomial { coefficients: vec![-50.0, 0.01] };
    check(
        "/t/voltage",
        Some(linear),
        (-20.0, 40.0),
        expect![[r#"
        [
            8615.0,
            8547.0,
            8452.0,
            8330.0,
            8183.0,
            8012.0,
            7819.0,
            7606.0,
            7376.0,
            7131.0,
        ]
    "#]],
    );
}
