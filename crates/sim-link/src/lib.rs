//! The simulator on the wire: sockets around the pure `sim` core (TM out, TC in), the way a
//! spacecraft behind a ground station would speak.
//!
//! The simulator listens for telecommands (UDP, or TCP with any number of clients up to a
//! limit), as space packets or TC transfer frames; it sends telemetry as space packets or TM
//! transfer frames (`frames`) to one address (UDP datagrams, or a TCP connection it makes and
//! remakes). One task owns the `sim::Simulator`: it ticks it and answers each telecommand at
//! once. Sending never blocks it: what cannot be sent is counted as dropped. A TCP TM link
//! that requires mutual TLS gets a client configuration (`TmTls`, from the platform's CA); a
//! TCP TC listener may require mutual TLS too (`TcTls`): a client is served only once its
//! certificate is of the platform's CA and of the expected mission and environment.
//!
//! Never: decide what the spacecraft says (that is `sim`), read the system clock (time comes
//! from the caller's `Clock`), or let bad bytes from a link stop a task.

mod frames;
mod link;
mod tc_decode;
mod tc_in;
mod tm_out;

pub use frames::{TmFrameConfig, TmFramer, TmFramingError, IDLE_FILL, SPACECRAFT_ID_MAX, VIRTUAL_CHANNEL_MAX};
pub use link::{RunningSim, SimLink};

use std::sync::Arc;

/// Milliseconds since the Unix epoch, from the caller (only the binary reads the clock).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Telecommand packets waiting for the simulator task; socket tasks wait when it is full.
pub const TC_QUEUE_MAX: usize = 1024;
/// TM units (packets or frames) waiting to be sent; more are dropped and counted.
pub const TM_QUEUE_MAX: usize = 4096;
/// TCP telecommand clients at once; more are refused (closed at once) and logged.
pub const TC_CONNECTIONS_MAX: u64 = 16;
/// Largest UDP datagram read.
pub const DATAGRAM_LEN_MAX: usize = 65_536;
/// Bytes read from a TCP connection at a time.
pub const READ_LEN: usize = 64 * 1024;
/// How long the TM side waits between connection attempts (and for one attempt), in ms.
pub const RETRY_MS: u64 = 1000;

/// A socket's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// TLS for the TM connection: the client configuration (certificate, trusted CA, expected
/// server identity) and the name sent in the handshake.
#[derive(Clone, Debug)]
pub struct TmTls {
    pub config: Arc<tokio_rustls::rustls::ClientConfig>,
    pub server_name: tokio_rustls::rustls::pki_types::ServerName<'static>,
}

/// Mutual TLS for the TCP TC listener: the server configuration (the simulator's certificate,
/// the CA client certificates must chain to) and whom it serves (`Expected`: the deployment's
/// own mission and environment). A client that fails is closed before any of its bytes is read
/// as a telecommand, and logged.
#[derive(Clone, Debug)]
pub struct TcTls {
    pub config: Arc<tokio_rustls::rustls::ServerConfig>,
    pub expected: pki::Expected,
}

/// How long a TC client has to complete its TLS handshake, in ms.
pub const TC_HANDSHAKE_TIMEOUT_MS: u64 = 10_000;

/// A transport and a `host:port` address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub transport: Transport,
    pub address: String,
}

/// How TM leaves the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TmFraming {
    /// One space packet per datagram, or packets back to back on TCP.
    Packets,
    /// Fixed-length TM transfer frames of one virtual channel (see `TmFramer`).
    Frames { frame_len: usize, spacecraft_id: u16, virtual_channel: u8, fecf: bool },
}

/// How telecommands arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcFraming {
    /// Space packets: datagrams of whole packets, or a stream split by the length field.
    Packets,
    /// TC transfer frames, each holding whole packets (an unsegmented segment header allowed).
    Frames { fecf: bool },
}

/// What the simulator's links have done so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimCounters {
    /// TM units written to the socket (packets, or frames with `TmFraming::Frames`).
    pub tm_sent: u64,
    /// TM units not sent: queue full, no TM connection, or a failed write.
    pub tm_dropped: u64,
    /// Telecommand packets handed to the simulator.
    pub tc_received: u64,
    /// Received units that were no TC packet or frame.
    pub tc_invalid: u64,
    /// TCP connections made: TC clients accepted and TM connections established.
    pub connections: u64,
}

/// Why the simulator's links could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SimLinkError {
    #[error("binding the TC endpoint {address}: {source}")]
    Bind { address: String, source: std::io::Error },
    #[error("endpoint `{text}`: {reason}")]
    Endpoint { text: String, reason: String },
    #[error(transparent)]
    Framing(#[from] TmFramingError),
    #[error("the simulator cannot take another model now (one is pending, or it has stopped)")]
    Replace,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        })
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.transport, self.address)
    }
}

impl std::str::FromStr for Endpoint {
    type Err = SimLinkError;

    /// Reads `udp:HOST:PORT` or `tcp:HOST:PORT` (an IPv6 host in brackets).
    fn from_str(text: &str) -> Result<Endpoint, SimLinkError> {
        let error = |reason: &str| SimLinkError::Endpoint { text: text.to_string(), reason: reason.to_string() };
        let expected = "expected udp:HOST:PORT or tcp:HOST:PORT";
        let (transport, address) = text.split_once(':').ok_or_else(|| error(expected))?;
        let transport = match transport {
            "udp" => Transport::Udp,
            "tcp" => Transport::Tcp,
            _ => return Err(error(&format!("unknown transport `{transport}`: {expected}"))),
        };
        let (host, port) = address.rsplit_once(':').ok_or_else(|| error(expected))?;
        if host.is_empty() {
            return Err(error("no host: expected udp:HOST:PORT or tcp:HOST:PORT"));
        }
        port.parse::<u16>().map_err(|_| error(&format!("port `{port}` is not a number from 0 to 65535")))?;
        Ok(Endpoint { transport, address: address.to_string() })
    }
}

impl TmFraming {
    /// Checks frame parameters (length, spacecraft and virtual channel ids); call it before
    /// `SimLink::run`, which otherwise drops every TM unit and logs why.
    pub fn check(&self) -> Result<(), SimLinkError> {
        match self.frame_config() {
            Some(config) => Ok(config.check()?),
            None => Ok(()),
        }
    }

    pub(crate) fn frame_config(&self) -> Option<TmFrameConfig> {
        match *self {
            TmFraming::Packets => None,
            TmFraming::Frames { frame_len, spacecraft_id, virtual_channel, fecf } => {
                Some(TmFrameConfig { frame_len, spacecraft_id, virtual_channel, fecf })
            }
        }
    }
}

#[cfg(test)]
mod tests;
