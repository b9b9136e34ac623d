//! Who the peer of a TLS connection is: the SPIFFE id in its certificate, checked against the
//! identity a link expects; and a clear reason when a handshake or a peer is refused.

use crate::{Rejection, SpiffeId};
use base::{Env, MissionSlug};
use rustls::pki_types::CertificateDer;
use x509_parser::extensions::GeneralName;

/// Whom a link accepts: workloads of one trust domain, mission and environment, and of these
/// components only when `components` is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub trust_domain: String,
    pub mission: MissionSlug,
    pub env: Env,
    /// `None`: any component of the scope.
    pub components: Option<Vec<String>>,
}

impl Expected {
    /// Any workload of `scope` in `trust_domain`.
    pub fn scope(trust_domain: &str, scope: &base::Scope) -> Expected {
        Expected {
            trust_domain: trust_domain.to_string(),
            mission: scope.mission.clone(),
            env: scope.env,
            components: None,
        }
    }

    /// Exactly the workload `id`.
    pub fn exactly(id: &SpiffeId) -> Expected {
        Expected {
            trust_domain: id.trust_domain.clone(),
            mission: id.mission.clone(),
            env: id.env,
            components: Some(vec![id.component.clone()]),
        }
    }

    /// Whether `id` is one of the workloads expected, and if not, why.
    pub fn check(&self, id: &SpiffeId) -> Result<(), Rejection> {
        let found = || id.to_string();
        if id.trust_domain != self.trust_domain {
            return Err(Rejection::OtherTrustDomain { expected: self.trust_domain.clone(), found: found() });
        }
        if id.mission != self.mission {
            return Err(Rejection::OtherMission { expected: self.mission.to_string(), found: found() });
        }
        if id.env != self.env {
            return Err(Rejection::OtherEnv { expected: self.env.to_string(), found: found() });
        }
        match &self.components {
            Some(allowed) if !allowed.contains(&id.component) => {
                Err(Rejection::ComponentNotAllowed { allowed: allowed.join(", "), found: found() })
            }
            _ => Ok(()),
        }
    }
}

/// The SPIFFE id of a certificate that the handshake already verified (chain, validity):
/// its one URI name, which must be a well-formed id. `now_ms` is checked against the
/// certificate's validity again, so a certificate kept past its end is not taken.
pub fn peer_identity(cert_der: &[u8], now_ms: u64) -> Result<SpiffeId, Rejection> {
    let (id, not_before_ms, not_after_ms) = read_leaf(cert_der)?;
    if now_ms < not_before_ms {
        return Err(Rejection::NotYetValid);
    }
    if now_ms > not_after_ms {
        return Err(Rejection::Expired);
    }
    Ok(id)
}

/// The SPIFFE id a certificate names, whatever its validity (for the record of a refusal).
pub fn spiffe_id_of(cert_der: &[u8]) -> Result<SpiffeId, Rejection> {
    read_leaf(cert_der).map(|(id, _, _)| id)
}

/// After a handshake that verified the peer's chain: the peer's SPIFFE id, if it is one that
/// `expected` accepts; otherwise what did not match.
pub fn authorize_peer(
    peer_certs: Option<&[CertificateDer<'_>]>,
    expected: &Expected,
    now_ms: u64,
) -> Result<SpiffeId, Rejection> {
    let leaf = peer_certs.and_then(<[_]>::first).ok_or(Rejection::NoCertificate)?;
    let id = peer_identity(leaf, now_ms)?;
    expected.check(&id)?;
    Ok(id)
}

/// The SPIFFE id and the validity (ms since the Unix epoch) of a workload certificate.
pub(crate) fn read_leaf(cert_der: &[u8]) -> Result<(SpiffeId, u64, u64), Rejection> {
    let unreadable = |reason: String| Rejection::Unreadable { reason };
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).map_err(|error| unreadable(error.to_string()))?;
    let names = cert.subject_alternative_name().map_err(|error| unreadable(error.to_string()))?;
    let uris: Vec<&str> = names
        .into_iter()
        .flat_map(|names| names.value.general_names.iter())
        .filter_map(|name| match name {
            GeneralName::URI(uri) => Some(*uri),
            _ => None,
        })
        .collect();
    let uri = match uris.as_slice() {
        [] => return Err(Rejection::NoSpiffeId),
        [uri] => *uri,
        _ => return Err(Rejection::SeveralUris { count: uris.len() }),
    };
    let id = uri.parse().map_err(Rejection::Malformed)?;
    let ms = |seconds: i64| u64::try_from(seconds).unwrap_or(0).saturating_mul(1000);
    let validity = cert.validity();
    Ok((id, ms(validity.not_before.timestamp()), ms(validity.not_after.timestamp())))
}

/// A certificate's serial number in hex (empty when it cannot be read).
pub fn serial_hex(cert_der: &[u8]) -> String {
    match x509_parser::parse_x509_certificate(cert_der) {
        Ok((_, cert)) => cert.raw_serial().iter().map(|b| format!("{b:02x}")).collect(),
        Err(_) => String::new(),
    }
}

/// Why rustls ended a handshake, in the platform's words.
pub fn rejection_of(error: &rustls::Error) -> Rejection {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            C::Expired | C::ExpiredContext { .. } => Rejection::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => Rejection::NotYetValid,
            C::UnknownIssuer => Rejection::UnknownIssuer,
            C::BadSignature => Rejection::BadSignature,
            C::Other(other) => match other.0.downcast_ref::<Rejection>() {
                Some(rejection) => rejection.clone(),
                None => Rejection::Handshake { reason: error.to_string() },
            },
            _ => Rejection::Handshake { reason: error.to_string() },
        },
        rustls::Error::NoCertificatesPresented => Rejection::NoCertificate,
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            Rejection::NotTls { reason: error.to_string() }
        }
        rustls::Error::AlertReceived(alert) => Rejection::PeerAlert { alert: format!("{alert:?}") },
        _ => Rejection::Handshake { reason: error.to_string() },
    }
}

/// Why a TLS handshake over a socket (tokio-rustls) failed: the rustls error inside, or the
/// I/O error itself.
pub fn rejection_of_io(error: &std::io::Error) -> Rejection {
    match error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(tls) => rejection_of(tls),
        None => Rejection::Handshake { reason: error.to_string() },
    }
}
