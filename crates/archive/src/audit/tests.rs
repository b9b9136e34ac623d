//! The audit store on a real SQLite file: appends, resumes, fails closed, and every kind of
//! tampering with the file's rows is found and placed.

use super::*;
use ::audit::{KeySigner, Outcome};
use expect_test::{expect, Expect};
use rusqlite::Connection;
use serde_json::json;

fn temp(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gp-audit-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn signer() -> KeySigner {
    KeySigner::from_seed([7; 32])
}

/// The record for action `idx`, 10 s apart from T0 = 0.
fn entry(idx: u64) -> Entry {
    let outcome = if idx % 5 == 4 { Outcome::Denied } else { Outcome::Allowed };
    Entry::new(idx * 10_000, format!("user-{}", idx % 3), "command", "mission sentinel-x/ops", outcome)
        .with_detail(json!({"n": idx}))
}

/// Twelve records 10 s apart, appended at their own time: the checkpoint falls due 60 s
/// after the first, so seq 6 is signed and seq 7 to 11 are the unsigned tail.
fn filled(label: &str) -> PathBuf {
    let dir = temp(label);
    let mut store = AuditStore::open(&dir).unwrap();
    for idx in 0..12 {
        let record = store.append(&entry(idx), &signer(), idx * 10_000).unwrap();
        assert_eq!(record.seq, idx);
    }
    dir
}

fn counts(dir: &Path) -> (i64, i64) {
    let conn = Connection::open(dir.join(AUDIT_FILE)).unwrap();
    let count = |table: &str| conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0)).unwrap();
    (count("records"), count("checkpoints"))
}

