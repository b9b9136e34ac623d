//! Telemetry checks of model verifiers: criteria over parameter values and parameter changes,
//! evaluated over the latest values the caller knows.
//!
//! The comparison rules are those of `tm`'s compiled criteria (which work on parameter ids
//! inside a plan, so cannot be called here): literals `true`/`false`/`0x..`/decimal are
//! numbers, an enumeration compares its label for `==` and `!=`, and a comparison with a
//! missing value does not hold.

use model::{ComparisonOp, Criteria, Operand, ParamRef, QualifiedName};
use std::fmt::{self, Write};

/// A parameter's latest value, as a verifier reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TelemetryValue {
    /// The engineering (calibrated) value as a number; `None` for enumeration labels, text
    /// and binary values (booleans are 0 and 1).
    pub eng: Option<f64>,
    /// The raw value as a number; `None` for text and binary values.
    pub raw: Option<f64>,
    /// The enumeration label of the engineering value, for enumerations (and booleans with
    /// labels, when the literal compared is not `true`/`false`).
    pub label: Option<String>,
}

impl TelemetryValue {
    /// A plain number, raw and engineering alike.
    pub fn number(value: f64) -> Self {
        TelemetryValue { eng: Some(value), raw: Some(value), label: None }
    }

    /// An enumeration value: its raw number and label.
    pub fn label(raw: f64, label: &str) -> Self {
        TelemetryValue { eng: None, raw: Some(raw), label: Some(label.to_string()) }
    }
}

/// The latest value of a parameter, or `None` when none is known.
pub type Values<'a> = &'a dyn Fn(&QualifiedName) -> Option<TelemetryValue>;

/// What telemetry must show.
#[derive(Clone, Debug, PartialEq)]
pub enum TelemetryCheck {
    /// The criteria hold.
    Criteria(Criteria),
    /// The parameter's engineering value moved from its value at sending by at least `delta`
    /// in `delta`'s direction (any change at all when `delta` is 0).
    Change { parameter: QualifiedName, delta: f64 },
}

impl TelemetryCheck {
    /// The parameters it reads.
    pub fn parameters(&self) -> Vec<&QualifiedName> {
        match self {
            TelemetryCheck::Criteria(criteria) => criteria.parameters(),
            TelemetryCheck::Change { parameter, .. } => vec![parameter],
        }
    }
}

/// Whether the criteria hold over `values`. References to earlier instances or to members of
/// aggregates cannot be read from the latest values, so comparisons with them do not hold;
/// nor do criteria nested deeper than a valid model allows.
pub(super) fn holds(criteria: &Criteria, values: Values<'_>) -> bool {
    holds_at(criteria, values, 0).unwrap_or(false)
}

/// `None` when nested too deep.
fn holds_at(criteria: &Criteria, values: Values<'_>, depth: usize) -> Option<bool> {
    if depth > model::NESTING_MAX {
        return None;
    }
    let depth = depth + 1;
    Some(match criteria {
        Criteria::Compare(comparison) => {
            compare(&comparison.left, comparison.op, &comparison.right, values).unwrap_or(false)
        }
        Criteria::All(items) => {
            for item in items {
                if !holds_at(item, values, depth)? {
                    return Some(false);
                }
            }
            true
        }
        Criteria::Any(items) => {
            for item in items {
                if holds_at(item, values, depth)? {
                    return Some(true);
                }
            }
            false
        }
        Criteria::Not(inner) => !holds_at(inner, values, depth)?,
    })
}

/// Whether `value` moved from `baseline` as far as `delta` asks.
pub(super) fn changed(baseline: f64, value: f64, delta: f64) -> bool {
    let moved = value - baseline;
    if delta > 0.0 {
        moved >= delta
    } else if delta < 0.0 {
        moved <= delta
    } else {
        moved != 0.0
    }
}

/// The check in words for history details: `/T/c == 2 and /T/b != OFF`, `/T/c changes by 5`.
impl fmt::Display for TelemetryCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TelemetryCheck::Criteria(criteria) => {
                let mut out = String::new();
                describe_criteria(criteria, 0, &mut out);
                f.write_str(&out)
            }
            TelemetryCheck::Change { parameter, delta } => write!(f, "{parameter} changes by {delta}"),
        }
    }
}

fn describe_criteria(criteria: &Criteria, depth: usize, out: &mut String) {
    if depth > model::NESTING_MAX {
        out.push_str("...");
        return;
    }
    let depth = depth + 1;
    let list = |items: &[Criteria], joiner: &str, out: &mut String| {
        for (idx, item) in items.iter().enumerate() {
            if idx > 0 {
                out.push_str(joiner);
            }
            let nested = matches!(item, Criteria::All(_) | Criteria::Any(_)) && items.len() > 1;
            out.push_str(if nested { "(" } else { "" });
            describe_criteria(item, depth, out);
            out.push_str(if nested { ")" } else { "" });
        }
    };
    match criteria {
        Criteria::Compare(comparison) => {
            let right = match &comparison.right {
                Operand::Value(text) => text.clone(),
                Operand::Parameter(param) => param.parameter.to_string(),
            };
            let _ = write!(out, "{} {} {right}", comparison.left.parameter, op_text(comparison.op));
        }
        Criteria::All(items) => list(items, " and ", out),
        Criteria::Any(items) => list(items, " or ", out),
        Criteria::Not(inner) => {
            out.push_str("not (");
            describe_criteria(inner, depth, out);
            out.push(')');
        }
    }
}

fn op_text(op: ComparisonOp) -> &'static str {
    match op {
        ComparisonOp::Eq => "==",
        ComparisonOp::Ne => "!=",
        ComparisonOp::Lt => "<",
        ComparisonOp::Le => "<=",
        ComparisonOp::Gt => ">",
        ComparisonOp::Ge => ">=",
    }
}

/// A literal's number: `true`/`false`, `0x` hexadecimal, or decimal.
fn literal_number(text: &str) -> Option<f64> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(1.0),
        "false" => Some(0.0),
        lower => match lower.strip_prefix("0x") {
            Some(hex) => i64::from_str_radix(hex, 16).ok().map(|value| value as f64),
            None => text.parse::<f64>().ok(),
        },
    }
}

fn read(param: &ParamRef, values: Values<'_>) -> Option<TelemetryValue> {
    if param.instance != 0 || param.member_path.is_some() {
        return None;
    }
    values(&param.parameter)
}

fn number(param: &ParamRef, value: &TelemetryValue) -> Option<f64> {
    if param.use_calibrated {
        value.eng
    } else {
        value.raw
    }
}

fn compare(left: &ParamRef, op: ComparisonOp, right: &Operand, values: Values<'_>) -> Option<bool> {
    let value = read(left, values)?;
    let b = match right {
        Operand::Value(text) => {
            let text = text.trim();
            let literal = literal_number(text);
            if let (true, Some(label)) = (left.use_calibrated, &value.label) {
                if value.eng.is_none() || literal.is_none() {
                    return match op {
                        ComparisonOp::Eq => Some(label == text),
                        ComparisonOp::Ne => Some(label != text),
                        _ => None,
                    };
                }
            }
            literal?
        }
        Operand::Parameter(param) => number(param, &read(param, values)?)?,
    };
    let a = number(left, &value)?;
    Some(match op {
        ComparisonOp::Eq => a == b,
        ComparisonOp::Ne => a != b,
        ComparisonOp::Lt => a < b,
        ComparisonOp::Le => a <= b,
        ComparisonOp::Gt => a > b,
        ComparisonOp::Ge => a >= b,
    })
}
