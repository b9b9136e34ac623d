//! The name index and XTCE reference resolution: absolute paths, relative paths with `..`,
//! and bare names looked up in the current space system, then in each ancestor.

use super::cx::{Cx, Res};
use super::NESTING_MAX;
use crate::Place;
use model::{ItemKind, ParamRef, QualifiedName};
use roxmltree::Node;
use std::collections::HashMap;

/// Longest reference resolved; a longer one is an error (resolution walks it per ancestor).
pub const REFERENCE_LEN_MAX: usize = 4096;

/// Every defined item, by kind and qualified name, with where it is defined.
#[derive(Debug, Default)]
pub struct Names {
    defined: HashMap<(ItemKind, QualifiedName), Place>,
    /// The `CommandContainer` of each meta-command, by its qualified name: the command.
    command_containers: HashMap<QualifiedName, QualifiedName>,
}

impl Names {
    /// Records a definition; returns the earlier place when the name is already defined.
    pub fn define(&mut self, kind: ItemKind, name: QualifiedName, place: Place) -> Result<(), Place> {
        match self.defined.get(&(kind, name.clone())) {
            Some(earlier) => Err(earlier.clone()),
            None => {
                self.defined.insert((kind, name), place);
                Ok(())
            }
        }
    }

    /// Whether an item of this kind has this name.
    pub fn has(&self, kind: ItemKind, name: &QualifiedName) -> bool {
        self.defined.contains_key(&(kind, name.clone()))
    }

    /// Records the command container `container` of meta-command `command`.
    pub fn define_command_container(&mut self, container: QualifiedName, command: QualifiedName) {
        self.command_containers.entry(container).or_insert(command);
    }

    /// The meta-command whose `CommandContainer` `reference` names, seen from `space`.
    pub fn resolve_command_container(&self, space: &QualifiedName, reference: &str) -> Option<QualifiedName> {
        let name = resolve_with(space, reference, |name| self.command_containers.contains_key(name))?;
        self.command_containers.get(&name).cloned()
    }

    /// Resolves `reference`, written in space system `space`, to a defined item of `kind`.
    pub fn resolve(&self, kind: ItemKind, space: &QualifiedName, reference: &str) -> Option<QualifiedName> {
        resolve_with(space, reference, |name| self.has(kind, name))
    }
}

/// Resolves `reference` from `space` to the first candidate name that `exists`.
fn resolve_with(
    space: &QualifiedName,
    reference: &str,
    exists: impl Fn(&QualifiedName) -> bool,
) -> Option<QualifiedName> {
    let reference = reference.trim();
    if reference.starts_with('/') {
        return normalize(&QualifiedName::root(), reference).filter(|name| exists(name));
    }
    // A relative reference is looked up from the current space system, then from each
    // ancestor (XTCE's rule for bare names; tools apply it to relative paths too).
    let mut base = space.clone();
    loop {
        if let Some(name) = normalize(&base, reference).filter(|name| exists(name)) {
            return Some(name);
        }
        if base == QualifiedName::root() {
            return None;
        }
        base = base.parent();
    }
}

/// `base` joined with a path that may hold `.` and `..` segments; `None` when it leaves the
/// root or has an empty segment.
pub fn normalize(base: &QualifiedName, path: &str) -> Option<QualifiedName> {
    let mut segments: Vec<&str> =
        if path.starts_with('/') { Vec::new() } else { base.as_str().split('/').filter(|s| !s.is_empty()).collect() };
    let rest = path.strip_prefix('/').unwrap_or(path);
    for segment in rest.split('/') {
        match segment {
            "" => return None,
            "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    QualifiedName::parse(&format!("/{}", segments.join("/")))
}

/// `space/name` for a definition's `name` attribute; `None` when it is not one segment.
pub fn child_name(space: &QualifiedName, name: &str) -> Option<QualifiedName> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return None;
    }
    normalize(space, name)
}

/// Resolves attribute `attr` of `node` to an item of `kind`, or reports it undefined.
pub fn resolve_attr(
    cx: &mut Cx,
    node: Node<'_, '_>,
    attr: &str,
    kind: ItemKind,
    space: &QualifiedName,
) -> Res<QualifiedName> {
    let reference = cx.req(node, attr)?;
    resolve_text(cx, node, attr, reference, kind, space)
}

/// Resolves `reference` (from attribute `attr` of `node`) to an item of `kind`.
pub fn resolve_text(
    cx: &mut Cx,
    node: Node<'_, '_>,
    attr: &str,
    reference: &str,
    kind: ItemKind,
    space: &QualifiedName,
) -> Res<QualifiedName> {
    if is_yamcs_system(reference) {
        return Err(yamcs_system(cx, node, reference));
    }
    if reference.len() > REFERENCE_LEN_MAX {
        return Err(cx.attr_error(node, attr, format!("a reference longer than {REFERENCE_LEN_MAX} bytes")));
    }
    match cx.names.resolve(kind, space, reference) {
        Some(name) => Ok(name),
        None => Err(cx.attr_error(node, attr, format!("{kind} `{reference}` is not defined (from {space})"))),
    }
}

/// Whether a reference names one of Yamcs' system namespaces (`/yamcs/cmd/arg/...`).
pub fn is_yamcs_system(reference: &str) -> bool {
    reference.trim().starts_with("/yamcs/")
}

fn yamcs_system(cx: &mut Cx, node: Node<'_, '_>, reference: &str) -> super::cx::Reported {
    cx.unsupported(
        node,
        format!("`{reference}` is a Yamcs system parameter (command argument or history), which the model cannot refer to; the construct using it is dropped"),
    )
}

/// Resolves a parameter reference that may end in a member path (`p.member`, `p[3]`).
pub fn resolve_param(
    cx: &mut Cx,
    node: Node<'_, '_>,
    attr: &str,
    space: &QualifiedName,
    use_calibrated: bool,
) -> Res<ParamRef> {
    let reference = cx.req(node, attr)?.trim();
    if is_yamcs_system(reference) {
        return Err(yamcs_system(cx, node, reference));
    }
    if reference.len() > REFERENCE_LEN_MAX {
        return Err(cx.attr_error(node, attr, format!("a reference longer than {REFERENCE_LEN_MAX} bytes")));
    }
    let instance = cx.num(node, "instance", 0i32)?;
    let make = |parameter, member_path| ParamRef { parameter, use_calibrated, instance, member_path };
    if let Some(name) = cx.names.resolve(ItemKind::Parameter, space, reference) {
        return Ok(make(name, None));
    }
    // An aggregate member or array element: the longest prefix that is a parameter.
    let splits = reference.char_indices().filter(|(idx, c)| *idx > 0 && matches!(c, '/' | '.' | '['));
    let splits: Vec<usize> = splits.map(|(idx, _)| idx).collect();
    for split in splits.into_iter().rev().take(NESTING_MAX) {
        let (head, path) = reference.split_at(split);
        if let Some(name) = cx.names.resolve(ItemKind::Parameter, space, head) {
            let path = path.strip_prefix(['.', '/']).unwrap_or(path).replace('/', ".");
            return Ok(make(name, Some(path)));
        }
    }
    Err(cx.attr_error(node, attr, format!("parameter `{reference}` is not defined (from {space})")))
}
