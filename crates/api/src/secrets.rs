//! The secrets routes of one environment (issue 7): list names and versions, store a new
//! version, delete, rotate the data key. Values go in and never come out: no answer, error
//! or log line of this module holds one, and a body that does not parse is refused without
//! quoting it. Every call goes to the `SecretsBackend`, off the async threads; without one the
//! routes answer 404, and a sealed vault answers 503.

use crate::error::ApiError;
use crate::gate::Principal;
use crate::json::json_bytes;
use crate::openapi::{ScopePath, SecretPath, SECRETS_TAG};
use crate::params::Params;
use crate::pipeline::{AppState, Granted};
use crate::wire::{ErrorBody, SecretDeleted, SecretPut, SecretStored, SecretSummary, SecretsRotated};
use axum::extract::{FromRequest, RawPathParams, Request};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base::Scope;
use std::sync::Arc;
use vault::{SecretName, SecretValue};

/// The vault as the API sees it. Every call names the principal it is made for, so that the
/// backend records the access (never the value) before answering. Calls are blocking.
pub trait SecretsBackend: Send + Sync + 'static {
    /// The secrets of `scope`: names, versions and when each was stored.
    fn list(&self, scope: &Scope, by: &Principal) -> Result<Vec<SecretSummary>, SecretsError>;
    /// Stores `value` as the next version of `name`; answers the version.
    fn put(&self, scope: &Scope, name: &SecretName, value: SecretValue, by: &Principal) -> Result<u32, SecretsError>;
    /// Deletes every version of `name`; answers how many there were.
    fn delete(&self, scope: &Scope, name: &SecretName, by: &Principal) -> Result<usize, SecretsError>;
    /// Re-seals every version of every secret of `scope` under a new data key.
    fn rotate(&self, scope: &Scope, by: &Principal) -> Result<SecretsRotated, SecretsError>;
}

/// Why the vault refused or failed a call. No variant holds a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No master key: the vault refuses everything (503).
    #[error("the vault is sealed: no master key")]
    Sealed,
    /// No secret of that name in the scope (404).
    #[error("secret {scope} {name}: not found")]
    NotFound { scope: Scope, name: String },
    /// The value cannot be stored (empty, too large: 400); the reason never quotes it.
    #[error("{field}: {reason}")]
    BadRequest { field: String, reason: String },
    /// The vault or the audit chain failed: logged with the request id, a bare 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<SecretsError> for ApiError {
    fn from(error: SecretsError) -> ApiError {
        match error {
            SecretsError::Sealed => ApiError::Unavailable { reason: error.to_string() },
            SecretsError::NotFound { .. } => {
                ApiError::NotFound { field: Some("name".into()), reason: error.to_string() }
            }
            SecretsError::BadRequest { field, reason } => {
                ApiError::BadRequest { reason: format!("{field}: {reason}"), field: Some(field) }
            }
            SecretsError::Internal(detail) => ApiError::Internal { detail },
        }
    }
}

/// The backend the router was made with, in the request's extensions (`router_with`).
#[derive(Clone)]
pub(crate) struct SecretsHandle(pub Option<Arc<dyn SecretsBackend>>);

/// The names, versions and times of the environment's secrets; never a value.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/secrets", tag = SECRETS_TAG, params(ScopePath),
    responses((status = 200, body = Vec<SecretSummary>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, description = "the vault is sealed", body = ErrorBody)))]
pub(crate) async fn list(
    Extension(secrets): Extension<SecretsHandle>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let list = blocking(&secrets, move |backend| backend.list(&scope, &by)).await?;
    Ok(Json(list).into_response())
}

/// Stores a new version of a secret (older versions stay). The body is `{"value": "text"}`
/// or `{"value_base64": "..."}`; it is never echoed, not even when it does not parse.
#[utoipa::path(put, path = "/api/missions/{mission}/envs/{env}/secrets/{name}", tag = SECRETS_TAG,
    params(SecretPath), request_body = SecretPut,
    responses((status = 200, body = SecretStored), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 503, description = "the vault is sealed", body = ErrorBody)))]
pub(crate) async fn put(
    Extension(secrets): Extension<SecretsHandle>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
    SecretBody(value): SecretBody,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let name = secret_name(&path)?;
    params.finish()?;
    let by = granted.principal.clone();
    let stored_name = name.to_string();
    let version = blocking(&secrets, move |backend| backend.put(&scope, &name, value, &by)).await?;
    Ok(Json(SecretStored { name: stored_name, version }).into_response())
}

/// Deletes every version of a secret.
#[utoipa::path(delete, path = "/api/missions/{mission}/envs/{env}/secrets/{name}", tag = SECRETS_TAG,
    params(SecretPath),
    responses((status = 200, body = SecretDeleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "the vault is sealed", body = ErrorBody)))]
