//! Telemetry packets: identification (PID, PIC), names and sizes (TPCF), fixed layouts (PLF)
//! and variable layouts (VPD), into sequence containers with their PUS identification.

use super::table::{Col, Row};
use super::tm::Params;
use super::{Ctx, Tables};
use crate::ItemKind;
use model::{
    Alias, ContainerEntry, EntryKind, EntryLocation, IntegerValue, LocationReference, ParamRef, PiField, PusPacketId,
    QualifiedName, Repeat, SequenceContainer,
};
use std::collections::BTreeMap;

/// Packets by SPID, for the tables that refer to them (CVS).
pub(super) struct Packets {
    pub by_spid: BTreeMap<u32, QualifiedName>,
}

mod pid {
    use super::Col;
    pub const TYPE: Col = Col::new(1, "PID_TYPE");
    pub const STYPE: Col = Col::new(2, "PID_STYPE");
    pub const APID: Col = Col::new(3, "PID_APID");
    pub const PI1_VAL: Col = Col::new(4, "PID_PI1_VAL");
    pub const PI2_VAL: Col = Col::new(5, "PID_PI2_VAL");
    pub const SPID: Col = Col::new(6, "PID_SPID");
    pub const DESCR: Col = Col::new(7, "PID_DESCR");
    pub const UNIT: Col = Col::new(8, "PID_UNIT");
    pub const TPSD: Col = Col::new(9, "PID_TPSD");
    pub const DFHSIZE: Col = Col::new(10, "PID_DFHSIZE");
    pub const TIME: Col = Col::new(11, "PID_TIME");
    pub const INTER: Col = Col::new(12, "PID_INTER");
    pub const VALID: Col = Col::new(13, "PID_VALID");
    pub const CHECK: Col = Col::new(14, "PID_CHECK");
    pub const EVENT: Col = Col::new(15, "PID_EVENT");
    pub const EVID: Col = Col::new(16, "PID_EVID");
}

mod pic {
    use super::Col;
    pub const TYPE: Col = Col::new(1, "PIC_TYPE");
    pub const STYPE: Col = Col::new(2, "PIC_STYPE");
    pub const PI1_OFF: Col = Col::new(3, "PIC_PI1_OFF");
    pub const PI1_WID: Col = Col::new(4, "PIC_PI1_WID");
    pub const PI2_OFF: Col = Col::new(5, "PIC_PI2_OFF");
    pub const PI2_WID: Col = Col::new(6, "PIC_PI2_WID");
    pub const APID: Col = Col::new(7, "PIC_APID");
}

mod tpcf {
    use super::Col;
    pub const SPID: Col = Col::new(1, "TPCF_SPID");
    pub const NAME: Col = Col::new(2, "TPCF_NAME");
    pub const SIZE: Col = Col::new(3, "TPCF_SIZE");
}

mod plf {
    use super::Col;
    pub const NAME: Col = Col::new(1, "PLF_NAME");
    pub const SPID: Col = Col::new(2, "PLF_SPID");
    pub const OFFBY: Col = Col::new(3, "PLF_OFFBY");
    pub const OFFBI: Col = Col::new(4, "PLF_OFFBI");
    pub const NBOCC: Col = Col::new(5, "PLF_NBOCC");
    pub const LGOCC: Col = Col::new(6, "PLF_LGOCC");
    pub const TIME: Col = Col::new(7, "PLF_TIME");
    pub const TDOCC: Col = Col::new(8, "PLF_TDOCC");
}

/// Where the PI fields of a packet type are: byte offset and width in bits of PI1 and PI2.
type PiLayout = [Option<(u32, u8)>; 2];

