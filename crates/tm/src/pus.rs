//! PUS reports that other parts of the platform act on: service 1 verification reports (for
//! command verification) and service 5 event reports (event records with a severity).
//!
//! The sizes PUS leaves to the mission (data field header, step id, failure code, event id)
//! come from a `PusLayout`, which a deployment's configuration or the MIB (PID_DFHSIZE) gives.

use crate::bits::read_bits;

/// The sizes of a mission's PUS TM fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PusLayout {
    /// Bytes after the 6-byte primary header before the source data (PUS-C: 7 + time field).
    pub data_field_header_len: usize,
    /// Whether packets end with a 2-byte packet error control (excluded from source data).
    pub has_crc: bool,
    pub step_id_len: usize,
    pub failure_code_len: usize,
    pub event_id_len: usize,
}

/// The stage a verification report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VerificationStage {
    Acceptance,
    Start,
    Progress,
    Completion,
}

/// Which telecommand a report is about: its packet id and sequence control (PUS request id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId {
    pub packet_id: u16,
    pub sequence_control: u16,
}

impl VerificationStage {
    /// The stage's lowercase name (`acceptance`, `start`, `progress`, `completion`).
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStage::Acceptance => "acceptance",
            VerificationStage::Start => "start",
            VerificationStage::Progress => "progress",
            VerificationStage::Completion => "completion",
        }
    }
}

impl RequestId {
    /// The request id of a telecommand packet: its first four bytes (packet id and sequence
    /// control); `None` when it is shorter.
    pub fn of_packet(packet: &[u8]) -> Option<RequestId> {
        let header = packet.get(..4)?;
        Some(RequestId {
            packet_id: u16::from_be_bytes([header[0], header[1]]),
            sequence_control: u16::from_be_bytes([header[2], header[3]]),
        })
    }

    /// The APID of the telecommand.
    pub fn apid(&self) -> u16 {
        self.packet_id & 0x07FF
    }

    /// The sequence count of the telecommand.
    pub fn sequence_count(&self) -> u16 {
        self.sequence_control & 0x3FFF
    }
}

/// A TM[1,x] report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationReport {
    pub request: RequestId,
    pub stage: VerificationStage,
    pub success: bool,
    /// For progress reports.
    pub step: Option<u64>,
    /// For failure reports: the failure code and the data after it.
    pub failure_code: Option<u64>,
    pub failure_data: Vec<u8>,
}

/// The severity of a TM[5,x] event report (subtype 1 to 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventSeverity {
    Informative,
    Low,
    Medium,
    High,
}

/// A TM[5,x] report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventReport {
    pub apid: u16,
    pub severity: EventSeverity,
    pub event_id: u64,
    /// The auxiliary data after the event id.
    pub data: Vec<u8>,
}

/// A PUS report worth acting on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PusReport {
    Verification(VerificationReport),
    Event(EventReport),
}

/// Why a PUS 1 or 5 packet could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PusError {
    #[error("TM[{service},{subtype}] of {len} bytes: its source data needs {needed} bytes from byte {start}")]
    TooShort { service: u8, subtype: u8, len: usize, start: usize, needed: usize },
}

/// Reads a service 1 or 5 report from a TM packet; `Ok(None)` for other services, and for
/// packets that are not PUS TM (no secondary header, a telecommand, too short for a header).
pub fn report(packet: &[u8], layout: &PusLayout) -> Result<Option<PusReport>, PusError> {
    if packet.len() < 9 || packet[0] & 0x18 != 0x08 {
        return Ok(None);
    }
    let (service, subtype) = (packet[7], packet[8]);
    let start = 6 + layout.data_field_header_len;
    let end = packet.len().saturating_sub(if layout.has_crc { 2 } else { 0 });
    let source = packet.get(start..end).unwrap_or(&[]);
    let too_short = |needed: usize| PusError::TooShort { service, subtype, len: packet.len(), start, needed };
    let field = |at: usize, len: usize| -> Result<u64, PusError> {
        if len > 8 || at + len > source.len() {
            return Err(too_short(at + len));
        }
        read_bits(source, at * 8, (len * 8) as u32).map_err(|_| too_short(at + len))
    };
    match (service, subtype) {
        (1, 1..=8) => {
            let request = RequestId { packet_id: field(0, 2)? as u16, sequence_control: field(2, 2)? as u16 };
            let stage = match subtype {
                1 | 2 => VerificationStage::Acceptance,
                3 | 4 => VerificationStage::Start,
                5 | 6 => VerificationStage::Progress,
                _ => VerificationStage::Completion,
            };
            let success = subtype % 2 == 1;
            let mut at = 4;
            let step = if stage == VerificationStage::Progress {
                at += layout.step_id_len;
                Some(field(4, layout.step_id_len)?)
            } else {
                None
            };
            let (failure_code, failure_data) = if success {
                (None, Vec::new())
            } else {
                let code = field(at, layout.failure_code_len)?;
                (Some(code), source[at + layout.failure_code_len..].to_vec())
            };
            Ok(Some(PusReport::Verification(VerificationReport {
                request,
                stage,
                success,
                step,
                failure_code,
                failure_data,
            })))
        }
        (5, 1..=4) => {
            let severity = [EventSeverity::Informative, EventSeverity::Low, EventSeverity::Medium, EventSeverity::High]
                [usize::from(subtype - 1)];
            let event_id = field(0, layout.event_id_len)?;
            let apid = u16::from_be_bytes([packet[0] & 0x07, packet[1]]);
            let data = source[layout.event_id_len..].to_vec();
            Ok(Some(PusReport::Event(EventReport { apid, severity, event_id, data })))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests;
