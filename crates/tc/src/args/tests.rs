//! One check per argument rule, on a small hand-built model.

use super::*;
use expect_test::{expect, Expect};
use model::{
    ArgumentAssignment, BaseCommand, BinarySize, ByteOrder, CommandArgument, DataEncoding, DataType, EnumValue,
    IntegerSign, Range, StringSize, TypeKind,
};
use proptest::prelude::*;

fn name(text: &str) -> QualifiedName {
    QualifiedName::parse(text).expect("a name")
}

fn typed(kind: TypeKind, encoding: Option<DataEncoding>) -> DataType {
    DataType { encoding, ..DataType::new(kind) }
}

fn int_encoding(size_bits: u8, sign: IntegerSign) -> Option<DataEncoding> {
    Some(DataEncoding::Integer { size_bits, sign, byte_order: ByteOrder::BigEndian })
}

/// `/T/base` (abstract: `apid` assigned by `/T/cmd`) and `/T/cmd` with one argument per rule.
fn test_model() -> MissionModel {
    let mut model = MissionModel::default();
    let types = [
        (
            "u8",
            typed(
                TypeKind::Integer { signed: false, size_bits: 32, valid_range: None },
                int_encoding(8, IntegerSign::Unsigned),
            ),
        ),
        (
            "i16r",
            typed(
                TypeKind::Integer {
                    signed: true,
                    size_bits: 32,
                    valid_range: Some(Range::inclusive(Some(-10.0), Some(10.0))),
                },
                int_encoding(16, IntegerSign::TwosComplement),
            ),
        ),
        (
            "f",
            typed(
                TypeKind::Float { size_bits: 32, valid_range: Some(Range::inclusive(Some(0.0), Some(1.5))) },
                Some(DataEncoding::Float {
                    size_bits: 32,
                    format: model::FloatFormat::Ieee754,
                    byte_order: ByteOrder::BigEndian,
                }),
            ),
        ),
        (
            "b",
            typed(TypeKind::Boolean { one: "ON".into(), zero: "OFF".into() }, int_encoding(1, IntegerSign::Unsigned)),
        ),
        (
            "e",
            typed(
                TypeKind::Enumerated {
                    values: vec![
                        EnumValue { value: 1, max: None, label: "ONE".into(), description: None },
                        EnumValue { value: 5, max: Some(7), label: "FIVE_TO_SEVEN".into(), description: None },
                    ],
                },
                int_encoding(8, IntegerSign::Unsigned),
            ),
        ),
        (
            "s",
            typed(
                TypeKind::String { length_range: Some((1, 4)) },
                Some(DataEncoding::String {
                    size: StringSize::LeadingSize { length_bits: 8, max_bits: None },
                    charset: "US-ASCII".into(),
                }),
            ),
        ),
        (
            "bin",
            typed(
                TypeKind::Binary { length_range: None },
                Some(DataEncoding::Binary { size: BinarySize::Fixed { size_bits: 16 } }),
            ),
        ),
    ];
    for (local, data_type) in types {
        model.argument_types.insert(name(&format!("/T/{local}")), data_type);
    }
    let argument = |arg: &str, type_local: &str, initial: Option<&str>| CommandArgument {
        name: arg.into(),
        type_ref: name(&format!("/T/{type_local}")),
        description: None,
        initial_value: initial.map(String::from),
    };
    let mut base = MetaCommand::new(name("/T/base"));
    base.r#abstract = true;
    base.arguments = vec![argument("apid", "u8", None), argument("count", "u8", Some("3"))];
    let mut command = MetaCommand::new(name("/T/cmd"));
    command.base = Some(BaseCommand {
        command: name("/T/base"),
        assignments: vec![ArgumentAssignment { argument: "apid".into(), value: "7".into() }],
    });
    command.arguments = ["i16r", "f", "b", "e", "s", "bin"]
        .iter()
        .map(|t| {
            argument(
                t,
                t,
                Some(match *t {
                    "i16r" => "0",
                    "f" => "1",
                    "b" => "OFF",
                    "e" => "ONE",
                    "s" => "ab",
                    _ => "0000",
                }),
            )
        })
        .collect();
    model.commands.insert(base.name.clone(), base);
    model.commands.insert(command.name.clone(), command);
    model
}

#[track_caller]
fn check_args(command: &str, given: &[(&str, ArgValue)], expect: Expect) {
    let given: Vec<(String, ArgValue)> = given.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
    let actual = match check(&test_model(), &name(command), &given) {
        Ok(checked) => format!("{:?}", checked.values),
        Err(err) => err.to_string(),
    };
    expect.assert_eq(&actual);
}

fn text(value: &str) -> ArgValue {
    ArgValue::Text(value.to_string())
}