/// Reads the packet tables into containers.
pub(super) fn read(cx: &mut Ctx, tables: &Tables, params: &Params) -> Packets {
    let layouts = read_pic(cx, tables);
    let names = read_tpcf(cx, tables);
    let variable = super::vpd::read(cx, tables, params);
    let mut packets = Packets { by_spid: BTreeMap::new() };
    let mut identities: BTreeMap<(u16, u8, u8, i64, i64), u32> = BTreeMap::new();
    let mut used_names: BTreeMap<String, u32> = BTreeMap::new();
    for row in tables.rows("pid.dat") {
        let Some(packet) = read_pid(cx, row) else {
            continue;
        };
        if packets.by_spid.contains_key(&packet.spid) {
            row.error(&mut cx.report, pid::SPID, format!("SPID {} is defined twice", packet.spid));
            continue;
        }
        let layout = layouts
            .get(&(packet.service, packet.subtype, Some(packet.apid)))
            .or_else(|| layouts.get(&(packet.service, packet.subtype, None)));
        let Some(layout) = layout else {
            let message =
                format!("no PIC row for type {} subtype {} (APID {})", packet.service, packet.subtype, packet.apid);
            row.error(&mut cx.report, pid::TYPE, message);
            continue;
        };
        // Only the PI fields the PIC defines tell packets apart.
        let pi_value = |idx: usize| if layout[idx].is_some() { packet.pi_values[idx] } else { 0 };
        let key = (packet.apid, packet.service, packet.subtype, pi_value(0), pi_value(1));
        if let Some(other) = identities.insert(key, packet.spid) {
            let message = format!("APID, type, subtype and PI values are those of SPID {other} too");
            row.error(&mut cx.report, pid::SPID, message);
            continue;
        }
        let (local, size_bits) = match names.get(&packet.spid) {
            Some((name, size, _)) => (name.clone(), *size),
            None => (format!("SPID_{}", packet.spid), None),
        };
        if let Some(other) = used_names.insert(local.clone(), packet.spid) {
            row.error(&mut cx.report, pid::SPID, format!("packet name {local} is also the name of SPID {other}"));
            continue;
        }
        let name = cx.name(&local);
        let mut container = SequenceContainer::new(name.clone());
        container.description = row.text(pid::DESCR).map(str::to_string);
        container.aliases.push(Alias { namespace: "MIB:SPID".into(), alias: packet.spid.to_string() });
        container.size_bits = size_bits;
        container.rate_ms = packet.rate_ms;
        let pi = |idx: usize| {
            layout[idx].map(|(offset, width_bits)| PiField {
                offset_bits: offset * 8,
                width_bits,
                value: packet.pi_values[idx],
            })
        };
        container.pus = Some(PusPacketId {
            apid: packet.apid,
            service: packet.service,
            subtype: packet.subtype,
            pi1: pi(0),
            pi2: pi(1),
            spid: Some(packet.spid),
        });
        if let Some(tpsd) = packet.tpsd {
            match variable.get(&tpsd) {
                Some(entries) => container.entries.extend(super::vpd::place(entries, packet.app_data_bits)),
                None => row.error(&mut cx.report, pid::TPSD, format!("no VPD rows define TPSD {tpsd}")),
            }
        }
        cx.sources.insert(ItemKind::Container, name.clone(), row.place(pid::SPID));
        cx.model.containers.insert(name.clone(), container);
        packets.by_spid.insert(packet.spid, name);
    }
    for (spid, (_, _, row)) in &names {
        if !packets.by_spid.contains_key(spid) {
            row.error(&mut cx.report, tpcf::SPID, format!("no PID row defines SPID {spid}"));
        }
    }
    read_plf(cx, tables, params, &packets);
    packets
}

struct PidRow {
    service: u8,
    subtype: u8,
    apid: u16,
    pi_values: [i64; 2],
    spid: u32,
    tpsd: Option<i64>,
    app_data_bits: u32,
    rate_ms: Option<u64>,
}

