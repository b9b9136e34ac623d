//! Tests of the API through its router, with `oneshot` (and a loopback socket for WebSockets).

mod control;
mod errors;
mod export;
mod fake;
mod fake_control;
mod gate;
mod policy;
mod props;
mod routes;
mod secrets;
mod ws;

use crate::gate::{Gate, TokenGrant};
use crate::{router_with_control, router_with_options, RouterOptions};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request};
use axum::Router;
use fake::Fake;
use fake_control::FakeControl;
use http_body_util::BodyExt;
use std::fmt;
use std::sync::Arc;
use tower::ServiceExt;

/// Secret of the token granted all of `sentinel-x`.
const SENTINEL_TOKEN: &str = "s3cret-sentinel";
/// Secret of the token granted only `bogussat/dev`.
const BOGUS_TOKEN: &str = "s3cret-bogus";
/// Secret of the token granted every deployment of every mission (`*`).
const ADMIN_TOKEN: &str = "s3cret-admin";
/// Secret of the token granted only `sentinel-x/dev`.
const SENTINEL_DEV_TOKEN: &str = "s3cret-sentinel-dev";

fn tokens() -> Vec<TokenGrant> {
    let token = |name: &str, secret: &str, scope: &str| TokenGrant {
        name: name.into(),
        token: secret.into(),
        scopes: vec![grant(scope)],
        grants: Vec::new(),
    };
    vec![
        token("sentinel-ops", SENTINEL_TOKEN, "sentinel-x/*"),
        token("bogus-dev", BOGUS_TOKEN, "bogussat/dev"),
        token("admin", ADMIN_TOKEN, "*"),
        token("sentinel-dev", SENTINEL_DEV_TOKEN, "sentinel-x/dev"),
    ]
}

fn grant(text: &str) -> crate::ScopeGrant {
    text.parse().expect("test grants are well-formed")
}

/// A router over a fake platform and a fake control plane behind `gate`, with small bodies.
fn app_with(fake: Fake, gate: Gate) -> (Router, Arc<Fake>) {
    let (router, fake, _) =
        app_with_control(fake, gate, RouterOptions { body_len_max: 1024, ..RouterOptions::default() });
    (router, fake)
}

/// A router over a fake platform and a fake control plane behind `gate`.
fn app_with_control(fake: Fake, gate: Gate, options: RouterOptions) -> (Router, Arc<Fake>, Arc<FakeControl>) {
    let fake = Arc::new(fake);
    let control = Arc::new(FakeControl::default());
    let control_backend: Arc<dyn crate::ControlBackend> = control.clone();
    (router_with_control(fake.clone(), Some(control_backend), gate, options), fake, control)
}

/// The demo: open for anonymous reads, and the test tokens.
fn open_app() -> (Router, Arc<Fake>) {
    app_with(Fake::new(5), Gate::with_tokens(tokens(), true))
}

/// An answer, printed `status body`.
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

/// What to send.
#[derive(Default)]
struct Call<'a> {
    method: &'a str,
    uri: &'a str,
    token: Option<&'a str>,
    content_type: Option<&'a str>,
    body: String,
}

async fn send(router: &Router, call: Call<'_>) -> Reply {
    let mut request = Request::builder().method(if call.method.is_empty() { "GET" } else { call.method }).uri(call.uri);
    if let Some(token) = call.token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(content_type) = call.content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let request = request.body(Body::from(call.body)).expect("test requests are well-formed");
    let response = router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.map(|body| body.to_bytes()).unwrap_or_default();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(router: &Router, uri: &str) -> Reply {
    send(router, Call { uri, ..Call::default() }).await
}

async fn post_json(router: &Router, uri: &str, token: Option<&str>, body: &str) -> Reply {
    let call = Call { method: "POST", uri, token, content_type: Some("application/json"), body: body.to_string() };
    send(router, call).await
}

/// The error body with its request id replaced by `ID` (ids depend on test order).
fn without_id(reply: &Reply) -> String {
    let mut json = reply.json();
    if let Some(id) = json.get_mut("request_id") {
        *id = serde_json::json!("ID");
    }
    format!("{} {json}", reply.status)
}
