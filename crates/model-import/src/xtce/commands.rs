//! Meta-commands: base command with argument assignments, arguments, the command container's
//! entries, significance, transmission constraints and verifiers.

use super::arguments::{self, ArgumentIndex};
use super::containers::{entry_extras, fixed_value};
use super::criteria::criteria_among;
use super::cx::{aliases, child, description, elements, local, Cx, Res};
use super::index::Def;
use super::names::{resolve_attr, resolve_text};
use super::verifiers;
use model::{
    ArgumentAssignment, BaseCommand, CommandEntry, CommandEntryKind, ItemKind, MetaCommand, QualifiedName,
    Significance, SignificanceLevel, TransmissionConstraint,
};
use roxmltree::Node;

/// A `MetaCommand`; `arguments` checks its argument references along the base chain.
pub fn command(cx: &mut Cx, def: &Def<'_, '_>, argument_index: &ArgumentIndex) -> Option<MetaCommand> {
    let node = def.node;
    let space = &def.space;
    let mut command = MetaCommand::new(def.name.clone());
    command.description = description(node);
    command.aliases = aliases(node);
    // What cannot be read is reported and left out; the command stays so references to it
    // still resolve.
    command.r#abstract = cx.flag(node, "abstract", false).unwrap_or(false);
    for item in elements(node) {
        let _read: Res<()> = match local(item) {
            "BaseMetaCommand" => base_command(cx, item, space, argument_index).map(|base| command.base = Some(base)),
            "ArgumentList" => arguments::arguments(cx, item, space).map(|arguments| command.arguments = arguments),
            "CommandContainer" => {
                let base = command.base.as_ref().map(|base| base.command.clone());
                let context = (&def.name, base.as_ref(), argument_index);
                let read = command_container(cx, item, space, context);
                read.map(|(entries, implied_base)| {
                    command.entries = entries;
                    // A container extending another command's container, with no
                    // BaseMetaCommand, extends that command.
                    if command.base.is_none() {
                        command.base = implied_base.map(|command| BaseCommand { command, assignments: Vec::new() });
                    }
                })
            }
            "DefaultSignificance" => significance(cx, item).map(|s| command.significance = Some(s)),
            "TransmissionConstraintList" => {
                constraints(cx, item, space).map(|constraints| command.constraints = constraints)
            }
            "VerifierSet" => verifiers::verifiers(cx, item, space).map(|verifiers| command.verifiers = verifiers),
            "AliasSet" => Ok(()),
            _ => {
                cx.unhandled(item);
                Ok(())
            }
        };
    }
    Some(command)
}

fn base_command(
    cx: &mut Cx,
    node: Node<'_, '_>,
    space: &QualifiedName,
    argument_index: &ArgumentIndex,
) -> Res<BaseCommand> {
    let command = resolve_attr(cx, node, "metaCommandRef", ItemKind::Command, space)?;
    let mut assignments = Vec::new();
    for item in elements(node) {
        if local(item) != "ArgumentAssignmentList" {
            cx.unhandled(item);
            continue;
        }
        for assignment in elements(item) {
            if local(assignment) != "ArgumentAssignment" {
                cx.unhandled(assignment);
                continue;
            }
            let argument = argument_index.check(cx, assignment, "argumentName", &command);
            let value = cx.req(assignment, "argumentValue");
            // Reported; the other assignments are kept.
            if let (Ok(argument), Ok(value)) = (argument, value) {
                let value = value.to_string();
                assignments.push(ArgumentAssignment { argument, value });
            }
        }
    }
    Ok(BaseCommand { command, assignments })
}

