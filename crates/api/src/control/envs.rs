//! The handlers of one environment of a mission: approving a release for it, promoting a
//! release to it, rolling it back, pausing and resuming its deployment, setting a blackout
//! window. The deployment need
//! not run (a first promotion starts it); the control plane answers 404 for an unknown mission.

use crate::error::ApiError;
use crate::json::{EmptyBody, JsonBody};
use crate::openapi::{ScopePath, CONTROL_TAG};
use crate::params::Params;
use crate::pipeline::{blocking_control, AppState, Granted};
use crate::wire::{
    ApprovalDto, BlackoutDto, EnvControl, ErrorBody, PromotionOutcome, PromotionRequest, ReleaseApproval,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Approves a release for the environment, in a role the principal holds there.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/approve", tag = CONTROL_TAG, params(ScopePath),
    request_body = ReleaseApproval,
    responses((status = 201, body = ApprovalDto), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn approve_release(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(approval): JsonBody<ReleaseApproval>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let approval = blocking_control(&app, move |control| control.approve_release(&scope, &approval, &by)).await?;
    Ok((StatusCode::CREATED, Json(approval)).into_response())
}

/// Promotes a release to the environment: runs its validate and test gates where not yet
/// attested, decides, and when allowed deploys exactly that release. May take seconds. A
/// refusal is a 409 naming every unmet gate.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/promote", tag = CONTROL_TAG, params(ScopePath),
    request_body = PromotionRequest,
    responses((status = 200, body = PromotionOutcome), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn promote(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<PromotionRequest>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let outcome = blocking_control(&app, move |control| control.promote(&scope, &request, &by)).await?;
    Ok(Json(outcome).into_response())
}

/// Redeploys the release the environment ran before its current one. Takes no body (or `{}`).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/rollback", tag = CONTROL_TAG, params(ScopePath),
    responses((status = 200, body = PromotionOutcome), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(crate) async fn rollback(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    _body: EmptyBody,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let outcome = blocking_control(&app, move |control| control.rollback(&scope, &by)).await?;
    Ok(Json(outcome).into_response())
}

/// Stops the environment's deployment, keeping its data and the release it should run.
/// Takes no body (or `{}`).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/pause", tag = CONTROL_TAG, params(ScopePath),
    responses((status = 200, body = EnvControl), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn pause(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    _body: EmptyBody,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let env = blocking_control(&app, move |control| control.pause(&scope, &by)).await?;
    Ok(Json(env).into_response())
}

/// Starts the environment's deployment again with the release it should run. Takes no body
/// (or `{}`).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/resume", tag = CONTROL_TAG, params(ScopePath),
    responses((status = 200, body = EnvControl), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn resume(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    _body: EmptyBody,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let env = blocking_control(&app, move |control| control.resume(&scope, &by)).await?;
    Ok(Json(env).into_response())
}

/// Refuses every promotion to the environment in `[from_ms, to_ms)` (a pass, a critical
/// operation): the window gate of its pipeline. Answers the environment with its blackouts.
/// `from_ms` must be before `to_ms` and the reason not empty (400, field `blackout`).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/blackouts", tag = CONTROL_TAG, params(ScopePath),
    request_body = BlackoutDto,
    responses((status = 201, body = EnvControl), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn set_blackout(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(blackout): JsonBody<BlackoutDto>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let env = blocking_control(&app, move |control| control.set_blackout(&scope, &blackout, &by)).await?;
    Ok((StatusCode::CREATED, Json(env)).into_response())
}
