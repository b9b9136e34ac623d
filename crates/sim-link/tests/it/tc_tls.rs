//! The TC listener with mutual TLS: a client with a certificate of the simulator's own mission
//! and environment is answered; a client of another mission and a plaintext client are closed
//! before any of their bytes is taken as a telecommand.

use crate::links::ANSWERS;
use crate::{clock, ping, pus_simulator, TmReader, TmSource};
use sim_link::{Endpoint, SimLink, TcFraming, TcTls, TmFraming, Transport};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

const TD: &str = "groundplane.local";
const HOUR_MS: u64 = 3_600_000;
const SIMULATOR: &str = "spiffe://groundplane.local/mission/sentinel-x/env/dev/simulator";

fn scope() -> base::Scope {
    base::Scope { mission: "sentinel-x".parse().unwrap(), env: base::Env::Dev }
}

fn source(ca: &pki::Authority, id: &str, now_ms: u64) -> Arc<pki::CertSource> {
    let issued = ca.issue(&id.parse().unwrap(), pki::TTL_DEFAULT_MS, now_ms).unwrap();
    Arc::new(pki::CertSource::new(&issued).unwrap())
}

/// Reads until the listener closes the connection (what a refused client sees).
async fn until_closed(mut stream: impl AsyncRead + Unpin) {
    let mut buffer = [0u8; 256];
    let read = tokio::time::timeout(crate::WAIT, async {
        while matches!(stream.read(&mut buffer).await, Ok(len) if len > 0) {}
    });
    read.await.expect("the listener closed the connection");
}

#[tokio::test]
async fn a_tc_listener_with_mutual_tls_answers_its_own_scope_only() {
    let clock = clock();
    let now = clock();
    let ca = pki::Authority::create(TD, now - HOUR_MS).unwrap();
    let config =
        pki::server_config(&ca.bundle(), source(&ca, SIMULATOR, now), pki::Requirement::Mutual, clock.clone()).unwrap();
    let tls = TcTls { config, expected: pki::Expected::scope(TD, &scope()) };
    let sim = pus_simulator();
    let layout = sim.pus_layout();
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let tm = Endpoint { transport: Transport::Udp, address: socket.local_addr().unwrap().to_string() };
    let tc = Endpoint { transport: Transport::Tcp, address: "127.0.0.1:0".into() };
    let running = SimLink::bind(&tc, TcFraming::Packets).await.unwrap().with_tc_tls(tls).run(
        sim,
        tm,
        TmFraming::Packets,
        10,
        clock.clone(),
    );
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    let connect = |id: &str| {
        let server = pki::Expected::exactly(&SIMULATOR.parse().unwrap());
        let config = pki::client_config(&ca.bundle(), source(&ca, id, now), server, clock.clone()).unwrap();
        let address = running.tc_local();
        async move {
            let stream = TcpStream::connect(address).await.unwrap();
            tokio_rustls::TlsConnector::from(config).connect(pki::server_name(), stream).await.unwrap()
        }
    };

    // Another mission's uplink: its handshake ends on its side, then the listener closes it.
    let mut other = connect("spiffe://groundplane.local/mission/other-sat/env/dev/uplink").await;
    let _ = other.write_all(&ping(100, 1)).await;
    let _ = other.flush().await;
    until_closed(other).await;
    // A plaintext client.
    let mut plain = TcpStream::connect(running.tc_local()).await.unwrap();
    plain.write_all(&ping(100, 2)).await.unwrap();
    until_closed(plain).await;
    assert_eq!((running.counters().tc_received, running.counters().connections), (0, 0));

    // The deployment's own uplink.
    let mut own = connect("spiffe://groundplane.local/mission/sentinel-x/env/dev/uplink").await;
    let tc = ping(100, 3);
    own.write_all(&tc).await.unwrap();
    own.flush().await.unwrap();
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
    let counters = running.counters();
    assert_eq!((counters.tc_received, counters.tc_invalid, counters.connections), (1, 0, 1));
    running.stop().await;
}
