//! The handlers of the control plane (issue 6): missions, their releases and control events,
//! the drift of every environment (here); releases (`releases`); approvals, promotions,
//! rollbacks, pause, resume and blackouts of one environment (`envs`). Every call goes to the
//! `ControlBackend`, off the async threads; without one the routes answer 404.

pub(crate) mod envs;
pub(crate) mod releases;

use crate::error::ApiError;
use crate::gate::{Action, Resource};
use crate::json::{JsonBody, ReleaseBody};
use crate::openapi::{ConfirmParams, MissionPath, CONTROL_TAG};
use crate::params::Params;
use crate::pipeline::{blocking_control, AppState, Granted};
use crate::wire::{
    ControlEventDto, DriftDto, ErrorBody, MissionConfirm, MissionDetail, MissionRemoved, MissionSummary, ReleaseSource,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base::MissionSlug;

/// The missions the principal may read.
#[utoipa::path(get, path = "/api/missions", tag = CONTROL_TAG,
    responses((status = 200, body = Vec<MissionSummary>), (status = 403, body = ErrorBody),
        (status = 404, description = "no control plane on this server", body = ErrorBody)))]
pub(crate) async fn missions(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let missions = blocking_control(&app, |control| control.missions()).await?;
    let visible: Vec<MissionSummary> = missions
        .into_iter()
        .filter(|summary| {
            let Ok(mission) = summary.mission.parse() else { return false };
            app.gate.peek(&granted.principal, Action::ReadControl, &Resource::Mission(mission))
        })
        .collect();
    Ok(Json(visible).into_response())
}

/// Creates a mission from the source of its first release: the platform cuts, signs and
/// registers the release and promotes it to DEV (its gates permitting).
#[utoipa::path(post, path = "/api/missions", tag = CONTROL_TAG, request_body = ReleaseSource,
    responses((status = 201, body = MissionDetail), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub(crate) async fn create_mission(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    ReleaseBody(source): ReleaseBody<ReleaseSource>,
) -> Result<Response, ApiError> {
    params.finish()?;
    let by = granted.principal.clone();
    let mission = blocking_control(&app, move |control| control.create_mission(&source, &by)).await?;
    Ok((StatusCode::CREATED, Json(mission)).into_response())
}

/// One mission: its releases and environments.
#[utoipa::path(get, path = "/api/missions/{mission}", tag = CONTROL_TAG, params(MissionPath),
    responses((status = 200, body = MissionDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn mission(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    params.finish()?;
    let detail = blocking_control(&app, move |control| control.mission(&mission)).await?;
    Ok(Json(detail).into_response())
}

/// Archives a mission: stops its deployments and keeps its data. `confirm` must be the
/// mission's name.
#[utoipa::path(post, path = "/api/missions/{mission}/archive", tag = CONTROL_TAG, params(MissionPath),
    request_body = MissionConfirm,
    responses((status = 200, body = MissionRemoved), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn archive_mission(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<MissionConfirm>,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    params.finish()?;
    confirmed(&mission, &request.confirm)?;
    let by = granted.principal.clone();
    let removed = blocking_control(&app, move |control| control.archive_mission(&mission, &by)).await?;
    Ok(Json(removed).into_response())
}

/// Deletes a mission: exports its data and records, then removes them. `confirm` must be the
/// mission's name.
#[utoipa::path(delete, path = "/api/missions/{mission}", tag = CONTROL_TAG, params(MissionPath, ConfirmParams),
    responses((status = 200, body = MissionRemoved), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn delete_mission(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    let confirm = params.required("confirm")?;
    params.finish()?;
    confirmed(&mission, &confirm)?;
    let by = granted.principal.clone();
    let removed = blocking_control(&app, move |control| control.delete_mission(&mission, &by)).await?;
    Ok(Json(removed).into_response())
}

/// The control plane's events of a mission (registrations, approvals, promotions, ...),
/// oldest first.
#[utoipa::path(get, path = "/api/missions/{mission}/events", tag = CONTROL_TAG, params(MissionPath),
    responses((status = 200, body = Vec<ControlEventDto>), (status = 404, body = ErrorBody)))]
pub(crate) async fn mission_events(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    params.finish()?;
    let events = blocking_control(&app, move |control| control.control_events(&mission)).await?;
    Ok(Json(events).into_response())
}

/// Every environment that does not run the release it should.
#[utoipa::path(get, path = "/api/control/drift", tag = CONTROL_TAG,
    responses((status = 200, body = Vec<DriftDto>), (status = 403, body = ErrorBody),
        (status = 404, description = "no control plane on this server", body = ErrorBody)))]
pub(crate) async fn drift(
    State(app): State<AppState>,
    _granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    params.finish()?;
    let drift = blocking_control(&app, |control| control.drift()).await?;
    Ok(Json(drift).into_response())
}

/// A destructive action goes ahead only when the client named the mission again.
fn confirmed(mission: &MissionSlug, confirm: &str) -> Result<(), ApiError> {
    if confirm == mission.as_str() {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "confirm",
        format!("confirm: {confirm:?} is not the mission's name {:?}", mission.as_str()),
    ))
}
