//! The decoding plan: the mission model compiled once per model version into flat tables
//! indexed by number, so processing never walks the model tree or looks up a name.

pub(crate) mod criteria;
pub(crate) mod fast;
pub(crate) mod members;
mod referenced;
pub(crate) mod runs;
pub(crate) mod types;

use crate::value::{ContainerId, ParamId};
use criteria::{Condition, Count, Names};
use members::Members;
use model::{EntryKind, LocationReference, MissionModel, PiField, QualifiedName, TypeKind};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use types::{compile_type, CompiledType};

/// Why a model could not be compiled into a plan.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("parameter `{name}` is not in the model")]
    UnknownParameter { name: String },
    #[error("container `{name}` is not in the model")]
    UnknownContainer { name: String },
    #[error("type `{name}` cannot be decoded: {why}")]
    UnsupportedType { name: String, why: String },
    #[error("criteria or layout nested deeper than {}", model::NESTING_MAX)]
    TooDeep,
}

/// How a parameter's value is laid out: one value, or members and elements of them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Layout {
    Scalar(usize),
    Aggregate(Vec<Layout>),
    Array {
        element: Box<Layout>,
        dimensions: Vec<(Count, Count)>,
    },
    /// Cannot be decoded; a packet that holds it is invalid with this reason.
    Unsupported(String),
}

/// A packet's generation time: seconds from an epoch (converting to UTC needs the epoch's
/// time scale and leap seconds, which the platform's clock service applies).
#[derive(Clone, Debug, PartialEq)]
pub struct PacketTime {
    pub epoch: model::Epoch,
    pub seconds: f64,
}

