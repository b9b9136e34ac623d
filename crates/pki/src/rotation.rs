//! Certificate rotation: the certificate a TLS side presents is held behind a lock and
//! replaced whole by a newer one, so handshakes after the swap present the new certificate and
//! connections already made keep theirs.

use crate::{Authority, Issued, PkiError, SpiffeId};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use std::sync::{Arc, PoisonError, RwLock};

/// Whether a certificate valid from `issued_at_ms` to `not_after_ms` should be replaced at
/// `now_ms`: once two thirds of its lifetime have passed (a 24 h certificate at 16 h), so a
/// failed renewal has a third of the lifetime to be retried before peers refuse it.
pub fn rotation_due(issued_at_ms: u64, not_after_ms: u64, now_ms: u64) -> bool {
    let lifetime_ms = not_after_ms.saturating_sub(issued_at_ms);
    now_ms >= issued_at_ms.saturating_add(lifetime_ms / 3 * 2)
}

/// The certificate one side of a link presents, rotated in place. It is rustls's resolver for
/// servers and clients alike.
pub struct CertSource {
    // Invariant: `key` holds the certificate and key of one `Issued`, described by the rest.
    current: RwLock<Arc<Current>>,
}

struct Current {
    key: Arc<CertifiedKey>,
    id: SpiffeId,
    serial: String,
    issued_at_ms: u64,
    not_after_ms: u64,
}

impl CertSource {
    /// A source presenting `issued`.
    pub fn new(issued: &Issued) -> Result<CertSource, PkiError> {
        Ok(CertSource { current: RwLock::new(Arc::new(current(issued)?)) })
    }

    /// Presents `issued` from the next handshake on.
    pub fn rotate(&self, issued: &Issued) -> Result<(), PkiError> {
        let next = Arc::new(current(issued)?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(())
    }

    /// Issues a new certificate for the same id with `authority` and presents it, when
    /// `rotation_due`; true when it rotated.
    pub fn rotate_if_due(&self, authority: &Authority, ttl_ms: u64, now_ms: u64) -> Result<bool, PkiError> {
        let now = self.now();
        if !rotation_due(now.issued_at_ms, now.not_after_ms, now_ms) {
            return Ok(false);
        }
        self.rotate(&authority.issue(&now.id, ttl_ms, now_ms)?)?;
        Ok(true)
    }

    /// The id of the certificate presented now.
    pub fn id(&self) -> SpiffeId {
        self.now().id.clone()
    }

    /// The serial number (hex) of the certificate presented now.
    pub fn serial(&self) -> String {
        self.now().serial.clone()
    }

    /// When the certificate presented now expires, ms since the Unix epoch.
    pub fn not_after_ms(&self) -> u64 {
        self.now().not_after_ms
    }

    fn now(&self) -> Arc<Current> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

fn current(issued: &Issued) -> Result<Current, PkiError> {
    let cert = CertificateDer::from(issued.cert_der.clone());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(issued.key_der.to_vec()));
    let key = CertifiedKey::from_der(vec![cert], key, &crate::provider()).map_err(PkiError::tls)?;
    Ok(Current {
        key: Arc::new(key),
        id: issued.id.clone(),
        serial: issued.serial(),
        issued_at_ms: issued.issued_at_ms,
        not_after_ms: issued.not_after_ms,
    })
}

impl std::fmt::Debug for CertSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let now = self.now();
        f.debug_struct("CertSource")
            .field("id", &now.id.to_string())
            .field("serial", &now.serial)
            .field("not_after_ms", &now.not_after_ms)
            .finish()
    }
}

impl rustls::server::ResolvesServerCert for CertSource {
    fn resolve(&self, _client_hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.now().key.clone())
    }
}

impl rustls::client::ResolvesClientCert for CertSource {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.now().key.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}
