//! Processing on the fast path (see `plan::fast`): static checks for identification, and a
//! flat loop over fields at known offsets.

use super::Walk;
use crate::plan::fast::{Cal, Check, FastContainer, Field, Limits, Read, RANGES_MAX};
use crate::plan::runs::LaneLoop;
use crate::plan::types::Codec;
use crate::value::{ContainerId, EngValue, ParamId, RawValue, Sample};
use model::AlarmLevel;

#[cfg(test)]
mod tests;

impl Walk<'_, '_> {
    /// Walks the static identification tree; `None` when the plan has none.
    pub(super) fn fast_identify(&self) -> Option<Option<ContainerId>> {
        let tree = self.plan.fast_tree.as_ref()?;
        let mut current = tree.root;
        for _ in 0..model::NESTING_MAX {
            // A packet too short for the fields the checks read takes the general path, which
            // names the field that does not fit (as it would without the fast path).
            if self.plan.fast[current.0 as usize].as_ref().is_none_or(|fast| self.packet.len() < fast.min_len) {
                return None;
            }
            let children = &self.plan.containers[current.0 as usize].children;
            let next = children
                .iter()
                .copied()
                .find(|child| tree.checks[child.0 as usize].iter().all(|check| self.check(check)));
            match next {
                Some(child) => current = child,
                None => break,
            }
        }
        Some((!self.plan.containers[current.0 as usize].is_abstract).then_some(current))
    }

    fn check(&self, check: &Check) -> bool {
        match read_fast(self.packet, check.read) {
            Some((RawValue::Unsigned(v), _)) => return i128::from(v) == i128::from(check.value),
            Some((RawValue::Signed(v), _)) => return v == check.value,
            _ => {}
        }
        match &self.plan.types[check.type_idx].codec {
            Codec::Integer { size_bits, sign, order } => {
                crate::decode_integer(self.packet, check.bit_offset as usize, *size_bits, *sign, order)
                    .is_ok_and(|value| value == i128::from(check.value))
            }
            _ => false,
        }
    }

    /// Decodes a flattened container; the caller checked the packet is long enough.
    pub(super) fn decode_fast(&mut self, fast: &FastContainer) -> Result<(), String> {
        // The samples go to a local vector (its length stays in a register), put back after.
        let mut out = std::mem::take(self.out);
        let result = self.decode_fast_into(fast, &mut out);
        *self.out = out;
        result
    }

    fn decode_fast_into(&mut self, fast: &FastContainer, out: &mut Vec<Sample>) -> Result<(), String> {
        let packet = self.packet;
        let base = out.len();
        out.reserve(fast.fields.len());
        // Each field gives one sample, at `base` + its index. The latest values of tracked fields
        // in lane runs are copied from there only before a field that may read them (decoded
        // one at a time) and at the end: read back at once, they would wait for the stores the
        // loop just made.
        let mut tracked = fast.lane_tracked.iter().peekable();
        for run in &fast.runs {
            match run.decode {
                Some(LaneLoop(decode)) if packet.len() >= run.need_len => decode(out, packet, &run.lanes),
                _ => {
                    while let Some((idx, parameter)) = tracked.next_if(|(idx, _)| *idx < run.start) {
                        keep_latest(self.latest, *parameter, out, base + idx);
                    }
                    for field in fast.fields.get(run.start..run.end).unwrap_or_default() {
                        self.decode_field(field, out)?;
                    }
                }
            }
        }
        for (idx, parameter) in tracked {
            keep_latest(self.latest, *parameter, out, base + idx);
        }
        Ok(())
    }

    /// A field outside a lane run (limits or calibration of the general kind, or a packet too
    /// short for the run), step by step.
    fn decode_field(&mut self, field: &Field, out: &mut Vec<Sample>) -> Result<(), String> {
        let plan = self.plan;
        let compiled = &plan.types[field.type_idx];
        let (raw, number) = match read_fast(self.packet, field.read) {
            Some(read) => read,
            None => {
                let raw = self.read(&compiled.codec, field.bit_offset as usize)?.0;
                (raw, raw.as_f64().unwrap_or(f64::NAN))
            }
        };
        let (eng, x) = match (&field.cal, raw) {
            (Cal::None, RawValue::Unsigned(v)) => (EngValue::Unsigned(v), Some(number)),
            (Cal::None, RawValue::Signed(v)) => (EngValue::Signed(v), Some(number)),
            (Cal::None, RawValue::Float(v)) => (EngValue::Float(v), Some(number)),
            (
                Cal::Poly { coefficients: [a, b, c, d] },
                RawValue::Unsigned(_) | RawValue::Signed(_) | RawValue::Float(_),
            ) => {
                let y = a + number * (b + number * (c + number * d));
                (EngValue::Float(y), Some(y))
            }
            _ => {
                let eng = self.convert(compiled, raw);
                (eng, eng.as_f64())
            }
        };
        let level = match (&field.limits, x) {
            (Limits::None, _) | (Limits::Ranges { .. }, None) => AlarmLevel::Normal,
            (Limits::Ranges { checks, n_checks }, Some(x)) => ranges_level(checks, *n_checks, x),
            (Limits::General, _) => self.monitor(field.parameter, compiled, eng),
        };
        let sample = Sample::new(field.parameter, 0, field.bit_offset, raw, eng, level);
        out.push(sample);
        if field.track {
            self.latest[field.parameter.0 as usize] = Some(sample);
        }
        Ok(())
    }
}

