//! Match criteria: `Comparison`, `ComparisonList` and `BooleanExpression` (with nested
//! `ANDedConditions` / `ORedConditions`), as restriction criteria, include conditions,
//! contexts, validity conditions, constraints and verifier checks.

use super::cx::{elements, local, Cx, Res};
use super::names::resolve_param;
use super::NESTING_MAX;
use model::{Comparison, ComparisonOp, Criteria, Operand, QualifiedName};
use roxmltree::Node;

/// The element names that hold a criteria.
pub const CRITERIA_ELEMENTS: [&str; 4] = ["Comparison", "ComparisonList", "BooleanExpression", "CustomAlgorithm"];

/// The criteria held by `node`'s children; other children are reported as unhandled.
pub fn match_criteria(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, depth: usize) -> Res<Criteria> {
    criteria_among(cx, node, space, depth, &[])
}

/// The criteria held by `node`'s children, skipping the children named in `others` (the
/// caller reads those).
pub fn criteria_among(
    cx: &mut Cx,
    node: Node<'_, '_>,
    space: &QualifiedName,
    depth: usize,
    others: &[&str],
) -> Res<Criteria> {
    let mut found = None;
    for item in elements(node) {
        if CRITERIA_ELEMENTS.contains(&local(item)) {
            found = Some(criteria_element(cx, item, space, depth));
        } else if !others.contains(&local(item)) {
            cx.unhandled(item);
        }
    }
    found.unwrap_or_else(|| Err(cx.error(node, "needs a Comparison, ComparisonList or BooleanExpression")))
}

/// One `Comparison`, `ComparisonList`, `BooleanExpression` or `CustomAlgorithm` element.
pub fn criteria_element(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, depth: usize) -> Res<Criteria> {
    match local(node) {
        "Comparison" => comparison(cx, node, space).map(Criteria::Compare),
        "ComparisonList" => {
            let mut items = Vec::new();
            let mut failed = None;
            for item in elements(node) {
                if local(item) != "Comparison" {
                    cx.unhandled(item);
                    continue;
                }
                match comparison(cx, item, space) {
                    Ok(comparison) => items.push(Criteria::Compare(comparison)),
                    Err(reported) => failed = Some(reported),
                }
            }
            failed.map_or(Ok(Criteria::All(items)), Err)
        }
        "BooleanExpression" => boolean(cx, node, space, depth),
        _ => Err(cx.unsupported(
            node,
            "a custom algorithm as a match criteria cannot be run by the model; the criteria is dropped",
        )),
    }
}

fn operator(cx: &mut Cx, node: Node<'_, '_>, text: &str) -> Res<ComparisonOp> {
    ComparisonOp::parse(text).ok_or_else(|| cx.error(node, format!("`{text}` is not a comparison operator")))
}

fn comparison(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Comparison> {
    let use_calibrated = cx.flag(node, "useCalibratedValue", true)?;
    let left = resolve_param(cx, node, "parameterRef", space, use_calibrated)?;
    let value = cx.req(node, "value")?;
    let op = match node.attribute("comparisonOperator") {
        None => ComparisonOp::Eq,
        Some(text) => ComparisonOp::parse(text).ok_or_else(|| {
            cx.attr_error(node, "comparisonOperator", format!("`{text}` is not a comparison operator"))
        })?,
    };
    for item in elements(node) {
        cx.unhandled(item);
    }
    Ok(Comparison { left, op, right: Operand::Value(value.to_string()) })
}

fn boolean(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, depth: usize) -> Res<Criteria> {
    if depth >= NESTING_MAX {
        return Err(cx.error(node, format!("boolean expression nested deeper than {NESTING_MAX} levels")));
    }
    let mut items = Vec::new();
    let mut failed = None;
    for item in elements(node) {
        let result = match local(item) {
            "Condition" => condition(cx, item, space).map(Criteria::Compare),
            "ANDedConditions" | "ORedConditions" => boolean(cx, item, space, depth + 1),
            _ => {
                cx.unhandled(item);
                continue;
            }
        };
        match result {
            Ok(criteria) => items.push(criteria),
            Err(reported) => failed = Some(reported),
        }
    }
    if let Some(reported) = failed {
        return Err(reported);
    }
    match local(node) {
        "ORedConditions" => Ok(Criteria::Any(items)),
        "ANDedConditions" => Ok(Criteria::All(items)),
        // A BooleanExpression holds exactly one condition or group.
        _ => {
            match <[Criteria; 1]>::try_from(items) {
                Ok([single]) => Ok(single),
                Err(_) => Err(cx
                    .error(node, "a BooleanExpression holds exactly one Condition, ANDedConditions or ORedConditions")),
            }
        }
    }
}

fn condition(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Comparison> {
    let mut left = None;
    let mut op = None;
    let mut right = None;
    for item in elements(node) {
        match local(item) {
            "ParameterInstanceRef" => {
                let use_calibrated = cx.flag(item, "useCalibratedValue", true)?;
                let param = resolve_param(cx, item, "parameterRef", space, use_calibrated)?;
                if left.is_none() {
                    left = Some(param);
                } else {
                    right = Some(Operand::Parameter(param));
                }
            }
            "ComparisonOperator" => op = Some(operator(cx, item, item.text().unwrap_or_default())?),
            "Value" => right = Some(Operand::Value(item.text().unwrap_or_default().trim().to_string())),
            "ArgumentInstanceRef" => {
                return Err(cx.unsupported(
                    item,
                    "a comparison with a command argument cannot be represented by the model; the condition is dropped",
                ))
            }
            _ => cx.unhandled(item),
        }
    }
    match (left, op, right) {
        (Some(left), Some(op), Some(right)) => Ok(Comparison { left, op, right }),
        _ => Err(cx.error(
            node,
            "a Condition needs a ParameterInstanceRef, a ComparisonOperator and a Value or second ParameterInstanceRef",
        )),
    }
}
