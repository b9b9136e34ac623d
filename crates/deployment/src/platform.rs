//! All deployments of this platform, and the API's `Backend` over them.

use crate::commanding::book::CommandInput;
use crate::ingest::Input;
use crate::swap::SwapReport;
use crate::{convert, replay, Deployment, DeploymentError};
use api::backend::{Backend, BackendError, LiveReceiver};
use api::gate::Principal;
use api::wire::{
    AlarmDto, AlarmPage, AlarmQuery, BucketDto, BucketQuery, DeploymentStatus, DeploymentSummary, EventPage,
    EventQuery, OpenAlarmDto, ParameterInfo, RangeQuery, ReplayRequest, SampleDto, SamplePage, Subscription, UnitDto,
    UnitPage, UnitQuery,
};
use api::wire::{
    CommandAccepted, CommandAction, CommandDefinition, CommandEventDto, CommandHistoryPage, CommandHistoryQuery,
    CommandRequest, CommandView,
};
use base::Scope;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// How long an acknowledgement or a command request waits for the ingest thread.
const ACKNOWLEDGE_TIMEOUT_MS: u64 = 5_000;

/// The deployments of this platform, by scope. Deployments come and go while it serves (the
/// control plane starts, pauses and removes them): the map is behind a lock held only to look
/// one up, never across a call into a deployment.
#[derive(Default)]
pub struct Platform {
    deployments: RwLock<BTreeMap<Scope, Arc<Deployment>>>,
}

impl Platform {
    /// A platform of these deployments.
    pub fn new(deployments: Vec<Deployment>) -> Self {
        let map = deployments.into_iter().map(|d| (d.scope.clone(), Arc::new(d))).collect();
        Platform { deployments: RwLock::new(map) }
    }

