use crate::*;
use expect_test::{expect, Expect};

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("test names are absolute")
}

fn model() -> MissionModel {
    let mut model = MissionModel { name: "s".into(), ..MissionModel::default() };
    let mut data_type = DataType::new(TypeKind::Integer { signed: false, size_bits: 8, valid_range: None });
    data_type.encoding =
        Some(DataEncoding::Integer { size_bits: 8, sign: IntegerSign::Unsigned, byte_order: ByteOrder::BigEndian });
    data_type.calibrator = Some(Calibrator::Polynomial { coefficients: vec![0.0, 1.0] });
    model.parameter_types.insert(name("/s/t"), data_type);
    let mut command = MetaCommand::new(name("/s/cmd"));
    command.arguments.push(CommandArgument {
        name: "x".into(),
        type_ref: name("/s/t"),
        description: None,
        initial_value: None,
    });
    model.commands.insert(command.name.clone(), command);
    model
}

#[track_caller]
fn check(edit: impl FnOnce(&mut MissionModel), expect: Expect) {
    let old = model();
    let mut new = model();
    edit(&mut new);
    expect.assert_eq(&ModelDiff::between(&old, &new).to_string());
}

#[test]
fn same_model_no_changes() {
    check(|_| {}, expect![["0 added, 0 removed, 0 changed"]]);
}

#[test]
fn field_changes_are_labelled() {
    check(
        |model| {
            let data_type = model.parameter_types.get_mut(&name("/s/t")).unwrap();
            data_type.calibrator = Some(Calibrator::Polynomial { coefficients: vec![0.5, 2.0] });
            data_type.alarm = Some(Alarm::Ranges {
                min_violations: 1,
                ranges: AlarmRanges { warning: Some(Range::inclusive(Some(1.0), None)), ..Default::default() },
                delta: None,
            });
            if let Some(DataEncoding::Integer { size_bits, .. }) = &mut data_type.encoding {
                *size_bits = 16;
            }
            let command = model.commands.get_mut(&name("/s/cmd")).unwrap();
            command.arguments.push(CommandArgument {
                name: "y".into(),
                type_ref: name("/s/t"),
                description: None,
                initial_value: Some("3".into()),
            });
            model.commands.insert(name("/s/new"), MetaCommand::new(name("/s/new")));
        },
        expect![[r#"
            parameter_types:
              ~ /s/t
                  [limits] alarm: (none) → {"type":"ranges","min_violations":1,"ranges":{"warning":{"min":1.0,"min_inclusive":true,"max_inclusive":true,"calibrated":true}}}
                  [calibration] calibrator.coefficients[0]: 0.0 → 0.5
                  [calibration] calibrator.coefficients[1]: 1.0 → 2.0
                  [encoding] encoding.size_bits: 8 → 16
            commands:
              ~ /s/cmd
                  [arguments] arguments[1]: (none) → {"name":"y","type_ref":"/s/t","initial_value":"3"}
              + /s/new
            1 added, 0 removed, 2 changed"#]],
    );
}
