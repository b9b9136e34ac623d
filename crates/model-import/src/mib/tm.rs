//! Monitoring parameters (PCF): each row becomes a parameter and its own parameter type, with
//! its format (PTC/PFC), calibration (PCF_CURTX), unit, validity and default value.

use super::calib::Calibrations;
use super::table::{Col, Row};
use super::types::{self, FormatError};
use super::{Ctx, Tables};
use crate::ItemKind;
use model::{
    Alias, Calibrator, Comparison, ComparisonOp, Criteria, DataSource, DataType, Operand, ParamRef, Parameter,
    QualifiedName, TypeKind,
};
use std::collections::BTreeMap;

/// What other tables need to know about a parameter.
#[derive(Clone, Debug)]
pub(super) struct ParamInfo {
    pub name: QualifiedName,
    /// The fixed size of its raw encoding, when it has one.
    pub size_bits: Option<u32>,
    /// `PCF_CATEG`: `N` numerical, `S` status, `T` textual.
    pub categ: char,
    /// The labels of its textual calibration (status parameters).
    pub labels: Option<Vec<String>>,
}

/// Parameters by their PCF name.
pub(super) type Params = BTreeMap<String, ParamInfo>;

pub(super) const NAME: Col = Col::new(1, "PCF_NAME");
const DESCR: Col = Col::new(2, "PCF_DESCR");
const PID: Col = Col::new(3, "PCF_PID");
const UNIT: Col = Col::new(4, "PCF_UNIT");
const PTC: Col = Col::new(5, "PCF_PTC");
const PFC: Col = Col::new(6, "PCF_PFC");
const WIDTH: Col = Col::new(7, "PCF_WIDTH");
const VALID: Col = Col::new(8, "PCF_VALID");
const RELATED: Col = Col::new(9, "PCF_RELATED");
const CATEG: Col = Col::new(10, "PCF_CATEG");
const NATUR: Col = Col::new(11, "PCF_NATUR");
const CURTX: Col = Col::new(12, "PCF_CURTX");
const INTER: Col = Col::new(13, "PCF_INTER");
const USCON: Col = Col::new(14, "PCF_USCON");
const DECIM: Col = Col::new(15, "PCF_DECIM");
const PARVAL: Col = Col::new(16, "PCF_PARVAL");
const SUBSYS: Col = Col::new(17, "PCF_SUBSYS");
const VALPAR: Col = Col::new(18, "PCF_VALPAR");
const SPTYPE: Col = Col::new(19, "PCF_SPTYPE");
const CORR: Col = Col::new(20, "PCF_CORR");
const OBTID: Col = Col::new(21, "PCF_OBTID");
const DARC: Col = Col::new(22, "PCF_DARC");
const ENDIAN: Col = Col::new(23, "PCF_ENDIAN");
const DESCR2: Col = Col::new(24, "PCF_DESCR2");

/// Reads PCF into parameters and parameter types.
pub(super) fn read(cx: &mut Ctx, tables: &Tables, calibrations: &Calibrations) -> Params {
    let mut params = Params::new();
    let mut validity = Vec::new();
    for row in tables.rows("pcf.dat") {
        let Some(local) = row.name(&mut cx.report, NAME) else {
            continue;
        };
        if params.contains_key(&local) {
            row.error(&mut cx.report, NAME, format!("parameter {local} is defined twice"));
            continue;
        }
        let Some((parameter, data_type, info)) = read_row(cx, row, &local, calibrations) else {
            continue;
        };
        if let Some(valid) = row.opt_name(&mut cx.report, VALID) {
            validity.push((row.clone(), local.clone(), valid));
        }
        let place = row.place(NAME);
        cx.sources.insert(ItemKind::Parameter, parameter.name.clone(), place.clone());
        cx.sources.insert(ItemKind::ParameterType, parameter.name.clone(), place);
        cx.model.parameter_types.insert(parameter.name.clone(), data_type);
        cx.model.parameters.insert(parameter.name.clone(), parameter);
        params.insert(local, info);
    }
    for (row, local, valid) in validity {
        let Some(valid_param) = params.get(&valid) else {
            row.error(&mut cx.report, VALID, format!("no PCF row defines validity parameter {valid}"));
            continue;
        };
        let value: i64 = row.num_or(&mut cx.report, VALPAR, 1).unwrap_or(1);
        let criteria = Criteria::Compare(Comparison {
            left: ParamRef::raw(valid_param.name.clone()),
            op: ComparisonOp::Eq,
            right: Operand::Value(value.to_string()),
        });
        if let Some(parameter) = params.get(&local).and_then(|info| cx.model.parameters.get_mut(&info.name)) {
            parameter.validity = Some(criteria);
        }
    }
    params
}