/// The entries of a `CommandContainer`, and the command whose container its `BaseContainer`
/// names when that is not `base_command`. A `BaseContainer` naming a sequence container
/// becomes a leading container entry.
fn command_container(
    cx: &mut Cx,
    node: Node<'_, '_>,
    space: &QualifiedName,
    (command, base_command, argument_index): (&QualifiedName, Option<&QualifiedName>, &ArgumentIndex),
) -> Res<(Vec<CommandEntry>, Option<QualifiedName>)> {
    let mut entries = Vec::new();
    let mut implied_base = None;
    if let Some(base) = child(node, "BaseContainer") {
        let reference = cx.req(base, "containerRef")?;
        if let Some(command) = cx.names.resolve_command_container(space, reference) {
            match base_command {
                None => implied_base = Some(command),
                Some(base_command) if *base_command == command => {}
                Some(_) => {
                    let message = format!("the base container is the command container of `{command}`, which is not this command's base command; its entries are not inherited");
                    cx.unsupported(base, message);
                }
            }
        } else {
            let container = resolve_text(cx, base, "containerRef", reference, ItemKind::Container, space)?;
            entries.push(CommandEntry::next(CommandEntryKind::Container(container)));
        }
        if let Some(restriction) = child(base, "RestrictionCriteria") {
            cx.unsupported(
                restriction,
                "restriction criteria on a command's base container are not supported by the model; ignored",
            );
        }
    }
    for list in elements(node) {
        match local(list) {
            "EntryList" => {}
            "BaseContainer" | "AliasSet" => continue,
            _ => {
                cx.unhandled(list);
                continue;
            }
        }
        for item in elements(list) {
            let kind =
                match local(item) {
                    "ArgumentRefEntry" | "ArrayArgumentRefEntry" => {
                        argument_index.check(cx, item, "argumentRef", command).map(CommandEntryKind::Argument)
                    }
                    "ParameterRefEntry" => resolve_attr(cx, item, "parameterRef", ItemKind::Parameter, space)
                        .map(CommandEntryKind::Parameter),
                    "ContainerRefEntry" => resolve_attr(cx, item, "containerRef", ItemKind::Container, space)
                        .map(CommandEntryKind::Container),
                    "FixedValueEntry" => fixed_value(cx, item).map(|(size_bits, value)| CommandEntryKind::Fixed {
                        size_bits,
                        value: value.unwrap_or_else(|| vec![0; usize::try_from(size_bits.div_ceil(8)).unwrap_or(0)]),
                    }),
                    _ => {
                        cx.unsupported(
                            item,
                            format!("`{}` entries are not supported by the model; the entry is dropped", local(item)),
                        );
                        continue;
                    }
                };
            match (kind, entry_extras(cx, item, space)) {
                (Ok(kind), Ok(extras)) => entries.push(CommandEntry {
                    kind,
                    location: extras.location,
                    repeat: extras.repeat,
                    include_if: extras.include_if,
                }),
                // Reported; the other entries are kept.
                (Err(_), _) | (_, Err(_)) => {}
            }
        }
    }
    Ok((entries, implied_base))
}

fn significance(cx: &mut Cx, node: Node<'_, '_>) -> Res<Significance> {
    let text = node.attribute("consequenceLevel").unwrap_or("normal");
    // XTCE 1.0/1.1 levels: vital and forbidden map conservatively (two-person approval).
    let level = match text.trim() {
        "vital" => SignificanceLevel::Critical,
        "forbidden" => SignificanceLevel::Severe,
        "user1" | "user2" => {
            cx.warning(node, format!("consequence level `{text}` has no standard meaning; taken as warning"));
            SignificanceLevel::Warning
        }
        _ => SignificanceLevel::parse(text)
            .ok_or_else(|| cx.attr_error(node, "consequenceLevel", format!("`{text}` is not a consequence level")))?,
    };
    let reason = node.attribute("reasonForWarning").map(str::to_string);
    Ok(Significance { level, reason })
}

fn constraints(cx: &mut Cx, node: Node<'_, '_>, space: &QualifiedName) -> Res<Vec<TransmissionConstraint>> {
    let mut list = Vec::new();
    for item in elements(node) {
        if local(item) != "TransmissionConstraint" {
            cx.unhandled(item);
            continue;
        }
        let timeout_ms = verifiers::duration_attr(cx, item, "timeOut")?.unwrap_or(0);
        let suspendable = cx.flag(item, "suspendable", false)?;
        // A constraint on a Yamcs system parameter is reported and dropped, not fatal.
        if let Ok(criteria) = criteria_among(cx, item, space, 0, &[]) {
            list.push(TransmissionConstraint { criteria, timeout_ms, suspendable });
        }
    }
    Ok(list)
}
