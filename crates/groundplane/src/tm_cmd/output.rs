//! Writing decoded units as CSV rows or JSON Lines.

use super::Format;
use base::hex;
use model::AlarmLevel;
use std::io::Write;
use tm::{EngValue, Plan, RawValue, Sample};

/// The CSV header.
pub const CSV_HEADER: &str = "unit,offset,container,parameter,element,raw,eng,alarm,invalid";

/// Writes units in one format.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
}

fn level_text(level: AlarmLevel) -> &'static str {
    match level {
        AlarmLevel::Normal => "normal",
        AlarmLevel::Watch => "watch",
        AlarmLevel::Warning => "warning",
        AlarmLevel::Distress => "distress",
        AlarmLevel::Critical => "critical",
        AlarmLevel::Severe => "severe",
    }
}

/// The alarm column: the monitoring level, or `invalid` when the parameter's validity
/// condition did not hold (an invalid value is not monitored).
fn alarm_text(sample: &Sample) -> &'static str {
    if sample.valid() {
        level_text(sample.level)
    } else {
        "invalid"
    }
}

fn slice(packet: &[u8], start: u32, len: u32) -> &[u8] {
    packet.get(start as usize..start as usize + len as usize).unwrap_or(&[])
}

/// The raw value as text: integers in decimal, floats in shortest round-trip form, bytes in hex.
pub fn raw_text(raw: RawValue, packet: &[u8]) -> String {
    match raw {
        RawValue::Unsigned(v) => v.to_string(),
        RawValue::Signed(v) => v.to_string(),
        RawValue::Float(v) => v.to_string(),
        RawValue::Bytes { start, len } => hex(slice(packet, start, len)),
    }
}

/// The engineering value as text: labels for enumerations, strings for text, hex for binary.
pub fn eng_text(plan: &Plan, sample: &Sample, packet: &[u8]) -> String {
    match sample.eng() {
        EngValue::Unsigned(v) => v.to_string(),
        EngValue::Signed(v) | EngValue::UnknownEnum(v) => v.to_string(),
        EngValue::Float(v) | EngValue::Time(v) => v.to_string(),
        EngValue::Bool(b) => b.to_string(),
        EngValue::Enum(index) => plan.enum_label(sample.parameter, index).unwrap_or("?").to_string(),
        EngValue::Bytes { start, len } => {
            let bytes = slice(packet, start, len);
            if plan.parameter(sample.parameter).is_some_and(|p| p.text) {
                String::from_utf8_lossy(bytes).trim_end_matches('\0').to_string()
            } else {
                hex(bytes)
            }
        }
        EngValue::Invalid => "invalid".to_string(),
    }
}

fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes a value as CSV without building a string for the common (numeric) cases.
fn write_raw<W: Write>(out: &mut W, raw: RawValue, packet: &[u8]) -> std::io::Result<()> {
    match raw {
        RawValue::Unsigned(v) => write!(out, "{v}"),
        RawValue::Signed(v) => write!(out, "{v}"),
        RawValue::Float(v) => write!(out, "{v}"),
        RawValue::Bytes { .. } => write!(out, "{}", raw_text(raw, packet)),
    }
}

fn write_eng<W: Write>(out: &mut W, plan: &Plan, sample: &Sample, packet: &[u8]) -> std::io::Result<()> {
    match sample.eng() {
        EngValue::Unsigned(v) => write!(out, "{v}"),
        EngValue::Signed(v) | EngValue::UnknownEnum(v) => write!(out, "{v}"),
        EngValue::Float(v) | EngValue::Time(v) => write!(out, "{v}"),
        EngValue::Enum(index) => write!(out, "{}", csv_field(plan.enum_label(sample.parameter, index).unwrap_or("?"))),
        _ => write!(out, "{}", csv_field(&eng_text(plan, sample, packet))),
    }
}

impl<W: Write> Writer<W> {
    /// A writer; CSV starts with its header.
    pub fn new(mut out: W, format: Format) -> std::io::Result<Self> {
        if format == Format::Csv {
            writeln!(out, "{CSV_HEADER}")?;
        }
        Ok(Writer { out, format })
    }

    /// A decoded packet and its samples.
    pub fn packet(
        &mut self,
        plan: &Plan,
        unit: u64,
        offset: u64,
        container: &str,
        samples: &[Sample],
        packet: &[u8],
    ) -> std::io::Result<()> {
        let name = |sample: &Sample| plan.parameter(sample.parameter).map_or(String::new(), |p| p.name.to_string());
        match self.format {
            Format::Csv => {
                let container = csv_field(container);
                for sample in samples {
                    let name = plan.parameter(sample.parameter).map_or("", |p| p.name.as_str());
                    write!(self.out, "{unit},{offset},{container},{},{},", csv_field(name), sample.element)?;
                    write_raw(&mut self.out, sample.raw(), packet)?;
                    self.out.write_all(b",")?;
                    write_eng(&mut self.out, plan, sample, packet)?;
                    writeln!(self.out, ",{},", alarm_text(sample))?;
                }
            }
            Format::Json => {
                let samples: Vec<serde_json::Value> = samples
                    .iter()
                    .map(|sample| {
                        serde_json::json!({
                            "parameter": name(sample),
                            "element": sample.element,
                            "raw": raw_text(sample.raw(), packet),
                            "eng": eng_text(plan, sample, packet),
                            "alarm": alarm_text(sample),
                            "valid": sample.valid(),
                        })
                    })
                    .collect();
                let line =
                    serde_json::json!({"unit": unit, "offset": offset, "container": container, "samples": samples});
                writeln!(self.out, "{line}")?;
            }
        }
        Ok(())
    }

    /// A unit that could not be decoded, with why.
    pub fn invalid(&mut self, unit: u64, offset: u64, len: usize, reason: &str) -> std::io::Result<()> {
        match self.format {
            Format::Csv => {
                writeln!(self.out, "{unit},{offset},,,,,,,{}", csv_field(&format!("{reason} ({len} bytes)")))
            }
            Format::Json => {
                let line = serde_json::json!({"unit": unit, "offset": offset, "bytes": len, "invalid": reason});
                writeln!(self.out, "{line}")
            }
        }
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
