//! The handlers of one deployment's status, telemetry, archive and alarms.

use crate::error::ApiError;
use crate::export;
use crate::gate::Action;
use crate::json::JsonBody;
use crate::openapi::{AlarmParams, BucketParams, EventParams, LatestParams, PatternParams, SampleParams, ScopePath};
use crate::openapi::{UnitParams, DEPLOYMENT_TAG};
use crate::params::{Format, Params, BUCKETS_DEFAULT, BUCKETS_MAX, LEVELS, SEVERITIES};
use crate::pipeline::{blocking, AppState, Granted};
use crate::wire::{
    AcknowledgeRequest, Acknowledged, AlarmPage, AlarmQuery, BucketDto, BucketQuery, DeploymentStatus, ErrorBody,
    EventPage, EventQuery, OpenAlarmDto, ParameterInfo, RangeQuery, SampleDto, SamplePage, UnitPage, UnitQuery,
};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A deployment's status.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/status", tag = DEPLOYMENT_TAG, params(ScopePath),
    responses((status = 200, body = DeploymentStatus), (status = 404, body = ErrorBody)))]
pub(crate) async fn status(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let status = blocking(&app, move |backend| backend.status(&scope)).await?;
    Ok(Json(status).into_response())
}

/// The parameters the archive holds, optionally matching a `*` pattern.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/parameters", tag = DEPLOYMENT_TAG,
    params(ScopePath, PatternParams),
    responses((status = 200, body = Vec<ParameterInfo>), (status = 400, body = ErrorBody)))]
pub(crate) async fn parameters(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let pattern = params.one("pattern")?;
    params.finish()?;
    let parameters = blocking(&app, move |backend| backend.parameters(&scope, pattern.as_deref())).await?;
    Ok(Json(parameters).into_response())
}

/// The newest sample of each named parameter.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/parameters/latest", tag = DEPLOYMENT_TAG,
    params(ScopePath, LatestParams),
    responses((status = 200, body = Vec<SampleDto>), (status = 400, body = ErrorBody)))]
pub(crate) async fn latest(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let names = params.required_list("names")?;
    params.finish()?;
    let samples = blocking(&app, move |backend| backend.latest(&scope, &names)).await?;
    Ok(Json(samples).into_response())
}

/// Samples over a time range: one JSON page, or every page as streamed CSV.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/samples", tag = DEPLOYMENT_TAG,
    params(ScopePath, SampleParams),
    responses((status = 200, description = "a page (JSON) or the whole range (CSV)", body = SamplePage),
        (status = 400, body = ErrorBody)))]
pub(crate) async fn samples(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let parameters = params.required_list("parameters")?;
    let (from_ms, to_ms) = params.time_range()?;
    let (cursor, limit, format) = (params.cursor()?, params.limit()?, params.format()?);
    params.finish()?;
    let query = RangeQuery { parameters, from_ms, to_ms, cursor, limit };
    if format == Format::Csv {
        granted.escalate(&app, Action::ExportArchive).await?;
        return export::samples(&app, &granted, scope, query).await;
    }
    let page: SamplePage = blocking(&app, move |backend| backend.range(&scope, &query)).await?;
    Ok(Json(page).into_response())
}

/// Min, max and average of a parameter in equal buckets of a time range.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/samples/buckets", tag = DEPLOYMENT_TAG,
    params(ScopePath, BucketParams),
    responses((status = 200, body = Vec<BucketDto>), (status = 400, body = ErrorBody)))]
pub(crate) async fn buckets(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let parameter = params.required("parameter")?;
    let (from_ms, to_ms) = params.time_range()?;
    let buckets = params.bounded("buckets", BUCKETS_DEFAULT, BUCKETS_MAX)?;
    params.finish()?;
    let query = BucketQuery { parameter, from_ms, to_ms, buckets };
    let buckets: Vec<BucketDto> = blocking(&app, move |backend| backend.buckets(&scope, &query)).await?;
    Ok(Json(buckets).into_response())
}

/// Raw received units by time range and APID.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/units", tag = DEPLOYMENT_TAG,
    params(ScopePath, UnitParams),
    responses((status = 200, description = "a page (JSON) or the whole range (CSV)", body = UnitPage),
        (status = 400, body = ErrorBody)))]
pub(crate) async fn units(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let (from_ms, to_ms) = params.time_range()?;
    let apid = params.apid()?;
    let (cursor, limit, format) = (params.cursor()?, params.limit()?, params.format()?);
    params.finish()?;
    let query = UnitQuery { from_ms, to_ms, apid, cursor, limit };
    if format == Format::Csv {
        granted.escalate(&app, Action::ExportArchive).await?;
        return export::units(&app, &granted, scope, query).await;
    }
    let page: UnitPage = blocking(&app, move |backend| backend.units(&scope, &query)).await?;
    Ok(Json(page).into_response())
}

/// Events by time range and minimum severity.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/events", tag = DEPLOYMENT_TAG,
    params(ScopePath, EventParams),
    responses((status = 200, description = "a page (JSON) or the whole range (CSV)", body = EventPage),
        (status = 400, body = ErrorBody)))]
pub(crate) async fn events(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let (from_ms, to_ms) = params.time_range()?;
    let min_severity = params.choice("min_severity", &SEVERITIES)?;
    let (cursor, limit, format) = (params.cursor()?, params.limit()?, params.format()?);
    params.finish()?;
    let query = EventQuery { from_ms, to_ms, min_severity, cursor, limit };
    if format == Format::Csv {
        granted.escalate(&app, Action::ExportArchive).await?;
        return export::events(&app, &granted, scope, query).await;
    }
    let page: EventPage = blocking(&app, move |backend| backend.events(&scope, &query)).await?;
    Ok(Json(page).into_response())
}

/// Alarm history by time range and minimum level.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/alarms", tag = DEPLOYMENT_TAG,
    params(ScopePath, AlarmParams),
    responses((status = 200, description = "a page (JSON) or the whole range (CSV)", body = AlarmPage),
        (status = 400, body = ErrorBody)))]
pub(crate) async fn alarms(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let (from_ms, to_ms) = params.time_range()?;
    let min_level = params.choice("min_level", &LEVELS)?;
    let (cursor, limit, format) = (params.cursor()?, params.limit()?, params.format()?);
    params.finish()?;
    let query = AlarmQuery { from_ms, to_ms, min_level, cursor, limit };
    if format == Format::Csv {
        granted.escalate(&app, Action::ExportArchive).await?;
        return export::alarms(&app, &granted, scope, query).await;
    }
    let page: AlarmPage = blocking(&app, move |backend| backend.alarms(&scope, &query)).await?;
    Ok(Json(page).into_response())
}

/// The alarms open now.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/alarms/open", tag = DEPLOYMENT_TAG,
    params(ScopePath), responses((status = 200, body = Vec<OpenAlarmDto>), (status = 404, body = ErrorBody)))]
pub(crate) async fn open_alarms(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let alarms = blocking(&app, move |backend| backend.open_alarms(&scope)).await?;
    Ok(Json(alarms).into_response())
}

/// Acknowledges the open alarm of a parameter, as the requesting principal.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/alarms/acknowledge", tag = DEPLOYMENT_TAG,
    params(ScopePath), request_body = AcknowledgeRequest,
    responses((status = 200, body = Acknowledged), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub(crate) async fn acknowledge(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<AcknowledgeRequest>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let parameter = request.parameter.clone();
    blocking(&app, move |backend| backend.acknowledge_alarm(&scope, &parameter, &by)).await?;
    Ok(Json(Acknowledged { parameter: request.parameter, by: granted.principal.id }).into_response())
}
