//! The platform's certificate authority and workload identities: short-lived certificates with
//! SPIFFE ids (`spiffe://<trust-domain>/mission/<m>/env/<e>/<component>`), and the rustls
//! configurations that require them (mutual TLS, identified by certificate, never by address).
//!
//! `Authority` issues (`Issued`), `CertSource` presents and rotates (`rotation_due`),
//! `server_config` / `client_config` build rustls configurations with the ring provider, and
//! `authorize_peer` tells who the peer of a finished handshake is (`Expected`), or why it is
//! refused (`Rejection`).
//!
//! Never: read the clock (time comes in as `now_ms` or a `Clock`), use a crypto provider other
//! than ring, accept a peer for its address or host name, or print a private key.

mod authority;
mod peer;
mod rotation;
mod spiffe;
mod tls;

pub use authority::{
    Authority, Issued, TrustBundle, BACKDATE_MS, CA_VALIDITY_MS, TTL_DEFAULT_MS, TTL_MAX_MS, TTL_MIN_MS,
};
pub use peer::{authorize_peer, peer_identity, rejection_of, rejection_of_io, serial_hex, spiffe_id_of, Expected};
pub use rotation::{rotation_due, CertSource};
pub use spiffe::{check_trust_domain, SpiffeError, SpiffeId, COMPONENT_LEN_MAX, SPIFFE_ID_LEN_MAX};
pub use tls::{client_config, provider, server_config, server_name, Clock, Requirement, SERVER_NAME};

/// Why the CA could not do what was asked (create, load, issue, configure).
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("trust domain `{trust_domain}`: {why}")]
    TrustDomain { trust_domain: String, why: &'static str },
    #[error("generating a key or certificate: {reason}")]
    Generate { reason: String },
    #[error("{what}: not PEM: {reason}")]
    Pem { what: &'static str, reason: String },
    #[error("the CA certificate: {reason}")]
    Certificate { reason: String },
    #[error("the CA key is not the key of the CA certificate")]
    KeyMismatch,
    #[error("{id}: not in this CA's trust domain `{trust_domain}`")]
    ForeignId { id: String, trust_domain: String },
    #[error("certificate lifetime {ttl_ms} ms: must be from {TTL_MIN_MS} ms to {TTL_MAX_MS} ms (7 days)")]
    Ttl { ttl_ms: u64 },
    #[error("time {ms} ms since the Unix epoch cannot be written in a certificate")]
    Time { ms: u64 },
    #[error("TLS configuration: {reason}")]
    Tls { reason: String },
    #[error("certificate: {0}")]
    Rejected(Rejection),
}

impl PkiError {
    fn generate(error: impl std::fmt::Display) -> PkiError {
        PkiError::Generate { reason: error.to_string() }
    }

    fn tls(error: impl std::fmt::Display) -> PkiError {
        PkiError::Tls { reason: error.to_string() }
    }
}

/// Why a peer was refused: at the handshake (its certificate chain) or after it (its SPIFFE id
/// against what the link expects). `kind` is a short label for metrics.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("not TLS (plaintext, or a corrupt TLS message): {reason}")]
    NotTls { reason: String },
    #[error("the peer presented no certificate")]
    NoCertificate,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate was not issued by this platform's CA (forged or foreign)")]
    UnknownIssuer,
    #[error("the certificate's signature is invalid (forged)")]
    BadSignature,
    #[error("the certificate cannot be read: {reason}")]
    Unreadable { reason: String },
    #[error("the certificate names no SPIFFE id (no URI subject alternative name)")]
    NoSpiffeId,
    #[error("the certificate names {count} URIs; a workload certificate names exactly one")]
    SeveralUris { count: usize },
    #[error("the certificate's SPIFFE id is malformed: {0}")]
    Malformed(SpiffeError),
    #[error("{found} is of another trust domain (expected `{expected}`)")]
    OtherTrustDomain { expected: String, found: String },
    #[error("{found} is of another mission (expected `{expected}`)")]
    OtherMission { expected: String, found: String },
    #[error("{found} is of another environment (expected `{expected}`)")]
    OtherEnv { expected: String, found: String },
    #[error("{found} is not an allowed component (allowed: {allowed})")]
    ComponentNotAllowed { allowed: String, found: String },
    #[error("the peer ended the handshake with alert {alert}")]
    PeerAlert { alert: String },
    #[error("no TLS handshake within {timeout_ms} ms")]
    Timeout { timeout_ms: u64 },
    #[error("TLS handshake failed: {reason}")]
    Handshake { reason: String },
}

impl Rejection {
    /// A short label: `expired`, `unknown_issuer`, `other_mission`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::NotTls { .. } => "not_tls",
            Rejection::NoCertificate => "no_certificate",
            Rejection::Expired => "expired",
            Rejection::NotYetValid => "not_yet_valid",
            Rejection::UnknownIssuer => "unknown_issuer",
            Rejection::BadSignature => "bad_signature",
            Rejection::Unreadable { .. } => "unreadable",
            Rejection::NoSpiffeId => "no_spiffe_id",
            Rejection::SeveralUris { .. } => "several_uris",
            Rejection::Malformed(_) => "malformed_id",
            Rejection::OtherTrustDomain { .. } => "other_trust_domain",
            Rejection::OtherMission { .. } => "other_mission",
            Rejection::OtherEnv { .. } => "other_env",
            Rejection::ComponentNotAllowed { .. } => "component_not_allowed",
            Rejection::PeerAlert { .. } => "peer_alert",
            Rejection::Timeout { .. } => "timeout",
            Rejection::Handshake { .. } => "handshake",
        }
    }
}

#[cfg(test)]
mod tests;
