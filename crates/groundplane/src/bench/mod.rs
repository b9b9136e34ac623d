//! `groundplane bench ...`: benchmarks whose figures BENCHMARKS.md records.

pub mod archive;
pub mod command;
pub mod control;
pub mod server;
pub mod tm;
pub mod workload;

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// TM chain vs a hand-written loop on the standard workload (shared/bench/WORKLOAD.md).
    Tm {
        /// Packets in the workload.
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        /// Timed runs of each decoder; the median is reported.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Write the workload to this file and stop (for the Python peers).
        #[arg(long)]
        write_workload: Option<PathBuf>,
    },
    /// The archive: workload ingest with a commit per 100 ms, a year of 1 Hz, range and bucket reads, disk use.
    Archive(archive::ArchiveBenchArgs),
    /// The platform end to end: workload over a TCP link → decode → durable archive → live.
    Ingest {
        /// Packets in the workload (40 samples each).
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
    },
    /// A command's round trip against the simulator on loopback: latency and commands/s.
    Command(command::CommandBenchArgs),
    /// The control plane: mission create → DEV live, release create → AIV gate passed.
    Control(control::ControlBenchArgs),
    /// Resident memory of idle deployments.
    Idle {
        /// Idle deployments to start.
        #[arg(long, default_value_t = 10)]
        deployments: usize,
    },
}

/// Runs a benchmark and prints its report.
pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Tm { count, reps, write_workload } => bench_tm(count, reps.max(1), write_workload),
        BenchCommand::Archive(args) => archive::run(&args).map(|()| ExitCode::SUCCESS),
        BenchCommand::Ingest { count } => server::ingest(count),
        BenchCommand::Idle { deployments } => server::idle(deployments),
        BenchCommand::Command(args) => command::run(&args),
        BenchCommand::Control(args) => control::run(&args),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn bench_tm(count: u64, reps: usize, write_workload: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let bytes = workload::generate(count, workload::SEED);
    let digest = base::Digest::of(&bytes);
    if let Some(path) = write_workload {
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {count} packets to {} ({digest})", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let matches = if count == 1_000_000 {
        if digest.to_string() == workload::DIGEST_1M {
            " (matches WORKLOAD.md)"
        } else {
            " (DIFFERS from WORKLOAD.md)"
        }
    } else {
        ""
    };
    println!("workload: {count} packets x {} B, {digest}{matches}", workload::PACKET_LEN);
    let (plan, slots) = tm::compile()?;
    let mut reference_rates = Vec::new();
    let mut chain_rates = Vec::new();
    let mut reference = None;
    let mut n_samples = 0;
    for _ in 0..reps {
        let start = Instant::now();
        reference = Some(std::hint::black_box(tm::reference(&bytes)));
        reference_rates.push(count as f64 / start.elapsed().as_secs_f64());
        let start = Instant::now();
        n_samples = std::hint::black_box(tm::chain(&bytes, &plan));
        chain_rates.push(count as f64 / start.elapsed().as_secs_f64());
    }
    let reference = reference.context("at least one run")?;
    let start = Instant::now();
    std::hint::black_box(tm::stages(&bytes));
    let stages_ns = start.elapsed().as_nanos() as f64 / count.max(1) as f64;
    let chain = tm::chain_checksums(&bytes, &plan, &slots);
    let reference_rate = median(reference_rates);
    let chain_rate = median(chain_rates);
    let samples_per_packet = n_samples as f64 / count.max(1) as f64;
    println!("reference (hand-written loop, this layout only): {:.2} M packets/s", reference_rate / 1e6);
    println!(
        "groundplane chain (split, CRC, identify, decode, calibrate, limits): {:.2} M packets/s = {:.0} M samples/s",
        chain_rate / 1e6,
        chain_rate * samples_per_packet / 1e6
    );
    println!(
        "  breakdown per packet: {:.0} ns in all; split + split-and-CRC passes together {:.0} ns",
        1e9 / chain_rate,
        stages_ns
    );
    let identical = reference == chain && chain.packets == count && chain.crc_ok == count;
    println!(
        "checksums: {} (packets {}, CRC ok {}, warnings {}, criticals {})",
        if identical { "identical" } else { "DIFFER" },
        chain.packets,
        chain.crc_ok,
        chain.warnings,
        chain.criticals
    );
    if let Some(peak) = peak_rss_kib() {
        println!(
            "peak RSS: {:.1} MiB (the workload itself is {:.1} MiB in memory)",
            peak as f64 / 1024.0,
            bytes.len() as f64 / 1048576.0
        );
    }
    println!("ratio: {:.2}", chain_rate / reference_rate);
    Ok(if identical { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Peak resident set size of this process, from /proc (Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