#[test]
fn defaults_and_assignments() {
    check_args(
        "/T/cmd",
        &[],
        expect![[
            r#"{"apid": Integer(7), "b": Bool(false), "bin": Bytes([0, 0]), "count": Integer(3), "e": Text("ONE"), "f": Float(1.0), "i16r": Integer(0), "s": Text("ab")}"#
        ]],
    );
    check_args(
        "/T/cmd",
        &[("apid", ArgValue::Integer(1))],
        expect![[r#"command /T/cmd: argument "apid" is fixed to 7 by /T/cmd, it cannot be given"#]],
    );
    check_args(
        "/T/cmd",
        &[("nope", ArgValue::Integer(1))],
        expect![[r#"command /T/cmd: no argument "nope" (arguments: count, i16r, f, b, e, s, bin)"#]],
    );
    check_args(
        "/T/cmd",
        &[("count", ArgValue::Integer(1)), ("count", ArgValue::Integer(2))],
        expect![[r#"command /T/cmd: argument "count" is given twice"#]],
    );
    check_args("/T/base", &[], expect!["command /T/base: abstract, it can only be the base of another command"]);
    check_args("/T/none", &[], expect!["command /T/none: not in the model"]);
}

#[test]
fn integers() {
    check_args(
        "/T/cmd",
        &[("count", ArgValue::Integer(300))],
        expect![[r#"argument "count": 300 is above the maximum 255 (8-bit unsigned encoding)"#]],
    );
    check_args(
        "/T/cmd",
        &[("count", text("-1"))],
        expect![[r#"argument "count": -1 is below the minimum 0 (32-bit unsigned type)"#]],
    );
    check_args(
        "/T/cmd",
        &[("count", text("0x2A")), ("i16r", text("-10"))],
        expect![[
            r#"{"apid": Integer(7), "b": Bool(false), "bin": Bytes([0, 0]), "count": Integer(42), "e": Text("ONE"), "f": Float(1.0), "i16r": Integer(-10), "s": Text("ab")}"#
        ]],
    );
    check_args(
        "/T/cmd",
        &[("i16r", ArgValue::Integer(11))],
        expect![[r#"argument "i16r": 11 is above the maximum 10 (valid range)"#]],
    );
    check_args("/T/cmd", &[("count", text("forty"))], expect![[r#"argument "count": "forty" is not an integer"#]]);
    check_args("/T/cmd", &[("count", ArgValue::Float(1.5))], expect![[r#"argument "count": 1.5 is not an integer"#]]);
}

#[test]
fn floats() {
    check_args(
        "/T/cmd",
        &[("f", text("1.6"))],
        expect![[r#"argument "f": 1.6 is above the maximum 1.5 (valid range)"#]],
    );
    check_args("/T/cmd", &[("f", ArgValue::Float(f64::NAN))], expect![[r#"argument "f": NaN is not a finite number"#]]);
    check_args("/T/cmd", &[("f", ArgValue::Bool(true))], expect![[r#"argument "f": true is not a number"#]]);
}

#[test]
fn booleans_enumerations_strings_binary() {
    check_args(
        "/T/cmd",
        &[("b", text("maybe"))],
        expect![[r#"argument "b": "maybe" is not a boolean ("ON" or "OFF")"#]],
    );
    check_args(
        "/T/cmd",
        &[("e", text("TWO"))],
        expect![[r#"argument "e": "TWO" is not one of the labels ONE, FIVE_TO_SEVEN"#]],
    );
    check_args(
        "/T/cmd",
        &[("e", ArgValue::Integer(4))],
        expect![[r#"argument "e": 4 is not one of the labels ONE, FIVE_TO_SEVEN nor their values"#]],
    );
    check_args("/T/cmd", &[("s", text("abcde"))], expect![[r#"argument "s": 5 characters, at most 4 allowed"#]]);
    check_args("/T/cmd", &[("s", text(""))], expect![[r#"argument "s": 0 characters, at least 1 needed"#]]);
    check_args("/T/cmd", &[("s", text("é"))], expect![[r#"argument "s": "é" is not US-ASCII"#]]);
    check_args(
        "/T/cmd",
        &[("bin", text("0x010203"))],
        expect![[r#"argument "bin": 3 bytes, the encoding holds at most 2"#]],
    );
    check_args("/T/cmd", &[("bin", text("0g"))], expect![[r#"argument "bin": "0g" is not hex bytes"#]]);
    check_args(
        "/T/cmd",
        &[("b", text("on")), ("e", ArgValue::Integer(6)), ("s", text("abcd")), ("bin", ArgValue::Bytes(vec![1, 2]))],
        expect![[
            r#"{"apid": Integer(7), "b": Bool(true), "bin": Bytes([1, 2]), "count": Integer(3), "e": Integer(6), "f": Float(1.0), "i16r": Integer(0), "s": Text("abcd")}"#
        ]],
    );
}

fn any_value() -> impl Strategy<Value = ArgValue> {
    let leaf = prop_oneof![
        any::<i128>().prop_map(ArgValue::Integer),
        any::<f64>().prop_map(ArgValue::Float),
        ".{0,12}".prop_map(ArgValue::Text),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(ArgValue::Bytes),
        any::<bool>().prop_map(ArgValue::Bool),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| proptest::collection::vec(inner, 0..4).prop_map(ArgValue::Array))
}

proptest! {
    #[test]
    fn random_values_never_panic(values in proptest::collection::vec(any_value(), 8)) {
        let model = test_model();
        let names = ["count", "i16r", "f", "b", "e", "s", "bin", "apid"];
        for (arg, value) in names.iter().zip(values) {
            if let Ok(checked) = check(&model, &name("/T/cmd"), &[(arg.to_string(), value)]) {
                crate::encode::encode(&model, &checked).expect("a checked command encodes");
            }
        }
    }
}
