//! The vault's tests, through its public API: round trips and versions (`versions`), rotation
//! (`rotation`), tampered and moved records (`tamper`), what is printed (`redaction`), and
//! parsing keys and names (`parse`).

mod parse;
mod redaction;
mod rotation;
mod tamper;
mod versions;

use crate::{Change, MasterKey, Random, RandomError, SecretName, SecretValue, Vault, VaultState};
use base::{Env, Scope};

/// A seeded source of random bytes (splitmix64), so a failing seed reproduces.
pub(crate) struct TestRandom(u64);

impl TestRandom {
    pub(crate) fn new(seed: u64) -> TestRandom {
        TestRandom(seed)
    }
}

impl Random for TestRandom {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomError> {
        for chunk in bytes.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

pub(crate) fn scope(text: &str) -> Scope {
    let (mission, env) = text.split_once('/').expect("scopes in tests are mission/env");
    Scope { mission: mission.parse().unwrap(), env: env.parse::<Env>().unwrap() }
}

pub(crate) fn name(text: &str) -> SecretName {
    text.parse().unwrap()
}

pub(crate) fn value(text: &str) -> SecretValue {
    SecretValue::new(text.as_bytes().to_vec())
}

pub(crate) fn master(fill: u8) -> MasterKey {
    MasterKey::from_bytes([fill; 32])
}

/// An unsealed vault with nothing stored.
pub(crate) fn empty_vault() -> Vault {
    let mut vault = Vault::sealed(VaultState::default());
    vault.unseal(master(1)).unwrap();
    vault
}

/// Applies a change, then checks the state survives its serialized form.
#[track_caller]
pub(crate) fn commit(vault: &mut Vault, change: Change) {
    vault.apply(change).unwrap();
    let json = serde_json::to_string(vault.state()).unwrap();
    assert_eq!(&serde_json::from_str::<VaultState>(&json).unwrap(), vault.state());
}

/// Puts `text` as a new version of `name` in `scope`; returns the version.
#[track_caller]
pub(crate) fn put(vault: &mut Vault, scope_text: &str, name_text: &str, text: &str, random: &mut TestRandom) -> u32 {
    let (version, change) = vault.put(&scope(scope_text), &name(name_text), &value(text), random).unwrap();
    commit(vault, change);
    version
}

/// The value of `name` in `scope` as text, or the error's message.
pub(crate) fn get(vault: &Vault, scope_text: &str, name_text: &str, version: Option<u32>) -> String {
    match vault.get(&scope(scope_text), &name(name_text), version) {
        Ok(value) => String::from_utf8(value.expose().to_vec()).unwrap(),
        Err(error) => format!("error: {error}"),
    }
}
