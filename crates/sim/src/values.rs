//! Plausible values: for each parameter field, a generator (counter, sinusoid, cycling
//! enumeration, text, time) and a check that the value stays within the type's normal range.

use crate::bits::{float_bits, integer_bits, integer_range, write_bits, write_ordered};
use crate::rng::XorShift;
use model::{Alarm, AlarmLevel, DataEncoding, DataType, MissionModel, QualifiedName, TimeEncoding, TypeKind};

/// Samples taken across a numeric domain to find the values within limits.
const DOMAIN_SAMPLES: usize = 257;
/// Period of the sinusoids, in milliseconds.
const WAVE_PERIOD_MS: f64 = 60_000.0;

/// How a field's value is made.
#[derive(Clone, Debug)]
pub(crate) enum Generator {
    /// Counts up through `lo..=hi` (raw), one step per packet.
    Counter { lo: i64, hi: i64 },
    /// A sinusoid over raw `lo..=hi`.
    Wave { lo: f64, hi: f64, phase: f64 },
    /// Cycles through raw values (enumerations, booleans).
    Cycle(Vec<i64>),
    /// Fixed bytes (text, binary), repeated to fill the field.
    Pattern(Vec<u8>),
    /// The simulated clock, in the field's time encoding.
    Time,
}

/// A field ready to be written: its type, generator and a value known to be within limits.
#[derive(Clone, Debug)]
pub(crate) struct FieldGen {
    pub data_type: DataType,
    pub generator: Generator,
    /// A raw value within limits, used when the generated one is not.
    pub safe: f64,
}

/// The raw number of a restriction literal: an integer, or an enumeration label.
pub(crate) fn literal(model: &MissionModel, parameter: &QualifiedName, text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(value) = text.parse::<i64>() {
        return Ok(value);
    }
    if let Some(TypeKind::Enumerated { values }) = type_of(model, parameter).map(|t| &t.kind) {
        if let Some(value) = values.iter().find(|v| v.label == text) {
            return Ok(value.value);
        }
    }
    Err(format!("restriction value `{text}` of `{parameter}` is not an integer or label"))
}

/// The raw bits of a pinned value in a field's integer encoding.
pub(crate) fn pinned_raw(
    model: &MissionModel,
    parameter: &QualifiedName,
    size_bits: u32,
    value: i64,
) -> Result<u64, String> {
    let sign = match type_of(model, parameter).and_then(|t| t.encoding.as_ref()) {
        Some(DataEncoding::Integer { sign, .. }) => *sign,
        _ => return Err(format!("restriction on `{parameter}`, which is not integer-encoded")),
    };
    integer_bits(value, size_bits, sign).ok_or_else(|| format!("restriction value {value} does not fit `{parameter}`"))
}

pub(crate) fn type_of<'m>(model: &'m MissionModel, parameter: &QualifiedName) -> Option<&'m DataType> {
    model.parameters.get(parameter).and_then(|p| model.parameter_types.get(&p.type_ref))
}

fn is_counter(name: &QualifiedName) -> bool {
    let local = name.local().to_ascii_lowercase();
    ["count", "counter", "seq", "ssc"].iter().any(|word| local.contains(word))
}

/// Whether a raw value of a type is within limits (static alarms; context alarms are not
/// evaluated).
pub(crate) fn is_normal(data_type: &DataType, raw: f64) -> bool {
    let eng = match &data_type.calibrator {
        Some(calibrator) => match tm::calibrate(calibrator, raw, &|_| None) {
            Ok(eng) => eng,
            Err(_) => return false,
        },
        None => raw,
    };
    if !eng.is_finite() {
        return false;
    }
    match &data_type.alarm {
        Some(Alarm::Ranges { ranges, .. }) => tm::check_ranges(ranges, eng) == AlarmLevel::Normal,
        Some(Alarm::Enumeration { levels, .. }) => match &data_type.kind {
            TypeKind::Enumerated { values } => {
                let label = values.iter().find(|v| raw as i64 >= v.value && raw as i64 <= v.max.unwrap_or(v.value));
                label.is_some_and(|v| tm::check_enumeration(levels, &v.label) == AlarmLevel::Normal)
            }
            TypeKind::Boolean { one, zero } => {
                tm::check_enumeration(levels, if raw != 0.0 { one } else { zero }) == AlarmLevel::Normal
            }
            _ => true,
        },
        None => true,
    }
}

