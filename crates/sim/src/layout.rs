//! Static layouts of telemetry containers: where each parameter of a concrete container sits
//! in its packet, and which values its restriction criteria (and PI fields) pin.

use crate::config::SimConfig;
use model::{
    ComparisonOp, Criteria, DataEncoding, EntryKind, LocationReference, MissionModel, Operand, QualifiedName,
    SequenceContainer, TimeEncoding, TypeKind,
};

/// The longest packet the simulator builds (a CCSDS space packet's maximum).
pub const PACKET_LEN_MAX: usize = 65_542;

/// A parameter field of a layout.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub parameter: QualifiedName,
    pub bit_offset: usize,
    pub size_bits: u32,
}

/// A packet layout of one container.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Layout {
    pub container: QualifiedName,
    pub apid: u16,
    /// PUS service and subtype, when the container is a PUS packet.
    pub pus: Option<(u8, u8)>,
    /// Fields whose values are generated.
    pub fields: Vec<Field>,
    /// Bits pinned by restriction criteria, PI fields and fixed entries: (bit offset, size, raw).
    pub pinned: Vec<(usize, u32, u64)>,
    /// Packet length in bytes, CRC included.
    pub len: usize,
    pub rate_ms: u64,
    /// The housekeeping structure id (the first pinned value of the source data of TM[3,25]).
    pub structure_id: Option<u64>,
}

/// Lays out every concrete container; the second list names the skipped ones with the reason.
pub(crate) fn layouts(model: &MissionModel, config: &SimConfig) -> (Vec<Layout>, Vec<(QualifiedName, String)>) {
    let mut built = Vec::new();
    let mut skipped = Vec::new();
    for container in model.containers.values().filter(|c| !c.r#abstract) {
        let is_base = model.containers.values().any(|c| c.base.as_ref() == Some(&container.name));
        if is_base {
            // Its packets would be identified as one of the containers extending it when their
            // restrictions hold; telling when they cannot is left for later.
            skipped.push((container.name.clone(), "it is the base of other containers".to_string()));
            continue;
        }
        let is_included = model.containers.values().any(|c| {
            c.entries.iter().any(|e| matches!(&e.kind, EntryKind::Container(name) if name == &container.name))
        });
        if is_included {
            skipped.push((container.name.clone(), "it is included in other containers, not a packet".to_string()));
            continue;
        }
        match layout(model, config, container) {
            Ok(layout) => built.push(layout),
            Err(why) => skipped.push((container.name.clone(), why)),
        }
    }
    (built, skipped)
}

/// The fixed size in bits of a parameter's encoding, or why there is none.
pub(crate) fn field_bits(model: &MissionModel, parameter: &QualifiedName) -> Result<u32, String> {
    let data_type = model
        .parameters
        .get(parameter)
        .and_then(|p| model.parameter_types.get(&p.type_ref))
        .ok_or_else(|| format!("parameter `{parameter}` has no type"))?;
    let encoded = data_type.encoding.as_ref().and_then(DataEncoding::fixed_size_bits);
    let bits = match (&data_type.kind, &data_type.encoding) {
        (_, Some(DataEncoding::Custom { .. })) => None,
        (TypeKind::AbsoluteTime { time, .. } | TypeKind::RelativeTime { time }, _) => match time {
            TimeEncoding::Scaled { .. } => encoded,
            TimeEncoding::Cuc { coarse_octets, fine_octets, p_field: false } => {
                Some(8 * u32::from(coarse_octets + fine_octets))
            }
            TimeEncoding::Cds { day_octets, submillisecond_octets, p_field: false } => {
                Some(8 * (u32::from(*day_octets) + 4 + u32::from(*submillisecond_octets)))
            }
            _ => None,
        },
        (TypeKind::Array { .. } | TypeKind::Aggregate { .. }, _) => None,
        _ => encoded,
    };
    bits.filter(|b| (1..=64 * 1024).contains(b))
        .ok_or_else(|| format!("parameter `{parameter}` has no fixed-size encoding the simulator writes"))
}

