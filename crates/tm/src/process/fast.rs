//! Processing on the fast path (see `plan::fast`): static checks for identification, and a
//! flat loop over fields at known offsets.

use super::Walk;
use crate::plan::fast::{Cal, Check, FastContainer, Limits, Read};
use crate::plan::types::Codec;
use crate::value::{ContainerId, EngValue, RawValue, Sample};
use model::AlarmLevel;

impl Walk<'_, '_> {
    /// Walks the static identification tree; `None` when the plan has none.
    pub(super) fn fast_identify(&self) -> Option<Option<ContainerId>> {
        let tree = self.plan.fast_tree.as_ref()?;
        let mut current = tree.root;
        for _ in 0..model::NESTING_MAX {
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
        let packet = self.packet;
        let plan = self.plan;
        self.out.reserve(fast.fields.len());
        for field in &fast.fields {
            let compiled = || &plan.types[field.type_idx];
            // The number is computed beside the raw value, so the common paths never match
            // on an enum they just built.
            let (raw, number) = match read_fast(packet, field.read) {
                Some(read) => read,
                None => {
                    let raw = self.read(&compiled().codec, field.bit_offset as usize)?.0;
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
                    let eng = self.convert(compiled(), raw);
                    (eng, eng.as_f64())
                }
            };
            let level = match (&field.limits, x) {
                (Limits::None, _) | (Limits::Ranges { .. }, None) => AlarmLevel::Normal,
                (Limits::Ranges { checks, n_checks }, Some(x)) => checks[..usize::from(*n_checks)]
                    .iter()
                    .find(|(lo, hi, _)| !(x >= *lo && x <= *hi))
                    .map_or(AlarmLevel::Normal, |check| check.2),
                (Limits::General, _) => self.monitor(field.parameter, compiled(), eng),
            };
            self.out.push(Sample::new(field.parameter, 0, field.bit_offset, raw, eng, level));
            if field.track {
                self.latest[field.parameter.0 as usize] = Some((raw, eng));
            }
        }
        Ok(())
    }
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
