//! Command parameters (CPC) into argument types, with their valid ranges (PRF/PRV).

use super::table::{parse_int_radix, Col, Row};
use super::types::{self, FormatError};
use super::{Ctx, Tables};
use crate::ItemKind;
use model::{DataType, QualifiedName, Range, TypeKind};
use std::collections::BTreeMap;

/// What the command tables need to know about a command parameter.
#[derive(Clone, Debug)]
pub(super) struct ArgInfo {
    pub type_ref: QualifiedName,
    pub description: Option<String>,
    pub default: Option<String>,
    /// `CPC_RADIX`: how integer values are written (`D`, `H`, `O`).
    pub radix: char,
    /// The fixed size of its raw encoding, when it has one.
    pub size_bits: Option<u32>,
    /// Whether values in engineering units need a TC calibration (CCA/PAF) the model lacks.
    pub calibrated: bool,
}

/// Command parameters by CPC name.
pub(super) type Args = BTreeMap<String, ArgInfo>;

const PNAME: Col = Col::new(1, "CPC_PNAME");
const DESCR: Col = Col::new(2, "CPC_DESCR");
const PTC: Col = Col::new(3, "CPC_PTC");
const PFC: Col = Col::new(4, "CPC_PFC");
const DISPFMT: Col = Col::new(5, "CPC_DISPFMT");
const RADIX: Col = Col::new(6, "CPC_RADIX");
const UNIT: Col = Col::new(7, "CPC_UNIT");
const CATEG: Col = Col::new(8, "CPC_CATEG");
const PRFREF: Col = Col::new(9, "CPC_PRFREF");
const CCAREF: Col = Col::new(10, "CPC_CCAREF");
const PAFREF: Col = Col::new(11, "CPC_PAFREF");
const INTER: Col = Col::new(12, "CPC_INTER");
const DEFVAL: Col = Col::new(13, "CPC_DEFVAL");
const CORR: Col = Col::new(14, "CPC_CORR");
const OBTID: Col = Col::new(15, "CPC_OBTID");
const DESCR2: Col = Col::new(16, "CPC_DESCR2");
const ENDIAN: Col = Col::new(17, "CPC_ENDIAN");

const PRF_NUMBR: Col = Col::new(1, "PRF_NUMBR");
const PRF_INTER: Col = Col::new(3, "PRF_INTER");
const PRF_DSPFMT: Col = Col::new(4, "PRF_DSPFMT");
const PRF_RADIX: Col = Col::new(5, "PRF_RADIX");
const PRF_NRANGE: Col = Col::new(6, "PRF_NRANGE");
const PRV_NUMBR: Col = Col::new(1, "PRV_NUMBR");
const PRV_MINVAL: Col = Col::new(2, "PRV_MINVAL");
const PRV_MAXVAL: Col = Col::new(3, "PRV_MAXVAL");

/// Reads CPC (and the PRF/PRV ranges it refers to) into argument types.
pub(super) fn read(cx: &mut Ctx, tables: &Tables) -> Args {
    let ranges = read_ranges(cx, tables);
    let mut args = Args::new();
    for row in tables.rows("cpc.dat") {
        let Some(local) = row.name(&mut cx.report, PNAME) else {
            continue;
        };
        if args.contains_key(&local) {
            row.error(&mut cx.report, PNAME, format!("command parameter {local} is defined twice"));
            continue;
        }
        let ptc: Option<i64> = row.req_num(&mut cx.report, PTC);
        let pfc: Option<i64> = row.req_num(&mut cx.report, PFC);
        let radix = row.flag(&mut cx.report, RADIX, "DHO", 'D');
        let endian = row.flag(&mut cx.report, ENDIAN, "BL", 'B');
        let (Some(ptc), Some(pfc), Some(radix), Some(endian)) = (ptc, pfc, radix, endian) else {
            continue;
        };
        let format = match types::format(ptc, pfc, endian == 'L') {
            Ok(format) => format,
            Err(FormatError::Ptc(why)) => {
                row.error(&mut cx.report, PTC, why);
                continue;
            }
            Err(FormatError::Pfc(why)) => {
                row.error(&mut cx.report, PFC, why);
                continue;
            }
        };
        if let Some(why) = &format.unsupported {
            row.unsupported(&mut cx.report, PTC, why.clone());
        }
        let size_bits = format.encoding.as_ref().and_then(|encoding| encoding.fixed_size_bits());
        let mut data_type = DataType::new(format.kind);
        data_type.encoding = format.encoding;
        data_type.unit = row.text(UNIT).map(str::to_string);
        let description = match (row.text(DESCR), row.text(DESCR2)) {
            (Some(short), Some(long)) => Some(format!("{short}\n{long}")),
            (short, long) => short.or(long).map(str::to_string),
        };
        data_type.description = description.clone();
        if let Some(prf) = row.opt_name(&mut cx.report, PRFREF) {
            apply_range(cx, row, &mut data_type, &prf, &ranges);
        }
        let mut calibrated = false;
        for (col, why) in [
            (CCAREF, "numerical TC calibrations (CCA/CCS) are not imported"),
            (PAFREF, "textual TC calibrations (PAF/PAS) are not imported"),
        ] {
            if row.text(col).is_some() {
                row.unsupported(&mut cx.report, col, why);
                calibrated = true;
            }
        }
        cx.ignore(row, DISPFMT, "display formats of command parameters are not part of the mission model");
        if row.text(CATEG).is_some_and(|categ| categ != "N") {
            cx.ignore(row, CATEG, "command/parameter identifier categories are not represented");
        }
        if row.text(INTER) == Some("E") && calibrated {
            row.unsupported(
                &mut cx.report,
                INTER,
                "an engineering default needs the TC calibration the model lacks; kept as written",
            );
        }
        if ptc == 9 && row.text(CORR).is_some_and(|corr| corr != "Y") {
            cx.ignore(row, CORR, "switching off time correlation of times is not represented");
        }
        cx.ignore(row, OBTID, "on-board time identifiers for correlation are not represented");
        let type_ref = cx.name(&local);
        cx.sources.insert(ItemKind::ArgumentType, type_ref.clone(), row.place(PNAME));
        cx.model.argument_types.insert(type_ref.clone(), data_type);
        let default = row.text(DEFVAL).map(str::to_string);
        args.insert(local, ArgInfo { type_ref, description, default, radix, size_bits, calibrated });
    }
    args
}

