//! `procedure::Target` over the platform's HTTP API: send a command, read its state, read the
//! latest parameter values. Refusals (4xx) fail a step; anything else stops the run.

use super::http::{encode, Client, HttpError, Response};
use api::wire::{CommandAccepted, CommandRequest, CommandView, ErrorBody, SampleDto};
use procedure::{CommandState, ParameterValue, Target, TargetError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// A deployment (mission × environment) of a running platform.
pub struct HttpTarget {
    client: Client,
    /// `/api/missions/{mission}/envs/{env}`.
    scope_path: String,
    started: Instant,
}

impl HttpTarget {
    pub fn new(client: Client, mission: &str, env: &str) -> HttpTarget {
        let scope_path = format!("/api/missions/{}/envs/{}", encode(mission, false), encode(env, false));
        HttpTarget { client, scope_path, started: Instant::now() }
    }

    fn call<T: DeserializeOwned>(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<T, TargetError> {
        let path = format!("{}{path}", self.scope_path);
        let response = self.client.request(method, &path, body).map_err(unavailable)?;
        let body = judge_status(&response)?;
        serde_json::from_slice(body).map_err(|error| TargetError::Unavailable {
            message: format!("{method} {path}: unexpected JSON ({error}): {}", snippet(body)),
        })
    }
}

impl Target for HttpTarget {
    fn send(&mut self, command: &str, arguments: &Map<String, Value>) -> Result<u64, TargetError> {
        let request = CommandRequest {
            command: command.to_string(),
            arguments: arguments.clone(),
            release_at_ms: None,
            schedule_at_ms: None,
        };
        let body = serde_json::to_vec(&request).expect("a CommandRequest always serializes");
        let accepted: CommandAccepted = self.call("POST", "/commands", Some(&body))?;
        Ok(accepted.id)
    }

    fn command(&mut self, id: u64) -> Result<CommandState, TargetError> {
        let view: CommandView = self.call("GET", &format!("/commands/{id}"), None)?;
        command_state(view)
    }

    fn latest(&mut self, parameters: &[&str]) -> Result<Vec<ParameterValue>, TargetError> {
        let names: Vec<String> = parameters.iter().map(|name| encode(name, true)).collect();
        let samples: Vec<SampleDto> =
            self.call("GET", &format!("/parameters/latest?names={}", names.join(",")), None)?;
        let values = samples.into_iter().map(|sample| ParameterValue {
            parameter: sample.parameter,
            time_ms: sample.time_ms,
            eng: sample.eng,
        });
        Ok(values.collect())
    }

    fn now_ms(&mut self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn sleep_ms(&mut self, duration_ms: u64) {
        std::thread::sleep(Duration::from_millis(duration_ms));
    }
}

pub use deployment::gates::command_state;

/// The body of a 2xx response; otherwise the error it stands for. A 4xx about the request is a
/// refusal (the step fails); about the scope, the credentials or a missing route, and every
/// 5xx, it means the run cannot go on.
pub fn judge_status(response: &Response) -> Result<&[u8], TargetError> {
    if (200..300).contains(&response.status) {
        return Ok(&response.body);
    }
    let error_body: Option<ErrorBody> = serde_json::from_slice(&response.body).ok();
    let message = match &error_body {
        Some(ErrorBody { error, field: Some(field), request_id }) => {
            format!("HTTP {}: {error} (field `{field}`, request {request_id})", response.status)
        }
        Some(ErrorBody { error, field: None, request_id }) => {
            format!("HTTP {}: {error} (request {request_id})", response.status)
        }
        None => format!("HTTP {}: {}", response.status, snippet(&response.body)),
    };
    let about_scope =
        error_body.as_ref().and_then(|body| body.field.as_deref()).is_some_and(|f| f == "mission" || f == "env");
    let refused = (400..500).contains(&response.status)
        && !matches!(response.status, 401 | 403)
        && !about_scope
        && (response.status != 404 || error_body.is_some());
    if refused {
        Err(TargetError::Refused { message })
    } else if matches!(response.status, 401 | 403) {
        Err(TargetError::Unavailable { message: format!("{message}; give a token with --token or $GROUNDPLANE_TOKEN") })
    } else {
        Err(TargetError::Unavailable { message })
    }
}

fn unavailable(error: HttpError) -> TargetError {
    TargetError::Unavailable { message: error.to_string() }
}

/// The start of a body, as text, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut snippet: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        snippet.push('…');
    }
    snippet
}