pub(crate) async fn delete(
    Extension(secrets): Extension<SecretsHandle>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let name = secret_name(&path)?;
    params.finish()?;
    let by = granted.principal.clone();
    let deleted_name = name.to_string();
    let versions = blocking(&secrets, move |backend| backend.delete(&scope, &name, &by)).await?;
    Ok(Json(SecretDeleted { name: deleted_name, versions }).into_response())
}

/// Gives the environment a new data key and re-seals every version of its secrets under it;
/// the older data keys are retired. Takes no body (or `{}`).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/secrets-rotate", tag = SECRETS_TAG,
    params(ScopePath),
    responses((status = 200, body = SecretsRotated), (status = 403, body = ErrorBody),
        (status = 503, description = "the vault is sealed", body = ErrorBody)))]
pub(crate) async fn rotate(
    Extension(secrets): Extension<SecretsHandle>,
    granted: Granted,
    params: Params,
    _body: crate::json::EmptyBody,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let rotated = blocking(&secrets, move |backend| backend.rotate(&scope, &by)).await?;
    Ok(Json(rotated).into_response())
}

/// The `{name}` of the path; a bad one is a 400 giving its length, not its text (a value
/// pasted where the name belongs must not be echoed).
fn secret_name(path: &RawPathParams) -> Result<SecretName, ApiError> {
    let text = path.iter().find(|(key, _)| *key == "name").map(|(_, value)| value).unwrap_or_default();
    text.parse::<SecretName>().map_err(|error| ApiError::bad_request("name", error.to_string()))
}

/// Runs a blocking call of the vault off the async threads; 404 when this server has none.
async fn blocking<T, F>(secrets: &SecretsHandle, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn SecretsBackend) -> Result<T, SecretsError> + Send + 'static,
{
    let backend = secrets.0.clone().ok_or_else(|| ApiError::NotFound {
        field: None,
        reason: "the secrets vault is not enabled on this server".into(),
    })?;
    tokio::task::spawn_blocking(move || call(&*backend))
        .await
        .map_err(|error| ApiError::Internal { detail: format!("vault call failed: {error}") })?
        .map_err(ApiError::from)
}

/// The value of a `SecretPut` body, zeroized on drop. A body that is not one is a 400 that
/// says what is expected, never what was sent nor where parsing stopped: serde's messages
/// quote the input (`invalid type: string "..."`), so none of them is passed on.
pub(crate) struct SecretBody(pub SecretValue);

impl FromRequest<AppState> for SecretBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(request, app.options.body_len_max).await?;
        secret_value(&bytes).map(SecretBody)
    }
}

/// What a refused body is told.
const EXPECTED: &str = r#"expected {"value": "<text>"} or {"value_base64": "<base64>"}, exactly one, nothing else"#;

/// The value of a `SecretPut` body.
pub(crate) fn secret_value(bytes: &[u8]) -> Result<SecretValue, ApiError> {
    // Not even where parsing stopped: a column would tell the value's length.
    let body: SecretPut = serde_json::from_slice(bytes)
        .map_err(|_| ApiError::BadRequest { field: None, reason: format!("body: {EXPECTED}") })?;
    match (body.value, body.value_base64) {
        // Moved, not copied, into memory that is zeroized on drop.
        (Some(text), None) => Ok(SecretValue::new(text.into_bytes())),
        (None, Some(text)) => {
            let text = SecretValue::new(text.into_bytes());
            base64_decode(text.expose()).map(SecretValue::new).ok_or_else(|| {
                ApiError::bad_request("value_base64", "value_base64: not standard base64 (contents not shown)")
            })
        }
        (Some(text), Some(other)) => {
            drop((SecretValue::new(text.into_bytes()), SecretValue::new(other.into_bytes())));
            Err(ApiError::BadRequest { field: None, reason: format!("body: {EXPECTED}") })
        }
        (None, None) => Err(ApiError::BadRequest { field: None, reason: format!("body: {EXPECTED}") }),
    }
}

/// Standard base64 (RFC 4648, `+/`, `=` padding required); `None` when it is not.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        Some(match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let n_chunks = text.len() / 4;
    for (index, chunk) in text.chunks(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|byte| **byte == b'=').count();
        if padding > 2 || (padding > 0 && index + 1 != n_chunks) {
            return None;
        }
        let mut bits = 0u32;
        for byte in &chunk[..4 - padding] {
            bits = (bits << 6) | sextet(*byte)?;
        }
        bits <<= 6 * padding as u32;
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - padding]);
    }
    Some(out)
}
