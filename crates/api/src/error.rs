//! The one error type of the API and its one conversion into a response.

use crate::backend::BackendError;
use crate::wire::ErrorBody;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Why a request was refused or failed. Every variant but `Internal` is the client's to fix and
/// says so; `Internal` is answered with a bare 500 and logged with the request id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400: a path segment, query parameter or body field cannot be used.
    #[error("{reason}")]
    BadRequest { field: Option<String>, reason: String },
    /// 401: the credential presented is not known.
    #[error("{reason}")]
    Unauthenticated { reason: String },
    /// 403: the gate denied the action.
    #[error("{reason}")]
    Forbidden { reason: String },
    /// 404: no such route, deployment, parameter, ...
    #[error("{reason}")]
    NotFound { field: Option<String>, reason: String },
    /// 405: the route exists but not with this method.
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    /// 409: the request conflicts with the current state.
    #[error("{reason}")]
    Conflict { reason: String },
    /// 413: the body is larger than the limit.
    #[error("request body larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    /// 415: the body is not of the expected content type.
    #[error("{reason}")]
    UnsupportedMediaType { reason: String },
    /// 503: the server cannot take this request now (e.g. too many WebSocket clients).
    #[error("{reason}")]
    Unavailable { reason: String },
    /// 500: the platform failed; the detail is logged, never sent.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

/// The detail of an error response, kept in its extensions so that the request pipeline can
/// add the request id to the body and log internal errors with it.
#[derive(Clone, Debug)]
pub(crate) struct ErrorReport {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// The logged detail of an internal error.
    pub internal_detail: Option<String>,
}

impl ApiError {
    /// A 400 naming the field at fault.
    pub fn bad_request(field: &str, reason: impl Into<String>) -> ApiError {
        ApiError::BadRequest { field: Some(field.to_string()), reason: reason.into() }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The field at fault, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { field, .. } | ApiError::NotFound { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The backend's view of a failure, with its field names mapped to the API's: the
    /// backend speaks of `from_ms`, a client sent `from`.
    pub fn from_backend(error: BackendError) -> ApiError {
        match error {
            BackendError::NotFound { what, name } => {
                ApiError::NotFound { field: Some(what.to_string()), reason: format!("no {what} named {name:?}") }
            }
            BackendError::BadRequest { field, reason } => {
                let field = field.strip_suffix("_ms").unwrap_or(&field).to_string();
                ApiError::BadRequest { reason: format!("{field}: {reason}"), field: Some(field) }
            }
            BackendError::Conflict { reason } => ApiError::Conflict { reason },
            BackendError::Internal(detail) => ApiError::Internal { detail },
        }
    }

    /// The response with the request id in its body; the pipeline calls this for every error.
    pub(crate) fn report(&self) -> ErrorReport {
        let (error, internal_detail) = match self {
            ApiError::Internal { detail } => ("internal error".to_string(), Some(detail.clone())),
            other => (other.to_string(), None),
        };
        let body = ErrorBody { error, field: self.field().map(str::to_string), request_id: String::new() };
        ErrorReport { status: self.status(), body, internal_detail }
    }
}

impl From<BackendError> for ApiError {
    fn from(error: BackendError) -> ApiError {
        ApiError::from_backend(error)
    }
}

impl ErrorReport {
    /// The JSON response of this report.
    pub(crate) fn render(&self) -> Response {
        let json = serde_json::to_vec(&self.body).unwrap_or_else(|_| b"{\"error\":\"internal error\"}".to_vec());
        let mut response = (self.status, json).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let report = self.report();
        let mut response = report.render();
        response.extensions_mut().insert(report);
        response
    }
}
