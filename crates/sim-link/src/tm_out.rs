//! The TM sender: takes units (packets or frames) from the simulator task and writes them to
//! one address, over UDP (a datagram each) or a TCP connection it makes and remakes. Units it
//! cannot send are counted as dropped; it never makes the simulator task wait.

use crate::link::Counters;
use crate::{Endpoint, TmTls, Transport, RETRY_MS};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Sends until the simulator task is gone.
pub(crate) async fn send(tm: Endpoint, units: mpsc::Receiver<Vec<u8>>, counters: Arc<Counters>, tls: Option<TmTls>) {
    match tm.transport {
        Transport::Udp => udp(&tm.address, units, counters).await,
        Transport::Tcp => tcp(&tm.address, units, counters, tls).await,
    }
}

async fn udp(address: &str, mut units: mpsc::Receiver<Vec<u8>>, counters: Arc<Counters>) {
    let (socket, target) = loop {
        match open_udp(address).await {
            Ok(opened) => break opened,
            Err(error) => {
                tracing::error!(%error, address, "TM: cannot send UDP; trying again in {RETRY_MS} ms");
                if !drop_for(&mut units, &counters, RETRY_MS).await {
                    return;
                }
            }
        }
    };
    tracing::info!(%target, "TM: sending UDP");
    let mut failing = false;
    while let Some(unit) = units.recv().await {
        match socket.send_to(&unit, target).await {
            Ok(_) => {
                Counters::add(&counters.tm_sent, 1);
                failing = false;
            }
            Err(error) => {
                Counters::add(&counters.tm_dropped, 1);
                if !failing {
                    tracing::warn!(%error, %target, "TM: UDP send failed (counted as dropped)");
                }
                failing = true;
            }
        }
    }
}

async fn open_udp(address: &str) -> std::io::Result<(UdpSocket, SocketAddr)> {
    let target = tokio::net::lookup_host(address)
        .await?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "the host has no address"))?;
    let local: SocketAddr = if target.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    Ok((UdpSocket::bind(local).await?, target))
}

/// How a TM connection ended.
enum Closed {
    /// The simulator task is gone.
    Ended,
    /// The connection failed; `carried` says whether it sent anything.
    Dropped { carried: bool },
}

async fn tcp(address: &str, mut units: mpsc::Receiver<Vec<u8>>, counters: Arc<Counters>, tls: Option<TmTls>) {
    let mut failures = 0u64;
    loop {
        let connect = tokio::time::timeout(Duration::from_millis(RETRY_MS), TcpStream::connect(address)).await;
        let error = match connect {
            Ok(Ok(stream)) => {
                let closed = match &tls {
                    None => Ok(connected(stream, address, &mut units, &counters, &mut failures).await),
                    Some(tls) => match handshake(stream, tls).await {
                        Ok(stream) => {
                            let opened = Instant::now();
                            let closed = connected(stream, address, &mut units, &counters, &mut failures).await;
                            // A server that refuses the certificate closes right after the
                            // handshake, when TM may already be written: a connection that short
                            // waits before the next, so refusals do not come in a busy loop.
                            Ok(match closed {
                                Closed::Dropped { carried } => Closed::Dropped {
                                    carried: carried && opened.elapsed() >= Duration::from_millis(RETRY_MS),
                                },
                                ended => ended,
                            })
                        }
                        Err(error) => Err(format!("TLS: {error}")),
                    },
                };
                match closed {
                    Err(error) => error,
                    Ok(Closed::Ended) => return,
                    // A connection that carried telemetry is remade at once; one that did
                    // not waits, so a peer that closes at once does not make a busy loop.
                    Ok(Closed::Dropped { carried: true }) => continue,
                    Ok(Closed::Dropped { carried: false }) => "the connection closed before any TM".to_string(),
                }
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no connection within {RETRY_MS} ms"),
        };
        if failures == 0 {
            tracing::warn!(address, "TM: cannot connect: {error}; trying every {RETRY_MS} ms, dropping TM meanwhile");
        }
        failures += 1;
        if !drop_for(&mut units, &counters, RETRY_MS).await {
            return;
        }
    }
}

/// The TLS handshake on a new TM connection, within `RETRY_MS`.
async fn handshake(
    stream: TcpStream,
    tls: &TmTls,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, std::io::Error> {
    let connector = tokio_rustls::TlsConnector::from(tls.config.clone());
    let handshake = connector.connect(tls.server_name.clone(), stream);
    match tokio::time::timeout(Duration::from_millis(RETRY_MS), handshake).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, format!("no handshake within {RETRY_MS} ms"))),
    }
}

/// A TM connection made (and through its handshake): counted, then written to.
async fn connected<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    address: &str,
    units: &mut mpsc::Receiver<Vec<u8>>,
    counters: &Counters,
    failures: &mut u64,
) -> Closed {
    Counters::add(&counters.connections, 1);
    tracing::info!(address, "TM: connected");
    *failures = 0;
    write_units(stream, units, counters).await
}

/// Writes units to the connection until it fails or the simulator task is gone. Whatever
/// the peer sends is read and ignored, so that its closing is seen at once.
async fn write_units<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    units: &mut mpsc::Receiver<Vec<u8>>,
    counters: &Counters,
) -> Closed {
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut ignored = [0u8; 512];
    let mut carried = false;
    loop {
        tokio::select! {
            unit = units.recv() => {
                let Some(unit) = unit else { return Closed::Ended };
                // Flushing matters for TLS (records leave the buffer); for TCP it does nothing.
                let written = match writer.write_all(&unit).await {
                    Ok(()) => writer.flush().await,
                    Err(error) => Err(error),
                };
                if let Err(error) = written {
                    Counters::add(&counters.tm_dropped, 1);
                    tracing::warn!(%error, "TM: write failed; reconnecting");
                    return Closed::Dropped { carried };
                }
                Counters::add(&counters.tm_sent, 1);
                carried = true;
            }
            read = reader.read(&mut ignored) => {
                if matches!(read, Ok(0) | Err(_)) {
                    tracing::warn!("TM: the peer closed the connection; reconnecting");
                    return Closed::Dropped { carried };
                }
            }
        }
    }
}

/// Drops every unit for `wait_ms`; false when the simulator task is gone.
async fn drop_for(units: &mut mpsc::Receiver<Vec<u8>>, counters: &Counters, wait_ms: u64) -> bool {
    let deadline = Instant::now() + Duration::from_millis(wait_ms);
    loop {
        tokio::select! {
            unit = units.recv() => match unit {
                Some(_) => Counters::add(&counters.tm_dropped, 1),
                None => return false,
            },
            _ = tokio::time::sleep_until(deadline) => return true,
        }
    }
}