/// What the plan knows of a parameter.
#[derive(Clone, Debug)]
pub struct ParamInfo {
    pub name: QualifiedName,
    pub(crate) layout: Layout,
    /// Index of its scalar type (for enumeration labels), when it is a scalar.
    pub(crate) scalar_type: Option<usize>,
    /// Whether its values are text (shown as strings) rather than numbers or binary.
    pub text: bool,
    /// The epoch of its values when it is an absolute time.
    pub epoch: Option<model::Epoch>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EntryWhat {
    Parameter(ParamId),
    Container(ContainerId),
    Fixed(u32),
    Group { group_size: usize, count: Count },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub what: EntryWhat,
    pub reference: LocationReference,
    pub offset_bits: i64,
    pub repeat: Option<(Count, u32)>,
    pub include: Option<Condition>,
}

#[derive(Clone, Debug)]
pub(crate) struct Container {
    pub name: QualifiedName,
    pub is_abstract: bool,
    pub base: Option<ContainerId>,
    pub restriction: Option<Condition>,
    pub entries: Vec<Entry>,
    pub children: Vec<ContainerId>,
}

/// A PUS-identified packet (SCOS-2000): its container and PI fields.
#[derive(Clone, Debug)]
pub(crate) struct PusCandidate {
    pub container: ContainerId,
    pub pi1: Option<PiField>,
    pub pi2: Option<PiField>,
}

/// The compiled model.
#[derive(Clone, Debug)]
pub struct Plan {
    pub(crate) parameters: Vec<ParamInfo>,
    pub(crate) parameter_ids: BTreeMap<QualifiedName, ParamId>,
    pub(crate) types: Vec<CompiledType>,
    pub(crate) enum_labels: Vec<Vec<String>>,
    pub(crate) containers: Vec<Container>,
    pub(crate) container_ids: BTreeMap<QualifiedName, ContainerId>,
    /// Where identification starts: containers with no base.
    pub(crate) roots: Vec<ContainerId>,
    /// SCOS-2000 packets by (APID, service, subtype).
    pub(crate) pus: HashMap<(u16, u8, u8), Vec<PusCandidate>>,
    /// Types that cannot be decoded, with why; packets using them are reported invalid.
    pub unsupported: Vec<PlanError>,
    /// Flattened containers, where every position is static.
    pub(crate) fast: Vec<Option<fast::FastContainer>>,
    pub(crate) fast_tree: Option<fast::FastTree>,
    /// Derived-parameter algorithms, and for every parameter the algorithms it triggers.
    pub(crate) algorithms: Vec<CompiledAlgorithm>,
    /// The validity condition of each parameter that has one (by `ParamId`).
    pub(crate) validity: Vec<Option<Condition>>,
    pub(crate) triggers: Vec<Vec<usize>>,
    /// For every compiled type, its (one, zero) labels when it is a boolean.
    pub(crate) bool_labels: Vec<Option<(String, String)>>,
    /// Aggregate members that conditions read: member `k` has the id `parameters.len() + k`.
    pub(crate) members: Vec<members::MemberSlot>,
    /// For every parameter, its members' (element, slot id); empty when there are none.
    pub(crate) member_slots: Vec<Vec<(u32, u32)>>,
}

/// A derived-parameter algorithm ready to run: evaluated when one of its inputs updates.
#[derive(Clone, Debug)]
pub(crate) struct CompiledAlgorithm {
    pub output: ParamId,
    pub tokens: Vec<model::MathToken>,
    /// The alarm of the output's type (derived types have no encoding, so no compiled type).
    pub output_alarm: Option<model::Alarm>,
}

impl Plan {
    /// Compiles a (validated) model.
    pub fn compile(model: &MissionModel) -> Result<Plan, PlanError> {
        let parameter_ids: BTreeMap<QualifiedName, ParamId> =
            model.parameters.keys().enumerate().map(|(idx, name)| (name.clone(), ParamId(idx as u32))).collect();
        let container_ids: BTreeMap<QualifiedName, ContainerId> =
            model.containers.keys().enumerate().map(|(idx, name)| (name.clone(), ContainerId(idx as u32))).collect();
        let names = Names { ids: &parameter_ids, members: None };
        let mut types = Vec::new();
        let mut type_index = BTreeMap::new();
        let mut bool_labels = Vec::new();
        let mut unsupported = Vec::new();
        for (name, data_type) in &model.parameter_types {
            if matches!(data_type.kind, TypeKind::Array { .. } | TypeKind::Aggregate { .. }) {
                continue;
            }
            match compile_type(name.as_str(), data_type, &names) {
                Ok(compiled) => {
                    type_index.insert(name.clone(), types.len());
                    types.push(compiled);
                    bool_labels.push(match &data_type.kind {
                        TypeKind::Boolean { one, zero } => Some((one.clone(), zero.clone())),
                        _ => None,
                    });
                }
                Err(error) => unsupported.push(error),
            }
        }
        let enum_labels = types
            .iter()
            .map(|t| match &t.conversion {
                types::Conversion::Enumerated(values) => values.iter().map(|v| v.label.clone()).collect(),
                _ => Vec::new(),
            })
            .collect();
        let mut parameters = Vec::with_capacity(model.parameters.len());
        for parameter in model.parameters.values() {
            let layout = layout(model, &type_index, &parameter.type_ref, &names, 0)?;
            let scalar_type = match layout {
                Layout::Scalar(idx) => Some(idx),
                _ => None,
            };
            let text = model
                .parameter_types
                .get(&parameter.type_ref)
                .is_some_and(|t| matches!(t.kind, TypeKind::String { .. }));
            let epoch = match model.parameter_types.get(&parameter.type_ref).map(|t| &t.kind) {
                Some(TypeKind::AbsoluteTime { epoch, .. }) => Some(epoch.clone()),
                _ => None,
            };
            parameters.push(ParamInfo { name: parameter.name.clone(), layout, scalar_type, text, epoch });
        }
        // Conditions of containers may name aggregate members (`header/apid`).
        let first_slot = u32::try_from(parameters.len()).map_err(|_| PlanError::TooDeep)?;
        let slots = RefCell::new(Vec::new());
        let members = Members { model, type_index: &type_index, first_slot, slots };
        let names = Names { ids: &parameter_ids, members: Some(members) };
        let containers = compile_containers(model, &parameter_ids, &container_ids, &names)?;
        let validity = model
            .parameters
            .values()
            .map(|p| p.validity.as_ref().map(|c| names.condition(c, 0)).transpose())
            .collect::<Result<Vec<_>, _>>()?;

        let members = names.members.map(|m| m.slots.into_inner()).unwrap_or_default();
        let mut member_slots = vec![Vec::new(); if members.is_empty() { 0 } else { parameters.len() }];
        for (idx, member) in members.iter().enumerate() {
            member_slots[member.parameter.0 as usize].push((member.element, first_slot + idx as u32));
        }
        let roots: Vec<ContainerId> = containers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.base.is_none() && model.containers[&c.name].pus.is_none())
            .map(|(idx, _)| ContainerId(idx as u32))
            .collect();
        let mut pus: HashMap<(u16, u8, u8), Vec<PusCandidate>> = HashMap::new();
        for (name, container) in &model.containers {
            if let Some(id) = &container.pus {
                pus.entry((id.apid, id.service, id.subtype)).or_default().push(PusCandidate {
                    container: container_ids[name],
                    pi1: id.pi1.clone(),
                    pi2: id.pi2.clone(),
                });
            }
        }
        let referenced = referenced::referenced(model);
        let tracked: Vec<bool> = parameters.iter().map(|p| referenced.contains(&p.name)).collect();
        let flattened: Vec<_> = (0..containers.len())
            .map(|idx| fast::flatten(&containers, &parameters, &types, &tracked, ContainerId(idx as u32)))
            .collect();
        let positions: Vec<_> = flattened.iter().map(|f| f.as_ref().map(|(_, p)| p.clone())).collect();
        let fast_tree = if pus.is_empty() { fast::tree(&containers, &roots, &positions, &types) } else { None };
        let fast = flattened.into_iter().map(|f| f.map(|(container, _)| container)).collect();
        let (algorithms, triggers) = compile_algorithms(model, &parameter_ids, &parameters, &mut unsupported);
        Ok(Plan {
            validity,
            parameters,
            parameter_ids,
            types,
            enum_labels,
            containers,
            container_ids,
            roots,
            pus,
            unsupported,
            fast,
            fast_tree,
            algorithms,
            triggers,
            bool_labels,
            members,
            member_slots,
        })
    }

