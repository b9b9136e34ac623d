//! PUS service 11, time-based scheduling: TC[11,4] "insert activities into the time-based
//! schedule", built by the ground and read by an on-board schedule (the simulator's).
//!
//! The application data follows the Yamcs PUS example (its `pus11.xml` reports each activity
//! as sub-schedule id, release time, request; its simulator reads TC[11,4] the same way):
//!
//! ```text
//! byte 0        sub-schedule id, 8 bits (we send SUBSCHEDULE_ID)
//! byte 1        N, the number of activities, 8 bits (we send 1)
//! N times:
//!   +0          CUC P-field 0x2F (explicit, as Yamcs's `TimeBinaryEncoder` writes `PusTimeType`)
//!   +1..+5      release time, coarse seconds, 32 bits big-endian
//!   +5..+8      release time, fine: 24-bit binary fraction of a second
//!   +8..        the request: one whole CCSDS telecommand packet, its length from its header
//! ```
//!
//! Time: the release time is the spacecraft's CUC time, seconds from the mission's CUC epoch
//! (P-field time code 010, "agency-defined epoch"). The ground converts its own time (ms since
//! the Unix epoch) to that scale before calling [`insert_activity`]: this module takes a
//! [`CucTime`] and never guesses an epoch. [`CucTime::from_epoch_ms`] and
//! [`CucTime::to_epoch_ms`] convert milliseconds since *that* epoch, the scale of the
//! simulator's clock (`now_ms`, seconds from each time type's epoch), exactly for whole
//! milliseconds.

#[cfg(test)]
mod tests;

use crate::pus::{parse_pus_tc, pus_tc, PusTcError};

/// PUS service 11, time-based scheduling.
pub const SERVICE: u8 = 11;
/// TC[11,4]: insert activities into the time-based schedule.
pub const SUBTYPE_INSERT: u8 = 4;
/// The sub-schedule id [`insert_activity`] sends.
pub const SUBSCHEDULE_ID: u8 = 0;
/// The CUC P-field before each release time: time code 010 (agency epoch), 4 coarse and 3
/// fine octets.
pub const CUC_P_FIELD: u8 = 0x2F;
/// Bytes of one release time: the P-field, 4 coarse, 3 fine.
pub const RELEASE_TIME_LEN: usize = 8;
/// The largest fine value: 24 bits.
pub const FINE_MAX: u32 = 0x00FF_FFFF;
/// Bytes before the first activity: sub-schedule id and N.
const HEADER_LEN: usize = 2;
/// The shortest CCSDS packet: the primary header and one data byte.
const PACKET_LEN_MIN: usize = 7;

/// A CUC time of 4 coarse and 3 fine octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CucTime {
    /// Seconds from the mission's CUC epoch.
    pub coarse_s: u32,
    /// The fraction of a second in units of 2⁻²⁴ s; at most [`FINE_MAX`].
    pub fine: u32,
}

impl CucTime {
    /// The CUC time of `epoch_ms` milliseconds from the CUC epoch (fine rounded down).
    pub fn from_epoch_ms(epoch_ms: u64) -> Result<CucTime, Pus11Error> {
        let coarse_s = u32::try_from(epoch_ms / 1000).map_err(|_| Pus11Error::TimeOutOfRange { epoch_ms })?;
        let fine = ((epoch_ms % 1000) << 24) / 1000;
        Ok(CucTime { coarse_s, fine: fine as u32 })
    }

    /// Milliseconds from the CUC epoch, rounded up: a release time is never reached early, and
    /// `from_epoch_ms(ms)?.to_epoch_ms() == ms`. The fine value is taken modulo 2²⁴.
    pub fn to_epoch_ms(self) -> u64 {
        let fine = u64::from(self.fine & FINE_MAX);
        u64::from(self.coarse_s) * 1000 + (fine * 1000).div_ceil(1 << 24)
    }
}

