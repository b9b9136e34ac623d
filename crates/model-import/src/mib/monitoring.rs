//! Monitoring checks (OCF/OCP): soft limits become warning ranges, hard limits critical
//! ranges, delta checks the alarm's delta, status checks enumeration alarms; checks with
//! `OCP_RLCHK` apply in the context of another parameter's raw value.

use super::table::{Col, Row};
use super::tm::{ParamInfo, Params};
use super::{Ctx, Tables};
use model::{
    Alarm, AlarmLevel, AlarmRanges, Comparison, ComparisonOp, ContextAlarm, Criteria, EnumAlarm, Operand, ParamRef,
    Range,
};
use std::collections::BTreeMap;

const OCF_NAME: Col = Col::new(1, "OCF_NAME");
const OCF_NBCHCK: Col = Col::new(2, "OCF_NBCHCK");
const OCF_NBOOL: Col = Col::new(3, "OCF_NBOOL");
const OCF_INTER: Col = Col::new(4, "OCF_INTER");
const OCF_CODIN: Col = Col::new(5, "OCF_CODIN");
const OCP_NAME: Col = Col::new(1, "OCP_NAME");
const OCP_POS: Col = Col::new(2, "OCP_POS");
const OCP_TYPE: Col = Col::new(3, "OCP_TYPE");
const OCP_LVALU: Col = Col::new(4, "OCP_LVALU");
const OCP_HVALU: Col = Col::new(5, "OCP_HVALU");
const OCP_RLCHK: Col = Col::new(6, "OCP_RLCHK");
const OCP_VALPAR: Col = Col::new(7, "OCP_VALPAR");

/// One OCF row: how the checks of a parameter are done.
struct Checks {
    row: Row,
    min_violations: u32,
    calibrated: bool,
    textual: bool,
    /// OCP rows by position.
    checks: BTreeMap<i64, Row>,
}

/// Reads OCF and OCP into the alarms of the parameters' types.
pub(super) fn read(cx: &mut Ctx, tables: &Tables, params: &Params) {
    let mut by_param: BTreeMap<String, Checks> = BTreeMap::new();
    for row in tables.rows("ocf.dat") {
        let name = row.name(&mut cx.report, OCF_NAME);
        let min_violations: Option<u32> = row.req_num(&mut cx.report, OCF_NBCHCK);
        row.req_num::<u32>(&mut cx.report, OCF_NBOOL);
        let inter =
            row.required(&mut cx.report, OCF_INTER).and_then(|_| row.flag(&mut cx.report, OCF_INTER, "UC", 'U'));
        let codin =
            row.required(&mut cx.report, OCF_CODIN).and_then(|_| row.flag(&mut cx.report, OCF_CODIN, "RIA", 'R'));
        let (Some(name), Some(min_violations), Some(inter), Some(codin)) = (name, min_violations, inter, codin) else {
            continue;
        };
        if !params.contains_key(&name) {
            row.error(&mut cx.report, OCF_NAME, format!("no PCF row defines parameter {name}"));
            continue;
        }
        if by_param.contains_key(&name) {
            row.error(&mut cx.report, OCF_NAME, format!("checks of {name} are defined twice"));
            continue;
        }
        let checks = Checks {
            row: row.clone(),
            min_violations,
            calibrated: inter == 'C',
            textual: codin == 'A',
            checks: BTreeMap::new(),
        };
        by_param.insert(name, checks);
    }
    for row in tables.rows("ocp.dat") {
        let (Some(name), Some(pos)) = (row.name(&mut cx.report, OCP_NAME), row.req_num::<i64>(&mut cx.report, OCP_POS))
        else {
            continue;
        };
        let Some(checks) = by_param.get_mut(&name) else {
            row.error(&mut cx.report, OCP_NAME, format!("no OCF row defines checks of {name}"));
            continue;
        };
        if checks.checks.insert(pos, row.clone()).is_some() {
            row.error(&mut cx.report, OCP_POS, format!("position {pos} of {name} is defined twice"));
        }
    }
    for (name, checks) in by_param {
        let Some(param) = params.get(&name) else {
            continue;
        };
        if let Some(expected) = checks.row.num::<usize>(&mut cx.report, OCF_NBOOL) {
            if expected != checks.checks.len() {
                let message = format!("says {expected} checks but ocp.dat has {}", checks.checks.len());
                checks.row.warning(&mut cx.report, OCF_NBOOL, message);
            }
        }
        apply(cx, params, param, &checks);
    }
}

/// The checks of one context: the rows that share `OCP_RLCHK` and `OCP_VALPAR`.
type Contexts<'a> = Vec<(Option<Criteria>, Vec<&'a Row>)>;

fn apply(cx: &mut Ctx, params: &Params, param: &ParamInfo, checks: &Checks) {
    let mut contexts: Contexts = Vec::new();
    for row in checks.checks.values() {
        let context = match row.opt_name(&mut cx.report, OCP_RLCHK) {
            None => None,
            Some(check) => {
                let Some(check_param) = params.get(&check) else {
                    row.error(&mut cx.report, OCP_RLCHK, format!("no PCF row defines parameter {check}"));
                    continue;
                };
                let Some(value) = row.num_or::<i64>(&mut cx.report, OCP_VALPAR, 1) else {
                    continue;
                };
                Some(Criteria::Compare(Comparison {
                    left: ParamRef::raw(check_param.name.clone()),
                    op: ComparisonOp::Eq,
                    right: Operand::Value(value.to_string()),
                }))
            }
        };
        match contexts.iter_mut().find(|(other, _)| *other == context) {
            Some((_, rows)) => rows.push(row),
            None => contexts.push((context, vec![row])),
        }
    }
    for (context, rows) in contexts {
        let alarm =
            if checks.textual { status_alarm(cx, param, checks, &rows) } else { limit_alarm(cx, checks, &rows) };
        let Some(alarm) = alarm else { continue };
        let Some(data_type) = cx.model.parameter_types.get_mut(&param.name) else {
            continue;
        };
        match context {
            None => data_type.alarm = Some(alarm),
            Some(context) => data_type.context_alarms.push(ContextAlarm { context, alarm }),
        }
    }
}

