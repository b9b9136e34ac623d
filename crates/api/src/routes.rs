//! The route table: the only way a route is added. `build` wraps every entry in the gate.

use crate::error::ApiError;
use crate::gate::Action;
use crate::pipeline::{self, AppState, RouteGate};
use crate::{commands, control, handlers, identity, live, platform, secrets};
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

/// The prefix of every deployment route.
pub const DEPLOYMENT_PREFIX: &str = "/api/missions/{mission}/envs/{env}";

/// What a route acts on: which resource the gate authorizes, and what it checks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// The platform as a whole (`Resource::Platform`).
    Platform,
    /// One mission (`{mission}` in the path, no `{env}`): the slug must parse
    /// (`Resource::Mission`); whether the mission exists is the control plane's to answer.
    Mission,
    /// One environment of a mission (`{mission}` and `{env}`): both must parse
    /// (`Resource::Deployment`), but the deployment need not run, so that a release can be
    /// promoted to an environment for the first time; the control plane answers 404 itself.
    Environment,
    /// One running deployment: as `Environment`, and the platform must run it (else 404
    /// naming `mission` or `env`).
    Deployment,
}

/// A route's handler, for the methods of the filter.
type Handler = fn(MethodFilter) -> MethodRouter<AppState>;

/// One route: its method, path template (axum and OpenAPI share the `{name}` syntax), what it
/// acts on, the action the gate authorizes, and its handler.
pub struct RouteSpec {
    /// The HTTP method.
    pub method: Method,
    /// The path template.
    pub path: &'static str,
    /// What the route acts on.
    pub scope: ScopeKind,
    /// What the gate is asked to allow.
    pub action: Action,
    handler: Handler,
}

/// A maker of the routes of one scope kind: `spec(method, path, action, handler)`.
fn specs(scope: ScopeKind) -> impl Fn(Method, &'static str, Action, Handler) -> RouteSpec {
    move |method, path, action, handler| RouteSpec { method, path, scope, action, handler }
}

/// Every route of the API.
pub fn table() -> Vec<RouteSpec> {
    let mut routes = platform_routes();
    routes.extend(deployment_routes());
    routes.extend(control_routes());
    routes.extend(secrets_routes());
    routes
}

/// Liveness, the API description, the deployments, metrics.
fn platform_routes() -> Vec<RouteSpec> {
    use Action::*;
    use Method as M;
    let spec = specs(ScopeKind::Platform);
    vec![
        spec(M::GET, "/api/health", ReadPlatform, |m| on(m, platform::health)),
        spec(M::GET, "/api/openapi.json", ReadPlatform, |m| on(m, platform::openapi)),
        spec(M::GET, "/api/deployments", ReadPlatform, |m| on(m, platform::deployments)),
        spec(M::GET, "/metrics", ReadMetrics, |m| on(m, platform::metrics)),
        spec(M::POST, "/api/session", SignIn, |m| on(m, identity::login)),
        spec(M::DELETE, "/api/session", SignIn, |m| on(m, identity::logout)),
        spec(M::GET, "/api/session", ReadPlatform, |m| on(m, identity::whoami)),
        spec(M::POST, "/api/tokens", ManageTokens, |m| on(m, identity::create_token)),
        spec(M::GET, "/api/tokens", ManageTokens, |m| on(m, identity::tokens)),
        spec(M::DELETE, "/api/tokens/{id}", ManageTokens, |m| on(m, identity::revoke_token)),
    ]
}

