//! Command arguments: the `ArgumentList` of a meta-command, and an index of every command's
//! argument names along its base chain, so that a reference to an argument that no command
//! in the chain declares is an error at the referencing element.

use super::cx::{child, description, elements, local, Cx, Res};
use super::index::{Def, DefKind};
use super::names::resolve_attr;
use super::NESTING_MAX;
use model::{CommandArgument, ItemKind, QualifiedName};
use roxmltree::Node;
use std::collections::HashMap;

/// Each command's own argument names and the command it extends.
#[derive(Debug, Default)]
pub struct ArgumentIndex {
    commands: HashMap<QualifiedName, (Vec<String>, Option<QualifiedName>)>,
}

impl ArgumentIndex {
    /// Indexes every meta-command of `defs` (after the first pass, so bases resolve).
    pub fn new(cx: &Cx, defs: &[Def<'_, '_>]) -> Self {
        let mut commands = HashMap::new();
        for def in defs.iter().filter(|def| def.kind == DefKind::Command) {
            let names = child(def.node, "ArgumentList")
                .into_iter()
                .flat_map(elements)
                .filter_map(|argument| argument.attribute("name"))
                .map(|name| name.trim().to_string())
                .collect();
            let base = child(def.node, "BaseMetaCommand")
                .and_then(|base| base.attribute("metaCommandRef"))
                .and_then(|reference| cx.names.resolve(ItemKind::Command, &def.space, reference))
                .or_else(|| {
                    let container = child(def.node, "CommandContainer")?;
                    let reference = child(container, "BaseContainer")?.attribute("containerRef")?;
                    cx.names.resolve_command_container(&def.space, reference)
                });
            commands.insert(def.name.clone(), (names, base));
        }
        ArgumentIndex { commands }
    }

    /// Whether `command` or a command it extends declares `argument`.
    pub fn declares(&self, command: &QualifiedName, argument: &str) -> bool {
        let mut current = Some(command);
        for _ in 0..NESTING_MAX {
            let Some((names, base)) = current.and_then(|name| self.commands.get(name)) else {
                return false;
            };
            if names.iter().any(|name| name == argument) {
                return true;
            }
            current = base.as_ref();
        }
        false
    }

    /// Reports attribute `attr` of `node` unless `command`'s chain declares its argument.
    pub fn check(&self, cx: &mut Cx, node: Node<'_, '_>, attr: &str, command: &QualifiedName) -> Res<String> {
        let argument = cx.req(node, attr)?.trim();
        if self.declares(command, argument) {
            return Ok(argument.to_string());
        }
        let message = format!("argument `{argument}` is not an argument of {command} or of a command it extends");
        Err(cx.attr_error(node, attr, message))
    }
}

/// The arguments of an `ArgumentList`; one that cannot be read is reported and left out.
pub fn arguments(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Vec<CommandArgument>> {
    let mut arguments = Vec::new();
    for item in elements(node) {
        if local(item) != "Argument" {
            cx.unhandled(item);
            continue;
        }
        let name = cx.req(item, "name");
        let type_ref = resolve_attr(cx, item, "argumentTypeRef", ItemKind::ArgumentType, space);
        for extra in elements(item) {
            if local(extra) != "AliasSet" {
                cx.unhandled(extra);
            }
        }
        match (name, type_ref) {
            (Ok(name), Ok(type_ref)) => arguments.push(CommandArgument {
                name: name.to_string(),
                type_ref,
                description: description(item),
                initial_value: item.attribute("initialValue").map(str::to_string),
            }),
            // Reported; the other arguments are kept.
            (Err(_), _) | (_, Err(_)) => {}
        }
    }
    Ok(arguments)
}