    /// The same plan with the fast path switched off: every packet takes the general path.
    /// For tests and diagnosis; results must be identical.
    pub fn without_fast_path(mut self) -> Plan {
        self.fast = vec![None; self.containers.len()];
        self.fast_tree = None;
        self
    }

    /// Whether packets of this container take the fast path.
    pub fn is_fast(&self, container: ContainerId) -> bool {
        self.fast.get(container.0 as usize).is_some_and(Option::is_some)
    }

    /// The id of a parameter.
    pub fn parameter_id(&self, name: &QualifiedName) -> Option<ParamId> {
        self.parameter_ids.get(name).copied()
    }

    /// What the plan knows of a parameter.
    pub fn parameter(&self, id: ParamId) -> Option<&ParamInfo> {
        self.parameters.get(id.0 as usize)
    }

    /// The id of a container.
    pub fn container_id(&self, name: &QualifiedName) -> Option<ContainerId> {
        self.container_ids.get(name).copied()
    }

    /// The name of a container.
    pub fn container_name(&self, id: ContainerId) -> Option<&QualifiedName> {
        self.containers.get(id.0 as usize).map(|c| &c.name)
    }

    /// How many consecutive out-of-limits samples raise an alarm for a parameter (1 when its
    /// type does not say).
    pub fn min_violations(&self, parameter: ParamId) -> u32 {
        let alarm = self.parameter(parameter).and_then(|p| p.scalar_type).and_then(|t| self.types[t].alarm.as_ref());
        match alarm {
            Some(model::Alarm::Ranges { min_violations, .. } | model::Alarm::Enumeration { min_violations, .. }) => {
                (*min_violations).max(1)
            }
            None => 1,
        }
    }

    /// The scalar type of a parameter, or of a member slot.
    pub(crate) fn type_of(&self, parameter: ParamId) -> Option<usize> {
        match self.parameter(parameter) {
            Some(info) => info.scalar_type,
            None => Some(self.members.get(parameter.0 as usize - self.parameters.len())?.type_idx),
        }
    }

    /// When a decoded packet was generated: its first absolute-time sample (the time field
    /// of its secondary header, in the usual layouts), as seconds from that type's epoch.
    /// `None` when the packet has none: then reception time is all there is.
    pub fn generation_time(&self, samples: &[crate::Sample]) -> Option<PacketTime> {
        samples.iter().find_map(|sample| {
            let epoch = self.parameter(sample.parameter)?.epoch.clone()?;
            match sample.eng() {
                crate::EngValue::Time(seconds) => Some(PacketTime { epoch, seconds }),
                _ => None,
            }
        })
    }

    /// The label of an enumeration value of a parameter.
    pub fn enum_label(&self, parameter: ParamId, index: u32) -> Option<&str> {
        let type_idx = self.parameter(parameter)?.scalar_type?;
        self.enum_labels.get(type_idx)?.get(index as usize).map(String::as_str)
    }
}

