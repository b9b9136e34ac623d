//! One deployment, started: its archive opened, its links bound, its ingest thread running.

use crate::commanding::book::Book;
use crate::commanding::uplink::tls::UplinkTls;
use crate::commanding::CommandingSpec;
use crate::durable::Durability;
use crate::ingest::{Ingest, IngestStatus, Input, Shared, INPUT_QUEUE_LEN};
use crate::links::tls::{RefusalCounts, TlsLink};
use crate::links::{self, BoundLink};
use crate::{Clock, DeploymentError, LinkSpec};
use base::{Digest, Scope};
use model::MissionModel;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tm::pus::PusLayout;
use tm::Plan;
use tokio::sync::mpsc;

/// How often the ingest thread is woken when no data arrives, so that it commits and flushes
/// live streams on time.
pub const TICK_MS: u64 = 50;

/// What a deployment is made of.
#[derive(Clone, Debug)]
pub struct DeploymentSpec {
    pub scope: Scope,
    pub model: MissionModel,
    /// How PUS 1 and 5 reports are laid out, when the mission uses PUS.
    pub pus: Option<PusLayout>,
    pub links: Vec<LinkSpec>,
    pub archive: archive::ArchiveOptions,
    /// The deployment's own directory (archive, model versions).
    pub dir: PathBuf,
    /// Uplink, release mode and default verification windows.
    pub commanding: CommandingSpec,
    /// The platform's CA and where refusals go, for links (and an uplink) that require mutual TLS.
    pub security: crate::LinkSecurity,
}

/// The model version a deployment runs, and its plan.
#[derive(Debug)]
pub struct ModelVersion {
    pub digest: Digest,
    /// Commands are checked and encoded against it.
    pub model: Arc<MissionModel>,
    pub plan: Arc<Plan>,
}

/// A deployment, running.
pub struct Deployment {
    pub scope: Scope,
    pub dir: PathBuf,
    pub links: Vec<LinkSpec>,
    pub commanding: CommandingSpec,
    /// Where each link's socket is bound (the port when the spec asked for port 0).
    pub bound: Vec<std::net::SocketAddr>,
    pub started_ms: u64,
    pub(crate) shared: Arc<Shared>,
    inputs: Mutex<Option<mpsc::Sender<Input>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    ingest: Mutex<Option<std::thread::JoinHandle<()>>>,
    readers: Mutex<Vec<archive::Reader>>,
    /// Invariant: the version the ingest thread decodes with, but between the ingest thread
    /// applying a swap and `swap_model` (holding `swap_lock`) replacing it here.
    pub(crate) version: RwLock<Arc<ModelVersion>>,
    /// Held through a swap, so that swaps happen one at a time.
    pub(crate) swap_lock: Mutex<()>,
    /// Connections refused by links (and the uplink, as `uplink`) that require TLS, per link
    /// and reason.
    pub(crate) tls_refusals: Arc<RefusalCounts>,
}

