//! The control plane of a running platform (issue 6): missions created from mission files,
//! releases cut, verified and stored, gates run, promotions and rollbacks deployed, drift
//! reported. The decisions are the core's (`control`, `pipeline`, `release`); this module keeps
//! the event store, the release store and the platform's deployments in step with them.
//!
//! Every change is one or more `control::Event`s, appended (fsynced) to `control.sqlite` before
//! the state in memory changes. Changes are serialised by one lock (`writes`), so a promotion
//! never races another; reads take a snapshot of the state and never wait for a gate.
//!
//! A deployment the control plane starts runs the release its environment should run (the
//! latest promotion or rollback), built from that release's mission file and canonical model,
//! re-verified against the trusted keys every time it is deployed. At start, every
//! environment's desired release is deployed again (the reconciler), so a restart restores
//! what ran.

mod backend;
pub(crate) mod bundle;
mod deploy;
mod diff;
mod dto;
mod export;
mod gates;
mod promotion;
#[cfg(test)]
mod tests;

use crate::auditor::Auditor;
use anyhow::Context;
use api::BackendError;
use base::{Digest, Env, MissionSlug, Scope};
use control::{ControlState, Event, EventStore};
use deployment::{Clock, Platform};
use release::{PublicKey, SecretKey};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};

pub use deploy::Running;

/// Where the control plane keeps things, under the server's data folder.
#[derive(Clone, Debug)]
pub struct Dirs {
    /// Deployments' archives: `<data>/<mission>/<env>` (as for configured deployments).
    pub data: PathBuf,
    /// The control store (`control.sqlite`) and the platform key.
    pub control: PathBuf,
    /// Releases: `<releases>/<mission>/<hex>/`.
    pub releases: PathBuf,
    /// The audit chain (`audit.sqlite`).
    pub audit: PathBuf,
    /// Deleted missions' exports.
    pub exports: PathBuf,
    /// Scratch deployments of test gates.
    pub gates: PathBuf,
}

impl Dirs {
    /// The layout under one data folder: deployments in `<data>/<mission>/<env>`, the rest in
    /// `<data>/_platform/` (a mission slug cannot start with `_`, so no mission collides).
    pub fn under(data: &Path) -> Dirs {
        let platform = data.join("_platform");
        Dirs {
            data: data.to_path_buf(),
            control: platform.join("control"),
            releases: platform.join("releases"),
            audit: platform.join("audit"),
            exports: platform.join("exports"),
            gates: platform.join("gates"),
        }
    }
}

/// The control plane.
pub struct Controller {
    platform: Arc<Platform>,
    dirs: Dirs,
    key: SecretKey,
    trusted: Vec<PublicKey>,
    clock: Clock,
    runtime: tokio::runtime::Handle,
    /// Held for every change, across its gates and deployments.
    writes: Mutex<Box<dyn EventStore + Send>>,
    state: RwLock<ControlState>,
    /// Every event recorded, oldest first (as in the store).
    log: RwLock<Vec<Event>>,
    /// The audit chain every event goes to first (fail closed: no record, no change), shared
    /// with the request gate and the deployments.
    auditor: Arc<Auditor>,
    /// The deployments this control plane started, by scope.
    running: Mutex<BTreeMap<Scope, Running>>,
    /// Why an environment's deployment could not start, until it does.
    failures: Mutex<BTreeMap<Scope, String>>,
    /// The roles each principal holds as a member of active missions, by the governing mission
    /// file of each environment; refreshed whenever events are recorded.
    members: RwLock<HashMap<String, Vec<api::gate::Grant>>>,
    /// Where each mission's own policies go when the release governing them changes (the
    /// gate's authorizer).
    policy_sink: OnceLock<PolicySink>,
    /// Set by `stop_all`: the reconciler deploys nothing more.
    stopped: AtomicBool,
}

/// Receives a mission's own policies (`None`: it has none) and answers whether they stand.
pub type PolicySink = Box<dyn Fn(&MissionSlug, Option<&str>) -> Result<(), String> + Send + Sync>;

