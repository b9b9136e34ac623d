//! Alarms through a running deployment: raised by limits, listed open, acknowledged by a
//! principal (once), archived with their lifecycle, streamed live.

use super::{workload_model, workload_packet};
use crate::{Clock, Deployment, DeploymentSpec, LinkSpec, Platform, Transport};
use api::backend::{Backend, BackendError};
use api::gate::{Principal, PrincipalKind};
use api::wire::{AlarmQuery, LiveMessage, Subscription};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn clock() -> Clock {
    let now = Arc::new(AtomicU64::new(5_000_000));
    Arc::new(move || now.fetch_add(1, Ordering::Relaxed))
}

async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_are_raised_acknowledged_once_archived_and_streamed() {
    let dir = test_utils::temp_dir("alarms");
    let scope = base::Scope { mission: "bench".parse().unwrap(), env: base::Env::Ops };
    let spec = DeploymentSpec {
        scope: scope.clone(),
        model: workload_model(),
        pus: None,
        links: vec![LinkSpec {
            name: "tm".into(),
            transport: Transport::Udp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: Default::default(),
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.clone(),
        commanding: Default::default(),
        security: Default::default(),
    };
    let platform = Platform::new(vec![Deployment::start(spec, clock()).await.unwrap()]);
    let deployment = platform.get(&scope).unwrap().clone();
    let mut live = platform.subscribe(&scope, &Subscription { alarms: true, ..Subscription::default() }).unwrap();
    // Wait until the subscription is taken (the ingest thread admits it at its next commit).
    wait_for("the subscription", || deployment.status().live_subscribers > 0).await;
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    // U8_00 = 255: critical; every CAL_U16 is 0.5: warning (outside [1000, 120000]).
    socket.send_to(&workload_packet(0, 255), deployment.bound[0]).unwrap();
    wait_for("alarms", || deployment.status().stored.units >= 1 && !deployment.status().open_alarms.is_empty()).await;
    let open = platform.open_alarms(&scope).unwrap();
    let u8_00 = open.iter().find(|a| a.parameter == "/bench/U8_00").expect("U8_00 is in alarm");
    assert_eq!((u8_00.phase.as_str(), u8_00.level.as_str()), ("active", "critical"));
    assert_eq!(open.len(), 11, "U8_00 and the ten CAL_U16 parameters");

    let alice = Principal::named("alice", PrincipalKind::Token);
    let ack = {
        let (platform, scope, alice) = (&platform, scope.clone(), alice.clone());
        // Backend calls block (the API runs them off the async threads).
        move |name: &'static str| tokio::task::block_in_place(|| platform.acknowledge_alarm(&scope, name, &alice))
    };
    ack("/bench/U8_00").unwrap();
    assert!(matches!(ack("/bench/U8_00"), Err(BackendError::Conflict { .. })), "twice is refused");
    assert!(matches!(ack("/bench/NO_SUCH"), Err(BackendError::NotFound { .. })));
    assert!(matches!(ack("/bench/I32_00"), Err(BackendError::Conflict { .. })), "no alarm to acknowledge");

    // Back within limits: the acknowledged alarm closes.
    socket.send_to(&workload_packet(1, 0), deployment.bound[0]).unwrap();
    // 11 raised, U8_00 acknowledged, then closed.
    wait_for("13 alarm changes", || deployment.status().stored.units >= 2 && deployment.status().stored.alarms >= 13)
        .await;
    let query = AlarmQuery { from_ms: 0, to_ms: u64::MAX, min_level: String::new(), cursor: None, limit: 100 };
    let history: Vec<(String, String)> = platform
        .alarms(&scope, &query)
        .unwrap()
        .items
        .into_iter()
        .filter(|a| a.parameter == "/bench/U8_00")
        .map(|a| (a.change, a.by.unwrap_or_default()))
        .collect();
    let expected = [("raised", ""), ("acknowledged", "alice"), ("closed", "")];
    assert_eq!(history, expected.map(|(c, b)| (c.to_string(), b.to_string())));
    let mut streamed = Vec::new();
    while streamed.len() < 13 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(30), live.recv()).await;
        match next.expect("live alarms within 30 s").unwrap() {
            LiveMessage::Alarm { alarm } => streamed.push(alarm),
            LiveMessage::Link { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(streamed.iter().filter(|a| a.parameter == "/bench/U8_00").count(), 3);
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
