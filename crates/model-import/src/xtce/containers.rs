//! Parameters and sequence containers: entries with their location, repeat and include
//! condition; base containers with restriction criteria.

use super::criteria::{criteria_among, match_criteria, CRITERIA_ELEMENTS};
use super::cx::{aliases, child, description, elements, local, Cx, Res};
use super::encoding::parse_hex;
use super::index::Def;
use super::names::resolve_attr;
use super::values::integer_value;
use model::{
    ContainerEntry, Criteria, DataSource, EntryKind, EntryLocation, IntegerValue, ItemKind, LocationReference,
    Parameter, QualifiedName, Repeat, SequenceContainer,
};
use roxmltree::Node;

/// A `Parameter`.
pub fn parameter(cx: &mut Cx, def: &Def<'_, '_>) -> Option<Parameter> {
    let node = def.node;
    let type_ref = resolve_attr(cx, node, "parameterTypeRef", ItemKind::ParameterType, &def.space);
    let mut parameter = Parameter {
        name: def.name.clone(),
        type_ref: QualifiedName::root(),
        description: description(node),
        aliases: aliases(node),
        data_source: DataSource::Telemetered,
        read_only: false,
        validity: None,
        initial_value: node.attribute("initialValue").map(str::to_string),
    };
    for item in elements(node) {
        match local(item) {
            "ParameterProperties" => {
                let _ = properties(cx, item, &def.space, &mut parameter);
            }
            "AliasSet" => {}
            _ => cx.unhandled(item),
        }
    }
    parameter.type_ref = type_ref.ok()?;
    Some(parameter)
}

fn properties(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, parameter: &mut Parameter) -> Res<()> {
    parameter.data_source = match node.attribute("dataSource").map(str::trim) {
        None | Some("telemetered") => DataSource::Telemetered,
        Some("derived") => DataSource::Derived,
        Some("constant") => DataSource::Constant,
        Some("local") => DataSource::Local,
        Some("ground") => DataSource::Ground,
        Some(other) => {
            return Err(cx.attr_error(node, "dataSource", format!("`{other}` is not a data source")));
        }
    };
    parameter.read_only = cx.flag(node, "readOnly", false)?;
    for item in elements(node) {
        match local(item) {
            "ValidityCondition" => parameter.validity = Some(match_criteria(cx, item, space, 0)?),
            // Descriptive: the subsystem that produces the parameter.
            "SystemName" => {}
            _ => cx.unhandled(item),
        }
    }
    Ok(())
}

/// A `SequenceContainer` (or a `CommandContainer` of a `CommandContainerSet`).
pub fn container(cx: &mut Cx, def: &Def<'_, '_>) -> Option<SequenceContainer> {
    let node = def.node;
    let space = &def.space;
    let mut container = SequenceContainer::new(def.name.clone());
    container.description = description(node);
    container.aliases = aliases(node);
    // What cannot be read is reported and left out; the container stays so references to
    // it still resolve.
    container.r#abstract = cx.flag(node, "abstract", false).unwrap_or(false);
    for item in elements(node) {
        let _read: Res<()> = match local(item) {
            "EntryList" => entry_list(cx, item, space).map(|entries| container.entries = entries),
            "BaseContainer" => base_container(cx, item, space).map(|(base, restriction)| {
                container.base = Some(base);
                container.restriction = restriction;
            }),
            "BinaryEncoding" => binary_size(cx, item, space).map(|size| container.size_bits = Some(size)),
            "DefaultRateInStream" => rate_ms(cx, item).map(|rate| container.rate_ms = rate),
            "AliasSet" => Ok(()),
            _ => {
                cx.unhandled(item);
                Ok(())
            }
        };
    }
    Some(container)
}

/// `BaseContainer containerRef` with its optional `RestrictionCriteria`.
pub fn base_container(
    cx: &mut Cx,
    node: Node<'_, '_>,
    space: &QualifiedName,
) -> Res<(QualifiedName, Option<Criteria>)> {
    let base = resolve_attr(cx, node, "containerRef", ItemKind::Container, space)?;
    let mut restriction = None;
    for item in elements(node) {
        if local(item) != "RestrictionCriteria" {
            cx.unhandled(item);
            continue;
        }
        if let Some(next) = child(item, "NextContainer") {
            cx.unsupported(
                next,
                "NextContainer (stream-level container chaining) is not supported by the model; ignored",
            );
        }
        let has_criteria = elements(item).any(|c| CRITERIA_ELEMENTS.contains(&local(c)));
        if has_criteria {
            restriction = Some(criteria_among(cx, item, space, 0, &["NextContainer"])?);
        }
    }
    Ok((base, restriction))
}

