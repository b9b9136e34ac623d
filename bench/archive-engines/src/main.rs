//! Chooses the embedded archive's storage engine (issue 4): the same segments and raw units,
//! written with durable commits and queried back, on fjall, redb and SQLite.
//!
//! Usage: `archive-engines ENGINE [--hours H] [--units N] [--live-commits N] [--segment-len N]
//! [--dir PARENT]`
//! with ENGINE one of those compiled in (`--features fjall|redb|sqlite`).

mod codec;
mod engines;
mod workload;

use engines::{Entry, Error, Store, Table};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use workload::{ParamGen, Rng, SECOND_NS, T0_NS, segment_key, unit_bytes, unit_key};

const PARAMS: u32 = 1000;
/// Bulk ingest commits every 512,000 samples (500 segments of 1,024): about 50 ms of the
/// issue's 10 M samples/s target.
const BULK_COMMIT_SAMPLES: usize = 512_000;
/// Raw units arrive at 10,000 a second; a commit every 100 ms of reception time.
const UNIT_PERIOD_NS: u64 = 100_000;
const UNITS_PER_COMMIT: usize = 1000;
/// Live ingest: commit every 100 ms of telemetry time, rewriting each touched open segment.
const LIVE_WINDOW_NS: u64 = 100_000_000;

struct Config {
    engine: String,
    hours: u64,
    units: usize,
    live_commits: usize,
    segment_len: usize,
    parent: PathBuf,
}

/// Removes the benchmark's directory however the run ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() {
    let config = match parse_args() {
        Ok(config) => config,
        Err(message) => {
            eprintln!(
                "{message}\nusage: archive-engines ENGINE [--hours H] [--units N] [--live-commits N] [--segment-len N] [--dir PARENT]\ncompiled engines: {:?}",
                engines::compiled()
            );
            std::process::exit(2);
        }
    };
    let dir = TempDir(config.parent.join(format!("archive-engines-{}-{}", config.engine, std::process::id())));
    if let Err(error) = std::fs::create_dir_all(&dir.0).map_err(Error::from).and_then(|()| run(&config, &dir.0)) {
        eprintln!("error: {error}");
        drop(dir);
        std::process::exit(1);
    }
}