fn read_row(
    cx: &mut Ctx,
    row: &Row,
    local: &str,
    calibrations: &Calibrations,
) -> Option<(Parameter, DataType, ParamInfo)> {
    let ptc: Option<i64> = row.req_num(&mut cx.report, PTC);
    let pfc: Option<i64> = row.req_num(&mut cx.report, PFC);
    let categ = row.required(&mut cx.report, CATEG).and_then(|_| row.flag(&mut cx.report, CATEG, "NST", 'N'));
    let natur = row.required(&mut cx.report, NATUR).and_then(|_| row.flag(&mut cx.report, NATUR, "RDPHSC", 'R'));
    let endian = row.flag(&mut cx.report, ENDIAN, "BL", 'B');
    let inter = row.flag(&mut cx.report, INTER, "PFNE", 'F');
    let (ptc, pfc, categ, natur, endian, inter) = (ptc?, pfc?, categ?, natur?, endian?, inter?);
    let format = match types::format(ptc, pfc, endian == 'L') {
        Ok(format) => format,
        Err(FormatError::Ptc(why)) => {
            row.error(&mut cx.report, PTC, why);
            return None;
        }
        Err(FormatError::Pfc(why)) => {
            row.error(&mut cx.report, PFC, why);
            return None;
        }
    };
    if let Some(why) = &format.unsupported {
        row.unsupported(&mut cx.report, PTC, why.clone());
    }
    let size_bits = format.encoding.as_ref().and_then(|encoding| encoding.fixed_size_bits());
    let mut data_type = DataType::new(format.kind);
    data_type.encoding = format.encoding;
    data_type.unit = row.text(UNIT).map(str::to_string);
    let mut labels = None;
    if let Some(curtx) = row.opt_name(&mut cx.report, CURTX) {
        labels = calibrate(cx, row, &mut data_type, categ, inter, &curtx, calibrations)?;
    }
    let name = cx.name(local);
    let mut parameter = Parameter {
        name: name.clone(),
        type_ref: name.clone(),
        description: description(row),
        aliases: Vec::new(),
        data_source: data_source(cx, row, natur),
        read_only: false,
        validity: None,
        initial_value: row.text(PARVAL).map(str::to_string),
    };
    if let Some(pid) = row.text(PID) {
        parameter.aliases.push(Alias { namespace: "MIB:PCF_PID".into(), alias: pid.to_string() });
    }
    if natur == 'C' && parameter.initial_value.is_none() {
        row.error(&mut cx.report, PARVAL, "a constant parameter (PCF_NATUR C) needs its value");
    }
    ignore_hints(cx, row, size_bits, ptc);
    Some((parameter, data_type, ParamInfo { name, size_bits, categ, labels }))
}

