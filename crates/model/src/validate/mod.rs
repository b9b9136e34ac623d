//! Validation of a whole model: unresolved references, base chains that loop, entries that
//! overlap or run past a fixed-size container, and ambiguous packet identification.

mod layout;
mod refs;
#[cfg(test)]
mod tests;

use crate::name::QualifiedName;
use crate::MissionModel;
use std::fmt;

/// Deepest base chain or type nesting followed; deeper is reported as a cycle.
pub const NESTING_MAX: usize = 64;

/// The kinds of item a model holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    SpaceSystem,
    ParameterType,
    Parameter,
    Container,
    ArgumentType,
    Command,
    Algorithm,
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemKind::SpaceSystem => "space system",
            ItemKind::ParameterType => "parameter type",
            ItemKind::Parameter => "parameter",
            ItemKind::Container => "container",
            ItemKind::ArgumentType => "argument type",
            ItemKind::Command => "command",
            ItemKind::Algorithm => "algorithm",
        })
    }
}

/// What kind of problem validation found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationKind {
    /// A name that does not resolve to an item of the expected kind.
    UnresolvedReference,
    /// Two entries of a container occupy the same bits, neither placed there explicitly.
    Overlap,
    /// An entry placed at an explicit position shares bits with another: allowed (XTCE uses it
    /// to read a field two ways), reported as a warning.
    Overlay,
    /// An entry runs past the end of a fixed-size container.
    PastEnd,
    /// Two concrete containers cannot be told apart by their identification.
    AmbiguousIdentification,
    /// A base chain or type nesting loops back on itself.
    Cycle,
}

impl ValidationKind {
    /// Whether the model is unusable with this problem (all but overlays).
    pub fn is_error(self) -> bool {
        self != ValidationKind::Overlay
    }
}

/// One problem found by validation, on one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationIssue {
    pub kind: ValidationKind,
    pub item_kind: ItemKind,
    pub item: QualifiedName,
    pub message: String,
    /// For an unresolved reference: the name that did not resolve.
    pub reference: Option<QualifiedName>,
}

impl MissionModel {
    /// Every problem in the model. An empty list means the model is usable.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        refs::check(self, &mut issues);
        layout::check_cycles(self, &mut issues);
        layout::check_layout(self, &mut issues);
        layout::check_identification(self, &mut issues);
        issues
    }
}

/// Collects issues about one item.
pub(crate) struct Sink<'a> {
    pub issues: &'a mut Vec<ValidationIssue>,
    pub item_kind: ItemKind,
    pub item: &'a QualifiedName,
}

impl Sink<'_> {
    pub fn push(&mut self, kind: ValidationKind, message: String) {
        self.push_issue(kind, message, None);
    }

    pub fn push_issue(&mut self, kind: ValidationKind, message: String, reference: Option<QualifiedName>) {
        self.issues.push(ValidationIssue {
            kind,
            item_kind: self.item_kind,
            item: self.item.clone(),
            message,
            reference,
        });
    }
}
