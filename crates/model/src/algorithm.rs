//! Algorithms the model holds: reverse-Polish math expressions for calibrations and derived
//! parameters. Custom algorithms in other languages are not runnable and are reported by the
//! importers instead.

use crate::criteria::ParamRef;
use crate::name::QualifiedName;

/// An arithmetic operator of a math expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MathOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Mod,
    Neg,
    Abs,
    Sqrt,
    Ln,
    Log10,
    Exp,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Min,
    Max,
    Floor,
    Ceil,
    Round,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Swap,
    Drop,
    Dup,
}

/// One token of a reverse-Polish expression.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MathToken {
    Value(f64),
    /// The value being calibrated (XTCE `ThisParameterOperand`).
    This,
    Parameter(ParamRef),
    Op(MathOp),
}

/// An input of an algorithm, bound to a name the expression may use.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlgorithmInput {
    pub input_name: Option<String>,
    pub parameter: ParamRef,
}

/// A derived-parameter algorithm: evaluated when any input updates, writes `output`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Algorithm {
    pub inputs: Vec<AlgorithmInput>,
    pub output: QualifiedName,
    pub expression: Vec<MathToken>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
