//! Tampering with a valid chain, one kind at a time, and at random.

use super::*;
use crate::{Chain, Entry, KeySigner, Outcome};
use expect_test::{expect, Expect};
use proptest::prelude::*;
use serde_json::json;
use std::sync::LazyLock;

/// Ten records, checkpoints at seq 3 and 7 (so seq 8 and 9 are the unsigned tail).
fn stored(signer: &KeySigner) -> (Vec<Record>, Vec<Checkpoint>) {
    let mut chain = Chain::new();
    let (mut records, mut checkpoints) = (Vec::new(), Vec::new());
    for idx in 0..10u64 {
        let outcome = if idx % 4 == 3 { Outcome::Denied } else { Outcome::Allowed };
        let entry = Entry::new(1_000 + idx, format!("user-{}", idx % 3), "command", "sentinel-x/ops", outcome)
            .with_detail(json!({"n": idx}));
        let record = chain.append(&entry).unwrap();
        if idx == 3 || idx == 7 {
            checkpoints.push(Checkpoint::sign(&record, 2_000 + idx, signer));
        }
        records.push(record);
    }
    (records, checkpoints)
}

/// Rechains `records` from `from` on, as a forger without the key would: every hash right.
fn rechain(records: &mut [Record], from: usize) {
    let mut chain = Chain::resume(from.checked_sub(1).map(|idx| &records[idx])).unwrap();
    for record in &mut records[from..] {
        *record = chain.append(&record.entry()).unwrap();
    }
}

#[track_caller]
fn check(tamper: impl FnOnce(&mut Vec<Record>, &mut Vec<Checkpoint>), expect: Expect) {
    let signer = KeySigner::from_seed([7; 32]);
    let (mut records, mut checkpoints) = stored(&signer);
    tamper(&mut records, &mut checkpoints);
    let trusted = [KeySigner::from_seed([9; 32]).trusted(), signer.trusted()];
    let outcome = match verify(&records, &checkpoints, &trusted) {
        Ok(report) => format!("valid: {report:?}"),
        Err(error) => error.to_string(),
    };
    expect.assert_eq(&outcome);
}

#[test]
fn intact() {
    check(|_, _| {}, expect!["valid: VerifyReport { records: 10, checkpoints: 2, last_seq: Some(9), last_checkpoint_seq: Some(7), unverified_tail: 2 }"]);
}

#[test]
fn edits_are_found() {
    check(
        |r, _| r[5].principal = "mallory".into(),
        expect!["record 5 (seq 5): hash does not match its content (modified)"],
    );
    check(
        |r, _| r[9].detail = json!({"n": 10}),
        expect!["record 9 (seq 9): hash does not match its content (modified)"],
    );
    check(
        |r, _| {
            r[5].principal = "mallory".into();
            r[5].hash = r[5].content_hash().unwrap();
        },
        expect!["record 6 (seq 6): prev does not match the hash of record 5 (record 5 replaced, or records inserted or reordered)"],
    );
    // A forger can rehash everything after the edit; the next checkpoint no longer matches.
    check(
        |r, _| {
            r[5].resource = "sentinel-x/dev".into();
            rechain(r, 5);
        },
        expect!["checkpoint at seq 7: signs sha256:075c847ccb011a5c5b2b053ef8064e4b3e2f7cde77efcc556f5536d387a8dd9f, the record at seq 7 has sha256:a77c0f4f98540bf5c36067bde382683b8de3ddf6a8519c0dcfb95665db57610e (modified after it was signed)"],
    );
}

#[test]
fn deletions_are_found() {
    check(|r, _| drop(r.remove(4)), expect!["record 4: seq 5 after 3 (1 record(s) deleted or reordered)"]);
    check(
        |r, _| drop(r.remove(0)),
        expect!["record 0: seq 1, but the chain starts at seq 0 (1 record(s) deleted at the start)"],
    );
    check(
        |r, _| {
            r.remove(0);
            for (seq, record) in (0u64..).zip(r.iter_mut()) {
                record.seq = seq;
            }
            rechain(r, 0);
        },
        expect!["checkpoint at seq 3: signs sha256:edc7b7e6ae661f7e6721bd0aff237aecb4e7876533841acbf30fa26a48faa456, the record at seq 3 has sha256:8db92b866ff80dce79865da64ca5a117889ce5473bc141894e7638dc07b9ee31 (modified after it was signed)"],
    );
}

