//! Round trips, versions, listing, deleting, sealing and unsealing.

use super::{commit, empty_vault, get, master, name, put, scope, value, TestRandom};
use crate::{MasterKey, SecretValue, Vault, VaultError, VaultState, VALUE_LEN_MAX};
use expect_test::expect;
use proptest::prelude::*;

#[test]
fn every_version_reads_back_in_its_own_scope() {
    // (scope, name, value): the same name in several scopes, several versions of one name.
    let puts = [
        ("sentinel-x/ops", "gs-kiruna.password", "ops-pass-1"),
        ("sentinel-x/aiv", "gs-kiruna.password", "aiv-pass-1"),
        ("sentinel-x/ops", "gs-kiruna.password", "ops-pass-2"),
        ("sentinel-x/ops", "release-signing-key", "ops-signing"),
        ("bogussat-1/ops", "gs-kiruna.password", "bogus-pass-1"),
        ("sentinel-x/ops", "gs-kiruna.password", "ops-pass-3"),
    ];
    let mut vault = empty_vault();
    let mut random = TestRandom::new(7);
    let versions: Vec<u32> = puts.iter().map(|(s, n, v)| put(&mut vault, s, n, v, &mut random)).collect();
    assert_eq!(versions, [1, 1, 2, 1, 1, 3]);
    // (scope, name, version asked, answer)
    let gets = [
        ("sentinel-x/ops", "gs-kiruna.password", None, "ops-pass-3"),
        ("sentinel-x/ops", "gs-kiruna.password", Some(1), "ops-pass-1"),
        ("sentinel-x/ops", "gs-kiruna.password", Some(2), "ops-pass-2"),
        ("sentinel-x/aiv", "gs-kiruna.password", None, "aiv-pass-1"),
        ("bogussat-1/ops", "gs-kiruna.password", None, "bogus-pass-1"),
        ("sentinel-x/ops", "release-signing-key", None, "ops-signing"),
        (
            "sentinel-x/ops",
            "gs-kiruna.password",
            Some(4),
            "error: secret sentinel-x/ops gs-kiruna.password version 4: not found",
        ),
        ("sentinel-x/dev", "gs-kiruna.password", None, "error: secret sentinel-x/dev gs-kiruna.password: not found"),
        ("sentinel-x/aiv", "release-signing-key", None, "error: secret sentinel-x/aiv release-signing-key: not found"),
    ];
    for (scope_text, name_text, version, answer) in gets {
        assert_eq!(get(&vault, scope_text, name_text, version), answer, "{scope_text} {name_text} {version:?}");
    }
    // One data key per scope, one key check.
    assert_eq!(vault.state().data_keys.len(), 3);
    assert!(vault.state().key_check.is_some());
}