/// The generator of a field, or why none can be made.
pub(crate) fn generator(
    model: &MissionModel,
    parameter: &QualifiedName,
    size_bits: u32,
    rng: &mut XorShift,
) -> Result<FieldGen, String> {
    let data_type = type_of(model, parameter).ok_or_else(|| format!("parameter `{parameter}` has no type"))?.clone();
    let no_value = || format!("no value of `{parameter}` is within its limits");
    let (generator, safe) = match (&data_type.kind, &data_type.encoding) {
        (TypeKind::AbsoluteTime { .. } | TypeKind::RelativeTime { .. }, _) => (Generator::Time, 0.0),
        (TypeKind::Enumerated { values }, _) => {
            let raws: Vec<i64> = values.iter().map(|v| v.value).filter(|v| is_normal(&data_type, *v as f64)).collect();
            let first = *raws.first().ok_or_else(no_value)?;
            (Generator::Cycle(raws), first as f64)
        }
        (TypeKind::Boolean { .. }, _) => {
            let raws: Vec<i64> = [0, 1].into_iter().filter(|v| is_normal(&data_type, *v as f64)).collect();
            let first = *raws.first().ok_or_else(no_value)?;
            (Generator::Cycle(raws), first as f64)
        }
        (_, Some(DataEncoding::String { .. })) => (Generator::Pattern(b"SIM ".to_vec()), 0.0),
        (_, Some(DataEncoding::Binary { .. })) => (Generator::Pattern((0..8).map(|_| rng.next() as u8).collect()), 0.0),
        (_, Some(DataEncoding::Integer { sign, .. })) => {
            let (lo, hi) = integer_range(size_bits, *sign);
            let (lo, hi) = (lo.max(i128::from(i64::MIN)) as f64, hi.min(i128::from(i64::MAX)) as f64);
            // Without a calibrator, look where the limits are (or near zero), not over 2^64.
            let (lo, hi) = match data_type.calibrator {
                None => {
                    let (limit_lo, limit_hi) = float_domain(&data_type);
                    (lo.max(limit_lo.ceil()), hi.min(limit_hi.floor()))
                }
                Some(_) => (lo, hi),
            };
            let (lo, hi) = safe_interval(&data_type, lo, hi, true).ok_or_else(no_value)?;
            let generator = if is_counter(parameter) {
                Generator::Counter { lo: lo as i64, hi: hi as i64 }
            } else {
                Generator::Wave { lo, hi, phase: rng.unit() * std::f64::consts::TAU }
            };
            (generator, lo)
        }
        (_, Some(DataEncoding::Float { .. })) => {
            let (lo, hi) = float_domain(&data_type);
            let (lo, hi) = safe_interval(&data_type, lo, hi, false).ok_or_else(no_value)?;
            (Generator::Wave { lo, hi, phase: rng.unit() * std::f64::consts::TAU }, (lo + hi) / 2.0)
        }
        _ => return Err(format!("parameter `{parameter}` has an encoding the simulator does not write")),
    };
    if matches!(data_type.encoding, Some(DataEncoding::Float { format: model::FloatFormat::MilStd1750a, .. })) {
        return Err(format!("parameter `{parameter}`: MIL-STD-1750A floats are not written"));
    }
    Ok(FieldGen { data_type, generator, safe })
}

/// Where to look for float values: the alarm's ranges when there is no calibrator.
fn float_domain(data_type: &DataType) -> (f64, f64) {
    let (mut lo, mut hi) = (-1000.0f64, 1000.0f64);
    if let (None, Some(Alarm::Ranges { ranges, .. })) = (&data_type.calibrator, &data_type.alarm) {
        for range in
            [&ranges.watch, &ranges.warning, &ranges.distress, &ranges.critical, &ranges.severe].into_iter().flatten()
        {
            if let Some(min) = range.min {
                lo = if lo == -1000.0 { min } else { lo.max(min) };
            }
            if let Some(max) = range.max {
                hi = if hi == 1000.0 { max } else { hi.min(max) };
            }
        }
    }
    (lo, hi)
}

