//! Raw units grouped into blocks: one open block per group (an APID, frames, fragments),
//! rewritten by each commit until it is full, like a series' open segment.

use crate::codec::block::{BlockEncoder, UnitIn};
use tm::link::{ReceivedUnit, UnitKind};

/// Most units in one block.
pub(crate) const BLOCK_UNITS_MAX: u32 = 4096;
/// Most bytes in one block (a block is closed once it holds more).
pub(crate) const BLOCK_BYTES_MAX: usize = 64 * 1024;
/// Longest time one block spans: a query for a time range looks this far back for blocks.
pub(crate) const BLOCK_SPAN_MS_MAX: u64 = 10_000;

/// Group of frames.
const GROUP_FRAMES: u32 = 0;
/// Group of fragments.
const GROUP_FRAGMENTS: u32 = 1;
/// Group of packets too short to have an APID.
const GROUP_SHORT_PACKETS: u32 = 2;
/// Groups of packets: this plus the APID.
const GROUP_APID_BASE: u32 = 3;
/// Number of groups.
pub(super) const GROUPS: usize = GROUP_APID_BASE as usize + 2048;

/// The kind of a unit as stored.
pub(crate) fn kind_code(kind: UnitKind) -> u8 {
    match kind {
        UnitKind::Packet => 0,
        UnitKind::Frame => 1,
        UnitKind::Fragment => 2,
    }
}

/// The kind of a stored unit.
pub(crate) fn kind_from_code(code: u8) -> Option<UnitKind> {
    Some(match code {
        0 => UnitKind::Packet,
        1 => UnitKind::Frame,
        2 => UnitKind::Fragment,
        _ => return None,
    })
}

/// The APID of a packet unit, from its primary header.
pub(crate) fn apid_of(kind: UnitKind, bytes: &[u8]) -> Option<u16> {
    match (kind, bytes) {
        (UnitKind::Packet, [first, second, _, _, _, _, ..]) => Some(u16::from_be_bytes([*first, *second]) & 0x07FF),
        _ => None,
    }
}

/// The group of a unit, and its APID.
pub(super) fn group_of(unit: &ReceivedUnit<'_>) -> (u32, Option<u16>) {
    match (unit.kind, apid_of(unit.kind, unit.bytes)) {
        (UnitKind::Frame, _) => (GROUP_FRAMES, None),
        (UnitKind::Fragment, _) => (GROUP_FRAGMENTS, None),
        (UnitKind::Packet, Some(apid)) => (GROUP_APID_BASE + u32::from(apid), Some(apid)),
        (UnitKind::Packet, None) => (GROUP_SHORT_PACKETS, None),
    }
}

/// A block that is full (or cut short) and waits for the next commit.
#[derive(Clone, Debug)]
pub(super) struct SealedBlock {
    pub first_ms: u64,
    pub last_ms: u64,
    pub first_seq: u64,
    pub count: u32,
    pub blob: Vec<u8>,
    pub replaces: Option<i64>,
}

/// One group's open block and the blocks sealed since the last commit.
#[derive(Clone, Debug, Default)]
pub(super) struct UnitGroup {
    pub apid: Option<u16>,
    pub enc: BlockEncoder,
    pub tail_rowid: Option<i64>,
    pub durable_count: u32,
    pub sealed: Vec<SealedBlock>,
    pub dirty: bool,
}

impl UnitGroup {
    /// Appends a unit, starting a new block when it would not fit the open one.
    pub fn push(&mut self, unit: &UnitIn<'_>) {
        let enc = &self.enc;
        if enc.count > 0 && (unit.time_ms < enc.last_ms || unit.time_ms - enc.first_ms > BLOCK_SPAN_MS_MAX) {
            self.seal();
        }
        self.enc.push(unit);
        if self.enc.count >= BLOCK_UNITS_MAX || self.enc.len() >= BLOCK_BYTES_MAX {
            self.seal();
        }
    }

    pub fn seal(&mut self) {
        if self.enc.count == 0 {
            return;
        }
        let mut blob = Vec::new();
        self.enc.finish(&mut blob);
        self.sealed.push(SealedBlock {
            first_ms: self.enc.first_ms,
            last_ms: self.enc.last_ms,
            first_seq: self.enc.first_seq,
            count: self.enc.count,
            blob,
            replaces: self.tail_rowid.take(),
        });
        self.durable_count = 0;
        self.enc.clear();
    }
}
