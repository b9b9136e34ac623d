//! Aggregate members named in criteria and dynamic values (`header/apid`, `header.apid`): each
//! gets a slot after the parameters in the latest values, filled when its element is decoded,
//! so a condition on a member reads that member and not the aggregate's first element.

use crate::value::ParamId;
use model::{MissionModel, QualifiedName, TypeKind};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// One aggregate member that processing reads back.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MemberSlot {
    pub parameter: ParamId,
    /// Its flat element index within the parameter's value (as in `Sample::element`).
    pub element: u32,
    /// Its scalar type, for labels.
    pub type_idx: usize,
}

/// Allocates member slots while conditions are compiled.
pub(crate) struct Members<'a> {
    pub model: &'a MissionModel,
    pub type_index: &'a BTreeMap<QualifiedName, usize>,
    /// The id of the first slot: slots come after every parameter.
    pub first_slot: u32,
    pub slots: RefCell<Vec<MemberSlot>>,
}

impl Members<'_> {
    /// The slot of member `path` of `parameter`, as an id after the parameters; `None` when the
    /// path does not name a scalar member at an element index known when compiling.
    pub fn slot(&self, parameter: ParamId, name: &QualifiedName, path: &str) -> Option<ParamId> {
        let type_ref = &self.model.parameters.get(name)?.type_ref;
        let (element, type_idx) = self.element(type_ref, path)?;
        let mut slots = self.slots.borrow_mut();
        let idx = match slots.iter().position(|s| s.parameter == parameter && s.element == element) {
            Some(idx) => idx,
            None => {
                slots.push(MemberSlot { parameter, element, type_idx });
                slots.len() - 1
            }
        };
        Some(ParamId(self.first_slot + u32::try_from(idx).ok()?))
    }

    fn element(&self, type_ref: &QualifiedName, path: &str) -> Option<(u32, usize)> {
        let mut type_name = type_ref;
        let mut element = 0u32;
        for segment in path.split('.').take(model::NESTING_MAX) {
            let TypeKind::Aggregate { members } = &self.model.parameter_types.get(type_name)?.kind else {
                return None;
            };
            let position = members.iter().position(|m| m.name == segment)?;
            for member in &members[..position] {
                element = element.checked_add(self.scalars(&member.type_ref, 0)?)?;
            }
            type_name = &members[position].type_ref;
        }
        Some((element, *self.type_index.get(type_name)?))
    }

    /// How many scalars a value of this type holds; `None` when that is not static (arrays).
    fn scalars(&self, type_name: &QualifiedName, depth: usize) -> Option<u32> {
        if depth > model::NESTING_MAX {
            return None;
        }
        if self.type_index.contains_key(type_name) {
            return Some(1);
        }
        match &self.model.parameter_types.get(type_name)?.kind {
            TypeKind::Aggregate { members } => {
                members.iter().try_fold(0u32, |sum, member| sum.checked_add(self.scalars(&member.type_ref, depth + 1)?))
            }
            _ => None,
        }
    }
}
