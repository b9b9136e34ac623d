//! `audit verify` and `audit show` on a platform folder made with `archive::AuditStore` and
//! the platform key, as transcripts: exit code, then stdout or the error.

use super::{platform_signer, run_with, trusted_key, AuditCommand};
use archive::AuditStore;
use audit::{CheckpointSigner, Entry, Outcome};
use clap::Parser;
use expect_test::{expect, Expect};
use release::SecretKey;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(clap::Parser)]
struct Cli {
    #[command(subcommand)]
    command: AuditCommand,
}

const T0_MS: u64 = 1_795_000_000_000;

/// A data folder: `_platform/control/platform.key`, and in `_platform/audit` five records
/// 20 s apart (the checkpoint falls due at seq 3, so seq 4 is unsigned). Beside them,
/// `platform.pub`, `other.pub` (a key that is not the platform's) and `bad.pub` (no key).
fn platform(label: &str) -> PathBuf {
    let root = test_utils::temp_dir(label);
    let control = root.join("_platform/control");
    std::fs::create_dir_all(&control).unwrap();
    let key = SecretKey::from_seed([7; 32]);
    std::fs::write(control.join("platform.key"), key.to_text()).unwrap();
    std::fs::write(root.join("platform.pub"), key.public().to_text()).unwrap();
    std::fs::write(root.join("other.pub"), SecretKey::from_seed([8; 32]).public().to_text()).unwrap();
    std::fs::write(root.join("bad.pub"), "not a key\n").unwrap();
    let mut store = AuditStore::open(&root.join("_platform/audit")).unwrap();
    let signer = platform_signer(&key);
    let actions = [
        ("admin", "mission.create", "mission sentinel-x", Outcome::Allowed, json!(null)),
        ("ci", "release.register", "mission sentinel-x", Outcome::Allowed, json!({"release": "sha256:ab"})),
        ("operator-02", "command", "sentinel-x/ops", Outcome::Denied, json!({"reason": "not an operator of ops"})),
        ("alice", "promote", "mission sentinel-x/ops", Outcome::Allowed, json!({"from": "aiv"})),
        ("ops-bot", "secret.read", "sentinel-x/ops gs-password", Outcome::Allowed, json!({"version": 2})),
    ];
    for (idx, (principal, action, resource, outcome, detail)) in (0u64..).zip(actions) {
        let at_ms = T0_MS + idx * 20_000;
        let entry = Entry::new(at_ms, principal, action, resource, outcome).with_detail(detail);
        store.append(&entry, &signer, at_ms).unwrap();
    }
    root
}

/// Runs `audit <line>` (`$ROOT` is the data folder) and gives the exit code `main` would,
/// then stdout or the error, with the data folder shown as `$ROOT`.
fn run(root: &Path, line: &str) -> String {
    let line = line.replace("$ROOT", &root.display().to_string());
    let command = Cli::try_parse_from(std::iter::once("audit").chain(line.split_whitespace())).unwrap().command;
    let mut out = Vec::new();
    let (code, text) = match run_with(command, &mut out) {
        Ok(code) => (if code == std::process::ExitCode::SUCCESS { 0 } else { 1 }, String::from_utf8(out).unwrap()),
        Err(error) => (2, format!("error: {error:#}\n")),
    };
    format!("exit {code}\n{text}").replace(&root.display().to_string(), "$ROOT")
}

#[track_caller]
fn check(root: &Path, line: &str, expect: Expect) {
    expect.assert_eq(&run(root, line));
}