/// A PRF range set: the first PRV range, the row, and whether its values are engineering.
struct RangeSet {
    row: Row,
    range: Option<Range>,
    textual: bool,
}

fn read_ranges(cx: &mut Ctx, tables: &Tables) -> BTreeMap<String, RangeSet> {
    let mut sets: BTreeMap<String, (RangeSet, char, char, usize)> = BTreeMap::new();
    for row in tables.rows("prf.dat") {
        let Some(id) = row.name(&mut cx.report, PRF_NUMBR) else {
            continue;
        };
        let inter = row.flag(&mut cx.report, PRF_INTER, "RE", 'R');
        let format = row.flag(&mut cx.report, PRF_DSPFMT, "IURATD", 'U');
        let radix = row.flag(&mut cx.report, PRF_RADIX, "DHO", 'D');
        let (Some(inter), Some(format), Some(radix)) = (inter, format, radix) else {
            continue;
        };
        if sets.contains_key(&id) {
            row.error(&mut cx.report, PRF_NUMBR, format!("range set {id} is defined twice"));
            continue;
        }
        let textual = matches!(format, 'A' | 'T' | 'D');
        if textual {
            row.unsupported(&mut cx.report, PRF_DSPFMT, "ranges of text or time values are not represented");
        }
        let range = Some(Range { calibrated: inter == 'E', ..Range::inclusive(None, None) });
        sets.insert(id, (RangeSet { row: row.clone(), range, textual }, format, radix, 0));
    }
    for row in tables.rows("prv.dat") {
        let Some(id) = row.name(&mut cx.report, PRV_NUMBR) else {
            continue;
        };
        let Some((set, format, radix, count)) = sets.get_mut(&id) else {
            row.error(&mut cx.report, PRV_NUMBR, format!("no PRF row defines range set {id}"));
            continue;
        };
        let value = |cx: &mut Ctx, col: Col| -> Option<Option<f64>> {
            let Some(text) = row.text(col) else {
                return Some(None);
            };
            if set.textual {
                return Some(None);
            }
            let value = if *format == 'R' {
                row.float(&mut cx.report, col)
            } else {
                let parsed = parse_int_radix(text, *radix).map(|v| v as f64);
                if parsed.is_none() {
                    row.error(&mut cx.report, col, format!("{text:?} is not an integer in radix {radix}"));
                }
                parsed
            };
            value.map(Some)
        };
        row.required(&mut cx.report, PRV_MINVAL);
        let (Some(min), Some(max)) = (value(cx, PRV_MINVAL), value(cx, PRV_MAXVAL)) else {
            continue;
        };
        *count += 1;
        if set.textual {
            continue;
        }
        if *count > 1 {
            let why = "a second range of one set; the model holds one range per type, so only the first applies";
            row.unsupported(&mut cx.report, PRV_MINVAL, why);
            continue;
        }
        let max = max.or(min);
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                row.error(&mut cx.report, PRV_MAXVAL, format!("{max} is below the minimum {min}"));
                continue;
            }
        }
        if let Some(range) = &mut set.range {
            range.min = min;
            range.max = max;
        }
    }
    let mut result = BTreeMap::new();
    for (id, (mut set, _, _, count)) in sets {
        if let Some(expected) = set.row.num::<usize>(&mut cx.report, PRF_NRANGE) {
            if expected != count {
                set.row.warning(&mut cx.report, PRF_NRANGE, format!("says {expected} ranges but prv.dat has {count}"));
            }
        }
        if count == 0 || set.textual {
            set.range = None;
        }
        result.insert(id, set);
    }
    result
}

fn apply_range(cx: &mut Ctx, row: &Row, data_type: &mut DataType, prf: &str, ranges: &BTreeMap<String, RangeSet>) {
    let Some(set) = ranges.get(prf) else {
        row.error(&mut cx.report, PRFREF, format!("no PRF row defines range set {prf}"));
        return;
    };
    let Some(range) = set.range.clone() else {
        return;
    };
    match &mut data_type.kind {
        TypeKind::Integer { valid_range, .. } | TypeKind::Float { valid_range, .. } => *valid_range = Some(range),
        _ => row.unsupported(&mut cx.report, PRFREF, "valid ranges apply to integer and real arguments only"),
    }
}
