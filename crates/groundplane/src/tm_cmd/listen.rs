//! `tm listen`: a live link on a UDP or TCP socket (loopback or a station's address), decoded
//! with the model as units arrive. UDP: one datagram is one unit (or a whole frame). TCP: a
//! byte stream; each accepted connection is one stream, its end flushes a truncated unit.

use super::decode::{framing, load_plan, Options, RowSink, Summary};
use super::output::Writer;
use crate::clock::now_ms;
use anyhow::Context;
use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use tm::alarms::AlarmBoard;
use tm::link::Link;
use tm::Plan;

/// Largest UDP datagram read.
const DATAGRAM_LEN_MAX: usize = 65_536;

/// Where to listen and when to stop.
#[derive(Clone, Debug)]
pub struct Listen {
    pub udp: Option<String>,
    pub tcp: Option<String>,
    /// Stop after this many units (datagrams, or connections on TCP); forever when `None`.
    pub max_units: Option<u64>,
    /// Stop after this long without data.
    pub idle_timeout_ms: Option<u64>,
}

/// Runs `tm listen`, writing rows to stdout and a summary to stderr.
pub fn run(model_path: &Path, listen: &Listen, options: &Options) -> anyhow::Result<ExitCode> {
    let Some(plan) = load_plan(model_path)? else { return Ok(ExitCode::from(1)) };
    let stdout = std::io::stdout().lock();
    let mut writer = Writer::new(std::io::LineWriter::new(stdout), options.format)?;
    let summary = match (&listen.udp, &listen.tcp) {
        (Some(address), None) => {
            let socket = UdpSocket::bind(address).with_context(|| format!("binding UDP {address}"))?;
            eprintln!("listening on UDP {}", socket.local_addr()?);
            udp(&socket, &plan, listen, options, &mut writer)?
        }
        (None, Some(address)) => {
            let listener = TcpListener::bind(address).with_context(|| format!("binding TCP {address}"))?;
            eprintln!("listening on TCP {}", listener.local_addr()?);
            tcp(&listener, &plan, listen, options, &mut writer)?
        }
        _ => anyhow::bail!("give exactly one of --udp ADDRESS and --tcp ADDRESS"),
    };
    writer.finish()?;
    eprintln!("{} packets decoded ({} samples), invalid units {:?}", summary.packets, summary.samples, summary.invalid);
    Ok(ExitCode::SUCCESS)
}

/// Datagrams until `max_units` or the idle timeout.
pub fn udp<W: Write>(
    socket: &UdpSocket,
    plan: &Plan,
    listen: &Listen,
    options: &Options,
    writer: &mut Writer<W>,
) -> anyhow::Result<Summary> {
    socket.set_read_timeout(listen.idle_timeout_ms.map(Duration::from_millis))?;
    let mut link = Link::new(plan, framing(options)?, None);
    let mut alarms = AlarmBoard::new();
    let mut sink = RowSink::new(plan, writer);
    let mut buffer = vec![0u8; DATAGRAM_LEN_MAX];
    let mut n_units = 0;
    while listen.max_units.is_none_or(|max| n_units < max) {
        let n = match socket.recv(&mut buffer) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => break,
            Err(e) => return Err(e).context("receiving"),
        };
        n_units += 1;
        sink.summary.bytes += n as u64;
        link.datagram(&buffer[..n], now_ms(), &mut alarms, &mut sink);
        if let Some(error) = sink.take_error() {
            return Err(error).context("writing the output");
        }
    }
    Ok(std::mem::take(&mut sink.summary))
}

/// Connections, one stream each, until `max_units` connections or the idle timeout.
pub fn tcp<W: Write>(
    listener: &TcpListener,
    plan: &Plan,
    listen: &Listen,
    options: &Options,
    writer: &mut Writer<W>,
) -> anyhow::Result<Summary> {
    let mut alarms = AlarmBoard::new();
    let mut sink = RowSink::new(plan, writer);
    let mut buffer = vec![0u8; 1 << 16];
    let mut n_connections = 0;
    while listen.max_units.is_none_or(|max| n_connections < max) {
        let (mut stream, peer) = listener.accept().context("accepting")?;
        n_connections += 1;
        stream.set_read_timeout(listen.idle_timeout_ms.map(Duration::from_millis))?;
        eprintln!("connection from {peer}");
        let mut link = Link::new(plan, framing(options)?, None);
        loop {
            let n = match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => break,
                Err(e) => return Err(e).context("reading"),
            };
            sink.summary.bytes += n as u64;
            link.receive(&buffer[..n], now_ms(), &mut alarms, &mut sink);
            if let Some(error) = sink.take_error() {
                return Err(error).context("writing the output");
            }
        }
        link.finish(now_ms(), &mut sink);
    }
    Ok(std::mem::take(&mut sink.summary))
}
