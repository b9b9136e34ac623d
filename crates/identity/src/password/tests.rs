//! Passwords hash to Argon2id PHC strings and verify only with the right password.

use super::*;

const CHEAP: PasswordParams = PasswordParams::TEST_ONLY_CHEAP;

#[test]
fn the_right_password_verifies_and_a_wrong_one_does_not() {
    let phc = hash_password("correct horse battery", CHEAP, [7; SALT_LEN]).unwrap();
    assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
    assert!(verify_password(&phc, "correct horse battery"));
    assert!(!verify_password(&phc, "correct horse batterY"));
    assert!(!verify_password(&phc, ""));
    assert!(!verify_password("not a phc", "correct horse battery"));
    let other_salt = hash_password("correct horse battery", CHEAP, [8; SALT_LEN]).unwrap();
    assert_ne!(phc, other_salt);
}

#[test]
fn the_default_parameters_are_owasps() {
    let params = PasswordParams::default();
    assert_eq!((params.m_kib, params.t, params.p), (19_456, 2, 1));
    assert!(params.argon2().is_ok());
}

#[test]
fn an_argon2i_or_argon2d_hash_is_not_accepted() {
    let phc = hash_password("correct horse battery", CHEAP, [7; SALT_LEN]).unwrap();
    let argon2i = phc.replacen("$argon2id$", "$argon2i$", 1);
    assert!(!verify_password(&argon2i, "correct horse battery"));
}

#[test]
fn the_policy_counts_characters_and_bounds_bytes() {
    assert_eq!(
        check_password_policy("elevenchars").unwrap_err().to_string(),
        "password: 11 characters, need at least 12"
    );
    assert!(check_password_policy("twelve chars").is_ok());
    assert!(check_password_policy("ééééééééééé").is_err()); // 11 characters, 22 bytes
    let long = "x".repeat(PASSWORD_BYTES_MAX + 1);
    assert_eq!(check_password_policy(&long).unwrap_err().to_string(), "password: 1025 bytes, at most 1024");
    assert!(hash_password(&long, CHEAP, [0; SALT_LEN]).is_err());
    assert!(!verify_password("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", &long));
}

#[test]
fn bad_parameters_say_which() {
    let bad = PasswordParams { m_kib: 1, t: 0, p: 1 };
    let error = hash_password("correct horse battery", bad, [0; SALT_LEN]).unwrap_err().to_string();
    assert!(error.starts_with("password hashing parameters m=1 KiB, t=0, p=1: "), "{error}");
}
