//! Keys for checkpoints: who signs (`CheckpointSigner`, `KeySigner`) and whom the verifier
//! trusts (`TrustedKey`). A key id is the platform's format (as `release::PublicKey::key_id`):
//! `ed25519:` and the first 16 hex digits of the SHA-256 of the 32-byte public key.

use crate::AuditError;
use base::Digest;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use std::fmt;

/// Signs checkpoints: the platform key, wherever it is kept.
pub trait CheckpointSigner {
    /// The signing key's id (`ed25519:<16 hex>`), stored beside the signature.
    fn key_id(&self) -> String;
    /// The Ed25519 signature of `message`.
    fn sign(&self, message: &[u8]) -> [u8; 64];
}

/// The key id of a 32-byte Ed25519 public key: `ed25519:<first 16 hex of its SHA-256>`.
pub fn key_id(public: &[u8; 32]) -> String {
    format!("ed25519:{}", &Digest::of(public).hex()[..16])
}

/// An Ed25519 signing key held in memory. Prints as `[redacted]`.
pub struct KeySigner(SigningKey);

impl KeySigner {
    /// The key with this 32-byte seed (the platform key file's content).
    pub fn from_seed(seed: [u8; 32]) -> KeySigner {
        KeySigner(SigningKey::from_bytes(&seed))
    }

    /// The public half, to verify with.
    pub fn trusted(&self) -> TrustedKey {
        TrustedKey(self.0.verifying_key())
    }
}

impl fmt::Debug for KeySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl CheckpointSigner for KeySigner {
    fn key_id(&self) -> String {
        key_id(self.0.verifying_key().as_bytes())
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// A public key whose checkpoints are believed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TrustedKey(VerifyingKey);

impl TrustedKey {
    /// The public key with these 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<TrustedKey, AuditError> {
        VerifyingKey::from_bytes(bytes).map(TrustedKey).map_err(|_| AuditError::BadKey { key: base::hex(bytes) })
    }

    /// `ed25519:<16 hex>`.
    pub fn key_id(&self) -> String {
        key_id(self.0.as_bytes())
    }

    /// Whether `sig` is this key's signature of `message` (strict: no malleable signatures).
    pub fn verifies(&self, message: &[u8], sig: &[u8; 64]) -> bool {
        self.0.verify_strict(message, &Signature::from_bytes(sig)).is_ok()
    }
}

impl fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key_id())
    }
}
