use crate::tests::{jpss_model, jpss_packets};
use crate::{Clock, Deployment, DeploymentSpec, LinkSpec, Platform, Transport};
use api::backend::{Backend, BackendError};
use api::wire::{LiveMessage, ReplayRequest, SampleDto};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A clock that moves one millisecond each time it is read.
fn ticking_clock() -> Clock {
    let now = Arc::new(AtomicU64::new(1_000_000));
    Arc::new(move || now.fetch_add(1, Ordering::Relaxed))
}

fn spec(dir: &std::path::Path, model: model::MissionModel) -> DeploymentSpec {
    DeploymentSpec {
        scope: base::Scope { mission: "jpss-1".parse().unwrap(), env: base::Env::Dev },
        model,
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
    }
}

/// The JPSS model with every integer type that has no calibration given `2x + 1`.
fn recalibrated(mut model: model::MissionModel) -> (model::MissionModel, usize) {
    let mut changed = 0;
    for data_type in model.parameter_types.values_mut() {
        if matches!(data_type.kind, model::TypeKind::Integer { .. }) && data_type.calibrator.is_none() {
            data_type.calibrator = Some(model::Calibrator::Polynomial { coefficients: vec![1.0, 2.0] });
            changed += 1;
        }
    }
    (model, changed)
}

