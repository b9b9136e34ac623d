//! The parts of compound and time types: aggregate members, array dimensions, and the
//! encoding and reference time of time types.

use super::cx::{description, elements, local, Cx, Res};
use super::encoding;
use super::names::{resolve_attr, resolve_param};
use super::values;
use model::{DataType, Epoch, ItemKind, Member, QualifiedName, TimeEncoding, TypeKind};
use roxmltree::Node;

/// The members of an aggregate type (`MemberList`), replacing its base's.
pub fn member_list(
    cx: &mut Cx,
    node: Node<'_, '_>,
    kind: ItemKind,
    space: &QualifiedName,
    type_kind: &mut TypeKind,
) -> Res<()> {
    let TypeKind::Aggregate { members } = type_kind else {
        return Err(cx.unsupported(node, "a member list on a type that is not an aggregate"));
    };
    members.clear();
    let mut failed = false;
    for item in elements(node) {
        if local(item) != "Member" {
            cx.unhandled(item);
            continue;
        }
        let name = cx.req(item, "name");
        let type_ref = resolve_attr(cx, item, "typeRef", kind, space);
        match (name, type_ref) {
            (Ok(name), Ok(type_ref)) => {
                members.push(Member { name: name.to_string(), type_ref, description: description(item) })
            }
            _ => failed = true,
        }
    }
    if failed {
        return Err(super::cx::Reported);
    }
    Ok(())
}

/// The dimensions of an array type (`DimensionList`), replacing its base's.
pub fn dimension_list(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, kind: &mut TypeKind) -> Res<()> {
    let TypeKind::Array { dimensions, .. } = kind else {
        return Err(cx.unsupported(node, "a dimension list on a type that is not an array"));
    };
    dimensions.clear();
    for item in elements(node) {
        if local(item) != "Dimension" {
            cx.unhandled(item);
            continue;
        }
        let start = super::cx::child(item, "StartingIndex");
        let end = super::cx::child(item, "EndingIndex");
        let (Some(start), Some(end)) = (start, end) else {
            return Err(cx.error(item, "a Dimension needs StartingIndex and EndingIndex"));
        };
        let start = values::integer_value(cx, start, space)?;
        let end = values::integer_value(cx, end, space)?;
        dimensions.push(model::ArrayDimension { start, end });
    }
    Ok(())
}

/// `Encoding` of a time type: scale and offset over an integer or float encoding.
pub fn time_encoding(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, data_type: &mut DataType) -> Res<()> {
    let scale = cx.num(node, "scale", 1.0f64)?;
    let offset = cx.num(node, "offset", 0.0f64)?;
    let time_encoding = TimeEncoding::Scaled { scale, offset };
    match &mut data_type.kind {
        TypeKind::AbsoluteTime { time, .. } | TypeKind::RelativeTime { time } => *time = time_encoding,
        _ => return Err(cx.unsupported(node, "a time `Encoding` on a type that is not a time")),
    }
    if let Some(units) = node.attribute("units") {
        data_type.unit = Some(units.to_string());
    }
    for item in elements(node) {
        match local(item) {
            "IntegerDataEncoding" | "FloatDataEncoding" | "BinaryDataEncoding" | "StringDataEncoding" => {
                encoding::encoding(cx, item, space, data_type)?
            }
            _ => cx.unhandled(item),
        }
    }
    Ok(())
}

/// The epoch of an absolute time type (`ReferenceTime`: `Epoch` or `OffsetFrom`).
pub fn reference_time(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName, kind: &mut TypeKind) -> Res<()> {
    let TypeKind::AbsoluteTime { epoch, .. } = kind else {
        return Err(cx.unsupported(node, "a reference time on a type that is not an absolute time"));
    };
    for item in elements(node) {
        match local(item) {
            "Epoch" => {
                let text = item.text().unwrap_or_default().trim();
                *epoch = match text.to_ascii_uppercase().as_str() {
                    "TAI" => Epoch::Tai,
                    "J2000" => Epoch::J2000,
                    "UNIX" | "POSIX" => Epoch::Unix,
                    "GPS" => Epoch::Gps,
                    _ if looks_like_date(text) => Epoch::Date(text.to_string()),
                    _ => {
                        return Err(
                            cx.error(item, format!("`{text}` is not an epoch (TAI, J2000, UNIX, GPS or a date)"))
                        )
                    }
                };
            }
            "OffsetFrom" => {
                let param = resolve_param(cx, item, "parameterRef", space, true)?;
                *epoch = Epoch::OffsetFrom(param);
            }
            _ => cx.unhandled(item),
        }
    }
    Ok(())
}

/// `YYYY-MM-DD` optionally followed by a time.
fn looks_like_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes.iter().take(10).enumerate().all(|(idx, b)| match idx {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}
