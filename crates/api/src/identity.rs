//! Sessions and API tokens (issue 7): sign in and out of the portal, who am I, and a person's
//! own API tokens. The `IdentityBackend` checks passwords and keeps the stores; calls run off
//! the async threads (a password hash takes tens of milliseconds on purpose). Without a
//! backend the routes answer 404. A password or token secret is never in an error or a log.

use crate::error::ApiError;
use crate::gate::{Principal, PrincipalKind};
use crate::json::JsonBody;
use crate::openapi::IDENTITY_TAG;
use crate::params::Params;
use crate::pipeline::Granted;
use crate::wire::{ErrorBody, LoginRequest, SessionStarted, TokenCreated, TokenDto, TokenRequest, WhoAmI};
use axum::extract::{RawPathParams, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::sync::Arc;

/// The name of the portal's session cookie.
pub const SESSION_COOKIE: &str = "gp_session";

/// A session that began: what the client is told, and the `Set-Cookie` value.
pub struct Login {
    pub started: SessionStarted,
    pub set_cookie: String,
}

/// Accounts, sessions and tokens as the API sees them. Calls are blocking.
pub trait IdentityBackend: Send + Sync + 'static {
    /// Checks a password and starts a session.
    fn login(&self, user: &str, password: &str) -> Result<Login, IdentityError>;
    /// Ends the session of this cookie value (nothing if there is none); answers the
    /// `Set-Cookie` value that clears the cookie.
    fn logout(&self, cookie_value: Option<&str>) -> Result<String, IdentityError>;
    /// Makes a token for `by` (a person), within their grants; the secret is in the answer only.
    fn create_token(&self, by: &Principal, request: &TokenRequest) -> Result<TokenCreated, IdentityError>;
    /// `by`'s tokens (a platform admin's: every token).
    fn tokens(&self, by: &Principal) -> Result<Vec<TokenDto>, IdentityError>;
    /// Revokes a token of `by` (a platform admin: any).
    fn revoke_token(&self, by: &Principal, id: &str) -> Result<TokenDto, IdentityError>;
}

/// Why an identity call was refused. No variant holds a password or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Wrong user or password, an expired session (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Not this principal's to do (403).
    #[error("{0}")]
    Forbidden(String),
    /// A field is wrong (400).
    #[error("{field}: {reason}")]
    BadRequest { field: String, reason: String },
    /// No such token (404).
    #[error("{0}")]
    NotFound(String),
    /// Too many sign-ins at once (503).
    #[error("{0}")]
    Unavailable(String),
    /// The store failed: a bare 500, logged.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> ApiError {
        match error {
            IdentityError::Unauthenticated(reason) => ApiError::Unauthenticated { reason },
            IdentityError::Forbidden(reason) => ApiError::Forbidden { reason },
            IdentityError::BadRequest { field, reason } => {
                ApiError::BadRequest { reason: format!("{field}: {reason}"), field: Some(field) }
            }
            IdentityError::NotFound(reason) => ApiError::NotFound { field: Some("id".into()), reason },
            IdentityError::Unavailable(reason) => ApiError::Unavailable { reason },
            IdentityError::Internal(detail) => ApiError::Internal { detail },
        }
    }
}

/// The backend the router was made with, in the request's extensions.
#[derive(Clone)]
pub(crate) struct IdentityHandle(pub Option<Arc<dyn IdentityBackend>>);

/// The value of the session cookie in a request's `Cookie` headers.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers.get_all(header::COOKIE).iter().filter_map(|value| value.to_str().ok()).find_map(session_cookie_value)
}

/// The session cookie's value in one `Cookie` header's text (`a=1; gp_session=...`), if any.
pub fn session_cookie_value(cookies: &str) -> Option<&str> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
}

/// Signs in: checks the password, sets the session cookie, answers the CSRF token.
#[utoipa::path(post, path = "/api/session", tag = IDENTITY_TAG, request_body = LoginRequest,
    responses((status = 200, body = SessionStarted), (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub(crate) async fn login(
    State(app): State<crate::pipeline::AppState>,
    identity: Option<Extension<IdentityHandle>>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    params.finish()?;
    let user = request.user.clone();
    let login = blocking(&identity, move |backend| backend.login(&request.user, &request.password)).await;
    granted.outcome(&app, &login, serde_json::json!({ "user": user }));
    let login = login?;
    let mut response = Json(login.started).into_response();
    set_cookie(&mut response, &login.set_cookie)?;
    Ok(response)
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = IDENTITY_TAG, responses((status = 204)))]
pub(crate) async fn logout(
    State(app): State<crate::pipeline::AppState>,
    identity: Option<Extension<IdentityHandle>>,
    granted: Granted,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let cookie = session_cookie(&headers).map(str::to_string);
    let cleared = blocking(&identity, move |backend| backend.logout(cookie.as_deref())).await;
    granted.outcome(&app, &cleared, serde_json::json!({ "logout": granted.principal.id }));
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut response, &cleared?)?;
    Ok(response)
}

