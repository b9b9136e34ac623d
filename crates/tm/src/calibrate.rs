//! Calibration: raw value to engineering value.

use model::{Calibrator, MathOp, MathToken, ParamRef, SplinePoint};

/// Deepest stack a math expression may build.
const STACK_MAX: usize = 64;

/// Why a value could not be calibrated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("raw value {raw} is outside the spline's points and extrapolation is off")]
    OutsideSpline { raw: f64 },
    #[error("spline calibrator has no points")]
    EmptySpline,
    #[error("math expression: {0}")]
    Expression(&'static str),
    #[error("math expression reads parameter `{0}`, which has no value yet")]
    MissingParameter(String),
    #[error("logarithmic calibration of {raw}: the logarithm needs a positive value")]
    LogOfNonPositive { raw: f64 },
}

/// Calibrates `raw`; `lookup` gives other parameters' current values for math expressions.
pub fn calibrate(
    calibrator: &Calibrator,
    raw: f64,
    lookup: &dyn Fn(&ParamRef) -> Option<f64>,
) -> Result<f64, CalibrationError> {
    match calibrator {
        Calibrator::Polynomial { coefficients } => {
            Ok(coefficients.iter().rev().fold(0.0, |acc, coefficient| acc * raw + coefficient))
        }
        Calibrator::Spline { order, extrapolate, points } => spline(*order, *extrapolate, points, raw),
        Calibrator::MathOperation { tokens } => evaluate(tokens, raw, lookup),
        Calibrator::Logarithmic { coefficients } => {
            if raw <= 0.0 {
                return Err(CalibrationError::LogOfNonPositive { raw });
            }
            let ln = raw.ln();
            let denominator = coefficients.iter().rev().fold(0.0, |acc, a| acc * ln + a);
            Ok(1.0 / denominator)
        }
    }
}

/// Piecewise calibration over points in raw order; order 0 holds the lower point's value.
fn spline(order: u8, extrapolate: bool, points: &[SplinePoint], raw: f64) -> Result<f64, CalibrationError> {
    let Some(first) = points.first() else {
        return Err(CalibrationError::EmptySpline);
    };
    if points.len() == 1 {
        return Ok(first.calibrated);
    }
    let segment = points.windows(2).find(|pair| pair[0].raw <= raw && raw <= pair[1].raw);
    let pair = match segment {
        Some(pair) => pair,
        None if !extrapolate => return Err(CalibrationError::OutsideSpline { raw }),
        None if raw < first.raw => &points[..2],
        None => &points[points.len() - 2..],
    };
    let (lo, hi) = (&pair[0], &pair[1]);
    if order == 0 {
        return Ok(if raw >= hi.raw { hi.calibrated } else { lo.calibrated });
    }
    if hi.raw == lo.raw {
        return Ok(lo.calibrated);
    }
    Ok(lo.calibrated + (raw - lo.raw) * (hi.calibrated - lo.calibrated) / (hi.raw - lo.raw))
}

/// Evaluates a reverse-Polish expression over the raw value and other parameters.
pub(crate) fn evaluate(
    tokens: &[MathToken],
    this: f64,
    lookup: &dyn Fn(&ParamRef) -> Option<f64>,
) -> Result<f64, CalibrationError> {
    let mut stack: Vec<f64> = Vec::with_capacity(8);
    for token in tokens {
        match token {
            MathToken::Value(value) => stack.push(*value),
            MathToken::This => stack.push(this),
            MathToken::Parameter(param) => stack
                .push(lookup(param).ok_or_else(|| CalibrationError::MissingParameter(param.parameter.to_string()))?),
            MathToken::Op(op) => apply(*op, &mut stack)?,
        }
        if stack.len() > STACK_MAX {
            return Err(CalibrationError::Expression("stack deeper than 64"));
        }
    }
    match stack.as_slice() {
        [value] => Ok(*value),
        [] => Err(CalibrationError::Expression("no value left")),
        _ => Err(CalibrationError::Expression("more than one value left")),
    }
}

