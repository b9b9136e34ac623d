//! Parameter conditions: `> 20`, `!= 0`, `in 20..30`, `== "ON"`, `== true`, checked against an
//! engineering value.

#[cfg(test)]
mod tests;

use serde_json::Value;
use std::fmt;

/// A condition on a parameter's engineering value.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `value <op> operand`.
    Compare { op: Op, operand: Operand },
    /// `in low..high`: low ≤ value ≤ high.
    /// Invariant: `low <= high`, both finite.
    InRange { low: f64, high: f64 },
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What a value is compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// Invariant: finite.
    Number(f64),
    /// An enumeration label or a string, written in double quotes.
    Text(String),
    Bool(bool),
}

/// Why a condition's text is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    #[error("empty condition; write e.g. `> 20`, `in 20..30` or `== \"ON\"`")]
    Empty,
    #[error("`{text}` does not start with an operator (==, !=, <, <=, >, >=, in)")]
    NoOperator { text: String },
    #[error("`{text}` is not a number, a quoted label or true/false")]
    BadOperand { text: String },
    #[error("`{op}` compares numbers, not `{text}`")]
    OrderingNeedsNumber { op: &'static str, text: String },
    #[error("`{text}` is not a range `LOW..HIGH` of numbers with LOW <= HIGH")]
    BadRange { text: String },
}

impl Op {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

// Two-character operators first, so that `<=` is not read as `<` then `=`.
const OPS: [Op; 6] = [Op::Eq, Op::Ne, Op::Le, Op::Ge, Op::Lt, Op::Gt];

impl Condition {
    /// Reads a condition from its text form.
    pub fn parse(text: &str) -> Result<Condition, ConditionError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ConditionError::Empty);
        }
        if let Some(range) = text.strip_prefix("in ") {
            return parse_range(range.trim());
        }
        let Some(op) = OPS.into_iter().find(|op| text.starts_with(op.symbol())) else {
            return Err(ConditionError::NoOperator { text: text.to_string() });
        };
        let operand_text = text[op.symbol().len()..].trim();
        let operand = parse_operand(operand_text)?;
        if !matches!(op, Op::Eq | Op::Ne) && !matches!(operand, Operand::Number(_)) {
            return Err(ConditionError::OrderingNeedsNumber { op: op.symbol(), text: operand_text.to_string() });
        }
        Ok(Condition::Compare { op, operand })
    }

    /// Whether an engineering value meets the condition; `Err` says why not.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let holds = match self {
            Condition::InRange { low, high } => match value.as_f64() {
                Some(number) => *low <= number && number <= *high,
                None => return Err(format!("value {value} is not a number")),
            },
            Condition::Compare { op, operand } => match compare(*op, operand, value) {
                Some(holds) => holds,
                None => return Err(format!("value {value} cannot be compared with {}", OperandText(operand))),
            },
        };
        if holds {
            Ok(())
        } else {
            Err(format!("value {value} is not {self}"))
        }
    }
}

/// `Some(holds)`, or `None` when the value and operand are of different kinds.
fn compare(op: Op, operand: &Operand, value: &Value) -> Option<bool> {
    let equal = match (operand, value) {
        (Operand::Number(expected), value) => {
            let number = value.as_f64()?;
            return Some(match op {
                Op::Eq => number == *expected,
                Op::Ne => number != *expected,
                Op::Lt => number < *expected,
                Op::Le => number <= *expected,
                Op::Gt => number > *expected,
                Op::Ge => number >= *expected,
            });
        }
        (Operand::Text(expected), Value::String(text)) => text == expected,
        (Operand::Bool(expected), Value::Bool(flag)) => flag == expected,
        _ => return None,
    };
    Some(if op == Op::Ne { !equal } else { equal })
}

fn parse_range(text: &str) -> Result<Condition, ConditionError> {
    let bad = || ConditionError::BadRange { text: text.to_string() };
    let (low, high) = text.split_once("..").ok_or_else(bad)?;
    let low = parse_number(low.trim()).ok_or_else(bad)?;
    let high = parse_number(high.trim()).ok_or_else(bad)?;
    if low > high {
        return Err(bad());
    }
    Ok(Condition::InRange { low, high })
}

fn parse_operand(text: &str) -> Result<Operand, ConditionError> {
    if let Some(inner) = text.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) {
        if !inner.contains('"') {
            return Ok(Operand::Text(inner.to_string()));
        }
    }
    match text {
        "true" => Ok(Operand::Bool(true)),
        "false" => Ok(Operand::Bool(false)),
        _ => {
            parse_number(text).map(Operand::Number).ok_or_else(|| ConditionError::BadOperand { text: text.to_string() })
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    // `f64::from_str` also takes `inf` and `NaN`, which no telemetry value should be compared to.
    text.parse::<f64>().ok().filter(|number| number.is_finite())
}

struct OperandText<'a>(&'a Operand);

impl fmt::Display for OperandText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Operand::Number(number) => write!(f, "{number}"),
            Operand::Text(text) => write!(f, "\"{text}\""),
            Operand::Bool(flag) => write!(f, "{flag}"),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Compare { op, operand } => write!(f, "{} {}", op.symbol(), OperandText(operand)),
            Condition::InRange { low, high } => write!(f, "in {low}..{high}"),
        }
    }
}
