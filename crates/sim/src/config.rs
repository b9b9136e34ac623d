//! How the simulator is set up: APIDs, the PUS TM layout it writes, rates and the seed.

use model::QualifiedName;
use std::collections::BTreeMap;

/// The PUS TM layout the simulator writes; it must match how the ground reads the mission's
/// packets (`tm::pus::PusLayout` for reports, the model's header containers for the rest).
///
/// The secondary header is PUS-C: byte 6 version 2 and time reference status 0, byte 7 the
/// service, byte 8 the subtype, bytes 9–10 the message type counter, bytes 11–12 the
/// destination id (each written only when it fits `data_field_header_len`), then the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PusTmLayout {
    /// Bytes after the 6-byte primary header before the source data.
    pub data_field_header_len: usize,
    /// Whether packets end with a CRC-16/CCITT-FALSE packet error control.
    pub has_crc: bool,
    /// Byte offset (from the packet start) of the CUC time: coarse seconds, then fine.
    pub time_offset: usize,
    pub time_coarse_len: usize,
    pub time_fine_len: usize,
    /// A CUC P-field written in the byte just before the time, when the mission has one.
    pub time_p_field: Option<u8>,
    pub destination_id: u16,
    /// Sizes of the report fields PUS leaves to the mission.
    pub step_id_len: usize,
    pub failure_code_len: usize,
    pub event_id_len: usize,
    /// Size of a housekeeping structure id in TC[3,5] and TC[3,6].
    pub structure_id_len: usize,
}

impl PusTmLayout {
    /// The plain PUS-C layout: CUC 4+2 time at byte 13, CRC, 4-byte failure codes, 2-byte
    /// event ids, 2-byte structure ids.
    pub fn pus_c() -> Self {
        PusTmLayout {
            data_field_header_len: 13,
            has_crc: true,
            time_offset: 13,
            time_coarse_len: 4,
            time_fine_len: 2,
            time_p_field: None,
            destination_id: 0,
            step_id_len: 4,
            failure_code_len: 4,
            event_id_len: 2,
            structure_id_len: 2,
        }
    }

    /// How `tm::pus::report` must read what this layout writes.
    pub fn pus_layout(&self) -> tm::pus::PusLayout {
        tm::pus::PusLayout {
            data_field_header_len: self.data_field_header_len,
            has_crc: self.has_crc,
            step_id_len: self.step_id_len,
            failure_code_len: self.failure_code_len,
            event_id_len: self.event_id_len,
        }
    }
}

/// The simulator's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// The APID of packets whose container does not fix one (and of event reports).
    pub apid_default: u16,
    pub pus: PusTmLayout,
    /// The period of containers that state no rate, in milliseconds.
    pub period_ms: u64,
    /// Periods per container, overriding the model's rate.
    pub rates_ms: BTreeMap<QualifiedName, u64>,
    /// Seeds values, drops and corruption: the same seed gives the same packets.
    pub seed: u64,
}

impl SimConfig {
    /// PUS-C packets every second from APID `apid_default`.
    pub fn new(apid_default: u16, seed: u64) -> Self {
        SimConfig { apid_default, pus: PusTmLayout::pus_c(), period_ms: 1000, rates_ms: BTreeMap::new(), seed }
    }
}

/// Why a simulator could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("simulator config: APID {0} is above 2047")]
    Apid(u16),
    #[error("simulator config: PUS layout: {0}")]
    Layout(String),
    #[error("scenario: parameter `{0}` is in no container the simulator emits")]
    UnknownParameter(String),
}
