//! The TM sender: takes units (packets or frames) from the simulator task and writes them to
//! one address, over UDP (a datagram each) or a TCP connection it makes and remakes. Units it
//! cannot send are counted as dropped; it never makes the simulator task wait.

use crate::link::Counters;
use crate::{Endpoint, Transport, RETRY_MS};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Sends until the simulator task is gone.
pub(crate) async fn send(tm: Endpoint, units: mpsc::Receiver<Vec<u8>>, counters: Arc<Counters>) {
    match tm.transport {
        Transport::Udp => udp(&tm.address, units, counters).await,
        Transport::Tcp => tcp(&tm.address, units, counters).await,
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

async fn tcp(address: &str, mut units: mpsc::Receiver<Vec<u8>>, counters: Arc<Counters>) {
    let mut failures = 0u64;
    loop {
        let connect = tokio::time::timeout(Duration::from_millis(RETRY_MS), TcpStream::connect(address)).await;
        let error = match connect {
            Ok(Ok(stream)) => {
                Counters::add(&counters.connections, 1);
                tracing::info!(address, "TM: connected");
                failures = 0;
                match connected(stream, &mut units, &counters).await {
                    Closed::Ended => return,
                    // A connection that carried telemetry is remade at once; one that did
                    // not waits, so a peer that closes at once does not make a busy loop.
                    Closed::Dropped { carried: true } => continue,
                    Closed::Dropped { carried: false } => "the connection closed before any TM".to_string(),
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

/// Writes units to the connection until it fails or the simulator task is gone. Whatever
/// the peer sends is read and ignored, so that its closing is seen at once.
async fn connected(stream: TcpStream, units: &mut mpsc::Receiver<Vec<u8>>, counters: &Counters) -> Closed {
    let (mut reader, mut writer) = stream.into_split();
    let mut ignored = [0u8; 512];
    let mut carried = false;
    loop {
        tokio::select! {
            unit = units.recv() => {
                let Some(unit) = unit else { return Closed::Ended };
                if let Err(error) = writer.write_all(&unit).await {
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
