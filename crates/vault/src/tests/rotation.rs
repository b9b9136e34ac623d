//! Rotating data keys and the master key keeps every version of every secret readable.

use super::{commit, empty_vault, master, put, scope, TestRandom};
use crate::{Vault, VaultError};
use std::collections::BTreeMap;

/// One step of a vault's life.
enum Step {
    Put(&'static str, &'static str, &'static str),
    RotateDataKey(&'static str),
    RotateMaster(u8),
}

#[test]
fn rotations_keep_every_version_readable() {
    use Step::*;
    let steps = [
        Put("sentinel-x/ops", "gs-kiruna.password", "p1"),
        Put("sentinel-x/ops", "gs-kiruna.password", "p2"),
        Put("sentinel-x/aiv", "gs-kiruna.password", "aiv-p1"),
        Put("bogussat-1/dev", "release-signing-key", "bogus-k1"),
        RotateDataKey("sentinel-x/ops"),
        Put("sentinel-x/ops", "gs-kiruna.password", "p3"),
        Put("sentinel-x/ops", "release-signing-key", "k1"),
        RotateDataKey("sentinel-x/ops"),
        RotateMaster(2),
        Put("sentinel-x/aiv", "gs-kiruna.password", "aiv-p2"),
        RotateDataKey("sentinel-x/aiv"),
        RotateDataKey("sentinel-x/dev"),
        RotateMaster(3),
        Put("sentinel-x/ops", "gs-kiruna.password", "p4"),
    ];
    let mut vault = empty_vault();
    let mut random = TestRandom::new(11);
    let mut master_fill = 1;
    let mut expected: BTreeMap<(&str, &str, u32), &str> = BTreeMap::new();
    for (step_idx, step) in steps.iter().enumerate() {
        match *step {
            Put(s, n, v) => {
                let version = put(&mut vault, s, n, v, &mut random);
                expected.insert((s, n, version), v);
            }
            RotateDataKey(s) => {
                let before = vault.state().data_keys.iter().filter(|k| k.scope == scope(s)).map(|k| k.version).max();
                let (dek_version, change) = vault.rotate_data_key(&scope(s), &mut random).unwrap();
                commit(&mut vault, change);
                assert_eq!(dek_version, before.unwrap_or(0) + 1, "step {step_idx}");
                // The scope keeps only its new data key, and every secret is sealed under it.
                let keys: Vec<u32> =
                    vault.state().data_keys.iter().filter(|k| k.scope == scope(s)).map(|k| k.version).collect();
                assert_eq!(keys, [dek_version], "step {step_idx}");
                assert!(vault
                    .state()
                    .secrets
                    .iter()
                    .filter(|x| x.scope == scope(s))
                    .all(|x| x.dek_version == dek_version));
            }
            RotateMaster(fill) => {
                let change = vault.rotate_master(master(fill), &mut random).unwrap();
                commit(&mut vault, change);
                let mut old = Vault::sealed(vault.state().clone());
                assert_eq!(old.unseal(master(master_fill)), Err(VaultError::WrongMasterKey), "step {step_idx}");
                master_fill = fill;
            }
        }
        // Every version ever put reads back, in this vault and in one reopened from its state.
        let mut reopened = Vault::sealed(vault.state().clone());
        reopened.unseal(master(master_fill)).unwrap();
        for ((s, n, version), v) in &expected {
            for vault in [&vault, &reopened] {
                let value = vault.get(&scope(s), &n.parse().unwrap(), Some(*version)).unwrap();
                assert_eq!(value.expose(), v.as_bytes(), "step {step_idx}: {s} {n} version {version}");
            }
        }
    }
    assert_eq!(expected.len(), 8);
}

#[test]
fn a_rotation_refuses_when_anything_does_not_open() {
    let mut vault = empty_vault();
    let mut random = TestRandom::new(12);
    put(&mut vault, "sentinel-x/ops", "a", "v1", &mut random);
    put(&mut vault, "sentinel-x/aiv", "a", "v1", &mut random);
    let mut state = vault.state().clone();
    let ops_secret = state.secrets.iter_mut().find(|x| x.scope == scope("sentinel-x/ops")).unwrap();
    ops_secret.ciphertext[0] ^= 1;
    let aiv_key = state.data_keys.iter_mut().find(|k| k.scope == scope("sentinel-x/aiv")).unwrap();
    aiv_key.ciphertext[0] ^= 1;
    let mut broken = Vault::sealed(state);
    broken.unseal(master(1)).unwrap();
    let errors = [
        broken.rotate_data_key(&scope("sentinel-x/ops"), &mut random).unwrap_err(),
        broken.rotate_master(master(5), &mut random).unwrap_err(),
    ];
    assert_eq!(
        errors.map(|e| e.to_string()),
        [
            "secret sentinel-x/ops a version 1: does not open (tampered with or moved)",
            "data key sentinel-x/aiv version 1: does not open (tampered with or moved)",
        ]
    );
}
