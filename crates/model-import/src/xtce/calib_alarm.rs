//! Calibrators (polynomial, spline, math operation, per context) and alarms (static ranges,
//! enumeration alarms, per context).

use super::algorithms::math_tokens;
use super::criteria::match_criteria;
use super::cx::{child, elements, local, Cx, Res};
use model::{
    Alarm, AlarmLevel, AlarmRanges, Calibrator, ContextAlarm, ContextCalibrator, DataType, EnumAlarm, QualifiedName,
    Range, SplinePoint, TypeKind,
};
use roxmltree::Node;

/// The calibrator inside `node` (a `DefaultCalibrator` or `Calibrator`); `None` when there
/// is none or it could not be read (reported).
pub fn calibrator_in(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Option<Calibrator> {
    let mut found = None;
    for item in elements(node) {
        let calibrator = match local(item) {
            "PolynomialCalibrator" => polynomial(cx, item),
            "SplineCalibrator" => spline(cx, item),
            "MathOperationCalibrator" => {
                math_tokens(cx, item, space).map(|(tokens, _)| Calibrator::MathOperation { tokens })
            }
            _ => {
                cx.unhandled(item);
                continue;
            }
        };
        found = calibrator.ok();
    }
    found
}

fn polynomial(cx: &mut Cx, node: Node<'_, '_>) -> Res<Calibrator> {
    let mut coefficients: Vec<f64> = Vec::new();
    for term in elements(node) {
        if local(term) != "Term" {
            cx.unhandled(term);
            continue;
        }
        let coefficient: f64 = cx.num(term, "coefficient", 0.0)?;
        let exponent: u32 = cx.num(term, "exponent", 0)?;
        let exponent = usize::try_from(exponent).unwrap_or(usize::MAX);
        if exponent > 32 {
            return Err(cx.attr_error(term, "exponent", "exponents above 32 are not supported"));
        }
        if coefficients.len() <= exponent {
            coefficients.resize(exponent + 1, 0.0);
        }
        if let Some(slot) = coefficients.get_mut(exponent) {
            *slot += coefficient;
        }
    }
    Ok(Calibrator::Polynomial { coefficients })
}

fn spline(cx: &mut Cx, node: Node<'_, '_>) -> Res<Calibrator> {
    let order: u8 = cx.num(node, "order", 1)?;
    let extrapolate = cx.flag(node, "extrapolate", false)?;
    if order > 1 {
        cx.unsupported(node, format!("spline order {order} is interpolated linearly by the model"));
    }
    let mut points = Vec::new();
    for point in elements(node) {
        if local(point) != "SplinePoint" {
            cx.unhandled(point);
            continue;
        }
        let raw = cx.num(point, "raw", 0.0)?;
        let calibrated = cx.num(point, "calibrated", 0.0)?;
        points.push(SplinePoint { raw, calibrated });
    }
    points.sort_by(|a, b| a.raw.total_cmp(&b.raw));
    Ok(Calibrator::Spline { order: order.min(1), extrapolate, points })
}

/// A `ContextCalibratorList`; a context calibrator that cannot be read is reported and left out.
pub fn context_calibrators(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Vec<ContextCalibrator> {
    let mut list = Vec::new();
    for item in elements(node) {
        if local(item) != "ContextCalibrator" {
            cx.unhandled(item);
            continue;
        }
        let Ok(context) = context_match(cx, item, space) else {
            continue;
        };
        let Some(calibrator_node) = child(item, "Calibrator") else {
            cx.error(item, "a ContextCalibrator needs a Calibrator");
            continue;
        };
        if let Some(calibrator) = calibrator_in(cx, calibrator_node, space) {
            list.push(ContextCalibrator { context, calibrator });
        }
    }
    list
}

fn context_match(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<model::Criteria> {
    let Some(context) = child(node, "ContextMatch") else {
        return Err(cx.error(node, "needs a ContextMatch"));
    };
    for item in elements(node) {
        if !matches!(local(item), "ContextMatch" | "Calibrator" | "StaticAlarmRanges" | "EnumerationAlarmList") {
            cx.unhandled(item);
        }
    }
    match_criteria(cx, context, space, 0)
}

/// A range from `minInclusive`/`minExclusive`/`maxInclusive`/`maxExclusive`.
pub fn range(cx: &mut Cx, node: Node<'_, '_>) -> Res<Range> {
    let min_inclusive: Option<f64> = cx.opt_num(node, "minInclusive")?;
    let min_exclusive: Option<f64> = cx.opt_num(node, "minExclusive")?;
    let max_inclusive: Option<f64> = cx.opt_num(node, "maxInclusive")?;
    let max_exclusive: Option<f64> = cx.opt_num(node, "maxExclusive")?;
    Ok(Range {
        min: min_inclusive.or(min_exclusive),
        max: max_inclusive.or(max_exclusive),
        min_inclusive: min_exclusive.is_none(),
        max_inclusive: max_exclusive.is_none(),
        calibrated: true,
    })
}

/// A `DefaultAlarm` of a numeric or enumerated type.
pub fn default_alarm(cx: &mut Cx, node: Node<'_, '_>, data_type: &mut DataType) -> Res<()> {
    let enumerated = matches!(data_type.kind, TypeKind::Enumerated { .. });
    data_type.alarm = alarm(cx, node, enumerated)?;
    Ok(())
}

/// A `ContextAlarmList`.
pub fn context_alarms(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, data_type: &mut DataType) -> Res<()> {
    let enumerated = matches!(data_type.kind, TypeKind::Enumerated { .. });
    let mut list = Vec::new();
    for item in elements(node) {
        if local(item) != "ContextAlarm" {
            cx.unhandled(item);
            continue;
        }
        let context = context_match(cx, item, space)?;
        if let Some(alarm) = alarm(cx, item, enumerated)? {
            list.push(ContextAlarm { context, alarm });
        }
    }
    data_type.context_alarms = list;
    Ok(())
}

fn alarm(cx: &mut Cx, node: Node<'_, '_>, enumerated: bool) -> Res<Option<Alarm>> {
    let min_violations = cx.num(node, "minViolations", 1u32)?;
    let mut found = None;
    for item in elements(node) {
        match local(item) {
            "StaticAlarmRanges" if !enumerated => {
                let ranges = static_ranges(cx, item)?;
                found = Some(Alarm::Ranges { min_violations, ranges, delta: None });
            }
            "EnumerationAlarmList" if enumerated => {
                let default_level = match node.attribute("defaultAlarmLevel") {
                    None => AlarmLevel::Normal,
                    Some(text) => level(cx, node, "defaultAlarmLevel", text)?,
                };
                let levels = enum_alarms(cx, item, default_level)?;
                found = Some(Alarm::Enumeration { min_violations, levels });
            }
            "ContextMatch" => {}
            "AlarmConditions" | "CustomAlarm" | "ChangeAlarmRanges" | "AlarmMultiRanges" | "RateAlarm" => {
                cx.unsupported(item, format!("`{}` alarms are not supported by the model; ignored", local(item)));
            }
            _ => cx.unhandled(item),
        }
    }
    Ok(found)
}

fn level(cx: &mut Cx, node: Node<'_, '_>, attr: &str, text: &str) -> Res<AlarmLevel> {
    AlarmLevel::parse(text).ok_or_else(|| cx.attr_error(node, attr, format!("`{text}` is not an alarm level")))
}

fn static_ranges(cx: &mut Cx, node: Node<'_, '_>) -> Res<AlarmRanges> {
    if node.attribute("rangeForm").map(str::trim) == Some("inside") {
        let message = "alarm ranges of form `inside` (alarm inside the range) are not supported by the model; ignored";
        return Err(cx.unsupported(node, message));
    }
    let mut ranges = AlarmRanges::default();
    for item in elements(node) {
        let slot = match local(item) {
            "WatchRange" => &mut ranges.watch,
            "WarningRange" => &mut ranges.warning,
            "DistressRange" => &mut ranges.distress,
            "CriticalRange" => &mut ranges.critical,
            "SevereRange" => &mut ranges.severe,
            _ => {
                cx.unhandled(item);
                continue;
            }
        };
        *slot = Some(range(cx, item)?);
    }
    if node.attribute("applyTo").is_some_and(|apply| apply.trim() == "raw") {
        for range in
            [&mut ranges.watch, &mut ranges.warning, &mut ranges.distress, &mut ranges.critical, &mut ranges.severe]
                .into_iter()
                .flatten()
        {
            range.calibrated = false;
        }
    }
    Ok(ranges)
}

fn enum_alarms(cx: &mut Cx, node: Node<'_, '_>, default_level: AlarmLevel) -> Res<EnumAlarm> {
    let mut labels = Vec::new();
    for item in elements(node) {
        if local(item) != "EnumerationAlarm" {
            cx.unhandled(item);
            continue;
        }
        let label = cx.req(item, "enumerationLabel")?;
        let text = cx.req(item, "alarmLevel")?;
        labels.push((label.to_string(), level(cx, item, "alarmLevel", text)?));
    }
    Ok(EnumAlarm { default_level, labels })
}