#[test]
fn verify_trusts_the_platform_key_or_the_keys_given() {
    let root = platform("audit-verify");
    check(
        &root,
        "verify --dir $ROOT/_platform/audit",
        expect![[r#"
        exit 0
        audit chain $ROOT/_platform/audit/audit.sqlite valid
          records      5 (seq 0 to 4)
          checkpoints  1, the latest at seq 3
          unsigned     1 record(s) after the latest checkpoint (hash-chained, not signed yet)
          trusted      ed25519:fe812c12f3ab4ce6
    "#]],
    );
    check(
        &root,
        "verify --dir $ROOT/_platform/audit --trust $ROOT/platform.pub",
        expect![[r#"
        exit 0
        audit chain $ROOT/_platform/audit/audit.sqlite valid
          records      5 (seq 0 to 4)
          checkpoints  1, the latest at seq 3
          unsigned     1 record(s) after the latest checkpoint (hash-chained, not signed yet)
          trusted      ed25519:fe812c12f3ab4ce6
    "#]],
    );
    check(
        &root,
        "verify --dir $ROOT/_platform/audit --trust $ROOT/other.pub",
        expect![[r#"
        exit 1
        audit chain $ROOT/_platform/audit/audit.sqlite INVALID: checkpoint at seq 3: signed by ed25519:fe812c12f3ab4ce6, which is not a trusted key
    "#]],
    );
    check(
        &root,
        "verify --dir $ROOT/nowhere --trust $ROOT/platform.pub",
        expect![[r#"
        exit 2
        error: archive $ROOT/nowhere/audit.sqlite: no archive there
    "#]],
    );
    check(
        &root,
        "verify --dir $ROOT/nowhere/audit",
        expect![[r#"
        exit 2
        error: no key to trust: $ROOT/nowhere/control/platform.key does not exist; give --trust KEY.pub
    "#]],
    );
    check(
        &root,
        "verify --dir $ROOT/_platform/audit --trust $ROOT/bad.pub",
        expect![[r#"
        exit 2
        error: $ROOT/bad.pub: expected 64 hex digits (a 32-byte Ed25519 key)
    "#]],
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn show_prints_a_line_a_record() {
    let root = platform("audit-show");
    check(
        &root,
        "show --dir $ROOT/_platform/audit",
        expect![[r#"
        exit 0
             0  2026-11-18T11:06:40.000Z  admin  mission.create  mission sentinel-x  allowed
             1  2026-11-18T11:07:00.000Z  ci  release.register  mission sentinel-x  allowed  {"release":"sha256:ab"}
             2  2026-11-18T11:07:20.000Z  operator-02  command  sentinel-x/ops  denied  {"reason":"not an operator of ops"}
             3  2026-11-18T11:07:40.000Z  alice  promote  mission sentinel-x/ops  allowed  {"from":"aiv"}
             4  2026-11-18T11:08:00.000Z  ops-bot  secret.read  sentinel-x/ops gs-password  allowed  {"version":2}
    "#]],
    );
    check(
        &root,
        "show --dir $ROOT/_platform/audit --last 2",
        expect![[r#"
        exit 0
             3  2026-11-18T11:07:40.000Z  alice  promote  mission sentinel-x/ops  allowed  {"from":"aiv"}
             4  2026-11-18T11:08:00.000Z  ops-bot  secret.read  sentinel-x/ops gs-password  allowed  {"version":2}
    "#]],
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_edit_of_the_file_is_found_and_placed() {
    let root = platform("audit-tampered");
    // The store is closed, so SQLite has moved everything into the main file.
    let file = root.join("_platform/audit").join(archive::AUDIT_FILE);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(11).position(|window| window == b"operator-02").expect("the record is in the file");
    bytes[at..at + 11].copy_from_slice(b"operator-09");
    std::fs::write(&file, bytes).unwrap();
    check(
        &root,
        "verify --dir $ROOT/_platform/audit",
        expect![[r#"
        exit 1
        audit chain $ROOT/_platform/audit/audit.sqlite INVALID: record 2 (seq 2): hash does not match its content (modified)
    "#]],
    );
    check(
        &root,
        "show --dir $ROOT/_platform/audit --last 3",
        expect![[r#"
        exit 0
             2  2026-11-18T11:07:20.000Z  operator-09  command  sentinel-x/ops  denied  {"reason":"not an operator of ops"}
             3  2026-11-18T11:07:40.000Z  alice  promote  mission sentinel-x/ops  allowed  {"from":"aiv"}
             4  2026-11-18T11:08:00.000Z  ops-bot  secret.read  sentinel-x/ops gs-password  allowed  {"version":2}
    "#]],
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn release_keys_and_audit_keys_agree() {
    let key = SecretKey::from_seed([3; 32]);
    let key_id = key.public().key_id();
    assert_eq!(trusted_key(&key.public()).unwrap().key_id(), key_id);
    assert_eq!(platform_signer(&key).key_id(), key_id);
    assert_eq!(platform_signer(&key).trusted(), trusted_key(&key.public()).unwrap());
}
