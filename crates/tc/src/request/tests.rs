//! One line per JSON form: the request's `arguments` object and what it becomes.

use super::*;
use expect_test::{expect, Expect};
use proptest::prelude::*;

/// Converts `arguments` (a JSON object's text) and prints each argument or the error.
fn convert(arguments: &str) -> String {
    let value: Value = serde_json::from_str(arguments).expect("test JSON");
    let Value::Object(map) = value else { panic!("test JSON is no object: {arguments}") };
    match arguments_from_json(&map) {
        Ok(values) => values.iter().map(|(name, value)| format!("{name}={value:?}")).collect::<Vec<_>>().join(" "),
        Err(err) => format!("error: {err}"),
    }
}

#[track_caller]
fn check(cases: &[&str], expect: Expect) {
    let lines: String = cases.iter().map(|case| format!("{case}\n  → {}\n", convert(case))).collect();
    expect.assert_eq(&lines);
}

#[test]
fn scalars() {
    check(
        &[
            r#"{}"#,
            r#"{"n": 42, "neg": -3, "big": 18446744073709551615, "min": -9223372036854775808}"#,
            r#"{"f": 1.5, "e": 1e3, "tiny": -0.0}"#,
            r#"{"s": "ON", "hex": "0x2A", "b": true, "c": false}"#,
        ],
        expect![[r#"
            {}
              → 
            {"n": 42, "neg": -3, "big": 18446744073709551615, "min": -9223372036854775808}
              → n=Integer(42) neg=Integer(-3) big=Integer(18446744073709551615) min=Integer(-9223372036854775808)
            {"f": 1.5, "e": 1e3, "tiny": -0.0}
              → f=Float(1.5) e=Float(1000.0) tiny=Float(-0.0)
            {"s": "ON", "hex": "0x2A", "b": true, "c": false}
              → s=Text("ON") hex=Text("0x2A") b=Bool(true) c=Bool(false)
        "#]],
    );
}

#[test]
fn arrays_and_aggregates() {
    check(
        &[
            r#"{"a": [1, "2", [3.5]]}"#,
            r#"{"agg": {"z": 1, "a": {"inner": [true]}}}"#,
            r#"{"requests": [{"source_id": 0, "apid": 1, "seqcount": 2}]}"#,
            r#"{"empty": [], "none": {}}"#,
            r#"{"twice": 1, "twice": 2}"#,
        ],
        expect![[r#"
            {"a": [1, "2", [3.5]]}
              → a=Array([Integer(1), Text("2"), Array([Float(3.5)])])
            {"agg": {"z": 1, "a": {"inner": [true]}}}
              → agg=Aggregate([("z", Integer(1)), ("a", Aggregate([("inner", Array([Bool(true)]))]))])
            {"requests": [{"source_id": 0, "apid": 1, "seqcount": 2}]}
              → requests=Array([Aggregate([("source_id", Integer(0)), ("apid", Integer(1)), ("seqcount", Integer(2))])])
            {"empty": [], "none": {}}
              → empty=Array([]) none=Aggregate([])
            {"twice": 1, "twice": 2}
              → twice=Integer(2)
        "#]],
    );
}

#[test]
fn refusals_name_the_path() {
    check(
        &[
            r#"{"x": null}"#,
            r#"{"x": [0, 1, 2, {"y": null}]}"#,
            r#"{"x": {"y": [[null]]}}"#,
            r#"{"deep": [[[[[[[[1]]]]]]]]}"#,
            r#"{"deep": [[[[[[[[[1]]]]]]]]]}"#,
            r#"{"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}}"#,
            r#"{"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}}"#,
        ],
        expect![[r#"
            {"x": null}
              → error: arguments.x: null is not a value
            {"x": [0, 1, 2, {"y": null}]}
              → error: arguments.x[3].y: null is not a value
            {"x": {"y": [[null]]}}
              → error: arguments.x.y[0][0]: null is not a value
            {"deep": [[[[[[[[1]]]]]]]]}
              → deep=Array([Array([Array([Array([Array([Array([Array([Array([Integer(1)])])])])])])])])
            {"deep": [[[[[[[[[1]]]]]]]]]}
              → error: arguments.deep[0][0][0][0][0][0][0][0]: arrays and objects nest deeper than 8
            {"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}}
              → deep=Aggregate([("a", Aggregate([("b", Aggregate([("c", Aggregate([("d", Aggregate([("e", Aggregate([("f", Aggregate([("g", Aggregate([("h", Integer(1))]))]))]))]))]))]))]))])
            {"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}}
              → error: arguments.deep.a.b.c.d.e.f.g.h: arrays and objects nest deeper than 8
        "#]],
    );
}

#[test]
fn lengths_are_bounded() {
    let elements = |n: usize| vec!["0"; n].join(",");
    let at_limit = format!(r#"{{"x": [{}]}}"#, elements(ARRAY_LEN_MAX));
    assert!(convert(&at_limit).starts_with("x=Array("));
    let over = format!(r#"{{"x": [1, [{}]]}}"#, elements(ARRAY_LEN_MAX + 1));
    assert_eq!(convert(&over), "error: arguments.x[1]: 4097 elements, at most 4096");
    let members: Vec<String> = (0..=ARRAY_LEN_MAX).map(|idx| format!(r#""m{idx}": 0"#)).collect();
    let wide = format!(r#"{{"agg": {{{}}}}}"#, members.join(","));
    assert_eq!(convert(&wide), "error: arguments.agg: 4097 elements, at most 4096");
    assert_eq!(convert(&format!("{{{}}}", members.join(","))), "error: arguments: 4097 elements, at most 4096");
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(12, 64, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(".{0,3}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// How deeply arrays and objects nest in a value (a scalar is 0).
fn nesting(value: &Value) -> usize {
    match value {
        Value::Array(elements) => 1 + elements.iter().map(nesting).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(elements) => elements.iter().any(has_null),
        Value::Object(map) => map.values().any(has_null),
        _ => false,
    }
}

proptest! {
    /// Any value converts unless it holds a null or nests too deep, and the error says which.
    #[test]
    fn any_json_converts_or_names_the_reason(value in json()) {
        let mut map = Map::new();
        map.insert("arg".to_string(), value.clone());
        match arguments_from_json(&map) {
            Ok(values) => {
                prop_assert_eq!(values.len(), 1);
                prop_assert!(!has_null(&value) && nesting(&value) <= NESTING_MAX);
            }
            Err(RequestError::Null { path }) => prop_assert!(has_null(&value) && path.starts_with("arguments.arg")),
            Err(RequestError::TooDeep { path }) => {
                prop_assert!(nesting(&value) > NESTING_MAX && path.starts_with("arguments.arg"))
            }
            Err(err @ RequestError::TooLong { .. }) => prop_assert!(false, "{err}"),
        }
    }
}
