//! Tests of the model commands through the functions the CLI calls (no process spawned).

use super::*;
use test_utils::real;

#[test]
fn unknown_name_fails_with_message() {
    let outcome =
        show(&real("lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml"), Some("NoSuchThing")).unwrap();
    assert!(outcome.failed);
    assert!(outcome.stderr.contains("no parameter, type, container or command is named `NoSuchThing`"));
}

#[test]
fn not_a_model_is_a_clear_error() {
    let error = check(&real("SOURCES.md"), false).expect_err("a markdown file is not a model");
    assert!(error.to_string().contains("not a mission model"), "{error}");
}
