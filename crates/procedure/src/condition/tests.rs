//! Conditions: parsing (and printing back), then checking values.

use super::Condition;
use expect_test::{expect, Expect};
use serde_json::json;

#[track_caller]
fn check_parse(cases: &[&str], expect: Expect) {
    let got: Vec<String> = cases
        .iter()
        .map(|text| match Condition::parse(text) {
            Ok(condition) => format!("{text:?} → {condition}"),
            Err(error) => format!("{text:?} → error: {error}"),
        })
        .collect();
    expect.assert_eq(&got.join("\n"));
}

#[test]
fn parses_every_form_and_names_what_is_wrong() {
    check_parse(
        &[
            "> 20",
            ">=20.5",
            "< -3",
            "<= 1e3",
            "== 0",
            "!= 7",
            "== \"ON\"",
            "!= \"OFF\"",
            "== true",
            "in 20..30",
            "in -5 .. 5",
            "",
            "20",
            "> \"ON\"",
            "== ON",
            "== inf",
            "in 30..20",
            "in 20",
            "== \"a\"b\"",
        ],
        expect![[r#"
            "> 20" → > 20
            ">=20.5" → >= 20.5
            "< -3" → < -3
            "<= 1e3" → <= 1000
            "== 0" → == 0
            "!= 7" → != 7
            "== \"ON\"" → == "ON"
            "!= \"OFF\"" → != "OFF"
            "== true" → == true
            "in 20..30" → in 20..30
            "in -5 .. 5" → in -5..5
            "" → error: empty condition; write e.g. `> 20`, `in 20..30` or `== "ON"`
            "20" → error: `20` does not start with an operator (==, !=, <, <=, >, >=, in)
            "> \"ON\"" → error: `>` compares numbers, not `"ON"`
            "== ON" → error: `ON` is not a number, a quoted label or true/false
            "== inf" → error: `inf` is not a number, a quoted label or true/false
            "in 30..20" → error: `30..20` is not a range `LOW..HIGH` of numbers with LOW <= HIGH
            "in 20" → error: `20` is not a range `LOW..HIGH` of numbers with LOW <= HIGH
            "== \"a\"b\"" → error: `"a"b"` is not a number, a quoted label or true/false"#]],
    );
}

#[test]
fn checks_values_of_every_kind() {
    let cases = [
        ("> 20", json!(20.5), true),
        ("> 20", json!(20), false),
        (">= 20", json!(20), true),
        ("< 0", json!(-1), true),
        ("<= -1", json!(-1.0), true),
        ("== 3", json!(3), true),
        ("!= 3", json!(3), false),
        ("in 20..30", json!(20), true),
        ("in 20..30", json!(30), true),
        ("in 20..30", json!(30.01), false),
        ("== \"ON\"", json!("ON"), true),
        ("== \"ON\"", json!("OFF"), false),
        ("!= \"ON\"", json!("OFF"), true),
        ("== true", json!(true), true),
        ("== false", json!(true), false),
        // Different kinds never meet a condition, not even `!=`.
        ("!= \"ON\"", json!(1), false),
        ("> 20", json!("25"), false),
        ("in 0..1", json!(null), false),
    ];
    for (text, value, holds) in cases {
        let condition = Condition::parse(text).unwrap();
        assert_eq!(condition.check(&value).is_ok(), holds, "{text} on {value}: {:?}", condition.check(&value));
    }
}

#[test]
fn says_why_a_value_fails() {
    let why = |text: &str, value| Condition::parse(text).unwrap().check(&value).unwrap_err();
    expect![[r#"value 12.5 is not > 20"#]].assert_eq(&why("> 20", json!(12.5)));
    expect![[r#"value "OFF" is not == "ON""#]].assert_eq(&why("== \"ON\"", json!("OFF")));
    expect![[r#"value 3 cannot be compared with "ON""#]].assert_eq(&why("== \"ON\"", json!(3)));
    expect![[r#"value null is not a number"#]].assert_eq(&why("in 0..1", json!(null)));
}
