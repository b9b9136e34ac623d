//! The HTTP and WebSocket API: routes, the single request gate, OpenAPI, wire formats.
//!
//! Only this crate knows HTTP. It never touches the archive or the links itself: it asks a
//! `Backend` (and, for missions and releases, a `ControlBackend`), and every request passes
//! the one gate (identify, authorize, record) first: routes are added only through the route
//! table (`routes::table`), which wraps each in it.

pub mod backend;
pub mod error;
pub mod gate;
pub mod metrics;
pub mod openapi;
pub mod params;
pub mod routes;
pub mod time;
pub mod wire;

mod commands;
mod control;
mod export;
mod handlers;
mod identity;
mod json;
mod live;
mod pipeline;
mod platform;
mod secrets;

#[cfg(test)]
mod tests;

pub use backend::{Backend, BackendError, ControlBackend, LiveReceiver};
pub use error::ApiError;
pub use gate::{Action, Gate, Principal, Resource, ScopeGrant, TokenGrant};
pub use identity::{session_cookie, session_cookie_value, IdentityBackend, IdentityError, Login, SESSION_COOKIE};
pub use secrets::{SecretsBackend, SecretsError};

use std::sync::Arc;
use std::time::Duration;

/// Most WebSocket clients served at once; more are refused with a 503.
pub const WS_CLIENTS_MAX: usize = 256;
/// Longest a WebSocket send may take before the client is closed as too slow.
pub const WS_SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request body (JSON) accepted; larger is a 413.
pub const BODY_LEN_MAX: usize = 64 * 1024;
/// Largest body of a route that uploads a release (a model and its procedures as JSON text);
/// larger is a 413.
pub const RELEASE_BODY_LEN_MAX: usize = 64 * 1024 * 1024;
/// Largest WebSocket message a client may send.
pub const WS_MESSAGE_LEN_MAX: usize = 64 * 1024;

/// What a server may tune; `Default` gives the named constants.
#[derive(Clone, Debug)]
pub struct RouterOptions {
    /// Prepended to every request id (e.g. the process start time, so ids differ across restarts).
    pub request_id_prefix: String,
    /// Most WebSocket clients at once.
    pub ws_clients_max: usize,
    /// Longest a WebSocket send may take.
    pub ws_send_timeout: Duration,
    /// Largest request body, except of the routes that upload a release.
    pub body_len_max: usize,
    /// Largest body of the routes that upload a release (create a mission, cut or import a
    /// release).
    pub release_body_len_max: usize,
}

impl Default for RouterOptions {
    fn default() -> RouterOptions {
        RouterOptions {
            request_id_prefix: "req-".to_string(),
            ws_clients_max: WS_CLIENTS_MAX,
            ws_send_timeout: WS_SEND_TIMEOUT,
            body_len_max: BODY_LEN_MAX,
            release_body_len_max: RELEASE_BODY_LEN_MAX,
        }
    }
}

/// The whole API with default options.
pub fn router(backend: Arc<dyn Backend>, gate: Gate) -> axum::Router {
    router_with_options(backend, gate, RouterOptions::default())
}

/// The whole API without a control plane (its routes answer 404).
pub fn router_with_options(backend: Arc<dyn Backend>, gate: Gate, options: RouterOptions) -> axum::Router {
    router_with_control(backend, None, gate, options)
}

/// The whole API: every route of `routes::table`, each behind `gate`. The control plane's
/// routes answer 404 when `control` is `None`.
pub fn router_with_control(
    backend: Arc<dyn Backend>,
    control: Option<Arc<dyn ControlBackend>>,
    gate: Gate,
    options: RouterOptions,
) -> axum::Router {
    router_with(backend, control, None, gate, options)
}

/// The whole API: every route of `routes::table`, each behind `gate`. The control plane's
/// routes answer 404 when `control` is `None`, the secrets routes when `secrets` is.
pub fn router_with(
    backend: Arc<dyn Backend>,
    control: Option<Arc<dyn ControlBackend>>,
    secrets: Option<Arc<dyn SecretsBackend>>,
    gate: Gate,
    options: RouterOptions,
) -> axum::Router {
    let openapi_json = openapi::document_json();
    let app = pipeline::AppState(Arc::new(pipeline::AppInner {
        backend,
        control,
        gate,
        metrics: metrics::HttpMetrics::default(),
        options,
        openapi_json,
        next_request: Default::default(),
    }));
    // The vault reaches its handlers as an extension, not through the shared state: only
    // the secrets routes ever see it.
    routes::build(app).layer(axum::Extension(secrets::SecretsHandle(secrets)))
}

/// The router with the portal's sessions and the API tokens of `identity` (without, their
/// routes answer 404).
pub fn with_identity(router: axum::Router, identity: Option<Arc<dyn IdentityBackend>>) -> axum::Router {
    router.layer(axum::Extension(identity::IdentityHandle(identity)))
}
