//! The vault store: every change survives a reopen, a failed change leaves nothing behind,
//! and a row that does not decode is named.

use super::VaultStore;
use base::Scope;
use std::path::PathBuf;
use vault::{MasterKey, Random, RandomError, SecretValue, Vault, VaultState};

fn temp(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gp-vault-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Counts up: distinct nonces and keys, reproducible.
struct Counter(u8);

impl Random for Counter {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomError> {
        for byte in bytes {
            self.0 = self.0.wrapping_add(1);
            *byte = self.0;
        }
        Ok(())
    }
}

fn scope(text: &str) -> Scope {
    let (mission, env) = text.split_once('/').expect("mission/env");
    Scope { mission: mission.parse().unwrap(), env: env.parse().unwrap() }
}

fn put(s: &str, n: &str, v: &str, vault: &Vault, random: &mut Counter) -> vault::Change {
    vault.put(&scope(s), &n.parse().unwrap(), &SecretValue::new(v.as_bytes().to_vec()), random).unwrap().1
}

/// One step: what the vault computes, given the vault and the randomness.
type Step = fn(&Vault, &mut Counter) -> vault::Change;

#[test]
fn every_change_survives_a_reopen() {
    let steps: [(&str, Step); 7] = [
        ("first put", |v, r| put("sentinel-x/ops", "gs.password", "one", v, r)),
        ("second version", |v, r| put("sentinel-x/ops", "gs.password", "two", v, r)),
        ("other scope", |v, r| put("sentinel-x/aiv", "gs.password", "aiv", v, r)),
        ("to delete", |v, r| put("sentinel-x/ops", "old", "gone", v, r)),
        ("delete", |v, _| v.delete(&scope("sentinel-x/ops"), &"old".parse().unwrap()).unwrap()),
        ("rotate data key", |v, r| v.rotate_data_key(&scope("sentinel-x/ops"), r).unwrap().1),
        ("rotate master", |v, r| v.rotate_master(MasterKey::from_bytes([2; 32]), r).unwrap()),
    ];
    let dir = temp("reopen");
    let mut store = VaultStore::open(&dir).unwrap();
    let mut vault = Vault::sealed(store.load().unwrap());
    vault.unseal(MasterKey::from_bytes([1; 32])).unwrap();
    let mut random = Counter(0);
    for (label, step) in steps {
        let change = step(&vault, &mut random);
        store.save(&change).unwrap();
        vault.apply(change).unwrap();
        let reopened = VaultStore::open(&dir).unwrap().load().unwrap();
        assert_eq!(&reopened, vault.state(), "{label}");
    }
    let mut reopened = Vault::sealed(VaultStore::open(&dir).unwrap().load().unwrap());
    reopened.unseal(MasterKey::from_bytes([2; 32])).unwrap();
    let ops = scope("sentinel-x/ops");
    let versions = [(None, "two"), (Some(1), "one")];
    for (version, expected) in versions {
        let value = reopened.get(&ops, &"gs.password".parse().unwrap(), version).unwrap();
        assert_eq!(value.expose(), expected.as_bytes(), "{version:?}");
    }
    assert_eq!(reopened.list(&ops).unwrap().len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("vault.sqlite")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_change_that_fails_halfway_leaves_nothing() {
    let dir = temp("atomic");
    let mut store = VaultStore::open(&dir).unwrap();
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON vault_secrets BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    let mut vault = Vault::sealed(VaultState::default());
    vault.unseal(MasterKey::from_bytes([1; 32])).unwrap();
    let value = SecretValue::new(b"never-stored".to_vec());
    let (_, change) = vault.put(&scope("sentinel-x/ops"), &"k".parse().unwrap(), &value, &mut Counter(0)).unwrap();
    // The key check and the data key are written before the secret, which the trigger refuses.
    let error = store.save(&change).unwrap_err().to_string();
    assert!(error.contains("saving a vault change: refused"), "{error}");
    assert_eq!(store.load().unwrap(), VaultState::default());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rows_that_do_not_decode_are_named() {
    let dir = temp("corrupt");
    let mut store = VaultStore::open(&dir).unwrap();
    let mut vault = Vault::sealed(VaultState::default());
    vault.unseal(MasterKey::from_bytes([1; 32])).unwrap();
    let value = SecretValue::new(b"v".to_vec());
    let (_, change) = vault.put(&scope("sentinel-x/ops"), &"k".parse().unwrap(), &value, &mut Counter(0)).unwrap();
    store.save(&change).unwrap();
    vault.apply(change).unwrap();
    // (an update that breaks one row, the error)
    let cases = [
        ("UPDATE vault_secrets SET mission = 'Not A Slug'", "archive table vault_secrets, row 1: corrupt"),
        ("UPDATE vault_secrets SET name = 'Bad Name'", "archive table vault_secrets, row 1: corrupt"),
        ("UPDATE vault_secrets SET version = -1", "archive table vault_secrets, row 1: corrupt"),
        ("UPDATE vault_secrets SET nonce = x'00'", "archive table vault_secrets, row 1: corrupt"),
        ("UPDATE vault_secrets SET ciphertext = 'text'", "archive table vault_secrets, row 1: corrupt"),
        ("UPDATE vault_data_keys SET env = 'prod'", "archive table vault_data_keys, row 1: corrupt"),
        ("UPDATE vault_key_check SET nonce = x'0102'", "archive table vault_key_check, row 1: corrupt"),
    ];
    for (update, expected) in cases {
        let dir_case = temp("corrupt-case");
        std::fs::create_dir_all(&dir_case).unwrap();
        let copy = dir_case.join("vault.sqlite");
        store.conn.execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
        let broken = VaultStore::open(&dir_case).unwrap();
        broken.conn.execute_batch(update).unwrap();
        assert_eq!(broken.load().unwrap_err().to_string(), expected, "{update}");
        let _ = std::fs::remove_dir_all(&dir_case);
    }
    assert_eq!(&store.load().unwrap(), vault.state());
    let _ = std::fs::remove_dir_all(&dir);
}