impl Deployment {
    /// Opens the archive, binds the links and starts ingesting. Must run inside a tokio runtime.
    pub async fn start(spec: DeploymentSpec, clock: Clock) -> Result<Deployment, DeploymentError> {
        let scope = spec.scope.clone();
        for (idx, link) in spec.links.iter().enumerate() {
            if spec.links[..idx].iter().any(|other| other.name == link.name) {
                return Err(DeploymentError::DuplicateLink { scope, name: link.name.clone() });
            }
        }
        let digest =
            spec.model.digest().map_err(|source| DeploymentError::Canonical { scope: scope.clone(), source })?;
        let plan = Arc::new(
            Plan::compile(&spec.model)
                .map_err(|source| DeploymentError::Plan { scope: scope.clone(), source: Box::new(source) })?,
        );
        save_model(&spec.dir, &spec.model, &digest, &scope)?;
        let writer = archive::open(&spec.dir.join("archive"), &spec.archive)
            .map_err(|source| DeploymentError::Archive { scope: scope.clone(), source: Box::new(source) })?;
        let last_command_id = archive::reader(&spec.dir.join("archive"))
            .and_then(|reader| reader.last_command_id())
            .map_err(|source| DeploymentError::Archive { scope: scope.clone(), source: Box::new(source) })?;
        let (inputs, receiver) = mpsc::channel(INPUT_QUEUE_LEN);
        let tls_refusals = Arc::new(RefusalCounts::default());
        let mut tls = Vec::new();
        for link in &spec.links {
            tls.push(TlsLink::for_link(&scope, link, &spec.security, tls_refusals.clone(), clock.clone())?);
        }
        let uplink_tls = match &spec.commanding.uplink {
            Some(uplink) => {
                let (tls, refusals) = (spec.commanding.uplink_tls, tls_refusals.clone());
                UplinkTls::for_uplink(&scope, uplink, tls, &spec.security, refusals, clock.clone())?
            }
            None => None,
        };
        let mut bound: Vec<BoundLink> = Vec::new();
        for ((idx, link), tls) in spec.links.iter().enumerate().zip(tls) {
            match links::start(idx, link, inputs.clone(), clock.clone(), tls).await {
                Ok(link) => bound.push(link),
                Err(error) => {
                    bound.iter().for_each(|link| link.task.abort());
                    return Err(error);
                }
            }
        }
        let mut tasks: Vec<_> = Vec::new();
        let uplink = spec.commanding.uplink.clone().map(|uplink| {
            let (uplink, task) = crate::commanding::uplink::start(uplink, uplink_tls, inputs.clone(), clock.clone());
            tasks.push(task);
            uplink
        });
        let book = Book::new(spec.commanding.release, last_command_id, uplink);
        let shared = Arc::new(Shared::default());
        // What is on disk counts as stored from the start (it survived whatever came before).
        {
            let mut status = shared.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            status.stored = crate::ingest::totals(&writer.stored());
            status.command_release = match spec.commanding.release {
                tc::lifecycle::ReleaseMode::Automatic => "automatic",
                tc::lifecycle::ReleaseMode::Manual => "manual",
            };
        }
        let syncer = writer
            .syncer()
            .map_err(|source| DeploymentError::Archive { scope: scope.clone(), source: Box::new(source) })?;
        let thread_error = |source| DeploymentError::Io { path: format!("threads of {scope}"), source };
        let durability = Durability::start(format!("sync {scope}"), syncer, shared.clone()).map_err(thread_error)?;
        let ingest = {
            let (plan, shared, clock) = (plan.clone(), shared.clone(), clock.clone());
            let ingest = Ingest::new(digest, spec.pus, &spec.links, writer, book);
            std::thread::Builder::new()
                .name(format!("ingest {scope}"))
                .spawn(move || ingest.run(plan, receiver, &shared, durability, &clock))
                .map_err(thread_error)?
        };
        let local: Vec<_> = bound.iter().map(|link| link.local).collect();
        tasks.extend(bound.into_iter().map(|link| link.task));
        let ticker = inputs.clone();
        tasks.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(std::time::Duration::from_millis(TICK_MS));
            loop {
                interval.tick().await;
                if let Err(mpsc::error::TrySendError::Closed(_)) = ticker.try_send(Input::Tick) {
                    return;
                }
            }
        }));
        for (link, address) in spec.links.iter().zip(&local) {
            tracing::info!(deployment = %scope, link = %link.name, %address, "link listening");
        }
        Ok(Deployment {
            scope,
            dir: spec.dir,
            links: spec.links,
            commanding: spec.commanding,
            bound: local,
            started_ms: clock(),
            shared,
            inputs: Mutex::new(Some(inputs)),
            tasks,
            ingest: Mutex::new(Some(ingest)),
            readers: Mutex::new(Vec::new()),
            version: RwLock::new(Arc::new(ModelVersion { digest, model: Arc::new(spec.model), plan })),
            swap_lock: Mutex::new(()),
            tls_refusals,
        })
    }

    /// The model version running now (digest, model and plan of one version together).
    pub fn version(&self) -> Arc<ModelVersion> {
        self.version.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The digest of the model running now.
    pub fn digest(&self) -> Digest {
        self.version().digest
    }

    /// The plan of the model running now.
    pub fn plan(&self) -> Arc<Plan> {
        self.version().plan.clone()
    }

    /// The model running now (commands are checked and encoded against it).
    pub fn model(&self) -> Arc<MissionModel> {
        self.version().model.clone()
    }

    /// Stops the links, lets the ingest thread commit what it holds, and waits for it.
    pub async fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
        let inputs = self.inputs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(inputs) = inputs {
            let _ = inputs.send(Input::Stop).await;
        }
        let ingest = self.ingest.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(ingest) = ingest {
            let _ = tokio::task::spawn_blocking(move || ingest.join()).await;
        }
    }

    /// Connections refused by links that require TLS so far: (link, reason, count).
    pub fn tls_refusals(&self) -> Vec<(String, &'static str, u64)> {
        self.tls_refusals.snapshot()
    }

    /// The ingest thread's latest status.
    pub fn status(&self) -> IngestStatus {
        self.shared.status()
    }

    /// Inputs waiting for the ingest thread (the queue from the links).
    pub fn queue_depth(&self) -> usize {
        let inputs = self.inputs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inputs.as_ref().map_or(0, |tx| tx.max_capacity() - tx.capacity())
    }

    /// Sends an input to the ingest thread, waiting while its queue is full (blocking).
    pub(crate) fn send_blocking(&self, input: Input) -> Result<(), String> {
        let inputs = self.inputs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let inputs = inputs.ok_or("the deployment is stopping")?;
        inputs.blocking_send(input).map_err(|_| "the deployment is stopping".to_string())
    }

    /// Runs `query` with a pooled archive reader.
    pub fn read<T>(
        &self,
        query: impl FnOnce(&archive::Reader) -> Result<T, archive::ArchiveError>,
    ) -> Result<T, archive::ArchiveError> {
        let pooled = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let reader = match pooled {
            Some(reader) => reader,
            None => archive::reader(&self.dir.join("archive"))?,
        };
        let result = query(&reader);
        let mut readers = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if readers.len() < READERS_POOLED_MAX {
            readers.push(reader);
        }
        result
    }

    /// The model version with this digest, if the deployment ever ran it.
    pub fn model_version(&self, digest: &str) -> Option<MissionModel> {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let bytes = std::fs::read(self.dir.join("models").join(format!("{hex}.json"))).ok()?;
        MissionModel::from_canonical_json(&bytes).ok()
    }
}

/// Archive readers kept open per deployment.
const READERS_POOLED_MAX: usize = 4;

impl Drop for Deployment {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Keeps every model version a deployment ran, by digest, for replay.
pub(crate) fn save_model(
    dir: &Path,
    model: &MissionModel,
    digest: &Digest,
    scope: &Scope,
) -> Result<(), DeploymentError> {
    let models = dir.join("models");
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| DeploymentError::Io { path, source }
    };
    std::fs::create_dir_all(&models).map_err(io(&models))?;
    let hex = digest.to_string();
    let hex = hex.strip_prefix("sha256:").unwrap_or(&hex);
    let path = models.join(format!("{hex}.json"));
    if !path.exists() {
        let json =
            model.canonical_json().map_err(|source| DeploymentError::Canonical { scope: scope.clone(), source })?;
        let partial = models.join(format!("{hex}.json.partial"));
        std::fs::write(&partial, json).map_err(io(&partial))?;
        std::fs::rename(&partial, &path).map_err(io(&path))?;
    }
    Ok(())
}