/// Soft (`S`) and hard (`H`) limits and delta (`D`) checks of a numerical parameter.
fn limit_alarm(cx: &mut Ctx, checks: &Checks, rows: &[&Row]) -> Option<Alarm> {
    let mut ranges = AlarmRanges::default();
    let mut delta = None;
    for row in rows {
        let Some(kind) =
            row.required(&mut cx.report, OCP_TYPE).and_then(|_| row.flag(&mut cx.report, OCP_TYPE, "SHDCE", 'S'))
        else {
            continue;
        };
        let low = row.float(&mut cx.report, OCP_LVALU);
        let high = row.float(&mut cx.report, OCP_HVALU);
        if (row.text(OCP_LVALU).is_some() && low.is_none()) || (row.text(OCP_HVALU).is_some() && high.is_none()) {
            continue;
        }
        let slot = match kind {
            'S' => &mut ranges.warning,
            'H' => &mut ranges.critical,
            'D' => {
                let (Some(low), Some(high)) = (low.or(Some(0.0)), high) else {
                    row.error(&mut cx.report, OCP_HVALU, "a delta check needs its largest change");
                    continue;
                };
                if low != 0.0 && low != -high {
                    row.unsupported(
                        &mut cx.report,
                        OCP_LVALU,
                        "an asymmetric delta range; the model holds one largest change (OCP_HVALU)",
                    );
                }
                delta = Some(high.abs());
                continue;
            }
            _ => {
                unsupported_kind(cx, row, kind);
                continue;
            }
        };
        if low.is_none() && high.is_none() {
            row.error(&mut cx.report, OCP_LVALU, "a limit check needs a low or a high limit");
            continue;
        }
        if let (Some(low), Some(high)) = (low, high) {
            if low > high {
                row.error(&mut cx.report, OCP_HVALU, format!("high limit {high} is below low limit {low}"));
                continue;
            }
        }
        if slot.is_some() {
            row.unsupported(
                &mut cx.report,
                OCP_TYPE,
                "a second range of the same level in one context; the model holds one",
            );
            continue;
        }
        *slot = Some(Range { calibrated: checks.calibrated, ..Range::inclusive(low, high) });
    }
    if ranges == AlarmRanges::default() && delta.is_none() {
        return None;
    }
    Some(Alarm::Ranges { min_violations: checks.min_violations, ranges, delta })
}

/// Status checks of a status parameter: `OCP_LVALU` is an expected status; a value that no
/// soft (hard) row expects is a warning (critical).
fn status_alarm(cx: &mut Ctx, param: &ParamInfo, checks: &Checks, rows: &[&Row]) -> Option<Alarm> {
    if param.categ != 'S' {
        checks.row.error(&mut cx.report, OCF_CODIN, "status checks (A) need a status parameter (PCF_CATEG S)");
        return None;
    }
    let Some(labels) = &param.labels else {
        let why = "status checks of a parameter without a textual calibration (no labels to check)";
        checks.row.unsupported(&mut cx.report, OCF_CODIN, why);
        return None;
    };
    let mut soft: Option<Vec<&str>> = None;
    let mut hard: Option<Vec<&str>> = None;
    for row in rows {
        let Some(kind) =
            row.required(&mut cx.report, OCP_TYPE).and_then(|_| row.flag(&mut cx.report, OCP_TYPE, "SHDCE", 'S'))
        else {
            continue;
        };
        let list = match kind {
            'S' => soft.get_or_insert_with(Vec::new),
            'H' => hard.get_or_insert_with(Vec::new),
            _ => {
                unsupported_kind(cx, row, kind);
                continue;
            }
        };
        let Some(label) = row.required(&mut cx.report, OCP_LVALU) else {
            continue;
        };
        if !labels.iter().any(|known| known == label) {
            row.error(
                &mut cx.report,
                OCP_LVALU,
                format!("{label:?} is not a label of the parameter's textual calibration"),
            );
            continue;
        }
        list.push(label);
    }
    let level_of = |label: &str| {
        if hard.as_ref().is_some_and(|expected| !expected.contains(&label)) {
            AlarmLevel::Critical
        } else if soft.as_ref().is_some_and(|expected| !expected.contains(&label)) {
            AlarmLevel::Warning
        } else {
            AlarmLevel::Normal
        }
    };
    let default_level = if hard.is_some() {
        AlarmLevel::Critical
    } else if soft.is_some() {
        AlarmLevel::Warning
    } else {
        return None;
    };
    let labels = labels
        .iter()
        .map(|label| (label.clone(), level_of(label)))
        .filter(|(_, level)| *level != default_level)
        .collect();
    Some(Alarm::Enumeration { min_violations: checks.min_violations, levels: EnumAlarm { default_level, labels } })
}

fn unsupported_kind(cx: &mut Ctx, row: &Row, kind: char) {
    let why = match kind {
        'C' => "status consistency checks (against the expected status set by commands) are not represented",
        'E' => "event checks are not represented",
        _ => "delta checks of status parameters are not represented",
    };
    row.unsupported(&mut cx.report, OCP_TYPE, why);
}
