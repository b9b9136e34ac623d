//! The sockets of a deployment's links: tasks that read UDP datagrams or TCP streams and hand
//! the bytes, with their reception time, to the ingest thread. They do no decoding. A TCP
//! link may require mutual TLS (`tls`): then only authorized peers' bytes are read.

pub mod tls;

use crate::ingest::Input;
use crate::{Clock, DeploymentError, LinkSpec, Transport};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tls::TlsLink;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Largest UDP datagram read.
pub const DATAGRAM_LEN_MAX: usize = 65_536;
/// Bytes read from a TCP connection at a time.
pub const READ_LEN: usize = 256 * 1024;
/// TCP connections one link accepts at once; more are refused (closed at once) and logged.
pub const CONNECTIONS_MAX: u64 = 64;

/// A link's socket, bound.
pub struct BoundLink {
    pub local: SocketAddr,
    pub task: JoinHandle<()>,
}

/// Binds the link's socket and starts reading it (a TCP link through `tls` when it requires TLS).
pub async fn start(
    index: usize,
    spec: &LinkSpec,
    inputs: mpsc::Sender<Input>,
    clock: Clock,
    tls: Option<Arc<TlsLink>>,
) -> Result<BoundLink, DeploymentError> {
    let bind_error = |source: std::io::Error| DeploymentError::Bind {
        link: spec.name.clone(),
        address: spec.address.clone(),
        source,
    };
    match spec.transport {
        Transport::Udp => {
            let socket = UdpSocket::bind(&spec.address).await.map_err(bind_error)?;
            let local = socket.local_addr().map_err(bind_error)?;
            let task = tokio::spawn(udp(index, socket, inputs, clock));
            Ok(BoundLink { local, task })
        }
        Transport::Tcp => {
            let listener = TcpListener::bind(&spec.address).await.map_err(bind_error)?;
            let local = listener.local_addr().map_err(bind_error)?;
            let task = tokio::spawn(tcp(index, spec.name.clone(), listener, inputs, clock, tls));
            Ok(BoundLink { local, task })
        }
    }
}

async fn udp(link: usize, socket: UdpSocket, inputs: mpsc::Sender<Input>, clock: Clock) {
    let mut buffer = vec![0u8; DATAGRAM_LEN_MAX];
    loop {
        let len = match socket.recv_from(&mut buffer).await {
            Ok((len, _peer)) => len,
            Err(error) => {
                tracing::warn!(%error, "UDP receive failed");
                continue;
            }
        };
        let input = Input::Datagram { link, bytes: buffer[..len].to_vec(), reception_ms: clock() };
        if inputs.send(input).await.is_err() {
            return;
        }
    }
}

async fn tcp(
    link: usize,
    name: String,
    listener: TcpListener,
    inputs: mpsc::Sender<Input>,
    clock: Clock,
    tls: Option<Arc<TlsLink>>,
) {
    let next_connection = Arc::new(AtomicU64::new(1));
    let open = Arc::new(AtomicU64::new(0));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, link = %name, "TCP accept failed");
                continue;
            }
        };
        if open.load(Ordering::Relaxed) >= CONNECTIONS_MAX {
            tracing::warn!(link = %name, %peer, "refused: {CONNECTIONS_MAX} connections already open");
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let connection = next_connection.fetch_add(1, Ordering::Relaxed);
        tracing::info!(link = %name, %peer, connection, "connected");
        let (inputs, clock, open, name, tls) = (inputs.clone(), clock.clone(), open.clone(), name.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                None => read_stream(link, connection, stream, &inputs, &clock).await,
                // A refused peer's bytes are never read: it is closed (and reported) here.
                Some(tls) => {
                    if let Some(stream) = tls.accept(stream, peer).await {
                        read_stream(link, connection, stream, &inputs, &clock).await;
                    }
                }
            }
            open.fetch_sub(1, Ordering::Relaxed);
            tracing::info!(link = %name, %peer, connection, "disconnected");
        });
    }
}

async fn read_stream(
    link: usize,
    connection: u64,
    mut stream: impl AsyncRead + Unpin,
    inputs: &mpsc::Sender<Input>,
    clock: &Clock,
) {
    if inputs.send(Input::StreamStart { link, connection }).await.is_err() {
        return;
    }
    let mut buffer = vec![0u8; READ_LEN];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) => break,
            Ok(len) => {
                let input = Input::Stream { link, connection, bytes: buffer[..len].to_vec(), reception_ms: clock() };
                if inputs.send(input).await.is_err() {
                    return;
                }
            }
            Err(error) => {
                tracing::warn!(%error, connection, "TCP read failed");
                break;
            }
        }
    }
    let _ = inputs.send(Input::StreamEnd { link, connection, reception_ms: clock() }).await;
}
