//! The platform's certificate authority at run time: `<data>/_platform/pki/ca.pem` and
//! `ca.key` (0600), made on the first start with the trust domain of `[control] trust_domain`
//! (default `groundplane.local`). `groundplane serve` installs it for the process, as the
//! vault is: deployments starting from then on (from the configuration or the control plane)
//! get it for their links and uplinks that require mutual TLS, and a simulator sending to such
//! a link gets a certificate of its deployment's scope (for its TM client and its TC listener).
//!
//! Rotation: a link re-issues its own certificate when it accepts a connection and its
//! certificate is due (`deployment::links::tls`); a simulator's certificate is re-issued by a
//! task that checks every `ROTATION_CHECK_MS` (it ends with the simulator).

use anyhow::Context;
use base::Scope;
use deployment::{LinkSecurity, SecurityEvents};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

/// The trust domain when the configuration names none.
pub const TRUST_DOMAIN_DEFAULT: &str = "groundplane.local";
/// The CA certificate's file, in `pki_dir`.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The CA key's file (mode 0600), in `pki_dir`.
pub const CA_KEY_FILE: &str = "ca.key";
/// How often a simulator's certificate is checked for rotation.
pub const ROTATION_CHECK_MS: u64 = 60_000;
/// Warn at start when the CA certificate ends within this (it is not renewed automatically).
const CA_EXPIRY_WARNING_MS: u64 = 30 * 24 * 3_600_000;

/// The CA installed for this process, and where refusals go.
static SERVING: RwLock<Option<LinkSecurity>> = RwLock::new(None);

/// Where refused link connections go: the audit chain (`link.tls_refused`, denied, by the
/// identity the certificate presented or `unidentified`), written off the async threads so
/// that a flood of refused connections cannot stall the links.
pub fn audited(auditor: Arc<crate::auditor::Auditor>) -> SecurityEvents {
    Arc::new(move |refusal: deployment::Refusal| {
        let entry = audit::Entry::new(
            refusal.at_ms,
            refusal.presented.clone().unwrap_or_else(|| "unidentified".to_string()),
            "link.tls_refused",
            format!("deployment {}", refusal.scope),
            audit::Outcome::Denied,
        )
        .with_detail(serde_json::json!({
            "link": refusal.link,
            "peer": refusal.peer.to_string(),
            "reason": refusal.rejection.to_string(),
        }));
        let auditor = auditor.clone();
        let write = move || {
            let _ = auditor.record(&entry);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(write)),
            Err(_) => write(),
        }
    })
}

/// `<data>/_platform/pki`.
pub fn pki_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("_platform").join("pki")
}

/// The CA of `data_dir`, made when there is none. An existing CA must be of `trust_domain`.
pub fn load_or_create(data_dir: &Path, trust_domain: &str, now_ms: u64) -> anyhow::Result<pki::Authority> {
    let dir = pki_dir(data_dir);
    let (cert_path, key_path) = (dir.join(CA_CERT_FILE), dir.join(CA_KEY_FILE));
    if cert_path.exists() || key_path.exists() {
        let authority = load(data_dir)?;
        anyhow::ensure!(
            authority.trust_domain() == trust_domain,
            "{}: the CA is of trust domain `{}`, the configuration names `{trust_domain}`",
            cert_path.display(),
            authority.trust_domain()
        );
        return Ok(authority);
    }
    let authority = pki::Authority::create(trust_domain, now_ms)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (cert_pem, key_pem) = authority.to_pem();
    write_private(&key_path, key_pem.as_bytes())?;
    std::fs::write(&cert_path, cert_pem).with_context(|| format!("writing {}", cert_path.display()))?;
    tracing::info!(path = %cert_path.display(), trust_domain, "certificate authority created");
    Ok(authority)
}

/// The CA of `data_dir` (both files must be there).
pub fn load(data_dir: &Path) -> anyhow::Result<pki::Authority> {
    let dir = pki_dir(data_dir);
    let (cert_path, key_path) = (dir.join(CA_CERT_FILE), dir.join(CA_KEY_FILE));
    let cert_pem = std::fs::read_to_string(&cert_path).with_context(|| format!("reading {}", cert_path.display()))?;
    check_private(&key_path)?;
    let key_pem = zeroize::Zeroizing::new(
        std::fs::read_to_string(&key_path).with_context(|| format!("reading {}", key_path.display()))?,
    );
    pki::Authority::from_pem(&cert_pem, &key_pem).with_context(|| format!("the CA in {}", dir.display()))
}

/// Loads or makes the CA of `data_dir` and installs it for the deployments this process starts;
/// `events` receives every refused connection (the audit chain).
pub fn serve(
    trust_domain: Option<&str>,
    data_dir: &Path,
    events: Option<SecurityEvents>,
    now_ms: u64,
) -> anyhow::Result<Arc<pki::Authority>> {
    let trust_domain = trust_domain.unwrap_or(TRUST_DOMAIN_DEFAULT);
    let authority = Arc::new(load_or_create(data_dir, trust_domain, now_ms)?);
    let not_after_ms = authority.not_after_ms();
    if not_after_ms.saturating_sub(now_ms) < CA_EXPIRY_WARNING_MS {
        tracing::warn!(trust_domain, not_after_ms, "the platform CA expires within 30 days: renew it");
    }
    *SERVING.write().unwrap_or_else(PoisonError::into_inner) =
        Some(LinkSecurity { authority: Some(authority.clone()), events });
    Ok(authority)
}

