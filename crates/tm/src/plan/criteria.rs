//! Criteria and dynamic integers compiled against parameter ids, and their evaluation over
//! the latest known values.

use super::members::Members;
use super::PlanError;
use crate::value::{EngValue, ParamId, RawValue};
use model::{ComparisonOp, Criteria, IntegerValue, Operand, ParamRef, QualifiedName};
use std::collections::BTreeMap;

/// A literal on the right of a comparison, parsed once.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Literal {
    pub number: Option<f64>,
    pub text: String,
}

impl Literal {
    fn parse(text: &str) -> Literal {
        let trimmed = text.trim();
        let number = match trimmed.to_ascii_lowercase().as_str() {
            "true" => Some(1.0),
            "false" => Some(0.0),
            lower => lower
                .strip_prefix("0x")
                .and_then(|hex| i64::from_str_radix(hex, 16).ok().map(|v| v as f64))
                .or_else(|| trimmed.parse::<f64>().ok()),
        };
        Literal { number, text: trimmed.to_string() }
    }
}

/// A reference to a parameter's value, compiled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ValueRef {
    pub parameter: ParamId,
    pub use_calibrated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Right {
    Literal(Literal),
    Value(ValueRef),
}

/// A compiled condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Condition {
    Compare { left: ValueRef, op: ComparisonOp, right: Right },
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

/// A compiled dynamic integer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Count {
    Fixed(i64),
    Dynamic { value: ValueRef, slope: i64, intercept: i64 },
    Lookup(Vec<(Condition, i64)>),
}

/// Resolves names to ids while compiling.
pub(crate) struct Names<'a> {
    pub ids: &'a BTreeMap<QualifiedName, ParamId>,
    /// Resolves aggregate member paths, once types are compiled; without it a reference to a
    /// member reads the whole parameter (its first element).
    pub members: Option<Members<'a>>,
}

impl Names<'_> {
    pub fn value(&self, param: &ParamRef) -> Result<ValueRef, PlanError> {
        let parameter = *self
            .ids
            .get(&param.parameter)
            .ok_or_else(|| PlanError::UnknownParameter { name: param.parameter.to_string() })?;
        let member = match (&param.member_path, &self.members) {
            (Some(path), Some(members)) => members.slot(parameter, &param.parameter, path),
            _ => None,
        };
        Ok(ValueRef { parameter: member.unwrap_or(parameter), use_calibrated: param.use_calibrated })
    }

    pub fn condition(&self, criteria: &Criteria, depth: usize) -> Result<Condition, PlanError> {
        if depth > model::NESTING_MAX {
            return Err(PlanError::TooDeep);
        }
        let list = |items: &[Criteria]| -> Result<Vec<Condition>, PlanError> {
            items.iter().map(|item| self.condition(item, depth + 1)).collect()
        };
        Ok(match criteria {
            Criteria::Compare(comparison) => Condition::Compare {
                left: self.value(&comparison.left)?,
                op: comparison.op,
                right: match &comparison.right {
                    Operand::Value(text) => Right::Literal(Literal::parse(text)),
                    Operand::Parameter(param) => Right::Value(self.value(param)?),
                },
            },
            Criteria::All(items) => Condition::All(list(items)?),
            Criteria::Any(items) => Condition::Any(list(items)?),
            Criteria::Not(inner) => Condition::Not(Box::new(self.condition(inner, depth + 1)?)),
        })
    }

    pub fn count(&self, value: &IntegerValue) -> Result<Count, PlanError> {
        Ok(match value {
            IntegerValue::Fixed(n) => Count::Fixed(*n),
            IntegerValue::Dynamic { parameter, slope, intercept } => {
                Count::Dynamic { value: self.value(parameter)?, slope: *slope, intercept: *intercept }
            }
            IntegerValue::Lookup(entries) => Count::Lookup(
                entries
                    .iter()
                    .map(|(criteria, n)| Ok((self.condition(criteria, 0)?, *n)))
                    .collect::<Result<_, PlanError>>()?,
            ),
        })
    }
}

/// The latest value of every parameter, for conditions and dynamic sizes.
pub(crate) trait Latest {
    fn get(&self, parameter: ParamId) -> Option<(RawValue, EngValue)>;
    /// The label of an enumeration value of `parameter`'s type.
    fn label(&self, parameter: ParamId, index: u32) -> Option<&str>;
    /// The label of a boolean value of `parameter`'s type.
    fn bool_label(&self, parameter: ParamId, value: bool) -> Option<&str>;
}

impl ValueRef {
    fn number(&self, latest: &dyn Latest) -> Option<f64> {
        let (raw, eng) = latest.get(self.parameter)?;
        if self.use_calibrated {
            eng.as_f64()
        } else {
            raw.as_f64()
        }
    }
}

impl Condition {
    /// Whether the condition holds; a comparison with a missing value is false.
    pub fn holds(&self, latest: &dyn Latest) -> bool {
        match self {
            Condition::Compare { left, op, right } => compare(*left, *op, right, latest).unwrap_or(false),
            Condition::All(items) => items.iter().all(|item| item.holds(latest)),
            Condition::Any(items) => items.iter().any(|item| item.holds(latest)),
            Condition::Not(inner) => !inner.holds(latest),
        }
    }
}

fn compare(left: ValueRef, op: ComparisonOp, right: &Right, latest: &dyn Latest) -> Option<bool> {
    let (_, eng) = latest.get(left.parameter)?;
    if let (true, EngValue::Enum(index), Right::Literal(literal)) = (left.use_calibrated, eng, right) {
        let label = latest.label(left.parameter, index)?;
        return match op {
            ComparisonOp::Eq => Some(label == literal.text),
            ComparisonOp::Ne => Some(label != literal.text),
            _ => None,
        };
    }
    if let (true, EngValue::Bool(value), Right::Literal(literal @ Literal { number: None, .. })) =
        (left.use_calibrated, eng, right)
    {
        let label = latest.bool_label(left.parameter, value)?;
        return match op {
            ComparisonOp::Eq => Some(label == literal.text),
            ComparisonOp::Ne => Some(label != literal.text),
            _ => None,
        };
    }
    let a = left.number(latest)?;
    let b = match right {
        Right::Literal(literal) => literal.number?,
        Right::Value(value) => value.number(latest)?,
    };
    Some(match op {
        ComparisonOp::Eq => a == b,
        ComparisonOp::Ne => a != b,
        ComparisonOp::Lt => a < b,
        ComparisonOp::Le => a <= b,
        ComparisonOp::Gt => a > b,
        ComparisonOp::Ge => a >= b,
    })
}

impl Count {
    /// The value now; `None` when a parameter it needs has no value.
    pub fn eval(&self, latest: &dyn Latest) -> Option<i64> {
        match self {
            Count::Fixed(n) => Some(*n),
            Count::Dynamic { value, slope, intercept } => {
                let v = value.number(latest)?;
                Some((v as i64).saturating_mul(*slope).saturating_add(*intercept))
            }
            Count::Lookup(entries) => entries.iter().find(|(c, _)| c.holds(latest)).map(|(_, n)| *n),
        }
    }
}
