//! Mutual TLS on the command uplink, against fake ground stations on loopback: a station with
//! a certificate of the deployment's own mission and environment gets the login line, then the
//! telecommands, inside TLS, and sees the uplink's own id; a station of another mission, a
//! forged one (another CA), an expired one, a plaintext one and a silent one get nothing (no
//! login, no telecommand), each refusal reported with its reason and counted under `uplink`.
//! The uplink's certificate rotates at connect. And end to end: a command reaches the
//! simulator's TC listener over mutual TLS and completes.

use crate::commanding::uplink::tls::{uplink_id, UplinkTls, HANDSHAKE_TIMEOUT_MS};
use crate::commanding::uplink::{start, Outgoing};
use crate::commanding::{UplinkFraming, UplinkLogin, UplinkSpec};
use crate::ingest::Input;
use crate::links::tls::RefusalCounts;
use crate::{Clock, LinkSecurity, LinkTls, Refusal, Transport};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tc::lifecycle::CommandId;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// 2027-01-15, ms since the Unix epoch.
const T0: u64 = 1_800_000_000_000;
const HOUR_MS: u64 = 3_600_000;
const TD: &str = "groundplane.local";
const PASSWORD: &[u8] = b"gs-kiruna-Tq47-planted";
const COMMAND: [u8; 3] = [0x18, 1, 0xC0];

fn scope() -> base::Scope {
    base::Scope { mission: "sentinel-x".parse().unwrap(), env: base::Env::Dev }
}

fn issue(ca: &pki::Authority, text: &str, at_ms: u64) -> pki::Issued {
    ca.issue(&text.parse().unwrap(), pki::TTL_DEFAULT_MS, at_ms).unwrap()
}

/// What a fake station saw of one connection.
#[derive(Debug, Default)]
struct Seen {
    /// The client's SPIFFE id and certificate serial, when the TLS handshake passed.
    client: Option<(String, String)>,
    /// Every byte read (decrypted, for a TLS station).
    bytes: Vec<u8>,
}

/// Reads until `want` bytes, the end of the connection, or a second of silence.
async fn read_some(stream: &mut (impl AsyncReadExt + Unpin), want: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 1024];
    while bytes.len() < want {
        match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buffer)).await {
            Ok(Ok(len)) if len > 0 => bytes.extend_from_slice(&buffer[..len]),
            _ => break,
        }
    }
    bytes
}

/// A TLS ground station presenting `cert` and requiring a client certificate of `ca`: it
/// answers one connection.
async fn tls_station(
    ca: &pki::Authority,
    cert: &pki::Issued,
    clock: Clock,
    want: usize,
) -> (String, tokio::task::JoinHandle<Seen>) {
    let source = Arc::new(pki::CertSource::new(cert).unwrap());
    let config = pki::server_config(&ca.bundle(), source, pki::Requirement::Mutual, clock).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let Ok(mut tls) = tokio_rustls::TlsAcceptor::from(config).accept(stream).await else {
            return Seen::default();
        };
        let client = tls
            .get_ref()
            .1
            .peer_certificates()
            .map(|certs| (pki::spiffe_id_of(&certs[0]).unwrap().to_string(), pki::serial_hex(&certs[0])));
        Seen { client, bytes: read_some(&mut tls, want).await }
    });
    (address, task)
}

/// A plaintext station: it writes `banner` (none: it stays silent) and reads.
async fn plain_station(banner: Option<&'static [u8]>) -> (String, tokio::task::JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        if let Some(banner) = banner {
            let _ = stream.write_all(banner).await;
        }
        Seen { client: None, bytes: read_some(&mut stream, 1 << 20).await }
    });
    (address, task)
}

struct Fixture {
    ca: Arc<pki::Authority>,
    now: Arc<AtomicU64>,
    clock: Clock,
    tls: Arc<UplinkTls>,
    counts: Arc<RefusalCounts>,
    refusals: Arc<Mutex<Vec<Refusal>>>,
}