#[test]
fn insertions_and_reorderings_are_found() {
    check(
        |r, _| r.insert(5, Record { principal: "mallory".into(), ..r[4].clone() }),
        expect!["record 5: seq 4 after 4 (a record inserted, repeated or reordered)"],
    );
    check(|r, _| r.swap(2, 3), expect!["record 2: seq 3 after 1 (1 record(s) deleted or reordered)"]);
    check(
        |_, c| c.swap(0, 1),
        expect!["checkpoint 1 at seq 3: after the checkpoint at seq 7 (checkpoints inserted or reordered)"],
    );
}

#[test]
fn truncation_is_found_up_to_the_latest_checkpoint() {
    check(|r, _| r.truncate(6), expect!["truncated: the latest checkpoint covers seq 7, the chain ends at seq 5"]);
    check(|r, _| r.clear(), expect!["truncated: the latest checkpoint covers seq 7, the chain is empty"]);
    // The unsigned tail can be cut without a trace: the report says how long it is.
    check(|r, _| r.truncate(9), expect!["valid: VerifyReport { records: 9, checkpoints: 2, last_seq: Some(8), last_checkpoint_seq: Some(7), unverified_tail: 1 }"]);
}

#[test]
fn checkpoints_must_be_signed_by_a_trusted_key() {
    check(|_, c| c[1].seq = 9, expect!["checkpoint at seq 9: signature by ed25519:fe812c12f3ab4ce6 does not verify"]);
    check(
        |_, c| c[0].at_ms += 1,
        expect!["checkpoint at seq 3: signature by ed25519:fe812c12f3ab4ce6 does not verify"],
    );
    check(
        |r, c| c[1] = Checkpoint::sign(&r[9], 5, &KeySigner::from_seed([8; 32])),
        expect!["checkpoint at seq 9: signed by ed25519:5c29b78f10a35a49, which is not a trusted key"],
    );
}

#[test]
fn an_empty_chain_is_valid() {
    assert_eq!(verify(&[], &[], &[]), Ok(VerifyReport::default()));
}

/// One random change to the stored text of a valid chain.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the byte at `at` (of all lines joined) with `byte` (a different one).
    Replace {
        at: usize,
        byte: u8,
    },
    Insert {
        at: usize,
        byte: u8,
    },
    Remove {
        at: usize,
    },
    /// Swap record lines `a` and `b` (distinct).
    SwapRecords {
        a: usize,
        b: usize,
    },
    /// Delete a record line other than the last (cutting the unsigned tail is not detectable).
    DeleteRecord {
        idx: usize,
    },
    DuplicateRecord {
        idx: usize,
    },
    /// (Deleting a checkpoint is not in the list: the chain stays valid, with less of it
    /// signed; deleting the latest one lengthens the unsigned tail in the report.)
    DuplicateCheckpoint {
        idx: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Remove { at }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapRecords { a, b }),
        any::<usize>().prop_map(|idx| Mutation::DeleteRecord { idx }),
        any::<usize>().prop_map(|idx| Mutation::DuplicateRecord { idx }),
        any::<usize>().prop_map(|idx| Mutation::DuplicateCheckpoint { idx }),
    ]
}

fn entries() -> impl Strategy<Value = Vec<Entry>> {
    let detail = prop_oneof![
        Just(json!(null)),
        (any::<i64>(), "[a-z\"\\\\\n é]{0,6}").prop_map(|(n, s)| json!({"n": n, "s": s, "list": [n, s, true]})),
    ];
    let entry = (any::<u64>(), "[a-z]{1,6}", "[a-z.]{1,8}", "[a-z/ -]{1,12}", 0..3u8, detail).prop_map(
        |(at_ms, principal, action, resource, outcome, detail)| {
            let outcome = [Outcome::Allowed, Outcome::Denied, Outcome::Failed][usize::from(outcome)];
            Entry::new(at_ms, principal, action, resource, outcome).with_detail(detail)
        },
    );
    prop::collection::vec(entry, 2..8)
}

