//! Container layout checks: base chains that loop, entries that overlap or run past a
//! fixed-size container, and containers that cannot be told apart.

use super::{ItemKind, Sink, ValidationIssue, ValidationKind, NESTING_MAX};
use crate::{
    ContainerEntry, EntryKind, IntegerValue, LocationReference, MissionModel, QualifiedName, SequenceContainer,
    TypeKind,
};
use std::collections::BTreeMap;

/// Base chains of containers and commands must end.
pub(super) fn check_cycles(model: &MissionModel, issues: &mut Vec<ValidationIssue>) {
    for name in model.containers.keys() {
        let chain = follow(name, |n| model.containers.get(n).and_then(|c| c.base.clone()));
        if let Some(message) = chain {
            Sink { issues, item_kind: ItemKind::Container, item: name }.push(ValidationKind::Cycle, message);
        }
    }
    for name in model.commands.keys() {
        let chain = follow(name, |n| model.commands.get(n).and_then(|c| c.base.as_ref().map(|b| b.command.clone())));
        if let Some(message) = chain {
            Sink { issues, item_kind: ItemKind::Command, item: name }.push(ValidationKind::Cycle, message);
        }
    }
}

/// Follows `next` from `start`; a message when the chain comes back or is too deep.
fn follow(start: &QualifiedName, next: impl Fn(&QualifiedName) -> Option<QualifiedName>) -> Option<String> {
    let mut current = next(start)?;
    for _ in 0..NESTING_MAX {
        if &current == start {
            return Some(format!("base chain of `{start}` loops back to itself"));
        }
        current = next(&current)?;
    }
    Some(format!("base chain of `{start}` is deeper than {NESTING_MAX}"))
}

/// An entry's bits, from the start of the container chain.
#[derive(Clone, Debug)]
struct Span {
    label: String,
    start: i64,
    end: i64,
    /// Placed at the packet start (SCOS-2000 style).
    absolute: bool,
    /// Placed at an explicit position rather than right after the previous entry.
    explicit: bool,
}

/// Overlaps and entries past the end, per container (with its base chain's entries).
pub(super) fn check_layout(model: &MissionModel, issues: &mut Vec<ValidationIssue>) {
    let mut memo = BTreeMap::new();
    for (name, container) in &model.containers {
        let mut sink = Sink { issues, item_kind: ItemKind::Container, item: name };
        let (mut spans, mut cursor) = match &container.base {
            Some(base) => chain_layout(model, base, &mut memo, 0),
            None => (Vec::new(), Some(0)),
        };
        for entry in &container.entries {
            let placed = place(model, entry, cursor, &mut memo, 0);
            cursor = placed.cursor;
            let Some(span) = placed.span else { continue };
            for other in &spans {
                let both_absolute = span.absolute && other.absolute;
                if span.start < other.end && other.start < span.end && !both_absolute {
                    // An entry placed at an explicit position may overlay earlier ones on purpose
                    // (a count read over a length field); one that merely follows the previous
                    // entry must not run into bits another entry holds.
                    let (kind, verb) = if span.explicit {
                        (ValidationKind::Overlay, "overlays")
                    } else {
                        (ValidationKind::Overlap, "overlaps")
                    };
                    sink.push(
                        kind,
                        format!(
                            "entry `{}` (bits {}..{}) {verb} `{}` (bits {}..{})",
                            span.label, span.start, span.end, other.label, other.start, other.end
                        ),
                    );
                }
            }
            if let Some(size) = container.size_bits {
                if span.end > i64::from(size) {
                    sink.push(
                        ValidationKind::PastEnd,
                        format!("entry `{}` ends at bit {} but the container is {size} bits", span.label, span.end),
                    );
                }
            }
            spans.push(span);
        }
    }
}

/// The spans of a container's whole chain and where it ends, when that is fixed.
fn chain_layout(
    model: &MissionModel,
    name: &QualifiedName,
    memo: &mut BTreeMap<QualifiedName, (Vec<Span>, Option<i64>)>,
    depth: usize,
) -> (Vec<Span>, Option<i64>) {
    if let Some(done) = memo.get(name) {
        return done.clone();
    }
    let Some(container) = model.containers.get(name).filter(|_| depth < NESTING_MAX) else {
        return (Vec::new(), None);
    };
    let (mut spans, mut cursor) = match &container.base {
        Some(base) => chain_layout(model, base, memo, depth + 1),
        None => (Vec::new(), Some(0)),
    };
    for entry in &container.entries {
        let placed = place(model, entry, cursor, memo, depth + 1);
        cursor = placed.cursor;
        spans.extend(placed.span);
    }
    memo.insert(name.clone(), (spans.clone(), cursor));
    (spans, cursor)
}

struct Placed {
    span: Option<Span>,
    cursor: Option<i64>,
}

