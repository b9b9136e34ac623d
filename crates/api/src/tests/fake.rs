//! An in-memory platform: two missions, a few samples, units, events and alarms; live streams
//! the test feeds.

use crate::backend::{Backend, BackendError, LiveReceiver};
use crate::gate::Principal;
use crate::wire::*;
use base::Scope;
use std::sync::Mutex;
use tokio::sync::mpsc;

/// Capacity of a fake live stream.
pub const LIVE_CAPACITY: usize = 16;

/// The fake platform.
#[derive(Default)]
pub struct Fake {
    /// Samples served by `range`, in time order.
    pub samples: Vec<SampleDto>,
    /// Senders of every live subscription made, with its subscription.
    pub live: Mutex<Vec<(Subscription, mpsc::Sender<LiveMessage>)>>,
    /// Acknowledgements made: (parameter, principal id).
    pub acknowledged: Mutex<Vec<(String, String)>>,
    /// Who sent commands.
    pub commands: Mutex<Vec<String>>,
}

impl Fake {
    /// A fake with `n_samples` samples of `BAT/V`, one per second.
    pub fn new(n_samples: u64) -> Fake {
        let samples = (0..n_samples).map(|i| sample("BAT/V", 1000 * i, i as f64)).collect();
        Fake { samples, ..Fake::default() }
    }

    /// The sender of the `index`th subscription.
    pub fn live_sender(&self, index: usize) -> Option<mpsc::Sender<LiveMessage>> {
        self.live.lock().ok()?.get(index).map(|(_, sender)| sender.clone())
    }
}

/// A sample.
pub fn sample(parameter: &str, time_ms: u64, eng: f64) -> SampleDto {
    SampleDto {
        parameter: parameter.to_string(),
        time_ms,
        raw: serde_json::json!(eng as u64),
        eng: serde_json::json!(eng),
        level: "normal".to_string(),
        valid: true,
    }
}

/// One page of `items` from a cursor that is the index of the first item.
fn page<T: Clone>(
    items: &[T],
    cursor: &Option<String>,
    limit: usize,
) -> Result<(Vec<T>, Option<String>), BackendError> {
    let start: usize = match cursor {
        None => 0,
        Some(text) => text
            .parse()
            .map_err(|_| BackendError::BadRequest { field: "cursor".into(), reason: "not a cursor of mine".into() })?,
    };
    let end = (start.saturating_add(limit)).min(items.len());
    let slice = items.get(start..end).unwrap_or_default().to_vec();
    let next = (end < items.len()).then(|| end.to_string());
    Ok((slice, next))
}

/// The id of the one command the fake holds: alice's, waiting for approval.
pub const PENDING_COMMAND: u64 = 7;

fn boom(scope: &Scope) -> Result<(), BackendError> {
    if scope.mission.as_str() == "bogussat" {
        return Err(BackendError::Internal("disk on fire".into()));
    }
    Ok(())
}

impl Backend for Fake {
    fn deployments(&self) -> Vec<DeploymentSummary> {
        [("sentinel-x", "dev"), ("sentinel-x", "ops"), ("bogussat", "dev")]
            .map(|(mission, env)| DeploymentSummary {
                mission: mission.into(),
                env: env.into(),
                model_digest: "sha256:00".into(),
                links: 1,
            })
            .to_vec()
    }

    fn status(&self, scope: &Scope) -> Result<DeploymentStatus, BackendError> {
        boom(scope)?;
        Ok(DeploymentStatus {
            mission: scope.mission.to_string(),
            env: scope.env.to_string(),
            model_digest: "sha256:00".into(),
            links: vec![],
            stored: StoredTotals { samples: self.samples.len() as u64, ..StoredTotals::default() },
            pending_units: 0,
            started_ms: 0,
            command_release: "automatic".into(),
            commands_live: 0,
        })
    }

    fn parameters(&self, scope: &Scope, pattern: Option<&str>) -> Result<Vec<ParameterInfo>, BackendError> {
        boom(scope)?;
        let info =
            ParameterInfo { name: "BAT/V".into(), samples: self.samples.len() as u64, first_ms: None, last_ms: None };
        Ok(if pattern.is_none_or(|p| p.starts_with("BAT")) { vec![info] } else { vec![] })
    }