fn binary_size(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<u32> {
    let Some(size) = child(node, "SizeInBits") else {
        return Err(cx.error(node, "a BinaryEncoding needs SizeInBits"));
    };
    match integer_value(cx, size, space)? {
        IntegerValue::Fixed(bits) => {
            u32::try_from(bits).map_err(|_| cx.error(size, format!("{bits} is not a size in bits")))
        }
        _ => Err(cx.unsupported(size, "a container size that is not fixed is not supported by the model; ignored")),
    }
}

/// `DefaultRateInStream minimumValue` (packets per second) as a period in milliseconds.
fn rate_ms(cx: &mut Cx, node: Node<'_, '_>) -> Res<Option<u64>> {
    if node.attribute("basis").is_some_and(|basis| basis.trim() != "perSecond") {
        return Err(cx.unsupported(node, "a rate per container update is not supported by the model; ignored"));
    }
    let per_second: Option<f64> = cx.opt_num(node, "minimumValue")?;
    let per_second = match per_second {
        Some(rate) => Some(rate),
        None => cx.opt_num(node, "maximumValue")?,
    };
    Ok(per_second.filter(|rate| *rate > 0.0 && rate.is_finite()).map(|rate| (1000.0 / rate).round() as u64))
}

fn entry_list(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Vec<ContainerEntry>> {
    let mut entries = Vec::new();
    for item in elements(node) {
        let kind = match local(item) {
            "ParameterRefEntry" => {
                resolve_attr(cx, item, "parameterRef", ItemKind::Parameter, space).map(EntryKind::Parameter)
            }
            "ArrayParameterRefEntry" => {
                resolve_attr(cx, item, "parameterRef", ItemKind::Parameter, space).map(EntryKind::ArrayParameter)
            }
            "ContainerRefEntry" => {
                resolve_attr(cx, item, "containerRef", ItemKind::Container, space).map(EntryKind::Container)
            }
            "FixedValueEntry" => fixed_value(cx, item).map(|(size_bits, value)| EntryKind::Fixed { size_bits, value }),
            _ => {
                cx.unsupported(
                    item,
                    format!("`{}` entries are not supported by the model; the entry is dropped", local(item)),
                );
                continue;
            }
        };
        let extras = entry_extras(cx, item, space);
        match (kind, extras) {
            (Ok(kind), Ok(extras)) => entries.push(ContainerEntry {
                kind,
                location: extras.location,
                repeat: extras.repeat,
                include_if: extras.include_if,
            }),
            // Reported; the other entries are kept.
            (Err(_), _) | (_, Err(_)) => {}
        }
    }
    Ok(entries)
}

/// `FixedValueEntry sizeInBits binaryValue`: the size and the value's bytes.
pub fn fixed_value(cx: &mut Cx, node: Node<'_, '_>) -> Res<(u32, Option<Vec<u8>>)> {
    let value = match node.attribute("binaryValue") {
        None => None,
        Some(text) => Some(
            parse_hex(text.trim())
                .ok_or_else(|| cx.attr_error(node, "binaryValue", format!("`{text}` is not hexadecimal")))?,
        ),
    };
    let size_bits: u32 = match (cx.opt_num(node, "sizeInBits")?, &value) {
        (Some(size_bits), _) => size_bits,
        (None, Some(bytes)) => {
            let size_bits = u32::try_from(bytes.len() * 8).unwrap_or(u32::MAX);
            cx.warning(node, format!("no sizeInBits; taken from binaryValue as {size_bits} bits"));
            size_bits
        }
        (None, None) => return Err(cx.error(node, "a FixedValueEntry needs sizeInBits or binaryValue")),
    };
    if size_bits == 0 {
        return Err(cx.attr_error(node, "sizeInBits", "a fixed value entry needs a size in bits above 0"));
    }
    Ok((size_bits, value))
}

/// Where an entry sits, how it repeats and when it is included.
pub struct EntryExtras {
    pub location: EntryLocation,
    pub repeat: Option<Repeat>,
    pub include_if: Option<Criteria>,
}

/// Reads `LocationInContainerInBits`, `RepeatEntry` and `IncludeCondition` of an entry.
pub fn entry_extras(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<EntryExtras> {
    let mut extras = EntryExtras { location: EntryLocation::NEXT, repeat: None, include_if: None };
    for item in elements(node) {
        match local(item) {
            "LocationInContainerInBits" => extras.location = location(cx, item, space)?,
            "RepeatEntry" => extras.repeat = Some(repeat(cx, item, space)?),
            "IncludeCondition" => extras.include_if = Some(match_criteria(cx, item, space, 0)?),
            "DimensionList" if local(node) == "ArrayParameterRefEntry" => {
                cx.unsupported(
                    item,
                    "a per-entry dimension list is not supported by the model; the array type's dimensions apply",
                );
            }
            _ => cx.unhandled(item),
        }
    }
    Ok(extras)
}

fn location(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<EntryLocation> {
    let reference = match node.attribute("referenceLocation").map(str::trim) {
        None | Some("previousEntry") => LocationReference::PreviousEntry,
        Some("containerStart") => LocationReference::ContainerStart,
        Some("containerEnd") => LocationReference::ContainerEnd,
        Some(other @ "nextEntry") => {
            let message = format!("location relative to `{other}` is not supported by the model; the entry is dropped");
            return Err(cx.unsupported(node, message));
        }
        Some(other) => {
            return Err(cx.attr_error(node, "referenceLocation", format!("`{other}` is not a reference location")));
        }
    };
    match integer_value(cx, node, space)? {
        IntegerValue::Fixed(offset_bits) => Ok(EntryLocation { reference, offset_bits }),
        _ => Err(cx.unsupported(node, "a dynamic entry location is not supported by the model; the entry is dropped")),
    }
}

fn repeat(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Repeat> {
    let Some(count) = child(node, "Count") else {
        return Err(cx.error(node, "a RepeatEntry needs a Count"));
    };
    let count = integer_value(cx, count, space)?;
    let offset_bits = match child(node, "Offset") {
        None => 0,
        Some(offset) => match integer_value(cx, offset, space)? {
            IntegerValue::Fixed(bits) => {
                u32::try_from(bits).map_err(|_| cx.error(offset, format!("{bits} is not an offset in bits")))?
            }
            _ => return Err(cx.unsupported(offset, "a dynamic repeat offset is not supported by the model")),
        },
    };
    for item in elements(node) {
        if !matches!(local(item), "Count" | "Offset") {
            cx.unhandled(item);
        }
    }
    Ok(Repeat { count, offset_bits })
}
