//! Mutual TLS on a TCP link, end to end on loopback: a client with a certificate of the
//! deployment's own mission and environment is ingested; a certificate of another mission, a
//! forged one (another CA), an expired one and a plaintext client are refused, none of their
//! bytes ingested, each refusal reported with its reason; the link's certificate rotates.

use super::{workload_model, workload_packet};
use crate::links::tls::link_id;
use crate::{Clock, Deployment, DeploymentSpec, LinkSecurity, LinkSpec, LinkTls, Platform, Refusal, Transport};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;

/// 2027-01-15, ms since the Unix epoch.
const T0: u64 = 1_800_000_000_000;
const HOUR_MS: u64 = 3_600_000;
const TD: &str = "groundplane.local";
const PACKETS: usize = 5;

async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

fn scope() -> base::Scope {
    base::Scope { mission: "sentinel-x".parse().unwrap(), env: base::Env::Dev }
}

/// A client of the link with `issued`'s certificate: the handshake, then `packets`. The
/// serial of the certificate the link presented, when the client's handshake passed.
async fn send_tls(
    address: SocketAddr,
    ca: &pki::Authority,
    issued: &pki::Issued,
    clock: Clock,
    packets: &[Vec<u8>],
) -> Option<String> {
    let source = Arc::new(pki::CertSource::new(issued).unwrap());
    let server = pki::Expected::exactly(&link_id(TD, &scope(), "tm").unwrap());
    let config = pki::client_config(&ca.bundle(), source, server, clock).unwrap();
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config).connect(pki::server_name(), stream).await.ok()?;
    let serial = tls.get_ref().1.peer_certificates().map(|certs| pki::serial_hex(&certs[0]));
    for packet in packets {
        if tls.write_all(packet).await.is_err() {
            break;
        }
    }
    let _ = tls.shutdown().await;
    serial
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutual_tls_link_ingests_its_own_scope_and_refuses_and_reports_the_rest() {
    let dir = test_utils::temp_dir("tls-link");
    let now = Arc::new(AtomicU64::new(T0));
    let clock: Clock = {
        let now = now.clone();
        // Time moves on at each reading, so that the ingest thread commits.
        Arc::new(move || now.fetch_add(20, Ordering::Relaxed))
    };
    let ca = Arc::new(pki::Authority::create(TD, T0 - HOUR_MS).unwrap());
    let refusals: Arc<Mutex<Vec<Refusal>>> = Arc::default();
    let events = {
        let refusals = refusals.clone();
        Arc::new(move |refusal: Refusal| refusals.lock().unwrap().push(refusal))
    };
    let spec = DeploymentSpec {
        scope: scope(),
        model: workload_model(),
        pus: None,
        links: vec![LinkSpec {
            name: "tm".into(),
            transport: Transport::Tcp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: LinkTls::Mutual,
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.clone(),
        commanding: Default::default(),
        security: LinkSecurity { authority: Some(ca.clone()), events: Some(events) },
    };
    let platform = Platform::new(vec![Deployment::start(spec, clock.clone()).await.unwrap()]);
    let deployment = platform.get(&scope()).unwrap().clone();
    let address = deployment.bound[0];
    let packets: Vec<Vec<u8>> = (0..PACKETS as u16).map(|seq| workload_packet(seq, 7)).collect();
    let id = |text: &str| -> pki::SpiffeId { text.parse().unwrap() };
    let issue = |ca: &pki::Authority, text: &str, at_ms| ca.issue(&id(text), pki::TTL_DEFAULT_MS, at_ms).unwrap();

    // Refused first, so that their bytes would be there to see had any been ingested.
    let other_mission = issue(&ca, "spiffe://groundplane.local/mission/other-sat/env/dev/simulator", T0);
    let forger = pki::Authority::create(TD, T0).unwrap();
    let forged = issue(&forger, "spiffe://groundplane.local/mission/sentinel-x/env/dev/simulator", T0);
    let expired = issue(&ca, "spiffe://groundplane.local/mission/sentinel-x/env/dev/simulator", T0 - 48 * HOUR_MS);
    let refused_count = |n: usize| {
        let refusals = refusals.clone();
        move || refusals.lock().unwrap().len() >= n
    };
    send_tls(address, &ca, &other_mission, clock.clone(), &packets).await;
    wait_for("the other mission's refusal", refused_count(1)).await;
    send_tls(address, &ca, &forged, clock.clone(), &packets).await;
    wait_for("the forged certificate's refusal", refused_count(2)).await;
    send_tls(address, &ca, &expired, clock.clone(), &packets).await;
    wait_for("the expired certificate's refusal", refused_count(3)).await;
    let mut plain = tokio::net::TcpStream::connect(address).await.unwrap();
    for packet in &packets {
        let _ = plain.write_all(packet).await;
    }
    wait_for("the plaintext client's refusal", refused_count(4)).await;
    drop(plain);

    // The deployment's own simulator.
    let simulator = issue(&ca, "spiffe://groundplane.local/mission/sentinel-x/env/dev/simulator", T0);
    let first_serial = send_tls(address, &ca, &simulator, clock.clone(), &packets).await.expect("accepted");
    wait_for("the good client's packets", || deployment.status().stored.units >= PACKETS as u64).await;

    // 17 hours later the link's certificate is due: the next connection gets a new one.
    now.store(T0 + 17 * HOUR_MS, Ordering::Relaxed);
    let second_serial = send_tls(address, &ca, &simulator, clock.clone(), &packets).await.expect("accepted");
    assert_ne!(first_serial, second_serial, "the link presented a rotated certificate");
    wait_for("the packets after rotation", || deployment.status().stored.units >= 2 * PACKETS as u64).await;

    let status = deployment.status();
    assert_eq!(status.stored.units, 2 * PACKETS as u64, "no refused byte was ingested");
    assert_eq!(status.links[0].bytes_in, 2 * PACKETS as u64 * 148);
    let refusals = refusals.lock().unwrap().clone();
    let summary: Vec<String> = refusals
        .iter()
        .map(|r| {
            assert_eq!((r.scope.clone(), r.link.as_str(), r.peer.ip()), (scope(), "tm", address.ip()));
            format!("{}: {} ({})", r.rejection.kind(), r.rejection, r.presented.as_deref().unwrap_or("-"))
        })
        .collect();
    assert_eq!(
        summary[..3],
        [
            "other_mission: spiffe://groundplane.local/mission/other-sat/env/dev/simulator is of another mission \
             (expected `sentinel-x`) (spiffe://groundplane.local/mission/other-sat/env/dev/simulator)",
            "bad_signature: the certificate's signature is invalid (forged) (-)",
            "expired: the certificate has expired (-)",
        ],
        "{summary:#?}"
    );
    // The plaintext client: checked apart, rustls's wording is not ours.
    assert_eq!(refusals.len(), 4);
    assert_eq!(refusals[3].rejection.kind(), "not_tls", "{}", refusals[3].rejection);
    let mut counts = deployment.tls_refusals();
    counts.sort();
    let expected = [("tm", "bad_signature", 1), ("tm", "expired", 1), ("tm", "not_tls", 1), ("tm", "other_mission", 1)];
    assert_eq!(counts, expected.map(|(l, k, n)| (l.to_string(), k, n)));
    let mut metrics = String::new();
    crate::metrics::write(&platform, &mut metrics);
    assert!(
        metrics.contains(
            "groundplane_link_tls_refused_total{mission=\"sentinel-x\",env=\"dev\",link=\"tm\",reason=\"expired\"} 1"
        ),
        "{metrics}"
    );
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_needs_a_tcp_link_and_a_ca() {
    let dir = test_utils::temp_dir("tls-link-config");
    let clock: Clock = Arc::new(|| T0);
    let spec = |transport, authority: Option<Arc<pki::Authority>>| DeploymentSpec {
        scope: scope(),
        model: workload_model(),
        pus: None,
        links: vec![LinkSpec {
            name: "tm".into(),
            transport,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: LinkTls::Mutual,
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.clone(),
        commanding: Default::default(),
        security: LinkSecurity { authority, events: None },
    };
    let ca = Arc::new(pki::Authority::create(TD, T0).unwrap());
    let refused = |result: Result<Deployment, crate::DeploymentError>| match result {
        Ok(_) => panic!("started"),
        Err(error) => error.to_string(),
    };
    assert_eq!(
        refused(Deployment::start(spec(Transport::Udp, Some(ca)), clock.clone()).await),
        "sentinel-x/dev: link tm: mutual TLS needs a TCP link"
    );
    assert_eq!(
        refused(Deployment::start(spec(Transport::Tcp, None), clock).await),
        "sentinel-x/dev: link tm: mutual TLS, but no CA was given"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The simulator's TM client (`sim_link`) with a certificate of the deployment's scope: its
/// telemetry is ingested through the mutual TLS link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_sends_telemetry_over_mutual_tls() {
    let dir = test_utils::temp_dir("tls-link-sim");
    let now = Arc::new(AtomicU64::new(T0));
    let clock: Clock = {
        let now = now.clone();
        Arc::new(move || now.fetch_add(20, Ordering::Relaxed))
    };
    let ca = Arc::new(pki::Authority::create(TD, T0 - HOUR_MS).unwrap());
    let spec = DeploymentSpec {
        scope: scope(),
        model: workload_model(),
        pus: None,
        links: vec![LinkSpec {
            name: "tm".into(),
            transport: Transport::Tcp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: LinkTls::Mutual,
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.clone(),
        commanding: Default::default(),
        security: LinkSecurity { authority: Some(ca.clone()), events: None },
    };
    let deployment = Deployment::start(spec, clock.clone()).await.unwrap();
    let simulator_id = pki::SpiffeId::new(TD, &scope(), "simulator").unwrap();
    let source = Arc::new(pki::CertSource::new(&ca.issue(&simulator_id, pki::TTL_DEFAULT_MS, T0).unwrap()).unwrap());
    let server = pki::Expected::exactly(&link_id(TD, &scope(), "tm").unwrap());
    let config = pki::client_config(&ca.bundle(), source, server, clock.clone()).unwrap();
    let tc = sim_link::Endpoint { transport: sim_link::Transport::Udp, address: "127.0.0.1:0".into() };
    let simulator = sim::Simulator::new(&workload_model(), sim::SimConfig::new(100, 7)).unwrap();
    let tm = sim_link::Endpoint { transport: sim_link::Transport::Tcp, address: deployment.bound[0].to_string() };
    let running = sim_link::SimLink::bind(&tc, sim_link::TcFraming::Packets)
        .await
        .unwrap()
        .with_tm_tls(sim_link::TmTls { config, server_name: pki::server_name() })
        .run(simulator, tm, sim_link::TmFraming::Packets, 10, clock.clone());
    wait_for("simulated telemetry over TLS", || deployment.status().stored.units >= 3).await;
    assert_eq!(deployment.tls_refusals(), []);
    assert_eq!(running.counters().connections, 1);
    running.stop().await;
    deployment.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
