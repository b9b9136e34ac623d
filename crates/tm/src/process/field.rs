//! One scalar field: read with its codec, converted, calibrated and monitored.

use super::{cuc, Walk};
use crate::plan::types::{Codec, CompiledType, Conversion, Size};
use crate::value::{EngValue, ParamId, RawValue, Sample};
use crate::{calibrate, check_enumeration, check_ranges, decode_float, decode_integer, read_bits};
use model::{Alarm, AlarmLevel, Calibrator, IntegerSign};

impl Walk<'_, '_> {
    /// Decodes one scalar at `start`, appends its sample and returns where it ends.
    pub(super) fn decode_scalar(
        &mut self,
        parameter: ParamId,
        element: u32,
        compiled: &CompiledType,
        start: i64,
    ) -> Result<i64, String> {
        let bit_offset = usize::try_from(start).map_err(|_| "negative position".to_string())?;
        let (raw, size_bits) = self.read(&compiled.codec, bit_offset)?;
        let eng = self.convert(compiled, raw);
        let level = self.monitor(parameter, compiled, eng);
        let offset = u32::try_from(bit_offset).map_err(|_| "packet too long".to_string())?;
        let sample = Sample::new(parameter, element, offset, raw, eng, level);
        self.out.push(sample);
        if element == 0 {
            self.latest[parameter.0 as usize] = Some(sample);
        }
        if let Some(slots) = self.plan.member_slots.get(parameter.0 as usize) {
            for &(member_element, slot) in slots {
                if member_element == element {
                    self.latest[slot as usize] = Some(sample);
                }
            }
        }
        Ok(start + size_bits as i64)
    }

    pub(super) fn read(&self, codec: &Codec, bit_offset: usize) -> Result<(RawValue, u64), String> {
        let packet = self.packet;
        Ok(match codec {
            Codec::Integer { size_bits, sign, order } => {
                let value = decode_integer(packet, bit_offset, *size_bits, *sign, order).map_err(|e| e.reason())?;
                let raw = match sign {
                    IntegerSign::Unsigned => RawValue::Unsigned(value as u64),
                    _ => RawValue::Signed(value as i64),
                };
                (raw, u64::from(*size_bits))
            }
            Codec::Float { size_bits, format, order } => {
                let value = decode_float(packet, bit_offset, *size_bits, *format, order).map_err(|e| e.reason())?;
                (RawValue::Float(value), u64::from(*size_bits))
            }
            // A short binary field off the byte grid (flag sets, spare bits) is read as a number:
            // a `RawValue::Bytes` can only point at whole bytes.
            Codec::Binary { size: Size::Fixed(bits) }
                if *bits <= 64 && !(bit_offset.is_multiple_of(8) && bits.is_multiple_of(8)) =>
            {
                let value = read_bits(packet, bit_offset, *bits).map_err(|e| e.reason())?;
                (RawValue::Unsigned(value), u64::from(*bits))
            }
            Codec::Text { size } | Codec::Binary { size } => self.read_bytes(size, bit_offset)?,
            Codec::Cuc { coarse_octets, fine_octets } => {
                let seconds = cuc::seconds(packet, bit_offset, *coarse_octets, *fine_octets)?;
                (RawValue::Float(seconds), u64::from(8 * (coarse_octets + fine_octets)))
            }
            Codec::CucPField { coarse_octets_max, fine_octets_max } => {
                let p_field = cuc::p_field(packet, bit_offset, *coarse_octets_max, *fine_octets_max)?;
                let (coarse, fine) = (p_field.coarse_octets, p_field.fine_octets);
                let seconds = cuc::seconds(packet, bit_offset + p_field.len_bits, coarse, fine)?;
                (RawValue::Float(seconds), (p_field.len_bits + 8 * (coarse + fine) as usize) as u64)
            }
            Codec::Cds { day_octets, submillisecond_octets } => {
                let day_bits = day_octets * 8;
                let read = |at: usize, bits: u32| read_bits(packet, at, bits).map_err(|e| e.reason());
                let days = read(bit_offset, day_bits)?;
                let ms = read(bit_offset + day_bits as usize, 32)?;
                let sub = read(bit_offset + day_bits as usize + 32, submillisecond_octets * 8)?;
                let sub_seconds = match submillisecond_octets {
                    2 => sub as f64 * 1e-6,
                    4 => sub as f64 * 1e-12,
                    _ => 0.0,
                };
                let seconds = days as f64 * 86_400.0 + ms as f64 / 1000.0 + sub_seconds;
                (RawValue::Float(seconds), u64::from(day_bits + 32 + submillisecond_octets * 8))
            }
        })
    }

