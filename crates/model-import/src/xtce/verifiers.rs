//! Verifiers of a command: each XTCE verifier kind becomes a stage, its check a container,
//! criteria, parameter change or (unrunnable) algorithm, and its check window milliseconds.

use super::criteria::{criteria_element, CRITERIA_ELEMENTS};
use super::cx::{child, elements, local, Cx, Res};
use super::names::resolve_attr;
use model::{CheckWindow, ItemKind, QualifiedName, Verifier, VerifierCheck, VerifierStage, WindowAnchor};
use roxmltree::Node;

/// The stage of a verifier element.
fn stage(name: &str) -> Option<VerifierStage> {
    Some(match name {
        "TransferredToRangeVerifier" => VerifierStage::TransferredToRange,
        "SentFromRangeVerifier" => VerifierStage::SentFromRange,
        "ReceivedVerifier" => VerifierStage::Received,
        "AcceptedVerifier" => VerifierStage::Accepted,
        "QueuedVerifier" => VerifierStage::Queued,
        "ExecutionVerifier" => VerifierStage::Execution,
        "CompleteVerifier" => VerifierStage::Complete,
        "FailedVerifier" => VerifierStage::Failed,
        _ => return None,
    })
}

/// The verifiers of a `VerifierSet`; one that cannot be represented is reported and left out.
pub fn verifiers(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Vec<Verifier>> {
    let mut list = Vec::new();
    for item in elements(node) {
        let Some(stage) = stage(local(item)) else {
            cx.unhandled(item);
            continue;
        };
        // A verifier that cannot be represented was reported; the others still count.
        if let Ok(verifier) = verifier(cx, item, space, stage) {
            list.push(verifier);
        }
    }
    Ok(list)
}

fn verifier(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, stage: VerifierStage) -> Res<Verifier> {
    let mut check = None;
    let mut window = None;
    for item in elements(node) {
        match local(item) {
            "ContainerRef" => {
                let container = resolve_attr(cx, item, "containerRef", ItemKind::Container, space)?;
                check = Some(VerifierCheck::Container { container, criteria: None });
            }
            "CustomAlgorithm" => {
                let name = item.attribute("name").unwrap_or("unnamed").to_string();
                cx.unsupported(item, format!("verifier algorithm `{name}` cannot be run by the model; the verifier is kept as an algorithm check that never passes on its own"));
                check = Some(VerifierCheck::Algorithm { name });
            }
            name if CRITERIA_ELEMENTS.contains(&name) => {
                check = Some(VerifierCheck::Criteria(criteria_element(cx, item, space, 0)?));
            }
            "ParameterValueChange" => check = Some(value_change(cx, item, space)?),
            "CheckWindow" => window = Some(check_window(cx, item)?),
            "ReturnParmRef" | "CheckWindowAlgorithms" => {
                cx.unsupported(item, format!("`{}` in a verifier is not supported by the model; ignored", local(item)));
            }
            _ => cx.unhandled(item),
        }
    }
    let Some(check) = check else {
        return Err(cx.error(node, "a verifier needs a ContainerRef, criteria, ParameterValueChange or algorithm"));
    };
    let window = match window {
        Some(window) => window,
        None => {
            cx.warning(node, "a verifier without CheckWindow; it is checked from command release with no time limit");
            CheckWindow { start_ms: 0, stop_ms: u64::MAX, anchor: WindowAnchor::CommandRelease }
        }
    };
    Ok(Verifier { stage, check, window })
}

fn value_change(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<VerifierCheck> {
    let (Some(param), Some(change)) = (child(node, "ParameterRef"), child(node, "Change")) else {
        return Err(cx.error(node, "a ParameterValueChange needs ParameterRef and Change"));
    };
    let parameter = resolve_attr(cx, param, "parameterRef", ItemKind::Parameter, space)?;
    let delta = cx.num(change, "value", 0.0f64)?;
    Ok(VerifierCheck::ParameterChange { parameter, delta })
}

fn check_window(cx: &mut Cx, node: Node<'_, '_>) -> Res<CheckWindow> {
    let start_ms = duration_attr(cx, node, "timeToStartChecking")?.unwrap_or(0);
    let Some(stop_ms) = duration_attr(cx, node, "timeToStopChecking")? else {
        return Err(cx.error(node, "a CheckWindow needs timeToStopChecking"));
    };
    let anchor = match node.attribute("timeWindowIsRelativeTo").map(str::trim) {
        None | Some("commandRelease") => WindowAnchor::CommandRelease,
        Some("timeLastVerifierPassed") => WindowAnchor::LastVerifier,
        Some(other) => {
            return Err(cx.attr_error(
                node,
                "timeWindowIsRelativeTo",
                format!("`{other}` is not commandRelease or timeLastVerifierPassed"),
            ));
        }
    };
    Ok(CheckWindow { start_ms, stop_ms, anchor })
}

/// An `xs:duration` attribute in milliseconds.
pub fn duration_attr(cx: &mut Cx, node: Node<'_, '_>, attr: &str) -> Res<Option<u64>> {
    let Some(text) = node.attribute(attr) else {
        return Ok(None);
    };
    parse_duration_ms(text.trim())
        .map(Some)
        .ok_or_else(|| cx.attr_error(node, attr, format!("`{text}` is not a duration like PT5S")))
}

/// Parses an `xs:duration` without years or months (`PT1.5S`, `P1DT2H`) into milliseconds.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, Some(time)),
        None => (rest, None),
    };
    let mut total = 0.0f64;
    if !days.is_empty() {
        total += days.strip_suffix('D')?.parse::<f64>().ok()? * 86_400_000.0;
    }
    if let Some(mut time) = time {
        if time.is_empty() {
            return None;
        }
        for (unit, ms) in [('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)] {
            if let Some((number, after)) = time.split_once(unit) {
                total += number.parse::<f64>().ok()? * ms;
                time = after;
            }
        }
        if !time.is_empty() {
            return None;
        }
    }
    (0.0..1e18).contains(&total).then_some(total.round() as u64)
}
