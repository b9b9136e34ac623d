//! Grants parse from and print to the same text, and coverage is exact.

use super::*;
use proptest::prelude::*;

fn g(text: &str) -> Grant {
    parse_grant(text).unwrap()
}

#[test]
fn grants_round_trip_through_their_text() {
    for text in ["sentinel-x/ops/operator", "*/*/platform-admin", "*/aiv/viewer", "sentinel-x/*/flight-director"] {
        assert_eq!(g(text).to_string(), text);
    }
}

#[test]
fn bad_grants_say_why() {
    let cases = [
        ("", "grant ``: expected <mission|*>/<env|*>/<role>, like sentinel-x/ops/operator"),
        ("a/b", "grant `a/b`: expected <mission|*>/<env|*>/<role>, like sentinel-x/ops/operator"),
        ("a/ops/viewer/x", "grant `a/ops/viewer/x`: expected <mission|*>/<env|*>/<role>, like sentinel-x/ops/operator"),
        ("sentinel-x/prod/viewer", "grant `sentinel-x/prod/viewer`: environment `prod`: expected one of dev, aiv, ops"),
        ("sentinel-x/ops/pilot", "grant `sentinel-x/ops/pilot`: role `pilot`: expected one of viewer, operator, engineer, flight-director, mission-admin, security-officer, platform-admin"),
    ];
    for (text, message) in cases {
        assert_eq!(parse_grant(text).unwrap_err().to_string(), message, "{text}");
    }
    assert!(parse_grant("Sentinel X/ops/viewer").is_err());
    let long = format!("{}/ops/viewer", "é".repeat(200));
    assert!(parse_grant(&long).unwrap_err().to_string().len() < 400);
}

#[test]
fn coverage_is_the_same_role_in_the_same_or_a_wildcard_scope() {
    let held = [g("*/dev/operator"), g("sentinel-x/*/viewer")];
    assert!(grants_within(&[g("sentinel-x/dev/operator"), g("other/dev/operator")], &held).is_ok());
    assert!(grants_within(&[g("sentinel-x/ops/viewer"), g("*/dev/operator")], &held).is_ok());
    assert_eq!(grants_within(&[g("sentinel-x/ops/operator")], &held), Err(&g("sentinel-x/ops/operator")));
    assert_eq!(grants_within(&[g("*/*/viewer")], &held), Err(&g("*/*/viewer")));
    // A role never stands for another one, not even viewer for operator.
    assert_eq!(grants_within(&[g("sentinel-x/dev/viewer")], &[g("*/dev/operator")]), Err(&g("sentinel-x/dev/viewer")));
    // The platform admin gives platform-admin grants, nothing else.
    let admin = [g("*/*/platform-admin")];
    assert!(grants_within(&[g("*/ops/platform-admin")], &admin).is_ok());
    assert!(grants_within(&[g("sentinel-x/ops/operator")], &admin).is_err());
}

#[test]
fn envs_reached_are_the_grants_envs_unless_one_is_a_wildcard() {
    assert_eq!(envs_reached(&[g("a/aiv/viewer"), g("b/dev/operator")]), Some(vec![Env::Dev, Env::Aiv]));
    assert_eq!(envs_reached(&[g("a/aiv/viewer"), g("b/*/operator")]), None);
}

proptest! {
    #[test]
    fn random_text_never_panics_the_grant_parser(text in "\\PC{0,300}") {
        let _ = parse_grant(&text);
    }
}