async fn replay(platform: &Platform, request: ReplayRequest) -> Result<(Vec<SampleDto>, u64), BackendError> {
    let scope = platform.iter().next().unwrap().scope.clone();
    let mut stream = platform.replay(&scope, &request)?;
    let mut samples = Vec::new();
    while let Some(message) = stream.recv().await {
        match message {
            LiveMessage::Samples { samples: more, .. } => samples.extend(more),
            LiveMessage::ReplayDone { units, samples: n, .. } => {
                assert_eq!(n as usize, samples.len());
                return Ok((samples, units));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("the replay ended without ReplayDone")
}

fn request(model_digest: Option<String>) -> ReplayRequest {
    ReplayRequest { from_ms: 0, to_ms: u64::MAX, model_digest, speed: None, parameters: Vec::new(), backfill: false }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_through_any_model_version_the_deployment_ran_leaves_the_archive_alone() {
    let dir = test_utils::temp_dir("replay");
    let v1 = jpss_model();
    let (v2, n_changed) = recalibrated(v1.clone());
    assert!(n_changed > 0);
    let (d1, d2) = (v1.digest().unwrap().to_string(), v2.digest().unwrap().to_string());

    // Version 1 runs and archives 200 packets; then the deployment restarts on version 2.
    let deployment = Deployment::start(spec(&dir, v1), ticking_clock()).await.unwrap();
    let address = deployment.bound[0];
    let packets = jpss_packets();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        packets[..200].iter().for_each(|p| stream.write_all(p).unwrap());
    })
    .await
    .unwrap();
    let start = std::time::Instant::now();
    while deployment.status().stored.units < 200 {
        assert!(start.elapsed().as_secs() < 30, "200 units not stored within 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    deployment.stop().await;
    drop(deployment);
    let platform = Platform::new(vec![Deployment::start(spec(&dir, v2), ticking_clock()).await.unwrap()]);
    let stored_before = platform.iter().next().unwrap().status().stored;
    assert_eq!(stored_before.units, 200, "what version 1 stored is there");

    let (old, units) = replay(&platform, request(Some(d1))).await.unwrap();
    let (new, _) = replay(&platform, request(None)).await.unwrap();
    let (new_by_digest, _) = replay(&platform, request(Some(d2))).await.unwrap();
    assert_eq!(units, 200);
    assert_eq!(new, new_by_digest, "the running model is version 2");
    assert_eq!(old.len(), new.len());
    let differing: BTreeMap<&str, (f64, f64)> = old
        .iter()
        .zip(&new)
        .filter(|(a, b)| a.eng != b.eng)
        .map(|(a, b)| (a.parameter.as_str(), (a.eng.as_f64().unwrap(), b.eng.as_f64().unwrap())))
        .collect();
    assert!(!differing.is_empty(), "version 2 calibrates differently");
    for (name, (v1_eng, v2_eng)) in &differing {
        assert_eq!(*v2_eng, 2.0 * v1_eng + 1.0, "{name}");
    }
    let deployment = platform.iter().next().unwrap();
    assert_eq!(deployment.status().stored, stored_before, "replay wrote nothing to the archive");

    // A filtered, paced replay; and refusals.
    let name = differing.keys().next().unwrap().to_string();
    let filtered = ReplayRequest { parameters: vec![name.clone()], speed: Some(1000.0), ..request(None) };
    let (only, _) = replay(&platform, filtered).await.unwrap();
    assert!(!only.is_empty() && only.iter().all(|s| s.parameter == name));
    let unknown = "sha256:".to_string() + &"0".repeat(64);
    assert!(matches!(replay(&platform, request(Some(unknown))).await, Err(BackendError::NotFound { .. })));
    let backwards = ReplayRequest { from_ms: 10, to_ms: 5, ..request(None) };
    assert!(
        matches!(replay(&platform, backwards).await, Err(BackendError::BadRequest { field, .. }) if field == "from")
    );
    let stopped = ReplayRequest { speed: Some(0.0), ..request(None) };
    assert!(
        matches!(replay(&platform, stopped).await, Err(BackendError::BadRequest { field, .. }) if field == "speed")
    );
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_replaces_the_archived_samples_of_the_range_with_the_new_models() {
    let dir = test_utils::temp_dir("backfill");
    let v1 = jpss_model();
    let (v2, _) = recalibrated(v1.clone());
    let d2 = v2.digest().unwrap().to_string();
    // Version 2 must have run in this deployment to be chosen by digest: run it first, empty.
    let first = Deployment::start(spec(&dir, v2), ticking_clock()).await.unwrap();
    first.stop().await;
    drop(first);
    let deployment = Deployment::start(spec(&dir, v1), ticking_clock()).await.unwrap();
    let address = deployment.bound[0];
    let packets = jpss_packets();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        packets[..2500].iter().for_each(|p| stream.write_all(p).unwrap());
    })
    .await
    .unwrap();
    let start = std::time::Instant::now();
    while deployment.status().stored.units < 2500 {
        assert!(start.elapsed().as_secs() < 30, "2500 units not stored within 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let platform = Platform::new(vec![deployment]);
    let scope = platform.iter().next().unwrap().scope.clone();
    let archived = |platform: &Platform| {
        tokio::task::block_in_place(|| {
            let mut all = Vec::new();
            let mut cursor = None;
            loop {
                let query = api::wire::RangeQuery {
                    parameters: platform.parameters(&scope, None).unwrap().into_iter().map(|p| p.name).collect(),
                    from_ms: 0,
                    to_ms: u64::MAX,
                    cursor,
                    limit: 100_000,
                };
                let page = platform.range(&scope, &query).unwrap();
                all.extend(page.items);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => return all,
                }
            }
        })
    };
    let before = archived(&platform);
    let (replayed_v1, _) = replay(&platform, request(None)).await.unwrap();
    let backfill = ReplayRequest { backfill: true, ..request(Some(d2.clone())) };
    let (replayed_v2, units) = replay(&platform, backfill).await.unwrap();
    assert_eq!(units, 2500);
    let after = archived(&platform);
    assert_eq!(before.len(), after.len(), "as many samples as before: replaced, not added");
    assert_eq!(before.len(), replayed_v1.len());
    let key = |s: &SampleDto| (s.time_ms, s.parameter.clone(), s.raw.to_string(), s.eng.to_string());
    let sorted = |mut samples: Vec<(u64, String, String, String)>| {
        samples.sort();
        samples
    };
    assert_eq!(
        sorted(after.iter().map(key).collect()),
        sorted(replayed_v2.iter().map(key).collect()),
        "the archive now holds what version 2 decodes"
    );
    assert_ne!(sorted(before.iter().map(key).collect()), sorted(after.iter().map(key).collect()));
    platform.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
