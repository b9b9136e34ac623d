//! The identities in the HTTP gate and behind the session and token routes: who a request's
//! credential is (`PlatformIdentity`: a stored token, a session cookie, a configured token, or
//! nobody), and the API's `IdentityBackend` over `Identities`.

use super::{clear_cookie, session_cookie, AuthRefusal, Authenticated, Identities, CSRF_HEADER};
use api::gate::{Identify, Principal, PrincipalKind, TokenIdentity};
use api::wire::{SessionStarted, TokenCreated, TokenDto, TokenRequest};
use api::{ApiError, IdentityBackend, IdentityError, Login};
use axum::http::{header, HeaderMap};
use std::sync::Arc;

/// Stored API tokens start so; anything else after `Bearer ` is a configured token.
const STORED_TOKEN_PREFIX: &str = "gpt_";

/// Identifies a request: `Authorization: Bearer gpt_…` against the identity store, another
/// bearer value against the configuration's tokens, else the `gp_session` cookie (with its
/// CSRF header when the request changes state), else anonymous.
pub struct PlatformIdentity {
    pub configured: TokenIdentity,
    pub store: Arc<Identities>,
}

/// The API's principal for an authenticated credential: a stored token acts for its owner
/// (approvals count people, not credentials) and says which token it is.
pub fn principal(who: Authenticated) -> Principal {
    let via = (who.kind == policy::PrincipalKind::Token).then(|| format!("token {}", who.id));
    let kind = match who.kind {
        policy::PrincipalKind::User => PrincipalKind::User,
        policy::PrincipalKind::Token => PrincipalKind::Token,
        policy::PrincipalKind::Workload => PrincipalKind::Workload,
    };
    Principal { id: who.owner, kind, grants: who.grants, envs: who.envs, via }
}

/// The identity module's view of an API principal (for the token routes).
fn authenticated(by: &Principal) -> Authenticated {
    let kind = match by.kind {
        PrincipalKind::User => policy::PrincipalKind::User,
        PrincipalKind::Workload => policy::PrincipalKind::Workload,
        PrincipalKind::Token | PrincipalKind::Anonymous => policy::PrincipalKind::Token,
    };
    Authenticated { id: by.id.clone(), kind, owner: by.id.clone(), grants: by.grants.clone(), envs: by.envs.clone() }
}

fn unauthenticated(refusal: &AuthRefusal) -> ApiError {
    ApiError::Unauthenticated { reason: refusal.reason() }
}

impl Identify for PlatformIdentity {
    fn identify(&self, headers: &HeaderMap, changes: bool) -> Result<Principal, ApiError> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let text = value.to_str().unwrap_or_default();
            let bearer = text.strip_prefix("Bearer ").or_else(|| text.strip_prefix("bearer ")).map(str::trim);
            if let Some(secret) = bearer.filter(|secret| secret.starts_with(STORED_TOKEN_PREFIX)) {
                return self.store.authenticate_bearer(secret).map(principal).map_err(|r| unauthenticated(&r));
            }
            return self.configured.identify(headers, changes);
        }
        let Some(cookie) = api::session_cookie(headers) else {
            return Ok(Principal::anonymous());
        };
        let csrf = headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok());
        self.store.session(cookie, csrf, changes).map(principal).map_err(|r| unauthenticated(&r))
    }
}

/// The session and token routes over the identity store.
pub struct IdentityRoutes(pub Arc<Identities>);

fn refused(refusal: AuthRefusal) -> IdentityError {
    let reason = refusal.reason();
    match refusal.http_status() {
        401 => IdentityError::Unauthenticated(reason),
        403 => IdentityError::Forbidden(reason),
        400 => IdentityError::BadRequest { field: "body".into(), reason },
        404 => IdentityError::NotFound(reason),
        503 => IdentityError::Unavailable(reason),
        _ => IdentityError::Internal(format!("{refusal:?}")),
    }
}

fn dto(view: ::identity::TokenView, now_ms: u64) -> TokenDto {
    TokenDto {
        status: view.status(now_ms).to_string(),
        id: view.id,
        name: view.name,
        owner: view.owner,
        grants: view.grants,
        envs: view.envs.map(|envs| envs.iter().map(ToString::to_string).collect()),
        created_ms: view.created_ms,
        expires_ms: view.expires_ms,
        revoked_ms: view.revoked_ms,
    }
}

fn bad(field: &str, reason: String) -> IdentityError {
    IdentityError::BadRequest { field: field.to_string(), reason }
}

impl IdentityBackend for IdentityRoutes {
    fn login(&self, user: &str, password: &str) -> Result<Login, IdentityError> {
        let session = self.0.login(user, password).map_err(refused)?;
        Ok(Login {
            set_cookie: session_cookie(session.cookie_value.expose(), session.max_age_s),
            started: SessionStarted { user: user.to_string(), csrf: session.csrf, expires_ms: session.expires_ms },
        })
    }

    fn logout(&self, cookie: Option<&str>) -> Result<String, IdentityError> {
        if let Some(cookie) = cookie {
            self.0.logout(cookie).map_err(refused)?;
        }
        Ok(clear_cookie())
    }

    fn create_token(&self, by: &Principal, request: &TokenRequest) -> Result<TokenCreated, IdentityError> {
        let mut grants = Vec::new();
        for (idx, text) in request.grants.iter().enumerate() {
            grants.push(
                ::identity::parse_grant(text).map_err(|error| bad(&format!("grants[{idx}]"), error.to_string()))?,
            );
        }
        let envs = match &request.envs {
            Some(envs) => Some(
                envs.iter()
                    .enumerate()
                    .map(|(idx, env)| {
                        env.parse().map_err(|e: base::EnvError| bad(&format!("envs[{idx}]"), e.to_string()))
                    })
                    .collect::<Result<Vec<base::Env>, _>>()?,
            ),
            None => None,
        };
        let ttl_ms = request.ttl_s.map(|s| s.saturating_mul(1000));
        let (view, secret) =
            self.0.create_token(&authenticated(by), &request.name, grants, envs, ttl_ms).map_err(refused)?;
        Ok(TokenCreated { token: dto(view, self.0.now_ms()), secret: secret.expose().to_string() })
    }

    fn tokens(&self, by: &Principal) -> Result<Vec<TokenDto>, IdentityError> {
        let now_ms = self.0.now_ms();
        Ok(self.0.tokens_of(&authenticated(by)).map_err(refused)?.into_iter().map(|view| dto(view, now_ms)).collect())
    }

    fn revoke_token(&self, by: &Principal, id: &str) -> Result<TokenDto, IdentityError> {
        let by = authenticated(by);
        self.0.revoke_token(&by, id).map_err(refused)?;
        let now_ms = self.0.now_ms();
        let view = self.0.tokens_of(&by).map_err(refused)?.into_iter().find(|view| view.id == id);
        view.map(|view| dto(view, now_ms)).ok_or_else(|| IdentityError::NotFound(format!("token {id}: unknown")))
    }
}