/// Keeps sample `idx` of `out` as the latest of `parameter`.
#[inline]
fn keep_latest(latest: &mut [Option<Sample>], parameter: ParamId, out: &[Sample], idx: usize) {
    if let (Some(slot), Some(sample)) = (latest.get_mut(parameter.0 as usize), out.get(idx)) {
        *slot = Some(*sample);
    }
}

const _: () = assert!(RANGES_MAX == 2, "ranges_level is unrolled for two checks");

/// The first range `x` is outside of gives the level.
#[inline]
fn ranges_level(checks: &[(f64, f64, AlarmLevel); RANGES_MAX], n_checks: u8, x: f64) -> AlarmLevel {
    // Branch-free: on real telemetry whether a value is out of limits is data, not pattern,
    // and a mispredicted branch per sample costs more than computing both checks.
    // `&` rather than `&&`: both sides are evaluated, so nothing branches on the data.
    let outside = |(lo, hi, _): &(f64, f64, AlarmLevel)| !((x >= *lo) & (x <= *hi));
    let first = u8::from((n_checks >= 1) & outside(&checks[0])).wrapping_neg();
    let second = u8::from((n_checks >= 2) & outside(&checks[1])).wrapping_neg();
    let later = (checks[1].2 as u8 & second) | (AlarmLevel::Normal as u8 & !second);
    level_from_u8((checks[0].2 as u8 & first) | (later & !first))
}

/// The level of a discriminant produced above.
#[inline]
fn level_from_u8(level: u8) -> AlarmLevel {
    const LEVELS: [AlarmLevel; 6] = [
        AlarmLevel::Normal,
        AlarmLevel::Watch,
        AlarmLevel::Warning,
        AlarmLevel::Distress,
        AlarmLevel::Critical,
        AlarmLevel::Severe,
    ];
    LEVELS[usize::from(level) % LEVELS.len()]
}

/// Reads a fast field; `None` for `Read::Codec` or when the bytes are not all there (the
/// general read then gives the error, or reads a field near the end).
#[inline]
fn read_fast(packet: &[u8], read: Read) -> Option<(RawValue, f64)> {
    fn array<const N: usize>(packet: &[u8], byte: u32) -> Option<[u8; N]> {
        packet.get(byte as usize..byte as usize + N)?.try_into().ok()
    }
    Some(match read {
        Read::Bits { byte, shift, mask } => {
            let v = (u64::from_be_bytes(array::<8>(packet, byte)?) >> shift) & mask;
            (RawValue::Unsigned(v), v as f64)
        }
        Read::Unsigned { byte, n_bytes: 1 } => {
            let v = u64::from(*packet.get(byte as usize)?);
            (RawValue::Unsigned(v), v as f64)
        }
        Read::Unsigned { byte, n_bytes: 2 } => {
            let v = u64::from(u16::from_be_bytes(array(packet, byte)?));
            (RawValue::Unsigned(v), v as f64)
        }
        Read::Unsigned { byte, n_bytes: 4 } => {
            let v = u64::from(u32::from_be_bytes(array(packet, byte)?));
            (RawValue::Unsigned(v), v as f64)
        }
        Read::Unsigned { byte, .. } => {
            let v = u64::from_be_bytes(array(packet, byte)?);
            (RawValue::Unsigned(v), v as f64)
        }
        Read::Signed { byte, n_bytes: 1 } => {
            let v = i64::from(*packet.get(byte as usize)? as i8);
            (RawValue::Signed(v), v as f64)
        }
        Read::Signed { byte, n_bytes: 2 } => {
            let v = i64::from(i16::from_be_bytes(array(packet, byte)?));
            (RawValue::Signed(v), v as f64)
        }
        Read::Signed { byte, n_bytes: 4 } => {
            let v = i64::from(i32::from_be_bytes(array(packet, byte)?));
            (RawValue::Signed(v), v as f64)
        }
        Read::Signed { byte, .. } => {
            let v = i64::from_be_bytes(array(packet, byte)?);
            (RawValue::Signed(v), v as f64)
        }
        Read::F32 { byte } => {
            let v = f64::from(f32::from_be_bytes(array(packet, byte)?));
            (RawValue::Float(v), v)
        }
        Read::F64 { byte } => {
            let v = f64::from_be_bytes(array(packet, byte)?);
            (RawValue::Float(v), v)
        }
        Read::Codec => return None,
    })
}
