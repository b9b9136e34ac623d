//! The types that hold or name secrets: the master key, a secret's value and its name. The
//! first two are zeroized on drop, print as `[redacted]`, cannot be serialized, and show their
//! bytes only through an explicit `expose`.

use crate::error::VaultError;
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

/// Length of the master key and of every data key, in bytes.
pub const KEY_LEN: usize = 32;

/// Longest secret value accepted, in bytes: credentials and keys, not files.
pub const VALUE_LEN_MAX: usize = 64 * 1024;

/// Longest secret name accepted, in characters.
pub const NAME_LEN_MAX: usize = 64;

/// The key that wraps every data key. Without it the vault is sealed.
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl MasterKey {
    /// A master key from 32 bytes (from the caller's randomness or a key file).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> MasterKey {
        MasterKey(Zeroizing::new(bytes))
    }

    /// A new random master key, drawn straight into memory that is zeroized on drop.
    pub fn generate(random: &mut impl crate::Random) -> Result<MasterKey, VaultError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random.fill(&mut key[..])?;
        Ok(MasterKey(key))
    }

    /// A key file's or an env_var's contents: exactly 32 raw bytes, or 64 hex digits with
    /// optional surrounding whitespace. The error gives only the length, never the contents.
    pub fn parse(bytes: &[u8]) -> Result<MasterKey, VaultError> {
        if let Ok(raw) = <[u8; KEY_LEN]>::try_from(bytes) {
            return Ok(MasterKey::from_bytes(raw));
        }
        let text = bytes.trim_ascii();
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if text.len() != 2 * KEY_LEN || !crate::hex::decode_into(text, &mut key[..]) {
            return Err(VaultError::MasterKey { len: bytes.len() });
        }
        Ok(MasterKey(key))
    }

    /// The key as 64 lowercase hex digits, for writing a new key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(base::hex(&self.0[..]))
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

/// A secret's value: bytes, zeroized on drop. It prints as `[redacted]` and is not
/// `Serialize`; `expose` is the one way to its bytes.
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    /// Takes the bytes without copying them.
    pub fn new(bytes: Vec<u8>) -> SecretValue {
        SecretValue(Zeroizing::new(bytes))
    }

    /// The bytes: for handing to the deployment it belongs to, never for printing.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue([redacted])")
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A secret's name within its scope, like `gs-kiruna.password` or `release-signing-key`:
/// 1 to 64 characters of `a-z`, `0-9`, `.`, `_` and `-`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SecretName(String);

impl SecretName {
    /// The name text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SecretName {
    type Err = VaultError;

    /// Checks the name. The error gives its length, not its text: a value pasted where a
    /// name belongs must not be echoed.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        let len = text.chars().count();
        if len == 0 || len > NAME_LEN_MAX || !text.chars().all(allowed) {
            return Err(VaultError::Name { len });
        }
        Ok(SecretName(text.to_string()))
    }
}

impl TryFrom<String> for SecretName {
    type Error = VaultError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<SecretName> for String {
    fn from(name: SecretName) -> String {
        name.0
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
