//! Command verification (CVS/CVE/CVP): each stage becomes a verifier of the commands that
//! use it, checked by a PUS service 1 report (`CVS_SOURCE` R) or by telemetry values (V).

use super::packets::Packets;
use super::table::{Col, Row};
use super::tc::Commands;
use super::tm::Params;
use super::{Ctx, Tables};
use model::{
    CheckWindow, Comparison, ComparisonOp, Criteria, Operand, ParamRef, QualifiedName, Verifier, VerifierCheck,
    VerifierStage, WindowAnchor,
};
use std::collections::BTreeMap;

const CVS_ID: Col = Col::new(1, "CVS_ID");
const CVS_TYPE: Col = Col::new(2, "CVS_TYPE");
const CVS_SOURCE: Col = Col::new(3, "CVS_SOURCE");
const CVS_START: Col = Col::new(4, "CVS_START");
const CVS_INTERVAL: Col = Col::new(5, "CVS_INTERVAL");
const CVS_SPID: Col = Col::new(6, "CVS_SPID");
const CVS_UNCERTAINTY: Col = Col::new(7, "CVS_UNCERTAINTY");
const CVE_CVSID: Col = Col::new(1, "CVE_CVSID");
const CVE_PARNAM: Col = Col::new(2, "CVE_PARNAM");
const CVE_INTER: Col = Col::new(3, "CVE_INTER");
const CVE_VAL: Col = Col::new(4, "CVE_VAL");
const CVE_TOL: Col = Col::new(5, "CVE_TOL");
const CVE_CHECK: Col = Col::new(6, "CVE_CHECK");
const CVP_TASK: Col = Col::new(1, "CVP_TASK");
const CVP_TYPE: Col = Col::new(2, "CVP_TYPE");
const CVP_CVSID: Col = Col::new(3, "CVP_CVSID");

/// One verification stage (CVS row).
struct Stage {
    row: Row,
    stage: VerifierStage,
    /// The PUS 1 subtype of the success report of this stage.
    report_subtype: u8,
    window: CheckWindow,
    /// `Some` for a report stage with `CVS_SPID`; `None` for a report stage without it.
    packet: Option<QualifiedName>,
    /// The telemetry checks of a `V` stage.
    checks: Option<Vec<Criteria>>,
}

/// Reads the verification tables into the verifiers of the commands.
pub(super) fn read(cx: &mut Ctx, tables: &Tables, params: &Params, packets: &Packets, commands: &Commands) {
    let mut stages = read_cvs(cx, tables, packets);
    read_cve(cx, tables, params, &mut stages);
    for stage in stages.values() {
        if stage.checks.as_ref().is_some_and(Vec::is_empty) {
            stage.row.error(&mut cx.report, CVS_SOURCE, "a stage verified by telemetry (V) has no CVE rows");
        }
    }
    let mut seen = BTreeMap::new();
    for row in tables.rows("cvp.dat") {
        let task = row.name(&mut cx.report, CVP_TASK);
        let kind = row.flag(&mut cx.report, CVP_TYPE, "CS", 'C');
        let id: Option<u32> = row.req_num(&mut cx.report, CVP_CVSID);
        let (Some(task), Some(kind), Some(id)) = (task, kind, id) else {
            continue;
        };
        if kind == 'S' {
            row.unsupported(&mut cx.report, CVP_TYPE, "verification of command sequences is not represented");
            continue;
        }
        let Some(command) = commands.get(&task) else {
            row.error(&mut cx.report, CVP_TASK, format!("no CCF row defines command {task}"));
            continue;
        };
        let Some(stage) = stages.get(&id) else {
            row.error(&mut cx.report, CVP_CVSID, format!("no CVS row defines verification stage {id}"));
            continue;
        };
        if seen.insert((task.clone(), id), ()).is_some() {
            row.error(&mut cx.report, CVP_CVSID, format!("stage {id} is given twice for {task}"));
            continue;
        }
        let Some(check) = check(cx, row, stage, command) else {
            continue;
        };
        let verifier = Verifier { stage: stage.stage, check, window: stage.window.clone() };
        if let Some(command) = cx.model.commands.get_mut(command) {
            command.verifiers.push(verifier);
        }
    }
}

