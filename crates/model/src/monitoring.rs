//! Calibrators (raw → engineering) and alarms (engineering → monitoring result).

use crate::algorithm::MathToken;
use crate::criteria::Criteria;
use crate::datatype::Range;

/// Converts a raw value to an engineering value.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "calibrator", rename_all = "snake_case")]
pub enum Calibrator {
    /// `sum(coefficients[i] * x^i)`.
    Polynomial { coefficients: Vec<f64> },
    /// Piecewise interpolation between points sorted by raw value; `order` 0 is a step
    /// function, 1 linear interpolation.
    Spline { order: u8, extrapolate: bool, points: Vec<SplinePoint> },
    /// A reverse-Polish expression over the raw value (`ThisParameter`) and others.
    MathOperation { tokens: Vec<MathToken> },
    /// SCOS-2000 logarithmic calibration: `y = 1 / (a0 + a1·ln x + a2·ln²x + a3·ln³x + a4·ln⁴x)`.
    Logarithmic { coefficients: [f64; 5] },
}

/// One point of a spline calibration.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SplinePoint {
    pub raw: f64,
    pub calibrated: f64,
}

/// A calibrator that applies when its context matches.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContextCalibrator {
    pub context: Criteria,
    pub calibrator: Calibrator,
}

/// Alarm severities, from least to most severe (XTCE names; MIB soft = warning, hard = critical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmLevel {
    Normal,
    Watch,
    Warning,
    Distress,
    Critical,
    Severe,
}

impl AlarmLevel {
    /// Parses the XTCE spelling (`normal`, `watch`, `warning`, `distress`, `critical`, `severe`).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "normal" => AlarmLevel::Normal,
            "watch" => AlarmLevel::Watch,
            "warning" => AlarmLevel::Warning,
            "distress" => AlarmLevel::Distress,
            "critical" => AlarmLevel::Critical,
            "severe" => AlarmLevel::Severe,
            _ => return None,
        })
    }
}

/// The in-limits range per severity: a value outside `warning` is at least a warning, etc.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlarmRanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distress: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severe: Option<Range>,
}

/// An enumeration alarm: labels with their level; other labels get `default_level`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnumAlarm {
    pub default_level: AlarmLevel,
    pub labels: Vec<(String, AlarmLevel)>,
}

/// How a parameter's value is monitored.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Alarm {
    Ranges {
        /// Consecutive violations before the alarm is raised (XTCE `minViolations`).
        min_violations: u32,
        ranges: AlarmRanges,
        /// Largest allowed change between consecutive samples (MIB delta checks).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delta: Option<f64>,
    },
    Enumeration {
        min_violations: u32,
        levels: EnumAlarm,
    },
}

/// An alarm that applies when its context matches (e.g. limits per operating mode).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContextAlarm {
    pub context: Criteria,
    pub alarm: Alarm,
}
