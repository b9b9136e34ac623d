//! rustls configurations (ring provider) for links that require certificates of the
//! platform's CA. The server requires and verifies the client's chain; who the client is
//! (its SPIFFE id) is decided after the handshake by `authorize_peer`. The client verifies the
//! server's chain and its SPIFFE id (never a DNS name or an address).

use crate::{CertSource, Expected, PkiError, TrustBundle};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::{ParsedCertificate, WebPkiClientVerifier};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;

/// Milliseconds since the Unix epoch, from the caller: handshakes check validity against it.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The name a client puts in its handshake. Certificates carry SPIFFE ids only, so the
/// server's name is not checked; this one names no host on purpose.
pub const SERVER_NAME: &str = "groundplane.invalid";

/// What a server asks of its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Every client presents a certificate chained to the platform's CA.
    Mutual,
    /// Clients present nothing (the link is encrypted, the client is not identified).
    ServerOnly,
}

/// The one crypto provider: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// `SERVER_NAME` as rustls wants it.
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from(SERVER_NAME).expect("SERVER_NAME is a valid DNS name")
}

/// A server configuration presenting `source`'s current certificate (rotated in place) and,
/// with `Requirement::Mutual`, requiring a client certificate chained to `bundle`'s CA.
pub fn server_config(
    bundle: &TrustBundle,
    source: Arc<CertSource>,
    requirement: Requirement,
    clock: Clock,
) -> Result<Arc<rustls::ServerConfig>, PkiError> {
    let provider = provider();
    let builder = rustls::ServerConfig::builder_with_details(provider.clone(), Arc::new(ClockTime(clock)))
        .with_safe_default_protocol_versions()
        .map_err(PkiError::tls)?;
    let builder = match requirement {
        Requirement::Mutual => {
            let verifier = WebPkiClientVerifier::builder_with_provider(roots(bundle)?, provider)
                .build()
                .map_err(|error| PkiError::Tls { reason: error.to_string() })?;
            builder.with_client_cert_verifier(verifier)
        }
        Requirement::ServerOnly => builder.with_no_client_auth(),
    };
    Ok(Arc::new(builder.with_cert_resolver(source)))
}

/// A client configuration presenting `source`'s current certificate and accepting only a
/// server whose certificate chains to `bundle`'s CA and names an id `server` accepts.
pub fn client_config(
    bundle: &TrustBundle,
    source: Arc<CertSource>,
    server: Expected,
    clock: Clock,
) -> Result<Arc<rustls::ClientConfig>, PkiError> {
    let provider = provider();
    let verifier = SpiffeServerVerifier {
        roots: roots(bundle)?,
        expected: server,
        algorithms: provider.signature_verification_algorithms,
    };
    let config = rustls::ClientConfig::builder_with_details(provider, Arc::new(ClockTime(clock)))
        .with_safe_default_protocol_versions()
        .map_err(PkiError::tls)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_cert_resolver(source);
    Ok(Arc::new(config))
}

fn roots(bundle: &TrustBundle) -> Result<Arc<RootCertStore>, PkiError> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(bundle.ca_der.clone())).map_err(PkiError::tls)?;
    Ok(Arc::new(roots))
}

/// The caller's clock as rustls's time.
struct ClockTime(Clock);

impl std::fmt::Debug for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClockTime")
    }
}

impl rustls::time_provider::TimeProvider for ClockTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_millis((self.0)())))
    }
}

/// Verifies a server the SPIFFE way: the chain to the CA (validity, signatures, server
/// usage), then the SPIFFE id instead of a host name.
#[derive(Debug)]
struct SpiffeServerVerifier {
    roots: Arc<RootCertStore>,
    expected: Expected,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for SpiffeServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let parsed = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &parsed,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        let now_ms = now.as_secs().saturating_mul(1000);
        let refused = |rejection| {
            rustls::Error::InvalidCertificate(rustls::CertificateError::Other(rustls::OtherError(Arc::new(rejection))))
        };
        let id = crate::peer_identity(end_entity, now_ms).map_err(refused)?;
        self.expected.check(&id).map_err(refused)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