#[test]
fn appends_resume_after_a_reopen_and_checkpoint_when_due() {
    let dir = filled("resume");
    assert_eq!(counts(&dir), (12, 1));
    let mut store = AuditStore::open(&dir).unwrap();
    assert_eq!(store.next_seq().unwrap(), 12);
    let record = store.append(&entry(12), &signer(), 120_000).unwrap();
    assert_eq!((record.seq, record.prev), (12, store.records().unwrap()[11].hash));
    assert_eq!(store.checkpoints().unwrap().iter().map(|c| c.seq).collect::<Vec<_>>(), [6, 12]);
    assert_eq!(store.last_records(2).unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), [11, 12]);
    store.append(&entry(13), &signer(), 130_000).unwrap();
    assert_eq!(store.checkpoint(&signer(), 131_000).unwrap().map(|c| c.seq), Some(13));
    assert_eq!(store.checkpoint(&signer(), 132_000).unwrap(), None);
    let report = store.verify(&[signer().trusted()]).unwrap();
    assert_eq!((report.records, report.checkpoints, report.unverified_tail), (14, 3, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_entry_that_cannot_be_recorded_writes_nothing() {
    let dir = temp("refused");
    let mut store = AuditStore::open(&dir).unwrap();
    let refused = Entry { principal: String::new(), ..entry(0) };
    let error = store.append(&refused, &signer(), 0).unwrap_err().to_string();
    assert!(error.ends_with("audit.sqlite: audit entry: principal is empty"), "{error}");
    // A write that fails is an error, and the chain does not move.
    let refuse = |table: &str| {
        format!("CREATE TRIGGER refuse BEFORE INSERT ON {table} BEGIN SELECT RAISE(FAIL, 'disk full'); END;")
    };
    store.conn.execute_batch(&refuse("records")).unwrap();
    let error = store.append(&entry(0), &signer(), 0).unwrap_err().to_string();
    assert!(error.ends_with("appending an audit record: disk full"), "{error}");
    assert_eq!(store.next_seq().unwrap(), 0);
    store.conn.execute_batch("DROP TRIGGER refuse").unwrap();
    assert_eq!(store.append(&entry(0), &signer(), 0).unwrap().seq, 0);
    // The record and the checkpoint due with it are one transaction: neither without the other.
    store.conn.execute_batch(&refuse("checkpoints")).unwrap();
    let error = store.append(&entry(6), &signer(), 60_000).unwrap_err().to_string();
    assert!(error.ends_with("appending an audit checkpoint: disk full"), "{error}");
    assert_eq!((store.next_seq().unwrap(), store.records().unwrap().len()), (1, 1));
    store.conn.execute_batch("DROP TRIGGER refuse").unwrap();
    assert_eq!(store.append(&entry(6), &signer(), 60_000).unwrap().seq, 1);
    assert_eq!(store.checkpoints().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_writers_on_the_same_file_chain_onto_each_other_never_fork() {
    // The server and the CLI: each resumes from the stored end inside its append.
    let dir = filled("two-writers");
    let (mut first, mut second) = (AuditStore::open(&dir).unwrap(), AuditStore::open(&dir).unwrap());
    assert_eq!(first.append(&entry(12), &signer(), 120_000).unwrap().seq, 12);
    assert_eq!(second.append(&entry(13), &signer(), 120_000).unwrap().seq, 13);
    assert_eq!(first.append(&entry(14), &signer(), 121_000).unwrap().seq, 14);
    // Signing by either covers the chain as stored.
    let signed = second.checkpoint(&signer(), 122_000).unwrap().expect("an unsigned tail");
    assert_eq!(signed.seq, 14);
    assert!(first.checkpoint(&signer(), 123_000).unwrap().is_none(), "nothing left unsigned");
    let report = first.verify(&[signer().trusted()]).unwrap();
    assert_eq!(report.records, 15);
    let seqs: Vec<u64> = first.records().unwrap().iter().map(|record| record.seq).collect();
    assert_eq!(seqs, (0..15).collect::<Vec<u64>>());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn opening_for_verification_creates_nothing() {
    let dir = temp("missing");
    let error = AuditStore::open_existing(&dir).err().unwrap().to_string();
    assert!(error.ends_with("audit.sqlite: no archive there"), "{error}");
    assert!(!dir.exists());
}

/// Tampers with the stored rows by `sql`, then verifies (and tries to append).
#[track_caller]
fn check(label: &str, sql: &str, expect: Expect) {
    let dir = filled(label);
    Connection::open(dir.join(AUDIT_FILE)).unwrap().execute_batch(sql).unwrap();
    let store = AuditStore::open_existing(&dir).unwrap();
    let verified = match store.verify(&[signer().trusted()]) {
        Ok(report) => format!("valid: {report:?}"),
        Err(ArchiveError::Audit { source, .. }) => format!("TAMPERED: {source}"),
        Err(error) => panic!("{label}: not a finding: {error}"),
    };
    let appending = match AuditStore::open(&dir).unwrap().next_seq() {
        Ok(seq) => format!("appends at seq {seq}"),
        Err(ArchiveError::Audit { source, .. }) => format!("refuses to append: {source}"),
        Err(error) => panic!("{label}: {error}"),
    };
    expect.assert_eq(&format!("{verified}\n{appending}"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SQL that swaps the rows (storage places) with ids `a` and `b`.
fn swap_rows(a: i64, b: i64) -> String {
    format!(
        "UPDATE records SET id = -1 WHERE id = {a}; UPDATE records SET id = {a} WHERE id = {b}; \
         UPDATE records SET id = {b} WHERE id = -1;"
    )
}

#[test]
fn tampering_with_the_file_is_found_and_placed() {
    // Row ids are seq + 1; the checkpoint covers seq 6.
    check(
        "intact",
        "",
        expect![[r#"
        valid: VerifyReport { records: 12, checkpoints: 1, last_seq: Some(11), last_checkpoint_seq: Some(6), unverified_tail: 5 }
        appends at seq 12"#]],
    );
    check(
        "edit",
        "UPDATE records SET record = replace(record, 'user-0', 'user-2') WHERE seq = 3",
        expect![[r#"
        TAMPERED: record 3 (seq 3): hash does not match its content (modified)
        appends at seq 12"#]],
    );
    check(
        "edit-last",
        "UPDATE records SET record = replace(record, 'denied', 'allowed') WHERE seq = 9",
        expect![[r#"
        TAMPERED: record 9 (seq 9): hash does not match its content (modified)
        appends at seq 12"#]],
    );
    check(
        "edit-tail",
        "UPDATE records SET record = replace(record, '\"n\":11', '\"n\":12') WHERE seq = 11",
        expect![[r#"
        TAMPERED: record 11 (seq 11): hash does not match its content (modified)
        refuses to append: the last record (seq 11): hash does not match its content (modified); refusing to append after it"#]],
    );
    check(
        "edit-format",
        "UPDATE records SET record = replace(record, '\"seq\":3', '\"seq\": 3') WHERE seq = 3",
        expect![[r#"
        TAMPERED: record 3: not a canonical audit record (not in canonical form)
        appends at seq 12"#]],
    );
    check(
        "garbage",
        "UPDATE records SET record = 'garbage' WHERE seq = 5",
        expect![[r#"
        TAMPERED: record 5: not a canonical audit record (expected value at line 1 column 1)
        appends at seq 12"#]],
    );
    check(
        "seq-column",
        "UPDATE records SET seq = 99 WHERE seq = 2",
        expect![[r#"
        TAMPERED: record 2: not a canonical audit record (row 3: the seq column says 99, the record 2)
        appends at seq 12"#]],
    );
    check(
        "delete",
        "DELETE FROM records WHERE seq = 4",
        expect![[r#"
        TAMPERED: record 4: seq 5 after 3 (1 record(s) deleted or reordered)
        refuses to append: record 10: seq 11 after 9 (1 record(s) deleted or reordered)"#]],
    );
    check(
        "delete-first",
        "DELETE FROM records WHERE seq = 0",
        expect![[r#"
        TAMPERED: record 0: seq 1, but the chain starts at seq 0 (1 record(s) deleted at the start)
        refuses to append: record 10: seq 11 after 9 (1 record(s) deleted or reordered)"#]],
    );
    check(
        "insert",
        "UPDATE records SET id = id + 100 WHERE id > 5; \
         INSERT INTO records (id, seq, record) SELECT 6, seq, replace(record, 'user-', 'forged-') FROM records WHERE id = 5",
        expect![[r#"
            TAMPERED: record 5: seq 4 after 4 (a record inserted, repeated or reordered)
            refuses to append: record 12: seq 11 after 11 (a record inserted, repeated or reordered)"#]],
    );
    check(
        "append-forged",
        "INSERT INTO records (seq, record) SELECT seq, record FROM records WHERE seq = 11",
        expect![[r#"
        TAMPERED: record 12: seq 11 after 11 (a record inserted, repeated or reordered)
        refuses to append: record 12: seq 11 after 11 (a record inserted, repeated or reordered)"#]],
    );
    check(
        "reorder",
        &swap_rows(4, 5),
        expect![[r#"
        TAMPERED: record 3: seq 4 after 2 (1 record(s) deleted or reordered)
        appends at seq 12"#]],
    );
    check(
        "truncate",
        "DELETE FROM records WHERE seq > 4",
        expect![[r#"
        TAMPERED: truncated: the latest checkpoint covers seq 6, the chain ends at seq 4
        refuses to append: truncated: the latest checkpoint covers seq 6, the chain ends at seq 4"#]],
    );
    check(
        "truncate-tail",
        "DELETE FROM records WHERE seq > 8",
        expect![[r#"
        valid: VerifyReport { records: 9, checkpoints: 1, last_seq: Some(8), last_checkpoint_seq: Some(6), unverified_tail: 2 }
        appends at seq 9"#]],
    );
    check(
        "forge-checkpoint",
        "UPDATE checkpoints SET checkpoint = replace(checkpoint, '\"at_ms\":60000', '\"at_ms\":60001')",
        expect![[r#"
        TAMPERED: checkpoint at seq 6: signature by ed25519:fe812c12f3ab4ce6 does not verify
        appends at seq 12"#]],
    );
    check(
        "checkpoint-and-tail",
        "DELETE FROM checkpoints; DELETE FROM records WHERE seq > 2",
        expect![[r#"
        valid: VerifyReport { records: 3, checkpoints: 0, last_seq: Some(2), last_checkpoint_seq: None, unverified_tail: 3 }
        appends at seq 3"#]],
    );
}
