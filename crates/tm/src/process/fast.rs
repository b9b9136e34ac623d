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
        for field in &fast.fields {
            let compiled = &self.plan.types[field.type_idx];
            let bytes = |byte: u32, n: usize| packet.get(byte as usize..byte as usize + n).ok_or("past the end");
            let raw = match field.read {
                Read::Unsigned { byte, n_bytes } => {
                    RawValue::Unsigned(bytes(byte, n_bytes.into())?.iter().fold(0, |a, &b| (a << 8) | u64::from(b)))
                }
                Read::Signed { byte, n_bytes } => {
                    let unsigned = bytes(byte, n_bytes.into())?.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
                    let shift = 64 - 8 * u32::from(n_bytes);
                    RawValue::Signed(((unsigned << shift) as i64) >> shift)
                }
                Read::F32 { byte } => {
                    let b = bytes(byte, 4)?;
                    RawValue::Float(f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]])))
                }
                Read::F64 { byte } => {
                    let b = bytes(byte, 8)?;
                    RawValue::Float(f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                }
                Read::Codec => self.read(&compiled.codec, field.bit_offset as usize)?.0,
            };
            let eng = match (field.cal, raw) {
                (Cal::None, RawValue::Unsigned(v)) => EngValue::Unsigned(v),
                (Cal::None, RawValue::Signed(v)) => EngValue::Signed(v),
                (Cal::None, RawValue::Float(v)) => EngValue::Float(v),
                (Cal::Poly { coefficients: [a, b, c, d] }, raw) => match raw.as_f64() {
                    Some(x) => EngValue::Float(a + x * (b + x * (c + x * d))),
                    None => EngValue::Invalid,
                },
                _ => self.convert(compiled, raw),
            };
            let level = match &field.limits {
                Limits::None => AlarmLevel::Normal,
                Limits::Ranges(checks) => match eng.as_f64() {
                    Some(x) => checks
                        .iter()
                        .find(|(lo, hi, lo_in, hi_in, _)| {
                            !((if *lo_in { x >= *lo } else { x > *lo }) && (if *hi_in { x <= *hi } else { x < *hi }))
                        })
                        .map_or(AlarmLevel::Normal, |check| check.4),
                    None => AlarmLevel::Normal,
                },
                Limits::General => self.monitor(field.parameter, compiled, eng),
            };
            self.out.push(Sample {
                parameter: field.parameter,
                element: 0,
                bit_offset: field.bit_offset,
                raw,
                eng,
                level,
            });
            self.latest[field.parameter.0 as usize] = Some((raw, eng));
        }
        Ok(())
    }
}