fn apply(op: MathOp, stack: &mut Vec<f64>) -> Result<(), CalibrationError> {
    let underflow = CalibrationError::Expression("an operator has too few operands");
    let unary = |f: fn(f64) -> f64, stack: &mut Vec<f64>| -> Result<(), CalibrationError> {
        let a = stack.pop().ok_or(underflow.clone())?;
        stack.push(f(a));
        Ok(())
    };
    let binary = |f: fn(f64, f64) -> f64, stack: &mut Vec<f64>| -> Result<(), CalibrationError> {
        let b = stack.pop().ok_or(underflow.clone())?;
        let a = stack.pop().ok_or(underflow.clone())?;
        stack.push(f(a, b));
        Ok(())
    };
    match op {
        MathOp::Add => binary(|a, b| a + b, stack),
        MathOp::Sub => binary(|a, b| a - b, stack),
        MathOp::Mul => binary(|a, b| a * b, stack),
        MathOp::Div => binary(|a, b| a / b, stack),
        MathOp::Pow => binary(f64::powf, stack),
        MathOp::Mod => binary(|a, b| a % b, stack),
        MathOp::Atan2 => binary(f64::atan2, stack),
        MathOp::Min => binary(f64::min, stack),
        MathOp::Max => binary(f64::max, stack),
        MathOp::BitAnd => binary(|a, b| (a as i64 & b as i64) as f64, stack),
        MathOp::BitOr => binary(|a, b| (a as i64 | b as i64) as f64, stack),
        MathOp::BitXor => binary(|a, b| (a as i64 ^ b as i64) as f64, stack),
        MathOp::Shl => binary(|a, b| (a as i64).checked_shl(b as u32).unwrap_or(0) as f64, stack),
        MathOp::Shr => binary(|a, b| (a as i64).checked_shr(b as u32).unwrap_or(0) as f64, stack),
        MathOp::Neg => unary(|a| -a, stack),
        MathOp::Abs => unary(f64::abs, stack),
        MathOp::Sqrt => unary(f64::sqrt, stack),
        MathOp::Ln => unary(f64::ln, stack),
        MathOp::Log10 => unary(f64::log10, stack),
        MathOp::Exp => unary(f64::exp, stack),
        MathOp::Sin => unary(f64::sin, stack),
        MathOp::Cos => unary(f64::cos, stack),
        MathOp::Tan => unary(f64::tan, stack),
        MathOp::Asin => unary(f64::asin, stack),
        MathOp::Acos => unary(f64::acos, stack),
        MathOp::Atan => unary(f64::atan, stack),
        MathOp::Floor => unary(f64::floor, stack),
        MathOp::Ceil => unary(f64::ceil, stack),
        MathOp::Round => unary(f64::round, stack),
        MathOp::Dup => {
            let a = *stack.last().ok_or(underflow)?;
            stack.push(a);
            Ok(())
        }
        MathOp::Drop => stack.pop().map(|_| ()).ok_or(underflow),
        MathOp::Swap => {
            let n = stack.len();
            if n < 2 {
                return Err(underflow);
            }
            stack.swap(n - 1, n - 2);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &ParamRef) -> Option<f64> {
        None
    }

    fn points(pairs: &[(f64, f64)]) -> Vec<SplinePoint> {
        pairs.iter().map(|(raw, calibrated)| SplinePoint { raw: *raw, calibrated: *calibrated }).collect()
    }

    #[test]
    fn polynomial_and_logarithmic() {
        let poly = Calibrator::Polynomial { coefficients: vec![0.5, 2.0, 0.25] };
        assert_eq!(calibrate(&poly, 4.0, &none), Ok(0.5 + 8.0 + 4.0));
        let log = Calibrator::Logarithmic { coefficients: [1.0, 1.0, 0.0, 0.0, 0.0] };
        assert_eq!(calibrate(&log, 1.0, &none), Ok(1.0));
        assert!(calibrate(&log, 0.0, &none).is_err());
    }

    #[test]
    fn splines() {
        let linear = Calibrator::Spline {
            order: 1,
            extrapolate: false,
            points: points(&[(0.0, 10.0), (10.0, 20.0), (20.0, 0.0)]),
        };
        assert_eq!(calibrate(&linear, 5.0, &none), Ok(15.0));
        assert_eq!(calibrate(&linear, 15.0, &none), Ok(10.0));
        assert_eq!(calibrate(&linear, 25.0, &none), Err(CalibrationError::OutsideSpline { raw: 25.0 }));
        let extrapolating =
            Calibrator::Spline { order: 1, extrapolate: true, points: points(&[(0.0, 0.0), (1.0, 2.0)]) };
        assert_eq!(calibrate(&extrapolating, 3.0, &none), Ok(6.0));
        assert_eq!(calibrate(&extrapolating, -1.0, &none), Ok(-2.0));
        let step = Calibrator::Spline { order: 0, extrapolate: false, points: points(&[(0.0, 1.0), (10.0, 2.0)]) };
        assert_eq!(calibrate(&step, 5.0, &none), Ok(1.0));
        assert_eq!(calibrate(&step, 10.0, &none), Ok(2.0));
    }

    #[test]
    fn math_operations() {
        let param = model::QualifiedName::parse("/s/other").unwrap();
        let tokens = vec![
            MathToken::This,
            MathToken::Value(2.0),
            MathToken::Op(MathOp::Mul),
            MathToken::Parameter(ParamRef::calibrated(param)),
            MathToken::Op(MathOp::Add),
        ];
        let lookup = |_: &ParamRef| Some(1.5);
        assert_eq!(calibrate(&Calibrator::MathOperation { tokens: tokens.clone() }, 3.0, &lookup), Ok(7.5));
        assert!(matches!(
            calibrate(&Calibrator::MathOperation { tokens }, 3.0, &none),
            Err(CalibrationError::MissingParameter(_))
        ));
        let bad = Calibrator::MathOperation { tokens: vec![MathToken::This, MathToken::Op(MathOp::Add)] };
        assert!(calibrate(&bad, 1.0, &none).is_err());
    }
}
