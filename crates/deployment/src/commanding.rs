//! Commanding in a deployment: requests checked and encoded against the model (on the API's
//! blocking threads), the command queue owned by the ingest thread ([`book::Book`]), the uplink
//! task that puts telecommands on the wire, and the views the API reads.
//!
//! The life of a command is `tc::lifecycle`'s; this module numbers commands, gives them their
//! sequence counts (so that the digest an approver sees is that of the bytes sent), records
//! every transition in the archive's command history and on live streams, and matches the PUS 1
//! reports that arrive on the deployment's telemetry links.

pub mod board;
pub mod book;
pub mod definitions;
pub mod prepare;
#[cfg(test)]
pub(crate) mod tests;
pub mod uplink;
mod views;

use crate::{LinkTls, Transport};
use std::fmt;
use std::sync::Arc;
use tc::lifecycle::ReleaseMode;
use vault::SecretValue;

/// How a deployment commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandingSpec {
    /// Where telecommands go; without one, command requests are refused.
    pub uplink: Option<UplinkSpec>,
    /// What the uplink asks of the station it connects to: `Mutual` (TCP only) connects with
    /// TLS as `spiffe://<td>/mission/<m>/env/<e>/uplink` and sends nothing to a station whose
    /// certificate is not of the platform's CA and of this mission and environment
    /// (`uplink::tls`). Kept beside `uplink`, not in `UplinkSpec`, so that specs written as
    /// struct literals elsewhere keep building.
    pub uplink_tls: LinkTls,
    /// Whether queued commands wait for an operator's release.
    pub release: ReleaseMode,
    /// The acceptance window of commands whose model gives none, from sending.
    pub acceptance_timeout_ms: u64,
    /// The start and completion window of commands whose model gives none, from sending.
    pub completion_timeout_ms: u64,
}

impl Default for CommandingSpec {
    fn default() -> Self {
        CommandingSpec {
            uplink: None,
            uplink_tls: LinkTls::Off,
            release: ReleaseMode::Automatic,
            acceptance_timeout_ms: tc::lifecycle::ACCEPTANCE_WINDOW_MS,
            completion_timeout_ms: tc::lifecycle::COMPLETION_WINDOW_MS,
        }
    }
}

/// The uplink of a deployment: where its telecommands are sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UplinkSpec {
    /// UDP: one telecommand (packet or frame) per datagram sent to `address`; TCP: the
    /// deployment connects to `address` and writes them in a stream.
    pub transport: Transport,
    pub address: String,
    pub framing: UplinkFraming,
    /// TCP: the line written first on every new connection (a ground station's login); inside
    /// the TLS session when the uplink requires TLS (`CommandingSpec::uplink_tls`).
    pub login: Option<UplinkLogin>,
}

/// A ground station's login: `LOGIN <secret>\n`, written first on every new TCP connection
/// of the uplink. It holds the secret the vault delivered to this deployment: zeroized when
/// the last copy is dropped, printed `[redacted]`.
#[derive(Clone)]
pub struct UplinkLogin {
    /// The secret's name in the deployment's scope, for messages.
    pub secret: String,
    value: Arc<SecretValue>,
}

impl UplinkLogin {
    /// A login with `value`; refused (naming `secret`, never showing the value) when the value
    /// holds a line break, which would end the line early.
    pub fn new(secret: impl Into<String>, value: SecretValue) -> Result<UplinkLogin, String> {
        let secret = secret.into();
        if value.expose().iter().any(|byte| matches!(byte, b'\n' | b'\r')) {
            return Err(format!("secret {secret}: holds a line break, so it cannot be sent as a LOGIN line"));
        }
        Ok(UplinkLogin { secret, value: Arc::new(value) })
    }

    /// The line to write, in memory that is zeroized on drop.
    pub(crate) fn line(&self) -> SecretValue {
        let mut line = Vec::with_capacity(self.value.len() + 7);
        line.extend_from_slice(b"LOGIN ");
        line.extend_from_slice(self.value.expose());
        line.push(b'\n');
        SecretValue::new(line)
    }
}

impl fmt::Debug for UplinkLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UplinkLogin").field("secret", &self.secret).field("value", &"[redacted]").finish()
    }
}

impl PartialEq for UplinkLogin {
    fn eq(&self, other: &UplinkLogin) -> bool {
        self.secret == other.secret && self.value.expose() == other.value.expose()
    }
}

impl Eq for UplinkLogin {}

/// How telecommands are put on the uplink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UplinkFraming {
    /// Bare space packets.
    Packets,
    /// Each packet in a TC transfer frame (CCSDS 232.0-B, Type-BD: no COP-1).
    Frames { spacecraft_id: u16, virtual_channel: u8, fecf: bool },
}

impl UplinkFraming {
    /// `packets` or `frames`.
    pub fn as_str(self) -> &'static str {
        match self {
            UplinkFraming::Packets => "packets",
            UplinkFraming::Frames { .. } => "frames",
        }
    }
}
