//! The request pipeline: request ids, metrics and error bodies around everything (`track`),
//! and the gate around every route of the table (`gate`).

use crate::backend::{Backend, BackendError, ControlBackend};
use crate::error::{ApiError, ErrorReport};
use crate::gate::{Action, Context, Gate, Principal, Resource};
use crate::metrics::HttpMetrics;
use crate::routes::ScopeKind;
use crate::RouterOptions;
use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base::{MissionSlug, Scope};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What every handler shares.
pub(crate) struct AppInner {
    pub backend: Arc<dyn Backend>,
    /// The control plane, when this server runs one.
    pub control: Option<Arc<dyn ControlBackend>>,
    pub gate: Gate,
    pub metrics: HttpMetrics,
    pub options: RouterOptions,
    pub openapi_json: String,
    pub next_request: AtomicU64,
}

/// The router's state.
#[derive(Clone)]
pub(crate) struct AppState(pub Arc<AppInner>);

impl std::ops::Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// The id of a request, in the `x-request-id` header and in error bodies.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestId(pub String);

/// The route template a response answered, for metrics.
#[derive(Clone, Copy, Debug)]
struct RouteLabel(&'static str);

/// What the gate let through: only `gate` inserts it, and every handler extracts it, so a
/// handler reached without the gate fails instead of serving.
#[derive(Clone, Debug)]
pub(crate) struct Granted {
    pub request_id: String,
    pub principal: Principal,
    /// The action the route was authorized for.
    pub action: Action,
    /// What the gate authorized the action on.
    pub resource: Resource,
}

impl Granted {
    /// The deployment of a deployment or environment route.
    pub fn scope(&self) -> Result<Scope, ApiError> {
        match &self.resource {
            Resource::Deployment(scope) => Ok(scope.clone()),
            other => Err(ApiError::Internal { detail: format!("deployment route authorized on {other}") }),
        }
    }

    /// The mission of a mission, environment or deployment route.
    pub fn mission(&self) -> Result<MissionSlug, ApiError> {
        match &self.resource {
            Resource::Mission(mission) => Ok(mission.clone()),
            Resource::Deployment(scope) => Ok(scope.mission.clone()),
            Resource::Platform => Err(ApiError::Internal { detail: "mission route authorized on the platform".into() }),
        }
    }

    /// Records how the allowed change ended: what was done (`Ok(detail)`) or why not.
    pub fn outcome<T>(&self, app: &AppState, result: &Result<T, ApiError>, detail: serde_json::Value) {
        let (done, detail) = match result {
            Ok(_) => (true, detail),
            Err(error) => (false, serde_json::json!({ "asked": detail, "refused": error.to_string() })),
        };
        app.gate.outcome(crate::gate::OutcomeRecord {
            request_id: self.request_id.clone(),
            principal: self.principal.audit_name(),
            action: self.action,
            resource: self.resource.to_string(),
            done,
            detail,
        });
    }

    /// Asks the gate for a further action this request turned out to need (CSV export,
    /// backfill); recorded like the first.
    pub async fn escalate(&self, app: &AppState, action: Action) -> Result<(), ApiError> {
        let context = Context::default();
        let decision =
            app.gate.decide_off_thread(&self.request_id, &self.principal, action, &self.resource, &context).await;
        if decision.allow {
            Ok(())
        } else {
            Err(ApiError::Forbidden { reason: decision.reason })
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Granted {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Granted>().cloned().ok_or_else(|| ApiError::Internal {
            detail: format!("{} reached a handler without the gate", parts.uri.path()),
        })
    }
}

/// The gate of one route of the table.
#[derive(Clone)]
pub(crate) struct RouteGate {
    pub app: AppState,
    pub action: Action,
    pub path: &'static str,
    pub scope: ScopeKind,
}

/// Outermost layer: gives each request its id, turns error reports into bodies carrying it,
/// logs internal errors with it, and counts the request.
pub(crate) async fn track(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let number = app.next_request.fetch_add(1, Ordering::Relaxed);
    let request_id = format!("{}{number:08}", app.options.request_id_prefix);
    request.extensions_mut().insert(RequestId(request_id.clone()));
    let started = Instant::now();
    let mut response = next.run(request).await;
    let route = response.extensions().get::<RouteLabel>().map_or("unmatched", |label| label.0);
    if let Some(mut report) = response.extensions_mut().remove::<ErrorReport>() {
        report.body.request_id = request_id.clone();
        if let Some(detail) = &report.internal_detail {
            tracing::error!(request_id = %request_id, route, detail = %detail, "internal error");
        }
        let rendered = report.render();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = rendered.into_body();
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    app.metrics.observe(route, response.status().as_u16(), started.elapsed());
    response
}

/// Around every route of the table: identify, parse what the route acts on, authorize (one
/// recorded decision), check a deployment route's deployment runs, then run the handler with
/// `Granted`.
pub(crate) async fn gate(State(route): State<RouteGate>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let mut response = match admit(&route, &mut parts).await {
        Ok(granted) => {
            parts.extensions.insert(granted);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(error) => error.into_response(),
    };
    response.extensions_mut().insert(RouteLabel(route.path));
    response
}

async fn admit(route: &RouteGate, parts: &mut Parts) -> Result<Granted, ApiError> {
    let request_id = parts.extensions.get::<RequestId>().cloned().unwrap_or_default().0;
    let gate = &route.app.gate;
    let path = parts.uri.path().to_string();
    let identified = gate.identify(&parts.headers, !route.action.is_read()).inspect_err(|error| {
        gate.log().record_refusal(&request_id, "unidentified", route.action, &path, &error.to_string())
    });
    let principal = match identified {
        Ok(principal) => principal,
        // A stale cookie or token must not stop anyone signing in (or out) again.
        Err(_) if route.action == Action::SignIn => Principal::anonymous(),
        Err(error) => return Err(error),
    };
    let resource = resource_of(route.scope, parts).await.inspect_err(|error| {
        gate.log().record_refusal(&request_id, &principal.audit_name(), route.action, &path, &error.to_string())
    })?;
    let context = match (route.action, &resource) {
        (Action::ApproveCommand, Resource::Deployment(scope)) => {
            approval_context(&route.app, parts, scope, &principal).await
        }
        _ => Context::default(),
    };
    let decision = gate.decide_off_thread(&request_id, &principal, route.action, &resource, &context).await;
    if !decision.allow {
        return Err(ApiError::Forbidden { reason: decision.reason });
    }
    if let (ScopeKind::Deployment, Resource::Deployment(scope)) = (route.scope, &resource) {
        ensure_deployment(&route.app, scope).await?;
    }
    Ok(Granted { request_id, principal, action: route.action, resource })
}

/// What the application counts for approving a command (Cedar cannot count): whether the
/// approver sent it, and whether it still waits for an approval within its window. A
/// command that cannot be read counts nothing (the policy then refuses an approval in OPS).
/// That the approval names the command's digest is checked where the command lives.
async fn approval_context(app: &AppState, parts: &mut Parts, scope: &Scope, principal: &Principal) -> Context {
    let Ok(params) = RawPathParams::from_request_parts(parts, &()).await else {
        return Context::default();
    };
    let Some(id) = params.iter().find(|(key, _)| *key == "id").and_then(|(_, value)| value.parse::<u64>().ok()) else {
        return Context::default();
    };
    let scope = scope.clone();
    let Ok(command) = blocking(app, move |backend| backend.command(&scope, id)).await else {
        return Context::default();
    };
    let approver_is_sender = command.principal == principal.id;
    Context {
        distinct_approvers: u32::from(!approver_is_sender),
        approval_fresh: command.state == "pending_approval",
        approver_is_sender,
    }
}

/// What a route of this kind acts on, from its path: malformed → 400 naming the segment.
async fn resource_of(kind: ScopeKind, parts: &mut Parts) -> Result<Resource, ApiError> {
    if kind == ScopeKind::Platform {
        return Ok(Resource::Platform);
    }
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|rejection| ApiError::BadRequest { field: None, reason: rejection.body_text() })?;
    let param = |name: &str| params.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string());
    let mission = param("mission").unwrap_or_default();
    let mission = mission.parse().map_err(|e: base::SlugError| ApiError::bad_request("mission", e.to_string()))?;
    if kind == ScopeKind::Mission {
        return Ok(Resource::Mission(mission));
    }
    let env = param("env").unwrap_or_default();
    let env = env.parse().map_err(|e: base::EnvError| ApiError::bad_request("env", e.to_string()))?;
    Ok(Resource::Deployment(Scope { mission, env }))
}

/// 404 naming `mission` or `env` unless the platform runs this deployment.
async fn ensure_deployment(app: &AppState, scope: &Scope) -> Result<(), ApiError> {
    let deployments = blocking(app, |backend| Ok(backend.deployments())).await?;
    let mission = scope.mission.as_str();
    if deployments.iter().any(|d| d.mission == mission && d.env == scope.env.as_str()) {
        return Ok(());
    }
    if deployments.iter().any(|d| d.mission == mission) {
        let reason = format!("mission {mission} has no {} deployment", scope.env);
        return Err(ApiError::NotFound { field: Some("env".into()), reason });
    }
    Err(ApiError::NotFound { field: Some("mission".into()), reason: format!("no mission named {mission:?}") })
}

/// Runs a blocking backend call off the async threads.
pub(crate) async fn blocking<T, F>(app: &AppState, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Backend) -> Result<T, BackendError> + Send + 'static,
{
    let backend = Arc::clone(&app.backend);
    tokio::task::spawn_blocking(move || call(&*backend))
        .await
        .map_err(|error| ApiError::Internal { detail: format!("backend call failed: {error}") })?
        .map_err(ApiError::from)
}

/// Runs a blocking call of the control plane off the async threads (a promotion may take
/// seconds); 404 when this server runs no control plane.
pub(crate) async fn blocking_control<T, F>(app: &AppState, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn ControlBackend) -> Result<T, BackendError> + Send + 'static,
{
    let control = app.control.clone().ok_or_else(|| ApiError::NotFound {
        field: None,
        reason: "the control plane is not enabled on this server".into(),
    })?;
    tokio::task::spawn_blocking(move || call(&*control))
        .await
        .map_err(|error| ApiError::Internal { detail: format!("control plane call failed: {error}") })?
        .map_err(ApiError::from)
}

/// A response body from a text, with a content type.
pub(crate) fn text_response(content_type: &'static str, text: String) -> Response {
    let mut response = Body::from(text).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
