//! Hot swap through a running deployment: under load over TCP (nothing lost, every packet
//! decoded by the version running when it arrived), alarms kept or closed by name, and models
//! refused before anything changes.

use crate::tests::{workload_model, workload_packet};
use crate::{Clock, Deployment, DeploymentError, DeploymentSpec, LinkSpec, Platform, Transport};
use api::backend::Backend;
use api::wire::{AlarmQuery, LiveMessage, RangeQuery, Subscription};
use model::{Alarm, MissionModel, QualifiedName};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A clock that follows real time (so that commits come every 100 ms, not every 100 reads).
fn clock() -> Clock {
    let start = std::time::Instant::now();
    Arc::new(move || 7_000_000 + start.elapsed().as_millis() as u64)
}

async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

async fn start(dir: &std::path::Path) -> (Platform, Arc<Deployment>) {
    let scope = base::Scope { mission: "bench".parse().unwrap(), env: base::Env::Ops };
    let spec = DeploymentSpec {
        scope: scope.clone(),
        model: workload_model(),
        pus: None,
        links: vec![LinkSpec {
            name: "tm".into(),
            transport: Transport::Tcp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: Default::default(),
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.to_path_buf(),
        commanding: Default::default(),
        security: Default::default(),
    };
    let platform = Platform::new(vec![Deployment::start(spec, clock()).await.unwrap()]);
    let deployment = platform.get(&scope).unwrap().clone();
    (platform, deployment)
}

/// The workload model with the U8 type's warning limit at 50 instead of 200: a U8_00 of 100
/// is normal in the original, a warning in this one.
fn tighter(mut model: MissionModel) -> MissionModel {
    let u8_type = model.parameter_types.iter_mut().find(|(name, _)| name.to_string().ends_with("/U8"));
    let Some(Alarm::Ranges { ranges, .. }) = u8_type.expect("the workload has a U8 type").1.alarm.as_mut() else {
        panic!("the U8 type has limits");
    };
    ranges.warning.as_mut().expect("a warning range").max = Some(50.0);
    model
}

/// Swaps on the blocking pool, as the API would.
async fn swap(deployment: &Arc<Deployment>, model: MissionModel) -> Result<crate::SwapReport, DeploymentError> {
    let deployment = deployment.clone();
    tokio::task::spawn_blocking(move || deployment.swap_model(model)).await.unwrap()
}

fn levels(platform: &Platform, scope: &base::Scope, parameter: &str) -> Vec<String> {
    let mut levels = Vec::new();
    let mut cursor = None;
    loop {
        let query =
            RangeQuery { parameters: vec![parameter.into()], from_ms: 0, to_ms: u64::MAX, cursor, limit: 100_000 };
        let page = tokio::task::block_in_place(|| platform.range(scope, &query)).unwrap();
        levels.extend(page.items.into_iter().map(|sample| sample.level));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return levels,
        }
    }
}

fn alarm_history(platform: &Platform, scope: &base::Scope, parameter: &str) -> Vec<String> {
    let query = AlarmQuery { from_ms: 0, to_ms: u64::MAX, min_level: String::new(), cursor: None, limit: 10_000 };
    let page = tokio::task::block_in_place(|| platform.alarms(scope, &query)).unwrap();
    page.items.into_iter().filter(|a| a.parameter == parameter).map(|a| a.change).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_swap_under_load_loses_no_packet_and_decodes_each_with_the_version_running() {
    const SWAPS: usize = 3;
    const PACKETS_AFTER: u64 = 3_000;
    let dir = test_utils::temp_dir("swap-load");
    let (platform, deployment) = start(&dir).await;
    let scope = deployment.scope.clone();
    let (v1, v2) = (workload_model(), tighter(workload_model()));
    let (d1, d2) = (v1.digest().unwrap(), v2.digest().unwrap());
    // The sender sends without pause, in writes that cut packets anywhere, until the swaps
    // are done and then some more: every swap happens while data flows.
    let swapped = Arc::new(AtomicBool::new(false));
    let sender = {
        let (address, swapped) = (deployment.bound[0], swapped.clone());
        std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            let (mut sent, mut after) = (0u64, 0u64);
            let mut buffer = Vec::new();
            while after < PACKETS_AFTER {
                buffer.extend_from_slice(&workload_packet(sent as u16, 100));
                sent += 1;
                if swapped.load(Ordering::Relaxed) {
                    after += 1;
                }
                if buffer.len() >= 1000 {
                    stream.write_all(&buffer[..1000]).unwrap();
                    buffer.drain(..1000);
                }
            }
            stream.write_all(&buffer).unwrap();
            sent
        })
    };
    wait_for("the first packets", || deployment.status().packets_in > 0).await;
    let mut boundaries = Vec::new();
    for (idx, (model, digest)) in [(&v2, &d2), (&v1, &d1), (&v2, &d2)].into_iter().enumerate() {
        let report = swap(&deployment, model.clone()).await.unwrap();
        let applied = report.applied.expect("a new version each time");
        assert_eq!(&report.digest, digest);
        assert_eq!(deployment.digest(), *digest, "status reports the new version");
        assert_eq!(applied.connections, 1, "the TCP connection carried over");
        // The ten CAL_U16 alarms (0.5 is outside [1000, 120000]) stay open through every swap.
        assert!(applied.alarms_kept >= 10, "swap {idx}: {applied:?}");
        assert_eq!(applied.alarms_closed, 0);
        boundaries.push(applied.units_before);
    }
    assert_eq!(boundaries.len(), SWAPS);
    swapped.store(true, Ordering::Relaxed);
    let sent = sender.join().unwrap();
    assert!(boundaries.windows(2).all(|w| w[0] <= w[1]) && boundaries[SWAPS - 1] < sent, "{boundaries:?} of {sent}");

    wait_for("every packet stored", || deployment.status().stored.units >= sent).await;
    let status = deployment.status();
    assert_eq!(status.stored.units, sent, "count in = count stored");
    assert_eq!(status.stored.samples, sent * 45, "every packet decoded: 45 samples each");
    assert!(status.links[0].invalid.is_empty(), "no invalid unit: {:?}", status.links[0].invalid);
    // Units [0, b0) and [b1, b2) were decoded by v1 (U8_00 = 100 is normal), [b0, b1) and
    // [b2, sent) by v2 (a warning).
    let by_v2 = (boundaries[1] - boundaries[0]) + (sent - boundaries[2]);
    let levels = levels(&platform, &scope, "/bench/U8_00");
    assert_eq!(levels.len() as u64, sent);
    assert_eq!(levels.iter().filter(|level| *level == "warning").count() as u64, by_v2);
    assert_eq!(levels.iter().filter(|level| *level == "normal").count() as u64, sent - by_v2);
    // The alarms moved by name: CAL_U16 ones were raised once, never again; U8_00 follows v2.
    assert_eq!(alarm_history(&platform, &scope, "/bench/U16_03"), ["raised"]);
    let u8_00 = alarm_history(&platform, &scope, "/bench/U8_00");
    assert_eq!(u8_00.first().map(String::as_str), Some("raised"), "{u8_00:?}");
    let open = platform.open_alarms(&scope).unwrap();
    let open_u8 = open.iter().find(|a| a.parameter == "/bench/U8_00").expect("U8_00 in alarm under v2");
    assert_eq!((open_u8.phase.as_str(), open_u8.level.as_str()), ("active", "warning"));
    assert_eq!(open.len(), 11);
    // Each swap is on record, and every version is kept for replay.
    assert_eq!(status.stored.events, SWAPS as u64);
    assert_eq!(deployment.model_version(&d1.to_string()).unwrap().digest().unwrap(), d1);
    assert_eq!(deployment.model_version(&d2.to_string()).unwrap().digest().unwrap(), d2);
    assert_eq!(platform.status(&scope).unwrap().model_digest, d2.to_string());
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_that_do_not_compile_are_refused_and_alarms_of_gone_parameters_close() {
    let dir = test_utils::temp_dir("swap-refused");
    let (platform, deployment) = start(&dir).await;
    let scope = deployment.scope.clone();
    let v1 = workload_model();
    let d1 = v1.digest().unwrap();
    let mut stream = std::net::TcpStream::connect(deployment.bound[0]).unwrap();
    stream.write_all(&workload_packet(0, 0)).unwrap();
    wait_for("the first packet", || deployment.status().stored.units == 1).await;

    // A container that names a parameter the model lacks does not compile.
    let mut broken = v1.clone();
    broken.parameters.retain(|name, _| name.to_string() != "/bench/U8_05");
    let refused = swap(&deployment, broken.clone()).await;
    assert!(matches!(refused, Err(DeploymentError::Plan { .. })), "{refused:?}");
    assert_eq!(deployment.digest(), d1, "the old version still runs");
    assert!(deployment.model_version(&broken.digest().unwrap().to_string()).is_none(), "nothing saved");
    // The same version again changes nothing.
    let same = swap(&deployment, v1.clone()).await.unwrap();
    assert_eq!((same.digest, same.applied), (d1, None));

    // U16_00 renamed: its open alarm closes, the renamed parameter raises its own. The new
    // name sorts first, so the ids of the parameters before U16_00 (F64_00 among them) move.
    let subscription = Subscription { parameters: vec!["/bench/F64_00".into()], ..Subscription::default() };
    let mut live = platform.subscribe(&scope, &subscription).unwrap();
    wait_for("the subscription", || deployment.status().live_subscribers > 0).await;
    stream.write_all(&workload_packet(1, 0)).unwrap();
    wait_for("the second packet", || deployment.status().stored.units == 2).await;
    let mut renamed = v1.clone();
    let (old, new) =
        (QualifiedName::parse("/bench/U16_00").unwrap(), QualifiedName::parse("/bench/AA_U16_00").unwrap());
    let mut parameter = renamed.parameters.remove(&old).unwrap();
    parameter.name = new.clone();
    renamed.parameters.insert(new.clone(), parameter);
    for container in renamed.containers.values_mut() {
        for entry in &mut container.entries {
            if entry.kind == model::EntryKind::Parameter(old.clone()) {
                entry.kind = model::EntryKind::Parameter(new.clone());
            }
        }
    }
    let applied = swap(&deployment, renamed.clone()).await.unwrap().applied.unwrap();
    assert_eq!((applied.units_before, applied.alarms_kept, applied.alarms_closed), (2, 9, 1));
    stream.write_all(&workload_packet(2, 0)).unwrap();
    drop(stream);
    wait_for("the third packet", || deployment.status().stored.units >= 3 && deployment.status().stored.alarms >= 12)
        .await;
    assert_eq!(alarm_history(&platform, &scope, "/bench/U16_00"), ["raised", "closed"]);
    assert_eq!(alarm_history(&platform, &scope, "/bench/AA_U16_00"), ["raised"]);
    assert_eq!(alarm_history(&platform, &scope, "/bench/U16_01"), ["raised"]);
    assert_eq!(deployment.status().stored.samples, 3 * 45, "every packet decoded whole");
    assert_eq!(platform.status(&scope).unwrap().model_digest, renamed.digest().unwrap().to_string());
    // The live stream matched names again under the new plan: F64_00 of packets 2 and 3.
    let mut streamed = Vec::new();
    while streamed.len() < 2 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(30), live.recv()).await;
        if let LiveMessage::Samples { samples, .. } = next.expect("live samples within 30 s").unwrap() {
            streamed.extend(samples.into_iter().map(|sample| sample.parameter));
        }
    }
    assert_eq!(streamed, ["/bench/F64_00", "/bench/F64_00"]);
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
