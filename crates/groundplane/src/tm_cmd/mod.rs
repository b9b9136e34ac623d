//! `groundplane tm ...`: telemetry from the command line.

mod decode;
mod listen;
mod output;
#[cfg(test)]
mod tests;

use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// How the units are laid out in a capture file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Framing {
    /// Space packets back to back (with `--prefix-len` bytes before each, if set).
    Packets,
    /// TM transfer frames of `--frame-len` bytes back to back.
    Frames,
    /// TM frames each behind a 20-byte ESA NCTRS TM data unit header.
    Nctrs,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One row per sample, one per invalid unit.
    Csv,
    /// JSON Lines: one object per unit.
    Json,
}

/// How a capture or link is framed (shared by `decode` and `listen`).
#[derive(clap::Args)]
pub struct FramingArgs {
    #[arg(long, value_enum, default_value_t = Framing::Packets)]
    framing: Framing,
    /// Bytes before each packet that are not part of it (e.g. 4 for the SUDA files).
    #[arg(long, default_value_t = 0)]
    prefix_len: usize,
    /// Frame length in bytes (`--framing frames`).
    #[arg(long)]
    frame_len: Option<usize>,
    /// Frames end with a CRC-16 frame error control field.
    #[arg(long)]
    fecf: bool,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

impl FramingArgs {
    fn options(&self) -> decode::Options {
        decode::Options {
            framing: self.framing,
            prefix_len: self.prefix_len,
            frame_len: self.frame_len,
            fecf: self.fecf,
            format: self.format,
        }
    }
}

#[derive(Subcommand)]
pub enum TmCommand {
    /// Decode a capture offline with a mission model: one row per sample (packet, parameter,
    /// raw and engineering value, alarm level); invalid units listed with their reason.
    Decode {
        /// The mission model: an XTCE file, a folder of XTCE files or a MIB folder.
        #[arg(long)]
        model: PathBuf,
        /// The capture file.
        file: PathBuf,
        #[command(flatten)]
        framing: FramingArgs,
    },
    /// Decode a live link (UDP datagrams or a TCP stream) with a mission model, printing rows
    /// as units arrive.
    Listen {
        #[arg(long)]
        model: PathBuf,
        #[command(flatten)]
        listen: ListenArgs,
        #[command(flatten)]
        framing: FramingArgs,
    },
}

/// Listening options of `tm listen`.
#[derive(clap::Args)]
pub struct ListenArgs {
    /// Receive datagrams on this UDP address (e.g. 127.0.0.1:10015).
    #[arg(long, conflicts_with = "tcp")]
    udp: Option<String>,
    /// Accept a byte stream on this TCP address.
    #[arg(long)]
    tcp: Option<String>,
    /// Stop after this many datagrams (UDP) or connections (TCP).
    #[arg(long)]
    max_units: Option<u64>,
    /// Stop after this many milliseconds without data.
    #[arg(long)]
    idle_timeout_ms: Option<u64>,
}

/// Runs a `tm` command.
pub fn run(command: TmCommand) -> anyhow::Result<ExitCode> {
    match command {
        TmCommand::Decode { model, file, framing } => decode::run(&model, &file, &framing.options()),
        TmCommand::Listen { model, listen, framing } => {
            let options = framing.options();
            let listen = listen::Listen {
                udp: listen.udp,
                tcp: listen.tcp,
                max_units: listen.max_units,
                idle_timeout_ms: listen.idle_timeout_ms,
            };
            listen::run(&model, &listen, &options)
        }
    }
}
