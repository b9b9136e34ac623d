//! The configuration's access tables: who may use the API (`[auth]`), the control plane's
//! trust (`[control]`) and the secrets vault's master key (`[vault]`).

use serde::Deserialize;
use std::path::PathBuf;

/// The secrets vault of `<data>/_platform/vault`: where its master key is. Without a key
/// file, the `GROUNDPLANE_MASTER_KEY` env_var; without either the vault is sealed (it lists,
/// stores and delivers nothing, and a deployment that needs a secret does not start).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VaultConfig {
    /// The master key file (from `groundplane secret init-key`): mode 0600, relative paths
    /// relative to the config file. Checked when the server starts.
    pub master_key_file: Option<PathBuf>,
}

/// The control plane's settings.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ControlConfig {
    /// Public keys (files from `release keygen`: `KEY.pub`) whose signatures the platform
    /// trusts on imported releases, besides its own key: mission keys, another platform's.
    #[serde(default)]
    pub trusted_keys: Vec<PathBuf>,
    /// The trust domain of the platform CA's SPIFFE ids (default `groundplane.local`; an
    /// existing CA keeps its own, and a different one here stops the server).
    pub trust_domain: Option<String>,
}

/// Who may use the API besides the identity store's users and tokens.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Requests without a token may read everything (never write).
    #[serde(default)]
    pub anonymous_read: bool,
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
}

/// An API token.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub name: String,
    pub token: String,
    /// Roles it carries: `mission/env/role`, `*` for every mission or environment.
    #[serde(default)]
    pub grants: Vec<String>,
    /// `mission/env` or `mission/*`; `*` for every deployment: where it may act. Absent: the
    /// environments its grants name.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenConfig")
            .field("name", &self.name)
            .field("token", &"[redacted]")
            .field("grants", &self.grants)
            .field("scopes", &self.scopes)
            .finish()
    }
}
