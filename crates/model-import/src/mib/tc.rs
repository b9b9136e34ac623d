//! Commands (CCF) and their elements (CDF): fixed values, editable arguments of a CPC type,
//! spare areas, and group repeaters.

use super::args::{self, ArgInfo, Args};
use super::fixed::{self, FixedError};
use super::table::{Col, Row};
use super::{Ctx, Tables};
use crate::ItemKind;
use model::{
    Alias, CommandArgument, CommandEntry, CommandEntryKind, EntryLocation, LocationReference, MetaCommand,
    PusCommandId, QualifiedName, Significance, SignificanceLevel,
};
use std::collections::BTreeMap;

mod ccf {
    use super::Col;
    pub const CNAME: Col = Col::new(1, "CCF_CNAME");
    pub const DESCR: Col = Col::new(2, "CCF_DESCR");
    pub const DESCR2: Col = Col::new(3, "CCF_DESCR2");
    pub const CRITICAL: Col = Col::new(5, "CCF_CRITICAL");
    pub const PKTID: Col = Col::new(6, "CCF_PKTID");
    pub const TYPE: Col = Col::new(7, "CCF_TYPE");
    pub const STYPE: Col = Col::new(8, "CCF_STYPE");
    pub const APID: Col = Col::new(9, "CCF_APID");
    pub const NPARS: Col = Col::new(10, "CCF_NPARS");
    pub const ACK: Col = Col::new(20, "CCF_ACK");
    /// Columns the model has no place for, with why.
    pub const IGNORED: [(Col, &str); 11] = [
        (Col::new(4, "CCF_CTYPE"), "command types (normal, SCOE, ...) are not represented"),
        (Col::new(11, "CCF_PLAN"), "planning flags are not represented"),
        (Col::new(12, "CCF_EXEC"), "the execution flag is not represented"),
        (Col::new(13, "CCF_ILSCOPE"), "interlock scopes are not represented"),
        (Col::new(14, "CCF_ILSTAGE"), "interlock stages are not represented"),
        (Col::new(15, "CCF_SUBSYS"), "subsystem identifiers are not represented"),
        (Col::new(16, "CCF_HIPRI"), "high-priority (CPDU) flags are not represented"),
        (Col::new(17, "CCF_MAPID"), "multiplexer access point identifiers are not represented"),
        (Col::new(18, "CCF_DEFSET"), "default parameter value sets are not represented"),
        (Col::new(19, "CCF_RAPID"), "routing APIDs are not represented"),
        (Col::new(21, "CCF_SUBSCHEDID"), "on-board sub-schedule identifiers are not represented"),
    ];
}

mod cdf {
    use super::Col;
    pub const CNAME: Col = Col::new(1, "CDF_CNAME");
    pub const ELTYPE: Col = Col::new(2, "CDF_ELTYPE");
    pub const DESCR: Col = Col::new(3, "CDF_DESCR");
    pub const ELLEN: Col = Col::new(4, "CDF_ELLEN");
    pub const BIT: Col = Col::new(5, "CDF_BIT");
    pub const GRPSIZE: Col = Col::new(6, "CDF_GRPSIZE");
    pub const PNAME: Col = Col::new(7, "CDF_PNAME");
    pub const INTER: Col = Col::new(8, "CDF_INTER");
    pub const VALUE: Col = Col::new(9, "CDF_VALUE");
    pub const TMID: Col = Col::new(10, "CDF_TMID");
}

/// Commands by CCF name.
pub(super) type Commands = BTreeMap<String, QualifiedName>;

