//! `groundplane bench archive`: the archive's write and read speed and its disk use.
//!
//! 1. Ingest: the standard workload (WORKLOAD.md: 250 k packets/s of 45 samples, decoded by
//!    the TM chain beforehand, untimed) through `Writer::unit` + `Writer::packet`, with a
//!    durable commit every 100 ms of telemetry time; only the writer's calls are timed.
//! 2. One parameter at 1 Hz for a year (31.5 M samples), committed a day at a time.
//! 3. Reads on that year: one day of samples (`range`), 1,000 buckets over the year.
//! 4. Disk bytes per million samples of both archives.

use super::workload::{write_packet, PACKET_LEN, SEED};
use anyhow::Context;
use model::AlarmLevel;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tm::{EngValue, Processor, RawValue, Sample};

/// Packets per second of the standard workload.
const PACKETS_PER_S: u64 = 250_000;
/// Telemetry time between commits.
const COMMIT_WINDOW_MS: u64 = 100;
const DAY_MS: u64 = 86_400_000;
/// 2026-01-01T00:00:00Z, where the bench's telemetry starts.
const T0_MS: u64 = 1_767_225_600_000;

/// Options of `groundplane bench archive`.
#[derive(clap::Args, Debug)]
pub struct ArchiveBenchArgs {
    /// Where to put the archives (kept); default: fresh directories under the temp dir,
    /// removed afterwards.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seconds of the standard workload to ingest.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Days of the 1 Hz parameter.
    #[arg(long, default_value_t = 365)]
    days: u64,
    /// A small run for CI (1 s of workload, 10 days of 1 Hz).
    #[arg(long)]
    quick: bool,
}

/// Removes a directory on drop unless it is to be kept.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn scratch(args: &ArchiveBenchArgs, name: &str) -> anyhow::Result<Scratch> {
    let (path, keep) = match &args.dir {
        Some(dir) => (dir.join(name), true),
        None => (std::env::temp_dir().join(format!("groundplane-bench-archive-{}-{name}", std::process::id())), false),
    };
    if path.exists() {
        std::fs::remove_dir_all(&path).with_context(|| format!("clearing {}", path.display()))?;
    }
    Ok(Scratch { path, keep })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Runs the benchmark and prints its table.
pub fn run(args: &ArchiveBenchArgs) -> anyhow::Result<()> {
    let (seconds, days) = if args.quick { (1, 10) } else { (args.seconds.max(1), args.days.max(2)) };
    let ingest_dir = scratch(args, "ingest")?;
    let ingest = ingest(&ingest_dir.path, seconds)?;
    let year_dir = scratch(args, "year")?;
    let year = one_hz(&year_dir.path, days)?;
    println!("| archive bench ({seconds} s of workload, {days} days of 1 Hz) | figure |");
    println!("| --- | ---: |");
    println!(
        "| ingest, Writer::unit + packet + commit per 100 ms | {:.1} M samples/s ({:.0} k packets/s) |",
        ingest.samples as f64 / ingest.elapsed.as_secs_f64() / 1e6,
        ingest.packets as f64 / ingest.elapsed.as_secs_f64() / 1e3
    );
    println!(
        "| commit per 100 ms window, p50 / p99 / max | {:.1} / {:.1} / {:.1} ms |",
        ingest.commit[0], ingest.commit[1], ingest.commit[2]
    );
    println!("| disk per million samples, workload (incl. raw units) | {:.2} MiB |", ingest.mib_per_million);
    println!(
        "| 1 Hz backfill, a day per commit | {:.1} M samples/s |",
        year.samples as f64 / year.ingest.as_secs_f64() / 1e6
    );
    println!("| range, one day (86,400 samples), p50 / p99 | {:.2} / {:.2} ms |", year.range[0], year.range[1]);
    println!("| buckets, 1,000 over {days} days, p50 / p99 | {:.2} / {:.2} ms |", year.buckets[0], year.buckets[1]);
    println!("| disk per million samples, 1 Hz parameter | {:.2} MiB |", year.mib_per_million);
    Ok(())
}

struct Ingest {
    packets: u64,
    samples: u64,
    elapsed: Duration,
    /// p50, p99, max in ms.
    commit: [f64; 3],
    mib_per_million: f64,
}

