//! A JSON body extractor whose refusals are `ApiError`s naming the field at fault.

use crate::error::ApiError;
use crate::pipeline::AppState;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// A JSON request body of at most `RouterOptions::body_len_max` bytes.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
        let is_json = content_type
            .and_then(|text| text.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType { reason: "expected content-type application/json".into() });
        }
        let limit_bytes = app.options.body_len_max;
        let bytes = axum::body::to_bytes(request.into_body(), limit_bytes)
            .await
            .map_err(|_| ApiError::PayloadTooLarge { limit_bytes })?;
        parse(&bytes, "body").map(JsonBody)
    }
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
