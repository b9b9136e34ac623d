//! The control plane in `serve`: opened over the platform's deployments with the keys the
//! configuration trusts, every desired release deployed at start, and the reconciler.

use super::config;
use anyhow::Context;
use deployment::{Clock, Platform};
use std::path::Path;
use std::sync::Arc;

/// The public keys the configuration trusts (paths relative to the configuration file).
pub fn trusted_keys(control: &config::ControlConfig, base: &Path) -> anyhow::Result<Vec<release::PublicKey>> {
    let mut keys = Vec::new();
    for path in &control.trusted_keys {
        let path = base.join(path);
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("control.trusted_keys: {}", path.display()))?;
        let key = release::PublicKey::from_text(&path.display().to_string(), &text)?;
        println!("control plane: trusts {} ({})", key.key_id(), path.display());
        keys.push(key);
    }
    Ok(keys)
}

/// How often the reconciler deploys what should run and does not (a deployment that failed to
/// start, e.g. on a port still taken).
const RECONCILE_PERIOD: std::time::Duration = std::time::Duration::from_secs(30);

/// The reconciler: every `RECONCILE_PERIOD`, each environment whose deployment does not run its
/// desired release gets it deployed again; what still fails is logged (and shown as drift).
pub async fn reconcile(controller: Arc<crate::controller::Controller>) {
    let mut interval = tokio::time::interval(RECONCILE_PERIOD);
    interval.tick().await;
    loop {
        interval.tick().await;
        let reconciling = controller.clone();
        if let Ok(failed) = tokio::task::spawn_blocking(move || reconciling.reconcile_all()).await {
            for (scope, error) in failed {
                tracing::warn!(%scope, %error, "control plane: the environment does not run its release");
            }
        }
    }
}

/// How often the audit chain's unsigned tail is signed, however few records came: a cut of
/// the tail after the last checkpoint can lose at most this much unnoticed.
const CHECKPOINT_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// Signs the audit chain's unsigned tail every `CHECKPOINT_PERIOD` (nothing when it has none).
pub async fn checkpoint(auditor: Arc<crate::auditor::Auditor>) {
    let mut interval = tokio::time::interval(CHECKPOINT_PERIOD);
    interval.tick().await;
    loop {
        interval.tick().await;
        let signing = auditor.clone();
        let _ = tokio::task::spawn_blocking(move || signing.checkpoint()).await;
    }
}

/// The control plane over this platform: its store, key and audit chain under
/// `<data>/_platform/`. Nothing is deployed yet (`deploy_at_start`).
pub fn open_store(
    platform: &Arc<Platform>,
    data_dir: &Path,
    trusted: Vec<release::PublicKey>,
    clock: Clock,
) -> anyhow::Result<Arc<crate::controller::Controller>> {
    let options = crate::controller::Options { dirs: crate::controller::Dirs::under(data_dir), trusted, clock };
    let controller =
        Arc::new(crate::controller::Controller::open(platform.clone(), options, tokio::runtime::Handle::current())?);
    println!("control plane: platform key {}", controller.public_key().key_id());
    Ok(controller)
}

/// Every environment's desired release deployed again (a restart restores what ran), after
/// the configured deployments started.
pub async fn deploy_at_start(controller: &Arc<crate::controller::Controller>) -> anyhow::Result<()> {
    let reconciling = controller.clone();
    for (scope, error) in tokio::task::spawn_blocking(move || reconciling.reconcile_all()).await? {
        eprintln!("control plane: {scope} does not run its release: {error}");
    }
    Ok(())
}