fn ingest(dir: &Path, seconds: u64) -> anyhow::Result<Ingest> {
    let (plan, _) = super::tm::compile()?;
    let mut writer = ::archive::open(dir, &::archive::ArchiveOptions::default())?;
    let mut processor = Processor::new(&plan);
    let per_window = PACKETS_PER_S * COMMIT_WINDOW_MS / 1000;
    let windows = seconds * 1000 / COMMIT_WINDOW_MS;
    let mut packets = vec![0u8; per_window as usize * PACKET_LEN];
    let mut samples: Vec<Sample> = Vec::new();
    let mut ends: Vec<(usize, tm::ContainerId)> = Vec::new();
    let mut elapsed = Duration::ZERO;
    let mut commits = Vec::new();
    let mut n_samples = 0u64;
    for window in 0..windows {
        // Untimed: the packets of this window, decoded.
        samples.clear();
        ends.clear();
        let mut packet = [0u8; PACKET_LEN];
        for (k, chunk) in packets.chunks_exact_mut(PACKET_LEN).enumerate() {
            write_packet(window * per_window + k as u64, SEED, &mut packet);
            chunk.copy_from_slice(&packet);
            let container = processor.process(chunk, &mut samples).context("the workload decodes")?;
            ends.push((samples.len(), container));
        }
        let start = Instant::now();
        let mut first = 0;
        for (k, (chunk, &(end, container))) in packets.chunks_exact(PACKET_LEN).zip(&ends).enumerate() {
            let reception_ms = T0_MS + window * COMMIT_WINDOW_MS + k as u64 * COMMIT_WINDOW_MS / per_window;
            let unit = tm::link::ReceivedUnit {
                kind: tm::link::UnitKind::Packet,
                offset: 0,
                reception_ms,
                bytes: chunk,
                invalid: None,
            };
            writer.unit("bench", &unit);
            writer.packet(&plan, reception_ms, container, chunk, &samples[first..end]);
            first = end;
        }
        let commit_start = Instant::now();
        writer.commit()?;
        commits.push(commit_start.elapsed());
        elapsed += start.elapsed();
        n_samples += samples.len() as u64;
    }
    commits.sort();
    let stored = writer.stored();
    anyhow::ensure!(stored.samples == n_samples, "stored {} samples of {n_samples}", stored.samples);
    drop(writer);
    let disk = ::archive::reader(dir)?.disk_bytes()?;
    Ok(Ingest {
        packets: windows * per_window,
        samples: n_samples,
        elapsed,
        commit: [ms(percentile(&commits, 0.5)), ms(percentile(&commits, 0.99)), ms(commits[commits.len() - 1])],
        mib_per_million: disk as f64 / 1048576.0 / (n_samples as f64 / 1e6),
    })
}

struct Year {
    samples: u64,
    ingest: Duration,
    /// p50, p99 in ms.
    range: [f64; 2],
    buckets: [f64; 2],
    mib_per_million: f64,
}

/// A deterministic pseudo-random sequence (xorshift), for values and query positions.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn one_hz(dir: &Path, days: u64) -> anyhow::Result<Year> {
    let (plan, _) = super::tm::compile()?;
    let name = model::QualifiedName::parse("/bench/U16_00").context("a workload name")?;
    let parameter = plan.parameter_id(&name).context("U16_00 is in the workload")?;
    let mut writer = ::archive::open(dir, &::archive::ArchiveOptions::default())?;
    let mut state = 0x5EED_u64;
    let mut raw = 20_000u64;
    let start = Instant::now();
    for day in 0..days {
        for second in 0..DAY_MS / 1000 {
            // A slow random walk, as housekeeping values are.
            raw = (raw + next(&mut state) % 5).saturating_sub(2);
            let eng = 0.5 + 2.0 * raw as f64;
            let sample =
                Sample::new(parameter, 0, 0, RawValue::Unsigned(raw), EngValue::Float(eng), AlarmLevel::Normal);
            let time_ms = T0_MS + day * DAY_MS + second * 1000;
            writer.packet(&plan, time_ms, tm::ContainerId(0), &[], &[sample]);
        }
        writer.commit()?;
    }
    let ingest = start.elapsed();
    let samples = writer.stored().samples;
    drop(writer);
    let reader = ::archive::reader(dir)?;
    let series = vec![name.to_string()];
    let mut range_times = Vec::new();
    for _ in 0..200 {
        let from = T0_MS + next(&mut state) % ((days - 1) * DAY_MS);
        let start = Instant::now();
        let page = reader.range(&series, from, from + DAY_MS, None, 100_000)?;
        range_times.push(start.elapsed());
        anyhow::ensure!(page.items.len() == 86_400, "a day has {} samples", page.items.len());
    }
    let mut bucket_times = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        let buckets = reader.buckets(&series[0], T0_MS, T0_MS + days * DAY_MS, 1000)?;
        bucket_times.push(start.elapsed());
        let counted: u64 = buckets.iter().map(|b| b.count).sum();
        anyhow::ensure!(counted == samples, "buckets count {counted} of {samples}");
    }
    range_times.sort();
    bucket_times.sort();
    let disk = reader.disk_bytes()?;
    Ok(Year {
        samples,
        ingest,
        range: [ms(percentile(&range_times, 0.5)), ms(percentile(&range_times, 0.99))],
        buckets: [ms(percentile(&bucket_times, 0.5)), ms(percentile(&bucket_times, 0.99))],
        mib_per_million: disk as f64 / 1048576.0 / (samples as f64 / 1e6),
    })
}