/// Where an entry lies after `cursor`, and where the next one starts.
fn place(
    model: &MissionModel,
    entry: &ContainerEntry,
    cursor: Option<i64>,
    memo: &mut BTreeMap<QualifiedName, (Vec<Span>, Option<i64>)>,
    depth: usize,
) -> Placed {
    let offset = entry.location.offset_bits;
    let start = match entry.location.reference {
        LocationReference::ContainerStart | LocationReference::PacketStart => Some(offset),
        LocationReference::PreviousEntry => cursor.map(|c| c + offset),
        LocationReference::ContainerEnd => None,
    };
    let (label, size) = match &entry.kind {
        EntryKind::Parameter(p) | EntryKind::ArrayParameter(p) => (p.local().to_string(), parameter_size(model, p)),
        EntryKind::Container(c) => {
            let size = if depth < NESTING_MAX { included_size(model, c, memo, depth) } else { None };
            (c.local().to_string(), size)
        }
        EntryKind::Fixed { size_bits, .. } => ("fixed value".to_string(), Some(i64::from(*size_bits))),
        EntryKind::Group { .. } => return Placed { span: None, cursor: None },
    };
    let size = match (&entry.repeat, size) {
        (None, size) => size,
        (Some(repeat), Some(size)) => match repeat.count {
            IntegerValue::Fixed(n) if n >= 1 => Some(n * size + (n - 1) * i64::from(repeat.offset_bits)),
            _ => None,
        },
        (Some(_), None) => None,
    };
    match (start, size) {
        // A conditional entry may be absent, so it neither overlaps nor fixes what follows.
        (Some(start), Some(size)) if entry.include_if.is_none() => Placed {
            span: Some(Span {
                label,
                start,
                end: start + size,
                absolute: entry.location.reference == LocationReference::PacketStart,
                explicit: entry.location.reference != LocationReference::PreviousEntry
                    || entry.location.offset_bits < 0,
            }),
            cursor: Some(start + size),
        },
        _ => Placed { span: None, cursor: None },
    }
}

/// The size of a container included by reference: where its own layout ends from 0.
fn included_size(
    model: &MissionModel,
    name: &QualifiedName,
    memo: &mut BTreeMap<QualifiedName, (Vec<Span>, Option<i64>)>,
    depth: usize,
) -> Option<i64> {
    chain_layout(model, name, memo, depth + 1).1
}

/// A parameter's fixed size in bits, when it has one.
pub(crate) fn parameter_size(model: &MissionModel, name: &QualifiedName) -> Option<i64> {
    let parameter = model.parameters.get(name)?;
    type_size(model, &parameter.type_ref, 0)
}

fn type_size(model: &MissionModel, name: &QualifiedName, depth: usize) -> Option<i64> {
    if depth > NESTING_MAX {
        return None;
    }
    let data_type = model.parameter_types.get(name)?;
    if let Some(encoding) = &data_type.encoding {
        return encoding.fixed_size_bits().map(i64::from);
    }
    match &data_type.kind {
        TypeKind::Aggregate { members } => {
            members.iter().map(|member| type_size(model, &member.type_ref, depth + 1)).sum()
        }
        TypeKind::Array { element_type, dimensions } => {
            let element = type_size(model, element_type, depth + 1)?;
            let mut count = 1i64;
            for dimension in dimensions {
                match (&dimension.start, &dimension.end) {
                    (IntegerValue::Fixed(start), IntegerValue::Fixed(end)) if end >= start => {
                        count = count.checked_mul(end - start + 1)?
                    }
                    _ => return None,
                }
            }
            element.checked_mul(count)
        }
        _ => None,
    }
}

/// Two concrete containers with the same base and the same restriction, or the same PUS
/// identification, cannot be told apart.
pub(super) fn check_identification(model: &MissionModel, issues: &mut Vec<ValidationIssue>) {
    let mut by_restriction: BTreeMap<&QualifiedName, Vec<&SequenceContainer>> = BTreeMap::new();
    let mut by_pus: BTreeMap<PusKey, &SequenceContainer> = BTreeMap::new();
    for container in model.containers.values().filter(|c| !c.r#abstract) {
        let mut ambiguous_with = |first: &QualifiedName, how: &str| {
            Sink { issues, item_kind: ItemKind::Container, item: &container.name }.push(
                ValidationKind::AmbiguousIdentification,
                format!("has the same {how} as `{first}`: a packet could be either"),
            )
        };
        if let (Some(base), Some(restriction)) = (&container.base, &container.restriction) {
            let siblings = by_restriction.entry(base).or_default();
            if let Some(first) = siblings.iter().find(|s| s.restriction.as_ref() == Some(restriction)) {
                ambiguous_with(&first.name, "base and restriction criteria");
            }
            siblings.push(container);
        }
        if let Some(key) = pus_key(container) {
            match by_pus.get(&key) {
                Some(first) => ambiguous_with(&first.name, "PUS identification"),
                None => {
                    by_pus.insert(key, container);
                }
            }
        }
    }
}

type PusKey = (u16, u8, u8, Option<i64>, Option<i64>);

fn pus_key(container: &SequenceContainer) -> Option<PusKey> {
    container.pus.as_ref().map(|pus| {
        (pus.apid, pus.service, pus.subtype, pus.pi1.as_ref().map(|pi| pi.value), pus.pi2.as_ref().map(|pi| pi.value))
    })
}