/// Applies `mutation` to the lines (records first, then checkpoints); `None` when it does not
/// apply to this chain (then nothing is checked).
fn mutate(records: &mut Vec<Vec<u8>>, checkpoints: &mut Vec<Vec<u8>>, mutation: &Mutation) -> Option<()> {
    let n_records = records.len();
    let mut lines: Vec<&mut Vec<u8>> = records.iter_mut().chain(checkpoints.iter_mut()).collect();
    let locate = |lines: &[&mut Vec<u8>], at: usize, extra: usize| {
        let total: usize = lines.iter().map(|line| line.len() + extra).sum();
        let mut at = at % total;
        for (line_idx, line) in lines.iter().enumerate() {
            if at < line.len() + extra {
                return (line_idx, at);
            }
            at -= line.len() + extra;
        }
        unreachable!("at < total")
    };
    match *mutation {
        Mutation::Replace { at, byte } => {
            let (line, at) = locate(&lines, at, 0);
            (lines[line][at] != byte).then(|| lines[line][at] = byte)
        }
        Mutation::Insert { at, byte } => {
            let (line, at) = locate(&lines, at, 1);
            lines[line].insert(at, byte);
            Some(())
        }
        Mutation::Remove { at } => {
            let (line, at) = locate(&lines, at, 0);
            lines[line].remove(at);
            Some(())
        }
        Mutation::SwapRecords { a, b } => {
            let (a, b) = (a % n_records, b % n_records);
            (a != b).then(|| records.swap(a, b))
        }
        Mutation::DeleteRecord { idx } => {
            drop(records.remove(idx % (n_records - 1)));
            Some(())
        }
        Mutation::DuplicateRecord { idx } => {
            records.insert(idx % n_records, records[idx % n_records].clone());
            Some(())
        }
        Mutation::DuplicateCheckpoint { idx } => {
            let idx = idx % checkpoints.len();
            checkpoints.insert(idx, checkpoints[idx].clone());
            Some(())
        }
    }
}

fn read_and_verify(
    records: &[Vec<u8>],
    checkpoints: &[Vec<u8>],
    trusted: &[TrustedKey],
) -> Result<VerifyReport, String> {
    let text = |bytes: &[u8]| std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| e.to_string());
    let records = (0u64..)
        .zip(records)
        .map(|(idx, bytes)| Record::from_json(idx, &text(bytes)?).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let checkpoints = (0u64..)
        .zip(checkpoints)
        .map(|(idx, bytes)| Checkpoint::from_json(idx, &text(bytes)?).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    verify(&records, &checkpoints, trusted).map_err(|e| e.to_string())
}

proptest! {
    #[test]
    fn any_single_mutation_of_the_stored_text_is_detected(entries in entries(), mutation in mutation()) {
        // Ed25519 is slow unoptimized: one key for all cases, one checkpoint (at the last
        // record, so the whole chain is signed), and the valid chain checked without it.
        static SIGNER: LazyLock<(KeySigner, TrustedKey)> = LazyLock::new(|| {
            let signer = KeySigner::from_seed([7; 32]);
            let trusted = signer.trusted();
            (signer, trusted)
        });
        let (signer, trusted) = &*SIGNER;
        let mut chain = Chain::new();
        let mut records = Vec::new();
        for entry in &entries {
            records.push(chain.append(entry).unwrap().to_json().unwrap().into_bytes());
        }
        prop_assert!(read_and_verify(&records, &[], &[]).is_ok());
        let last = Record::from_json(0, std::str::from_utf8(records.last().unwrap()).unwrap()).unwrap();
        let mut checkpoints = vec![Checkpoint::sign(&last, 1, signer).to_json().into_bytes()];
        let trusted = [*trusted];
        if mutate(&mut records, &mut checkpoints, &mutation).is_some() {
            prop_assert!(read_and_verify(&records, &checkpoints, &trusted).is_err(), "{mutation:?} not detected");
        }
    }
}
