//! Parameter and argument types: the kind of each `*ParameterType` / `*ArgumentType`, with
//! `baseType` inheritance (copy the base, then override what the derived type states).

use super::calib_alarm;
use super::compound;
use super::cx::{description, elements, local, Cx, Res};
use super::encoding;
use super::index::{Def, DefKind};
use super::names::resolve_attr;
use super::NESTING_MAX;
use model::{DataType, EnumValue, Epoch, ItemKind, QualifiedName, Range, TimeEncoding, TypeKind};
use roxmltree::Node;
use std::collections::HashMap;

/// Builds types on demand, so a base type (possibly in another file) is built first.
pub struct TypeBuilder<'d, 'a, 'i> {
    defs: HashMap<(ItemKind, QualifiedName), &'d Def<'a, 'i>>,
    built: HashMap<(ItemKind, QualifiedName), Option<DataType>>,
    in_progress: Vec<(ItemKind, QualifiedName)>,
}

impl<'d, 'a, 'i> TypeBuilder<'d, 'a, 'i> {
    /// A builder over every type definition.
    pub fn new(defs: &'d [Def<'a, 'i>]) -> Self {
        let defs = defs
            .iter()
            .filter(|def| matches!(def.kind, DefKind::ParameterType | DefKind::ArgumentType))
            .map(|def| (def.key(), def))
            .collect();
        TypeBuilder { defs, built: HashMap::new(), in_progress: Vec::new() }
    }

    /// The type `key`, or `None` when it had an error (reported).
    pub fn build(&mut self, cx: &mut Cx, key: (ItemKind, QualifiedName), depth: usize) -> Option<DataType> {
        if let Some(done) = self.built.get(&key) {
            return done.clone();
        }
        let def = *self.defs.get(&key)?;
        if depth >= NESTING_MAX || self.in_progress.contains(&key) {
            cx.file = def.file;
            cx.attr_error(def.node, "baseType", "baseType chain loops or is deeper than 64 types");
            self.built.insert(key, None);
            return None;
        }
        self.in_progress.push(key.clone());
        let base = match def.node.attribute("baseType") {
            None => Ok(None),
            Some(_) => {
                cx.file = def.file;
                match resolve_attr(cx, def.node, "baseType", key.0, &def.space) {
                    Ok(base_name) => self.build(cx, (key.0, base_name), depth + 1).map(Some).ok_or(super::cx::Reported),
                    Err(reported) => Err(reported),
                }
            }
        };
        cx.file = def.file;
        let data_type = base.and_then(|base| data_type(cx, def, key.0, base)).ok();
        self.in_progress.pop();
        self.built.insert(key, data_type.clone());
        data_type
    }
}

/// The kind word of a type element (`Integer` for `IntegerParameterType`).
fn kind_word<'a>(node: Node<'a, '_>) -> &'a str {
    let name = local(node);
    name.strip_suffix("ParameterType").or_else(|| name.strip_suffix("ArgumentType")).unwrap_or(name)
}

fn data_type(cx: &mut Cx, def: &Def<'_, '_>, kind: ItemKind, base: Option<DataType>) -> Res<DataType> {
    let node = def.node;
    let word = kind_word(node);
    let mut data_type = match base {
        Some(base) if same_kind(&base.kind, word) => base,
        // A type of another kind as base (an enumeration over `/dt/uint8`): keep its
        // encoding, unit and description, take this kind.
        Some(base) => DataType { kind: default_kind(cx, node, word)?, ..base },
        None => DataType::new(default_kind(cx, node, word)?),
    };
    if let Some(text) = description(node) {
        data_type.description = Some(text);
    }
    let space = &def.space;
    // What cannot be read is reported and left at its default: the type stays, so the
    // parameters using it still resolve.
    let _ = kind_attributes(cx, node, &mut data_type.kind);
    for item in elements(node) {
        let _read: Res<()> = match local(item) {
            "UnitSet" => {
                let units: Vec<&str> = elements(item).filter_map(|unit| unit.text()).map(str::trim).collect();
                data_type.unit = (!units.is_empty()).then(|| units.join(" "));
                Ok(())
            }
            "ValidRange" => valid_range(cx, item, &mut data_type.kind),
            "ValidRangeSet" => elements(item).try_for_each(|range| valid_range(cx, range, &mut data_type.kind)),
            "SizeRangeInCharacters" | "SizeRangeInBytes" => size_range(cx, item, &mut data_type.kind),
            "IntegerDataEncoding" | "FloatDataEncoding" | "StringDataEncoding" | "BinaryDataEncoding" => {
                encoding::encoding(cx, item, space, &mut data_type)
            }
            "Encoding" => compound::time_encoding(cx, item, space, &mut data_type),
            "ReferenceTime" => compound::reference_time(cx, item, space, &mut data_type.kind),
            "EnumerationList" => enumeration_list(cx, item, &mut data_type.kind),
            "MemberList" => compound::member_list(cx, item, kind, space, &mut data_type.kind),
            "DimensionList" => compound::dimension_list(cx, item, space, &mut data_type.kind),
            "DefaultAlarm" => calib_alarm::default_alarm(cx, item, &mut data_type),
            "ContextAlarmList" => calib_alarm::context_alarms(cx, item, space, &mut data_type),
            "AliasSet" => Err(cx.unsupported(item, "aliases of a type are not kept by the model")),
            _ => {
                cx.unhandled(item);
                Ok(())
            }
        };
    }
    if let TypeKind::Array { element_type, .. } = &mut data_type.kind {
        if node.attribute("arrayTypeRef").is_some() {
            if let Ok(name) = resolve_attr(cx, node, "arrayTypeRef", kind, space) {
                *element_type = name;
            }
        } else if *element_type == QualifiedName::root() {
            cx.error(node, "an array type needs arrayTypeRef");
        }
    }
    Ok(data_type)
}

