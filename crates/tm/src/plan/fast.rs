//! The fast path: containers whose every entry sits at a position known when the plan is
//! compiled (no conditions, no dynamic sizes or counts) are flattened into a list of fields
//! with absolute bit offsets, and identification through restriction criteria that compare
//! such fields with numbers becomes a walk over precomputed checks. Anything else takes the
//! general path, which gives the same results.

use super::criteria::{Condition, Count, Right};
use super::runs::Run;
use super::types::{Codec, CompiledType, Conversion};
use super::{Container, EntryWhat, Layout, ParamInfo};
use crate::value::{ContainerId, ParamId};
use model::{AlarmLevel, ByteOrder, Calibrator, ComparisonOp, FloatFormat, IntegerSign, LocationReference};

/// How a fast field is read: aligned big-endian whole bytes, or any other static codec.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Read {
    /// An unsigned big-endian field of at most 57 bits at any bit offset: shifted out of
    /// the 8 bytes from `byte`.
    Bits {
        byte: u32,
        shift: u8,
        mask: u64,
    },
    Unsigned {
        byte: u32,
        n_bytes: u8,
    },
    Signed {
        byte: u32,
        n_bytes: u8,
    },
    F32 {
        byte: u32,
    },
    F64 {
        byte: u32,
    },
    /// The general codec of the type, at a known bit offset.
    Codec,
}

/// A polynomial of at most four coefficients, or none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cal {
    None,
    Poly {
        coefficients: [f64; 4],
    },
    /// Anything else: the general conversion.
    General,
}

/// Most range checks a fast field holds inline; a type with more severities defined takes
/// the general monitoring (kept small so a field's description stays in few cache lines).
pub(crate) const RANGES_MAX: usize = 2;

/// Range checks from most to least severe: a value outside the inclusive `[lo, hi]` of the
/// first check gives its level (exclusive bounds are moved to the next float inward, so a
/// NaN is outside every range).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Limits {
    None,
    Ranges { checks: [(f64, f64, AlarmLevel); RANGES_MAX], n_checks: u8 },
    General,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    /// The whole read-and-calibrate step as one case, for the common combinations.
    pub op: Op,
    pub parameter: ParamId,
    pub bit_offset: u32,
    pub type_idx: usize,
    pub read: Read,
    pub cal: Cal,
    pub limits: Limits,
    /// Whether processing reads this parameter back, so its latest value must be kept.
    pub track: bool,
}

/// Reading and calibrating a field as one step: what `plan::runs` turns into lanes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    /// `offset + slope * x`: the most common calibration, with the shortest dependency chain.
    UnsignedLinear {
        byte: u32,
        n_bytes: u8,
        offset: f64,
        slope: f64,
    },
    Unsigned {
        byte: u32,
        n_bytes: u8,
    },
    Signed {
        byte: u32,
        n_bytes: u8,
    },
    Bits {
        byte: u32,
        shift: u8,
        mask: u64,
    },
    F32 {
        byte: u32,
    },
    F64 {
        byte: u32,
    },
    UnsignedPoly {
        byte: u32,
        n_bytes: u8,
        coefficients: [f64; 4],
    },
    SignedPoly {
        byte: u32,
        n_bytes: u8,
        coefficients: [f64; 4],
    },
    /// Any other combination: read, convert and calibrate step by step.
    General,
}

fn op_of(read: Read, cal: &Cal) -> Op {
    match (read, cal) {
        (Read::Unsigned { byte, n_bytes }, Cal::None) => Op::Unsigned { byte, n_bytes },
        (Read::Signed { byte, n_bytes }, Cal::None) => Op::Signed { byte, n_bytes },
        (Read::Bits { byte, shift, mask }, Cal::None) => Op::Bits { byte, shift, mask },
        (Read::F32 { byte }, Cal::None) => Op::F32 { byte },
        (Read::F64 { byte }, Cal::None) => Op::F64 { byte },
        (Read::Unsigned { byte, n_bytes }, Cal::Poly { coefficients: [offset, slope, 0.0, 0.0] }) => {
            Op::UnsignedLinear { byte, n_bytes, offset: *offset, slope: *slope }
        }
        (Read::Unsigned { byte, n_bytes }, Cal::Poly { coefficients }) => {
            Op::UnsignedPoly { byte, n_bytes, coefficients: *coefficients }
        }
        (Read::Signed { byte, n_bytes }, Cal::Poly { coefficients }) => {
            Op::SignedPoly { byte, n_bytes, coefficients: *coefficients }
        }
        _ => Op::General,
    }
}

/// A container's whole chain flattened.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FastContainer {
    pub fields: Vec<Field>,
    /// The fields in runs decoded by one loop each.
    pub runs: Vec<Run>,
    /// The fields in lane runs that processing reads back, in order: index and parameter.
    pub lane_tracked: Vec<(usize, ParamId)>,
    /// The packet must be at least this long.
    pub min_len: usize,
}

