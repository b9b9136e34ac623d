//! Integer values that sizes, counts, dimensions and positions are given by: `FixedValue`,
//! `DynamicValue` (a parameter with a linear adjustment) or `DiscreteLookupList`.

use super::criteria;
use super::cx::{elements, local, Cx, Res};
use super::names::resolve_param;
use model::{IntegerValue, QualifiedName};
use roxmltree::Node;

/// The integer value given by `FixedValue`, `DynamicValue` or `DiscreteLookupList` inside
/// `node` (or the text of `node` itself when it has no child element).
pub fn integer_value(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<IntegerValue> {
    let mut found = None;
    for item in elements(node) {
        match local(item) {
            "FixedValue" if found.is_none() => found = Some(cx.num_text(item).map(IntegerValue::Fixed)),
            "DynamicValue" | "DiscreteLookupList" if found.is_none() => found = Some(value_of(cx, item, space)),
            _ => cx.unhandled(item),
        }
    }
    match found {
        Some(value) => value,
        None if elements(node).next().is_none() && node.text().is_some_and(|t| !t.trim().is_empty()) => {
            Ok(IntegerValue::Fixed(cx.num_text(node)?))
        }
        None => Err(cx.error(node, "needs FixedValue, DynamicValue or DiscreteLookupList")),
    }
}

/// A `DynamicValue` or `DiscreteLookupList`.
pub fn value_of(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<IntegerValue> {
    if local(node) == "DiscreteLookupList" {
        let mut entries = Vec::new();
        for lookup in elements(node) {
            let value = cx.num(lookup, "value", 0i64)?;
            let criteria = criteria::match_criteria(cx, lookup, space, 0)?;
            entries.push((criteria, value));
        }
        return Ok(IntegerValue::Lookup(entries));
    }
    let mut parameter = None;
    let (mut slope, mut intercept) = (1i64, 0i64);
    for item in elements(node) {
        match local(item) {
            "ParameterInstanceRef" => {
                let calibrated = cx.flag(item, "useCalibratedValue", true)?;
                parameter = Some(resolve_param(cx, item, "parameterRef", space, calibrated)?);
            }
            "ArgumentInstanceRef" => {
                let argument = item.attribute("argumentRef").unwrap_or_default();
                // FIXME: the model's IntegerValue cannot name a command argument; the command
                // encoder takes the size from the value given for this argument instead.
                cx.unsupported(item, format!("a size or count given by command argument `{argument}` cannot be represented; the value's own length is used"));
                return Ok(IntegerValue::Lookup(Vec::new()));
            }
            "LinearAdjustment" => {
                slope = linear(cx, item, "slope", 1)?;
                intercept = linear(cx, item, "intercept", 0)?;
            }
            _ => cx.unhandled(item),
        }
    }
    let parameter = parameter.ok_or_else(|| cx.error(node, "a DynamicValue needs a ParameterInstanceRef"))?;
    Ok(IntegerValue::Dynamic { parameter, slope, intercept })
}

/// A `LinearAdjustment` coefficient: the model keeps integers, so a fraction is unsupported.
fn linear(cx: &mut Cx, node: Node<'_, '_>, attr: &str, default: i64) -> Res<i64> {
    let value: f64 = cx.num(node, attr, default as f64)?;
    if value.fract() != 0.0 || value.abs() > 1e15 {
        return Err(
            cx.unsupported(node, format!("{attr} {value} is not an integer; the model keeps integer adjustments"))
        );
    }
    Ok(value as i64)
}
