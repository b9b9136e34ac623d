//! The platform's one audit chain, shared by everything that records: the request gate
//! (decisions), the control plane (events), commands, secrets, links. Fail closed: `record`
//! answers `Err` when the record could not be made durable, and the caller refuses the action.

use archive::AuditStore;
use deployment::Clock;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The audit chain of `<data>/_platform/audit`, and the key that signs its checkpoints.
pub struct Auditor {
    store: Mutex<AuditStore>,
    signer: audit::KeySigner,
    clock: Clock,
}

/// A record could not be written: whatever it recorded must not happen.
#[derive(Debug, thiserror::Error)]
#[error("the audit chain cannot record: {detail}")]
pub struct AuditFailed {
    pub detail: String,
}

impl Auditor {
    /// Opens (creating) the chain in `dir`; refuses a chain whose end is broken, so the
    /// first audited action is not the first to find out.
    pub fn open(dir: &Path, signer: audit::KeySigner, clock: Clock) -> anyhow::Result<Arc<Auditor>> {
        let store = AuditStore::open(dir)?;
        store.next_seq()?;
        Ok(Arc::new(Auditor { store: Mutex::new(store), signer, clock }))
    }

    /// Appends `entry` durably (with a signed checkpoint when one is due).
    pub fn record(&self, entry: &audit::Entry) -> Result<(), AuditFailed> {
        let now_ms = (self.clock)();
        self.lock().append(entry, &self.signer, now_ms).map(drop).map_err(|error| {
            tracing::error!(%error, action = %entry.action, "audit record failed");
            AuditFailed { detail: error.to_string() }
        })
    }

    /// Signs the unsigned tail now (the server stops, or the checkpoint timer fires).
    pub fn checkpoint(&self) {
        let now_ms = (self.clock)();
        if let Err(error) = self.lock().checkpoint(&self.signer, now_ms) {
            tracing::error!(%error, "the audit chain's last records stay unsigned");
        }
    }

    /// The time by the platform's clock.
    pub fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    fn lock(&self) -> MutexGuard<'_, AuditStore> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