    fn latest(&self, scope: &Scope, parameters: &[String]) -> Result<Vec<SampleDto>, BackendError> {
        boom(scope)?;
        Ok(self.samples.last().filter(|s| parameters.contains(&s.parameter)).cloned().into_iter().collect())
    }

    fn range(&self, scope: &Scope, query: &RangeQuery) -> Result<SamplePage, BackendError> {
        boom(scope)?;
        let (items, next) = page(&self.samples, &query.cursor, query.limit)?;
        Ok(SamplePage { items, next })
    }

    fn buckets(&self, scope: &Scope, query: &BucketQuery) -> Result<Vec<BucketDto>, BackendError> {
        boom(scope)?;
        let bucket =
            BucketDto { start_ms: query.from_ms, end_ms: query.to_ms, count: 0, min: None, max: None, avg: None };
        Ok(vec![bucket; query.buckets.min(2)])
    }

    fn units(&self, scope: &Scope, query: &UnitQuery) -> Result<UnitPage, BackendError> {
        boom(scope)?;
        let unit = UnitDto {
            seq: 1,
            link: "tm".into(),
            time_ms: 5,
            kind: "packet".into(),
            apid: query.apid,
            hex: "0800".into(),
            invalid: Some("too short, \"2 bytes\"".into()),
        };
        let (items, next) = page(&[unit], &query.cursor, query.limit)?;
        Ok(UnitPage { items, next })
    }

    fn events(&self, scope: &Scope, query: &EventQuery) -> Result<EventPage, BackendError> {
        boom(scope)?;
        let event = EventDto {
            time_ms: 7,
            severity: query.min_severity.clone(),
            source: "pus5".into(),
            event_id: 42,
            message: "heater on,\nzone 2".into(),
            data_hex: String::new(),
        };
        let (items, next) = page(&[event], &query.cursor, query.limit)?;
        Ok(EventPage { items, next })
    }

    fn alarms(&self, scope: &Scope, query: &AlarmQuery) -> Result<AlarmPage, BackendError> {
        boom(scope)?;
        let alarm = AlarmDto {
            time_ms: 9,
            parameter: "BAT/V".into(),
            change: "raised".into(),
            level: "warning".into(),
            by: None,
        };
        let (items, next) = page(&[alarm], &query.cursor, query.limit)?;
        Ok(AlarmPage { items, next })
    }

    fn open_alarms(&self, scope: &Scope) -> Result<Vec<OpenAlarmDto>, BackendError> {
        boom(scope)?;
        Ok(vec![OpenAlarmDto {
            parameter: "BAT/V".into(),
            phase: "active".into(),
            level: "warning".into(),
            worst: "warning".into(),
            raised_ms: 9,
            acknowledged_by: None,
        }])
    }

    fn acknowledge_alarm(&self, scope: &Scope, parameter: &str, by: &Principal) -> Result<(), BackendError> {
        boom(scope)?;
        match parameter {
            "BAT/V" => {
                self.acknowledged
                    .lock()
                    .map_err(|e| BackendError::Internal(e.to_string()))?
                    .push((parameter.into(), by.id.clone()));
                Ok(())
            }
            "ACKED" => Err(BackendError::Conflict { reason: "alarm of ACKED is already acknowledged".into() }),
            other => Err(BackendError::NotFound { what: "parameter", name: other.into() }),
        }
    }

    fn replay(&self, scope: &Scope, request: &ReplayRequest) -> Result<LiveReceiver, BackendError> {
        boom(scope)?;
        let (sender, receiver) = mpsc::channel(LIVE_CAPACITY);
        let samples = self.samples.iter().filter(|s| s.time_ms >= request.from_ms && s.time_ms < request.to_ms);
        let samples: Vec<SampleDto> = samples.cloned().collect();
        let n_samples = samples.len() as u64;
        let _ = sender.try_send(LiveMessage::Samples { samples, dropped: 0 });
        let _ = sender.try_send(LiveMessage::ReplayDone { units: n_samples, samples: n_samples, backfilled: 0 });
        Ok(receiver)
    }