/// One static restriction check: the integer field at `bit_offset` (of type `type_idx`)
/// equals `value`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Check {
    pub type_idx: usize,
    pub bit_offset: u32,
    pub read: Read,
    pub value: i64,
}

/// Identification as a walk over static checks, for a plan with one root whose whole tree
/// has static restrictions: `checks[c]` are container `c`'s restriction checks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FastTree {
    pub root: ContainerId,
    pub checks: Vec<Vec<Check>>,
}

/// Static positions of the parameters of one chain, for building checks.
type Positions = Vec<(ParamId, u32, u32, usize)>;

/// Flattens `id`'s chain (bases first); `None` when any position is not static.
pub(crate) fn flatten(
    containers: &[Container],
    parameters: &[ParamInfo],
    types: &[CompiledType],
    tracked: &[bool],
    id: ContainerId,
) -> Option<(FastContainer, Positions)> {
    let mut chain = vec![id];
    while let Some(base) = containers[chain.last()?.0 as usize].base {
        if chain.len() > model::NESTING_MAX {
            return None;
        }
        chain.push(base);
    }
    let mut fields = Vec::new();
    let mut positions = Vec::new();
    let mut cursor: i64 = 0;
    for container in chain.iter().rev().map(|c| &containers[c.0 as usize]) {
        for entry in &container.entries {
            if entry.include.is_some() {
                return None;
            }
            let repeats = match &entry.repeat {
                None => 1,
                Some((Count::Fixed(n), 0)) if (1..=1024).contains(n) => *n,
                Some(_) => return None,
            };
            let mut start = match entry.reference {
                LocationReference::ContainerStart | LocationReference::PacketStart => entry.offset_bits,
                LocationReference::PreviousEntry => cursor + entry.offset_bits,
                LocationReference::ContainerEnd => return None,
            };
            for _ in 0..repeats {
                let bit_offset = u32::try_from(start).ok()?;
                let size = match &entry.what {
                    EntryWhat::Parameter(parameter) => {
                        let Layout::Scalar(type_idx) = parameters.get(parameter.0 as usize)?.layout else {
                            return None;
                        };
                        let compiled = &types[type_idx];
                        let size = fixed_size(&compiled.codec)?;
                        let track = tracked.get(parameter.0 as usize).copied().unwrap_or(true);
                        fields.push(field(*parameter, bit_offset, type_idx, compiled, size, track));
                        positions.push((*parameter, bit_offset, size, type_idx));
                        size
                    }
                    EntryWhat::Fixed(size_bits) => *size_bits,
                    EntryWhat::Container(_) | EntryWhat::Group { .. } => return None,
                };
                start += i64::from(size);
                cursor = start;
            }
        }
    }
    let min_len = fields.iter().map(|f| (f.bit_offset as usize + field_size(f, types)).div_ceil(8)).max().unwrap_or(0);
    let runs = super::runs::runs(&fields);
    let lane_tracked = runs
        .iter()
        .filter(|run| run.decode.is_some())
        .flat_map(|run| fields[run.start..run.end].iter().enumerate().map(move |(idx, f)| (run.start + idx, f)))
        .filter(|(_, field)| field.track)
        .map(|(idx, field)| (idx, field.parameter))
        .collect();
    Some((FastContainer { fields, runs, lane_tracked, min_len }, positions))
}

fn field_size(field: &Field, types: &[CompiledType]) -> usize {
    fixed_size(&types[field.type_idx].codec).unwrap_or(0) as usize
}

pub(crate) fn fixed_size(codec: &Codec) -> Option<u32> {
    match codec {
        Codec::Integer { size_bits, .. } | Codec::Float { size_bits, .. } => Some(*size_bits),
        Codec::Text { size: super::types::Size::Fixed(bits) }
        | Codec::Binary { size: super::types::Size::Fixed(bits) } => Some(*bits),
        Codec::Cuc { coarse_octets, fine_octets } => Some(8 * (coarse_octets + fine_octets)),
        Codec::Cds { day_octets, submillisecond_octets } => Some(8 * (day_octets + 4 + submillisecond_octets)),
        _ => None,
    }
}

fn field(
    parameter: ParamId,
    bit_offset: u32,
    type_idx: usize,
    compiled: &CompiledType,
    size: u32,
    track: bool,
) -> Field {
    let read = read_of(&compiled.codec, bit_offset, size);
    let cal = cal_of(compiled);
    Field { op: op_of(read, &cal), track, parameter, bit_offset, type_idx, read, cal, limits: limits_of(compiled) }
}

