//! Hot swap: a running deployment changes model version without dropping a link or losing a
//! byte (the pain of Yamcs issue 1032, where a new MDB means a restart).
//!
//! The new model is checked and compiled on the caller's thread; a model that does not compile
//! is refused and nothing changes. The plan then goes to the ingest thread as one input
//! (`Input::Swap`), so it takes effect between two inputs: every byte received before it was
//! decoded by the old plan, every byte after by the new, and a unit split across the two (a
//! TCP stream cut mid-packet) is decoded whole by the new plan, because each link's framing
//! state carries over (`tm::link::Link::rebind`).
//!
//! What the ingest thread kept by parameter id moves with the parameter's name: open alarms
//! (phase, levels, acknowledgement) and violation counts stay with their parameter, and an
//! alarm whose parameter the new model lacks is closed (recorded as `closed`). What is only a
//! cache is forgotten and rebuilt from the new plan: the archive writer's series and alarm
//! lookups, the live hub's per-parameter subscriptions, the command book's watched ids. The
//! processor's latest values (read by derived parameters) start empty with the new plan. The
//! swap is archived as an event (`source` = `deployment`) naming both digests.

use crate::ingest::Input;
use crate::running::{save_model, ModelVersion};
use crate::{Deployment, DeploymentError};
use base::Digest;
use model::MissionModel;
use std::sync::Arc;
use tm::Plan;

/// A swap on its way to the ingest thread: the new plan, already compiled.
#[derive(Debug)]
pub struct SwapRequest {
    pub plan: Arc<Plan>,
    pub digest: Digest,
    pub reply: std::sync::mpsc::Sender<SwapApplied>,
}

/// What the ingest thread did at the swap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwapApplied {
    /// The model version it left.
    pub from: Digest,
    /// Units received (archived) before the swap: those were decoded by the old model, every
    /// later one by the new.
    pub units_before: u64,
    /// Open alarms that moved to the new model's parameters.
    pub alarms_kept: usize,
    /// Open alarms closed because the new model has no such parameter.
    pub alarms_closed: usize,
    /// Connections (or datagram links) whose decoding state carried over.
    pub connections: usize,
    /// The ingest thread's clock at the swap.
    pub time_ms: u64,
}

/// What `Deployment::swap_model` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwapReport {
    /// The model version running now.
    pub digest: Digest,
    /// `None` when that version was running already (nothing changed).
    pub applied: Option<SwapApplied>,
}

impl Deployment {
    /// Switches the deployment to `model` without stopping its links (see the module comment).
    /// Keeps the version under `models/<digest>.json` (for replay) before it is used; from
    /// when this returns, `digest`, `plan` and `model` (status, replay, commanding) are the
    /// new version's. Swaps of one deployment happen one at a time.
    ///
    /// Blocks until the ingest thread has applied it: call it off the async threads, as the
    /// API's `Backend` calls are. Refused, with nothing changed, when the model has no
    /// canonical form or does not compile (`Canonical`, `Plan`), cannot be saved (`Io`), or
    /// the deployment is stopping (`Stopping`).
    pub fn swap_model(&self, model: MissionModel) -> Result<SwapReport, DeploymentError> {
        let _one_at_a_time = self.swap_lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let scope = &self.scope;
        let digest = model.digest().map_err(|source| DeploymentError::Canonical { scope: scope.clone(), source })?;
        if digest == self.digest() {
            return Ok(SwapReport { digest, applied: None });
        }
        let plan = Plan::compile(&model)
            .map_err(|source| DeploymentError::Plan { scope: scope.clone(), source: Box::new(source) })?;
        let plan = Arc::new(plan);
        save_model(&self.dir, &model, &digest, scope)?;
        let (reply, answer) = std::sync::mpsc::channel();
        let request = SwapRequest { plan: plan.clone(), digest, reply };
        let stopping = |_| DeploymentError::Stopping { scope: scope.clone() };
        self.send_blocking(Input::Swap(request)).map_err(stopping)?;
        // No timeout: once sent, the swap happens unless the thread ends (then `reply` is
        // dropped), and what the deployment reports must follow what it decodes with.
        let applied = answer.recv().map_err(|_| DeploymentError::Stopping { scope: scope.clone() })?;
        let version = ModelVersion { digest, model: Arc::new(model), plan };
        *self.version.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(version);
        tracing::info!(deployment = %scope, from = %applied.from, to = %digest, "model version swapped");
        Ok(SwapReport { digest, applied: Some(applied) })
    }
}

/// The event archived at a swap.
pub(crate) fn event(from: &Digest, to: &Digest, time_ms: u64) -> archive::EventRecord {
    archive::EventRecord {
        time_ms,
        severity: archive::EventSeverity::Info,
        source: "deployment".into(),
        event_id: 0,
        message: format!("model {to} replaces {from} (hot swap)"),
        data: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