/// The longest run of sampled raw values within limits in `lo..=hi`, narrowed inward by one
/// sample step on each side that is out of limits so exclusive bounds hold.
fn safe_interval(data_type: &DataType, lo: f64, hi: f64, integer: bool) -> Option<(f64, f64)> {
    let step = (hi - lo) / (DOMAIN_SAMPLES - 1) as f64;
    let point = |idx: usize| {
        let value = lo + step * idx as f64;
        if integer {
            value.round()
        } else {
            value
        }
    };
    let mut best: Option<(usize, usize)> = None;
    let mut run_start = None;
    for idx in 0..=DOMAIN_SAMPLES {
        let normal = idx < DOMAIN_SAMPLES && is_normal(data_type, point(idx));
        match (normal, run_start) {
            (true, None) => run_start = Some(idx),
            (false, Some(start)) => {
                if best.is_none_or(|(a, b)| b - a < idx - 1 - start) {
                    best = Some((start, idx - 1));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    best.map(|(a, b)| (point(a), point(b)))
}

impl FieldGen {
    /// The raw value at packet `count` and time `now_ms`; a value out of limits falls back to
    /// the safe one.
    pub(crate) fn raw(&self, count: u64, now_ms: u64) -> f64 {
        let value = match &self.generator {
            Generator::Counter { lo, hi } => {
                let span = ((i128::from(*hi) - i128::from(*lo)) as u64).saturating_add(1);
                *lo as f64 + (count % span) as f64
            }
            Generator::Wave { lo, hi, phase } => {
                let angle = std::f64::consts::TAU * now_ms as f64 / WAVE_PERIOD_MS + phase;
                let value = (lo + hi) / 2.0 + (hi - lo) / 2.0 * 0.9 * angle.sin();
                if matches!(self.data_type.encoding, Some(DataEncoding::Integer { .. })) {
                    value.round()
                } else {
                    value
                }
            }
            Generator::Cycle(raws) => raws[(count % raws.len() as u64) as usize] as f64,
            Generator::Pattern(_) | Generator::Time => return 0.0,
        };
        if is_normal(&self.data_type, value) {
            value
        } else {
            self.safe
        }
    }

    /// Writes `raw` (or, for text, binary and time fields, their own content) into the field.
    pub(crate) fn write(&self, bytes: &mut [u8], bit_offset: usize, size_bits: u32, raw: f64, now_ms: u64) {
        let seconds = now_ms as f64 / 1000.0;
        if let Generator::Pattern(pattern) = &self.generator {
            for idx in 0..(size_bits / 8) as usize {
                write_bits(bytes, bit_offset + 8 * idx, 8, u64::from(pattern[idx % pattern.len()]));
            }
            return;
        }
        let time = match &self.data_type.kind {
            TypeKind::AbsoluteTime { time, .. } | TypeKind::RelativeTime { time } => Some(time),
            _ => None,
        };
        match (time, &self.data_type.encoding) {
            (Some(TimeEncoding::Cuc { coarse_octets, fine_octets, .. }), _) => {
                let fine_bits = 8 * u32::from(*fine_octets);
                let coarse = (now_ms / 1000) as u128;
                let fine = (((now_ms % 1000) as u128) << fine_bits) / 1000;
                let value = (coarse << fine_bits) | fine;
                write_wide(bytes, bit_offset, size_bits, value);
                let _ = coarse_octets;
            }
            (Some(TimeEncoding::Cds { day_octets, submillisecond_octets, .. }), _) => {
                let day = now_ms / 86_400_000;
                let ms = now_ms % 86_400_000;
                write_bits(bytes, bit_offset, 8 * u32::from(*day_octets), day);
                write_bits(bytes, bit_offset + 8 * usize::from(*day_octets), 32, ms);
                let _ = submillisecond_octets;
            }
            (Some(TimeEncoding::Scaled { scale, offset }), encoding) => {
                let raw = if *scale == 0.0 { 0.0 } else { (seconds - offset) / scale };
                write_number(bytes, bit_offset, size_bits, encoding.as_ref(), raw);
            }
            (None, encoding) => write_number(bytes, bit_offset, size_bits, encoding.as_ref(), raw),
        }
    }
}

/// Writes a value of up to 128 bits (time codes).
fn write_wide(bytes: &mut [u8], bit_offset: usize, size_bits: u32, value: u128) {
    let high_bits = size_bits.saturating_sub(64);
    write_bits(bytes, bit_offset, high_bits, (value >> 64) as u64);
    write_bits(bytes, bit_offset + high_bits as usize, size_bits - high_bits, value as u64);
}

fn write_number(bytes: &mut [u8], bit_offset: usize, size_bits: u32, encoding: Option<&DataEncoding>, raw: f64) {
    let bits = match encoding {
        Some(DataEncoding::Integer { sign, .. }) => integer_bits(raw.round() as i64, size_bits, *sign),
        Some(DataEncoding::Float { format, .. }) => float_bits(raw, size_bits, *format),
        _ => None,
    };
    let order = match encoding {
        Some(DataEncoding::Integer { byte_order, .. } | DataEncoding::Float { byte_order, .. }) => byte_order,
        _ => &model::ByteOrder::BigEndian,
    };
    // A value that does not fit (a scenario's out-of-range raw) is written truncated.
    let bits = bits.unwrap_or(raw as i64 as u64);
    let bits = if size_bits >= 64 { bits } else { bits & ((1u64 << size_bits) - 1) };
    write_ordered(bytes, bit_offset, size_bits, order, bits);
}

#[cfg(test)]
mod tests;
