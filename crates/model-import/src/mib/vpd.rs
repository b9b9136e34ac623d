//! Variable packet layouts (VPD): parameters in `VPD_POS` order, with group repeaters whose
//! counter is a parameter of the packet (`VPD_GRPSIZE`) or a fixed number (`VPD_FIXREP`).

use super::table::{Col, Row};
use super::tm::Params;
use super::{Ctx, Tables};
use model::{ContainerEntry, EntryKind, EntryLocation, IntegerValue, LocationReference};
use std::collections::BTreeMap;

const TPSD: Col = Col::new(1, "VPD_TPSD");
const POS: Col = Col::new(2, "VPD_POS");
const NAME: Col = Col::new(3, "VPD_NAME");
const GRPSIZE: Col = Col::new(4, "VPD_GRPSIZE");
const FIXREP: Col = Col::new(5, "VPD_FIXREP");
const CHOICE: Col = Col::new(6, "VPD_CHOICE");
const PIDREF: Col = Col::new(7, "VPD_PIDREF");
const DISPLAY: [Col; 6] = [
    Col::new(8, "VPD_DISDESC"),
    Col::new(9, "VPD_WIDTH"),
    Col::new(10, "VPD_JUSTIFY"),
    Col::new(11, "VPD_NEWLINE"),
    Col::new(12, "VPD_DCHAR"),
    Col::new(13, "VPD_FORM"),
];
const OFFSET: Col = Col::new(14, "VPD_OFFSET");

/// One VPD row, read.
struct Item {
    row: Row,
    param: model::QualifiedName,
    group_size: u32,
    fixed_repeat: u32,
    offset: i64,
}

/// Reads VPD: the entries of each TPSD. The first parameter entry is placed at
/// `PacketStart` with only its own offset; [`place`] adds where the application data starts.
pub(super) fn read(cx: &mut Ctx, tables: &Tables, params: &Params) -> BTreeMap<i64, Vec<ContainerEntry>> {
    let mut by_tpsd: BTreeMap<i64, BTreeMap<i64, Item>> = BTreeMap::new();
    for row in tables.rows("vpd.dat") {
        let tpsd: Option<i64> = row.req_num(&mut cx.report, TPSD);
        let pos: Option<i64> = row.req_num(&mut cx.report, POS);
        let name = row.name(&mut cx.report, NAME);
        let group_size: Option<u32> = row.num_or(&mut cx.report, GRPSIZE, 0);
        let fixed_repeat: Option<u32> = row.num_or(&mut cx.report, FIXREP, 0);
        let offset: Option<i64> = row.num_or(&mut cx.report, OFFSET, 0);
        let (Some(tpsd), Some(pos), Some(name), Some(group_size), Some(fixed_repeat), Some(offset)) =
            (tpsd, pos, name, group_size, fixed_repeat, offset)
        else {
            continue;
        };
        let Some(param) = params.get(&name) else {
            row.error(&mut cx.report, NAME, format!("no PCF row defines parameter {name}"));
            continue;
        };
        if row.text(CHOICE) == Some("Y") {
            row.unsupported(
                &mut cx.report,
                CHOICE,
                "a deduced choice parameter (its type from the previous parameter) is not represented",
            );
        }
        if row.text(PIDREF) == Some("Y") {
            row.unsupported(
                &mut cx.report,
                PIDREF,
                "a parameter whose value names an embedded packet's layout is not represented",
            );
        }
        for col in DISPLAY {
            cx.ignore(row, col, "display layout of variable packets is not part of the mission model");
        }
        let item = Item { row: row.clone(), param: param.name.clone(), group_size, fixed_repeat, offset };
        let items = by_tpsd.entry(tpsd).or_default();
        if items.contains_key(&pos) {
            row.error(&mut cx.report, POS, format!("position {pos} of TPSD {tpsd} is defined twice"));
            continue;
        }
        items.insert(pos, item);
    }
    let mut layouts = BTreeMap::new();
    for (tpsd, items) in by_tpsd {
        let items: Vec<Item> = items.into_values().collect();
        layouts.insert(tpsd, entries(cx, &items));
    }
    layouts
}

/// The entries of one TPSD's rows, with groups sized in model entries.
fn entries(cx: &mut Ctx, items: &[Item]) -> Vec<ContainerEntry> {
    // Each row yields its entries; a group entry's size is filled in once all rows are built.
    let mut per_row: Vec<Vec<ContainerEntry>> = Vec::with_capacity(items.len());
    let mut pending_offset = 0i64;
    let mut first = true;
    for item in items {
        let mut produced = Vec::new();
        let counted = item.group_size > 0 && item.fixed_repeat == 0;
        if item.group_size == 0 || counted {
            let offset = pending_offset.saturating_add(item.offset);
            pending_offset = 0;
            let reference = if first { LocationReference::PacketStart } else { LocationReference::PreviousEntry };
            first = false;
            let mut entry = ContainerEntry::next(EntryKind::Parameter(item.param.clone()));
            entry.location = EntryLocation { reference, offset_bits: offset };
            produced.push(entry);
        } else {
            // A fixed repetition: the counter is a label only, not read from the packet.
            pending_offset = pending_offset.saturating_add(item.offset);
        }
        if item.group_size > 0 {
            let count = if counted {
                super::packets::counter(item.param.clone())
            } else {
                IntegerValue::Fixed(i64::from(item.fixed_repeat))
            };
            produced.push(ContainerEntry::next(EntryKind::Group { group_size: 0, count }));
        }
        per_row.push(produced);
    }
    for (idx, item) in items.iter().enumerate() {
        if item.group_size == 0 {
            continue;
        }
        let members = usize::try_from(item.group_size).unwrap_or(usize::MAX);
        let following = per_row.get(idx + 1..).unwrap_or(&[]);
        if following.len() < members {
            let message = format!("the group of {members} rows runs past the last row of its TPSD");
            item.row.error(&mut cx.report, GRPSIZE, message);
            continue;
        }
        let rows = following.iter().take(members);
        let size = rows.map(Vec::len).sum::<usize>();
        if let Some(EntryKind::Group { group_size, .. }) =
            per_row.get_mut(idx).and_then(|entries| entries.last_mut()).map(|entry| &mut entry.kind)
        {
            *group_size = u32::try_from(size).unwrap_or(u32::MAX);
        }
    }
    per_row.into_iter().flatten().collect()
}

/// The entries of a packet whose application data starts at `app_data_bits`.
pub(super) fn place(entries: &[ContainerEntry], app_data_bits: u32) -> Vec<ContainerEntry> {
    entries
        .iter()
        .cloned()
        .map(|mut entry| {
            if entry.location.reference == LocationReference::PacketStart {
                entry.location.offset_bits = entry.location.offset_bits.saturating_add(i64::from(app_data_bits));
            }
            entry
        })
        .collect()
}