fn read_pid(cx: &mut Ctx, row: &Row) -> Option<PidRow> {
    let service = row.req_num(&mut cx.report, pid::TYPE);
    let subtype = row.req_num(&mut cx.report, pid::STYPE);
    let apid = row.req_num(&mut cx.report, pid::APID);
    let pi1 = row.num_or(&mut cx.report, pid::PI1_VAL, 0);
    let pi2 = row.num_or(&mut cx.report, pid::PI2_VAL, 0);
    let spid = row.req_num(&mut cx.report, pid::SPID);
    let tpsd: Option<i64> = row.num_or(&mut cx.report, pid::TPSD, -1);
    let dfh_size: Option<u32> = row.req_num(&mut cx.report, pid::DFHSIZE);
    let interval: Option<i64> = row.num_or(&mut cx.report, pid::INTER, 0);
    let valid = row.flag(&mut cx.report, pid::VALID, "YN", 'Y');
    if valid == Some('N') {
        row.unsupported(&mut cx.report, pid::VALID, "a packet marked not to be processed is imported like any other");
    }
    for (col, why) in [
        (pid::UNIT, "packet units are not represented"),
        (pid::TIME, "the packet time-stamp flag is not represented"),
        (pid::EVID, "event identifiers raised on packet reception are not represented"),
    ] {
        cx.ignore(row, col, why);
    }
    if row.text(pid::CHECK).is_some_and(|check| check != "0") {
        cx.ignore(row, pid::CHECK, "packet error control (CRC) flags are not represented");
    }
    if row.text(pid::EVENT).is_some_and(|event| event != "N") {
        cx.ignore(row, pid::EVENT, "events raised on packet reception are not represented");
    }
    let app_data_bits = dfh_size?.checked_add(6).and_then(|bytes| bytes.checked_mul(8));
    if app_data_bits.is_none() {
        row.error(&mut cx.report, pid::DFHSIZE, "data field header size is too large");
    }
    Some(PidRow {
        service: service?,
        subtype: subtype?,
        apid: apid?,
        pi_values: [pi1?, pi2?],
        spid: spid?,
        tpsd: tpsd.filter(|tpsd| *tpsd >= 0),
        app_data_bits: app_data_bits?,
        rate_ms: interval?.try_into().ok().filter(|ms| *ms > 0),
    })
}

fn read_pic(cx: &mut Ctx, tables: &Tables) -> BTreeMap<(u8, u8, Option<u16>), PiLayout> {
    let mut layouts = BTreeMap::new();
    for row in tables.rows("pic.dat") {
        let service = row.req_num(&mut cx.report, pic::TYPE);
        let subtype = row.req_num(&mut cx.report, pic::STYPE);
        let offsets: [Option<i64>; 2] =
            [row.req_num(&mut cx.report, pic::PI1_OFF), row.req_num(&mut cx.report, pic::PI2_OFF)];
        let widths: [Option<i64>; 2] =
            [row.req_num(&mut cx.report, pic::PI1_WID), row.req_num(&mut cx.report, pic::PI2_WID)];
        let apid: Option<i64> = row.num_or(&mut cx.report, pic::APID, -1);
        let (Some(service), Some(subtype), Some(apid)) = (service, subtype, apid) else {
            continue;
        };
        let mut layout: PiLayout = [None, None];
        let mut ok = true;
        for idx in 0..2 {
            let (Some(offset), Some(width)) = (offsets[idx], widths[idx]) else {
                ok = false;
                continue;
            };
            if offset < 0 || width == 0 {
                continue;
            }
            let width_col = if idx == 0 { pic::PI1_WID } else { pic::PI2_WID };
            match (u32::try_from(offset), u8::try_from(width)) {
                (Ok(offset), Ok(width @ 1..=64)) => layout[idx] = Some((offset, width)),
                _ => {
                    row.error(&mut cx.report, width_col, format!("PI width {width} is not 1..=64 bits"));
                    ok = false;
                }
            }
        }
        let apid = if apid < 0 { None } else { u16::try_from(apid).ok() };
        if ok && layouts.insert((service, subtype, apid), layout).is_some() {
            row.error(&mut cx.report, pic::TYPE, format!("type {service} subtype {subtype} is defined twice"));
        }
    }
    layouts
}

fn read_tpcf(cx: &mut Ctx, tables: &Tables) -> BTreeMap<u32, (String, Option<u32>, Row)> {
    let mut names = BTreeMap::new();
    for row in tables.rows("tpcf.dat") {
        let Some(spid) = row.req_num::<u32>(&mut cx.report, tpcf::SPID) else {
            continue;
        };
        let Some(name) = row.opt_name(&mut cx.report, tpcf::NAME).or_else(|| Some(format!("SPID_{spid}"))) else {
            continue;
        };
        let size: Option<u32> = row.num_or(&mut cx.report, tpcf::SIZE, 0).map(|bytes: u32| bytes.saturating_mul(8));
        if names.contains_key(&spid) {
            row.error(&mut cx.report, tpcf::SPID, format!("SPID {spid} is named twice"));
            continue;
        }
        names.insert(spid, (name, size.filter(|bits| *bits > 0), row.clone()));
    }
    names
}

