//! The handlers of commanding: the model's commands, sending, the queue, approvals, history.

use crate::error::ApiError;
use crate::json::JsonBody;
use crate::openapi::{CommandHistoryParams, CommandPath, ScopePath, DEPLOYMENT_TAG};
use crate::params::Params;
use crate::pipeline::{blocking, AppState, Granted};
use crate::wire::{
    ApproveRequest, CommandAccepted, CommandAction, CommandActionDone, CommandDefinition, CommandHistoryPage,
    CommandHistoryQuery, CommandRequest, CommandView, ErrorBody, ReleaseModeRequest,
};
use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The commands of the deployment's model, with their arguments.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/commands/definitions", tag = DEPLOYMENT_TAG,
    params(ScopePath), responses((status = 200, body = Vec<CommandDefinition>), (status = 404, body = ErrorBody)))]
pub(crate) async fn definitions(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let definitions = blocking(&app, move |backend| backend.command_definitions(&scope)).await?;
    Ok(Json(definitions).into_response())
}

/// Checks, encodes and queues a command. A hazardous command waits for a second principal's
/// approval; the others are released at once (automatic release) or by an operator (manual).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/commands", tag = DEPLOYMENT_TAG,
    params(ScopePath), request_body = CommandRequest,
    responses((status = 202, body = CommandAccepted), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn send(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<CommandRequest>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let command = request.command.clone();
    let accepted = blocking(&app, move |backend| backend.send_command(&scope, &request, &by)).await;
    let detail = match &accepted {
        Ok(accepted) => serde_json::json!({ "command": command, "id": accepted.id, "digest": accepted.digest }),
        Err(_) => serde_json::json!({ "command": command }),
    };
    granted.outcome(&app, &accepted, detail);
    Ok((StatusCode::ACCEPTED, Json(accepted?)).into_response())
}

/// The commands in the queue (not finished), oldest first.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/commands", tag = DEPLOYMENT_TAG,
    operation_id = "commands_live", params(ScopePath), responses((status = 200, body = Vec<CommandView>), (status = 404, body = ErrorBody)))]
pub(crate) async fn live(State(app): State<AppState>, granted: Granted, params: Params) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let commands = blocking(&app, move |backend| backend.commands_live(&scope)).await?;
    Ok(Json(commands).into_response())
}

/// Command state changes over a time range, oldest first.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/commands/history", tag = DEPLOYMENT_TAG,
    params(ScopePath, CommandHistoryParams),
    responses((status = 200, body = CommandHistoryPage), (status = 400, body = ErrorBody)))]
pub(crate) async fn history(
    State(app): State<AppState>,
    granted: Granted,
    mut params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let (from_ms, to_ms) = params.time_range()?;
    let (cursor, limit) = (params.cursor()?, params.limit()?);
    params.finish()?;
    let query = CommandHistoryQuery { from_ms, to_ms, cursor, limit };
    let page = blocking(&app, move |backend| backend.command_history(&scope, &query)).await?;
    Ok(Json(page).into_response())
}

/// One command: its stages and every transition.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/commands/{id}", tag = DEPLOYMENT_TAG,
    params(CommandPath), responses((status = 200, body = CommandView), (status = 404, body = ErrorBody)))]
pub(crate) async fn one(
    State(app): State<AppState>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let id = command_id(&path)?;
    params.finish()?;
    let view = blocking(&app, move |backend| backend.command(&scope, id)).await?;
    Ok(Json(view).into_response())
}

/// A second, different principal approves a hazardous command, naming the digest of the bytes
/// they reviewed.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/commands/{id}/approve", tag = DEPLOYMENT_TAG,
    params(CommandPath), request_body = ApproveRequest,
    responses((status = 200, body = CommandActionDone), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn approve(
    State(app): State<AppState>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
    JsonBody(request): JsonBody<ApproveRequest>,
) -> Result<Response, ApiError> {
    act(app, granted, path, params, CommandAction::Approve { digest: request.digest }).await
}

/// Releases a queued command for sending (manual release mode).
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/commands/{id}/release", tag = DEPLOYMENT_TAG,
    params(CommandPath),
    responses((status = 200, body = CommandActionDone), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(crate) async fn release(
    State(app): State<AppState>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    act(app, granted, path, params, CommandAction::Release).await
}

/// Cancels a command that has not been sent.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/commands/{id}/cancel", tag = DEPLOYMENT_TAG,
    params(CommandPath),
    responses((status = 200, body = CommandActionDone), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(crate) async fn cancel(
    State(app): State<AppState>,
    granted: Granted,
    path: RawPathParams,
    params: Params,
) -> Result<Response, ApiError> {
    act(app, granted, path, params, CommandAction::Cancel).await
}

/// Switches how queued commands are released: `manual` holds every new command for an
/// operator (e.g. during an anomaly), `automatic` releases what is queued and what comes.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/commands/release-mode", tag = DEPLOYMENT_TAG,
    params(ScopePath), request_body = ReleaseModeRequest,
    responses((status = 200, body = ReleaseModeRequest), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn release_mode(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<ReleaseModeRequest>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let by = granted.principal.clone();
    let mode = request.mode.clone();
    blocking(&app, move |backend| backend.set_release_mode(&scope, &mode, &by)).await?;
    Ok(Json(request).into_response())
}

async fn act(
    app: AppState,
    granted: Granted,
    path: RawPathParams,
    params: Params,
    action: CommandAction,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    let id = command_id(&path)?;
    params.finish()?;
    let by = granted.principal.clone();
    let asked = match &action {
        CommandAction::Approve { digest } => serde_json::json!({ "id": id, "approve": digest }),
        CommandAction::Release => serde_json::json!({ "id": id, "release": true }),
        CommandAction::Cancel => serde_json::json!({ "id": id, "cancel": true }),
    };
    let state = blocking(&app, move |backend| backend.command_action(&scope, id, &action, &by)).await;
    granted.outcome(&app, &state, asked);
    Ok(Json(CommandActionDone { id, state: state?, by: granted.principal.id }).into_response())
}

fn command_id(path: &RawPathParams) -> Result<u64, ApiError> {
    let text = path.iter().find(|(key, _)| *key == "id").map(|(_, value)| value).unwrap_or_default();
    text.parse().map_err(|_| ApiError::BadRequest {
        field: Some("id".into()),
        reason: format!("command id {text:?} is not a whole number"),
    })
}
