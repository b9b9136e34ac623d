//! The route table: the only way a route is added. `build` wraps every entry in the gate.

use crate::error::ApiError;
use crate::gate::Action;
use crate::pipeline::{self, AppState, RouteGate};
use crate::{commands, handlers, live, platform};
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

/// The prefix of every deployment route.
pub const DEPLOYMENT_PREFIX: &str = "/api/missions/{mission}/envs/{env}";

/// One route: its method, path template (axum and OpenAPI share the `{name}` syntax), the
/// action the gate authorizes, and its handler.
pub struct RouteSpec {
    /// The HTTP method.
    pub method: Method,
    /// The path template.
    pub path: &'static str,
    /// What the gate is asked to allow.
    pub action: Action,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

impl RouteSpec {
    /// Whether the route acts on one deployment (its path starts with `DEPLOYMENT_PREFIX`).
    pub fn is_deployment_route(&self) -> bool {
        self.path.starts_with("/api/missions/")
    }
}

fn spec(
    method: Method,
    path: &'static str,
    action: Action,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec { method, path, action, handler }
}

/// Every route of the API.
pub fn table() -> Vec<RouteSpec> {
    use Action::*;
    use Method as M;
    vec![
        spec(M::GET, "/api/health", ReadPlatform, |m| on(m, platform::health)),
        spec(M::GET, "/api/openapi.json", ReadPlatform, |m| on(m, platform::openapi)),
        spec(M::GET, "/api/deployments", ReadPlatform, |m| on(m, platform::deployments)),
        spec(M::GET, "/metrics", ReadMetrics, |m| on(m, platform::metrics)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/status", ReadStatus, |m| on(m, handlers::status)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/parameters", ReadTelemetry, |m| on(m, handlers::parameters)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/parameters/latest", ReadTelemetry, |m| {
            on(m, handlers::latest)
        }),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/samples", ReadArchive, |m| on(m, handlers::samples)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/samples/buckets", ReadArchive, |m| on(m, handlers::buckets)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/units", ReadArchive, |m| on(m, handlers::units)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/events", ReadArchive, |m| on(m, handlers::events)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/alarms", ReadArchive, |m| on(m, handlers::alarms)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/alarms/open", ReadTelemetry, |m| on(m, handlers::open_alarms)),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/alarms/acknowledge", AcknowledgeAlarm, |m| {
            on(m, handlers::acknowledge)
        }),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/commands/definitions", ReadCommands, |m| {
            on(m, commands::definitions)
        }),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/commands", SendCommand, |m| on(m, commands::send)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/commands", ReadCommands, |m| on(m, commands::live)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/commands/history", ReadCommands, |m| on(m, commands::history)),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/commands/release-mode", SendCommand, |m| {
            on(m, commands::release_mode)
        }),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/commands/{id}", ReadCommands, |m| on(m, commands::one)),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/commands/{id}/approve", ApproveCommand, |m| {
            on(m, commands::approve)
        }),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/commands/{id}/release", SendCommand, |m| {
            on(m, commands::release)
        }),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/commands/{id}/cancel", SendCommand, |m| {
            on(m, commands::cancel)
        }),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/replay", Replay, |m| on(m, live::replay)),
        spec(M::GET, "/api/missions/{mission}/envs/{env}/live", SubscribeLive, |m| on(m, live::live)),
    ]
}

/// The router of the table: each route behind its gate; unknown paths and methods answer
/// JSON errors; `pipeline::track` around everything.
pub(crate) fn build(app: AppState) -> Router {
    let mut router = Router::new();
    for route in table() {
        let filter = MethodFilter::try_from(route.method.clone()).unwrap_or(MethodFilter::GET);
        let gate =
            RouteGate { app: app.clone(), action: route.action, path: route.path, scoped: route.is_deployment_route() };
        let method_router =
            (route.handler)(filter).route_layer(axum::middleware::from_fn_with_state(gate, pipeline::gate));
        router = router.route(route.path, method_router);
    }
    router
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .fallback(|| async { ApiError::NotFound { field: None, reason: "no such route".into() } })
        .with_state(app.clone())
        .layer(axum::middleware::from_fn_with_state(app, pipeline::track))
}