/// Reads CPC, PRF/PRV, CCF and CDF into argument types and commands.
pub(super) fn read(cx: &mut Ctx, tables: &Tables) -> Commands {
    let args = args::read(cx, tables);
    let mut commands = Commands::new();
    let mut rows_of: BTreeMap<String, Row> = BTreeMap::new();
    for row in tables.rows("ccf.dat") {
        let Some(local) = row.name(&mut cx.report, ccf::CNAME) else {
            continue;
        };
        if commands.contains_key(&local) {
            row.error(&mut cx.report, ccf::CNAME, format!("command {local} is defined twice"));
            continue;
        }
        let Some(command) = read_ccf(cx, row, &local) else {
            continue;
        };
        cx.sources.insert(ItemKind::Command, command.name.clone(), row.place(ccf::CNAME));
        commands.insert(local.clone(), command.name.clone());
        cx.model.commands.insert(command.name.clone(), command);
        rows_of.insert(local, row.clone());
    }
    let mut elements: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in tables.rows("cdf.dat") {
        let Some(local) = row.name(&mut cx.report, cdf::CNAME) else {
            continue;
        };
        if !commands.contains_key(&local) {
            row.error(&mut cx.report, cdf::CNAME, format!("no CCF row defines command {local}"));
            continue;
        }
        elements.entry(local).or_default().push(row.clone());
    }
    for (local, ccf_row) in &rows_of {
        let rows = elements.remove(local).unwrap_or_default();
        if let Some(expected) = ccf_row.num::<usize>(&mut cx.report, ccf::NPARS) {
            if expected != rows.len() {
                ccf_row.warning(
                    &mut cx.report,
                    ccf::NPARS,
                    format!("says {expected} elements but cdf.dat has {}", rows.len()),
                );
            }
        }
        let Some(name) = commands.get(local) else {
            continue;
        };
        let (arguments, entries) = read_elements(cx, &rows, &args);
        if let Some(command) = cx.model.commands.get_mut(name) {
            command.arguments = arguments;
            command.entries = entries;
        }
    }
    commands
}

fn read_ccf(cx: &mut Ctx, row: &Row, local: &str) -> Option<MetaCommand> {
    let descr = row.required(&mut cx.report, ccf::DESCR).map(str::to_string);
    row.required(&mut cx.report, ccf::PKTID);
    let critical = row.flag(&mut cx.report, ccf::CRITICAL, "YN", 'N');
    let service: Option<u8> = row.num(&mut cx.report, ccf::TYPE);
    let subtype: Option<u8> = row.num(&mut cx.report, ccf::STYPE);
    let apid: Option<u16> = row.num(&mut cx.report, ccf::APID);
    let ack: Option<u8> = row.num(&mut cx.report, ccf::ACK);
    if ack.is_some_and(|ack| ack > 15) {
        row.error(&mut cx.report, ccf::ACK, "acknowledgement flags are 4 bits (0..=15)");
        return None;
    }
    let descr = descr?;
    let critical = critical?;
    let mut command = MetaCommand::new(cx.name(local));
    command.description = Some(match row.text(ccf::DESCR2) {
        Some(long) => format!("{descr}\n{long}"),
        None => descr,
    });
    command.aliases.push(Alias { namespace: "MIB".into(), alias: local.to_string() });
    if critical == 'Y' {
        let reason = Some("CCF_CRITICAL = Y".to_string());
        command.significance = Some(Significance { level: SignificanceLevel::Critical, reason });
    }
    command.pus = match (service, subtype, apid, row.text(ccf::TYPE)) {
        (Some(service), Some(subtype), Some(apid), _) => Some(PusCommandId { apid, service, subtype, ack_flags: ack }),
        (_, _, _, None) => None,
        (_, None, _, Some(_)) => {
            row.error(&mut cx.report, ccf::STYPE, "a PUS command (CCF_TYPE set) needs its subtype");
            return None;
        }
        _ => {
            row.error(&mut cx.report, ccf::APID, "a PUS command (CCF_TYPE set) needs its APID");
            return None;
        }
    };
    cx.ignore(row, ccf::PKTID, "TC packet header templates (TCP/PCPC/PCDF) are not imported");
    for (col, why) in ccf::IGNORED {
        cx.ignore(row, col, why);
    }
    Some(command)
}

/// The entries one CDF row yields, and the group size to fill in (in CDF rows) if it opens one.
struct Element {
    entries: Vec<CommandEntry>,
    group_rows: u32,
    row: Row,
}

