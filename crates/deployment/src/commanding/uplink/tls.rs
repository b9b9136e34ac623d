//! Mutual TLS on a TCP uplink: the deployment connects to its ground station (or simulator) as
//! a TLS client presenting `spiffe://<td>/mission/<m>/env/<e>/uplink`, issued by the platform's
//! CA and re-issued before expiry (checked at each connect), and accepts only a server whose
//! certificate chains to that CA and names the deployment's own mission and environment (any
//! component: `simulator`, `station-<x>`, ...). The station is identified by certificate, never
//! by address.
//!
//! A refused server (forged, expired, of another mission, plaintext, silent) gets nothing: no
//! login, no telecommand. The refusal is logged, counted under the link name `uplink`, and
//! reported to the deployment's `SecurityEvents` (the audit chain); the telecommand is reported
//! not sent, and the next one connects again.

use crate::commanding::UplinkSpec;
use crate::links::tls::{report, RefusalCounts};
use crate::{Clock, DeploymentError, LinkSecurity, LinkTls, Refusal, SecurityEvents, Transport};
use base::Scope;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// The name refusals of the uplink are reported and counted under.
pub const UPLINK: &str = "uplink";
/// How long the station has to complete the handshake (within the uplink's `SEND_TIMEOUT_MS`,
/// so that a silent station is refused and reported, not just timed out).
pub const HANDSHAKE_TIMEOUT_MS: u64 = super::SEND_TIMEOUT_MS / 2;
/// Lifetime of the uplink's own certificate (re-issued after two thirds of it).
pub const UPLINK_CERT_TTL_MS: u64 = pki::TTL_DEFAULT_MS;

/// The TLS side of a deployment's uplink: its certificate (rotated), the connector, whom it
/// accepts.
pub struct UplinkTls {
    scope: Scope,
    authority: Arc<pki::Authority>,
    source: Arc<pki::CertSource>,
    connector: TlsConnector,
    expected: pki::Expected,
    events: Option<SecurityEvents>,
    counts: Arc<RefusalCounts>,
    clock: Clock,
}

impl UplinkTls {
    /// The TLS side of `uplink` when `tls` requires it; an error when it cannot have one (UDP,
    /// no CA).
    pub(crate) fn for_uplink(
        scope: &Scope,
        uplink: &UplinkSpec,
        tls: LinkTls,
        security: &LinkSecurity,
        counts: Arc<RefusalCounts>,
        clock: Clock,
    ) -> Result<Option<Arc<UplinkTls>>, DeploymentError> {
        if tls == LinkTls::Off {
            return Ok(None);
        }
        let error = |reason: String| DeploymentError::Tls { scope: scope.clone(), link: UPLINK.into(), reason };
        if uplink.transport != Transport::Tcp {
            return Err(error("mutual TLS needs a TCP uplink".into()));
        }
        let authority = security.authority.clone().ok_or_else(|| error("mutual TLS, but no CA was given".into()))?;
        let id = uplink_id(authority.trust_domain(), scope).map_err(|e| error(e.to_string()))?;
        let issued = authority.issue(&id, UPLINK_CERT_TTL_MS, clock()).map_err(|e| error(e.to_string()))?;
        let source = Arc::new(pki::CertSource::new(&issued).map_err(|e| error(e.to_string()))?);
        let expected = pki::Expected::scope(authority.trust_domain(), scope);
        let config = pki::client_config(&authority.bundle(), source.clone(), expected.clone(), clock.clone())
            .map_err(|e| error(e.to_string()))?;
        Ok(Some(Arc::new(UplinkTls {
            scope: scope.clone(),
            authority,
            source,
            connector: TlsConnector::from(config),
            expected,
            events: security.events.clone(),
            counts,
            clock,
        })))
    }

    /// The handshake on a new connection, then the station's identity: the stream when the
    /// station is of the deployment's mission and environment; otherwise the refusal (reported)
    /// as the telecommand's error.
    pub(crate) async fn connect(&self, stream: TcpStream) -> Result<TlsStream<TcpStream>, String> {
        self.rotate();
        let peer = stream.peer_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let timeout = Duration::from_millis(HANDSHAKE_TIMEOUT_MS);
        let stream = match tokio::time::timeout(timeout, self.connector.connect(pki::server_name(), stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => return Err(self.refuse(peer, pki::rejection_of_io(&error), None)),
            Err(_) => {
                return Err(self.refuse(peer, pki::Rejection::Timeout { timeout_ms: HANDSHAKE_TIMEOUT_MS }, None));
            }
        };
        // The verifier checked the station's id during the handshake; checked again here so
        // that no configuration can skip it.
        let certs = stream.get_ref().1.peer_certificates();
        match pki::authorize_peer(certs, &self.expected, (self.clock)()) {
            Ok(id) => {
                tracing::info!(deployment = %self.scope, %peer, %id, "uplink: TLS station authorized");
                Ok(stream)
            }
            Err(rejection) => {
                let presented = certs.and_then(<[_]>::first).and_then(|cert| pki::spiffe_id_of(cert).ok());
                Err(self.refuse(peer, rejection, presented.map(|id| id.to_string())))
            }
        }
    }

    /// The uplink's own certificate now (its serial changes at each rotation).
    pub fn certificate(&self) -> &pki::CertSource {
        &self.source
    }

    /// Re-issues the uplink's certificate once it is due; a failure is logged and the current
    /// certificate kept (it has a third of its lifetime left when rotation falls due).
    fn rotate(&self) {
        match self.source.rotate_if_due(&self.authority, UPLINK_CERT_TTL_MS, (self.clock)()) {
            Ok(true) => {
                tracing::info!(deployment = %self.scope, serial = %self.source.serial(), "uplink certificate rotated")
            }
            Ok(false) => {}
            Err(error) => {
                tracing::error!(deployment = %self.scope, %error, "the uplink certificate cannot be re-issued")
            }
        }
    }

    /// Reports a refused station; the message for the telecommand that was not sent.
    fn refuse(&self, peer: SocketAddr, rejection: pki::Rejection, presented: Option<String>) -> String {
        // A station refused by the verifier during the handshake: the id it named is in the reason.
        let presented = presented.or_else(|| match &rejection {
            pki::Rejection::OtherTrustDomain { found, .. }
            | pki::Rejection::OtherMission { found, .. }
            | pki::Rejection::OtherEnv { found, .. }
            | pki::Rejection::ComponentNotAllowed { found, .. } => Some(found.clone()),
            _ => None,
        });
        let message = format!("TLS with {peer} refused: {rejection}");
        let refusal = Refusal {
            scope: self.scope.clone(),
            link: UPLINK.into(),
            peer,
            at_ms: (self.clock)(),
            rejection,
            presented,
        };
        report(self.events.as_ref(), &self.counts, refusal);
        message
    }
}

/// The SPIFFE id an uplink presents: `spiffe://<td>/mission/<m>/env/<e>/uplink`.
pub fn uplink_id(trust_domain: &str, scope: &Scope) -> Result<pki::SpiffeId, pki::SpiffeError> {
    pki::SpiffeId::new(trust_domain, scope, UPLINK)
}

impl std::fmt::Debug for UplinkTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UplinkTls").field("scope", &self.scope).field("certificate", &self.source).finish()
    }
}
