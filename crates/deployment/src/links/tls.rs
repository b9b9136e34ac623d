//! Mutual TLS on a TCP link: each accepted connection must complete a TLS handshake with a
//! certificate of the platform's CA, and the certificate's SPIFFE id must name the
//! deployment's own mission and environment. Peers are identified by certificate, never by
//! address. A refused connection is closed before any of its bytes reach ingest, and the
//! refusal is logged, counted per link and reason, and reported to the deployment's
//! `SecurityEvents` (the audit chain).
//!
//! The link presents `spiffe://<td>/mission/<m>/env/<e>/link-<name>`, issued by the CA when
//! the deployment starts and re-issued before expiry: rotation is checked at each accept
//! (`pki::rotation_due`), so a link never presents an expired certificate.

use crate::{Clock, DeploymentError, LinkSpec, Transport};
use base::Scope;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a client has to complete its handshake.
pub const HANDSHAKE_TIMEOUT_MS: u64 = 10_000;
/// Lifetime of a link's own certificate (re-issued after two thirds of it).
pub const LINK_CERT_TTL_MS: u64 = pki::TTL_DEFAULT_MS;

/// What a TCP link asks of the peers that connect to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkTls {
    /// Plain TCP: any peer may send.
    #[default]
    Off,
    /// Mutual TLS: only a certificate of the platform's CA naming the deployment's mission
    /// and environment (any component: `simulator`, `station-<x>`, ...).
    Mutual,
}

/// Receives each refused connection (the binary appends it to the audit chain).
pub type SecurityEvents = Arc<dyn Fn(Refusal) + Send + Sync>;

/// What links requiring TLS need from the platform: its CA (which issues the links'
/// certificates and which peers' certificates must chain to) and where refusals go.
#[derive(Clone, Default)]
pub struct LinkSecurity {
    pub authority: Option<Arc<pki::Authority>>,
    pub events: Option<SecurityEvents>,
}

/// A connection a link refused, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub scope: Scope,
    pub link: String,
    /// The peer's address, for the record only: it identified nobody.
    pub peer: SocketAddr,
    pub at_ms: u64,
    pub rejection: pki::Rejection,
    /// The SPIFFE id the peer's certificate named, when the handshake got that far.
    pub presented: Option<String>,
}