fn read_of(codec: &Codec, bit_offset: u32, size: u32) -> Read {
    let aligned = bit_offset.is_multiple_of(8);
    let byte = bit_offset / 8;
    let skip = bit_offset % 8;
    match codec {
        Codec::Integer { sign: IntegerSign::Unsigned, order, .. }
            if !(aligned && matches!(size, 8 | 16 | 32 | 64))
                && (size <= 8 || *order == ByteOrder::BigEndian)
                && (1..=57).contains(&size) =>
        {
            Read::Bits { byte, shift: (64 - skip - size) as u8, mask: (1u64 << size) - 1 }
        }
        Codec::Integer { sign, order: ByteOrder::BigEndian, .. } if aligned && matches!(size, 8 | 16 | 32 | 64) => {
            let n_bytes = (size / 8) as u8;
            match sign {
                IntegerSign::Unsigned => Read::Unsigned { byte, n_bytes },
                IntegerSign::TwosComplement => Read::Signed { byte, n_bytes },
                _ => Read::Codec,
            }
        }
        Codec::Float { format: FloatFormat::Ieee754, order: ByteOrder::BigEndian, size_bits: 32 } if aligned => {
            Read::F32 { byte }
        }
        Codec::Float { format: FloatFormat::Ieee754, order: ByteOrder::BigEndian, size_bits: 64 } if aligned => {
            Read::F64 { byte }
        }
        _ => Read::Codec,
    }
}

fn cal_of(compiled: &CompiledType) -> Cal {
    let numeric = matches!(compiled.conversion, Conversion::Integer { .. } | Conversion::Float);
    match (&compiled.calibrator, compiled.context_calibrators.is_empty(), numeric) {
        (None, true, true) => Cal::None,
        (Some(Calibrator::Polynomial { coefficients }), true, true) if coefficients.len() <= 4 => {
            let mut padded = [0.0; 4];
            padded[..coefficients.len()].copy_from_slice(coefficients);
            Cal::Poly { coefficients: padded }
        }
        _ => Cal::General,
    }
}

fn limits_of(compiled: &CompiledType) -> Limits {
    if !compiled.context_alarms.is_empty() {
        return Limits::General;
    }
    match &compiled.alarm {
        None => Limits::None,
        Some(model::Alarm::Ranges { ranges, delta: None, .. }) => {
            let mut checks = [(f64::NEG_INFINITY, f64::INFINITY, AlarmLevel::Normal); RANGES_MAX];
            let mut n_checks = 0;
            for (level, range) in crate::monitor::by_severity(ranges) {
                let Some(range) = range else { continue };
                if !range.calibrated || n_checks == RANGES_MAX {
                    return Limits::General;
                }
                let (lo, hi) = crate::monitor::inclusive_bounds(range);
                checks[n_checks] = (lo, hi, level);
                n_checks += 1;
            }
            Limits::Ranges { checks, n_checks: n_checks as u8 }
        }
        Some(_) => Limits::General,
    }
}

/// The static checks of a restriction, when it is a conjunction of `raw == integer`
/// comparisons on fields at static positions.
pub(crate) fn checks(restriction: &Condition, positions: &Positions, types: &[CompiledType]) -> Option<Vec<Check>> {
    let mut checks = Vec::new();
    let items: Vec<&Condition> = match restriction {
        Condition::All(items) => items.iter().collect(),
        single => vec![single],
    };
    for item in items {
        let Condition::Compare { left, op: ComparisonOp::Eq, right: Right::Literal(literal) } = item else {
            return None;
        };
        let &(_, bit_offset, size_bits, type_idx) = positions.iter().find(|(p, ..)| *p == left.parameter)?;
        let compiled = &types[type_idx];
        let integer = matches!(compiled.codec, Codec::Integer { .. })
            && matches!(compiled.conversion, Conversion::Integer { .. })
            && (!left.use_calibrated || cal_of(compiled) == Cal::None);
        let value = literal.number?;
        if !integer || value.fract() != 0.0 || size_bits == 0 {
            return None;
        }
        checks.push(Check {
            type_idx,
            bit_offset,
            read: read_of(&compiled.codec, bit_offset, size_bits),
            value: value as i64,
        });
    }
    Some(checks)
}

/// The fast identification tree, when the plan has one root and every restriction below it
/// is static.
pub(crate) fn tree(
    containers: &[Container],
    roots: &[ContainerId],
    positions: &[Option<Positions>],
    types: &[CompiledType],
) -> Option<FastTree> {
    let [root] = roots else { return None };
    let mut checks = vec![Vec::new(); containers.len()];
    let mut pending = vec![*root];
    let mut visited = 0;
    while let Some(parent) = pending.pop() {
        visited += 1;
        if visited > containers.len() {
            return None;
        }
        let parent_positions = positions[parent.0 as usize].as_ref()?;
        for child in &containers[parent.0 as usize].children {
            if let Some(restriction) = &containers[child.0 as usize].restriction {
                checks[child.0 as usize] = self::checks(restriction, parent_positions, types)?;
            }
            pending.push(*child);
        }
    }
    Some(FastTree { root: *root, checks })
}
