//! Tokens: issued with a scope and a life, checked against their hash, refused with a reason
//! when expired, revoked, wrong or malformed, and never printed.

use super::*;
use crate::parse_grant;
use proptest::prelude::*;

const T0: u64 = 1_700_000_000_000;

fn random(seed: u8) -> [u8; TOKEN_RANDOM_LEN] {
    std::array::from_fn(|i| seed.wrapping_add(i as u8))
}

fn grants(texts: &[&str]) -> Vec<Grant> {
    texts.iter().map(|t| parse_grant(t).unwrap()).collect()
}

fn token(grant_texts: &[&str], envs: Option<Vec<Env>>) -> (TokenRecord, SecretText) {
    issue("ci-deploy", "alice", grants(grant_texts), envs, Some(1_000), T0, random(1)).unwrap()
}

#[test]
fn an_issued_token_is_shown_once_and_stored_as_a_hash() {
    let (record, text) = token(&["sentinel-x/dev/operator"], None);
    assert_eq!(text.expose(), format!("gpt_010203040506_{}", base::hex(&random(1)[6..])));
    assert_eq!(record.id, "010203040506");
    assert_eq!(record.hash, token_hash(text.expose()));
    assert_eq!(record.expires_ms, T0 + 1_000);
    assert_eq!(record.check(text.expose(), T0), Ok(()));
    expect_test::expect![[r#"TokenRecord { id: "010203040506", name: "ci-deploy", owner: "alice", grants: ["sentinel-x/dev/operator"], envs: Some([Dev]), created_ms: 1700000000000, expires_ms: 1700000001000, revoked_ms: None, hash: "[redacted]" }"#]]
        .assert_eq(&format!("{record:?}"));
    assert_eq!(format!("{text:?}|{text}"), "[redacted]|[redacted]");
    let presented = parse_presented(text.expose()).unwrap();
    assert_eq!(format!("{presented:?}"), r#"Presented { id: "010203040506", text: "[redacted]" }"#);
    let view = serde_json::to_string(&record.view()).unwrap();
    assert!(!view.contains(&text.expose()[17..]) && !view.contains(&base::hex(&record.hash)), "{view}");
}

#[test]
fn a_token_expires_at_its_expiry_time() {
    let (record, text) = token(&["sentinel-x/dev/operator"], None);
    assert_eq!(record.check(text.expose(), T0 + 999), Ok(()));
    assert_eq!(record.check(text.expose(), T0 + 1_000), Err(TokenRefusal::Expired { at_ms: T0 + 1_000 }));
    assert_eq!(record.view().status(T0 + 1_000), "expired");
}

#[test]
fn a_revoked_token_is_refused_and_revoking_twice_says_so() {
    let (mut record, text) = token(&["sentinel-x/dev/operator"], None);
    assert_eq!(record.revoke(T0 + 5), Revocation::Revoked { at_ms: T0 + 5 });
    assert_eq!(record.revoke(T0 + 6), Revocation::AlreadyRevoked { at_ms: T0 + 5 });
    assert_eq!(record.check(text.expose(), T0 + 7), Err(TokenRefusal::Revoked { at_ms: T0 + 5 }));
    assert_eq!(record.view().status(T0 + 7), "revoked");
}

#[test]
fn a_wrong_secret_with_the_right_id_is_a_mismatch_before_anything_else() {
    let (mut record, text) = token(&["sentinel-x/dev/operator"], None);
    let mut wrong = text.expose().to_string();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(wrong.len() - 1.., last);
    assert_eq!(record.check(&wrong, T0), Err(TokenRefusal::Mismatch));
    // Revoked and expired are told only to the holder of the secret.
    record.revoke(T0);
    assert_eq!(record.check(&wrong, T0 + 10_000), Err(TokenRefusal::Mismatch));
    // Another token's text never matches, even with this token's hash copied.
    let (other, other_text) = issue("x", "bob", grants(&["a/dev/viewer"]), None, None, T0, random(9)).unwrap();
    assert_eq!(record.check(other_text.expose(), T0), Err(TokenRefusal::Mismatch));
    assert_eq!(
        TokenRecord { hash: other.hash, ..record.clone() }.check(other_text.expose(), T0),
        Err(TokenRefusal::Mismatch)
    );
}

#[test]
fn malformed_tokens_are_refused_with_a_reason() {
    let good = format!("gpt_0123456789ab_{}", "c".repeat(64));
    assert!(parse_presented(&good).is_ok());
    let cases = [
        ("", "token malformed: it does not start with gpt_"),
        ("Bearer gpt_", "token malformed: it does not start with gpt_"),
        ("gpt_", "token malformed: wrong length"),
        (&good[..good.len() - 1], "token malformed: wrong length"),
        (&format!("{good}0"), "token malformed: wrong length"),
        (&good.replacen("0123456789ab", "0123456789AB", 1), "token malformed: the id is not 12 lowercase hex digits"),
        (&good.replacen("ab_", "abc", 1), "token malformed: no _ after the id"),
        (&good.replacen("cc", "zz", 1), "token malformed: the secret is not 64 lowercase hex digits"),
        (&format!("gpt_0123456789a{}", "é".repeat(33)), "token malformed: the id is not 12 lowercase hex digits"),
    ];
    for (text, message) in cases {
        assert_eq!(parse_presented(text).map(|_| ()).unwrap_err().to_string(), message, "{text:?}");
    }
    let (record, _) = token(&["sentinel-x/dev/operator"], None);
    assert!(matches!(record.check("garbage", T0), Err(TokenRefusal::Malformed { .. })));
}

#[test]
fn envs_come_from_the_grants_unless_given_and_never_reach_beyond_them() {
    let (dev_aiv, _) = token(&["sentinel-x/dev/operator", "sentinel-x/aiv/viewer"], None);
    assert_eq!(dev_aiv.envs, Some(vec![Env::Dev, Env::Aiv]));
    let (all, _) = token(&["*/*/platform-admin"], None);
    assert_eq!(all.envs, None);
    let (narrowed, _) = token(&["*/*/platform-admin"], Some(vec![Env::Ops, Env::Dev, Env::Ops]));
    assert_eq!(narrowed.envs, Some(vec![Env::Dev, Env::Ops]));
    let error = issue("t", "alice", grants(&["sentinel-x/dev/operator"]), Some(vec![Env::Ops]), None, T0, random(1));
    assert_eq!(error.unwrap_err().to_string(), "token t: environment ops is in none of its grants");
    let error = issue("t", "alice", grants(&["sentinel-x/dev/operator"]), Some(vec![]), None, T0, random(1));
    assert!(matches!(error, Err(TokenError::NoEnvs { .. })));
}

#[test]
fn issuing_checks_name_owner_grants_and_life() {
    let ok = grants(&["sentinel-x/dev/operator"]);
    let issue = |name: &str, owner: &str, grants: Vec<Grant>, ttl| issue(name, owner, grants, None, ttl, T0, random(1));
    assert_eq!(issue("t", "alice", ok.clone(), None).unwrap().0.expires_ms, T0 + TOKEN_TTL_DEFAULT_MS);
    assert!(issue("t", "alice", ok.clone(), Some(TOKEN_TTL_MAX_MS)).is_ok());
    let cases = [
        (
            issue("t", "alice", ok.clone(), Some(TOKEN_TTL_MAX_MS + 1)),
            "token t: a life of 31536000001 ms; need 1 ms to 31536000000 ms (365 days)",
        ),
        (issue("t", "alice", ok.clone(), Some(0)), "token t: a life of 0 ms; need 1 ms to 31536000000 ms (365 days)"),
        (issue("t", "alice", Vec::new(), None), "token t: no grant (a token needs at least one mission/env/role)"),
        (
            issue("CI Deploy", "alice", ok.clone(), None),
            "token name: name `CI Deploy`: only lowercase letters, digits, `-`, `_` and `.`",
        ),
        (issue("t", "", ok.clone(), None), "token owner: name is empty"),
    ];
    for (result, message) in cases {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
}

proptest! {
    #[test]
    fn random_text_never_panics_the_parser_or_the_check(text in "\\PC{0,120}", near in "[0-9a-f_]{0,80}") {
        let (record, _) = token(&["sentinel-x/dev/operator"], None);
        let _ = parse_presented(&text);
        prop_assert!(record.check(&text, T0).is_err());
        let near = format!("gpt_{near}");
        let _ = parse_presented(&near);
        prop_assert!(record.check(&near, T0).is_err());
    }
}