fn read_plf(cx: &mut Ctx, tables: &Tables, params: &Params, packets: &Packets) {
    let mut entries: BTreeMap<QualifiedName, Vec<(i64, ContainerEntry)>> = BTreeMap::new();
    for row in tables.rows("plf.dat") {
        let name = row.name(&mut cx.report, plf::NAME);
        let spid: Option<u32> = row.req_num(&mut cx.report, plf::SPID);
        let offset_bytes: Option<i64> = row.req_num(&mut cx.report, plf::OFFBY);
        let offset_bits: Option<i64> = row.req_num(&mut cx.report, plf::OFFBI);
        let count: Option<i64> = row.num_or(&mut cx.report, plf::NBOCC, 1);
        let distance: Option<u32> = row.num_or(&mut cx.report, plf::LGOCC, 0);
        let time: Option<i64> = row.num_or(&mut cx.report, plf::TIME, 0);
        let (Some(name), Some(spid), Some(offset_bytes), Some(offset_bits), Some(count), Some(distance), Some(time)) =
            (name, spid, offset_bytes, offset_bits, count, distance, time)
        else {
            continue;
        };
        let Some(param) = params.get(&name) else {
            row.error(&mut cx.report, plf::NAME, format!("no PCF row defines parameter {name}"));
            continue;
        };
        let Some(container) = packets.by_spid.get(&spid) else {
            row.error(&mut cx.report, plf::SPID, format!("no PID row defines SPID {spid}"));
            continue;
        };
        if !(0..=7).contains(&offset_bits) {
            row.error(&mut cx.report, plf::OFFBI, format!("bit offset {offset_bits} is not 0..=7"));
            continue;
        }
        if offset_bytes < 0 || count < 1 {
            let (col, what) = if count < 1 { (plf::NBOCC, count) } else { (plf::OFFBY, offset_bytes) };
            row.error(&mut cx.report, col, format!("{what} must not be negative (or zero occurrences)"));
            continue;
        }
        let Some(start) = offset_bytes.checked_mul(8).and_then(|bits| bits.checked_add(offset_bits)) else {
            row.error(&mut cx.report, plf::OFFBY, format!("byte offset {offset_bytes} is too large"));
            continue;
        };
        let mut entry = ContainerEntry::next(EntryKind::Parameter(param.name.clone()));
        entry.location = EntryLocation { reference: LocationReference::PacketStart, offset_bits: start };
        if count > 1 {
            entry.repeat = repeat(cx, row, count, distance, param.size_bits);
            if entry.repeat.is_none() {
                continue;
            }
            if row.text(plf::TDOCC).is_some() {
                cx.ignore(row, plf::TDOCC, "time delays between occurrences are not represented");
            }
        }
        if time != 0 {
            cx.ignore(row, plf::TIME, "time offsets of samples within the packet are not represented");
        }
        entries.entry(container.clone()).or_default().push((start, entry));
    }
    for (container, mut list) in entries {
        list.sort_by_key(|(start, _)| *start);
        if let Some(container) = cx.model.containers.get_mut(&container) {
            // Fixed entries go first: variable (VPD) entries start after the data field header.
            let variable = std::mem::take(&mut container.entries);
            container.entries = list.into_iter().map(|(_, entry)| entry).chain(variable).collect();
        }
    }
}

/// `PLF_LGOCC` is the distance in bits from the start of one occurrence to the next.
fn repeat(cx: &mut Ctx, row: &Row, count: i64, distance: u32, size_bits: Option<u32>) -> Option<Repeat> {
    let Some(size_bits) = size_bits else {
        row.error(&mut cx.report, plf::NBOCC, "a parameter without a fixed size cannot repeat");
        return None;
    };
    if distance < size_bits {
        let message = format!("occurrences {distance} bits apart overlap (the parameter has {size_bits} bits)");
        row.error(&mut cx.report, plf::LGOCC, message);
        return None;
    }
    Some(Repeat { count: IntegerValue::Fixed(count), offset_bits: distance - size_bits })
}

/// The counter of a variable group: the raw value of a parameter.
pub(super) fn counter(parameter: QualifiedName) -> IntegerValue {
    IntegerValue::Dynamic { parameter: ParamRef::raw(parameter), slope: 1, intercept: 0 }
}