fn read_elements(cx: &mut Ctx, rows: &[Row], args: &Args) -> (Vec<CommandArgument>, Vec<CommandEntry>) {
    let mut arguments: Vec<CommandArgument> = Vec::new();
    let mut elements: Vec<Element> = Vec::new();
    // The bit where the next element starts, while it is known (before any variable part).
    let mut position: Option<u64> = Some(0);
    for row in rows {
        let eltype =
            row.required(&mut cx.report, cdf::ELTYPE).and_then(|_| row.flag(&mut cx.report, cdf::ELTYPE, "AFE", 'E'));
        let ellen: Option<u32> = row.req_num(&mut cx.report, cdf::ELLEN);
        let bit: Option<u64> = row.req_num(&mut cx.report, cdf::BIT);
        let group_rows: Option<u32> = row.num_or(&mut cx.report, cdf::GRPSIZE, 0);
        let inter = row.flag(&mut cx.report, cdf::INTER, "RET", 'R');
        let pname = row.opt_name(&mut cx.report, cdf::PNAME);
        let (Some(eltype), Some(ellen), Some(bit), Some(group_rows), Some(inter)) =
            (eltype, ellen, bit, group_rows, inter)
        else {
            continue;
        };
        let arg = match (&pname, eltype) {
            (Some(pname), 'E' | 'F') => match args.get(pname) {
                Some(arg) => Some(arg),
                None => {
                    row.error(&mut cx.report, cdf::PNAME, format!("no CPC row defines command parameter {pname}"));
                    continue;
                }
            },
            (None, 'E') => {
                row.error(&mut cx.report, cdf::PNAME, "an editable element needs its command parameter");
                continue;
            }
            _ => None,
        };
        let declared = (ellen > 0).then_some(ellen);
        if let (Some(arg), Some(declared)) = (arg, declared) {
            if arg.size_bits.is_some_and(|natural| natural != declared) {
                let message =
                    format!("{declared} bits, but its parameter's format has {} bits", arg.size_bits.unwrap_or(0));
                row.error(&mut cx.report, cdf::ELLEN, message);
                continue;
            }
        }
        let size = declared.or(arg.and_then(|arg| arg.size_bits));
        let location = locate(cx, row, bit, position);
        position = match (position, size) {
            (Some(_), Some(size)) if group_rows == 0 => {
                Some(bit.max(position.unwrap_or(0)).saturating_add(u64::from(size)))
            }
            _ => None,
        };
        let kind = match (eltype, arg) {
            ('E', Some(arg)) => {
                Some(argument(cx, row, &mut arguments, pname.as_deref().unwrap_or_default(), arg, inter))
            }
            (_, Some(arg)) if group_rows == 0 => {
                fixed_from_param(cx, row, &mut arguments, pname.as_deref().unwrap_or_default(), arg, size, inter)
            }
            (_, Some(arg)) => {
                row.unsupported(
                    &mut cx.report,
                    cdf::ELTYPE,
                    "a fixed group counter; the model counts groups by an argument, so it is editable here",
                );
                Some(argument(cx, row, &mut arguments, pname.as_deref().unwrap_or_default(), arg, inter))
            }
            _ => area(cx, row, declared),
        };
        let Some(kind) = kind else { continue };
        let mut entries = vec![CommandEntry { kind: kind.clone(), location, repeat: None, include_if: None }];
        if group_rows > 0 {
            let CommandEntryKind::Argument(count_argument) = kind else {
                row.error(&mut cx.report, cdf::GRPSIZE, "only a command parameter can count a group");
                continue;
            };
            entries.push(CommandEntry::next(CommandEntryKind::Group { group_size: 0, count_argument }));
        }
        elements.push(Element { entries, group_rows, row: row.clone() });
    }
    size_groups(cx, &mut elements);
    (arguments, elements.into_iter().flat_map(|element| element.entries).collect())
}

/// Where an element starts: right after the previous one, or after a gap when `CDF_BIT` says
/// so. A `CDF_BIT` that would overlap the previous element is reported and ignored.
fn locate(cx: &mut Ctx, row: &Row, bit: u64, position: Option<u64>) -> EntryLocation {
    let Some(position) = position else {
        return EntryLocation::NEXT;
    };
    if bit < position {
        let message =
            format!("bit {bit} overlaps the previous element (which ends at bit {position}); laid out after it");
        row.warning(&mut cx.report, cdf::BIT, message);
        return EntryLocation::NEXT;
    }
    let gap = i64::try_from(bit - position).unwrap_or(i64::MAX);
    EntryLocation { reference: LocationReference::PreviousEntry, offset_bits: gap }
}