/// Refused connections per link and reason (`pki::Rejection::kind`), for the metrics.
#[derive(Debug, Default)]
pub struct RefusalCounts(Mutex<BTreeMap<(String, &'static str), u64>>);

impl RefusalCounts {
    /// Every (link, reason, count) so far.
    pub fn snapshot(&self) -> Vec<(String, &'static str, u64)> {
        let counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        counts.iter().map(|((link, kind), n)| (link.clone(), *kind, *n)).collect()
    }

    fn add(&self, link: &str, kind: &'static str) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry((link.to_string(), kind)).or_default() += 1;
    }
}

/// The TLS side of one link: its certificate (rotated), the acceptor, whom it accepts.
pub struct TlsLink {
    scope: Scope,
    link: String,
    authority: Arc<pki::Authority>,
    source: Arc<pki::CertSource>,
    acceptor: TlsAcceptor,
    expected: pki::Expected,
    events: Option<SecurityEvents>,
    counts: Arc<RefusalCounts>,
    clock: Clock,
}

impl TlsLink {
    /// The TLS side of `spec` when it requires TLS; an error when it cannot have one (UDP, no CA).
    pub(crate) fn for_link(
        scope: &Scope,
        spec: &LinkSpec,
        security: &LinkSecurity,
        counts: Arc<RefusalCounts>,
        clock: Clock,
    ) -> Result<Option<Arc<TlsLink>>, DeploymentError> {
        if spec.tls == LinkTls::Off {
            return Ok(None);
        }
        let error = |reason: String| DeploymentError::Tls { scope: scope.clone(), link: spec.name.clone(), reason };
        if spec.transport != Transport::Tcp {
            return Err(error("mutual TLS needs a TCP link".into()));
        }
        let authority = security.authority.clone().ok_or_else(|| error("mutual TLS, but no CA was given".into()))?;
        let id = link_id(authority.trust_domain(), scope, &spec.name).map_err(|e| error(e.to_string()))?;
        let issued = authority.issue(&id, LINK_CERT_TTL_MS, clock()).map_err(|e| error(e.to_string()))?;
        let source = Arc::new(pki::CertSource::new(&issued).map_err(|e| error(e.to_string()))?);
        let config = pki::server_config(&authority.bundle(), source.clone(), pki::Requirement::Mutual, clock.clone())
            .map_err(|e| error(e.to_string()))?;
        Ok(Some(Arc::new(TlsLink {
            scope: scope.clone(),
            link: spec.name.clone(),
            expected: pki::Expected::scope(authority.trust_domain(), scope),
            authority,
            source,
            acceptor: TlsAcceptor::from(config),
            events: security.events.clone(),
            counts,
            clock,
        })))
    }

    /// The handshake, then the peer's identity: the stream when the peer is of the
    /// deployment's mission and environment; `None` when it was refused (and reported).
    pub(crate) async fn accept(&self, stream: TcpStream, peer: SocketAddr) -> Option<TlsStream<TcpStream>> {
        self.rotate();
        let timeout = Duration::from_millis(HANDSHAKE_TIMEOUT_MS);
        let stream = match tokio::time::timeout(timeout, self.acceptor.accept(stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                self.refuse(peer, pki::rejection_of_io(&error), None);
                return None;
            }
            Err(_) => {
                self.refuse(peer, pki::Rejection::Timeout { timeout_ms: HANDSHAKE_TIMEOUT_MS }, None);
                return None;
            }
        };
        let certs = stream.get_ref().1.peer_certificates();
        match pki::authorize_peer(certs, &self.expected, (self.clock)()) {
            Ok(id) => {
                tracing::info!(deployment = %self.scope, link = %self.link, %peer, %id, "TLS peer authorized");
                Some(stream)
            }
            Err(rejection) => {
                let presented = certs.and_then(<[_]>::first).and_then(|cert| pki::spiffe_id_of(cert).ok());
                self.refuse(peer, rejection, presented.map(|id| id.to_string()));
                None
            }
        }
    }

    /// The link's own certificate now (its serial changes at each rotation).
    pub fn certificate(&self) -> &pki::CertSource {
        &self.source
    }

    /// Re-issues the link's certificate once it is due; a failure is logged and the current
    /// certificate kept (it has a third of its lifetime left when rotation falls due).
    fn rotate(&self) {
        match self.source.rotate_if_due(&self.authority, LINK_CERT_TTL_MS, (self.clock)()) {
            Ok(true) => tracing::info!(
                deployment = %self.scope,
                link = %self.link,
                serial = %self.source.serial(),
                "link certificate rotated"
            ),
            Ok(false) => {}
            Err(error) => tracing::error!(
                deployment = %self.scope,
                link = %self.link,
                %error,
                "the link certificate cannot be re-issued"
            ),
        }
    }

    fn refuse(&self, peer: SocketAddr, rejection: pki::Rejection, presented: Option<String>) {
        let refusal = Refusal {
            scope: self.scope.clone(),
            link: self.link.clone(),
            peer,
            at_ms: (self.clock)(),
            rejection,
            presented,
        };
        report(self.events.as_ref(), &self.counts, refusal);
    }
}

/// Logs a refused connection (a link's or the uplink's), counts it per link and reason, and
/// hands it to the deployment's `SecurityEvents`.
pub(crate) fn report(events: Option<&SecurityEvents>, counts: &RefusalCounts, refusal: Refusal) {
    tracing::warn!(
        deployment = %refusal.scope,
        link = %refusal.link,
        peer = %refusal.peer,
        reason = %refusal.rejection,
        presented = refusal.presented.as_deref().unwrap_or("-"),
        "TLS connection refused"
    );
    counts.add(&refusal.link, refusal.rejection.kind());
    if let Some(events) = events {
        events(refusal);
    }
}

/// The SPIFFE id a link presents: `spiffe://<td>/mission/<m>/env/<e>/link-<name>`.
pub fn link_id(trust_domain: &str, scope: &Scope, link: &str) -> Result<pki::SpiffeId, pki::SpiffeError> {
    pki::SpiffeId::new(trust_domain, scope, &format!("link-{link}"))
}

impl std::fmt::Debug for LinkSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSecurity")
            .field("authority", &self.authority)
            .field("events", &self.events.as_ref().map(|_| "callback"))
            .finish()
    }
}
