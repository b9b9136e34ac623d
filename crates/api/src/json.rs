//! JSON body extractors whose refusals are `ApiError`s naming the field at fault.

use crate::error::ApiError;
use crate::pipeline::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// A JSON request body of at most `RouterOptions::body_len_max` bytes.
pub(crate) struct JsonBody<T>(pub T);

/// A JSON request body of at most `RouterOptions::release_body_len_max` bytes: only for the
/// routes that upload a release (a whole model and its procedures).
pub(crate) struct ReleaseBody<T>(pub T);

/// A body that must be empty or the empty JSON object `{}` (at most `body_len_max` bytes),
/// for actions that take no fields but may be sent as JSON.
pub(crate) struct EmptyBody;

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(request, app.options.body_len_max).await?;
        parse(&bytes, "body").map(JsonBody)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for ReleaseBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(request, app.options.release_body_len_max).await?;
        parse(&bytes, "body").map(ReleaseBody)
    }
}

impl FromRequest<AppState> for EmptyBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = is_json(&request);
        let bytes = limited_bytes(request, app.options.body_len_max).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(EmptyBody);
        }
        if !is_json {
            return Err(not_json());
        }
        let fields: serde_json::Map<String, serde_json::Value> = parse(&bytes, "body")?;
        match fields.keys().next() {
            None => Ok(EmptyBody),
            Some(field) => Err(ApiError::bad_request(field, format!("body: {field}: this action takes no fields"))),
        }
    }
}

/// The bytes of a JSON body of at most `limit_bytes`: another content type is a 415, a
/// longer body a 413.
pub(crate) async fn json_bytes(request: Request, limit_bytes: usize) -> Result<Bytes, ApiError> {
    if !is_json(&request) {
        return Err(not_json());
    }
    limited_bytes(request, limit_bytes).await
}

async fn limited_bytes(request: Request, limit_bytes: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(request.into_body(), limit_bytes).await.map_err(|_| ApiError::PayloadTooLarge { limit_bytes })
}

/// Whether the request says its body is JSON.
fn is_json(request: &Request) -> bool {
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    content_type
        .and_then(|text| text.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

fn not_json() -> ApiError {
    ApiError::UnsupportedMediaType { reason: "expected content-type application/json".into() }
}

/// Parses JSON, naming the field at fault (`field` is the serde path, like `parameter`);
/// `what` (`body`, `subscription`) starts the reason.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        let field = (path != ".").then_some(path).or_else(|| named_field(&message));
        let reason = match &field {
            Some(field) => format!("{what}: {field}: {inner}"),
            None => format!("{what}: {inner}"),
        };
        ApiError::BadRequest { field, reason }
    })
}

/// The field serde names in "missing field `x`" or "unknown field `x`".
fn named_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `").or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split('`').next().map(str::to_string)
}
