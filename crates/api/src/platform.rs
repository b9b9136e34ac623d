//! Platform-level routes: liveness, the list of deployments, the OpenAPI document, metrics.

use crate::error::ApiError;
use crate::gate::{Action, Resource};
use crate::openapi::PLATFORM_TAG;
use crate::params::Params;
use crate::pipeline::{blocking, text_response, AppState, Granted};
use crate::wire::{DeploymentSummary, ErrorBody, Health};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base::Scope;

/// Liveness: the server answers.
#[utoipa::path(get, path = "/api/health", tag = PLATFORM_TAG, responses((status = 200, body = Health)))]
pub(crate) async fn health(_granted: Granted, params: Params) -> Result<Response, ApiError> {
    params.finish()?;
    Ok(Json(Health { status: "ok".to_string() }).into_response())
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = PLATFORM_TAG,
    responses((status = 200, description = "the OpenAPI 3.1 document", content_type = "application/json")))]
pub(crate) async fn openapi(
    State(app): State<AppState>,
    _granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    Ok(text_response("application/json", app.openapi_json.clone()))
}

/// The deployments the principal may see.
#[utoipa::path(get, path = "/api/deployments", tag = PLATFORM_TAG,
    responses((status = 200, body = Vec<DeploymentSummary>), (status = 403, body = ErrorBody)))]
pub(crate) async fn deployments(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let deployments = blocking(&app, |backend| Ok(backend.deployments())).await?;
    let visible: Vec<DeploymentSummary> = deployments
        .into_iter()
        .filter(|deployment| {
            let (Ok(mission), Ok(env)) = (deployment.mission.parse(), deployment.env.parse()) else { return false };
            let resource = Resource::Deployment(Scope { mission, env });
            app.gate.peek(&granted.principal, Action::ReadStatus, &resource)
        })
        .collect();
    Ok(Json(visible).into_response())
}

/// Prometheus metrics of this server, then of the platform.
#[utoipa::path(get, path = "/metrics", tag = PLATFORM_TAG,
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain")))]
pub(crate) async fn metrics(
    State(app): State<AppState>,
    _granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let mut out = String::new();
    app.metrics.write(&mut out);
    app.gate.log().write_metrics(&mut out);
    let platform = blocking(&app, |backend| {
        let mut out = String::new();
        backend.metrics(&mut out);
        Ok(out)
    })
    .await?;
    out.push_str(&platform);
    Ok(text_response("text/plain; version=0.0.4; charset=utf-8", out))
}