/// Who the request's credential is, with its grants.
#[utoipa::path(get, path = "/api/session", tag = IDENTITY_TAG, responses((status = 200, body = WhoAmI)))]
pub(crate) async fn whoami(granted: Granted, params: Params) -> Result<Response, ApiError> {
    params.finish()?;
    let principal = &granted.principal;
    let kind = match principal.kind {
        PrincipalKind::Anonymous => "anonymous",
        PrincipalKind::Token => "token",
        PrincipalKind::User => "user",
        PrincipalKind::Workload => "workload",
    };
    Ok(Json(WhoAmI {
        principal: principal.id.clone(),
        kind: kind.to_string(),
        grants: principal.grants.iter().map(ToString::to_string).collect(),
        envs: principal.envs.as_ref().map(|envs| envs.iter().map(ToString::to_string).collect()),
    })
    .into_response())
}

/// Makes an API token for the signed-in person; the secret is in this answer only.
#[utoipa::path(post, path = "/api/tokens", tag = IDENTITY_TAG, request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn create_token(
    State(app): State<crate::pipeline::AppState>,
    identity: Option<Extension<IdentityHandle>>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<Response, ApiError> {
    params.finish()?;
    let by = granted.principal.clone();
    let asked = serde_json::json!({ "name": request.name, "grants": request.grants });
    let created = blocking(&identity, move |backend| backend.create_token(&by, &request)).await;
    let detail = match &created {
        Ok(created) => {
            serde_json::json!({ "id": created.token.id, "name": created.token.name, "grants": created.token.grants })
        }
        Err(_) => asked,
    };
    granted.outcome(&app, &created, detail);
    Ok((StatusCode::CREATED, Json(created?)).into_response())
}

/// The signed-in person's tokens (a platform admin's: all); never a secret.
#[utoipa::path(get, path = "/api/tokens", tag = IDENTITY_TAG, responses((status = 200, body = Vec<TokenDto>)))]
pub(crate) async fn tokens(
    identity: Option<Extension<IdentityHandle>>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let by = granted.principal.clone();
    Ok(Json(blocking(&identity, move |backend| backend.tokens(&by)).await?).into_response())
}

/// Revokes a token: refused from then on.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = IDENTITY_TAG,
    params(("id" = String, Path, description = "the token's id")),
    responses((status = 200, body = TokenDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn revoke_token(
    State(app): State<crate::pipeline::AppState>,
    identity: Option<Extension<IdentityHandle>>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let id = path.iter().find(|(key, _)| *key == "id").map(|(_, value)| value.to_string()).unwrap_or_default();
    let by = granted.principal.clone();
    let asked = serde_json::json!({ "id": id });
    let revoked = blocking(&identity, move |backend| backend.revoke_token(&by, &id)).await;
    granted.outcome(&app, &revoked, asked);
    Ok(Json(revoked?).into_response())
}

fn set_cookie(response: &mut Response, value: &str) -> Result<(), ApiError> {
    let value = HeaderValue::from_str(value)
        .map_err(|_| ApiError::Internal { detail: "a Set-Cookie value that is not a header value".into() })?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(())
}

/// Runs a blocking identity call off the async threads; 404 when this server has none.
async fn blocking<T, F>(identity: &Option<Extension<IdentityHandle>>, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn IdentityBackend) -> Result<T, IdentityError> + Send + 'static,
{
    let backend = identity.as_ref().and_then(|handle| handle.0 .0.clone()).ok_or_else(|| ApiError::NotFound {
        field: None,
        reason: "accounts and tokens are not enabled on this server".into(),
    })?;
    tokio::task::spawn_blocking(move || call(&*backend))
        .await
        .map_err(|error| ApiError::Internal { detail: format!("identity call failed: {error}") })?
        .map_err(ApiError::from)
}
