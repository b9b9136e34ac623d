//! Runs of a flattened container: consecutive fields that are read, calibrated and checked the
//! same way are decoded by one loop (`process::lanes`, chosen here) without a dispatch per
//! field, each field described by a `Lane` that holds everything constant about its sample.

use super::fast::{Field, Limits, Op};
use crate::process::lanes::lane_loop;
use crate::value::Sample;
use model::AlarmLevel;

/// How every field of a run is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LaneRead {
    U8,
    U16,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
    /// An unsigned field off the byte grid: shifted and masked out of 8 bytes (zeros past the
    /// end of the packet).
    Bits,
    F32,
    F64,
}

impl LaneRead {
    /// How many bytes from the lane's byte the read takes.
    pub(crate) fn n_bytes(self) -> usize {
        match self {
            LaneRead::U8 | LaneRead::I8 => 1,
            LaneRead::U16 | LaneRead::I16 => 2,
            LaneRead::U32 | LaneRead::I32 | LaneRead::F32 => 4,
            LaneRead::U64 | LaneRead::I64 | LaneRead::Bits | LaneRead::F64 => 8,
        }
    }
}

/// How every field of a run is calibrated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LaneCal {
    None,
    /// `coefficients[0] + coefficients[1] * x`.
    Linear,
    /// The cubic of `coefficients`, by Horner's rule.
    Poly,
}

/// What a run's loop does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunKind {
    /// Fields decoded one at a time through their `Op` (uncommon combinations, general limits).
    Mixed,
    /// Every field read and calibrated the same way, with as many range checks (0 to 2).
    Same { read: LaneRead, cal: LaneCal, n_checks: u8 },
}

/// Consecutive fields `start..end` of a container.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Run {
    pub kind: RunKind,
    pub start: usize,
    pub end: usize,
    /// For a `Same` run: one lane per field, and the loop for its kind.
    pub lanes: Vec<Lane>,
    pub decode: Option<LaneLoop>,
    /// The packet must be this long for the run's loop: the end of its last field (the packet
    /// was checked against the container's `min_len`, so this holds unless the plan is wrong).
    pub need_len: usize,
}

/// A run's loop: appends one sample per lane of the packet's fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaneLoop(pub fn(&mut Vec<Sample>, &[u8], &[Lane]));

impl PartialEq for LaneLoop {
    /// The loop is chosen by the run's kind, which is compared with it.
    fn eq(&self, _: &LaneLoop) -> bool {
        true
    }
}

/// One field as a run's loop sees it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Lane {
    /// The field's first byte. A run of whole-byte fields reads them back to back from its
    /// first lane's byte.
    pub byte: u32,
    /// For `LaneRead::Bits`: the shift and mask applied to the 8 bytes from `byte`.
    pub shift: u32,
    pub mask: u64,
    pub coefficients: [f64; 4],
    /// The range checks as `[lo0, hi0, lo1, hi1]` (inclusive); an unused check is `(-inf, inf)`.
    pub bounds: [f64; 4],
    /// The sample with everything but the values filled in, by the outcome of the range checks:
    /// index `2 * outside_first + outside_second`.
    pub templates: [Sample; 4],
}

