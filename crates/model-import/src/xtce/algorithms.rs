//! Math operations (reverse-Polish operand/operator lists) for calibrators and
//! `MathAlgorithm`s; `CustomAlgorithm`s are reported, their outputs kept as derived.

use super::cx::{description, elements, local, Cx, Res};
use super::index::Def;
use super::names::{is_yamcs_system, resolve_attr, resolve_param};
use model::{Algorithm, AlgorithmInput, ItemKind, MathOp, MathToken, QualifiedName};
use roxmltree::Node;

/// The tokens of a math operation in `node`, and the parameters it reads.
pub fn math_tokens(
    cx: &mut Cx,
    node: Node<'_, '_>,
    space: &QualifiedName,
) -> Res<(Vec<MathToken>, Vec<AlgorithmInput>)> {
    let mut tokens = Vec::new();
    let mut inputs = Vec::new();
    let mut failed = None;
    for item in elements(node) {
        match local(item) {
            "ValueOperand" => match cx.num_text::<f64>(item) {
                Ok(value) => tokens.push(MathToken::Value(value)),
                Err(reported) => failed = Some(reported),
            },
            "ThisParameterOperand" => tokens.push(MathToken::This),
            "ParameterInstanceRefOperand" => {
                let calibrated = cx.flag(item, "useCalibratedValue", true)?;
                match resolve_param(cx, item, "parameterRef", space, calibrated) {
                    Ok(param) => {
                        inputs.push(AlgorithmInput { input_name: None, parameter: param.clone() });
                        tokens.push(MathToken::Parameter(param));
                    }
                    Err(reported) => failed = Some(reported),
                }
            }
            "Operator" => {
                let text = item.text().unwrap_or_default().trim();
                match operator(text) {
                    Some(ops) => tokens.extend(ops),
                    None => {
                        let message =
                            format!("math operator `{text}` is not supported by the model; the operation is dropped");
                        failed = Some(cx.unsupported(item, message));
                    }
                }
            }
            "TriggerSet" => {}
            _ => cx.unhandled(item),
        }
    }
    failed.map_or(Ok((tokens, inputs)), Err)
}

/// The model tokens of one XTCE operator.
fn operator(text: &str) -> Option<Vec<MathToken>> {
    let op = |op| MathToken::Op(op);
    Some(match text {
        "+" => vec![op(MathOp::Add)],
        "-" => vec![op(MathOp::Sub)],
        "*" => vec![op(MathOp::Mul)],
        "/" => vec![op(MathOp::Div)],
        "%" => vec![op(MathOp::Mod)],
        "^" => vec![op(MathOp::Pow)],
        "y^x" => vec![op(MathOp::Swap), op(MathOp::Pow)],
        "1/x" => vec![MathToken::Value(1.0), op(MathOp::Swap), op(MathOp::Div)],
        "e^x" => vec![op(MathOp::Exp)],
        "ln" => vec![op(MathOp::Ln)],
        "log" => vec![op(MathOp::Log10)],
        "abs" => vec![op(MathOp::Abs)],
        "sqrt" => vec![op(MathOp::Sqrt)],
        "sin" => vec![op(MathOp::Sin)],
        "cos" => vec![op(MathOp::Cos)],
        "tan" => vec![op(MathOp::Tan)],
        "asin" => vec![op(MathOp::Asin)],
        "acos" => vec![op(MathOp::Acos)],
        "atan" => vec![op(MathOp::Atan)],
        "atan2" => vec![op(MathOp::Atan2)],
        "swap" => vec![op(MathOp::Swap)],
        "drop" => vec![op(MathOp::Drop)],
        "dup" => vec![op(MathOp::Dup)],
        "&" => vec![op(MathOp::BitAnd)],
        "|" => vec![op(MathOp::BitOr)],
        "<<" => vec![op(MathOp::Shl)],
        ">>" => vec![op(MathOp::Shr)],
        _ => return None,
    })
}

/// A `MathAlgorithm`: its `MathOperation` writes `outputParameterRef`.
pub fn math_algorithm(cx: &mut Cx, def: &Def<'_, '_>) -> Option<Algorithm> {
    let node = def.node;
    let mut algorithm = None;
    for item in elements(node) {
        match local(item) {
            "MathOperation" => {
                let output = resolve_attr(cx, item, "outputParameterRef", ItemKind::Parameter, &def.space).ok();
                let tokens = math_tokens(cx, item, &def.space).ok();
                if let (Some(output), Some((expression, inputs))) = (output, tokens) {
                    algorithm = Some(Algorithm { inputs, output, expression, description: description(node) });
                }
            }
            "AliasSet" => {}
            _ => cx.unhandled(item),
        }
    }
    algorithm
}

/// A `CustomAlgorithm` (Java, JavaScript, Python...): reported; its outputs stay derived.
pub fn custom_algorithm(cx: &mut Cx, def: &Def<'_, '_>) {
    let node = def.node;
    let language =
        super::cx::child(node, "AlgorithmText").and_then(|text| text.attribute("language")).unwrap_or("unknown");
    cx.unsupported(
        node,
        format!("custom algorithm `{}` in {language} cannot be run by the model; its outputs stay as derived parameters with no computation", def.name),
    );
    if let Some(inputs) = super::cx::child(node, "InputSet") {
        for input in elements(inputs) {
            let reference = input.attribute("parameterRef").unwrap_or_default();
            if local(input) == "InputParameterInstanceRef" && !is_yamcs_system(reference) {
                let _ = resolve_param(cx, input, "parameterRef", &def.space, true);
            }
        }
    }
    let Some(outputs) = super::cx::child(node, "OutputSet") else {
        return;
    };
    for output in elements(outputs) {
        let Some(reference) = output.attribute("parameterRef") else {
            continue;
        };
        if is_yamcs_system(reference) {
            continue;
        }
        if let Ok(name) = resolve_attr(cx, output, "parameterRef", ItemKind::Parameter, &def.space) {
            cx.derived_outputs.push(name);
        }
    }
}
