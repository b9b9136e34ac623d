//! The first pass: walks each file's SpaceSystem tree and indexes every definition by its
//! qualified name, reporting duplicates (within a file or across files) with both places.

use super::cx::{aliases, child, description, elements, label, local, Cx};
use super::names::child_name;
use super::NESTING_MAX;
use model::{ItemKind, QualifiedName, SpaceSystem};
use roxmltree::{Document, Node};

/// What a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefKind {
    SpaceSystem,
    ParameterType,
    Parameter,
    Container,
    /// A `CommandContainer` of a `CommandContainerSet`: kept as a container.
    CommandContainer,
    ArgumentType,
    Command,
    MathAlgorithm,
    /// Not runnable by the model: reported, its output kept as derived.
    CustomAlgorithm,
}

impl DefKind {
    /// The model's kind of item, for those the model holds.
    pub fn item_kind(self) -> Option<ItemKind> {
        Some(match self {
            DefKind::SpaceSystem => ItemKind::SpaceSystem,
            DefKind::ParameterType => ItemKind::ParameterType,
            DefKind::Parameter => ItemKind::Parameter,
            DefKind::Container | DefKind::CommandContainer => ItemKind::Container,
            DefKind::ArgumentType => ItemKind::ArgumentType,
            DefKind::Command => ItemKind::Command,
            DefKind::MathAlgorithm => ItemKind::Algorithm,
            DefKind::CustomAlgorithm => return None,
        })
    }
}

/// One definition: its kind, qualified name, and the space system its references start in.
#[derive(Clone, Debug)]
pub struct Def<'a, 'i> {
    pub kind: DefKind,
    pub name: QualifiedName,
    pub file: usize,
    pub space: QualifiedName,
    pub node: Node<'a, 'i>,
}

impl Def<'_, '_> {
    /// The key of a type definition for the type builder.
    pub fn key(&self) -> (ItemKind, QualifiedName) {
        let kind = self.kind.item_kind().unwrap_or(ItemKind::ParameterType);
        (kind, self.name.clone())
    }
}

/// Indexes one parsed file.
pub fn index_document<'a, 'i>(cx: &mut Cx, doc: &'a Document<'i>, defs: &mut Vec<Def<'a, 'i>>) {
    let root = doc.root_element();
    if local(root) != "SpaceSystem" {
        let namespace = root.tag_name().namespace().map(|ns| format!(" in namespace `{ns}`"));
        let hint = if matches!(label(root), "DataSheet" | "PackageFile" | "DesignParameters") {
            " (it looks like CCSDS SEDS)"
        } else {
            ""
        };
        cx.error(
            root,
            format!(
                "not XTCE: the root element is `{}`{}{hint}, not `SpaceSystem`",
                label(root),
                namespace.unwrap_or_default()
            ),
        );
        return;
    }
    space_system_defs(cx, root, &QualifiedName::root(), 0, defs);
}

fn space_system_defs<'a, 'i>(
    cx: &mut Cx,
    node: Node<'a, 'i>,
    parent: &QualifiedName,
    depth: usize,
    defs: &mut Vec<Def<'a, 'i>>,
) {
    if depth >= NESTING_MAX {
        cx.error(node, format!("space systems nested deeper than {NESTING_MAX} levels"));
        return;
    }
    let Some(space) = define(cx, node, parent, DefKind::SpaceSystem, defs) else {
        return;
    };
    for section in elements(node) {
        match local(section) {
            "SpaceSystem" => space_system_defs(cx, section, &space, depth + 1, defs),
            "TelemetryMetaData" | "CommandMetaData" => section_defs(cx, section, &space, defs),
            "AliasSet" => {}
            _ => cx.unhandled(section),
        }
    }
}

fn section_defs<'a, 'i>(cx: &mut Cx, section: Node<'a, 'i>, space: &QualifiedName, defs: &mut Vec<Def<'a, 'i>>) {
    for set in elements(section) {
        let set_name = local(set);
        if !SETS.contains(&set_name) {
            cx.unhandled(set);
            continue;
        }
        for item in elements(set) {
            let kind = match (set_name, local(item)) {
                ("ParameterTypeSet", name) if name.ends_with("ParameterType") => DefKind::ParameterType,
                ("ArgumentTypeSet", name) if name.ends_with("ArgumentType") => DefKind::ArgumentType,
                ("ParameterSet", "Parameter") => DefKind::Parameter,
                ("ContainerSet", "SequenceContainer") => DefKind::Container,
                ("CommandContainerSet", "CommandContainer") => DefKind::CommandContainer,
                ("MetaCommandSet", "MetaCommand") => DefKind::Command,
                ("AlgorithmSet", "MathAlgorithm") => DefKind::MathAlgorithm,
                ("AlgorithmSet", "CustomAlgorithm") => DefKind::CustomAlgorithm,
                _ => {
                    cx.unhandled(item);
                    continue;
                }
            };
            let defined = define(cx, item, space, kind, defs);
            if let (Some(command), DefKind::Command) = (defined, kind) {
                let container = child(item, "CommandContainer").and_then(|c| c.attribute("name"));
                if let Some(container) = container.and_then(|name| child_name(space, name.trim())) {
                    cx.names.define_command_container(container, command);
                }
            }
        }
    }
}

/// The sets of definitions the importer reads.
const SETS: [&str; 7] = [
    "ParameterTypeSet",
    "ArgumentTypeSet",
    "ParameterSet",
    "ContainerSet",
    "CommandContainerSet",
    "MetaCommandSet",
    "AlgorithmSet",
];

/// Indexes one named definition in space system `parent`; `None` (reported) when its name is
/// bad or taken.
fn define<'a, 'i>(
    cx: &mut Cx,
    node: Node<'a, 'i>,
    parent: &QualifiedName,
    kind: DefKind,
    defs: &mut Vec<Def<'a, 'i>>,
) -> Option<QualifiedName> {
    let raw = cx.req(node, "name").ok()?;
    let Some(name) = child_name(parent, raw.trim()) else {
        cx.attr_error(node, "name", format!("`{raw}` is not a valid name (empty, `.`, `..` or holds `/`)"));
        return None;
    };
    let place = cx.place(node);
    // Custom algorithms share the algorithm namespace so a duplicate is still caught.
    let item_kind = kind.item_kind().unwrap_or(ItemKind::Algorithm);
    if let Err(earlier) = cx.names.define(item_kind, name.clone(), place) {
        let message = format!("{item_kind} `{name}` is defined twice: here and at {earlier}");
        cx.attr_error(node, "name", message);
        return None;
    }
    // References inside a space system start from it; inside an item, from its parent.
    let space = if kind == DefKind::SpaceSystem { name.clone() } else { parent.clone() };
    defs.push(Def { kind, name: name.clone(), file: cx.file, space, node });
    Some(name)
}

/// A space system's header information.
pub fn space_system(node: Node<'_, '_>) -> SpaceSystem {
    SpaceSystem {
        description: description(node),
        version: child(node, "Header").and_then(|header| header.attribute("version")).map(str::to_string),
        aliases: aliases(node),
    }
}