fn layout(
    model: &MissionModel,
    type_index: &BTreeMap<QualifiedName, usize>,
    type_name: &QualifiedName,
    names: &Names<'_>,
    depth: usize,
) -> Result<Layout, PlanError> {
    if depth > model::NESTING_MAX {
        return Err(PlanError::TooDeep);
    }
    if let Some(idx) = type_index.get(type_name) {
        return Ok(Layout::Scalar(*idx));
    }
    let Some(data_type) = model.parameter_types.get(type_name) else {
        return Ok(Layout::Unsupported(format!("type `{type_name}` is not defined")));
    };
    Ok(match &data_type.kind {
        TypeKind::Aggregate { members } => Layout::Aggregate(
            members
                .iter()
                .map(|m| layout(model, type_index, &m.type_ref, names, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        TypeKind::Array { element_type, dimensions } => Layout::Array {
            element: Box::new(layout(model, type_index, element_type, names, depth + 1)?),
            dimensions: dimensions
                .iter()
                .map(|d| Ok((names.count(&d.start)?, names.count(&d.end)?)))
                .collect::<Result<_, PlanError>>()?,
        },
        _ => Layout::Unsupported(format!("type `{type_name}` cannot be decoded")),
    })
}

/// Algorithms whose inputs are whole scalar parameters; others are listed as unsupported.
fn compile_algorithms(
    model: &MissionModel,
    parameter_ids: &BTreeMap<QualifiedName, ParamId>,
    parameters: &[ParamInfo],
    unsupported: &mut Vec<PlanError>,
) -> (Vec<CompiledAlgorithm>, Vec<Vec<usize>>) {
    let mut algorithms = Vec::new();
    let mut triggers = vec![Vec::new(); parameters.len()];
    for (name, algorithm) in &model.algorithms {
        let inputs: Option<Vec<ParamId>> = algorithm
            .inputs
            .iter()
            .map(|input| {
                input
                    .parameter
                    .member_path
                    .is_none()
                    .then(|| parameter_ids.get(&input.parameter.parameter))
                    .flatten()
                    .copied()
            })
            .collect();
        let reads_members =
            algorithm.expression.iter().any(|t| matches!(t, model::MathToken::Parameter(p) if p.member_path.is_some()));
        let (Some(inputs), Some(output), false) = (inputs, parameter_ids.get(&algorithm.output), reads_members) else {
            unsupported.push(PlanError::UnsupportedType {
                name: name.to_string(),
                why: "an algorithm reading aggregate members or undefined parameters is not run yet".into(),
            });
            continue;
        };
        let index = algorithms.len();
        for input in inputs {
            triggers[input.0 as usize].push(index);
        }
        algorithms.push(CompiledAlgorithm {
            output: *output,
            tokens: algorithm.expression.clone(),
            output_alarm: model
                .parameters
                .get(&algorithm.output)
                .and_then(|p| model.parameter_types.get(&p.type_ref))
                .and_then(|t| t.alarm.clone()),
        });
    }
    (algorithms, triggers)
}

fn compile_containers(
    model: &MissionModel,
    parameter_ids: &BTreeMap<QualifiedName, ParamId>,
    container_ids: &BTreeMap<QualifiedName, ContainerId>,
    names: &Names<'_>,
) -> Result<Vec<Container>, PlanError> {
    let container_id = |name: &QualifiedName| {
        container_ids.get(name).copied().ok_or_else(|| PlanError::UnknownContainer { name: name.to_string() })
    };
    let parameter_id = |name: &QualifiedName| {
        parameter_ids.get(name).copied().ok_or_else(|| PlanError::UnknownParameter { name: name.to_string() })
    };
    let mut containers = Vec::with_capacity(model.containers.len());
    for container in model.containers.values() {
        let mut entries = Vec::with_capacity(container.entries.len());
        for entry in &container.entries {
            let what = match &entry.kind {
                EntryKind::Parameter(p) | EntryKind::ArrayParameter(p) => EntryWhat::Parameter(parameter_id(p)?),
                EntryKind::Container(c) => EntryWhat::Container(container_id(c)?),
                EntryKind::Fixed { size_bits, .. } => EntryWhat::Fixed(*size_bits),
                EntryKind::Group { group_size, count } => {
                    EntryWhat::Group { group_size: *group_size as usize, count: names.count(count)? }
                }
            };
            entries.push(Entry {
                what,
                reference: entry.location.reference,
                offset_bits: entry.location.offset_bits,
                repeat: entry.repeat.as_ref().map(|r| Ok((names.count(&r.count)?, r.offset_bits))).transpose()?,
                include: entry.include_if.as_ref().map(|c| names.condition(c, 0)).transpose()?,
            });
        }
        containers.push(Container {
            name: container.name.clone(),
            is_abstract: container.r#abstract,
            base: container.base.as_ref().map(container_id).transpose()?,
            restriction: container.restriction.as_ref().map(|c| names.condition(c, 0)).transpose()?,
            entries,
            children: Vec::new(),
        });
    }
    for idx in 0..containers.len() {
        if let Some(base) = containers[idx].base {
            containers[base.0 as usize].children.push(ContainerId(idx as u32));
        }
    }
    Ok(containers)
}
