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

/// The platform chain of a data folder, for a change made on the command line beside (or
/// without) a running server: the operator's account is the principal (`cli:<user>`), and
/// the chain's checkpoints are signed with the platform key (made, mode 0600, if the
/// platform never started). Both writers chain onto what is stored (`AuditStore::append`).
pub struct CliAudit {
    auditor: Arc<Auditor>,
    principal: String,
}

impl CliAudit {
    /// The chain of `<data_dir>/_platform/audit`.
    pub fn open(data_dir: &Path) -> anyhow::Result<CliAudit> {
        let platform = data_dir.join("_platform");
        let key = crate::controller::bundle::platform_key(&platform.join("control"))?;
        let signer = crate::audit_cmd::platform_signer(&key);
        let auditor = Auditor::open(&platform.join("audit"), signer, Arc::new(crate::clock::now_ms))?;
        let user = crate::release_cmd::create::env_var("USER").unwrap_or_else(|| "unknown".to_string());
        Ok(CliAudit { auditor, principal: format!("cli:{user}") })
    }

    /// Records that `action` on `resource` is asked (refused if that cannot be recorded), runs
    /// it, and records how it ended (a command's exit status other than success: refused).
    /// `detail` names what, never a secret value.
    pub fn around(
        &self,
        action: &str,
        resource: &str,
        detail: serde_json::Value,
        run: impl FnOnce() -> anyhow::Result<std::process::ExitCode>,
    ) -> anyhow::Result<std::process::ExitCode> {
        let asked =
            audit::Entry::new(self.auditor.now_ms(), &self.principal, action, resource, audit::Outcome::Allowed)
                .with_detail(detail.clone());
        self.auditor.record(&asked).map_err(|error| anyhow::anyhow!("{error}: nothing was changed"))?;
        let result = run();
        let (outcome, detail) = match &result {
            Ok(code) if *code == std::process::ExitCode::SUCCESS => (audit::Outcome::Allowed, detail),
            Ok(code) => {
                (audit::Outcome::Failed, serde_json::json!({ "asked": detail, "refused": format!("{code:?}") }))
            }
            Err(error) => {
                (audit::Outcome::Failed, serde_json::json!({ "asked": detail, "refused": error.to_string() }))
            }
        };
        let done =
            audit::Entry::new(self.auditor.now_ms(), &self.principal, format!("{action}.done"), resource, outcome)
                .with_detail(detail);
        if let Err(error) = self.auditor.record(&done) {
            tracing::error!(%error, action, "the outcome could not be audited");
        }
        self.auditor.checkpoint();
        result
    }
}