fn same_kind(kind: &TypeKind, word: &str) -> bool {
    kind_name(kind) == word
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Integer { .. } => "Integer",
        TypeKind::Float { .. } => "Float",
        TypeKind::Boolean { .. } => "Boolean",
        TypeKind::Enumerated { .. } => "Enumerated",
        TypeKind::String { .. } => "String",
        TypeKind::Binary { .. } => "Binary",
        TypeKind::AbsoluteTime { .. } => "AbsoluteTime",
        TypeKind::RelativeTime { .. } => "RelativeTime",
        TypeKind::Array { .. } => "Array",
        TypeKind::Aggregate { .. } => "Aggregate",
    }
}

/// The kind a type of this element has before its attributes and children are read.
fn default_kind(cx: &mut Cx, node: Node<'_, '_>, word: &str) -> Res<TypeKind> {
    let seconds = TimeEncoding::Scaled { scale: 1.0, offset: 0.0 };
    Ok(match word {
        "Integer" => TypeKind::Integer { signed: true, size_bits: 32, valid_range: None },
        "Float" => TypeKind::Float { size_bits: 64, valid_range: None },
        "Boolean" => TypeKind::Boolean { one: "True".into(), zero: "False".into() },
        "Enumerated" => TypeKind::Enumerated { values: Vec::new() },
        "String" => TypeKind::String { length_range: None },
        "Binary" => TypeKind::Binary { length_range: None },
        "AbsoluteTime" => TypeKind::AbsoluteTime { epoch: Epoch::Tai, time: seconds },
        "RelativeTime" => TypeKind::RelativeTime { time: seconds },
        "Array" => TypeKind::Array { element_type: QualifiedName::root(), dimensions: Vec::new() },
        "Aggregate" => TypeKind::Aggregate { members: Vec::new() },
        _ => return Err(cx.unsupported(node, format!("`{}` is not a type the model knows", local(node)))),
    })
}

fn kind_attributes(cx: &mut Cx, node: Node<'_, '_>, kind: &mut TypeKind) -> Res<()> {
    match kind {
        TypeKind::Integer { signed, size_bits, .. } => {
            *signed = cx.flag(node, "signed", *signed)?;
            *size_bits = integer_size(cx, node, "sizeInBits", *size_bits)?;
        }
        TypeKind::Float { size_bits, .. } => {
            let size = cx.num(node, "sizeInBits", *size_bits)?;
            if ![32, 64, 128].contains(&size) {
                return Err(cx.attr_error(node, "sizeInBits", format!("{size} is not 32, 64 or 128")));
            }
            *size_bits = size;
        }
        TypeKind::Boolean { one, zero } => {
            if let Some(text) = node.attribute("oneStringValue") {
                *one = text.to_string();
            }
            if let Some(text) = node.attribute("zeroStringValue") {
                *zero = text.to_string();
            }
        }
        _ => {}
    }
    Ok(())
}

/// An integer size attribute: 1 to 64 bits.
pub fn integer_size(cx: &mut Cx, node: Node<'_, '_>, attr: &str, default: u8) -> Res<u8> {
    let size: i64 = cx.num(node, attr, i64::from(default))?;
    match u8::try_from(size) {
        Ok(size @ 1..=64) => Ok(size),
        _ => Err(cx.attr_error(node, attr, format!("{size} bits is not an integer size (1 to 64)"))),
    }
}

fn valid_range(cx: &mut Cx, node: Node<'_, '_>, kind: &mut TypeKind) -> Res<()> {
    let range = calib_alarm::range(cx, node)?;
    let calibrated = cx.flag(node, "validRangeAppliesToCalibrated", true)?;
    match kind {
        TypeKind::Integer { valid_range, .. } | TypeKind::Float { valid_range, .. } => {
            *valid_range = Some(Range { calibrated, ..range });
            Ok(())
        }
        _ => Err(cx.unsupported(node, "a valid range on a type that is not integer or float")),
    }
}

fn size_range(cx: &mut Cx, node: Node<'_, '_>, kind: &mut TypeKind) -> Res<()> {
    let min = cx.num(node, "minInclusive", 0u32)?;
    let max = cx.num(node, "maxInclusive", u32::MAX)?;
    match kind {
        TypeKind::String { length_range } | TypeKind::Binary { length_range } => {
            *length_range = Some((min, max));
            Ok(())
        }
        _ => Err(cx.unsupported(node, "a size range on a type that is not string or binary")),
    }
}

fn enumeration_list(cx: &mut Cx, node: Node<'_, '_>, kind: &mut TypeKind) -> Res<()> {
    let TypeKind::Enumerated { values } = kind else {
        return Err(cx.unsupported(node, "an enumeration list on a type that is not enumerated"));
    };
    // A derived type's list replaces its base's.
    values.clear();
    let mut failed = false;
    for item in elements(node) {
        if local(item) != "Enumeration" {
            cx.unhandled(item);
            continue;
        }
        let value = cx.num(item, "value", 0i64);
        let max = cx.opt_num(item, "maxValue");
        let label = cx.req(item, "label");
        match (value, max, label) {
            (Ok(value), Ok(max), Ok(label)) => values.push(EnumValue {
                value,
                max: max.filter(|max| *max != value),
                label: label.to_string(),
                description: description(item),
            }),
            _ => failed = true,
        }
    }
    if failed {
        return Err(super::cx::Reported);
    }
    Ok(())
}
