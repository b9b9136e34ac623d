//! Calibrations: numerical curves (CAF/CAP), textual calibrations (TXF/TXP), polynomials
//! (MCF), logarithmic curves (LGF), and context-dependent calibrations (CUR).

use super::table::{Col, Row};
use super::tm::Params;
use super::{Ctx, Tables};
use model::{Calibrator, ComparisonOp, Criteria, EnumValue, ParamRef, SplinePoint, TypeKind};
use std::collections::BTreeMap;

/// A numerical calibration by its identifier.
#[derive(Clone, Debug)]
pub(super) struct Numeric {
    pub calibrator: Calibrator,
    /// The engineering format: `I` signed, `U` unsigned, `R` real.
    pub eng_format: char,
    pub unit: Option<String>,
    pub table: &'static str,
}

/// Every calibration of the MIB, by identifier.
#[derive(Clone, Debug, Default)]
pub(super) struct Calibrations {
    pub numeric: BTreeMap<String, Numeric>,
    /// Textual calibrations: the enumeration values, or `None` when they cannot be held.
    pub textual: BTreeMap<String, Option<Vec<EnumValue>>>,
}

mod caf {
    use super::Col;
    pub const NUMBR: Col = Col::new(1, "CAF_NUMBR");
    pub const ENGFMT: Col = Col::new(3, "CAF_ENGFMT");
    pub const RAWFMT: Col = Col::new(4, "CAF_RAWFMT");
    pub const RADIX: Col = Col::new(5, "CAF_RADIX");
    pub const UNIT: Col = Col::new(6, "CAF_UNIT");
    pub const NCURVE: Col = Col::new(7, "CAF_NCURVE");
    pub const INTER: Col = Col::new(8, "CAF_INTER");
}

mod cap {
    use super::Col;
    pub const NUMBR: Col = Col::new(1, "CAP_NUMBR");
    pub const XVALS: Col = Col::new(2, "CAP_XVALS");
    pub const YVALS: Col = Col::new(3, "CAP_YVALS");
}

mod txf {
    use super::Col;
    pub const NUMBR: Col = Col::new(1, "TXF_NUMBR");
    pub const RAWFMT: Col = Col::new(3, "TXF_RAWFMT");
    pub const NALIAS: Col = Col::new(4, "TXF_NALIAS");
}

mod txp {
    use super::Col;
    pub const NUMBR: Col = Col::new(1, "TXP_NUMBR");
    pub const FROM: Col = Col::new(2, "TXP_FROM");
    pub const TO: Col = Col::new(3, "TXP_TO");
    pub const ALTXT: Col = Col::new(4, "TXP_ALTXT");
}

mod cur {
    use super::Col;
    pub const PNAME: Col = Col::new(1, "CUR_PNAME");
    pub const POS: Col = Col::new(2, "CUR_POS");
    pub const RLCHK: Col = Col::new(3, "CUR_RLCHK");
    pub const VALPAR: Col = Col::new(4, "CUR_VALPAR");
    pub const SELECT: Col = Col::new(5, "CUR_SELECT");
}

/// Reads every calibration table.
pub(super) fn read(cx: &mut Ctx, tables: &Tables) -> Calibrations {
    let mut calibrations = Calibrations::default();
    read_curves(cx, tables, &mut calibrations);
    read_coefficients(cx, tables, "mcf.dat", "MCF", &mut calibrations);
    read_coefficients(cx, tables, "lgf.dat", "LGF", &mut calibrations);
    read_textual(cx, tables, &mut calibrations);
    calibrations
}

struct Curve {
    row: Row,
    raw_format: char,
    radix: char,
    points: Vec<SplinePoint>,
}