/// How a `Controller` is made.
pub struct Options {
    pub dirs: Dirs,
    /// Keys trusted besides the platform's own (mission keys, another platform's).
    pub trusted: Vec<PublicKey>,
    pub clock: Clock,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Controller {
    /// Opens the control store and the platform key (made on first use, mode 0600) and folds
    /// the recorded events. Deploys nothing yet: see `reconcile_all`.
    pub fn open(platform: Arc<Platform>, options: Options, runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        let store = archive::ControlStore::open(&options.dirs.control)?;
        let events = store.events().context("reading the control events")?;
        let state = ControlState::from_events(&events).context("the control events do not fold")?;
        let key = bundle::platform_key(&options.dirs.control)?;
        let auditor =
            Auditor::open(&options.dirs.audit, crate::audit_cmd::platform_signer(&key), options.clock.clone())?;
        let mut trusted = options.trusted;
        trusted.push(key.public());
        Ok(Controller {
            platform,
            dirs: options.dirs,
            key,
            trusted,
            clock: options.clock,
            runtime,
            writes: Mutex::new(Box::new(store)),
            state: RwLock::new(state),
            log: RwLock::new(events),
            auditor,
            running: Mutex::new(BTreeMap::new()),
            failures: Mutex::new(BTreeMap::new()),
            members: RwLock::new(HashMap::new()),
            policy_sink: OnceLock::new(),
            stopped: AtomicBool::new(false),
        })
        .inspect(Controller::refresh_members)
    }

    /// The platform's audit chain (the gate, commands and secrets record to it too).
    pub fn auditor(&self) -> Arc<Auditor> {
        self.auditor.clone()
    }

    /// The platform key's public half (to trust releases this platform cut elsewhere).
    pub fn public_key(&self) -> PublicKey {
        self.key.public()
    }

    /// A snapshot of the state.
    pub fn state(&self) -> ControlState {
        self.state.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    /// Appends events durably, then applies them; the caller holds `writes`. An event the
    /// state refuses after it was stored would be a bug in the commands: reported, not hidden.
    fn record(
        &self,
        store: &mut MutexGuard<'_, Box<dyn EventStore + Send>>,
        events: &[Event],
    ) -> Result<(), BackendError> {
        for event in events {
            self.audit(event)?;
            store.append(event).map_err(|error| BackendError::Internal(format!("control store: {error}")))?;
            self.state
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .apply(event)
                .map_err(|error| BackendError::Internal(format!("control state: {error}")))?;
            self.log.write().unwrap_or_else(PoisonError::into_inner).push(event.clone());
            tracing::info!(event = event.kind(), mission = event.mission(), "control event");
        }
        self.refresh_members();
        Ok(())
    }

    /// The roles `principal` holds as a member of active missions (what the gate's policy
    /// adds to its credential's grants).
    pub fn member_grants(&self, principal: &str) -> Vec<api::gate::Grant> {
        self.members.read().unwrap_or_else(PoisonError::into_inner).get(principal).cloned().unwrap_or_default()
    }

    /// Sends each mission's own policies to `sink` now and whenever the release governing
    /// them changes. Set once.
    pub fn set_policy_sink(&self, sink: PolicySink) {
        if self.policy_sink.set(sink).is_ok() {
            self.refresh_members();
        }
    }

    /// The policies of the release that governs a mission's policies: the one its highest
    /// environment should run (OPS, else AIV, else DEV), else its first. `None` when that
    /// release carries none.
    fn governing_policies(&self, state: &ControlState, mission: &MissionSlug) -> Option<String> {
        let status = state.missions.get(mission)?;
        let digest = [Env::Ops, Env::Aiv, Env::Dev]
            .iter()
            .find_map(|env| status.envs.get(env).and_then(|env| env.desired.as_ref().map(|(digest, ..)| *digest)))
            .or_else(|| status.releases.first().map(|release| release.digest))?;
        let (files, _) = self.load(mission, &digest).ok()?;
        files.get(release::manifest::POLICIES).map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// Rebuilds `members` from the governing mission file of every environment of every
    /// active mission, and hands each mission's governing policies to the policy sink.
    fn refresh_members(&self) {
        let state = self.state();
        let mut members: HashMap<String, Vec<api::gate::Grant>> = HashMap::new();
        for (mission, status) in &state.missions {
            if status.lifecycle != control::Lifecycle::Active {
                continue;
            }
            for env in Env::ALL {
                let scope = Scope { mission: mission.clone(), env };
                let Ok(file) = self.governing(&state, &scope) else { continue };
                for member in &file.members {
                    for role in member.roles.of(env) {
                        let Ok(role) = role.as_str().parse::<api::gate::Role>() else { continue };
                        let grant = api::gate::Grant { mission: Some(mission.clone()), env: Some(env), role };
                        members.entry(member.principal.clone()).or_default().push(grant);
                    }
                }
            }
        }
        *self.members.write().unwrap_or_else(PoisonError::into_inner) = members;
        if let Some(sink) = self.policy_sink.get() {
            for (mission, status) in &state.missions {
                let policies = if status.lifecycle == control::Lifecycle::Active {
                    self.governing_policies(&state, mission)
                } else {
                    None
                };
                if let Err(problems) = sink(mission, policies.as_deref()) {
                    // Checked when the release was cut or imported: a bundle changed since.
                    tracing::error!(%mission, %problems, "the mission's policies are refused; it keeps the ones it had");
                }
            }
        }
    }

    /// Records an event in the audit chain, before it is stored or applied: when the audit
    /// record cannot be written, the change is refused.
    fn audit(&self, event: &Event) -> Result<(), BackendError> {
        let resource = match event.env() {
            Some(env) => format!("deployment {}/{env}", event.mission()),
            None => format!("mission {}", event.mission()),
        };
        let detail = serde_json::to_value(event).unwrap_or(serde_json::Value::Null);
        let action = format!("control.{}", event.kind());
        let entry =
            audit::Entry::new(event.at_ms(), event.by(), action, resource, audit::Outcome::Allowed).with_detail(detail);
        self.auditor.record(&entry).map_err(|error| BackendError::Internal(format!("{error}: the change is refused")))
    }

    /// Deploys what every active environment should run and does not (at start, and after a
    /// failure); answers the scopes it could not deploy, with why.
    pub fn reconcile_all(&self) -> Vec<(Scope, String)> {
        let mut store = lock(&self.writes);
        if self.stopped.load(Ordering::Acquire) {
            return Vec::new();
        }
        let state = self.state();
        let mut failed = Vec::new();
        for drift in control::reconcile(&state, &|mission, env| self.running_release(mission, env)) {
            let scope = Scope { mission: drift.mission.clone(), env: drift.env };
            match self.deploy(&scope, drift.desired) {
                Ok(how) => {
                    let event = Event::Deployed {
                        mission: scope.mission.to_string(),
                        release: drift.desired,
                        env: scope.env,
                        at_ms: self.now_ms(),
                    };
                    if let Err(error) = self.record(&mut store, &[event]) {
                        failed.push((scope.clone(), error.to_string()));
                    }
                    tracing::info!(%scope, release = %drift.desired, how, "reconciled");
                }
                Err(error) => failed.push((scope, error.to_string())),
            }
        }
        failed
    }

    fn running_release(&self, mission: &MissionSlug, env: Env) -> Option<Digest> {
        let scope = Scope { mission: mission.clone(), env };
        lock(&self.running).get(&scope).map(|running| running.release)
    }

    /// Stops every deployment the control plane started (the server is stopping).
    pub fn stop_all(&self) {
        let _writes = lock(&self.writes);
        self.stopped.store(true, Ordering::Release);
        let scopes: Vec<Scope> = lock(&self.running).keys().cloned().collect();
        for scope in scopes {
            self.undeploy(&scope);
        }
        // Sign what the chain holds unsigned, so that a verification after the stop covers it.
        self.auditor.checkpoint();
    }
}
