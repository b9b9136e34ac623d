//! Match criteria: restriction criteria of containers, include conditions, contexts of
//! calibrators and alarms, transmission constraints and verifier checks.

use crate::name::QualifiedName;

/// A reference to a parameter's value at decode time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParamRef {
    pub parameter: QualifiedName,
    /// Compare the calibrated (engineering) value when true, the raw value when false.
    pub use_calibrated: bool,
    /// Which instance: 0 the current one, -1 the previous, and so on (XTCE `instance`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub instance: i32,
    /// A member path inside an aggregate, or array indices, as written (`a.b`, `[3]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_path: Option<String>,
}

fn is_zero(value: &i32) -> bool {
    *value == 0
}

impl ParamRef {
    /// A reference to the current calibrated value of `parameter`.
    pub fn calibrated(parameter: QualifiedName) -> Self {
        ParamRef { parameter, use_calibrated: true, instance: 0, member_path: None }
    }

    /// A reference to the current raw value of `parameter`.
    pub fn raw(parameter: QualifiedName) -> Self {
        ParamRef { parameter, use_calibrated: false, instance: 0, member_path: None }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ComparisonOp {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl ComparisonOp {
    /// Parses XTCE's operator spellings (`==`, `!=`, `&lt;` already unescaped, `eq`, ...).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "==" | "=" | "eq" => ComparisonOp::Eq,
            "!=" | "<>" | "ne" | "neq" => ComparisonOp::Ne,
            "<" | "lt" => ComparisonOp::Lt,
            "<=" | "le" | "leq" => ComparisonOp::Le,
            ">" | "gt" => ComparisonOp::Gt,
            ">=" | "ge" | "geq" => ComparisonOp::Ge,
            _ => return None,
        })
    }
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    /// A literal in the parameter's domain, as written (a number, an enumeration label, ...).
    Value(String),
    Parameter(ParamRef),
}

/// One comparison of a parameter with a value or another parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    pub left: ParamRef,
    pub op: ComparisonOp,
    pub right: Operand,
}

/// A boolean condition over parameter values. XTCE `Comparison`, `ComparisonList` and
/// `BooleanExpression` all map here: a list is `All`, ANDed/ORed conditions are `All`/`Any`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criteria {
    Compare(Comparison),
    All(Vec<Criteria>),
    Any(Vec<Criteria>),
    Not(Box<Criteria>),
}

impl Criteria {
    /// Every parameter this condition reads.
    pub fn parameters(&self) -> Vec<&QualifiedName> {
        let mut names = Vec::new();
        self.collect_parameters(&mut names);
        names
    }

    fn collect_parameters<'a>(&'a self, names: &mut Vec<&'a QualifiedName>) {
        match self {
            Criteria::Compare(comparison) => {
                names.push(&comparison.left.parameter);
                if let Operand::Parameter(right) = &comparison.right {
                    names.push(&right.parameter);
                }
            }
            Criteria::All(items) | Criteria::Any(items) => items.iter().for_each(|item| item.collect_parameters(names)),
            Criteria::Not(inner) => inner.collect_parameters(names),
        }
    }
}