fn read_curves(cx: &mut Ctx, tables: &Tables, calibrations: &mut Calibrations) {
    let mut curves: BTreeMap<String, Curve> = BTreeMap::new();
    let mut heads = Vec::new();
    for row in tables.rows("caf.dat") {
        let Some(id) = row.name(&mut cx.report, caf::NUMBR) else {
            continue;
        };
        let eng_format = row.flag(&mut cx.report, caf::ENGFMT, "IUR", 'R');
        let raw_format = row.flag(&mut cx.report, caf::RAWFMT, "IUR", 'U');
        let radix = row.flag(&mut cx.report, caf::RADIX, "DHO", 'D');
        let extrapolate = row.flag(&mut cx.report, caf::INTER, "PF", 'F');
        let (Some(eng_format), Some(raw_format), Some(radix), Some(extrapolate)) =
            (eng_format, raw_format, radix, extrapolate)
        else {
            continue;
        };
        if curves.contains_key(&id) || calibrations.numeric.contains_key(&id) {
            row.error(&mut cx.report, caf::NUMBR, format!("calibration {id} is defined twice"));
            continue;
        }
        curves.insert(id.clone(), Curve { row: row.clone(), raw_format, radix, points: Vec::new() });
        heads.push((id, eng_format, extrapolate == 'P', row.text(caf::UNIT).map(str::to_string)));
    }
    for row in tables.rows("cap.dat") {
        let Some(id) = row.name(&mut cx.report, cap::NUMBR) else {
            continue;
        };
        let Some(curve) = curves.get_mut(&id) else {
            row.error(&mut cx.report, cap::NUMBR, format!("no CAF row defines calibration {id}"));
            continue;
        };
        let raw = match row.required(&mut cx.report, cap::XVALS) {
            None => None,
            Some(_) if curve.raw_format == 'R' => row.float(&mut cx.report, cap::XVALS),
            Some(text) => match super::table::parse_int_radix(text, curve.radix) {
                Some(value) => Some(value as f64),
                None => {
                    row.error(
                        &mut cx.report,
                        cap::XVALS,
                        format!("{text:?} is not an integer in radix {}", curve.radix),
                    );
                    None
                }
            },
        };
        let calibrated = row.req_float(&mut cx.report, cap::YVALS);
        let (Some(raw), Some(calibrated)) = (raw, calibrated) else {
            continue;
        };
        if curve.points.iter().any(|point| point.raw == raw) {
            row.error(&mut cx.report, cap::XVALS, format!("raw value {raw} appears twice in calibration {id}"));
            continue;
        }
        curve.points.push(SplinePoint { raw, calibrated });
    }
    for (id, eng_format, extrapolate, unit) in heads {
        let Some(mut curve) = curves.remove(&id) else {
            continue;
        };
        if curve.points.len() < 2 {
            let message = format!("calibration {id} has {} CAP points; it needs at least 2", curve.points.len());
            curve.row.error(&mut cx.report, caf::NUMBR, message);
            continue;
        }
        if let Some(expected) = curve.row.num::<usize>(&mut cx.report, caf::NCURVE) {
            if expected != curve.points.len() {
                let message = format!("says {expected} points but cap.dat has {}", curve.points.len());
                curve.row.warning(&mut cx.report, caf::NCURVE, message);
            }
        }
        curve.points.sort_by(|a, b| a.raw.total_cmp(&b.raw));
        let calibrator = Calibrator::Spline { order: 1, extrapolate, points: curve.points };
        calibrations.numeric.insert(id, Numeric { calibrator, eng_format, unit, table: "caf.dat" });
    }
}