fn parse_args() -> Result<Config, String> {
    let mut args = std::env::args().skip(1);
    let engine = args.next().ok_or("missing ENGINE")?;
    if !engines::compiled().contains(&engine.as_str()) {
        return Err(format!("engine {engine:?} is not compiled in; build with --features {engine}"));
    }
    let mut config = Config {
        engine,
        hours: 24,
        units: 1_000_000,
        live_commits: 6000,
        segment_len: 1024,
        parent: std::env::temp_dir(),
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|e| format!("{flag} {value}: {e}"));
        match flag.as_str() {
            "--hours" => config.hours = number()?.max(1),
            "--units" => config.units = number()?.max(10_000) as usize,
            "--live-commits" => config.live_commits = number()? as usize,
            "--segment-len" => config.segment_len = (number()? as usize).clamp(2, 65_536),
            "--dir" => config.parent = PathBuf::from(&value),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(config)
}

/// Collected durations and the printed table.
struct Report {
    rows: Vec<(String, String)>,
}

impl Report {
    fn row(&mut self, name: &str, value: String) {
        println!("  {name:<44} {value}");
        self.rows.push((name.to_string(), value));
    }
}

fn percentile(durations: &mut [Duration], pct: usize) -> Duration {
    durations.sort_unstable();
    durations[(durations.len() * pct / 100).min(durations.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

fn us(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

fn latency(durations: &mut [Duration], show: fn(Duration) -> String) -> String {
    let p50 = percentile(durations, 50);
    let p99 = percentile(durations, 99);
    format!(
        "p50 {} · p99 {} · max {} (n = {})",
        show(p50),
        show(p99),
        show(*durations.last().expect("not empty")),
        durations.len()
    )
}

/// Allocated bytes (blocks, not apparent length) of everything under `dir`.
fn disk_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        total += if meta.is_dir() { disk_bytes(&entry.path()) } else { meta.blocks() * 512 };
    }
    total
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn run(config: &Config, dir: &Path) -> Result<(), Error> {
    let mut report = Report { rows: Vec::new() };
    let samples_per_param = config.hours * 3600;
    let n_samples = samples_per_param * u64::from(PARAMS);
    println!(
        "engine {} · {} parameters at 1 Hz for {} h = {} samples in segments of {} · {} raw units of {} bytes · dir {}",
        config.engine,
        PARAMS,
        config.hours,
        n_samples,
        config.segment_len,
        config.units,
        workload::UNIT_LEN,
        dir.display()
    );

    // The codec, once: every engine stores exactly these bytes.
    let started = Instant::now();
    let segments = encode_bulk(samples_per_param, config.segment_len);
    let encode_time = started.elapsed();
    let payload: u64 = segments.iter().map(|(_, bytes)| bytes.len() as u64).sum();
    let started = Instant::now();
    let decoded: u64 =
        segments.iter().map(|(_, bytes)| codec::decode(bytes).expect("our encoding").times_ns.len() as u64).sum();
    let decode_time = started.elapsed();
    assert_eq!(decoded, n_samples, "every sample decodes back");
    report.row(
        "codec encode (generate + encode)",
        format!("{:.1} M samples/s", n_samples as f64 / encode_time.as_secs_f64() / 1e6),
    );
    report.row("codec decode", format!("{:.1} M samples/s", n_samples as f64 / decode_time.as_secs_f64() / 1e6));
    report.row(
        "segment payload",
        format!(
            "{} in {} segments = {:.2} bytes/sample",
            mib(payload),
            segments.len(),
            payload as f64 / n_samples as f64
        ),
    );

    // Bulk ingest of parameter segments, a durable commit every BULK_COMMIT_SEGMENTS.
    // Parameter segments and raw units go to two databases, so each one's disk use is its own.
    let (segments_dir, units_dir) = (dir.join("segments"), dir.join("units"));
    std::fs::create_dir_all(&segments_dir)?;
    std::fs::create_dir_all(&units_dir)?;
    let mut store = engines::open(&config.engine, &segments_dir)?;
    let commit_segments = (BULK_COMMIT_SAMPLES / config.segment_len).max(1);
    let mut commits = Vec::new();
    let started = Instant::now();
    for chunk in segments.chunks(commit_segments) {
        let items: Vec<(&[u8], &[u8])> = chunk.iter().map(|(key, bytes)| (&key[..], &bytes[..])).collect();
        let commit_started = Instant::now();
        store.commit(Table::Segments, &items)?;
        commits.push(commit_started.elapsed());
    }
    let ingest_time = started.elapsed();
    report.row(
        "segment ingest (durable)",
        format!(
            "{:.2} M samples/s ({:.1} s)",
            n_samples as f64 / ingest_time.as_secs_f64() / 1e6,
            ingest_time.as_secs_f64()
        ),
    );
    report.row(&format!("  commit of {commit_segments} segments"), latency(&mut commits, ms));
    let close_reopen = reopen(&mut store, config, &segments_dir)?;
    let samples_disk = disk_bytes(&segments_dir);
    report.row(
        "disk, segments only",
        format!(
            "{} = {:.2} MiB per million samples ({:.2}× payload)",
            mib(samples_disk),
            samples_disk as f64 / 1048576.0 / (n_samples as f64 / 1e6),
            samples_disk as f64 / payload as f64
        ),
    );
    report.row("close + reopen after segment ingest", ms(close_reopen));

    let mut units_store = engines::open(&config.engine, &units_dir)?;
    ingest_units(&mut *units_store, config, &mut report)?;
    let close_reopen = reopen(&mut units_store, config, &units_dir)?;
    let units_disk = disk_bytes(&units_dir);
    report.row(
        "disk, raw units",
        format!(
            "{} = {:.0} bytes/unit (148 payload + 12 key)",
            mib(units_disk),
            units_disk as f64 / config.units as f64
        ),
    );
    report.row("close + reopen after unit ingest", ms(close_reopen));

    ingest_live(&mut *store, config, &mut report)?;
    let close_reopen = reopen(&mut store, config, &segments_dir)?;
    report.row("close + reopen after live ingest", ms(close_reopen));
    report.row("disk, segments after live ingest", mib(disk_bytes(&segments_dir)));

    queries(&*store, &*units_store, config, &mut report)?;
    drop(store);
    drop(units_store);
    Ok(())
}

/// All segments of the period in the order they fill: round by round, parameter by parameter.
fn encode_bulk(samples_per_param: u64, segment_len: usize) -> Vec<([u8; 12], Vec<u8>)> {
    let mut gens: Vec<ParamGen> = (0..PARAMS).map(|id| ParamGen::new(id, T0_NS)).collect();
    let mut segments = Vec::new();
    let mut written = 0u64;
    while written < samples_per_param {
        let len = (samples_per_param - written).min(segment_len as u64) as usize;
        for (id, generator) in gens.iter_mut().enumerate() {
            let mut bytes = Vec::with_capacity(len * 4);
            let first = generator.next_segment(len, &mut bytes);
            segments.push((segment_key(id as u32, first), bytes));
        }
        written += len as u64;
    }
    segments
}

fn reopen(store: &mut Box<dyn Store>, config: &Config, dir: &Path) -> Result<Duration, Error> {
    let started = Instant::now();
    // Close first: the engines hold a lock on their files.
    *store = Box::new(Closed);
    *store = engines::open(&config.engine, dir)?;
    Ok(started.elapsed())
}

/// A placeholder while an engine is closed between phases.
struct Closed;

impl Store for Closed {
    fn commit(&mut self, _: Table, _: &[(&[u8], &[u8])]) -> Result<(), Error> {
        Err("closed".into())
    }
    fn last_at_or_before(&self, _: Table, _: &[u8]) -> Result<Option<Entry>, Error> {
        Err("closed".into())
    }
    fn scan(&self, _: Table, _: &[u8], _: &[u8], _: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), Error> {
        Err("closed".into())
    }
}

fn ingest_units(store: &mut dyn Store, config: &Config, report: &mut Report) -> Result<(), Error> {
    let mut rng = Rng::new(7);
    let units: Vec<([u8; 12], Vec<u8>)> = (0..config.units)
        .map(|i| (unit_key(T0_NS + i as u64 * UNIT_PERIOD_NS, i as u32), unit_bytes(i as u32, &mut rng)))
        .collect();
    let mut commits = Vec::new();
    let started = Instant::now();
    for chunk in units.chunks(UNITS_PER_COMMIT) {
        let items: Vec<(&[u8], &[u8])> = chunk.iter().map(|(key, bytes)| (&key[..], &bytes[..])).collect();
        let commit_started = Instant::now();
        store.commit(Table::Units, &items)?;
        commits.push(commit_started.elapsed());
    }
    let elapsed = started.elapsed();
    report.row(
        "raw unit ingest (durable)",
        format!("{:.0} k units/s ({:.1} s)", config.units as f64 / elapsed.as_secs_f64() / 1e3, elapsed.as_secs_f64()),
    );
    report.row(&format!("  commit of {UNITS_PER_COMMIT} units"), latency(&mut commits, ms));
    Ok(())
}

/// The samples of a parameter's open segment: times, integer values, float values.
type OpenSegment = (Vec<u64>, Vec<i64>, Vec<f64>);

/// Live 1 Hz ingest after the bulk period: every 100 ms of telemetry time, one durable commit
/// rewrites the open (partial) segment of every parameter that got a sample, so nothing
/// reported stored lives only in memory.
fn ingest_live(store: &mut dyn Store, config: &Config, report: &mut Report) -> Result<(), Error> {
    let live_start = T0_NS + config.hours * 3600 * SECOND_NS;
    let mut gens: Vec<ParamGen> = (0..PARAMS).map(|id| ParamGen::new(id, live_start)).collect();
    let mut open: Vec<OpenSegment> = (0..PARAMS).map(|_| Default::default()).collect();
    let mut commits = Vec::new();
    let (mut rewritten, mut n_samples) = (0u64, 0u64);
    let mut items_owned: Vec<([u8; 12], Vec<u8>)> = Vec::new();
    let started = Instant::now();
    for window in 0..config.live_commits as u64 {
        let window_end = live_start + (window + 1) * LIVE_WINDOW_NS;
        items_owned.clear();
        for (id, generator) in gens.iter_mut().enumerate() {
            if generator.peek_time_ns() >= window_end {
                continue;
            }
            let (times, ints, floats) = &mut open[id];
            if times.len() == config.segment_len {
                times.clear();
                ints.clear();
                floats.clear();
            }
            let (time_ns, raw, eng) = generator.next();
            times.push(time_ns);
            ints.push(raw);
            floats.push(eng);
            n_samples += 1;
            let values = if generator.kind == codec::Kind::F64 {
                codec::Values::Float(floats.clone())
            } else {
                codec::Values::Int(ints.clone())
            };
            let mut bytes = Vec::new();
            codec::encode(generator.kind, times, &values, &mut bytes);
            items_owned.push((segment_key(id as u32, times[0]), bytes));
        }
        let items: Vec<(&[u8], &[u8])> = items_owned.iter().map(|(key, bytes)| (&key[..], &bytes[..])).collect();
        rewritten += items.iter().map(|(_, bytes)| bytes.len() as u64).sum::<u64>();
        let commit_started = Instant::now();
        store.commit(Table::Segments, &items)?;
        commits.push(commit_started.elapsed());
    }
    let elapsed = started.elapsed();
    report.row(
        "live ingest, commit every 100 ms (1 Hz)",
        format!(
            "{} commits, {n_samples} samples in {:.1} s = {:.0} commits/s",
            commits.len(),
            elapsed.as_secs_f64(),
            commits.len() as f64 / elapsed.as_secs_f64()
        ),
    );
    report.row("  commit (~100 open segments rewritten)", latency(&mut commits, ms));
    report
        .row("  bytes rewritten per commit", format!("{:.0} kB", rewritten as f64 / commits.len().max(1) as f64 / 1e3));
    Ok(())
}

/// Samples of `param` with `from <= time <= to`: the segment holding `from` (the last one
/// starting at or before it), then every segment starting after it up to `to`.
fn range_query(store: &dyn Store, param: u32, from: u64, to: u64) -> Result<(u64, f64), Error> {
    let (mut n, mut sum) = (0u64, 0f64);
    let mut visit = |key: &[u8], bytes: &[u8]| {
        if key[..4] != param.to_be_bytes() {
            return;
        }
        let segment = codec::decode(bytes).expect("stored segments decode");
        for (idx, &time) in segment.times_ns.iter().enumerate() {
            if time >= from && time <= to {
                n += 1;
                sum += match &segment.values {
                    codec::Values::Int(ints) => ints[idx] as f64,
                    codec::Values::Float(floats) => floats[idx],
                };
            }
        }
    };
    if let Some((key, bytes)) = store.last_at_or_before(Table::Segments, &segment_key(param, from))? {
        visit(&key, &bytes);
    }
    store.scan(Table::Segments, &segment_key(param, from + 1), &segment_key(param, to), &mut visit)?;
    Ok((n, sum))
}

fn queries(store: &dyn Store, units_store: &dyn Store, config: &Config, report: &mut Report) -> Result<(), Error> {
    let mut rng = Rng::new(42);
    let period_ns = config.hours * 3600 * SECOND_NS;

    let mut times = Vec::new();
    for _ in 0..10_000 {
        let param = rng.below(u64::from(PARAMS)) as u32;
        let started = Instant::now();
        let (key, bytes) =
            store.last_at_or_before(Table::Segments, &segment_key(param, u64::MAX))?.ok_or("no segment")?;
        assert_eq!(key[..4], param.to_be_bytes(), "latest segment is the parameter's");
        let segment = codec::decode(&bytes).ok_or("bad segment")?;
        std::hint::black_box(segment.times_ns.last());
        times.push(started.elapsed());
    }
    report.row("latest value of a parameter", latency(&mut times, us));

    for (hours, n_queries) in [(1, 200), (24, 50)] {
        let hours = hours.min(config.hours);
        let label = format!("range of one parameter, {hours} h");
        let span = hours * 3600 * SECOND_NS;
        let mut times = Vec::new();
        for _ in 0..n_queries {
            let param = rng.below(u64::from(PARAMS)) as u32;
            let from = T0_NS + rng.below(period_ns - span + 1);
            let started = Instant::now();
            let (n, sum) = range_query(store, param, from, from + span - 1)?;
            times.push(started.elapsed());
            std::hint::black_box(sum);
            let expected = hours * 3600;
            assert!(n + 1 >= expected && n <= expected + 1, "{label}: {n} samples, expected {expected}");
        }
        report.row(&format!("{label} ({} samples)", hours * 3600), latency(&mut times, ms));
    }

    let units_span = config.units as u64 * UNIT_PERIOD_NS;
    let mut times = Vec::new();
    for _ in 0..100 {
        let from = T0_NS + rng.below((units_span - SECOND_NS).max(1));
        let mut n = 0usize;
        let started = Instant::now();
        units_store.scan(
            Table::Units,
            &unit_key(from, 0),
            &unit_key(from + SECOND_NS - 1, u32::MAX),
            &mut |_, bytes| {
                n += 1;
                std::hint::black_box(bytes);
            },
        )?;
        times.push(started.elapsed());
        assert_eq!(n as u64, SECOND_NS / UNIT_PERIOD_NS, "a second of units");
    }
    report.row("raw units by time, 1 s (10,000 units)", latency(&mut times, ms));
    Ok(())
}