/// The runs of `fields`: consecutive fields of the same kind (and back to back, for whole bytes).
pub(crate) fn runs(fields: &[Field]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (idx, field) in fields.iter().enumerate() {
        let (mut kind, mut lane) = lane(field);
        // A short whole-byte unsigned field after bit fields (a packet header) joins their run
        // as a bit field: one loop instead of one per kind.
        if let (
            RunKind::Same { read: read @ (LaneRead::U8 | LaneRead::U16 | LaneRead::U32), cal, n_checks },
            Some(run),
        ) = (kind, runs.last())
        {
            if run.kind == (RunKind::Same { read: LaneRead::Bits, cal, n_checks }) {
                let size_bits = 8 * read.n_bytes() as u32;
                lane.shift = 64 - size_bits;
                lane.mask = (1 << size_bits) - 1;
                kind = run.kind;
            }
        }
        let need_len = match kind {
            RunKind::Mixed => 0,
            // A bit field reads 8 bytes, padded with zeros past the end: only its own must be there.
            RunKind::Same { read: LaneRead::Bits, .. } => lane.byte as usize + (64 - lane.shift as usize).div_ceil(8),
            RunKind::Same { read, .. } => lane.byte as usize + read.n_bytes(),
        };
        // Whole-byte fields of a run lie back to back, read from one slice.
        let adjacent = |run: &Run| match (kind, run.lanes.last()) {
            (RunKind::Same { read: LaneRead::Bits, .. }, _) => true,
            (RunKind::Same { read, .. }, Some(previous)) => {
                previous.byte as usize + read.n_bytes() == lane.byte as usize
            }
            _ => true,
        };
        let run = match runs.last_mut() {
            Some(run) if run.kind == kind && adjacent(run) => run,
            _ => {
                let decode = match kind {
                    RunKind::Mixed => None,
                    RunKind::Same { read, cal, n_checks } => Some(lane_loop(read, cal, n_checks)),
                };
                let run = Run { kind, start: idx, end: idx, lanes: Vec::new(), decode, need_len };
                runs.push(run);
                runs.last_mut().expect("just pushed")
            }
        };
        if run.decode.is_some() {
            run.lanes.push(lane);
        }
        run.end = idx + 1;
        run.need_len = run.need_len.max(need_len);
    }
    runs
}

fn lane(field: &Field) -> (RunKind, Lane) {
    let mut lane = Lane {
        byte: 0,
        shift: 0,
        mask: 0,
        coefficients: [0.0; 4],
        bounds: [f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY],
        templates: [Sample::from_parts(field.parameter, field.bit_offset, (0, 0), (0, 0), AlarmLevel::Normal); 4],
    };
    let mut levels = [AlarmLevel::Normal; 2];
    let n_checks = match &field.limits {
        Limits::None => 0,
        Limits::Ranges { checks, n_checks } => {
            for (idx, (lo, hi, level)) in checks.iter().take(usize::from(*n_checks)).enumerate() {
                lane.bounds[2 * idx] = *lo;
                lane.bounds[2 * idx + 1] = *hi;
                levels[idx] = *level;
            }
            *n_checks
        }
        Limits::General => return (RunKind::Mixed, lane),
    };
    let integer = |n_bytes: u8, signed: bool| match (n_bytes, signed) {
        (1, false) => LaneRead::U8,
        (2, false) => LaneRead::U16,
        (4, false) => LaneRead::U32,
        (_, false) => LaneRead::U64,
        (1, true) => LaneRead::I8,
        (2, true) => LaneRead::I16,
        (4, true) => LaneRead::I32,
        (_, true) => LaneRead::I64,
    };
    let (read, cal, byte, raw_kind) = match field.op {
        Op::Unsigned { byte, n_bytes } => (integer(n_bytes, false), LaneCal::None, byte, 0),
        Op::Signed { byte, n_bytes } => (integer(n_bytes, true), LaneCal::None, byte, 1),
        Op::Bits { byte, shift, mask } => {
            lane.shift = u32::from(shift);
            lane.mask = mask;
            (LaneRead::Bits, LaneCal::None, byte, 0)
        }
        Op::F32 { byte } => (LaneRead::F32, LaneCal::None, byte, 2),
        Op::F64 { byte } => (LaneRead::F64, LaneCal::None, byte, 2),
        Op::UnsignedLinear { byte, n_bytes, offset, slope } => {
            lane.coefficients = [offset, slope, 0.0, 0.0];
            (integer(n_bytes, false), LaneCal::Linear, byte, 0)
        }
        Op::UnsignedPoly { byte, n_bytes, coefficients } => {
            lane.coefficients = coefficients;
            (integer(n_bytes, false), LaneCal::Poly, byte, 0)
        }
        Op::SignedPoly { byte, n_bytes, coefficients } => {
            lane.coefficients = coefficients;
            (integer(n_bytes, true), LaneCal::Poly, byte, 1)
        }
        Op::General => return (RunKind::Mixed, lane),
    };
    lane.byte = byte;
    let eng_kind = if cal == LaneCal::None { raw_kind } else { 2 };
    let [first, second] = levels;
    lane.templates = [AlarmLevel::Normal, second, first, first]
        .map(|level| Sample::from_parts(field.parameter, field.bit_offset, (raw_kind, 0), (eng_kind, 0), level));
    (RunKind::Same { read, cal, n_checks }, lane)
}
