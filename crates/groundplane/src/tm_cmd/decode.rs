//! `tm decode`: a capture file, read in chunks (never whole), through the link layer and the
//! model-driven processor, out as CSV or JSON Lines. Every received unit gives output: a
//! decoded packet's samples, or an invalid unit with its reason.

use super::output::Writer;
use super::{Format, Framing};
use crate::cli;
use anyhow::{bail, Context};
use ccsds::{DemuxConfig, FrameConfig, FrameDemux, FrameEvent, NctrsTmHeader, PacketSplitter, SplitterConfig, Unit};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use tm::{Plan, Processor, Sample};

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
pub fn run(model_path: &Path, file: &Path, options: &Options) -> anyhow::Result<ExitCode> {
    let loaded = cli::load_model(model_path)?;
    let imported = match loaded.result {
        Ok(imported) => imported,
        Err(report) => {
            eprint!("{}", crate::render::report(&report, &loaded.files));
            eprintln!("error: {}: the model has errors; fix them before decoding", model_path.display());
            return Ok(ExitCode::from(1));
        }
    };
    let plan = Plan::compile(&imported.model).context("compiling the decoding plan")?;
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

/// The state shared by every unit of one decode.
struct Sink<'a, 'p, W: Write> {
    plan: &'p Plan,
    processor: Processor<'p>,
    samples: Vec<Sample>,
    writer: &'a mut Writer<W>,
    summary: Summary,
    unit: u64,
    error: Option<std::io::Error>,
}

impl<W: Write> Sink<'_, '_, W> {
    fn packet(&mut self, offset: u64, packet: &[u8]) {
        self.samples.clear();
        let result = match self.processor.process(packet, &mut self.samples) {
            Ok(container) => {
                self.summary.packets += 1;
                self.summary.samples += self.samples.len() as u64;
                let name = self.plan.container_name(container).map_or(String::new(), |n| n.to_string());
                self.writer.packet(self.plan, self.unit, offset, &name, &self.samples, packet)
            }
            Err(error) => {
                let reason = match error {
                    tm::ProcessError::UnknownPacket => "unknown packet".to_string(),
                    other => other.to_string(),
                };
                *self.summary.invalid.entry(reason_key(&reason)).or_default() += 1;
                self.writer.invalid(self.unit, offset, packet.len(), &reason)
            }
        };
        self.unit += 1;
        self.keep(result);
    }

    fn invalid(&mut self, offset: u64, len: usize, reason: &str) {
        *self.summary.invalid.entry(reason.to_string()).or_default() += 1;
        let result = self.writer.invalid(self.unit, offset, len, reason);
        self.unit += 1;
        self.keep(result);
    }

    fn keep(&mut self, result: std::io::Result<()>) {
        if let (Err(error), None) = (result, &self.error) {
            self.error = Some(error);
        }
    }
}

/// The counting key of a reason: its text up to the first detail.
fn reason_key(reason: &str) -> String {
    reason.split(':').next().unwrap_or(reason).to_string()
}

/// Decodes everything `reader` gives.
pub fn decode<R: Read, W: Write>(
    mut reader: R,
    plan: &Plan,
    options: &Options,
    writer: &mut Writer<W>,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<Summary> {
    let mut sink = Sink {
        plan,
        processor: Processor::new(plan),
        samples: Vec::with_capacity(256),
        writer,
        summary: Summary::default(),
        unit: 0,
        error: None,
    };
    let mut framer = Framer::new(options)?;
    let mut pending: Vec<u8> = Vec::with_capacity(CHUNK_LEN * 2);
    let mut chunk = vec![0u8; CHUNK_LEN];
    let mut next_progress = PROGRESS_EVERY;
    loop {
        let n = reader.read(&mut chunk).context("reading the capture")?;
        if n == 0 {
            break;
        }
        sink.summary.bytes += n as u64;
        pending.extend_from_slice(&chunk[..n]);
        let used = framer.take(&pending, &mut sink);
        pending.drain(..used);
        if let Some(error) = sink.error.take() {
            return Err(error).context("writing the output");
        }
        if sink.summary.bytes >= next_progress {
            progress(sink.summary.bytes);
            next_progress += PROGRESS_EVERY;
        }
    }
    framer.finish(&pending, &mut sink);
    if let Some(error) = sink.error.take() {
        return Err(error).context("writing the output");
    }
    sink.summary.gaps += framer.gaps();
    Ok(sink.summary)
}

/// Cuts the byte stream into units.
enum Framer {
    Packets(PacketSplitter),
    Frames { demux: FrameDemux, frame_len: usize, offset: u64 },
    Nctrs { demux: FrameDemux, offset: u64, broken: bool },
}

impl Framer {
    fn new(options: &Options) -> anyhow::Result<Framer> {
        let demux = |frame_len| {
            FrameDemux::new(DemuxConfig { frame: FrameConfig { frame_len, fecf: options.fecf }, spacecraft_id: None })
        };
        Ok(match options.framing {
            Framing::Packets => Framer::Packets(PacketSplitter::new(SplitterConfig { prefix_len: options.prefix_len })),
            Framing::Frames => {
                let Some(frame_len) = options.frame_len.filter(|len| (7..=ccsds::FRAME_LEN_MAX).contains(len)) else {
                    bail!("--framing frames needs --frame-len between 7 and {}", ccsds::FRAME_LEN_MAX);
                };
                Framer::Frames { demux: demux(frame_len), frame_len, offset: 0 }
            }
            // The frame length comes from each NCTRS header; the demultiplexer checks it.
            Framing::Nctrs => Framer::Nctrs { demux: demux(0), offset: 0, broken: false },
        })
    }

    /// Takes the whole units at the front of `bytes`; returns how many bytes it used.
    fn take<W: Write>(&mut self, bytes: &[u8], sink: &mut Sink<'_, '_, W>) -> usize {
        match self {
            Framer::Packets(splitter) => splitter.split(bytes, |unit| match unit {
                Unit::Packet { offset, bytes, .. } => sink.packet(offset, bytes),
                Unit::Invalid { offset, bytes, reason } => sink.invalid(offset, bytes.len(), reason.as_str()),
            }),
            Framer::Frames { demux, frame_len, offset } => {
                let mut used = 0;
                while let Some(frame) = bytes.get(used..used + *frame_len) {
                    push_frame(demux, frame, *offset, sink);
                    used += *frame_len;
                    *offset += *frame_len as u64;
                }
                used
            }
            Framer::Nctrs { demux, offset, broken } => {
                let mut used = 0;
                while !*broken {
                    let rest = &bytes[used..];
                    let Some(header) = NctrsTmHeader::parse(rest) else { break };
                    let unit_len = header.packet_size as usize;
                    if unit_len > ccsds::NCTRS_TM_HEADER_LEN + ccsds::FRAME_LEN_MAX {
                        // A size no station sends: the stream cannot be followed from here.
                        *broken = true;
                        break;
                    }
                    let Some(unit) = rest.get(..unit_len) else { break };
                    let frame = &unit[ccsds::NCTRS_TM_HEADER_LEN..];
                    demux.set_frame_len(frame.len());
                    push_frame(demux, frame, *offset, sink);
                    used += unit_len;
                    *offset += unit_len as u64;
                }
                if *broken {
                    sink.invalid(*offset, bytes.len() - used, "bad NCTRS header");
                    *offset += (bytes.len() - used) as u64;
                    return bytes.len();
                }
                used
            }
        }
    }

    /// The end of the stream: what is left is a truncated unit.
    fn finish<W: Write>(&mut self, rest: &[u8], sink: &mut Sink<'_, '_, W>) {
        match self {
            Framer::Packets(splitter) => splitter.finish(rest, |unit| {
                if let Unit::Invalid { offset, bytes, reason } = unit {
                    sink.invalid(offset, bytes.len(), reason.as_str());
                }
            }),
            Framer::Frames { offset, .. } | Framer::Nctrs { offset, .. } => {
                if !rest.is_empty() {
                    sink.invalid(*offset, rest.len(), ccsds::InvalidReason::Truncated.as_str());
                }
            }
        }
    }

    fn gaps(&self) -> u64 {
        match self {
            Framer::Packets(_) => 0,
            Framer::Frames { demux, .. } | Framer::Nctrs { demux, .. } => demux.counters().gaps,
        }
    }
}

fn push_frame<W: Write>(demux: &mut FrameDemux, frame: &[u8], offset: u64, sink: &mut Sink<'_, '_, W>) {
    demux.push_frame(frame, offset, |event| match event {
        FrameEvent::Packet { bytes, .. } => sink.packet(offset, &bytes),
        FrameEvent::Invalid { offset, bytes, reason, .. } => sink.invalid(offset, bytes.len(), reason.as_str()),
        FrameEvent::Gap { .. } | FrameEvent::Clcw { .. } => {}
    });
}
