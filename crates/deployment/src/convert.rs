//! From the core's values to the API's wire shapes.

use api::wire::{AlarmDto, ArgumentValue, CommandEventDto, CommandView, EventDto, SampleDto};
use model::AlarmLevel;
use serde_json::Value;
use tm::alarms::AlarmChange;
use tm::{EngValue, ParamId, Plan, RawValue, Sample};

pub use archive::series_name;

/// The wire name of an alarm level.
pub fn level_name(level: AlarmLevel) -> &'static str {
    match level {
        AlarmLevel::Normal => "normal",
        AlarmLevel::Watch => "watch",
        AlarmLevel::Warning => "warning",
        AlarmLevel::Distress => "distress",
        AlarmLevel::Critical => "critical",
        AlarmLevel::Severe => "severe",
    }
}

pub use base::hex;

fn slice(packet: &[u8], start: u32, len: u32) -> &[u8] {
    packet.get(start as usize..(start as usize).saturating_add(len as usize)).unwrap_or(&[])
}

/// A float as JSON: a number, or its name when it is not finite (JSON has no NaN).
pub fn float(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or_else(|| Value::String(value.to_string()), Value::Number)
}

/// A decoded sample as the API shows it; `None` for the plan's internal member slots.
pub fn sample(plan: &Plan, packet: &[u8], time_ms: u64, sample: &Sample) -> Option<SampleDto> {
    let parameter = series_name(plan, sample.parameter, sample.element)?;
    let text = plan.parameter(sample.parameter).is_some_and(|info| info.text);
    let raw = match sample.raw() {
        RawValue::Unsigned(v) => Value::from(v),
        RawValue::Signed(v) => Value::from(v),
        RawValue::Float(v) => float(v),
        RawValue::Bytes { start, len } => Value::String(hex(slice(packet, start, len))),
    };
    let eng = match sample.eng() {
        EngValue::Unsigned(v) => Value::from(v),
        EngValue::Signed(v) | EngValue::UnknownEnum(v) => Value::from(v),
        EngValue::Float(v) | EngValue::Time(v) => float(v),
        EngValue::Bool(b) => Value::Bool(b),
        EngValue::Enum(index) => Value::String(plan.enum_label(sample.parameter, index).unwrap_or("?").to_string()),
        EngValue::Bytes { start, len } if text => {
            Value::String(String::from_utf8_lossy(slice(packet, start, len)).trim_end_matches('\0').to_string())
        }
        EngValue::Bytes { start, len } => Value::String(hex(slice(packet, start, len))),
        EngValue::Invalid => Value::Null,
    };
    Some(SampleDto { parameter, time_ms, raw, eng, level: level_name(sample.level).to_string(), valid: sample.valid() })
}

/// An alarm change as the API shows it.
pub fn alarm(plan: &Plan, change: &AlarmChange) -> AlarmDto {
    let name = |parameter: ParamId| series_name(plan, parameter, 0).unwrap_or_else(|| format!("#{}", parameter.0));
    let (parameter, kind, level, by, time_ms) = match change {
        AlarmChange::Raised { parameter, level, time_ms } => (*parameter, "raised", *level, None, *time_ms),
        AlarmChange::LevelChanged { parameter, to, time_ms, .. } => (*parameter, "level_changed", *to, None, *time_ms),
        AlarmChange::Acknowledged { parameter, by, time_ms } => {
            (*parameter, "acknowledged", AlarmLevel::Normal, Some(by.clone()), *time_ms)
        }
        AlarmChange::Cleared { parameter, time_ms } => (*parameter, "cleared", AlarmLevel::Normal, None, *time_ms),
        AlarmChange::Closed { parameter, time_ms } => (*parameter, "closed", AlarmLevel::Normal, None, *time_ms),
    };
    AlarmDto { time_ms, parameter: name(parameter), change: kind.to_string(), level: level_name(level).to_string(), by }
}

/// An event record as the API shows it.
pub fn event(record: &archive::EventRecord) -> EventDto {
    EventDto {
        time_ms: record.time_ms,
        severity: severity_name(record.severity).to_string(),
        source: record.source.clone(),
        event_id: record.event_id,
        message: record.message.clone(),
        data_hex: hex(&record.data),
    }
}

/// The wire name of an event severity.
pub fn severity_name(severity: archive::EventSeverity) -> &'static str {
    match severity {
        archive::EventSeverity::Info => "info",
        archive::EventSeverity::Low => "low",
        archive::EventSeverity::Medium => "medium",
        archive::EventSeverity::High => "high",
    }
}

/// A stored value as JSON.
pub fn stored_value(value: archive::StoredValue) -> Value {
    match value {
        archive::StoredValue::Unsigned(v) => Value::from(v),
        archive::StoredValue::Signed(v) | archive::StoredValue::UnknownEnum(v) => Value::from(v),
        archive::StoredValue::Float(v) | archive::StoredValue::Time(v) => float(v),
        archive::StoredValue::Bool(b) => Value::Bool(b),
        archive::StoredValue::Enum { label, .. } => Value::String(label),
        // As live samples show text: without the NUL padding of fixed-size fields.
        archive::StoredValue::Text(text) => Value::String(text.trim_end_matches('\0').to_string()),
        archive::StoredValue::Bytes(bytes) => Value::String(hex(&bytes)),
        archive::StoredValue::Invalid => Value::Null,
    }
}

/// An archived sample as the API shows it.
pub fn stored_sample(sample: archive::StoredSample) -> SampleDto {
    SampleDto {
        parameter: sample.series,
        time_ms: sample.time_ms,
        raw: stored_value(sample.raw),
        eng: stored_value(sample.eng),
        level: level_name(sample.level).to_string(),
        valid: sample.valid,
    }
}

/// The wire name of a unit kind.
pub fn unit_kind(kind: tm::link::UnitKind) -> &'static str {
    match kind {
        tm::link::UnitKind::Packet => "packet",
        tm::link::UnitKind::Frame => "frame",
        tm::link::UnitKind::Fragment => "fragment",
    }
}

/// A stored command transition on the wire (an empty principal is the platform's).
pub fn command_event(record: &archive::CommandRecord) -> CommandEventDto {
    CommandEventDto {
        id: record.id.parse().unwrap_or_default(),
        command: record.command.clone(),
        time_ms: record.time_ms,
        state: record.state.clone(),
        principal: (!record.principal.is_empty()).then(|| record.principal.clone()),
        detail: record.detail.clone(),
    }
}

/// A finished command rebuilt from its stored history (its stages are not stored).
pub fn command_view(id: u64, records: &[archive::CommandRecord]) -> Option<CommandView> {
    let first = records.first()?;
    let last = records.last()?;
    let arguments: Vec<(String, String)> = serde_json::from_str(&first.arguments_json).unwrap_or_default();
    let finished = ["completed", "failed", "timed_out", "cancelled", "rejected"].contains(&last.state.as_str());
    Some(CommandView {
        id,
        command: first.command.clone(),
        principal: first.principal.clone(),
        arguments: arguments.into_iter().map(|(name, value)| ArgumentValue { name, value }).collect(),
        digest: first.digest.clone(),
        bytes_hex: hex(&first.bytes),
        state: last.state.clone(),
        finished,
        requested_ms: first.time_ms,
        stages: Vec::new(),
        history: records.iter().map(command_event).collect(),
    })
}
