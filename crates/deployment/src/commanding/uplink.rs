//! The uplink task: puts telecommands on the wire, one at a time, and tells the ingest thread
//! whether each went out.
//!
//! UDP: one telecommand (packet or frame) per datagram to the uplink's address. TCP: the task
//! connects on first use and after any failure, and writes them back to back; a telecommand
//! that cannot be written within `SEND_TIMEOUT_MS` is reported as not sent (never retried
//! behind the operator's back). A TCP uplink with a login (a ground station's credential from
//! the vault) writes `LOGIN <secret>\n` first on every new connection. A TCP uplink that
//! requires mutual TLS (`tls`) connects through a handshake first: the login and telecommands
//! go inside the TLS session, and a station that is refused gets nothing (the telecommand is
//! reported not sent, like one that cannot be connected; the next one tries again).

use super::{UplinkFraming, UplinkSpec};
use crate::ingest::Input;
use crate::{Clock, Transport};
use std::sync::Arc;
use tc::lifecycle::CommandId;
use tls::UplinkTls;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

#[cfg(test)]
mod tests;
pub mod tls;

/// How long connecting and writing one telecommand may take.
pub const SEND_TIMEOUT_MS: u64 = 2_000;

/// A telecommand for the uplink.
#[derive(Debug)]
pub struct Outgoing {
    pub id: CommandId,
    pub bytes: Vec<u8>,
}

/// The sending side of a running uplink task.
#[derive(Clone, Debug)]
pub struct Uplink {
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl Uplink {
    /// Hands a telecommand to the task; false when the task is gone.
    pub fn send(&self, outgoing: Outgoing) -> bool {
        self.tx.send(outgoing).is_ok()
    }
}

/// Starts the uplink task (connecting through `tls` when the uplink requires TLS); its answers
/// come to the ingest thread as `Input::Uplinked`.
pub fn start(
    spec: UplinkSpec,
    tls: Option<Arc<UplinkTls>>,
    inputs: mpsc::Sender<Input>,
    clock: Clock,
) -> (Uplink, JoinHandle<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(Wire { spec, tls, udp: None, tcp: None, frame_sequence: 0 }, rx, inputs, clock));
    (Uplink { tx }, task)
}

async fn run(mut wire: Wire, mut rx: mpsc::UnboundedReceiver<Outgoing>, inputs: mpsc::Sender<Input>, clock: Clock) {
    while let Some(outgoing) = rx.recv().await {
        let timeout = std::time::Duration::from_millis(SEND_TIMEOUT_MS);
        let result = match tokio::time::timeout(timeout, wire.send(&outgoing.bytes)).await {
            Ok(result) => result,
            Err(_) => {
                wire.tcp = None;
                Err(format!("no answer from {} within {SEND_TIMEOUT_MS} ms", wire.spec.address))
            }
        };
        if let Err(error) = &result {
            tracing::warn!(command = %outgoing.id, %error, "telecommand not sent");
        }
        let input = Input::Uplinked { id: outgoing.id, result, time_ms: clock() };
        if inputs.send(input).await.is_err() {
            return;
        }
    }
}

/// A TCP connection of the uplink: plain, or a TLS session.
type Stream = Box<dyn AsyncWrite + Send + Unpin>;

struct Wire {
    spec: UplinkSpec,
    tls: Option<Arc<UplinkTls>>,
    udp: Option<UdpSocket>,
    tcp: Option<Stream>,
    frame_sequence: u8,
}

impl Wire {
    /// Sends one telecommand; returns the bytes put on the wire.
    async fn send(&mut self, packet: &[u8]) -> Result<usize, String> {
        let bytes = match self.spec.framing {
            UplinkFraming::Packets => packet.to_vec(),
            UplinkFraming::Frames { spacecraft_id, virtual_channel, fecf } => {
                let sequence = self.frame_sequence;
                self.frame_sequence = self.frame_sequence.wrapping_add(1);
                tc::frame::tc_frame(spacecraft_id, virtual_channel, sequence, true, packet, fecf)
                    .map_err(|error| format!("cannot frame it: {error}"))?
            }
        };
        let address = self.spec.address.clone();
        match self.spec.transport {
            Transport::Udp => {
                if self.udp.is_none() {
                    let local = if address.starts_with("127.") || address.starts_with("localhost") {
                        "127.0.0.1:0"
                    } else {
                        "0.0.0.0:0"
                    };
                    let socket = UdpSocket::bind(local).await.map_err(|e| format!("cannot open a UDP socket: {e}"))?;
                    self.udp = Some(socket);
                }
                let socket = self.udp.as_ref().ok_or("no UDP socket")?;
                socket.send_to(&bytes, &address).await.map_err(|e| format!("UDP send to {address}: {e}"))?;
            }
            Transport::Tcp => {
                if self.tcp.is_none() {
                    let stream =
                        TcpStream::connect(&address).await.map_err(|e| format!("cannot connect to {address}: {e}"))?;
                    let _ = stream.set_nodelay(true);
                    let mut stream: Stream = match &self.tls {
                        None => Box::new(stream),
                        // Nothing is written to a station before it is authorized.
                        Some(tls) => Box::new(tls.connect(stream).await?),
                    };
                    if let Some(login) = &self.spec.login {
                        // The error names the secret, never its value.
                        write(&mut stream, login.line().expose())
                            .await
                            .map_err(|e| format!("TCP login to {address} with secret {}: {e}", login.secret))?;
                    }
                    self.tcp = Some(stream);
                }
                let stream = self.tcp.as_mut().ok_or("no TCP connection")?;
                if let Err(error) = write(stream, &bytes).await {
                    self.tcp = None;
                    return Err(format!("TCP write to {address}: {error}"));
                }
            }
        }
        Ok(bytes.len())
    }
}

/// Writes and flushes (a TLS session keeps records in its buffer until flushed).
async fn write(stream: &mut Stream, bytes: &[u8]) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}