fn read_cvs(cx: &mut Ctx, tables: &Tables, packets: &Packets) -> BTreeMap<u32, Stage> {
    let mut stages = BTreeMap::new();
    for row in tables.rows("cvs.dat") {
        let id: Option<u32> = row.req_num(&mut cx.report, CVS_ID);
        let kind = row.required(&mut cx.report, CVS_TYPE).and_then(|_| row.flag(&mut cx.report, CVS_TYPE, "ASPC", 'A'));
        let source =
            row.required(&mut cx.report, CVS_SOURCE).and_then(|_| row.flag(&mut cx.report, CVS_SOURCE, "RV", 'R'));
        let start: Option<u64> = row.req_num(&mut cx.report, CVS_START);
        let interval: Option<u64> = row.req_num(&mut cx.report, CVS_INTERVAL);
        let spid: Option<u32> = row.num(&mut cx.report, CVS_SPID);
        let (Some(id), Some(kind), Some(source), Some(start), Some(interval)) = (id, kind, source, start, interval)
        else {
            continue;
        };
        let (stage, report_subtype) = match kind {
            'A' => (VerifierStage::Accepted, 1),
            'S' => (VerifierStage::Execution, 3),
            'P' => (VerifierStage::Execution, 5),
            _ => (VerifierStage::Complete, 7),
        };
        let (Some(start_ms), Some(stop_ms)) =
            (start.checked_mul(1000), start.checked_add(interval).and_then(|stop| stop.checked_mul(1000)))
        else {
            row.error(&mut cx.report, CVS_INTERVAL, "the check window is too long");
            continue;
        };
        let packet = match spid {
            None => None,
            Some(spid) => match packets.by_spid.get(&spid) {
                Some(name) => Some(name.clone()),
                None => {
                    row.error(&mut cx.report, CVS_SPID, format!("no PID row defines SPID {spid}"));
                    continue;
                }
            },
        };
        cx.ignore(row, CVS_UNCERTAINTY, "the uncertainty of check windows is not represented");
        let window = CheckWindow { start_ms, stop_ms, anchor: WindowAnchor::CommandRelease };
        let checks = (source == 'V').then(Vec::new);
        let stage = Stage { row: row.clone(), stage, report_subtype, window, packet, checks };
        if stages.insert(id, stage).is_some() {
            row.error(&mut cx.report, CVS_ID, format!("verification stage {id} is defined twice"));
        }
    }
    stages
}

fn read_cve(cx: &mut Ctx, tables: &Tables, params: &Params, stages: &mut BTreeMap<u32, Stage>) {
    for row in tables.rows("cve.dat") {
        let id: Option<u32> = row.req_num(&mut cx.report, CVE_CVSID);
        let name = row.name(&mut cx.report, CVE_PARNAM);
        let inter = row.flag(&mut cx.report, CVE_INTER, "RE", 'R');
        let value = row.required(&mut cx.report, CVE_VAL).map(str::to_string);
        let tolerance = row.float(&mut cx.report, CVE_TOL);
        let (Some(id), Some(name), Some(inter), Some(value)) = (id, name, inter, value) else {
            continue;
        };
        if row.text(CVE_TOL).is_some() && tolerance.is_none() {
            continue;
        }
        let Some(param) = params.get(&name) else {
            row.error(&mut cx.report, CVE_PARNAM, format!("no PCF row defines parameter {name}"));
            continue;
        };
        let Some(stage) = stages.get_mut(&id) else {
            row.error(&mut cx.report, CVE_CVSID, format!("no CVS row defines verification stage {id}"));
            continue;
        };
        let Some(checks) = &mut stage.checks else {
            row.error(
                &mut cx.report,
                CVE_CVSID,
                format!("stage {id} is verified by a report (CVS_SOURCE R), not by telemetry"),
            );
            continue;
        };
        cx.ignore(row, CVE_CHECK, "the CVE check kind flag is not represented; values are compared");
        let left = ParamRef { use_calibrated: inter == 'E', ..ParamRef::raw(param.name.clone()) };
        let compare =
            |op, right: String| Criteria::Compare(Comparison { left: left.clone(), op, right: Operand::Value(right) });
        let criteria = match tolerance {
            None => compare(ComparisonOp::Eq, value),
            Some(tolerance) => {
                let Some(center) = row.float(&mut cx.report, CVE_VAL) else {
                    continue;
                };
                Criteria::All(vec![
                    compare(ComparisonOp::Ge, (center - tolerance.abs()).to_string()),
                    compare(ComparisonOp::Le, (center + tolerance.abs()).to_string()),
                ])
            }
        };
        checks.push(criteria);
    }
}

/// What a stage checks for one command.
fn check(cx: &mut Ctx, row: &Row, stage: &Stage, command: &QualifiedName) -> Option<VerifierCheck> {
    if let Some(checks) = &stage.checks {
        let criteria = match checks.as_slice() {
            [single] => single.clone(),
            _ => Criteria::All(checks.clone()),
        };
        return Some(VerifierCheck::Criteria(criteria));
    }
    if let Some(packet) = &stage.packet {
        return Some(VerifierCheck::Container { container: packet.clone(), criteria: None });
    }
    let apid = cx.model.commands.get(command).and_then(|command| command.pus.as_ref()).map(|pus| pus.apid);
    let reports: Vec<(&QualifiedName, u16)> = cx
        .model
        .containers
        .values()
        .filter_map(|container| container.pus.as_ref().map(|pus| (&container.name, pus)))
        .filter(|(_, pus)| pus.service == 1 && pus.subtype == stage.report_subtype)
        .map(|(name, pus)| (name, pus.apid))
        .collect();
    let chosen = reports.iter().find(|(_, report_apid)| Some(*report_apid) == apid).or(match reports.as_slice() {
        [only] => Some(only),
        _ => None,
    });
    match chosen {
        Some((container, _)) => Some(VerifierCheck::Container { container: (*container).clone(), criteria: None }),
        None => {
            let why = format!(
                "no single TM(1,{}) report packet to verify against (set CVS_SPID); the verifier is left out",
                stage.report_subtype
            );
            row.unsupported(&mut cx.report, CVP_CVSID, why);
            None
        }
    }
}
