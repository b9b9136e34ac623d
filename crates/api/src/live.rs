//! Live and replay streams: the live WebSocket and replay as streamed JSON Lines.
//!
//! Each WebSocket client has its own task, so a slow one never holds up another: the backend's
//! bounded receiver drops (and flags) what the task cannot take, and a send that takes longer
//! than `RouterOptions::ws_send_timeout` closes the client as too slow.

use crate::error::ApiError;
use crate::export::ChannelStream;
use crate::gate::Action;
use crate::json::{self, JsonBody};
use crate::openapi::{ScopePath, DEPLOYMENT_TAG};
use crate::params::Params;
use crate::pipeline::{blocking, AppState, Granted};
use crate::wire::{ErrorBody, LiveMessage, ReplayRequest, Subscription};
use crate::{LiveReceiver, WS_MESSAGE_LEN_MAX};
use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use base::Scope;
use tokio::sync::mpsc;

/// WebSocket close code for a message the server cannot accept (RFC 6455 1008, policy).
const CLOSE_POLICY: u16 = 1008;
/// WebSocket close code of a normal end.
const CLOSE_NORMAL: u16 = 1000;
/// Replay lines buffered ahead of a slow client.
const REPLAY_LINES_AHEAD: usize = 64;

/// The live WebSocket: send a `Subscription` (again, to change it); receive `LiveMessage`s.
#[utoipa::path(get, path = "/api/missions/{mission}/envs/{env}/live", tag = DEPLOYMENT_TAG, params(ScopePath),
    responses((status = 101, description = "WebSocket of LiveMessage; the client sends Subscription",
        body = LiveMessage), (status = 503, description = "too many WebSocket clients", body = ErrorBody)))]
pub(crate) async fn live(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    let upgrade = upgrade.map_err(|rejection| ApiError::BadRequest { field: None, reason: rejection.body_text() })?;
    if !app.metrics.try_add_ws_client(app.options.ws_clients_max) {
        let reason = format!("too many WebSocket clients (at most {})", app.options.ws_clients_max);
        return Err(ApiError::Unavailable { reason });
    }
    let slot = ClientSlot(app.clone());
    let response = upgrade
        .max_message_size(WS_MESSAGE_LEN_MAX)
        .on_failed_upgrade(|error| tracing::warn!(%error, "WebSocket upgrade failed"))
        .on_upgrade(move |socket| async move {
            session(&slot.0, socket, scope, granted.request_id).await;
            drop(slot);
        });
    Ok(response)
}

/// A taken WebSocket client slot, given back when dropped.
struct ClientSlot(AppState);

impl Drop for ClientSlot {
    fn drop(&mut self) {
        self.0.metrics.remove_ws_client();
    }
}

async fn session(app: &AppState, mut socket: WebSocket, scope: Scope, request_id: String) {
    let mut stream: Option<LiveReceiver> = None;
    let reason = loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => match subscribe(app, &scope, text.as_bytes()).await {
                    Ok(receiver) => stream = Some(receiver),
                    Err(reason) => break (CLOSE_POLICY, reason),
                },
                Some(Ok(Message::Binary(_))) => break (CLOSE_POLICY, "send a Subscription as a JSON text message".into()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            },
            message = next_live(&mut stream) => match message {
                Some(LiveMessage::Closed { reason }) => break (CLOSE_NORMAL, reason),
                Some(message) => {
                    if let Err(reason) = send(app, &mut socket, &message).await {
                        tracing::info!(request_id = %request_id, %scope, %reason, "live client closed");
                        return;
                    }
                }
                None => break (CLOSE_NORMAL, "the live stream ended".into()),
            },
        }
    };
    let (code, reason) = reason;
    tracing::info!(request_id = %request_id, %scope, %reason, "live stream closed");
    let closed = LiveMessage::Closed { reason: reason.clone() };
    if send(app, &mut socket, &closed).await.is_ok() {
        let reason: String = reason.chars().take(60).collect();
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = tokio::time::timeout(app.options.ws_send_timeout, socket.send(Message::Close(Some(frame)))).await;
    }
}

/// The backend's stream for a subscription message, or why not (sent to the client).
async fn subscribe(app: &AppState, scope: &Scope, text: &[u8]) -> Result<LiveReceiver, String> {
    let subscription: Subscription = json::parse(text, "subscription").map_err(|error| error.to_string())?;
    let scope = scope.clone();
    blocking(app, move |backend| backend.subscribe(&scope, &subscription)).await.map_err(|error| match error {
        ApiError::Internal { .. } => "the live stream is unavailable".to_string(),
        other => format!("subscription: {other}"),
    })
}

async fn next_live(stream: &mut Option<LiveReceiver>) -> Option<LiveMessage> {
    match stream {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

async fn send(app: &AppState, socket: &mut WebSocket, message: &LiveMessage) -> Result<(), String> {
    let text = serde_json::to_string(message).map_err(|error| format!("cannot encode a message: {error}"))?;
    match tokio::time::timeout(app.options.ws_send_timeout, socket.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(format!("send failed: {error}")),
        Err(_) => Err(format!("client too slow: a send took over {:?}", app.options.ws_send_timeout)),
    }
}

/// Replays archived units through a model version; the messages stream back as JSON Lines,
/// ending with `replay_done` (or `closed`). With `backfill` the principal also needs `Backfill`.
#[utoipa::path(post, path = "/api/missions/{mission}/envs/{env}/replay", tag = DEPLOYMENT_TAG, params(ScopePath),
    request_body = ReplayRequest,
    responses((status = 200, description = "JSON Lines of LiveMessage", body = LiveMessage,
        content_type = "application/x-ndjson"), (status = 400, body = ErrorBody)))]
pub(crate) async fn replay(
    State(app): State<AppState>,
    granted: Granted,
    params: Params,
    JsonBody(request): JsonBody<ReplayRequest>,
) -> Result<Response, ApiError> {
    let scope = granted.scope()?;
    params.finish()?;
    if request.from_ms > request.to_ms {
        return Err(ApiError::bad_request("from_ms", "from_ms is after to_ms"));
    }
    if request.speed.is_some_and(|speed| !(speed.is_finite() && speed > 0.0)) {
        return Err(ApiError::bad_request("speed", "speed must be a positive number"));
    }
    if request.backfill {
        granted.escalate(&app, Action::Backfill).await?;
    }
    let mut receiver = blocking(&app, move |backend| backend.replay(&scope, &request)).await?;
    let (sender, lines) = mpsc::channel(REPLAY_LINES_AHEAD);
    tokio::spawn(async move {
        while let Some(message) = receiver.recv().await {
            let last = matches!(message, LiveMessage::ReplayDone { .. } | LiveMessage::Closed { .. });
            let line = serde_json::to_string(&message).map(|json| json + "\n").map_err(std::io::Error::other);
            if sender.send(line).await.is_err() || last {
                return;
            }
        }
    });
    let mut response = Body::from_stream(ChannelStream(lines)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    Ok(response)
}
