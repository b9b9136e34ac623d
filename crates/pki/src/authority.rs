//! The platform's certificate authority: an ECDSA P-256 key and a self-signed CA certificate
//! naming the trust domain; it issues short-lived workload certificates whose only subject
//! alternative name is the workload's SPIFFE id.

use crate::spiffe::check_trust_domain;
use crate::{PkiError, SpiffeId};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};
use rustls::pki_types::CertificateDer;
use zeroize::Zeroizing;

const HOUR_MS: u64 = 3_600_000;
/// How long a new CA certificate is valid: one year.
pub const CA_VALIDITY_MS: u64 = 365 * 24 * HOUR_MS;
/// A workload certificate's lifetime unless asked otherwise: 24 hours.
pub const TTL_DEFAULT_MS: u64 = 24 * HOUR_MS;
/// The longest lifetime a workload certificate may have: 7 days.
pub const TTL_MAX_MS: u64 = 7 * 24 * HOUR_MS;
/// The shortest lifetime a workload certificate may have: one minute.
pub const TTL_MIN_MS: u64 = 60_000;
/// How far before its issuing a certificate is already valid, for peers whose clocks lag.
pub const BACKDATE_MS: u64 = 60_000;

/// The certificate authority of one trust domain. It holds the CA's private key: it prints
/// as `[redacted]`, and `to_pem` gives the key in a `Zeroizing` string.
pub struct Authority {
    trust_domain: String,
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    not_after_ms: u64,
}

/// A workload certificate just issued, with its private key.
pub struct Issued {
    /// The SPIFFE id it names.
    pub id: SpiffeId,
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 DER (wiped when dropped).
    pub key_der: Zeroizing<Vec<u8>>,
    /// When it was issued (its rotation is counted from here), ms since the Unix epoch.
    pub issued_at_ms: u64,
    /// When it stops being valid, ms since the Unix epoch.
    pub not_after_ms: u64,
}

/// What a peer needs to verify the platform's certificates: the CA certificate. Public.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustBundle {
    pub trust_domain: String,
    pub ca_der: Vec<u8>,
}

impl Authority {
    /// A new CA for `trust_domain`, valid for `CA_VALIDITY_MS` from `now_ms`.
    pub fn create(trust_domain: &str, now_ms: u64) -> Result<Authority, PkiError> {
        check_trust_domain(trust_domain)
            .map_err(|why| PkiError::TrustDomain { trust_domain: trust_domain.to_string(), why })?;
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(PkiError::generate)?;
        let mut params = ca_params(trust_domain)?;
        params.not_before = datetime(now_ms.saturating_sub(BACKDATE_MS))?;
        let not_after_ms = now_ms.saturating_add(CA_VALIDITY_MS);
        params.not_after = datetime(not_after_ms)?;
        let cert = params.self_signed(&key).map_err(PkiError::generate)?;
        Ok(Authority {
            trust_domain: trust_domain.to_string(),
            issuer: Issuer::new(params, key),
            cert_der: cert.der().clone(),
            not_after_ms: not_after_ms / 1000 * 1000,
        })
    }

    /// The CA certificate and its private key, PEM.
    pub fn to_pem(&self) -> (String, Zeroizing<String>) {
        let cert = pem_encode("CERTIFICATE", &self.cert_der);
        (cert, Zeroizing::new(self.issuer.key().serialize_pem()))
    }

    /// The CA back from `to_pem`'s output. The trust domain is read from the certificate's
    /// `spiffe://<trust-domain>` name; the key must be the certificate's.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Authority, PkiError> {
        let cert_der = pem_decode("CERTIFICATE", cert_pem)?;
        let key = KeyPair::from_pem(key_pem)
            .map_err(|error| PkiError::Pem { what: "the CA key", reason: error.to_string() })?;
        let (trust_domain, public_key, not_after_ms) = read_ca(&cert_der)?;
        if public_key != key.public_key_raw() {
            return Err(PkiError::KeyMismatch);
        }
        // The issuer needs the CA's subject name exactly as written in its certificate: it is
        // built by the same code from the same trust domain.
        let params = ca_params(&trust_domain)?;
        let cert_der = CertificateDer::from(cert_der);
        Ok(Authority { trust_domain, issuer: Issuer::new(params, key), cert_der, not_after_ms })
    }

    /// The trust domain whose ids this CA issues.
    pub fn trust_domain(&self) -> &str {
        &self.trust_domain
    }

    /// When the CA certificate ends, ms since the Unix epoch (it is not renewed by itself).
    pub fn not_after_ms(&self) -> u64 {
        self.not_after_ms
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// What peers need to verify this CA's certificates.
    pub fn bundle(&self) -> TrustBundle {
        TrustBundle { trust_domain: self.trust_domain.clone(), ca_der: self.cert_der.to_vec() }
    }

    /// A certificate for `id`, valid from `now_ms` (backdated by `BACKDATE_MS`) for `ttl_ms`
    /// (from `TTL_MIN_MS` to `TTL_MAX_MS`), with a fresh key. Its only subject alternative
    /// name is the SPIFFE id; it is good for TLS clients and servers. `now_ms` in the past
    /// makes an expired certificate (tests do that).
    pub fn issue(&self, id: &SpiffeId, ttl_ms: u64, now_ms: u64) -> Result<Issued, PkiError> {
        if id.trust_domain != self.trust_domain {
            return Err(PkiError::ForeignId { id: id.to_string(), trust_domain: self.trust_domain.clone() });
        }
        if !(TTL_MIN_MS..=TTL_MAX_MS).contains(&ttl_ms) {
            return Err(PkiError::Ttl { ttl_ms });
        }
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(PkiError::generate)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, id.component.as_str());
        params.distinguished_name.push(DnType::OrganizationalUnitName, format!("{}/{}", id.mission, id.env));
        let uri = rcgen::string::Ia5String::try_from(id.to_string()).map_err(PkiError::generate)?;
        params.subject_alt_names = vec![SanType::URI(uri)];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let not_after_ms = now_ms.saturating_add(ttl_ms);
        params.not_before = datetime(now_ms.saturating_sub(BACKDATE_MS))?;
        params.not_after = datetime(not_after_ms)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(PkiError::generate)?;
        Ok(Issued {
            id: id.clone(),
            cert_der: cert.der().to_vec(),
            key_der: Zeroizing::new(key.serialize_der()),
            issued_at_ms: now_ms,
            // The certificate holds whole seconds.
            not_after_ms: not_after_ms / 1000 * 1000,
        })
    }
}

