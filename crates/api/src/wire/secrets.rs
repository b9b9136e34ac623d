//! The JSON shapes of the secrets routes. A value goes in (`SecretPut`) and never comes out:
//! no answer has a field that could hold one, and `SecretPut` prints as `[redacted]`.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// One secret of an environment: its name and versions, never its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecretSummary {
    /// Like `gs-kiruna.password`.
    pub name: String,
    /// Every stored version, ascending; the last is the current one.
    pub versions: Vec<SecretVersionDto>,
}

/// One version of a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecretVersionDto {
    /// From 1.
    pub version: u32,
    /// When it was stored through the server; absent for versions stored by
    /// `groundplane secret put` before the server knew them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_ms: Option<u64>,
}

/// A new version of a secret: exactly one of `value` (text, stored as its UTF-8 bytes) or
/// `value_base64` (bytes, standard base64 with padding). Never printed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretPut {
    /// The value as text.
    #[serde(default)]
    pub value: Option<String>,
    /// The value as standard base64.
    #[serde(default)]
    pub value_base64: Option<String>,
}

impl fmt::Debug for SecretPut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretPut([redacted])")
    }
}

/// A version stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecretStored {
    pub name: String,
    /// The new version (the first is 1).
    pub version: u32,
}

/// A secret deleted, every version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecretDeleted {
    pub name: String,
    /// How many versions were removed.
    pub versions: usize,
}

/// An environment's secrets re-sealed under a new data key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecretsRotated {
    /// The new data key's version; older data keys are retired.
    pub data_key_version: u32,
    /// How many secret versions were re-sealed.
    pub resealed: usize,
}