/// Applies `PCF_CURTX`; returns the labels of a textual calibration.
fn calibrate(
    cx: &mut Ctx,
    row: &Row,
    data_type: &mut DataType,
    categ: char,
    inter: char,
    curtx: &str,
    calibrations: &Calibrations,
) -> Option<Option<Vec<String>>> {
    let numeric_raw = matches!(data_type.kind, TypeKind::Integer { .. } | TypeKind::Float { .. });
    if !numeric_raw {
        row.error(&mut cx.report, CURTX, "only integer and real parameters can be calibrated");
        return None;
    }
    match (categ, calibrations.numeric.get(curtx), calibrations.textual.get(curtx)) {
        ('S', _, Some(Some(values))) => {
            let labels = values.iter().map(|value| value.label.clone()).collect();
            data_type.kind = TypeKind::Enumerated { values: values.clone() };
            Some(Some(labels))
        }
        ('S', _, Some(None)) => Some(None),
        ('N', Some(numeric), _) => {
            let mut calibrator = numeric.calibrator.clone();
            if let (Calibrator::Spline { extrapolate, .. }, Some(_)) = (&mut calibrator, row.text(INTER)) {
                *extrapolate = inter == 'P';
            }
            data_type.kind = match numeric.eng_format {
                'I' => TypeKind::Integer { signed: true, size_bits: 64, valid_range: None },
                'U' => TypeKind::Integer { signed: false, size_bits: 64, valid_range: None },
                _ => TypeKind::Float { size_bits: 64, valid_range: None },
            };
            if data_type.unit.is_none() {
                data_type.unit = numeric.unit.clone();
            }
            data_type.calibrator = Some(calibrator);
            Some(None)
        }
        ('S', _, None) => {
            row.error(&mut cx.report, CURTX, format!("no TXF row defines textual calibration {curtx}"));
            None
        }
        ('N', None, _) => {
            row.error(&mut cx.report, CURTX, format!("no CAF, MCF or LGF row defines calibration {curtx}"));
            None
        }
        _ => {
            row.error(&mut cx.report, CURTX, "a textual parameter (PCF_CATEG T) takes no calibration");
            None
        }
    }
}

fn description(row: &Row) -> Option<String> {
    match (row.text(DESCR), row.text(DESCR2)) {
        (Some(short), Some(long)) => Some(format!("{short}\n{long}")),
        (Some(text), None) | (None, Some(text)) => Some(text.to_string()),
        (None, None) => None,
    }
}

fn data_source(cx: &mut Ctx, row: &Row, natur: char) -> DataSource {
    let (source, why) = match natur {
        'R' => return DataSource::Telemetered,
        'C' => return DataSource::Constant,
        'D' => (DataSource::Derived, "a dynamic OL synthetic parameter: its expression lives outside the MIB tables"),
        'P' => (DataSource::Derived, "a SPEL synthetic parameter: its expression lives outside the MIB tables"),
        'H' => (DataSource::Ground, "a hard-coded synthetic parameter computed inside SCOS-2000"),
        _ => (DataSource::Derived, "a saved synthetic parameter: its source expression lives outside the MIB tables"),
    };
    row.unsupported(&mut cx.report, NATUR, why);
    source
}

/// Fields with no place in the model, listed once per column in the report.
fn ignore_hints(cx: &mut Ctx, row: &Row, size_bits: Option<u32>, ptc: i64) {
    if let (Some(width), Some(size)) = (row.num::<u32>(&mut cx.report, WIDTH), size_bits) {
        if width != size {
            cx.ignore(row, WIDTH, "padded widths of parameters in variable packets are not represented");
        }
    }
    cx.ignore(row, RELATED, "related parameters (of deduced PTC 11 parameters) are not represented");
    if row.text(USCON) == Some("Y") {
        cx.ignore(row, USCON, "the use of PCF_PARVAL as a substitute value is not represented");
    }
    cx.ignore(row, DECIM, "display decimals are not part of the mission model");
    cx.ignore(row, SUBSYS, "subsystem identifiers are not represented");
    cx.ignore(row, SPTYPE, "the SPEL/synthetic parameter type flag is not represented");
    if ptc == 9 && row.text(CORR).is_some_and(|corr| corr != "Y") {
        cx.ignore(row, CORR, "switching off time correlation of times is not represented");
    }
    cx.ignore(row, OBTID, "on-board time identifiers for correlation are not represented");
    if row.text(DARC).is_some_and(|darc| darc != "0") {
        cx.ignore(row, DARC, "archiving flags are not represented");
    }
}