impl Issued {
    /// The certificate and key, PEM (for a ground station's files).
    pub fn to_pem(&self) -> (String, Zeroizing<String>) {
        (pem_encode("CERTIFICATE", &self.cert_der), Zeroizing::new(pem_encode("PRIVATE KEY", &self.key_der)))
    }

    /// A certificate and key back from `to_pem`'s output (what a ground station or simulator
    /// was given), its identity and validity read from the certificate.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Issued, PkiError> {
        let cert_der = pem_decode("CERTIFICATE", cert_pem)?;
        let key_der = Zeroizing::new(pem_decode("PRIVATE KEY", key_pem)?);
        let (id, not_before_ms, not_after_ms) = crate::peer::read_leaf(&cert_der).map_err(PkiError::Rejected)?;
        Ok(Issued { id, cert_der, key_der, issued_at_ms: not_before_ms + BACKDATE_MS, not_after_ms })
    }

    /// The certificate's serial number, hex (to tell one issue from the next).
    pub fn serial(&self) -> String {
        crate::peer::serial_hex(&self.cert_der)
    }
}

impl TrustBundle {
    /// The CA certificate, PEM.
    pub fn to_pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.ca_der)
    }

    /// A bundle from a CA certificate in PEM (its trust domain read from it).
    pub fn from_pem(cert_pem: &str) -> Result<TrustBundle, PkiError> {
        let ca_der = pem_decode("CERTIFICATE", cert_pem)?;
        let (trust_domain, _, _) = read_ca(&ca_der)?;
        Ok(TrustBundle { trust_domain, ca_der })
    }
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").field("trust_domain", &self.trust_domain).field("key", &"[redacted]").finish()
    }
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("id", &self.id.to_string())
            .field("serial", &self.serial())
            .field("not_after_ms", &self.not_after_ms)
            .field("key_der", &"[redacted]")
            .finish()
    }
}

/// The CA certificate's parameters but validity: the same trust domain always gives the same
/// subject name (loading relies on it).
fn ca_params(trust_domain: &str) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::OrganizationName, "Groundplane");
    params.distinguished_name.push(DnType::CommonName, format!("Groundplane CA {trust_domain}"));
    let uri = rcgen::string::Ia5String::try_from(format!("spiffe://{trust_domain}")).map_err(PkiError::generate)?;
    params.subject_alt_names = vec![SanType::URI(uri)];
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(params)
}

/// The trust domain, the public key (the raw key bits) and the end (ms since the Unix epoch)
/// of a CA certificate.
fn read_ca(cert_der: &[u8]) -> Result<(String, Vec<u8>, u64), PkiError> {
    let invalid = |reason: String| PkiError::Certificate { reason };
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).map_err(|error| invalid(error.to_string()))?;
    if !cert.is_ca() {
        return Err(invalid("not a CA certificate".into()));
    }
    let names = cert.subject_alternative_name().map_err(|error| invalid(error.to_string()))?;
    let trust_domain = names
        .into_iter()
        .flat_map(|names| names.value.general_names.iter())
        .find_map(|name| match name {
            x509_parser::extensions::GeneralName::URI(uri) => uri.strip_prefix("spiffe://"),
            _ => None,
        })
        .ok_or_else(|| invalid("the CA certificate names no spiffe://<trust-domain>".into()))?;
    check_trust_domain(trust_domain)
        .map_err(|why| PkiError::TrustDomain { trust_domain: trust_domain.to_string(), why })?;
    let not_after_ms = u64::try_from(cert.validity().not_after.timestamp()).unwrap_or(0).saturating_mul(1000);
    Ok((trust_domain.to_string(), cert.public_key().subject_public_key.data.to_vec(), not_after_ms))
}

fn datetime(ms: u64) -> Result<time::OffsetDateTime, PkiError> {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| PkiError::Time { ms })
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in base64_encode(der).as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER of the first `label` block of a PEM text.
fn pem_decode(label: &'static str, pem: &str) -> Result<Vec<u8>, PkiError> {
    use rustls::pki_types::pem::{PemObject, SectionKind};
    let wanted = match label {
        "CERTIFICATE" => SectionKind::Certificate,
        _ => SectionKind::PrivateKey,
    };
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem.as_bytes()) {
        match section {
            Ok((kind, der)) if kind == wanted => return Ok(der),
            Ok(_) => {}
            Err(error) => return Err(PkiError::Pem { what: label, reason: error.to_string() }),
        }
    }
    Err(PkiError::Pem { what: label, reason: format!("no -----BEGIN {label}----- block") })
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) fn pem_roundtrip(der: &[u8]) -> Result<Vec<u8>, PkiError> {
    pem_decode("CERTIFICATE", &pem_encode("CERTIFICATE", der))
}
