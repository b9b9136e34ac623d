//! Keys and signatures. A release is signed with Ed25519 over a DSSE pre-authentication
//! encoding (PAE) of a small JSON payload naming the release digest and the provenance
//! statement's digest:
//!
//! ```text
//! payload = {"provenance":"sha256:<hex of provenance.json>","release":"sha256:<hex of manifest.json>"}
//! signed  = "DSSEv1" SP len(type) SP type SP len(payload) SP payload
//!           with type = "application/vnd.groundplane.release+json", lengths in ASCII decimal
//! ```
//!
//! So one signature covers every file (through the manifest) and who cut it when (through the
//! provenance). Keys are text files: 64 hex digits (a secret key's 32-byte seed, or a public
//! key). A key id is `ed25519:` and the first 16 hex digits of the public key's SHA-256. This
//! module never makes randomness: seeds come in as bytes.

use base::{Digest, MissionSlug};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use std::fmt;

/// The DSSE payload type of a release signature.
pub const PAYLOAD_TYPE: &str = "application/vnd.groundplane.release+json";

/// A secret signing key. Prints as `[redacted]`.
pub struct SecretKey(SigningKey);

/// A public key, trusted or not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// Why a key text cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{file}: expected 64 hex digits (a 32-byte Ed25519 key)")]
    Malformed { file: String },
    #[error("{file}: not a valid Ed25519 public key")]
    NotAPoint { file: String },
}

/// Who signs a release: the platform's key or the mission's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerKind {
    Platform,
    Mission,
}

impl SecretKey {
    /// The key with this 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// Reads a key file's text (64 hex digits, surrounding whitespace ignored); `file` names it
    /// in errors.
    pub fn from_text(file: &str, text: &str) -> Result<SecretKey, KeyError> {
        Ok(SecretKey::from_seed(key_bytes(file, text)?))
    }

    /// The key file's text: the seed in hex and a newline.
    pub fn to_text(&self) -> String {
        format!("{}\n", base::hex(self.0.as_bytes()))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl PublicKey {
    /// Reads a public key file's text (64 hex digits); `file` names it in errors.
    pub fn from_text(file: &str, text: &str) -> Result<PublicKey, KeyError> {
        let bytes = key_bytes(file, text)?;
        VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|_| KeyError::NotAPoint { file: file.to_string() })
    }

    /// The public key file's text: 64 hex digits and a newline.
    pub fn to_text(&self) -> String {
        format!("{}\n", base::hex(self.0.as_bytes()))
    }

    /// `ed25519:` and the first 16 hex digits of the SHA-256 of the key's 32 bytes.
    pub fn key_id(&self) -> String {
        format!("ed25519:{}", &Digest::of(self.0.as_bytes()).hex()[..16])
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key_id())
    }
}

fn key_bytes(file: &str, text: &str) -> Result<[u8; 32], KeyError> {
    let text = text.trim();
    let malformed = || KeyError::Malformed { file: file.to_string() };
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    let mut bytes = [0u8; 32];
    for (idx, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * idx..2 * idx + 2], 16).map_err(|_| malformed())?;
    }
    Ok(bytes)
}

/// What a release signature signs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPayload {
    /// SHA-256 of `provenance.json`.
    pub provenance: Digest,
    /// The release digest (SHA-256 of `manifest.json`).
    pub release: Digest,
}

/// `signature.json`: the signature, the key that made it and the role it signed in. Fields in
/// alphabetical order, written as compact JSON.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureRecord {
    pub key_id: String,
    pub payload: SignedPayload,
    pub payload_type: String,
    /// The Ed25519 signature over `pae(payload_type, payload's compact JSON)`, in hex.
    pub sig: String,
    /// `platform` or `mission:<slug>`.
    pub signer: String,
}

/// The DSSE v1 pre-authentication encoding of a payload.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The signer text of a role: `platform` or `mission:<slug>`.
pub fn signer_text(kind: SignerKind, mission: &MissionSlug) -> String {
    match kind {
        SignerKind::Platform => "platform".to_string(),
        SignerKind::Mission => format!("mission:{mission}"),
    }
}

impl SignedPayload {
    /// The exact bytes given to the PAE: compact JSON, keys sorted.
    pub fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("two digests always serialize")
    }
}

impl SignatureRecord {
    /// Signs `payload` with `key` in the role `signer`.
    pub fn sign(key: &SecretKey, signer: String, payload: SignedPayload) -> SignatureRecord {
        let sig = key.sign(&pae(PAYLOAD_TYPE, &payload.bytes()));
        SignatureRecord {
            key_id: key.public().key_id(),
            payload,
            payload_type: PAYLOAD_TYPE.to_string(),
            sig: base::hex(&sig),
            signer,
        }
    }

    /// Whether `key` made this signature over this payload.
    pub fn verifies_with(&self, key: &PublicKey) -> bool {
        let Some(sig) = signature_bytes(&self.sig) else {
            return false;
        };
        let message = pae(&self.payload_type, &self.payload.bytes());
        key.0.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&sig)).is_ok()
    }

    /// The record's file bytes: compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a signature record is strings, which always serialize")
    }
}

fn signature_bytes(text: &str) -> Option<[u8; 64]> {
    if text.len() != 128 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut bytes = [0u8; 64];
    for (idx, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * idx..2 * idx + 2], 16).ok()?;
    }
    Some(bytes)
}