    fn subscribe(&self, scope: &Scope, subscription: &Subscription) -> Result<LiveReceiver, BackendError> {
        boom(scope)?;
        if subscription.parameters.iter().any(|p| p.is_empty()) {
            return Err(BackendError::BadRequest { field: "parameters".into(), reason: "empty name".into() });
        }
        let (sender, receiver) = mpsc::channel(LIVE_CAPACITY);
        self.live.lock().map_err(|e| BackendError::Internal(e.to_string()))?.push((subscription.clone(), sender));
        Ok(receiver)
    }

    fn command_definitions(&self, scope: &Scope) -> Result<Vec<CommandDefinition>, BackendError> {
        boom(scope)?;
        Ok(vec![CommandDefinition {
            name: "/X/PING".into(),
            description: None,
            significance: "none".into(),
            hazardous: false,
            arguments: vec![],
        }])
    }

    fn send_command(
        &self,
        scope: &Scope,
        request: &CommandRequest,
        by: &Principal,
    ) -> Result<CommandAccepted, BackendError> {
        boom(scope)?;
        if request.command != "/X/PING" {
            return Err(BackendError::NotFound { what: "command", name: request.command.clone() });
        }
        self.commands.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(by.id.clone());
        Ok(CommandAccepted { id: 1, digest: "sha256:00".into(), state: "queued".into(), bytes_hex: "18".into() })
    }

    fn commands_live(&self, scope: &Scope) -> Result<Vec<CommandView>, BackendError> {
        boom(scope)?;
        Ok(vec![])
    }

    fn command(&self, scope: &Scope, id: u64) -> Result<CommandView, BackendError> {
        boom(scope)?;
        // Command 7 is alice's hazardous command, waiting for a second principal.
        if id == PENDING_COMMAND {
            return Ok(CommandView {
                id,
                command: "/X/DEPLOY".into(),
                principal: "alice".into(),
                arguments: Vec::new(),
                digest: "sha256:00".into(),
                bytes_hex: "18".into(),
                state: "pending_approval".into(),
                finished: false,
                requested_ms: 0,
                stages: Vec::new(),
                history: Vec::new(),
            });
        }
        Err(BackendError::NotFound { what: "command", name: id.to_string() })
    }

    fn command_history(&self, scope: &Scope, _query: &CommandHistoryQuery) -> Result<CommandHistoryPage, BackendError> {
        boom(scope)?;
        Ok(CommandHistoryPage { items: vec![], next: None })
    }

    fn set_release_mode(&self, scope: &Scope, mode: &str, _by: &Principal) -> Result<(), BackendError> {
        boom(scope)?;
        match mode {
            "automatic" | "manual" => Ok(()),
            _ => Err(BackendError::BadRequest { field: "mode".into(), reason: "automatic or manual".into() }),
        }
    }

    fn command_action(
        &self,
        scope: &Scope,
        id: u64,
        action: &CommandAction,
        by: &Principal,
    ) -> Result<String, BackendError> {
        boom(scope)?;
        // Alice's pending command refuses what the command queue refuses (tc::lifecycle).
        match action {
            CommandAction::Approve { .. } if id == PENDING_COMMAND && by.id == "alice" => Err(BackendError::Conflict {
                reason: "command 7: alice requested it, so another principal must approve it".into(),
            }),
            CommandAction::Approve { digest } if id == PENDING_COMMAND && digest != "sha256:00" => {
                Err(BackendError::Conflict { reason: format!("command 7: the approval names digest {digest}") })
            }
            CommandAction::Approve { .. } if id == PENDING_COMMAND => Ok("approved".into()),
            _ => Err(BackendError::NotFound { what: "command in the queue", name: id.to_string() }),
        }
    }

    fn metrics(&self, out: &mut String) {
        out.push_str("groundplane_fake_units_total 3\n");
    }
}