    /// Text or binary: the bytes of the packet it covers, and its size in bits.
    fn read_bytes(&self, size: &Size, bit_offset: usize) -> Result<(RawValue, u64), String> {
        if !bit_offset.is_multiple_of(8) {
            return Err("text and binary values must start on a byte boundary".into());
        }
        let start = bit_offset / 8;
        let within = |bits: u64, max_bits: &Option<u32>| match max_bits {
            Some(max) if bits > u64::from(*max) => Err(format!("{bits} bits, more than the maximum {max}")),
            _ => Ok(()),
        };
        let (value_start, value_len, total_bits) = match size {
            Size::Fixed(bits) => (start, *bits as usize / 8, u64::from(*bits)),
            Size::Leading { length_bits, max_bits } => {
                let len = read_bits(self.packet, bit_offset, *length_bits).map_err(|e| e.reason())? as usize;
                within(len as u64 * 8, max_bits)?;
                (start + *length_bits as usize / 8, len, u64::from(*length_bits) + len as u64 * 8)
            }
            Size::Terminated { terminator, max_bits } => {
                let rest = self.packet.get(start..).unwrap_or(&[]);
                let found = (!terminator.is_empty())
                    .then(|| rest.windows(terminator.len()).position(|w| w == terminator.as_slice()))
                    .flatten()
                    .ok_or("no terminator before the end of the packet")?;
                within(found as u64 * 8, max_bits)?;
                (start, found, (found + terminator.len()) as u64 * 8)
            }
            Size::Dynamic { bits, max_bits } => {
                let bits = bits.eval(&self.view()).ok_or("its size depends on a parameter with no value")?;
                let bits = u64::try_from(bits).map_err(|_| "negative size".to_string())?;
                within(bits, max_bits)?;
                (start, bits.div_ceil(8) as usize, bits)
            }
        };
        if value_start + value_len > self.packet.len() || start * 8 + total_bits as usize > self.packet.len() * 8 {
            return Err(format!("{total_bits} bits run past the {}-byte packet", self.packet.len()));
        }
        Ok((RawValue::Bytes { start: value_start as u32, len: value_len as u32 }, total_bits))
    }

    pub(super) fn convert(&self, compiled: &CompiledType, raw: RawValue) -> EngValue {
        let number = raw.as_f64();
        let calibrated = |value: f64| match self.calibrator(compiled) {
            None => None,
            Some(calibrator) => {
                let view = self.view();
                let lookup = |param: &model::ParamRef| {
                    let id = self.plan.parameter_id(&param.parameter)?;
                    let (raw, eng) = crate::plan::criteria::Latest::get(&view, id)?;
                    if param.use_calibrated {
                        eng.as_f64()
                    } else {
                        raw.as_f64()
                    }
                };
                Some(calibrate(calibrator, value, &lookup).map_or(EngValue::Invalid, EngValue::Float))
            }
        };
        match (&compiled.conversion, raw, number) {
            (Conversion::Integer { .. }, RawValue::Unsigned(v), Some(x)) => {
                calibrated(x).unwrap_or(EngValue::Unsigned(v))
            }
            (Conversion::Integer { .. }, RawValue::Signed(v), Some(x)) => calibrated(x).unwrap_or(EngValue::Signed(v)),
            (Conversion::Integer { .. } | Conversion::Float, _, Some(x)) => calibrated(x).unwrap_or(EngValue::Float(x)),
            (Conversion::Boolean, _, Some(x)) => EngValue::Bool(x != 0.0),
            (Conversion::Enumerated(values), _, Some(x)) => {
                let key = x as i64;
                values
                    .iter()
                    .position(|v| v.value <= key && key <= v.max.unwrap_or(v.value))
                    .map_or(EngValue::UnknownEnum(key), |idx| EngValue::Enum(idx as u32))
            }
            (Conversion::Time { scale, offset }, _, Some(x)) => EngValue::Time(x * scale + offset),
            (Conversion::NumberFromText, RawValue::Bytes { start, len }, _) => {
                let text = self.packet.get(start as usize..(start + len) as usize).unwrap_or(&[]);
                std::str::from_utf8(text)
                    .ok()
                    .and_then(|t| t.trim_matches(|c: char| c == '\0' || c.is_whitespace()).parse::<f64>().ok())
                    .map_or(EngValue::Invalid, |x| calibrated(x).unwrap_or(EngValue::Float(x)))
            }
            (_, RawValue::Bytes { start, len }, _) => EngValue::Bytes { start, len },
            (Conversion::Bytes, RawValue::Unsigned(v), _) => EngValue::Unsigned(v),
            _ => EngValue::Invalid,
        }
    }

    fn calibrator<'t>(&self, compiled: &'t CompiledType) -> Option<&'t Calibrator> {
        if !compiled.context_calibrators.is_empty() {
            let view = self.view();
            if let Some((_, calibrator)) = compiled.context_calibrators.iter().find(|(c, _)| c.holds(&view)) {
                return Some(calibrator);
            }
        }
        compiled.calibrator.as_ref()
    }

    pub(super) fn monitor(&self, parameter: ParamId, compiled: &CompiledType, eng: EngValue) -> AlarmLevel {
        let view = self.view();
        let alarm = compiled
            .context_alarms
            .iter()
            .find(|(condition, _)| condition.holds(&view))
            .map(|(_, alarm)| alarm)
            .or(compiled.alarm.as_ref());
        match (alarm, eng) {
            (None, _) => AlarmLevel::Normal,
            (Some(Alarm::Enumeration { levels, .. }), EngValue::Enum(index)) => self
                .plan
                .enum_label(parameter, index)
                .map_or(AlarmLevel::Normal, |label| check_enumeration(levels, label)),
            (Some(Alarm::Ranges { ranges, .. }), eng) => {
                eng.as_f64().map_or(AlarmLevel::Normal, |x| check_ranges(ranges, x))
            }
            (Some(Alarm::Enumeration { .. }), _) => AlarmLevel::Normal,
        }
    }
}
