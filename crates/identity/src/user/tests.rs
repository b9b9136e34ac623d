//! Names are checked, and a record's Debug never shows the password hash.

use super::*;

#[test]
fn names_are_slug_like() {
    for name in ["alice", "ops.lead-2", "ci_bot", "a"] {
        assert!(check_name(name).is_ok(), "{name}");
    }
    assert_eq!(check_name("").unwrap_err().to_string(), "name is empty");
    assert_eq!(check_name(&"a".repeat(65)).unwrap_err().to_string(), "name of 65 bytes: at most 64");
    assert_eq!(
        check_name("Alice\n").unwrap_err().to_string(),
        "name `Alice\\n`: only lowercase letters, digits, `-`, `_` and `.`"
    );
    assert!(check_name("al ice").is_err());
    assert!(check_name("al/ice").is_err());
}

#[test]
fn debug_never_shows_the_password_hash() {
    let grants = vec![crate::parse_grant("sentinel-x/ops/operator").unwrap()];
    let user = UserRecord::new("alice", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$SECRETHASH".into(), grants, 5).unwrap();
    expect_test::expect![[r#"UserRecord { name: "alice", password_phc: "[redacted]", grants: ["sentinel-x/ops/operator"], disabled: false, created_ms: 5 }"#]]
        .assert_eq(&format!("{user:?}"));
    assert!(UserRecord::new("Bad Name", String::new(), Vec::new(), 0).is_err());
}