impl Fixture {
    fn new() -> Fixture {
        let now = Arc::new(AtomicU64::new(T0));
        let clock: Clock = {
            let now = now.clone();
            Arc::new(move || now.load(Ordering::Relaxed))
        };
        let ca = Arc::new(pki::Authority::create(TD, T0 - HOUR_MS).unwrap());
        let refusals: Arc<Mutex<Vec<Refusal>>> = Arc::default();
        let events = {
            let refusals = refusals.clone();
            Arc::new(move |refusal: Refusal| refusals.lock().unwrap().push(refusal))
        };
        let security = LinkSecurity { authority: Some(ca.clone()), events: Some(events) };
        let counts = Arc::new(RefusalCounts::default());
        let tls = UplinkTls::for_uplink(
            &scope(),
            &spec(String::new()),
            LinkTls::Mutual,
            &security,
            counts.clone(),
            clock.clone(),
        )
        .unwrap()
        .expect("mutual TLS");
        Fixture { ca, now, clock, tls, counts, refusals }
    }

    /// Sends one telecommand through a new uplink task to `address`: its answer.
    async fn send(&self, address: String) -> Result<usize, String> {
        let (inputs, mut answers) = mpsc::channel(8);
        let (uplink, task) = start(spec(address), Some(self.tls.clone()), inputs, self.clock.clone());
        assert!(uplink.send(Outgoing { id: CommandId(1), bytes: COMMAND.to_vec() }));
        let answer = loop {
            match answers.recv().await {
                Some(Input::Uplinked { result, .. }) => break result,
                Some(_) => continue,
                None => panic!("no answer from the uplink"),
            }
        };
        task.abort();
        answer
    }
}