    fn map(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<Scope, Arc<Deployment>>> {
        // A panic while the lock was held left the map whole (inserts and removes are single
        // calls): keep serving.
        self.deployments.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn map_mut(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<Scope, Arc<Deployment>>> {
        self.deployments.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One deployment.
    pub fn get(&self, scope: &Scope) -> Option<Arc<Deployment>> {
        self.map().get(scope).cloned()
    }

    /// Adds a started deployment; refused (and handed back) when its scope runs one already.
    pub fn add(&self, deployment: Deployment) -> Result<Arc<Deployment>, Box<Deployment>> {
        let mut map = self.map_mut();
        if map.contains_key(&deployment.scope) {
            return Err(Box::new(deployment));
        }
        let deployment = Arc::new(deployment);
        map.insert(deployment.scope.clone(), deployment.clone());
        Ok(deployment)
    }

    /// Takes a deployment out (the caller stops it); requests to it answer 404 from now on.
    pub fn remove(&self, scope: &Scope) -> Option<Arc<Deployment>> {
        self.map_mut().remove(scope)
    }

    /// Switches the deployment of `scope` to another model version without stopping it
    /// (`Deployment::swap_model`; blocks).
    pub fn swap_model(&self, scope: &Scope, model: model::MissionModel) -> Result<SwapReport, DeploymentError> {
        let deployment = self.get(scope).ok_or_else(|| DeploymentError::NoSuchDeployment { scope: scope.clone() })?;
        deployment.swap_model(model)
    }

    /// Every deployment now, by scope.
    pub fn iter(&self) -> std::vec::IntoIter<Arc<Deployment>> {
        self.map().values().cloned().collect::<Vec<_>>().into_iter()
    }

    /// Stops every deployment (each commits what it holds).
    pub async fn stop(&self) {
        for deployment in self.iter() {
            deployment.stop().await;
        }
    }

    fn deployment(&self, scope: &Scope) -> Result<Arc<Deployment>, BackendError> {
        self.get(scope).ok_or_else(|| BackendError::NotFound { what: "deployment", name: scope.to_string() })
    }
}

/// Waits for the ingest thread's answer to a command request.
fn wait<T>(answer: std::sync::mpsc::Receiver<Result<T, BackendError>>) -> Result<T, BackendError> {
    match answer.recv_timeout(std::time::Duration::from_millis(ACKNOWLEDGE_TIMEOUT_MS)) {
        Ok(result) => result,
        Err(_) => Err(BackendError::Internal("the ingest thread did not answer".into())),
    }
}

/// An archive error as the API reports it: a bad cursor or limit is the caller's, the rest ours.
pub fn archive_error(error: archive::ArchiveError) -> BackendError {
    match error {
        archive::ArchiveError::BadCursor { .. } => {
            BackendError::BadRequest { field: "cursor".into(), reason: error.to_string() }
        }
        archive::ArchiveError::BadLimit => {
            BackendError::BadRequest { field: "limit".into(), reason: error.to_string() }
        }
        archive::ArchiveError::BadBuckets { .. } => {
            BackendError::BadRequest { field: "buckets".into(), reason: error.to_string() }
        }
        archive::ArchiveError::BadRange { .. } => {
            BackendError::BadRequest { field: "from".into(), reason: error.to_string() }
        }
        other => BackendError::Internal(other.to_string()),
    }
}

fn level(text: &str, field: &str) -> Result<model::AlarmLevel, BackendError> {
    model::AlarmLevel::parse(text).ok_or_else(|| BackendError::BadRequest {
        field: field.into(),
        reason: format!("{text:?} is not an alarm level (normal, watch, warning, distress, critical, severe)"),
    })
}

fn severity(text: &str) -> Result<archive::EventSeverity, BackendError> {
    Ok(match text {
        "info" | "" => archive::EventSeverity::Info,
        "low" => archive::EventSeverity::Low,
        "medium" => archive::EventSeverity::Medium,
        "high" => archive::EventSeverity::High,
        _ => {
            return Err(BackendError::BadRequest {
                field: "min_severity".into(),
                reason: format!("{text:?} is not a severity (info, low, medium, high)"),
            })
        }
    })
}

impl Backend for Platform {
    fn deployments(&self) -> Vec<DeploymentSummary> {
        self.iter()
            .map(|d| DeploymentSummary {
                mission: d.scope.mission.to_string(),
                env: d.scope.env.to_string(),
                model_digest: d.digest().to_string(),
                links: d.links.len(),
            })
            .collect()
    }

    fn status(&self, scope: &Scope) -> Result<DeploymentStatus, BackendError> {
        let deployment = self.deployment(scope)?;
        let status = deployment.status();
        Ok(DeploymentStatus {
            mission: scope.mission.to_string(),
            env: scope.env.to_string(),
            model_digest: deployment.digest().to_string(),
            links: status.links,
            stored: status.stored,
            pending_units: status.pending_units,
            started_ms: deployment.started_ms,
            command_release: status.command_release.to_string(),
            commands_live: deployment.shared.commands.live_len(),
        })
    }

    fn parameters(&self, scope: &Scope, pattern: Option<&str>) -> Result<Vec<ParameterInfo>, BackendError> {
        let series = self.deployment(scope)?.read(|reader| reader.series(pattern)).map_err(archive_error)?;
        Ok(series
            .into_iter()
            .map(|s| ParameterInfo {
                name: s.name,
                samples: s.samples,
                first_ms: Some(s.first_ms),
                last_ms: Some(s.last_ms),
            })
            .collect())
    }

    fn latest(&self, scope: &Scope, parameters: &[String]) -> Result<Vec<SampleDto>, BackendError> {
        let deployment = self.deployment(scope)?;
        let mut out = Vec::new();
        for name in parameters {
            if let Some(sample) = deployment.read(|reader| reader.latest(name)).map_err(archive_error)? {
                out.push(convert::stored_sample(sample));
            }
        }
        Ok(out)
    }

    fn range(&self, scope: &Scope, query: &RangeQuery) -> Result<SamplePage, BackendError> {
        let page = self
            .deployment(scope)?
            .read(|r| r.range(&query.parameters, query.from_ms, query.to_ms, query.cursor.as_deref(), query.limit))
            .map_err(archive_error)?;
        Ok(SamplePage { items: page.items.into_iter().map(convert::stored_sample).collect(), next: page.next })
    }

    fn buckets(&self, scope: &Scope, query: &BucketQuery) -> Result<Vec<BucketDto>, BackendError> {
        let buckets = self
            .deployment(scope)?
            .read(|r| r.buckets(&query.parameter, query.from_ms, query.to_ms, query.buckets))
            .map_err(archive_error)?;
        Ok(buckets
            .into_iter()
            .map(|b| BucketDto {
                start_ms: b.start_ms,
                end_ms: b.end_ms,
                count: b.count,
                min: b.min,
                max: b.max,
                avg: b.avg,
            })
            .collect())
    }

    fn units(&self, scope: &Scope, query: &UnitQuery) -> Result<UnitPage, BackendError> {
        let page = self
            .deployment(scope)?
            .read(|r| r.units(query.from_ms, query.to_ms, query.apid, query.cursor.as_deref(), query.limit))
            .map_err(archive_error)?;
        let items = page
            .items
            .into_iter()
            .map(|u| UnitDto {
                seq: u.seq,
                link: u.link,
                time_ms: u.time_ms,
                kind: convert::unit_kind(u.kind).to_string(),
                apid: u.apid,
                hex: convert::hex(&u.bytes),
                invalid: u.invalid,
            })
            .collect();
        Ok(UnitPage { items, next: page.next })
    }

    fn events(&self, scope: &Scope, query: &EventQuery) -> Result<EventPage, BackendError> {
        let min = severity(&query.min_severity)?;
        let page = self
            .deployment(scope)?
            .read(|r| r.events(query.from_ms, query.to_ms, min, query.cursor.as_deref(), query.limit))
            .map_err(archive_error)?;
        Ok(EventPage { items: page.items.iter().map(convert::event).collect(), next: page.next })
    }

    fn alarms(&self, scope: &Scope, query: &AlarmQuery) -> Result<AlarmPage, BackendError> {
        let min =
            if query.min_level.is_empty() { model::AlarmLevel::Normal } else { level(&query.min_level, "min_level")? };
        let page = self
            .deployment(scope)?
            .read(|r| r.alarms(query.from_ms, query.to_ms, min, query.cursor.as_deref(), query.limit))
            .map_err(archive_error)?;
        let items = page
            .items
            .into_iter()
            .map(|a| AlarmDto {
                time_ms: a.time_ms,
                parameter: a.series,
                change: a.change,
                level: convert::level_name(a.level).to_string(),
                by: a.by,
            })
            .collect();
        Ok(AlarmPage { items, next: page.next })
    }

    fn open_alarms(&self, scope: &Scope) -> Result<Vec<OpenAlarmDto>, BackendError> {
        Ok(self.deployment(scope)?.status().open_alarms)
    }

    fn acknowledge_alarm(&self, scope: &Scope, parameter: &str, by: &Principal) -> Result<(), BackendError> {
        let deployment = self.deployment(scope)?;
        let (reply, answer) = std::sync::mpsc::channel();
        let input = Input::Acknowledge { parameter: parameter.to_string(), by: by.id.clone(), reply };
        deployment.send_blocking(input).map_err(BackendError::Internal)?;
        match answer.recv_timeout(std::time::Duration::from_millis(ACKNOWLEDGE_TIMEOUT_MS)) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) if reason.starts_with("no parameter") || reason.contains("is not a parameter") => {
                Err(BackendError::NotFound { what: "parameter", name: parameter.to_string() })
            }
            Ok(Err(reason)) => Err(BackendError::Conflict { reason }),
            Err(_) => Err(BackendError::Internal("the ingest thread did not answer".into())),
        }
    }

    fn replay(&self, scope: &Scope, request: &ReplayRequest) -> Result<LiveReceiver, BackendError> {
        replay::start(&self.deployment(scope)?, request)
    }

    fn subscribe(&self, scope: &Scope, subscription: &Subscription) -> Result<LiveReceiver, BackendError> {
        Ok(self.deployment(scope)?.shared.inbox.push(subscription.clone()))
    }

    fn command_definitions(&self, scope: &Scope) -> Result<Vec<CommandDefinition>, BackendError> {
        Ok(crate::commanding::definitions::definitions(&self.deployment(scope)?.model()))
    }

    fn send_command(
        &self,
        scope: &Scope,
        request: &CommandRequest,
        by: &Principal,
    ) -> Result<CommandAccepted, BackendError> {
        let deployment = self.deployment(scope)?;
        let draft = crate::commanding::prepare::prepare(&deployment.model(), &deployment.commanding, request, &by.id)?;
        let (reply, answer) = std::sync::mpsc::channel();
        deployment
            .send_blocking(Input::Command(CommandInput::Submit { draft: Box::new(draft), reply }))
            .map_err(BackendError::Internal)?;
        wait(answer)
    }

    fn commands_live(&self, scope: &Scope) -> Result<Vec<CommandView>, BackendError> {
        Ok(self.deployment(scope)?.shared.commands.live())
    }

    fn command(&self, scope: &Scope, id: u64) -> Result<CommandView, BackendError> {
        let deployment = self.deployment(scope)?;
        if let Some(view) = deployment.shared.commands.get(id) {
            return Ok(view);
        }
        let records = deployment.read(|reader| reader.command_history(&id.to_string())).map_err(archive_error)?;
        convert::command_view(id, &records)
            .ok_or_else(|| BackendError::NotFound { what: "command", name: id.to_string() })
    }

    fn command_history(&self, scope: &Scope, query: &CommandHistoryQuery) -> Result<CommandHistoryPage, BackendError> {
        let page = self
            .deployment(scope)?
            .read(|r| r.commands(query.from_ms, query.to_ms, query.cursor.as_deref(), query.limit))
            .map_err(archive_error)?;
        let items: Vec<CommandEventDto> = page.items.iter().map(convert::command_event).collect();
        Ok(CommandHistoryPage { items, next: page.next })
    }

    fn set_release_mode(&self, scope: &Scope, mode: &str, by: &Principal) -> Result<(), BackendError> {
        let deployment = self.deployment(scope)?;
        let mode = match mode {
            "automatic" => tc::lifecycle::ReleaseMode::Automatic,
            "manual" => tc::lifecycle::ReleaseMode::Manual,
            other => {
                return Err(BackendError::BadRequest {
                    field: "mode".into(),
                    reason: format!("{other:?} is not a release mode (automatic, manual)"),
                })
            }
        };
        let (reply, answer) = std::sync::mpsc::channel();
        let input = CommandInput::ReleaseMode { mode, principal: by.id.clone(), reply };
        deployment.send_blocking(Input::Command(input)).map_err(BackendError::Internal)?;
        wait(answer)
    }

    fn command_action(
        &self,
        scope: &Scope,
        id: u64,
        action: &CommandAction,
        by: &Principal,
    ) -> Result<String, BackendError> {
        let deployment = self.deployment(scope)?;
        let (reply, answer) = std::sync::mpsc::channel();
        let principal = by.id.clone();
        let input = match action {
            CommandAction::Approve { digest } => CommandInput::Approve { id, principal, digest: digest.clone(), reply },
            CommandAction::Release => CommandInput::Release { id, principal, reply },
            CommandAction::Cancel => CommandInput::Cancel { id, principal, reply },
        };
        deployment.send_blocking(Input::Command(input)).map_err(BackendError::Internal)?;
        wait(answer)?;
        Ok(deployment.shared.commands.get(id).map(|view| view.state).unwrap_or_default())
    }

    fn metrics(&self, out: &mut String) {
        crate::metrics::write(self, out);
    }
}
