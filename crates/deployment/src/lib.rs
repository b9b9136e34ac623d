//! A running deployment (one mission in one environment): its links' sockets, the ingest
//! thread (decoding, alarms, archive writer, live hub), archive queries and replay; and the
//! `Platform` of all deployments, which is the API's `Backend`.
//!
//! Never: decode on an async thread, let a slow live client slow ingest, or report as stored
//! anything that is not yet durable.

pub mod commanding;
pub mod convert;
pub mod durable;
pub mod gates;
pub mod hub;
pub mod ingest;
pub mod links;
mod metrics;
pub mod platform;
pub mod replay;
mod running;
pub mod swap;

pub use commanding::{CommandingSpec, UplinkFraming, UplinkLogin, UplinkSpec};
pub use links::tls::{LinkSecurity, LinkTls, Refusal, SecurityEvents};
pub use platform::Platform;
pub use running::{Deployment, DeploymentSpec, ModelVersion};
pub use swap::SwapReport;

use std::sync::Arc;

/// The platform clock: milliseconds since the Unix epoch. The binary supplies the system
/// clock; tests supply their own.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// How a link's bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// One unit (packet or frame) per datagram.
    Udp,
    /// A byte stream per connection; units may span reads.
    Tcp,
}

impl Transport {
    /// `udp` or `tcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

/// One link of a deployment: a socket the spacecraft's data arrives on (from a ground station,
/// a simulator or a replay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkSpec {
    /// Its name in the deployment, unique there.
    pub name: String,
    pub transport: Transport,
    /// Where to listen, e.g. `127.0.0.1:10015` (port 0: any free port).
    pub address: String,
    pub framing: tm::link::Framing,
    /// Whether peers must connect with mutual TLS (TCP only).
    pub tls: LinkTls,
}

/// The wire name of a framing.
pub fn framing_name(framing: tm::link::Framing) -> &'static str {
    match framing {
        tm::link::Framing::Packets { .. } => "packets",
        tm::link::Framing::Frames { .. } => "frames",
        tm::link::Framing::Nctrs { .. } => "nctrs",
    }
}

/// Why a deployment could not start or answer.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    #[error("link {link}: cannot listen on {address}: {source}")]
    Bind { link: String, address: String, source: std::io::Error },
    #[error("{scope}: the model cannot be compiled: {source}")]
    Plan { scope: base::Scope, source: Box<tm::PlanError> },
    #[error("{scope}: the model has no canonical form: {source}")]
    Canonical { scope: base::Scope, source: model::CanonicalError },
    #[error("{scope}: archive: {source}")]
    Archive { scope: base::Scope, source: Box<archive::ArchiveError> },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{scope}: two links are named {name:?}")]
    DuplicateLink { scope: base::Scope, name: String },
    #[error("deployment {scope} is configured twice")]
    DuplicateDeployment { scope: base::Scope },
    #[error("no deployment {scope} on this platform")]
    NoSuchDeployment { scope: base::Scope },
    #[error("{scope}: link {link}: {reason}")]
    Tls { scope: base::Scope, link: String, reason: String },
    #[error("{scope}: the deployment is stopping")]
    Stopping { scope: base::Scope },
}

#[cfg(test)]
mod tests;