fn spec(address: String) -> UplinkSpec {
    let login = UplinkLogin::new("gs-kiruna.password", vault::SecretValue::new(PASSWORD.to_vec())).unwrap();
    UplinkSpec { transport: Transport::Tcp, address, framing: UplinkFraming::Packets, login: Some(login) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutual_tls_uplink_sends_only_to_a_station_of_its_own_scope() {
    let f = Fixture::new();
    let login_line = [b"LOGIN ".as_slice(), PASSWORD, b"\n"].concat();
    let want = login_line.len() + COMMAND.len();
    let station = "spiffe://groundplane.local/mission/sentinel-x/env/dev/station-kiruna";

    // The mission's own station: the login, then the telecommand, inside TLS.
    let (address, seen) = tls_station(&f.ca, &issue(&f.ca, station, T0), f.clock.clone(), want).await;
    assert_eq!(f.send(address).await, Ok(3));
    let seen = seen.await.unwrap();
    assert_eq!(seen.bytes, [login_line.as_slice(), &COMMAND].concat());
    let (client_id, first_serial) = seen.client.expect("the uplink presented a certificate");
    assert_eq!(client_id, uplink_id(TD, &scope()).unwrap().to_string());
    assert_eq!(client_id, "spiffe://groundplane.local/mission/sentinel-x/env/dev/uplink");

    // 17 hours later the uplink's certificate is due: the next connection presents a new one.
    f.now.store(T0 + 17 * HOUR_MS, Ordering::Relaxed);
    let (address, seen) = tls_station(&f.ca, &issue(&f.ca, station, T0 + 17 * HOUR_MS), f.clock.clone(), want).await;
    assert_eq!(f.send(address).await, Ok(3));
    let seen = seen.await.unwrap();
    assert_eq!(seen.bytes.len(), want);
    assert_ne!(seen.client.expect("accepted").1, first_serial, "the uplink presented a rotated certificate");
    assert_eq!(f.refusals.lock().unwrap().len(), 0);
    f.now.store(T0, Ordering::Relaxed);

    // Stations that are refused: none gets a login or a telecommand.
    let forger = pki::Authority::create(TD, T0 - HOUR_MS).unwrap();
    let cases = [
        issue(&f.ca, "spiffe://groundplane.local/mission/other-sat/env/dev/station-kiruna", T0),
        issue(&forger, station, T0),
        issue(&f.ca, station, T0 - 48 * HOUR_MS),
        issue(&f.ca, "spiffe://groundplane.local/mission/sentinel-x/env/ops/station-kiruna", T0),
    ];
    let mut answers = Vec::new();
    for cert in &cases {
        let (address, seen) = tls_station(&f.ca, cert, f.clock.clone(), want).await;
        answers.push(f.send(address).await.expect_err("refused"));
        let seen = seen.await.unwrap();
        assert!(seen.client.is_none() && seen.bytes.is_empty(), "{seen:?}");
    }
    for banner in [Some(b"220 station ready\r\n".as_slice()), None] {
        let (address, seen) = plain_station(banner).await;
        answers.push(f.send(address).await.expect_err("refused"));
        let seen = seen.await.unwrap();
        // It got a TLS client hello, and nothing else.
        assert_eq!(seen.bytes.first(), Some(&0x16), "{seen:?}");
        assert!(!seen.bytes.windows(5).any(|w| w == b"LOGIN"), "{seen:?}");
        assert!(!seen.bytes.windows(COMMAND.len()).any(|w| w == COMMAND), "{seen:?}");
    }
    for answer in &answers {
        assert!(answer.contains("refused"), "{answer}");
        assert!(!answer.contains("Tq47"), "{answer}");
    }

    let refusals = f.refusals.lock().unwrap().clone();
    let summary: Vec<String> = refusals
        .iter()
        .map(|r| {
            assert_eq!((r.scope.clone(), r.link.as_str(), r.at_ms), (scope(), "uplink", T0));
            assert!(r.peer.ip().is_loopback(), "{r:?}");
            format!("{}: {} ({})", r.rejection.kind(), r.rejection, r.presented.as_deref().unwrap_or("-"))
        })
        .collect();
    assert_eq!(
        summary[..4],
        [
            "other_mission: spiffe://groundplane.local/mission/other-sat/env/dev/station-kiruna is of another \
             mission (expected `sentinel-x`) (spiffe://groundplane.local/mission/other-sat/env/dev/station-kiruna)",
            "bad_signature: the certificate's signature is invalid (forged) (-)",
            "expired: the certificate has expired (-)",
            "other_env: spiffe://groundplane.local/mission/sentinel-x/env/ops/station-kiruna is of another \
             environment (expected `dev`) (spiffe://groundplane.local/mission/sentinel-x/env/ops/station-kiruna)",
        ],
        "{summary:#?}"
    );
    // The plaintext stations: checked apart, rustls's wording is not ours.
    assert_eq!(refusals.len(), 6, "{summary:#?}");
    assert_eq!(refusals[4].rejection.kind(), "not_tls", "{}", refusals[4].rejection);
    assert_eq!(refusals[5].rejection, pki::Rejection::Timeout { timeout_ms: HANDSHAKE_TIMEOUT_MS });
    let mut counts = f.counts.snapshot();
    counts.sort();
    let expected = [
        ("uplink", "bad_signature", 1),
        ("uplink", "expired", 1),
        ("uplink", "not_tls", 1),
        ("uplink", "other_env", 1),
        ("uplink", "other_mission", 1),
        ("uplink", "timeout", 1),
    ];
    assert_eq!(counts, expected.map(|(l, k, n)| (l.to_string(), k, n)));
}

#[tokio::test]
async fn mutual_tls_needs_a_tcp_uplink_and_a_ca() {
    let ca = Arc::new(pki::Authority::create(TD, T0).unwrap());
    let clock: Clock = Arc::new(|| T0);
    let try_uplink = |transport, authority: Option<Arc<pki::Authority>>| {
        let spec = UplinkSpec { transport, ..spec("127.0.0.1:1".into()) };
        let security = LinkSecurity { authority, events: None };
        let counts = Arc::new(RefusalCounts::default());
        match UplinkTls::for_uplink(&scope(), &spec, LinkTls::Mutual, &security, counts, clock.clone()) {
            Ok(tls) => format!("ok: {}", tls.map_or("off".to_string(), |tls| tls.certificate().id().to_string())),
            Err(error) => error.to_string(),
        }
    };
    assert_eq!(
        try_uplink(Transport::Udp, Some(ca.clone())),
        "sentinel-x/dev: link uplink: mutual TLS needs a TCP uplink"
    );
    assert_eq!(try_uplink(Transport::Tcp, None), "sentinel-x/dev: link uplink: mutual TLS, but no CA was given");
    assert_eq!(
        try_uplink(Transport::Tcp, Some(ca)),
        "ok: spiffe://groundplane.local/mission/sentinel-x/env/dev/uplink"
    );
}

/// The whole path: the deployment's uplink connects with mutual TLS to the simulator's TC
/// listener (`sim_link::TcTls`, a certificate of the same scope), and a command completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_goes_to_the_simulator_over_mutual_tls_and_completes() {
    use crate::commanding::tests::{mib_config, mib_model};
    use api::backend::Backend;
    let dir = test_utils::temp_dir("uplink-tls-sim");
    let start = std::time::Instant::now();
    let clock: Clock = Arc::new(move || T0 + start.elapsed().as_millis() as u64);
    let ca = Arc::new(pki::Authority::create(TD, T0 - HOUR_MS).unwrap());
    let simulator_id = pki::SpiffeId::new(TD, &scope(), "simulator").unwrap();
    let source = Arc::new(pki::CertSource::new(&ca.issue(&simulator_id, pki::TTL_DEFAULT_MS, T0).unwrap()).unwrap());
    let config = pki::server_config(&ca.bundle(), source, pki::Requirement::Mutual, clock.clone()).unwrap();
    let tc_tls = sim_link::TcTls { config, expected: pki::Expected::scope(TD, &scope()) };
    let tc = sim_link::Endpoint { transport: sim_link::Transport::Tcp, address: "127.0.0.1:0".into() };
    let link = sim_link::SimLink::bind(&tc, sim_link::TcFraming::Packets).await.unwrap().with_tc_tls(tc_tls);
    let uplink = UplinkSpec { login: None, ..spec(link.tc_local().to_string()) };
    let simulator = sim::Simulator::new(&mib_model(), mib_config()).unwrap();
    let spec = crate::DeploymentSpec {
        scope: scope(),
        model: mib_model(),
        pus: Some(simulator.pus_layout()),
        links: vec![crate::LinkSpec {
            name: "tm".into(),
            transport: Transport::Udp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: LinkTls::Off,
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.clone(),
        commanding: crate::CommandingSpec {
            uplink: Some(uplink),
            uplink_tls: LinkTls::Mutual,
            acceptance_timeout_ms: 5_000,
            completion_timeout_ms: 5_000,
            ..crate::CommandingSpec::default()
        },
        security: LinkSecurity { authority: Some(ca.clone()), events: None },
    };
    let deployment = crate::Deployment::start(spec, clock.clone()).await.unwrap();
    let tm = sim_link::Endpoint { transport: sim_link::Transport::Udp, address: deployment.bound[0].to_string() };
    let running = link.run(simulator, tm, sim_link::TmFraming::Packets, 10, clock.clone());
    let platform = crate::Platform::new(vec![deployment]);
    let request = api::wire::CommandRequest {
        command: "/MIB/TESTCMD".into(),
        arguments: Default::default(),
        release_at_ms: None,
        schedule_at_ms: None,
    };
    let alice = api::gate::Principal::named("alice", api::gate::PrincipalKind::Token);
    let id = tokio::task::block_in_place(|| platform.send_command(&scope(), &request, &alice)).unwrap().id;
    let waited = std::time::Instant::now();
    let view = loop {
        let view = tokio::task::block_in_place(|| platform.command(&scope(), id)).unwrap();
        if view.finished {
            break view;
        }
        assert!(waited.elapsed() < Duration::from_secs(20), "the command did not finish: {view:#?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(view.state, "completed", "{view:#?}");
    let deployment = platform.get(&scope()).unwrap().clone();
    assert_eq!(deployment.tls_refusals(), []);
    assert_eq!((running.counters().tc_received, running.counters().connections), (1, 1));
    running.stop().await;
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
