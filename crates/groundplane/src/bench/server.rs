//! `groundplane bench ingest` and `bench idle`: the embedded platform measured end to end.
//!
//! ingest: the standard workload (WORKLOAD.md) sent over a TCP link on loopback → the ingest
//! thread (split, CRC, decode, calibrate, limits, alarms) → the durable archive (fsync every
//! 100 ms) → live streams, with a WebSocket subscriber attached through the real API. The rate
//! is samples made durable per second, from the first byte sent to the last sample durable.
//!
//! idle: what one more deployment with nothing to do costs in resident memory.

use super::{peak_rss_kib, workload};
use anyhow::Context;
use deployment::{Clock, Deployment, DeploymentSpec, LinkSpec, Platform, Transport};
use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// The parameters the benchmark's WebSocket subscriber asks for.
const SUBSCRIBED: &str = "*F64_00";

fn spec(dir: &Path, mission: &str, transport: Transport) -> anyhow::Result<DeploymentSpec> {
    Ok(DeploymentSpec {
        scope: base::Scope { mission: mission.parse()?, env: base::Env::Dev },
        model: workload::model(),
        pus: None,
        links: vec![LinkSpec {
            name: "tm".into(),
            transport,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: Default::default(),
        }],
        archive: archive::ArchiveOptions::default(),
        dir: dir.join(mission),
        commanding: Default::default(),
        security: Default::default(),
    })
}

fn clock() -> Clock {
    Arc::new(crate::clock::now_ms)
}

fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("groundplane-bench-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs `bench ingest` on `count` packets.
pub fn ingest(count: u64) -> anyhow::Result<ExitCode> {
    let bytes = workload::generate(count, workload::SEED);
    let expected_samples = count * workload::N_PARAMS as u64;
    let dir = scratch("ingest");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let result = runtime.block_on(async {
        let deployment = Deployment::start(spec(&dir, "bench", Transport::Tcp)?, clock()).await?;
        let link = deployment.bound[0];
        let scope = deployment.scope.clone();
        let platform = Arc::new(Platform::new(vec![deployment]));
        let router = api::router(platform.clone(), api::gate::Gate::with_tokens(Vec::new(), true));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let http = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });
        let (live_samples, live_dropped) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let admitted = subscribe(http, &scope, live_samples.clone(), live_dropped.clone()).await?;
        admitted.await.context("the subscription was taken")?;
        println!(
            "workload: {count} packets x {} B over TCP loopback; WebSocket subscriber on {SUBSCRIBED}",
            workload::PACKET_LEN
        );
        let start = Instant::now();
        let sender = std::thread::spawn(move || -> std::io::Result<()> {
            let mut stream = std::net::TcpStream::connect(link)?;
            for chunk in bytes.chunks(1 << 20) {
                stream.write_all(chunk)?;
            }
            Ok(())
        });
        let deployment = platform.iter().next().context("the deployment")?.clone();
        let mut sent_s = None;
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if sent_s.is_none() && sender.is_finished() {
                sent_s = Some(start.elapsed().as_secs_f64());
            }
            let status = deployment.status();
            if status.stored.samples >= expected_samples && status.stored.units >= count {
                break;
            }
            anyhow::ensure!(start.elapsed() < Duration::from_secs(600), "not all samples stored after 10 minutes");
        }
        let elapsed = start.elapsed().as_secs_f64();
        let cpu = thread_cpu_s("ingest");
        let (sync_cpu, async_cpu) = (thread_cpu_s("sync"), thread_cpu_s("tokio-rt-worker"));
        let status = deployment.status();
        println!(
            "durable: {} units, {} samples in {elapsed:.2} s (all bytes sent after {:.2} s)",
            status.stored.units,
            status.stored.samples,
            sent_s.unwrap_or(elapsed)
        );
        println!(
            "end to end: {:.2} M samples/s = {:.0} k packets/s",
            expected_samples as f64 / elapsed / 1e6,
            count as f64 / elapsed / 1e3
        );
        if let Some(cpu) = cpu {
            println!("ingest thread CPU: {cpu:.2} s ({:.0}% of one core over the run)", 100.0 * cpu / elapsed);
        }
        if let (Some(sync_cpu), Some(async_cpu)) = (sync_cpu, async_cpu) {
            println!(
                "other server threads: sync (fsync) {sync_cpu:.2} s, async runtime (TCP reads, WebSocket) {async_cpu:.2} s"
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        println!(
            "live subscriber: {} samples received, {} dropped (flagged), {} commits",
            live_samples.load(Ordering::Relaxed),
            live_dropped.load(Ordering::Relaxed),
            status.commits
        );
        if let Some(peak) = peak_rss_kib() {
            println!(
                "peak RSS: {:.1} MiB (the workload buffer alone is {:.1} MiB)",
                peak as f64 / 1024.0,
                (count as usize * workload::PACKET_LEN) as f64 / 1048576.0
            );
        }
        platform.stop().await;
        anyhow::Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(ExitCode::SUCCESS)
}

/// Connects a WebSocket subscriber; the returned future resolves once the server took it.
async fn subscribe(
    http: std::net::SocketAddr,
    scope: &base::Scope,
    samples: Arc<AtomicU64>,
    dropped: Arc<AtomicU64>,
) -> anyhow::Result<tokio::sync::oneshot::Receiver<()>> {
    let url = format!("ws://{http}/api/missions/{}/envs/{}/live", scope.mission, scope.env);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let subscription = serde_json::json!({ "parameters": [SUBSCRIBED], "links": true });
    socket.send(Message::text(subscription.to_string())).await?;
    let (admitted, admitted_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut admitted = Some(admitted);
        while let Some(Ok(message)) = socket.next().await {
            let Message::Text(text) = message else { continue };
            if let Some(admitted) = admitted.take() {
                let _ = admitted.send(());
            }
            // Counted, not parsed: a client's JSON parsing would compete with the server for
            // the same two cores and say nothing about the server.
            if text.starts_with(r#"{"type":"samples""#) {
                samples.fetch_add(text.matches(r#""parameter":"#).count() as u64, Ordering::Relaxed);
                let dropped_now = text
                    .rsplit_once(r#""dropped":"#)
                    .and_then(|(_, rest)| rest.trim_end_matches('}').parse::<u64>().ok())
                    .unwrap_or(0);
                dropped.fetch_add(dropped_now, Ordering::Relaxed);
            }
        }
    });
    Ok(admitted_rx)
}

/// CPU seconds used by the threads of this process whose name starts with `prefix`, from /proc
/// (Linux).
fn thread_cpu_s(prefix: &str) -> Option<f64> {
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if !name.starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        total += ticks / 100.0;
    }
    Some(total)
}

/// Current resident set size of this process, from /proc (Linux).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `bench idle` with `n` idle deployments.
pub fn idle(n: usize) -> anyhow::Result<ExitCode> {
    let dir = scratch("idle");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let result = runtime.block_on(async {
        // One deployment first, so that code pages and the runtime are already resident.
        let warm = Deployment::start(spec(&dir, "warm", Transport::Udp)?, clock()).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = rss_kib().context("reading /proc/self/status")?;
        let mut deployments = Vec::new();
        for idx in 0..n {
            deployments.push(Deployment::start(spec(&dir, &format!("idle-{idx}"), Transport::Udp)?, clock()).await?);
        }
        // Let them tick, commit and settle.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = rss_kib().context("reading /proc/self/status")?;
        let each = after.saturating_sub(before) as f64 / n.max(1) as f64 / 1024.0;
        println!("{n} idle deployments (archive open, one UDP link, ingest thread ticking every 50 ms)");
        println!(
            "RSS before {:.1} MiB, after {:.1} MiB: {each:.2} MiB per idle deployment",
            before as f64 / 1024.0,
            after as f64 / 1024.0
        );
        for deployment in &deployments {
            deployment.stop().await;
        }
        warm.stop().await;
        anyhow::Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(ExitCode::SUCCESS)
}