/// The routes of one running deployment.
fn deployment_routes() -> Vec<RouteSpec> {
    use Action::*;
    use Method as M;
    let spec = specs(ScopeKind::Deployment);
    vec![
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

/// The control plane: missions, releases, promotions (`control`).
fn control_routes() -> Vec<RouteSpec> {
    use Action::*;
    use Method as M;
    use ScopeKind::{Environment, Mission, Platform};
    let spec = |scope, method, path, action, handler| specs(scope)(method, path, action, handler);
    vec![
        spec(Platform, M::GET, "/api/missions", ReadControl, |m| on(m, control::missions)),
        spec(Platform, M::POST, "/api/missions", ManageMissions, |m| on(m, control::create_mission)),
        spec(Platform, M::GET, "/api/control/drift", ReadControl, |m| on(m, control::drift)),
        spec(Mission, M::GET, "/api/missions/{mission}", ReadControl, |m| on(m, control::mission)),
        spec(Mission, M::POST, "/api/missions/{mission}/archive", ManageMissions, |m| on(m, control::archive_mission)),
        spec(Mission, M::DELETE, "/api/missions/{mission}", ManageMissions, |m| on(m, control::delete_mission)),
        spec(Mission, M::GET, "/api/missions/{mission}/events", ReadControl, |m| on(m, control::mission_events)),
        spec(Mission, M::GET, "/api/missions/{mission}/releases", ReadControl, |m| on(m, control::releases::releases)),
        spec(Mission, M::POST, "/api/missions/{mission}/releases", CutRelease, |m| {
            on(m, control::releases::create_release)
        }),
        spec(Mission, M::POST, "/api/missions/{mission}/releases/import", CutRelease, |m| {
            on(m, control::releases::import_release)
        }),
        spec(Mission, M::GET, "/api/missions/{mission}/releases/{release}", ReadControl, |m| {
            on(m, control::releases::release_detail)
        }),
        spec(Mission, M::GET, "/api/missions/{mission}/releases/{release}/diff/{other}", ReadControl, |m| {
            on(m, control::releases::release_diff)
        }),
        spec(Environment, M::POST, "/api/missions/{mission}/envs/{env}/approve", ApproveRelease, |m| {
            on(m, control::envs::approve_release)
        }),
        spec(Environment, M::POST, "/api/missions/{mission}/envs/{env}/promote", Promote, |m| {
            on(m, control::envs::promote)
        }),
        spec(Environment, M::POST, "/api/missions/{mission}/envs/{env}/rollback", Promote, |m| {
            on(m, control::envs::rollback)
        }),
        spec(Environment, M::POST, "/api/missions/{mission}/envs/{env}/pause", ManageDeployment, |m| {
            on(m, control::envs::pause)
        }),
        spec(Environment, M::POST, "/api/missions/{mission}/envs/{env}/resume", ManageDeployment, |m| {
            on(m, control::envs::resume)
        }),
        spec(Environment, M::POST, "/api/missions/{mission}/envs/{env}/blackouts", ManageDeployment, |m| {
            on(m, control::envs::set_blackout)
        }),
    ]
}

/// The secrets of one environment (`secrets`): the deployment need not run, so that its
/// secrets can be stored before it first starts.
fn secrets_routes() -> Vec<RouteSpec> {
    use Action::*;
    use Method as M;
    let spec = specs(ScopeKind::Environment);
    vec![
        spec(M::GET, "/api/missions/{mission}/envs/{env}/secrets", ReadSecrets, |m| on(m, secrets::list)),
        spec(M::PUT, "/api/missions/{mission}/envs/{env}/secrets/{name}", ManageSecrets, |m| on(m, secrets::put)),
        spec(M::DELETE, "/api/missions/{mission}/envs/{env}/secrets/{name}", ManageSecrets, |m| on(m, secrets::delete)),
        spec(M::POST, "/api/missions/{mission}/envs/{env}/secrets-rotate", ManageSecrets, |m| on(m, secrets::rotate)),
    ]
}

/// The router of the table: each route behind its gate; unknown paths and methods answer
/// JSON errors; `pipeline::track` around everything.
pub(crate) fn build(app: AppState) -> Router {
    let mut router = Router::new();
    for route in table() {
        let filter = MethodFilter::try_from(route.method.clone()).unwrap_or(MethodFilter::GET);
        let gate = RouteGate { app: app.clone(), action: route.action, path: route.path, scope: route.scope };
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