#[test]
fn list_gives_names_and_versions_and_delete_removes_every_version() {
    let mut vault = empty_vault();
    let mut random = TestRandom::new(1);
    for (n, v) in [("b.token", "x1"), ("a_key", "y1"), ("b.token", "x2"), ("b.token", "x3")] {
        put(&mut vault, "sentinel-x/dev", n, v, &mut random);
    }
    put(&mut vault, "sentinel-x/ops", "c", "z1", &mut random);
    let listed = vault.list(&scope("sentinel-x/dev")).unwrap();
    expect![[r#"
        [
            SecretInfo {
                name: SecretName(
                    "a_key",
                ),
                versions: [
                    1,
                ],
            },
            SecretInfo {
                name: SecretName(
                    "b.token",
                ),
                versions: [
                    1,
                    2,
                    3,
                ],
            },
        ]
    "#]]
    .assert_debug_eq(&listed);
    let change = vault.delete(&scope("sentinel-x/dev"), &name("b.token")).unwrap();
    commit(&mut vault, change);
    assert_eq!(vault.list(&scope("sentinel-x/dev")).unwrap().len(), 1);
    assert_eq!(get(&vault, "sentinel-x/dev", "b.token", Some(1)), "error: secret sentinel-x/dev b.token: not found");
    let error = vault.delete(&scope("sentinel-x/dev"), &name("b.token")).unwrap_err();
    assert_eq!(error.to_string(), "secret sentinel-x/dev b.token: not found");
    // After a delete the name starts again at version 1.
    assert_eq!(put(&mut vault, "sentinel-x/dev", "b.token", "again", &mut random), 1);
    assert_eq!(get(&vault, "sentinel-x/ops", "c", None), "z1");
}

#[test]
fn a_sealed_vault_refuses_everything() {
    let mut vault = empty_vault();
    let mut random = TestRandom::new(2);
    put(&mut vault, "sentinel-x/ops", "k", "v", &mut random);
    let mut sealed = Vault::sealed(vault.state().clone());
    let (s, n) = (scope("sentinel-x/ops"), name("k"));
    let refusals = [
        ("put", sealed.put(&s, &n, &value("w"), &mut random).err()),
        ("get", sealed.get(&s, &n, None).err()),
        ("list", sealed.list(&s).err()),
        ("rotate_data_key", sealed.rotate_data_key(&s, &mut random).err()),
        ("rotate_master", sealed.rotate_master(master(9), &mut random).err()),
        ("delete", sealed.delete(&s, &n).err()),
    ];
    for (operation, error) in refusals {
        assert_eq!(error, Some(VaultError::Sealed), "{operation}");
    }
    assert!(sealed.is_sealed());
    sealed.unseal(master(1)).unwrap();
    assert_eq!(get(&sealed, "sentinel-x/ops", "k", None), "v");
    sealed.seal();
    assert_eq!(sealed.get(&s, &n, None).unwrap_err(), VaultError::Sealed);
}

#[test]
fn a_wrong_master_key_is_an_error_and_leaves_the_vault_sealed() {
    let mut vault = empty_vault();
    put(&mut vault, "sentinel-x/ops", "k", "v", &mut TestRandom::new(3));
    let mut reopened = Vault::sealed(vault.state().clone());
    assert_eq!(reopened.unseal(master(2)), Err(VaultError::WrongMasterKey));
    assert!(reopened.is_sealed());
    // A state with data keys but no key check is refused, not trusted.
    let mut state = vault.state().clone();
    state.key_check = None;
    assert_eq!(Vault::sealed(state).unseal(master(1)), Err(VaultError::NoKeyCheck));
}

#[test]
fn values_are_checked_and_changes_apply_in_order() {
    let mut vault = empty_vault();
    let mut random = TestRandom::new(4);
    let (s, n) = (scope("sentinel-x/ops"), name("k"));
    let too_large = SecretValue::new(vec![b'x'; VALUE_LEN_MAX + 1]);
    let errors = [
        vault.put(&s, &n, &SecretValue::new(Vec::new()), &mut random).unwrap_err(),
        vault.put(&s, &n, &too_large, &mut random).unwrap_err(),
    ];
    expect![[r#"
        secret sentinel-x/ops k: empty value
        secret sentinel-x/ops k: value of 65537 bytes, at most 65536
    "#]]
    .assert_eq(&errors.iter().map(|e| format!("{e}\n")).collect::<String>());
    let (_, first) = vault.put(&s, &n, &value("a"), &mut random).unwrap();
    let (_, second) = vault.put(&s, &n, &value("b"), &mut random).unwrap();
    commit(&mut vault, first);
    let error = vault.apply(second).unwrap_err();
    assert_eq!(error.to_string(), "vault change computed at generation 0, the vault is at 1: compute it again");
    assert_eq!(vault.list(&s).unwrap()[0].versions, [1]);
}

proptest! {
    #[test]
    fn any_value_round_trips(
        seed in any::<u64>(),
        value in proptest::collection::vec(any::<u8>(), 1..2048),
        name_text in "[a-z0-9._-]{1,64}",
        master_bytes in any::<[u8; 32]>(),
    ) {
        let mut vault = Vault::sealed(VaultState::default());
        vault.unseal(MasterKey::from_bytes(master_bytes)).unwrap();
        let mut random = TestRandom::new(seed);
        let (s, n) = (scope("sentinel-x/ops"), name(&name_text));
        let (version, change) = vault.put(&s, &n, &SecretValue::new(value.clone()), &mut random).unwrap();
        commit(&mut vault, change);
        let mut reopened = Vault::sealed(vault.state().clone());
        reopened.unseal(MasterKey::from_bytes(master_bytes)).unwrap();
        let got = reopened.get(&s, &n, Some(version)).unwrap();
        prop_assert_eq!(got.expose(), &value[..]);
    }
}