/// MCF (polynomial) and LGF (logarithmic): an identifier, a description, five coefficients.
fn read_coefficients(
    cx: &mut Ctx,
    tables: &Tables,
    table: &'static str,
    prefix: &str,
    calibrations: &mut Calibrations,
) {
    let ident = Col::new(1, if prefix == "MCF" { "MCF_IDENT" } else { "LGF_IDENT" });
    const MCF_POL: [&str; 5] = ["MCF_POL1", "MCF_POL2", "MCF_POL3", "MCF_POL4", "MCF_POL5"];
    const LGF_POL: [&str; 5] = ["LGF_POL1", "LGF_POL2", "LGF_POL3", "LGF_POL4", "LGF_POL5"];
    let names = if prefix == "MCF" { MCF_POL } else { LGF_POL };
    for row in tables.rows(table) {
        let Some(id) = row.name(&mut cx.report, ident) else {
            continue;
        };
        let mut coefficients = [0.0; 5];
        let mut ok = true;
        for (idx, name) in names.iter().enumerate() {
            let col = Col::new(3 + idx as u32, name);
            let value = if idx == 0 {
                row.req_float(&mut cx.report, col)
            } else if row.text(col).is_none() {
                Some(0.0)
            } else {
                row.float(&mut cx.report, col)
            };
            match value {
                Some(value) => coefficients[idx] = value,
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        if let Some(other) = calibrations.numeric.get(&id) {
            let message = format!("calibration {id} is already defined in {}", other.table);
            row.error(&mut cx.report, ident, message);
            continue;
        }
        let calibrator = if prefix == "MCF" {
            Calibrator::Polynomial { coefficients: coefficients.to_vec() }
        } else {
            Calibrator::Logarithmic { coefficients }
        };
        calibrations.numeric.insert(id, Numeric { calibrator, eng_format: 'R', unit: None, table });
    }
}

fn read_textual(cx: &mut Ctx, tables: &Tables, calibrations: &mut Calibrations) {
    let mut heads: BTreeMap<String, (Row, char)> = BTreeMap::new();
    for row in tables.rows("txf.dat") {
        let Some(id) = row.name(&mut cx.report, txf::NUMBR) else {
            continue;
        };
        let Some(raw_format) = row.flag(&mut cx.report, txf::RAWFMT, "IUR", 'U') else {
            continue;
        };
        if heads.contains_key(&id) {
            row.error(&mut cx.report, txf::NUMBR, format!("textual calibration {id} is defined twice"));
            continue;
        }
        if raw_format == 'R' {
            let why = "ranges of real raw values; the model's enumerations hold integers";
            row.unsupported(&mut cx.report, txf::RAWFMT, why);
        }
        heads.insert(id, (row.clone(), raw_format));
    }
    let mut values: BTreeMap<String, Vec<EnumValue>> = BTreeMap::new();
    for row in tables.rows("txp.dat") {
        let Some(id) = row.name(&mut cx.report, txp::NUMBR) else {
            continue;
        };
        let Some((_, raw_format)) = heads.get(&id) else {
            row.error(&mut cx.report, txp::NUMBR, format!("no TXF row defines textual calibration {id}"));
            continue;
        };
        let label = row.required(&mut cx.report, txp::ALTXT).map(str::to_string);
        if *raw_format == 'R' {
            row.req_float(&mut cx.report, txp::FROM);
            row.req_float(&mut cx.report, txp::TO);
            continue;
        }
        let from: Option<i64> = row.req_num(&mut cx.report, txp::FROM);
        let to: Option<i64> = row.req_num(&mut cx.report, txp::TO);
        let (Some(from), Some(to), Some(label)) = (from, to, label) else {
            continue;
        };
        if to < from {
            row.error(&mut cx.report, txp::TO, format!("range {from}..{to} is empty"));
            continue;
        }
        let list = values.entry(id.clone()).or_default();
        if list.iter().any(|v| from <= v.max.unwrap_or(v.value) && v.value <= to) {
            row.error(&mut cx.report, txp::FROM, format!("range {from}..{to} overlaps another range of {id}"));
            continue;
        }
        list.push(EnumValue { value: from, max: (to != from).then_some(to), label, description: None });
    }
    for (id, (row, raw_format)) in heads {
        let list = values.remove(&id).unwrap_or_default();
        if let Some(expected) = row.num::<usize>(&mut cx.report, txf::NALIAS) {
            if raw_format != 'R' && expected != list.len() {
                row.warning(
                    &mut cx.report,
                    txf::NALIAS,
                    format!("says {expected} values but txp.dat has {}", list.len()),
                );
            }
        }
        calibrations.textual.insert(id, (raw_format != 'R').then_some(list));
    }
}

/// Reads CUR: calibrations chosen by another parameter's raw value, in `CUR_POS` order.
pub(super) fn read_context(cx: &mut Ctx, tables: &Tables, calibrations: &Calibrations, params: &Params) {
    let mut by_param: BTreeMap<String, Vec<(i64, Row, model::ContextCalibrator)>> = BTreeMap::new();
    for row in tables.rows("cur.dat") {
        let name = row.name(&mut cx.report, cur::PNAME);
        let pos: Option<i64> = row.req_num(&mut cx.report, cur::POS);
        let check = row.name(&mut cx.report, cur::RLCHK);
        let value: Option<i64> = row.req_num(&mut cx.report, cur::VALPAR);
        let select = row.name(&mut cx.report, cur::SELECT);
        let (Some(name), Some(pos), Some(check), Some(value), Some(select)) = (name, pos, check, value, select) else {
            continue;
        };
        if !params.contains_key(&name) {
            row.error(&mut cx.report, cur::PNAME, format!("no PCF row defines parameter {name}"));
            continue;
        }
        let Some(check_param) = params.get(&check) else {
            row.error(&mut cx.report, cur::RLCHK, format!("no PCF row defines parameter {check}"));
            continue;
        };
        let calibrator = match calibrations.numeric.get(&select) {
            Some(numeric) => numeric.calibrator.clone(),
            None if calibrations.textual.contains_key(&select) => {
                let why = format!("textual calibration {select} chosen by context; the model's enumerations cannot change with context");
                row.unsupported(&mut cx.report, cur::SELECT, why);
                continue;
            }
            None => {
                row.error(&mut cx.report, cur::SELECT, format!("no CAF, MCF or LGF row defines calibration {select}"));
                continue;
            }
        };
        let context = Criteria::Compare(model::Comparison {
            left: ParamRef::raw(check_param.name.clone()),
            op: ComparisonOp::Eq,
            right: model::Operand::Value(value.to_string()),
        });
        let list = by_param.entry(name).or_default();
        if list.iter().any(|(other, _, _)| *other == pos) {
            row.error(&mut cx.report, cur::POS, format!("position {pos} appears twice"));
            continue;
        }
        list.push((pos, row.clone(), model::ContextCalibrator { context, calibrator }));
    }
    for (name, mut list) in by_param {
        list.sort_by_key(|(pos, _, _)| *pos);
        let Some(param) = params.get(&name) else {
            continue;
        };
        let Some(data_type) = cx.model.parameter_types.get_mut(&param.name) else {
            continue;
        };
        if let TypeKind::Integer { .. } = data_type.kind {
            data_type.kind = TypeKind::Float { size_bits: 64, valid_range: None };
        }
        data_type.context_calibrators.extend(list.into_iter().map(|(_, _, calibrator)| calibrator));
    }
}
