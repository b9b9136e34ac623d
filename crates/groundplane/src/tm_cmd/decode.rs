//! `tm decode`: a capture file, read in chunks (never whole), through the link layer and the
//! model-driven processor, out as CSV or JSON Lines. Every received unit gives output: a
//! decoded packet's samples, or an invalid unit with its reason.

use super::output::Writer;
use super::{Format, Framing};
use crate::cli;
use anyhow::{bail, Context};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use tm::alarms::{AlarmBoard, AlarmChange};
use tm::link::{Framing as LinkFraming, Link, ReceivedUnit, TmSink, UnitKind};
use tm::pus::PusReport;
use tm::{ContainerId, Plan, Sample};

/// Bytes read from the file at a time.
const CHUNK_LEN: usize = 1 << 20;
/// Progress is shown on a terminal every this many bytes.
const PROGRESS_EVERY: u64 = 16 << 20;

/// How to read the capture and what to write.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub framing: Framing,
    pub prefix_len: usize,
    pub frame_len: Option<usize>,
    pub fecf: bool,
    pub format: Format,
}

/// What a decode went through.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub bytes: u64,
    pub packets: u64,
    pub samples: u64,
    pub invalid: BTreeMap<String, u64>,
    pub gaps: u64,
}

/// Decodes `file` with the model at `model_path`, writing to stdout.
/// The decoding plan of the model at `model_path`; `None` (errors printed) when it has errors.
pub(super) fn load_plan(model_path: &Path) -> anyhow::Result<Option<Plan>> {
    let loaded = cli::load_model(model_path)?;
    let imported = match loaded.result {
        Ok(imported) => imported,
        Err(report) => {
            eprint!("{}", crate::render::report(&report, &loaded.files));
            eprintln!("error: {}: the model has errors; fix them before decoding", model_path.display());
            return Ok(None);
        }
    };
    Ok(Some(Plan::compile(&imported.model).context("compiling the decoding plan")?))
}