/// Why a TC[11,4] could not be built or read; offsets count from the start of the
/// application data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Pus11Error {
    #[error("TC[11,4]: fine time {0:#x} does not fit 24 bits")]
    Fine(u32),
    #[error("TC[11,4]: {epoch_ms} ms is beyond the 32-bit coarse time")]
    TimeOutOfRange { epoch_ms: u64 },
    #[error("TC[11,4]: the request to schedule is no PUS-C telecommand: {0}")]
    Request(PusTcError),
    #[error("TC[11,4]: {0}")]
    Packet(PusTcError),
    #[error("TC[11,4] at byte {offset}: {found} bytes left, need {expected} for {what}")]
    TooShort { offset: usize, found: usize, expected: usize, what: &'static str },
    #[error("TC[11,4] at byte {offset}: CUC P-field {found:#04x}, expected {CUC_P_FIELD:#04x}")]
    PField { offset: usize, found: u8 },
    #[error("TC[11,4] at byte {offset}: {found} bytes after the last of the N activities")]
    TrailingBytes { offset: usize, found: usize },
}

/// Builds TC[11,4] on `apid` scheduling `request` (a whole PUS-C telecommand, checked with
/// [`parse_pus_tc`]) for `release_time`: N = 1, sub-schedule [`SUBSCHEDULE_ID`], source id 0.
/// `ack_flags` (4 bits, acceptance first) and `sequence_count` are the TC[11,4]'s own.
pub fn insert_activity(
    apid: u16,
    sequence_count: u16,
    ack_flags: u8,
    release_time: CucTime,
    request: &[u8],
) -> Result<Vec<u8>, Pus11Error> {
    if release_time.fine > FINE_MAX {
        return Err(Pus11Error::Fine(release_time.fine));
    }
    parse_pus_tc(request).map_err(Pus11Error::Request)?;
    let mut app_data = Vec::with_capacity(HEADER_LEN + RELEASE_TIME_LEN + request.len());
    app_data.extend_from_slice(&[SUBSCHEDULE_ID, 1, CUC_P_FIELD]);
    app_data.extend_from_slice(&release_time.coarse_s.to_be_bytes());
    app_data.extend_from_slice(&release_time.fine.to_be_bytes()[1..]);
    app_data.extend_from_slice(request);
    pus_tc(apid, sequence_count, SERVICE, SUBTYPE_INSERT, 0, ack_flags, &app_data).map_err(Pus11Error::Packet)
}

/// Reads the activities of a TC[11,4]'s application data: (release time, request bytes) in
/// the order given. Checks the layout (P-field, lengths, nothing after the N-th activity),
/// not the requests themselves: each is one packet's bytes, as long as its header says.
pub fn parse_insert_activity(app_data: &[u8]) -> Result<Vec<(CucTime, Vec<u8>)>, Pus11Error> {
    let need = |offset: usize, expected: usize, what: &'static str| {
        let found = app_data.len().saturating_sub(offset);
        if found < expected {
            return Err(Pus11Error::TooShort { offset, found, expected, what });
        }
        Ok(&app_data[offset..offset + expected])
    };
    let header = need(0, HEADER_LEN, "the sub-schedule id and N")?;
    let n_activities = usize::from(header[1]);
    let mut activities = Vec::with_capacity(n_activities);
    let mut offset = HEADER_LEN;
    for _ in 0..n_activities {
        let time = need(offset, RELEASE_TIME_LEN, "a release time")?;
        if time[0] != CUC_P_FIELD {
            return Err(Pus11Error::PField { offset, found: time[0] });
        }
        let coarse_s = u32::from_be_bytes([time[1], time[2], time[3], time[4]]);
        let fine = u32::from_be_bytes([0, time[5], time[6], time[7]]);
        offset += RELEASE_TIME_LEN;
        let header = need(offset, PACKET_LEN_MIN - 1, "the request's packet header")?;
        let packet_len = usize::from(u16::from_be_bytes([header[4], header[5]])) + PACKET_LEN_MIN;
        let request = need(offset, packet_len, "the request (its header's length)")?;
        activities.push((CucTime { coarse_s, fine }, request.to_vec()));
        offset += packet_len;
    }
    if offset < app_data.len() {
        return Err(Pus11Error::TrailingBytes { offset, found: app_data.len() - offset });
    }
    Ok(activities)
}