fn layout(model: &MissionModel, config: &SimConfig, container: &SequenceContainer) -> Result<Layout, String> {
    let mut chain = vec![container];
    while let Some(base) = &chain[chain.len() - 1].base {
        let base = model.containers.get(base).ok_or_else(|| format!("base container `{base}` is missing"))?;
        if chain.len() > model::NESTING_MAX {
            return Err("base chain too deep".into());
        }
        chain.push(base);
    }
    chain.reverse();
    let mut fields: Vec<Field> = Vec::new();
    let mut pinned_params: Vec<(QualifiedName, i64)> = Vec::new();
    let mut pinned = Vec::new();
    let mut end_bits = 0usize;
    let mut size_bits = 0usize;
    let header_bits = 48 + 8 * config.pus.data_field_header_len;
    for link in &chain {
        if let Some(criteria) = &link.restriction {
            pin(model, config, criteria, &mut pinned_params)?;
        }
        for entry in &link.entries {
            if entry.repeat.is_some() || entry.include_if.is_some() {
                return Err("an entry repeats or has an include condition".into());
            }
            let offset = entry.location.offset_bits;
            let start = match entry.location.reference {
                LocationReference::ContainerStart | LocationReference::PacketStart => offset,
                LocationReference::PreviousEntry => end_bits as i64 + offset,
                LocationReference::ContainerEnd => return Err("an entry is placed from the container end".into()),
            };
            let start = usize::try_from(start).map_err(|_| "an entry starts before the packet".to_string())?;
            let bits = match &entry.kind {
                EntryKind::Parameter(parameter) => match field_bits(model, parameter) {
                    Ok(bits) => {
                        fields.push(Field { parameter: parameter.clone(), bit_offset: start, size_bits: bits });
                        bits
                    }
                    // A field the simulator cannot size inside the PUS header (a time decoded
                    // by an algorithm) is taken to fill the header: the simulator writes it.
                    Err(_) if start < header_bits => (header_bits - start) as u32,
                    Err(why) => return Err(why),
                },
                EntryKind::Fixed { size_bits, value } => {
                    let bytes = value.clone().unwrap_or_default();
                    for bit in 0..*size_bits as usize {
                        let byte = bytes.get(bit / 8).copied().unwrap_or(0);
                        pinned.push((start + bit, 1, u64::from(byte >> (7 - bit % 8) & 1)));
                    }
                    *size_bits
                }
                EntryKind::ArrayParameter(_) | EntryKind::Container(_) | EntryKind::Group { .. } => {
                    return Err("an array, group or container entry".into())
                }
            };
            end_bits = start + bits as usize;
            size_bits = size_bits.max(end_bits);
        }
        size_bits = size_bits.max(link.size_bits.unwrap_or(0) as usize);
    }
    let mut apid = config.apid_default;
    let mut pus = None;
    if let Some(id) = &container.pus {
        apid = id.apid;
        pus = Some((id.service, id.subtype));
        for pi in [&id.pi1, &id.pi2].into_iter().flatten() {
            pinned.push((pi.offset_bits as usize, u32::from(pi.width_bits), pi.value as u64));
            size_bits = size_bits.max(pi.offset_bits as usize + usize::from(pi.width_bits));
        }
    }
    let mut service = None;
    let mut subtype = None;
    let mut structure_id = None;
    for (parameter, value) in &pinned_params {
        let field = fields
            .iter()
            .find(|f| &f.parameter == parameter)
            .ok_or_else(|| format!("restriction on `{parameter}`, which is not in the packet before"))?;
        let raw = crate::values::pinned_raw(model, parameter, field.size_bits, *value)?;
        match (field.bit_offset, field.size_bits) {
            (5, 11) => apid = raw as u16,
            (56, 8) => service = Some(raw as u8),
            (64, 8) => subtype = Some(raw as u8),
            (at, _) if at == header_bits && structure_id.is_none() => structure_id = Some(raw),
            _ => {}
        }
        pinned.push((field.bit_offset, field.size_bits, raw));
    }
    if pus.is_none() {
        // A container that pins the service but not the subtype (the Yamcs example's PUS 5
        // events pin the event id instead) is still a PUS packet: it gets the secondary header
        // and time, with the lowest subtype (1: an informative event for service 5).
        pus = service.map(|service| (service, subtype.unwrap_or(1)));
    }
    if let (Some(id), None) = (&container.pus, structure_id) {
        structure_id = id.pi1.as_ref().map(|pi| pi.value as u64);
    }
    // The header is written by the simulator: the primary header always, the PUS secondary
    // header for PUS packets. Pinned and generated fields inside it give way.
    let written_bits = if pus.is_some() { header_bits } else { 48 };
    let pinned_names: Vec<&QualifiedName> = pinned_params.iter().map(|(p, _)| p).collect();
    fields.retain(|f| f.bit_offset + f.size_bits as usize > written_bits && !pinned_names.contains(&&f.parameter));
    pinned.retain(|(at, bits, _)| at + *bits as usize > 48);
    let crc_len = if pus.is_some() && config.pus.has_crc { 2 } else { 0 };
    let len = size_bits.max(written_bits).div_ceil(8) + crc_len;
    if len > PACKET_LEN_MAX {
        return Err(format!("{len} bytes, above {PACKET_LEN_MAX}"));
    }
    Ok(Layout {
        container: container.name.clone(),
        apid,
        pus,
        fields,
        pinned,
        len,
        rate_ms: container.rate_ms.unwrap_or(config.period_ms).max(1),
        structure_id,
    })
}

/// The values restriction criteria require (equality, inequality and order comparisons with
/// literals, all of them ANDed); anything else cannot be satisfied statically.
fn pin(
    model: &MissionModel,
    config: &SimConfig,
    criteria: &Criteria,
    out: &mut Vec<(QualifiedName, i64)>,
) -> Result<(), String> {
    match criteria {
        Criteria::All(items) => items.iter().try_for_each(|item| pin(model, config, item, out)),
        Criteria::Compare(comparison) => {
            let name = &comparison.left.parameter;
            let Operand::Value(text) = &comparison.right else {
                return Err(format!("restriction compares `{name}` with another parameter"));
            };
            if comparison.left.member_path.is_some() {
                return Err(format!("restriction on a member of `{name}`"));
            }
            let value = crate::values::literal(model, name, text)?;
            let wanted = match comparison.op {
                ComparisonOp::Eq | ComparisonOp::Le | ComparisonOp::Ge => value,
                ComparisonOp::Lt => value - 1,
                ComparisonOp::Gt => value + 1,
                ComparisonOp::Ne if i64::from(config.apid_default) != value => i64::from(config.apid_default),
                ComparisonOp::Ne => value + 1,
            };
            out.push((name.clone(), wanted));
            Ok(())
        }
        Criteria::Any(_) | Criteria::Not(_) => Err("restriction with OR or NOT".into()),
    }
}