fn argument(
    cx: &mut Ctx,
    row: &Row,
    arguments: &mut Vec<CommandArgument>,
    pname: &str,
    arg: &ArgInfo,
    inter: char,
) -> CommandEntryKind {
    let mut name = pname.to_string();
    let mut suffix = 2;
    while arguments.iter().any(|argument| argument.name == name) {
        name = format!("{pname}_{suffix}");
        suffix += 1;
    }
    let initial_value = if inter == 'T' {
        row.unsupported(
            &mut cx.report,
            cdf::INTER,
            "a default taken from a telemetry parameter (CDF_TMID) is not represented",
        );
        None
    } else {
        row.text(cdf::VALUE).map(str::to_string).or_else(|| arg.default.clone())
    };
    let description = row.text(cdf::DESCR).map(str::to_string).or_else(|| arg.description.clone());
    arguments.push(CommandArgument { name: name.clone(), type_ref: arg.type_ref.clone(), description, initial_value });
    CommandEntryKind::Argument(name)
}

fn fixed_from_param(
    cx: &mut Ctx,
    row: &Row,
    arguments: &mut Vec<CommandArgument>,
    pname: &str,
    arg: &ArgInfo,
    size: Option<u32>,
    inter: char,
) -> Option<CommandEntryKind> {
    let Some(value) = row.text(cdf::VALUE).map(str::to_string).or_else(|| arg.default.clone()) else {
        row.error(&mut cx.report, cdf::VALUE, "a fixed element needs a value (CDF_VALUE or CPC_DEFVAL)");
        return None;
    };
    let unsupported = match inter {
        'T' => Some("a fixed value taken from a telemetry parameter (CDF_TMID) is not represented"),
        'E' if arg.calibrated => Some("a fixed engineering value needs a TC calibration the model lacks"),
        _ => None,
    };
    let data_type = cx.model.argument_types.get(&arg.type_ref)?;
    let result = match unsupported {
        Some(why) => Err(FixedError::Unsupported(why.to_string())),
        None => fixed::encode(&value, data_type, size, arg.radix),
    };
    match result {
        Ok((size_bits, value)) => Some(CommandEntryKind::Fixed { size_bits, value }),
        Err(FixedError::Malformed(why)) => {
            row.error(&mut cx.report, cdf::VALUE, why);
            None
        }
        Err(FixedError::Unsupported(why)) => {
            row.unsupported(&mut cx.report, cdf::VALUE, format!("{why}; kept as an argument with this default"));
            Some(argument(cx, row, arguments, pname, arg, 'R'))
        }
    }
}

fn area(cx: &mut Ctx, row: &Row, size: Option<u32>) -> Option<CommandEntryKind> {
    let Some(size_bits) = size else {
        row.error(&mut cx.report, cdf::ELLEN, "a spare area needs its length");
        return None;
    };
    if row.text(cdf::TMID).is_some() {
        cx.ignore(row, cdf::TMID, "telemetry-derived values are not represented");
    }
    match fixed::area(row.text(cdf::VALUE), size_bits) {
        Ok(value) => Some(CommandEntryKind::Fixed { size_bits, value }),
        Err(FixedError::Malformed(why) | FixedError::Unsupported(why)) => {
            row.error(&mut cx.report, cdf::VALUE, why);
            None
        }
    }
}

/// Fills in each group's size: the entries of the `CDF_GRPSIZE` rows that follow it.
fn size_groups(cx: &mut Ctx, elements: &mut [Element]) {
    for idx in 0..elements.len() {
        let Some(element) = elements.get(idx) else {
            continue;
        };
        if element.group_rows == 0 {
            continue;
        }
        let members = usize::try_from(element.group_rows).unwrap_or(usize::MAX);
        let start = idx + 1;
        let following = elements.get(start..).unwrap_or(&[]);
        if following.len() < members {
            let message = format!("the group of {members} elements runs past the command's last element");
            element.row.error(&mut cx.report, cdf::GRPSIZE, message);
            continue;
        }
        let size: usize = following.iter().take(members).map(|member| member.entries.len()).sum();
        if let Some(CommandEntryKind::Group { group_size, .. }) =
            elements.get_mut(idx).and_then(|element| element.entries.last_mut()).map(|entry| &mut entry.kind)
        {
            *group_size = u32::try_from(size).unwrap_or(u32::MAX);
        }
    }
}
