//! Sessions and API tokens on the wire. A password or a token's secret goes in once and comes
//! out once (the token, at creation); neither is ever in an error.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Signing in to the portal.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").field("user", &self.user).field("password", &"[redacted]").finish()
    }
}

/// A session began: the cookie is set (`HttpOnly`, `Secure`, `SameSite=Strict`); send `csrf`
/// as the `x-csrf-token` header with every request that changes something.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionStarted {
    pub user: String,
    pub csrf: String,
    pub expires_ms: u64,
}

/// Who the request's credential is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WhoAmI {
    pub principal: String,
    /// `anonymous`, `user`, `token` or `workload`.
    pub kind: String,
    /// The roles the credential carries: `mission/env/role`.
    pub grants: Vec<String>,
    /// The environments it may act in; absent for all.
    pub envs: Option<Vec<String>>,
}

/// A new API token for the signed-in person, within their own grants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub name: String,
    /// `mission/env/role`, each one the person holds.
    pub grants: Vec<String>,
    /// The environments it may act in (default: those its grants name).
    #[serde(default)]
    pub envs: Option<Vec<String>>,
    /// Lifetime in seconds (default 30 days, at most 365 days).
    #[serde(default)]
    pub ttl_s: Option<u64>,
}

/// A token as listed: never its secret, never its hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub grants: Vec<String>,
    pub envs: Option<Vec<String>>,
    pub created_ms: u64,
    pub expires_ms: u64,
    pub revoked_ms: Option<u64>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// A token just made: `secret` is shown this once and never again.
#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenCreated {
    pub token: TokenDto,
    pub secret: String,
}

impl std::fmt::Debug for TokenCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCreated").field("token", &self.token).field("secret", &"[redacted]").finish()
    }
}
