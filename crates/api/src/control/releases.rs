//! The handlers of a mission's releases: list, cut, import, one, and the diff of two.

use crate::error::ApiError;
use crate::json::ReleaseBody;
use crate::openapi::{MissionPath, ReleaseDiffPath, ReleasePath, CONTROL_TAG};
use crate::params::Params;
use crate::pipeline::{blocking_control, AppState, Granted};
use crate::wire::{ErrorBody, ReleaseBundle, ReleaseDetail, ReleaseSource, ReleaseSummary};
use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The mission's releases, oldest first.
#[utoipa::path(get, path = "/api/missions/{mission}/releases", tag = CONTROL_TAG, params(MissionPath),
    responses((status = 200, body = Vec<ReleaseSummary>), (status = 404, body = ErrorBody)))]
pub(crate) async fn releases(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    params.finish()?;
    let releases = blocking_control(&app, move |control| control.releases(&mission)).await?;
    Ok(Json(releases).into_response())
}

/// Cuts, signs and registers a release of the mission from its source.
#[utoipa::path(post, path = "/api/missions/{mission}/releases", tag = CONTROL_TAG, params(MissionPath),
    request_body = ReleaseSource,
    responses((status = 201, body = ReleaseSummary), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub(crate) async fn create_release(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    ReleaseBody(source): ReleaseBody<ReleaseSource>,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    params.finish()?;
    let by = granted.principal.clone();
    let release = blocking_control(&app, move |control| control.create_release(&mission, &source, &by)).await?;
    Ok((StatusCode::CREATED, Json(release)).into_response())
}

/// Verifies a release cut and signed elsewhere (digests, signature by a trusted key, its
/// mission) and registers it.
#[utoipa::path(post, path = "/api/missions/{mission}/releases/import", tag = CONTROL_TAG, params(MissionPath),
    request_body = ReleaseBundle,
    responses((status = 201, body = ReleaseSummary), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub(crate) async fn import_release(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    ReleaseBody(bundle): ReleaseBody<ReleaseBundle>,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    params.finish()?;
    let by = granted.principal.clone();
    let release = blocking_control(&app, move |control| control.import_release(&mission, &bundle, &by)).await?;
    Ok((StatusCode::CREATED, Json(release)).into_response())
}

/// One release with its provenance, files, gate results and approvals.
#[utoipa::path(get, path = "/api/missions/{mission}/releases/{release}", tag = CONTROL_TAG, params(ReleasePath),
    responses((status = 200, body = ReleaseDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn release_detail(
    State(app): State<AppState>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    let release = segment(&path, "release");
    params.finish()?;
    let detail = blocking_control(&app, move |control| control.release(&mission, &release)).await?;
    Ok(Json(detail).into_response())
}

/// What changed from `release` to `other`: model, mission file, procedures.
#[utoipa::path(get, path = "/api/missions/{mission}/releases/{release}/diff/{other}", tag = CONTROL_TAG,
    params(ReleaseDiffPath),
    responses((status = 200, description = "the changes, as JSON", body = serde_json::Value),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn release_diff(
    State(app): State<AppState>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    let mission = granted.mission()?;
    let (from, to) = (segment(&path, "release"), segment(&path, "other"));
    params.finish()?;
    let diff = blocking_control(&app, move |control| control.release_diff(&mission, &from, &to)).await?;
    Ok(Json(diff).into_response())
}

/// A segment of the path (the router matched it, so it is there); the control plane says
/// whether it names a release.
fn segment(path: &RawPathParams, name: &str) -> String {
    path.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string()).unwrap_or_default()
}
