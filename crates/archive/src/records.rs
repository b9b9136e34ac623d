//! What the archive stores and gives back: records, samples, values, pages.

use model::AlarmLevel;

/// The severity of an event (PUS 5 subtypes 1 to 4, or the platform's own events).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventSeverity {
    Info,
    Low,
    Medium,
    High,
}

impl EventSeverity {
    pub(crate) fn code(self) -> i64 {
        self as i64
    }

    pub(crate) fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => EventSeverity::Info,
            1 => EventSeverity::Low,
            2 => EventSeverity::Medium,
            3 => EventSeverity::High,
            _ => return None,
        })
    }
}

impl From<tm::pus::EventSeverity> for EventSeverity {
    fn from(severity: tm::pus::EventSeverity) -> Self {
        match severity {
            tm::pus::EventSeverity::Informative => EventSeverity::Info,
            tm::pus::EventSeverity::Low => EventSeverity::Low,
            tm::pus::EventSeverity::Medium => EventSeverity::Medium,
            tm::pus::EventSeverity::High => EventSeverity::High,
        }
    }
}

/// An event: a PUS 5 report or one the platform raises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    pub time_ms: u64,
    pub severity: EventSeverity,
    /// Where it came from, e.g. `pus5` or `apid 100`.
    pub source: String,
    pub event_id: u64,
    pub message: String,
    /// Auxiliary data, raw.
    pub data: Vec<u8>,
}

/// One state change of a command (a row per change: queued, released, accepted, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandRecord {
    /// The command's id, the same in every row about it.
    pub id: String,
    pub time_ms: u64,
    pub principal: String,
    pub command: String,
    pub arguments_json: String,
    /// The encoded telecommand.
    pub bytes: Vec<u8>,
    pub digest: String,
    pub state: String,
    pub detail: String,
}

/// A stored value, raw or engineering, owning its text and bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum StoredValue {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    /// An enumeration value with the label the model gave it when it was stored (empty when
    /// the model had none for the index).
    Enum {
        index: u32,
        label: String,
    },
    UnknownEnum(i64),
    Text(String),
    Bytes(Vec<u8>),
    /// Seconds from the parameter type's epoch.
    Time(f64),
    /// Calibration failed; the raw value stands.
    Invalid,
}

/// One stored sample of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredSample {
    pub series: String,
    pub time_ms: u64,
    pub raw: StoredValue,
    pub eng: StoredValue,
    pub level: AlarmLevel,
    /// False when the parameter's validity condition did not hold.
    pub valid: bool,
}

/// A series the archive holds (a parameter, or one element of it: `name[element]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesInfo {
    pub name: String,
    pub samples: u64,
    pub first_ms: u64,
    pub last_ms: u64,
}

/// One of N equal time buckets: aggregates of the numeric engineering values in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub start_ms: u64,
    /// Exclusive.
    pub end_ms: u64,
    /// Samples with a numeric engineering value (NaN excluded).
    pub count: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub avg: Option<f64>,
}

/// The kind of a stored unit.
pub use tm::link::UnitKind;

/// One received unit, raw, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUnit {
    /// Global arrival number in this archive, from 1; never reused.
    pub seq: u64,
    pub link: String,
    pub time_ms: u64,
    pub kind: UnitKind,
    /// For packets: the APID from the primary header.
    pub apid: Option<u16>,
    pub bytes: Vec<u8>,
    /// Why it could not be used, when it could not.
    pub invalid: Option<String>,
}

/// One alarm change, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAlarm {
    pub time_ms: u64,
    pub series: String,
    /// `raised`, `level_changed`, `acknowledged`, `cleared` or `closed`.
    pub change: String,
    /// The new level (raised, level changed); the worst level of the alarm otherwise.
    pub level: AlarmLevel,
    /// Who acknowledged it.
    pub by: Option<String>,
}

/// One page of a query: at most `limit` items, and where to go on.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// A cursor (printable, URL-safe ASCII) to pass back for the next page; `None` at the end.
    pub next: Option<String>,
}

pub(crate) fn level_code(level: AlarmLevel) -> u8 {
    match level {
        AlarmLevel::Normal => 0,
        AlarmLevel::Watch => 1,
        AlarmLevel::Warning => 2,
        AlarmLevel::Distress => 3,
        AlarmLevel::Critical => 4,
        AlarmLevel::Severe => 5,
    }
}

pub(crate) fn level_from_code(code: u8) -> Option<AlarmLevel> {
    Some(match code {
        0 => AlarmLevel::Normal,
        1 => AlarmLevel::Watch,
        2 => AlarmLevel::Warning,
        3 => AlarmLevel::Distress,
        4 => AlarmLevel::Critical,
        5 => AlarmLevel::Severe,
        _ => return None,
    })
}
