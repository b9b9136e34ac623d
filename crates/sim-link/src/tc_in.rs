//! The TC socket: UDP datagrams, or TCP clients, each decoded into telecommand packets for
//! the simulator task. Bad bytes are counted and logged; they never end the task. A TCP
//! listener with `TcTls` reads a client only after a TLS handshake with a certificate of the
//! platform's CA whose SPIFFE id it expects; a refused client is logged and closed.

use crate::link::Counters;
use crate::tc_decode::{TcDecoder, TcUnit};
use crate::{Clock, Endpoint, SimLinkError, TcFraming, TcTls, Transport};
use crate::{DATAGRAM_LEN_MAX, READ_LEN, TC_CONNECTIONS_MAX, TC_HANDSHAKE_TIMEOUT_MS};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// The bound TC socket.
pub(crate) enum TcSocket {
    Udp(UdpSocket),
    Tcp(TcpListener),
}

impl TcSocket {
    pub(crate) async fn bind(endpoint: &Endpoint) -> Result<(TcSocket, SocketAddr), SimLinkError> {
        let bind_error = |source| SimLinkError::Bind { address: endpoint.to_string(), source };
        let socket = match endpoint.transport {
            Transport::Udp => TcSocket::Udp(UdpSocket::bind(&endpoint.address).await.map_err(bind_error)?),
            Transport::Tcp => TcSocket::Tcp(TcpListener::bind(&endpoint.address).await.map_err(bind_error)?),
        };
        let local = match &socket {
            TcSocket::Udp(socket) => socket.local_addr(),
            TcSocket::Tcp(listener) => listener.local_addr(),
        };
        Ok((socket, local.map_err(bind_error)?))
    }
}

/// Mutual TLS of a TCP listener, and the clock certificates are checked against.
#[derive(Clone)]
pub(crate) struct Tls {
    pub tls: TcTls,
    pub clock: Clock,
}

/// Reads the socket until the simulator task is gone (TCP clients through `tls` when given).
pub(crate) async fn serve(
    socket: TcSocket,
    framing: TcFraming,
    tcs: mpsc::Sender<Vec<u8>>,
    counters: Arc<Counters>,
    tls: Option<Tls>,
) {
    match socket {
        TcSocket::Udp(socket) => udp(socket, framing, tcs, counters).await,
        TcSocket::Tcp(listener) => tcp(listener, framing, tcs, counters, tls).await,
    }
}

async fn udp(socket: UdpSocket, framing: TcFraming, tcs: mpsc::Sender<Vec<u8>>, counters: Arc<Counters>) {
    let mut buffer = vec![0u8; DATAGRAM_LEN_MAX];
    loop {
        let (len, peer) = match socket.recv_from(&mut buffer).await {
            Ok(received) => received,
            Err(error) => {
                tracing::warn!(%error, "TC: UDP receive failed");
                continue;
            }
        };
        // Each datagram stands alone: a bad one does not spoil the next.
        let mut decoder = TcDecoder::new(framing);
        let mut units = decoder.push(&buffer[..len]);
        units.extend(decoder.finish());
        if !deliver(units, &peer.to_string(), &tcs, &counters).await {
            return;
        }
    }
}

async fn tcp(
    listener: TcpListener,
    framing: TcFraming,
    tcs: mpsc::Sender<Vec<u8>>,
    counters: Arc<Counters>,
    tls: Option<Tls>,
) {
    // Owned here so that aborting this task aborts every connection's task too.
    let mut clients = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            Some(_) = clients.join_next() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "TC: TCP accept failed");
                continue;
            }
        };
        if clients.len() as u64 >= TC_CONNECTIONS_MAX {
            tracing::warn!(%peer, "TC: refused: {TC_CONNECTIONS_MAX} clients already connected");
            continue;
        }
        let (tcs, counters) = (tcs.clone(), counters.clone());
        match &tls {
            None => {
                Counters::add(&counters.connections, 1);
                tracing::info!(%peer, "TC: client connected");
                clients.spawn(client(stream, peer, framing, tcs, counters));
            }
            Some(tls) => {
                let tls = tls.clone();
                clients.spawn(async move {
                    if let Some(stream) = authorize(stream, peer, &tls).await {
                        Counters::add(&counters.connections, 1);
                        client(stream, peer, framing, tcs, counters).await;
                    }
                });
            }
        }
    }
}

/// The handshake, then the client's identity: the stream when `tls` expects the client;
/// `None` (logged) when it is refused.
async fn authorize(
    stream: TcpStream,
    peer: SocketAddr,
    tls: &Tls,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.tls.config.clone());
    let timeout = Duration::from_millis(TC_HANDSHAKE_TIMEOUT_MS);
    let rejection = match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => {
            let certs = stream.get_ref().1.peer_certificates();
            match pki::authorize_peer(certs, &tls.tls.expected, (tls.clock)()) {
                Ok(id) => {
                    tracing::info!(%peer, %id, "TC: TLS client connected");
                    return Some(stream);
                }
                Err(rejection) => rejection,
            }
        }
        Ok(Err(error)) => pki::rejection_of_io(&error),
        Err(_) => pki::Rejection::Timeout { timeout_ms: TC_HANDSHAKE_TIMEOUT_MS },
    };
    tracing::warn!(%peer, reason = %rejection, "TC: TLS client refused");
    None
}

async fn client<S: AsyncRead + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    framing: TcFraming,
    tcs: mpsc::Sender<Vec<u8>>,
    counters: Arc<Counters>,
) {
    let place = peer.to_string();
    let mut decoder = TcDecoder::new(framing);
    let mut buffer = vec![0u8; READ_LEN];
    loop {
        let (units, ended) = match stream.read(&mut buffer).await {
            Ok(0) => (decoder.finish(), true),
            Ok(len) => (decoder.push(&buffer[..len]), false),
            Err(error) => {
                tracing::warn!(%error, %peer, "TC: TCP read failed");
                (decoder.finish(), true)
            }
        };
        if !deliver(units, &place, &tcs, &counters).await {
            return;
        }
        if ended {
            tracing::info!(%peer, "TC: client disconnected");
            return;
        }
        if decoder.lost_sync() {
            tracing::warn!(%peer, "TC: the stream lost sync; closing the connection");
            return;
        }
    }
}

/// Hands the packets to the simulator task and counts the rest; false when it is gone.
async fn deliver(units: Vec<TcUnit>, place: &str, tcs: &mpsc::Sender<Vec<u8>>, counters: &Counters) -> bool {
    for unit in units {
        match unit {
            TcUnit::Packet(packet) => {
                Counters::add(&counters.tc_received, 1);
                if tcs.send(packet).await.is_err() {
                    return false;
                }
            }
            TcUnit::Invalid { offset, len, reason } => {
                Counters::add(&counters.tc_invalid, 1);
                tracing::warn!(from = place, offset, len, "TC: invalid unit: {reason}");
            }
            TcUnit::Ignored { offset, reason } => tracing::debug!(from = place, offset, "TC: ignored {reason}"),
        }
    }
    true
}
