//! Envelope encryption with XChaCha20-Poly1305: the master key wraps each scope's data keys,
//! a data key seals that scope's secret values. Every ciphertext's associated data names what
//! it is (scope, name, versions), so one moved elsewhere in the state does not open.

use crate::error::{RandomError, VaultError};
use crate::secret::{MasterKey, SecretName, SecretValue, KEY_LEN};
use crate::state::{KeyCheck, SealedSecret, WrappedDataKey, NONCE_LEN};
use base::Scope;
use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// The caller's source of random bytes (the operating system's, or a seeded one in tests):
/// the vault has none of its own.
pub trait Random {
    /// Fills `bytes` with random bytes.
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomError>;
}

impl<F: FnMut(&mut [u8]) -> Result<(), RandomError>> Random for F {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomError> {
        self(bytes)
    }
}

/// Poly1305 tag length: every ciphertext is this much longer than its plaintext.
const TAG_LEN: usize = 16;

/// Versions the associated data, so a later format can never open an earlier one by accident.
const DOMAIN: &str = "groundplane.vault/v1";

/// One scope's data key, in memory only while an operation needs it.
pub(crate) struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub(crate) fn generate(random: &mut impl Random) -> Result<DataKey, VaultError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random.fill(&mut key[..])?;
        Ok(DataKey(key))
    }
}

impl KeyCheck {
    /// A check that only `master` opens: the tag of an empty plaintext.
    pub(crate) fn new(master: &MasterKey, random: &mut impl Random) -> Result<KeyCheck, VaultError> {
        let (nonce, ciphertext) = encrypt(master.bytes(), random, &check_aad(), &[])?;
        Ok(KeyCheck { nonce, ciphertext })
    }

    /// Whether `master` is the key this check was made with.
    pub(crate) fn verify(&self, master: &MasterKey) -> bool {
        decrypt(master.bytes(), &self.nonce, &check_aad(), &self.ciphertext).is_some_and(|plain| plain.is_empty())
    }
}

impl WrappedDataKey {
    /// `key` wrapped by `master` as `scope`'s data key `version`.
    pub(crate) fn wrap(
        master: &MasterKey,
        scope: &Scope,
        version: u32,
        key: &DataKey,
        random: &mut impl Random,
    ) -> Result<WrappedDataKey, VaultError> {
        let (nonce, ciphertext) = encrypt(master.bytes(), random, &data_key_aad(scope, version), &key.0[..])?;
        Ok(WrappedDataKey { scope: scope.clone(), version, nonce, ciphertext })
    }

    /// The data key, if `master` wrapped it for this scope and version.
    pub(crate) fn unwrap_with(&self, master: &MasterKey) -> Result<DataKey, VaultError> {
        let error = || VaultError::DataKeyOpen { scope: self.scope.clone(), version: self.version };
        let aad = data_key_aad(&self.scope, self.version);
        let plain = decrypt(master.bytes(), &self.nonce, &aad, &self.ciphertext).ok_or_else(error)?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if plain.len() != KEY_LEN {
            return Err(error());
        }
        key.copy_from_slice(&plain);
        Ok(DataKey(key))
    }
}

/// Where a secret version is sealed: what its associated data binds.
pub(crate) struct Place<'a> {
    pub scope: &'a Scope,
    pub name: &'a SecretName,
    pub version: u32,
    pub dek_version: u32,
}

impl SealedSecret {
    /// `value` sealed by `key` (the scope's data key `place.dek_version`) at `place`.
    pub(crate) fn seal(
        key: &DataKey,
        place: Place<'_>,
        value: &[u8],
        random: &mut impl Random,
    ) -> Result<SealedSecret, VaultError> {
        let (nonce, ciphertext) = encrypt(&key.0, random, &secret_aad(&place), value)?;
        Ok(SealedSecret {
            scope: place.scope.clone(),
            name: place.name.clone(),
            version: place.version,
            dek_version: place.dek_version,
            nonce,
            ciphertext,
        })
    }

    /// The value, if `key` sealed it at the place this record says.
    pub(crate) fn open(&self, key: &DataKey) -> Result<SecretValue, VaultError> {
        let place =
            Place { scope: &self.scope, name: &self.name, version: self.version, dek_version: self.dek_version };
        let mut plain = decrypt(&key.0, &self.nonce, &secret_aad(&place), &self.ciphertext).ok_or_else(|| {
            VaultError::SecretOpen { scope: self.scope.clone(), name: self.name.to_string(), version: self.version }
        })?;
        Ok(SecretValue::new(std::mem::take(&mut *plain)))
    }
}

/// Encrypts in place in a buffer with room for the tag, so no copy of the plaintext is left
/// behind by a reallocation; returns the random nonce and the ciphertext.
fn encrypt(
    key: &[u8; KEY_LEN],
    random: &mut impl Random,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<([u8; NONCE_LEN], Vec<u8>), VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    random.fill(&mut nonce)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    buffer.extend_from_slice(plaintext);
    cipher
        .encrypt_in_place(XNonce::from_slice(&nonce), aad, &mut *buffer)
        .expect("XChaCha20-Poly1305 fails only past 2^38 bytes; values are at most VALUE_LEN_MAX");
    Ok((nonce, std::mem::take(&mut *buffer)))
}

/// The plaintext, or `None` when the tag does not match (wrong key, nonce, data or place).
fn decrypt(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN], aad: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher.decrypt_in_place(XNonce::from_slice(nonce), aad, &mut *buffer).ok()?;
    Some(buffer)
}

fn check_aad() -> Vec<u8> {
    aad("key check", &[])
}

fn data_key_aad(scope: &Scope, version: u32) -> Vec<u8> {
    aad("dek", &[scope.mission.as_str().as_bytes(), scope.env.as_str().as_bytes(), &version.to_be_bytes()])
}

fn secret_aad(place: &Place<'_>) -> Vec<u8> {
    let scope = place.scope;
    aad(
        "secret",
        &[
            scope.mission.as_str().as_bytes(),
            scope.env.as_str().as_bytes(),
            place.name.as_str().as_bytes(),
            &place.version.to_be_bytes(),
            &place.dek_version.to_be_bytes(),
        ],
    )
}

/// `groundplane.vault/v1 <kind>`, then each field with its length before it, so no two
/// different lists of fields give the same bytes.
fn aad(kind: &str, fields: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("{DOMAIN} {kind}").into_bytes();
    for field in fields {
        let len = u32::try_from(field.len()).expect("fields are names and versions, far below 4 GiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}
