//! Master keys and secret names from text.

use crate::{MasterKey, SecretName};
use expect_test::expect;

#[test]
fn master_keys_parse_from_hex_or_raw_bytes_and_errors_give_only_a_length() {
    let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let cases: [(&str, Vec<u8>); 9] = [
        ("hex", hex.as_bytes().to_vec()),
        ("hex with a newline", format!("{hex}\n").into_bytes()),
        ("upper-case hex", hex.to_uppercase().into_bytes()),
        ("raw bytes", (0u8..32).collect()),
        ("63 digits", hex.as_bytes()[1..].to_vec()),
        ("65 digits", format!("{hex}0").into_bytes()),
        ("not hex", hex.replace('a', "g").into_bytes()),
        ("empty", Vec::new()),
        ("a space inside", format!("{} {}", &hex[..32], &hex[32..]).into_bytes()),
    ];
    let mut report = String::new();
    for (label, text) in cases {
        let answer = match MasterKey::parse(&text) {
            Ok(key) => format!("ok {}", &key.to_hex()[..8]),
            Err(error) => error.to_string(),
        };
        report.push_str(&format!("{label}: {answer}\n"));
    }
    expect![[r#"
        hex: ok 00112233
        hex with a newline: ok 00112233
        upper-case hex: ok 00112233
        raw bytes: ok 00010203
        63 digits: master key: expected 64 hex digits or 32 raw bytes, got 63 bytes (contents not shown)
        65 digits: master key: expected 64 hex digits or 32 raw bytes, got 65 bytes (contents not shown)
        not hex: master key: expected 64 hex digits or 32 raw bytes, got 64 bytes (contents not shown)
        empty: master key: expected 64 hex digits or 32 raw bytes, got 0 bytes (contents not shown)
        a space inside: master key: expected 64 hex digits or 32 raw bytes, got 65 bytes (contents not shown)
    "#]]
    .assert_eq(&report);
}

#[test]
fn secret_names_are_short_and_plain() {
    for ok in ["a", "gs-kiruna.password", "release_signing_key", "0.9-x", &"n".repeat(64)] {
        assert_eq!(ok.parse::<SecretName>().unwrap().as_str(), ok);
    }
    for bad in ["", "Upper", "a b", "a/b", "ü", &"n".repeat(65)] {
        let error = bad.parse::<SecretName>().unwrap_err().to_string();
        assert!(error.starts_with("secret name of "), "{bad}: {error}");
    }
    let json = serde_json::to_string(&"gs.password".parse::<SecretName>().unwrap()).unwrap();
    assert_eq!(json, r#""gs.password""#);
    assert!(serde_json::from_str::<SecretName>(r#""Bad Name""#).is_err());
}
