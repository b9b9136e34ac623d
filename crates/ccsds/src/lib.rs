//! CCSDS transport: space packets (133.0-B), TM transfer frames (132.0-B) with virtual channel
//! demultiplexing and packet reassembly, the CRC-16 of both, and the ESA NCTRS TM data unit
//! header that ground stations wrap frames in.
//!
//! It turns received bytes into units (packets or frames) and never loses one: what cannot be
//! decoded comes out as an invalid unit with its reason and offset. It does no I/O, reads no
//! clock, and knows nothing of the mission model.

mod counters;
mod crc;
mod demux;
mod frame;
mod nctrs;
mod packet;
mod splitter;

pub use counters::{InvalidReason, LinkCounters};
pub use crc::crc16_ccitt_false;
pub use demux::{DemuxConfig, FrameDemux, FrameEvent};
pub use frame::{Clcw, FrameConfig, FrameError, TmFrame, TmFrameHeader, FRAME_LEN_MAX};
pub use nctrs::{NctrsTmHeader, NCTRS_TM_HEADER_LEN};
pub use packet::{PacketError, PacketHeader, PacketType, IDLE_APID, PACKET_HEADER_LEN, PACKET_LEN_MAX};
pub use splitter::{whole_packets, PacketSplitter, SplitterConfig, Unit};
