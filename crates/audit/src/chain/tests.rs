use super::*;
use crate::{checkpoint_due, Checkpoint, CheckpointSigner, KeySigner};
use expect_test::{expect, Expect};
use serde_json::json;

fn entry() -> Entry {
    Entry::new(1_795_000_000_123, "alice", "promote", "mission sentinel-x/ops", Outcome::Allowed)
        .with_detail(json!({"release": "sha256:ab", "gates": ["validate", "approve"], "n": -3}))
}

/// The encoding is a format: these values must never change, or every stored chain breaks.
#[test]
fn known_vectors() {
    expect!["sha256:101139867137f6b2fa483d3e6355ac052a58e527b20fa4b6f682a60722cb776d"]
        .assert_eq(&genesis().to_string());
    let mut chain = Chain::new();
    let record = chain.append(&entry()).unwrap();
    expect![[r#"{"seq":0,"at_ms":1795000000123,"principal":"alice","action":"promote","resource":"mission sentinel-x/ops","outcome":"allowed","detail":{"gates":["validate","approve"],"n":-3,"release":"sha256:ab"},"prev":"sha256:101139867137f6b2fa483d3e6355ac052a58e527b20fa4b6f682a60722cb776d","hash":"sha256:f49db2041b8234430cc3a41d235a0d0deb1d3127c27e055ab4deb6685b8e63c5"}"#]].assert_eq(&record.to_json().unwrap());
    let signer = KeySigner::from_seed([7; 32]);
    let checkpoint = Checkpoint::sign(&record, 1_795_000_060_000, &signer);
    expect![[r#"{"seq":0,"hash":"sha256:f49db2041b8234430cc3a41d235a0d0deb1d3127c27e055ab4deb6685b8e63c5","at_ms":1795000060000,"key_id":"ed25519:fe812c12f3ab4ce6","sig":"1d13737c672b06354c17339633e03f7a8c8871f1d5029c488c6322bc3ebd082290def5be6d38b7fe691fb7774301961511c2f99d0c080949515a241eb74c8b09"}"#]].assert_eq(&checkpoint.to_json());
    assert_eq!(signer.key_id(), signer.trusted().key_id());
}

#[test]
fn records_chain_and_resume() {
    let mut chain = Chain::new();
    let first = chain.append(&entry()).unwrap();
    let second = chain.append(&Entry::new(5, "bob", "command", "sentinel-x/dev", Outcome::Denied)).unwrap();
    assert_eq!((first.seq, first.prev), (0, genesis()));
    assert_eq!((second.seq, second.prev), (1, first.hash));
    assert_eq!(first.entry(), entry());
    assert_eq!(Chain::resume(None), Ok(Chain::new()));
    assert_eq!(Chain::resume(Some(&second)), Ok(chain));
    let mut resumed = Chain::resume(Some(&first)).unwrap();
    assert_eq!(resumed.append(&second.entry()), Ok(second.clone()));
    let modified = Record { principal: "mallory".into(), ..second };
    assert_eq!(Chain::resume(Some(&modified)), Err(AuditError::TailModified { seq: 1 }));
}

#[track_caller]
fn check_refused(entry: Entry, expect: Expect) {
    let mut chain = Chain::new();
    let error = chain.append(&entry).unwrap_err();
    expect.assert_eq(&error.to_string());
    assert_eq!(chain, Chain::new(), "a refused entry does not advance the chain");
}

#[test]
fn entries_the_chain_refuses() {
    let base = entry();
    check_refused(Entry { principal: String::new(), ..base.clone() }, expect!["audit entry: principal is empty"]);
    check_refused(
        Entry { resource: "r".repeat(crate::FIELD_LEN_MAX + 1), ..base.clone() },
        expect!["audit entry: resource is 1025 bytes, more than 1024"],
    );
    check_refused(
        base.clone().with_detail(json!({"link": {"rates": [1, 2.5]}})),
        expect!["audit entry: detail.link.rates[1]: 2.5 is not an integer (fractions do not read back exactly: give it as a string or in integer units)"],
    );
    let mut deep = json!(0);
    for _ in 0..crate::DETAIL_DEPTH_MAX + 1 {
        deep = json!([deep]);
    }
    check_refused(
        base.clone().with_detail(deep),
        expect!["audit entry: detail[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 32 arrays or objects"],
    );
    check_refused(
        base.with_detail(json!("x".repeat(crate::DETAIL_LEN_MAX))),
        expect!["audit entry: detail is 65538 bytes, more than 65536"],
    );
}

#[test]
fn detail_is_canonical_whatever_the_key_order_and_escapes() {
    let mut chain = Chain::new();
    let detail = json!({"z": 1, "a": {"y": null, "b": true}, "s": "quote\" back\\ nl\n tab\t bell\u{7} é"});
    let record = chain.append(&entry().with_detail(detail)).unwrap();
    let text = record.to_json().unwrap();
    expect![[r#"{"a":{"b":true,"y":null},"s":"quote\" back\\ nl\n tab\t bell\u0007 é","z":1}"#]]
        .assert_eq(&text[text.find("\"detail\":").unwrap() + 9..text.find(",\"prev\"").unwrap()]);
    assert_eq!(Record::from_json(0, &text), Ok(record));
}

#[test]
fn only_the_exact_canonical_text_reads_back() {
    let mut chain = Chain::new();
    let record = chain.append(&entry()).unwrap();
    let text = record.to_json().unwrap();
    let upper_hex = text.replace(&record.hash.hex(), &record.hash.hex().to_uppercase());
    for (name, changed) in [
        ("whitespace", text.replacen(",", ", ", 1)),
        (
            "detail keys out of order",
            text.replace(r#""n":-3,"release":"sha256:ab""#, r#""release":"sha256:ab","n":-3"#),
        ),
        ("upper-case hex", upper_hex),
        ("escaped letter", text.replace("alice", "\\u0061lice")),
        ("unknown field", text.replacen("{", r#"{"extra":1,"#, 1)),
        ("unknown outcome", text.replace("allowed", "permitted")),
        ("not JSON", text[..text.len() - 1].to_string()),
    ] {
        assert_ne!(changed, text, "{name}");
        let error = Record::from_json(3, &changed).unwrap_err().to_string();
        assert!(error.starts_with("record 3: not a canonical audit record"), "{name}: {error}");
    }
}

#[test]
fn checkpoints_are_due_every_thousand_records_or_minute() {
    for (records, ms, due) in
        [(0, 0, false), (0, 3_600_000, false), (1, 59_999, false), (1, 60_000, true), (999, 0, false), (1000, 0, true)]
    {
        assert_eq!(checkpoint_due(records, ms), due, "{records} records, {ms} ms");
    }
}

#[test]
fn checkpoint_text_reads_back_exactly() {
    let mut chain = Chain::new();
    let record = chain.append(&entry()).unwrap();
    let checkpoint = Checkpoint::sign(&record, 9, &KeySigner::from_seed([1; 32]));
    let text = checkpoint.to_json();
    assert_eq!(Checkpoint::from_json(0, &text), Ok(checkpoint.clone()));
    let sig = base::hex(&checkpoint.sig);
    for changed in [text.replace(&sig, &sig.to_uppercase()), text.replace(&sig, &sig[2..]), text.replacen(":", ": ", 1)]
    {
        let error = Checkpoint::from_json(2, &changed).unwrap_err().to_string();
        assert!(error.starts_with("checkpoint 2: not a canonical checkpoint"), "{error}");
    }
}