pub fn run(model_path: &Path, file: &Path, options: &Options) -> anyhow::Result<ExitCode> {
    let Some(plan) = load_plan(model_path)? else { return Ok(ExitCode::from(1)) };
    let reader = std::fs::File::open(file).with_context(|| format!("{}: cannot open", file.display()))?;
    let total = reader.metadata().map(|m| m.len()).unwrap_or(0);
    let stdout = std::io::stdout().lock();
    let mut writer = Writer::new(std::io::BufWriter::with_capacity(1 << 16, stdout), options.format)?;
    let show_progress = std::io::stderr().is_terminal() && total > PROGRESS_EVERY;
    let started = std::time::Instant::now();
    let mut progress = |done: u64| {
        if show_progress {
            eprint!("\rdecoding {}: {:.0} %", file.display(), done as f64 * 100.0 / total as f64);
        }
    };
    let summary = match decode(reader, &plan, options, &mut writer, &mut progress).and_then(|summary| {
        writer.finish()?;
        Ok(summary)
    }) {
        Ok(summary) => summary,
        // The reader of our output went away (`| head`): nothing more to do.
        Err(error) if is_broken_pipe(&error) => return Ok(ExitCode::SUCCESS),
        Err(error) => return Err(error),
    };
    if show_progress {
        eprintln!();
    }
    let invalid: u64 = summary.invalid.values().sum();
    eprintln!(
        "{}: {} bytes, {} packets decoded ({} samples), {} invalid units {:?}, {} gaps, in {:.2} s",
        file.display(),
        summary.bytes,
        summary.packets,
        summary.samples,
        invalid,
        summary.invalid,
        summary.gaps,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Writes what the link gives as rows, keeping the first write error.
pub(super) struct RowSink<'a, 'p, W: Write> {
    pub plan: &'p Plan,
    pub writer: &'a mut Writer<W>,
    pub summary: Summary,
    /// The number of the next unit that gives rows (packets, fragments, invalid frames).
    unit: u64,
    /// The offset of the latest valid packet, for its rows.
    offset: u64,
    error: Option<std::io::Error>,
}

impl<'a, 'p, W: Write> RowSink<'a, 'p, W> {
    /// A sink writing rows to `writer`.
    pub fn new(plan: &'p Plan, writer: &'a mut Writer<W>) -> Self {
        RowSink { plan, writer, summary: Summary::default(), unit: 0, offset: 0, error: None }
    }

    /// The first write error, if any (taken).
    pub fn take_error(&mut self) -> Option<std::io::Error> {
        self.error.take()
    }

    fn keep(&mut self, result: std::io::Result<()>) {
        if let (Err(error), None) = (result, &self.error) {
            self.error = Some(error);
        }
    }
}

impl<W: Write> TmSink for RowSink<'_, '_, W> {
    fn unit(&mut self, unit: &ReceivedUnit<'_>) {
        match (unit.kind, unit.invalid) {
            (UnitKind::Frame, None) => {}
            (UnitKind::Packet, None) => self.offset = unit.offset,
            (_, Some(reason)) => {
                *self.summary.invalid.entry(reason_key(reason)).or_default() += 1;
                let result = self.writer.invalid(self.unit, unit.offset, unit.bytes.len(), reason);
                self.unit += 1;
                self.keep(result);
            }
            (UnitKind::Fragment, None) => {}
        }
    }

    fn packet(&mut self, _reception_ms: u64, container: ContainerId, packet: &[u8], samples: &[Sample]) {
        self.summary.packets += 1;
        self.summary.samples += samples.len() as u64;
        let name = self.plan.container_name(container).map_or(String::new(), |n| n.to_string());
        let result = self.writer.packet(self.plan, self.unit, self.offset, &name, samples, packet);
        self.unit += 1;
        self.keep(result);
    }

    fn report(&mut self, _reception_ms: u64, _report: &PusReport) {}

    fn alarm(&mut self, _change: &AlarmChange) {}
}

/// The counting key of a reason: its text up to the first detail.
fn reason_key(reason: &str) -> String {
    reason.split(':').next().unwrap_or(reason).to_string()
}

/// The link framing the options ask for.
pub(super) fn framing(options: &Options) -> anyhow::Result<LinkFraming> {
    Ok(match options.framing {
        Framing::Packets => LinkFraming::Packets { prefix_len: options.prefix_len },
        Framing::Frames => {
            let Some(frame_len) = options.frame_len.filter(|len| (7..=ccsds::FRAME_LEN_MAX).contains(len)) else {
                bail!("--framing frames needs --frame-len between 7 and {}", ccsds::FRAME_LEN_MAX);
            };
            LinkFraming::Frames { frame_len, fecf: options.fecf, spacecraft_id: None }
        }
        Framing::Nctrs => LinkFraming::Nctrs { fecf: options.fecf, spacecraft_id: None },
    })
}

/// Decodes everything `reader` gives.
pub fn decode<R: Read, W: Write>(
    mut reader: R,
    plan: &Plan,
    options: &Options,
    writer: &mut Writer<W>,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<Summary> {
    let mut link = Link::new(plan, framing(options)?, None);
    let mut alarms = AlarmBoard::new();
    let mut sink = RowSink::new(plan, writer);
    let mut chunk = vec![0u8; CHUNK_LEN];
    let mut next_progress = PROGRESS_EVERY;
    loop {
        let n = reader.read(&mut chunk).context("reading the capture")?;
        if n == 0 {
            break;
        }
        sink.summary.bytes += n as u64;
        // Offline decoding has no reception time: units carry 0.
        link.receive(&chunk[..n], 0, &mut alarms, &mut sink);
        if let Some(error) = sink.error.take() {
            return Err(error).context("writing the output");
        }
        if sink.summary.bytes >= next_progress {
            progress(sink.summary.bytes);
            next_progress += PROGRESS_EVERY;
        }
    }
    link.finish(0, &mut sink);
    if let Some(error) = sink.error.take() {
        return Err(error).context("writing the output");
    }
    sink.summary.gaps = link.counters().gaps;
    Ok(sink.summary)
}
