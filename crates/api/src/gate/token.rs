//! Bearer tokens from a fixed list: the crate's own simple identity (configured tokens, tests,
//! benches). The binary adds stored, hashed, expiring tokens and sessions in front of it.

use super::{Identify, Principal, PrincipalKind};
use crate::error::ApiError;
use axum::http::{header, HeaderMap};
use base::{Env, MissionSlug, Scope};
use std::fmt;
use std::str::FromStr;

/// A configured API token: its name is the principal's id, `token` is the secret clients send
/// as `Authorization: Bearer <token>`, `scopes` are the deployments it may act on.
#[derive(Clone)]
pub struct TokenGrant {
    /// The principal id of requests presenting this token.
    pub name: String,
    /// The bearer value. Never printed.
    pub token: String,
    /// The deployments it may act on; none = platform-level reads only.
    pub scopes: Vec<ScopeGrant>,
    /// The roles it carries (for policy that knows roles).
    pub grants: Vec<super::Grant>,
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("name", &self.name)
            .field("token", &"[redacted]")
            .field("scopes", &self.scopes)
            .field("grants", &self.grants)
            .finish()
    }
}

impl TokenGrant {
    /// The principal of requests presenting this token: its grants, and the environments its
    /// scopes name (all when one names every environment).
    pub fn principal(&self) -> Principal {
        let envs = if self.scopes.iter().any(|scope| scope.env.is_none()) {
            None
        } else {
            let mut envs: Vec<Env> = self.scopes.iter().filter_map(|scope| scope.env).collect();
            envs.sort();
            envs.dedup();
            Some(envs)
        };
        Principal { id: self.name.clone(), kind: PrincipalKind::Token, grants: self.grants.clone(), envs, via: None }
    }
}

/// Deployments a token may act on: one mission or all (`*`), one environment or all (`*`).
/// Written `sentinel-x/ops`, `sentinel-x/*`, `*/dev`, or `*` (same as `*/*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeGrant {
    /// The mission, or all missions when `None`.
    pub mission: Option<MissionSlug>,
    /// The environment, or all environments when `None`.
    pub env: Option<Env>,
}

/// Why a text is not a scope grant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// Not `<mission>/<env>` or `*`.
    #[error("scope `{text}`: expected <mission|*>/<env|*> or *, like sentinel-x/ops")]
    Shape { text: String },
    /// The mission or environment part is not one.
    #[error("scope `{text}`: {why}")]
    Part { text: String, why: String },
}

impl ScopeGrant {
    /// Whether the grant covers the deployment.
    pub fn covers(&self, scope: &Scope) -> bool {
        self.mission.as_ref().is_none_or(|mission| *mission == scope.mission)
            && self.env.is_none_or(|env| env == scope.env)
    }

    /// Whether the grant names the mission (in some environment, or all missions).
    pub fn names_mission(&self, mission: &MissionSlug) -> bool {
        self.mission.as_ref().is_none_or(|granted| granted == mission)
    }

    /// Whether the grant covers every environment of the mission (`<mission>/*` or `*`).
    pub fn covers_mission(&self, mission: &MissionSlug) -> bool {
        self.names_mission(mission) && self.env.is_none()
    }

    /// Whether the grant covers every deployment of every mission (`*`).
    pub fn covers_everything(&self) -> bool {
        self.mission.is_none() && self.env.is_none()
    }
}

impl FromStr for ScopeGrant {
    type Err = GrantError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (mission, env) = if text == "*" { Some(("*", "*")) } else { text.split_once('/') }
            .ok_or_else(|| GrantError::Shape { text: text.to_string() })?;
        let part = |why: String| GrantError::Part { text: text.to_string(), why };
        let mission = match mission {
            "*" => None,
            slug => Some(slug.parse().map_err(|e: base::SlugError| part(e.to_string()))?),
        };
        let env = match env {
            "*" => None,
            name => Some(name.parse().map_err(|e: base::EnvError| part(e.to_string()))?),
        };
        Ok(ScopeGrant { mission, env })
    }
}

/// Identifies `Authorization: Bearer <secret>` against the configured tokens. No header means
/// anonymous; any other authorization, or an unknown secret, is a 401.
pub struct TokenIdentity {
    tokens: Vec<TokenGrant>,
}

impl TokenIdentity {
    /// An identity knowing these tokens.
    pub fn new(tokens: Vec<TokenGrant>) -> TokenIdentity {
        TokenIdentity { tokens }
    }
}

impl Identify for TokenIdentity {
    fn identify(&self, headers: &HeaderMap, _changes: bool) -> Result<Principal, ApiError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Ok(Principal::anonymous());
        };
        let unauthenticated = |reason: &str| ApiError::Unauthenticated { reason: reason.to_string() };
        let text = value.to_str().map_err(|_| unauthenticated("authorization header is not ASCII"))?;
        let secret = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .ok_or_else(|| unauthenticated("authorization must be `Bearer <token>`"))?
            .trim();
        // Every token is compared in full, so the time taken does not say which one nearly matched.
        let mut found = None;
        for token in &self.tokens {
            if equal_in_constant_time(token.token.as_bytes(), secret.as_bytes()) {
                found = Some(token);
            }
        }
        let token = found.ok_or_else(|| unauthenticated("unknown bearer token"))?;
        Ok(token.principal())
    }
}

fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