/// What a deployment starting now gets for its TLS links (nothing when no CA is installed:
/// then a link requiring TLS does not start).
pub fn link_security() -> LinkSecurity {
    SERVING.read().unwrap_or_else(PoisonError::into_inner).clone().unwrap_or_default()
}

/// The TLS side of a simulator sending TM to link `link` of `scope`: a certificate for
/// `spiffe://<td>/mission/<m>/env/<e>/simulator`, expecting the link's own id; its
/// certificate rotated by a task for as long as the simulator lives.
pub fn simulator_tls(scope: &Scope, link: &str, clock: pki::Clock) -> anyhow::Result<sim_link::TmTls> {
    let authority = link_security()
        .authority
        .with_context(|| format!("{scope}: link {link} requires mutual TLS, but no CA is installed"))?;
    let id = pki::SpiffeId::new(authority.trust_domain(), scope, "simulator")?;
    let issued = authority.issue(&id, pki::TTL_DEFAULT_MS, clock())?;
    let source = Arc::new(pki::CertSource::new(&issued)?);
    let server = pki::Expected::exactly(&deployment::links::tls::link_id(authority.trust_domain(), scope, link)?);
    let config = pki::client_config(&authority.bundle(), source.clone(), server, clock.clone())?;
    spawn_rotation(Arc::downgrade(&source), authority, clock);
    Ok(sim_link::TmTls { config, server_name: pki::server_name() })
}

/// The TLS side of a simulator's TC listener (the uplink of its deployment, when that requires
/// mutual TLS): a certificate for `spiffe://<td>/mission/<m>/env/<e>/simulator`, serving only
/// clients of the deployment's mission and environment (its uplink connects as `.../uplink`);
/// its certificate rotated by a task for as long as the simulator lives.
pub fn simulator_tc_tls(scope: &Scope, clock: pki::Clock) -> anyhow::Result<sim_link::TcTls> {
    let authority = link_security()
        .authority
        .with_context(|| format!("{scope}: the uplink requires mutual TLS, but no CA is installed"))?;
    let id = pki::SpiffeId::new(authority.trust_domain(), scope, "simulator")?;
    let issued = authority.issue(&id, pki::TTL_DEFAULT_MS, clock())?;
    let source = Arc::new(pki::CertSource::new(&issued)?);
    let config = pki::server_config(&authority.bundle(), source.clone(), pki::Requirement::Mutual, clock.clone())?;
    let expected = pki::Expected::scope(authority.trust_domain(), scope);
    spawn_rotation(Arc::downgrade(&source), authority, clock);
    Ok(sim_link::TcTls { config, expected })
}

/// Re-issues `source`'s certificate when due, until nothing uses it any more.
fn spawn_rotation(source: std::sync::Weak<pki::CertSource>, authority: Arc<pki::Authority>, clock: pki::Clock) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_millis(ROTATION_CHECK_MS));
        loop {
            interval.tick().await;
            let Some(source) = source.upgrade() else { return };
            match source.rotate_if_due(&authority, pki::TTL_DEFAULT_MS, clock()) {
                Ok(true) => tracing::info!(id = %source.id(), serial = %source.serial(), "certificate rotated"),
                Ok(false) => {}
                Err(error) => tracing::error!(id = %source.id(), %error, "the certificate cannot be re-issued"),
            }
        }
    });
}

/// Writes a new private file: mode 0600 from its creation, never over an existing one.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    file.sync_all().with_context(|| format!("syncing {}", path.display()))?;
    Ok(())
}

/// Refuses a key file others may read.
fn check_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.permissions().mode();
        anyhow::ensure!(mode & 0o077 == 0, "{}: mode {:o}; the CA key must be 0600", path.display(), mode & 0o777);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_link_connection_is_recorded_in_the_audit_chain() {
        let dir = test_utils::temp_dir("pki-store-audit");
        let clock: deployment::Clock = Arc::new(|| 1_000);
        let auditor = crate::auditor::Auditor::open(&dir, audit::KeySigner::from_seed([7; 32]), clock).unwrap();
        let events = audited(auditor.clone());
        let scope = Scope { mission: "alpha".parse().unwrap(), env: base::Env::Ops };
        events(deployment::Refusal {
            scope,
            link: "tm".into(),
            peer: "127.0.0.1:40000".parse().unwrap(),
            at_ms: 1_000,
            rejection: pki::Rejection::OtherMission {
                expected: "alpha".into(),
                found: "spiffe://groundplane.local/mission/beta/env/ops/station".into(),
            },
            presented: Some("spiffe://groundplane.local/mission/beta/env/ops/station".into()),
        });
        drop(events);
        drop(auditor);
        let records = archive::AuditStore::open_existing(&dir).unwrap().records().unwrap();
        assert_eq!(records.len(), 1);
        let record = &records[0];
        assert_eq!(
            (record.action.as_str(), record.resource.as_str(), record.outcome),
            ("link.tls_refused", "deployment alpha/ops", audit::Outcome::Denied)
        );
        assert_eq!(record.principal, "spiffe://groundplane.local/mission/beta/env/ops/station");
        assert!(record.detail["reason"].as_str().unwrap().contains("another mission"), "{:?}", record.detail);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
