//! The command line of `groundplane sim`, and what it means for the simulator and its links.

use std::path::PathBuf;

/// `groundplane sim`: a simulator generated from a mission model, on UDP or TCP links.
#[derive(clap::Args)]
pub struct SimArgs {
    /// The mission model: an XTCE file, a folder of XTCE files, or a SCOS-2000 MIB folder.
    #[arg(long)]
    pub model: PathBuf,
    /// Where TM goes: udp:HOST:PORT (datagrams) or tcp:HOST:PORT (the simulator connects).
    #[arg(long, value_parser = endpoint)]
    pub tm: sim_link::Endpoint,
    /// Where telecommands arrive: udp:HOST:PORT or tcp:HOST:PORT (the simulator listens).
    #[arg(long, value_parser = endpoint)]
    pub tc: sim_link::Endpoint,
    /// Send TM as transfer frames of this many bytes instead of packets.
    #[arg(long, value_name = "LEN")]
    pub tm_frames: Option<usize>,
    /// Spacecraft id of the TM frames.
    #[arg(long, default_value_t = 0)]
    pub spacecraft_id: u16,
    /// Virtual channel of the TM frames.
    #[arg(long, default_value_t = 0)]
    pub virtual_channel: u8,
    /// Read telecommands as TC transfer frames instead of packets.
    #[arg(long)]
    pub tc_frames: bool,
    /// Frames (TM and TC) carry no frame error control field.
    #[arg(long)]
    pub no_fecf: bool,
    /// A scenario file: out-of-limits values, events, rejections, delays, drops.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Seeds values, drops and corruption: the same seed gives the same packets.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// APID of containers that do not fix one, and of event reports.
    #[arg(long, default_value_t = 100)]
    pub apid: u16,
    /// Period of containers whose model states no rate.
    #[arg(long, default_value_t = 1000)]
    pub period_ms: u64,
    /// How often the simulator emits what is due.
    #[arg(long, default_value_t = 100)]
    pub tick_ms: u64,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    pub duration_s: Option<u64>,
    /// Simulate what could be read of a model with import errors (they are printed).
    #[arg(long)]
    pub allow_errors: bool,
    #[command(flatten)]
    pub pus: PusArgs,
}

/// The mission's PUS TM layout (defaults: plain PUS-C, CUC 4+2 time at byte 13, CRC).
#[derive(clap::Args)]
pub struct PusArgs {
    /// Bytes after the primary header before the source data.
    #[arg(long, value_name = "LEN", default_value_t = 13)]
    pub pus_header_len: usize,
    /// Whether packets end with a CRC.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub pus_crc: bool,
    /// Byte offset of the CUC time in a packet.
    #[arg(long, value_name = "OFFSET", default_value_t = 13)]
    pub time_offset: usize,
    #[arg(long, value_name = "LEN", default_value_t = 4)]
    pub time_coarse_len: usize,
    #[arg(long, value_name = "LEN", default_value_t = 2)]
    pub time_fine_len: usize,
    /// A CUC P-field byte written just before the time.
    #[arg(long, value_name = "BYTE")]
    pub time_p_field: Option<u8>,
    #[arg(long, value_name = "LEN", default_value_t = 4)]
    pub failure_code_len: usize,
    #[arg(long, value_name = "LEN", default_value_t = 2)]
    pub event_id_len: usize,
}

fn endpoint(text: &str) -> Result<sim_link::Endpoint, String> {
    text.parse().map_err(|error: sim_link::SimLinkError| error.to_string())
}

impl SimArgs {
    /// The simulator's configuration.
    pub fn sim_config(&self) -> sim::SimConfig {
        let mut config = sim::SimConfig::new(self.apid, self.seed);
        config.period_ms = self.period_ms;
        let pus = &self.pus;
        config.pus = sim::PusTmLayout {
            data_field_header_len: pus.pus_header_len,
            has_crc: pus.pus_crc,
            time_offset: pus.time_offset,
            time_coarse_len: pus.time_coarse_len,
            time_fine_len: pus.time_fine_len,
            time_p_field: pus.time_p_field,
            failure_code_len: pus.failure_code_len,
            event_id_len: pus.event_id_len,
            ..sim::PusTmLayout::pus_c()
        };
        config
    }

    /// How TM leaves the simulator.
    pub fn tm_framing(&self) -> sim_link::TmFraming {
        match self.tm_frames {
            None => sim_link::TmFraming::Packets,
            Some(frame_len) => sim_link::TmFraming::Frames {
                frame_len,
                spacecraft_id: self.spacecraft_id,
                virtual_channel: self.virtual_channel,
                fecf: !self.no_fecf,
            },
        }
    }

    /// How telecommands arrive.
    pub fn tc_framing(&self) -> sim_link::TcFraming {
        if self.tc_frames {
            sim_link::TcFraming::Frames { fecf: !self.no_fecf }
        } else {
            sim_link::TcFraming::Packets
        }
    }
}
