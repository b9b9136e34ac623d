//! Tampered and moved records never open: each case changes a copy of a stored state as an
//! attacker with write access to the store could, then reads through a vault over it.

use super::{get, master, put, scope, TestRandom};
use crate::{SealedSecret, Vault, VaultState, WrappedDataKey};
use expect_test::expect;

const OPS: &str = "sentinel-x/ops";
const AIV: &str = "sentinel-x/aiv";
const GS: &str = "gs.password";

fn stored_state() -> VaultState {
    let mut vault = super::empty_vault();
    let mut random = TestRandom::new(21);
    for (s, n, v) in [
        (OPS, GS, "ops-1"),
        (OPS, GS, "ops-2"),
        (OPS, "signing", "sig-1"),
        (AIV, GS, "aiv-1"),
        ("bogussat-1/ops", GS, "bog-1"),
    ] {
        put(&mut vault, s, n, v, &mut random);
    }
    vault.state().clone()
}

fn secret<'a>(state: &'a mut VaultState, scope_text: &str, name_text: &str, version: u32) -> &'a mut SealedSecret {
    let found = state
        .secrets
        .iter_mut()
        .find(|x| x.scope == scope(scope_text) && x.name.as_str() == name_text && x.version == version);
    found.expect("the stored state has this secret")
}

fn data_key<'a>(state: &'a mut VaultState, scope_text: &str) -> &'a mut WrappedDataKey {
    let found = state.data_keys.iter_mut().find(|k| k.scope == scope(scope_text));
    found.expect("the stored state has this data key")
}

/// Puts `from`'s nonce and ciphertext in `to`'s record.
fn copy_sealed(state: &mut VaultState, from: (&str, &str, u32), to: (&str, &str, u32)) {
    let source = secret(state, from.0, from.1, from.2).clone();
    let target = secret(state, to.0, to.1, to.2);
    (target.nonce, target.ciphertext) = (source.nonce, source.ciphertext);
}

type Tamper = fn(&mut VaultState);

#[test]
fn tampered_or_moved_records_never_open() {
    // (what is done, how, which secret version is then read)
    let cases: [(&str, Tamper, (&str, &str, u32)); 17] = [
        ("secret ciphertext bit", |s| secret(s, OPS, GS, 1).ciphertext[0] ^= 1, (OPS, GS, 1)),
        ("secret tag bit", |s| *secret(s, OPS, GS, 1).ciphertext.last_mut().unwrap() ^= 0x80, (OPS, GS, 1)),
        ("secret truncated", |s| secret(s, OPS, GS, 1).ciphertext.truncate(3), (OPS, GS, 1)),
        ("secret nonce bit", |s| secret(s, OPS, GS, 1).nonce[23] ^= 1, (OPS, GS, 1)),
        ("secret version relabelled", |s| secret(s, OPS, GS, 1).version = 3, (OPS, GS, 3)),
        ("secret dek_version relabelled", |s| secret(s, OPS, GS, 1).dek_version = 2, (OPS, GS, 1)),
        (
            "secret renamed",
            |s| {
                let record = secret(s, OPS, GS, 1);
                (record.name, record.version) = ("signing".parse().unwrap(), 2);
            },
            (OPS, "signing", 2),
        ),
        ("secret moved to another env", |s| secret(s, OPS, GS, 2).scope = scope(AIV), (AIV, GS, 2)),
        (
            "secret moved to another mission",
            |s| secret(s, OPS, GS, 2).scope = scope("bogussat-1/ops"),
            ("bogussat-1/ops", GS, 2),
        ),
        ("version 1 sealed into version 2", |s| copy_sealed(s, (OPS, GS, 1), (OPS, GS, 2)), (OPS, GS, 2)),
        ("another env's sealed value", |s| copy_sealed(s, (AIV, GS, 1), (OPS, GS, 1)), (OPS, GS, 1)),
        ("data key ciphertext bit", |s| data_key(s, OPS).ciphertext[5] ^= 1, (OPS, "signing", 1)),
        ("data key nonce bit", |s| data_key(s, OPS).nonce[0] ^= 1, (OPS, "signing", 1)),
        (
            "data key version relabelled",
            |s| {
                data_key(s, OPS).version = 2;
                s.secrets.iter_mut().for_each(|x| x.dek_version = 2);
            },
            (OPS, "signing", 1),
        ),
        (
            "another env's data key",
            |s| {
                let source = data_key(s, AIV).clone();
                let target = data_key(s, OPS);
                (target.nonce, target.ciphertext) = (source.nonce, source.ciphertext);
            },
            (OPS, GS, 1),
        ),
        (
            "data key and secret moved together",
            |s| {
                data_key(s, AIV).scope = scope("sentinel-x/dev");
                secret(s, AIV, GS, 1).scope = scope("sentinel-x/dev");
            },
            ("sentinel-x/dev", GS, 1),
        ),
        ("key check bit", |s| s.key_check.as_mut().unwrap().ciphertext[0] ^= 1, (OPS, GS, 1)),
    ];
    let stored = stored_state();
    let mut report = String::new();
    for (label, tamper, (scope_text, name_text, version)) in cases {
        let mut state = stored.clone();
        tamper(&mut state);
        assert_ne!(state, stored, "{label}: the case changes nothing");
        let mut vault = Vault::sealed(state);
        let answer = match vault.unseal(master(1)) {
            Ok(()) => get(&vault, scope_text, name_text, Some(version)),
            Err(error) => format!("unseal error: {error}"),
        };
        report.push_str(&format!("{label}: {answer}\n"));
    }
    expect![[r#"
        secret ciphertext bit: error: secret sentinel-x/ops gs.password version 1: does not open (tampered with or moved)
        secret tag bit: error: secret sentinel-x/ops gs.password version 1: does not open (tampered with or moved)
        secret truncated: error: secret sentinel-x/ops gs.password version 1: does not open (tampered with or moved)
        secret nonce bit: error: secret sentinel-x/ops gs.password version 1: does not open (tampered with or moved)
        secret version relabelled: error: secret sentinel-x/ops gs.password version 3: does not open (tampered with or moved)
        secret dek_version relabelled: error: data key sentinel-x/ops version 2: missing
        secret renamed: error: secret sentinel-x/ops signing version 2: does not open (tampered with or moved)
        secret moved to another env: error: secret sentinel-x/aiv gs.password version 2: does not open (tampered with or moved)
        secret moved to another mission: error: secret bogussat-1/ops gs.password version 2: does not open (tampered with or moved)
        version 1 sealed into version 2: error: secret sentinel-x/ops gs.password version 2: does not open (tampered with or moved)
        another env's sealed value: error: secret sentinel-x/ops gs.password version 1: does not open (tampered with or moved)
        data key ciphertext bit: error: data key sentinel-x/ops version 1: does not open (tampered with or moved)
        data key nonce bit: error: data key sentinel-x/ops version 1: does not open (tampered with or moved)
        data key version relabelled: error: data key sentinel-x/ops version 2: does not open (tampered with or moved)
        another env's data key: error: data key sentinel-x/ops version 1: does not open (tampered with or moved)
        data key and secret moved together: error: data key sentinel-x/dev version 1: does not open (tampered with or moved)
        key check bit: unseal error: the master key is not this vault's
    "#]].assert_eq(&report);
    // Untouched, every record opens.
    let mut vault = Vault::sealed(stored);
    vault.unseal(master(1)).unwrap();
    assert_eq!(get(&vault, OPS, GS, Some(1)), "ops-1");
    assert_eq!(get(&vault, AIV, GS, Some(1)), "aiv-1");
}
