//! Processing one packet with a plan: identification through the container tree (or the PUS
//! key of a SCOS-2000 packet), then every entry decoded, calibrated and monitored.

mod cuc;
mod derived;

pub use derived::DERIVED_BIT_OFFSET;
mod fast;
mod field;
pub(crate) mod lanes;
#[cfg(test)]
mod tests;

use crate::plan::criteria::Latest;
use crate::plan::{Container, Entry, EntryWhat, Layout, Plan};
use crate::value::{ContainerId, EngValue, ParamId, RawValue, Sample};
use model::LocationReference;

/// Most repetitions of one entry or group, and most array elements of one parameter.
pub const REPEAT_MAX: i64 = 65_536;

/// Why a packet could not be processed. The packet itself is kept, with this reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    #[error("no container of the model matches this packet")]
    UnknownPacket,
    #[error("packet of {actual} bytes, its header says {declared}")]
    LengthMismatch { declared: usize, actual: usize },
    #[error("`{parameter}` at bit {bit_offset}: {why}")]
    Field { parameter: String, bit_offset: usize, why: String },
    #[error("entry of `{container}` at bit {bit_offset}: {why}")]
    Entry { container: String, bit_offset: i64, why: String },
    #[error("containers nested deeper than {}", model::NESTING_MAX)]
    TooDeep,
}

/// Processes packets with one plan, keeping the latest value of the parameters processing
/// reads back (context calibrations and alarms, dynamic sizes and conditions).
#[derive(Debug)]
pub struct Processor<'p> {
    plan: &'p Plan,
    /// The latest sample of each tracked parameter (and member slot): a plain copy to write.
    latest: Vec<Option<Sample>>,
}

struct LatestView<'a> {
    plan: &'a Plan,
    latest: &'a [Option<Sample>],
}

impl Latest for LatestView<'_> {
    fn get(&self, parameter: ParamId) -> Option<(RawValue, EngValue)> {
        self.latest.get(parameter.0 as usize).copied().flatten().map(|sample| (sample.raw(), sample.eng()))
    }

    fn label(&self, parameter: ParamId, index: u32) -> Option<&str> {
        let type_idx = self.plan.type_of(parameter)?;
        self.plan.enum_labels.get(type_idx)?.get(index as usize).map(String::as_str)
    }

    fn bool_label(&self, parameter: ParamId, value: bool) -> Option<&str> {
        let (one, zero) = self.plan.bool_labels.get(self.plan.type_of(parameter)?)?.as_ref()?;
        Some(if value { one } else { zero })
    }
}

/// The state of processing one packet.
pub(crate) struct Walk<'a, 'p> {
    plan: &'p Plan,
    packet: &'a [u8],
    latest: &'a mut Vec<Option<Sample>>,
    out: &'a mut Vec<Sample>,
}

impl<'p> Processor<'p> {
    /// A processor with no values known yet.
    pub fn new(plan: &'p Plan) -> Self {
        Processor { plan, latest: vec![None; plan.parameters.len() + plan.members.len()] }
    }

    /// Identifies `packet`, appends its samples to `out` and returns its container. On error
    /// nothing is appended.
    pub fn process(&mut self, packet: &[u8], out: &mut Vec<Sample>) -> Result<ContainerId, ProcessError> {
        let declared = match packet {
            [_, _, _, _, high, low, ..] => 7 + usize::from(u16::from_be_bytes([*high, *low])),
            _ => 6,
        };
        if declared != packet.len() {
            return Err(ProcessError::LengthMismatch { declared, actual: packet.len() });
        }
        let start_len = out.len();
        let mut walk = Walk { plan: self.plan, packet, latest: &mut self.latest, out };
        let result = walk.identify();
        match result {
            Ok(_) => {
                walk.derive(start_len);
                walk.apply_validity(start_len);
            }
            Err(_) => walk.out.truncate(start_len),
        }
        result
    }

    /// Decodes `packet` as `container` (its base chain first, derived values after, as `process`
    /// does) without identification and without the space packet length check: for tables and
    /// records that are not packets, and for packets whose container is known. On error
    /// nothing is appended.
    pub fn process_as(
        &mut self,
        container: ContainerId,
        packet: &[u8],
        out: &mut Vec<Sample>,
    ) -> Result<(), ProcessError> {
        if container.0 as usize >= self.plan.containers.len() {
            return Err(ProcessError::UnknownPacket);
        }
        let start_len = out.len();
        let mut walk = Walk { plan: self.plan, packet, latest: &mut self.latest, out };
        let result = walk.decode_known(container);
        match result {
            Ok(()) => {
                walk.derive(start_len);
                walk.apply_validity(start_len);
            }
            Err(_) => walk.out.truncate(start_len),
        }
        result
    }

    /// The latest value of a parameter that processing reads back (conditions, dynamic sizes,
    /// context calibrations and alarms); others are not kept here (the archive has them).
    pub fn latest(&self, parameter: ParamId) -> Option<(RawValue, EngValue)> {
        self.latest.get(parameter.0 as usize).copied().flatten().map(|sample| (sample.raw(), sample.eng()))
    }
}

impl Walk<'_, '_> {
    fn view(&self) -> LatestView<'_> {
        LatestView { plan: self.plan, latest: self.latest }
    }

    fn container(&self, id: ContainerId) -> &Container {
        &self.plan.containers[id.0 as usize]
    }

    fn identify(&mut self) -> Result<ContainerId, ProcessError> {
        let found = match self.fast_identify() {
            Some(None) => return Err(ProcessError::UnknownPacket),
            Some(Some(id)) => Some(id),
            None => self.pus_match(),
        };
        if let Some(id) = found {
            self.decode_known(id)?;
            return Ok(id);
        }
        let start_len = self.out.len();
        let mut first_error = None;
        for root_idx in 0..self.plan.roots.len() {
            let root = self.plan.roots[root_idx];
            self.out.truncate(start_len);
            let mut cursor = 0;
            if let Err(error) = self.decode_entries(root, 0, &mut cursor, 0) {
                first_error.get_or_insert(error);
                continue;
            }
            let mut current = root;
            let mut child_failed = false;
            for _ in 0..model::NESTING_MAX {
                let view = self.view();
                let next = self.container(current).children.iter().copied().find(|child| {
                    self.container(*child).restriction.as_ref().is_none_or(|condition| condition.holds(&view))
                });
                let Some(next) = next else { break };
                if let Err(error) = self.decode_entries(next, 0, &mut cursor, 0) {
                    // The packet is `next`'s (its restriction holds) and does not fit it: that is
                    // the packet's error, not a reason to read it as another root's.
                    if self.container(next).restriction.is_some() {
                        return Err(error);
                    }
                    first_error.get_or_insert(error);
                    child_failed = true;
                    break;
                }
                current = next;
            }
            if !child_failed && !self.container(current).is_abstract {
                return Ok(current);
            }
        }
        Err(first_error.unwrap_or(ProcessError::UnknownPacket))
    }

    /// Decodes a packet whose container is known: flattened when it can be, else its chain.
    fn decode_known(&mut self, id: ContainerId) -> Result<(), ProcessError> {
        let plan = self.plan;
        match &plan.fast[id.0 as usize] {
            Some(fast) if self.packet.len() >= fast.min_len => {
                let start_len = self.out.len();
                if self.decode_fast(fast).is_ok() {
                    return Ok(());
                }
                self.out.truncate(start_len);
            }
            _ => {}
        }
        let mut cursor = 0;
        self.decode_chain(id, 0, &mut cursor, 0)
    }

    /// Marks the samples from `first` on whose parameter's validity condition does not hold,
    /// judged on the values of the whole packet. Costs nothing when no parameter has one.
    fn apply_validity(&mut self, first: usize) {
        let plan = self.plan;
        if plan.validity.iter().all(Option::is_none) {
            return;
        }
        for idx in first..self.out.len() {
            let parameter = self.out[idx].parameter;
            if let Some(Some(condition)) = plan.validity.get(parameter.0 as usize) {
                if !condition.holds(&self.view()) {
                    self.out[idx].set_invalid();
                }
            }
        }
    }

    /// A SCOS-2000 packet: APID, PUS service and subtype, then the PI fields.
    fn pus_match(&self) -> Option<ContainerId> {
        if self.plan.pus.is_empty() || self.packet.len() < 9 {
            return None;
        }
        let apid = u16::from_be_bytes([self.packet[0] & 0x07, self.packet[1]]);
        let candidates = self.plan.pus.get(&(apid, self.packet[7], self.packet[8]))?;
        let pi_matches = |pi: &Option<model::PiField>| {
            pi.as_ref().is_none_or(|pi| {
                crate::bits::read_bits(self.packet, pi.offset_bits as usize, u32::from(pi.width_bits))
                    .is_ok_and(|value| value as i64 == pi.value)
            })
        };
        candidates.iter().find(|c| pi_matches(&c.pi1) && pi_matches(&c.pi2)).map(|c| c.container)
    }

    /// A container with its base chain first; `chain_start` is where the chain begins.
    fn decode_chain(
        &mut self,
        id: ContainerId,
        chain_start: i64,
        cursor: &mut i64,
        depth: usize,
    ) -> Result<(), ProcessError> {
        if depth > model::NESTING_MAX {
            return Err(ProcessError::TooDeep);
        }
        if let Some(base) = self.container(id).base {
            self.decode_chain(base, chain_start, cursor, depth + 1)?;
        }
        self.decode_entries(id, chain_start, cursor, depth)
    }

    fn decode_entries(
        &mut self,
        id: ContainerId,
        chain_start: i64,
        cursor: &mut i64,
        depth: usize,
    ) -> Result<(), ProcessError> {
        let plan = self.plan;
        let container = &plan.containers[id.0 as usize];
        self.decode_slice(container, &container.entries, chain_start, cursor, depth)
    }

    fn decode_slice(
        &mut self,
        container: &Container,
        entries: &[Entry],
        chain_start: i64,
        cursor: &mut i64,
        depth: usize,
    ) -> Result<(), ProcessError> {
        let mut idx = 0;
        while let Some(entry) = entries.get(idx) {
            idx += 1;
            if entry.include.as_ref().is_some_and(|condition| !condition.holds(&self.view())) {
                if let EntryWhat::Group { group_size, .. } = entry.what {
                    idx += group_size;
                }
                continue;
            }
            let packet_bits = self.packet.len() as i64 * 8;
            let mut start = match entry.reference {
                LocationReference::ContainerStart => chain_start + entry.offset_bits,
                LocationReference::PreviousEntry => *cursor + entry.offset_bits,
                LocationReference::PacketStart => entry.offset_bits,
                // XTCE counts from the end of the container to the end of the entry, so the
                // entry's own size must be known (a trailing checksum, a CRC).
                LocationReference::ContainerEnd => match self.entry_size_bits(&entry.what) {
                    Some(size) => packet_bits - entry.offset_bits - size,
                    None => {
                        return Err(ProcessError::Entry {
                            container: container.name.to_string(),
                            bit_offset: packet_bits - entry.offset_bits,
                            why: "an entry placed from the container end needs a fixed size".into(),
                        })
                    }
                },
            };
            let entry_error =
                |why: String| ProcessError::Entry { container: container.name.to_string(), bit_offset: start, why };
            if start < 0 || start > packet_bits {
                return Err(entry_error("starts outside the packet".into()));
            }
            let (count, gap) = match &entry.repeat {
                None => (1, 0),
                Some((count, gap)) => (self.count(count).map_err(|e| entry_error(e.into()))?, i64::from(*gap)),
            };
            if let EntryWhat::Group { group_size, count } = &entry.what {
                let group = entries
                    .get(idx..idx + group_size)
                    .ok_or_else(|| entry_error("group runs past the entries".into()))?;
                let repeats = self.count(count).map_err(|e| entry_error(e.into()))?;
                *cursor = start;
                for _ in 0..repeats {
                    self.decode_slice(container, group, chain_start, cursor, depth + 1)?;
                }
                idx += group_size;
                continue;
            }
            // An entry placed from the container end is out of sequence: what follows it in the
            // list (a derived container's entries) continues after the entry before it.
            let resume_at = (entry.reference == LocationReference::ContainerEnd).then_some(*cursor);
            for repeat_idx in 0..count {
                if repeat_idx > 0 {
                    start = *cursor + gap;
                }
                *cursor = match &entry.what {
                    EntryWhat::Parameter(parameter) => self.decode_parameter(*parameter, start)?,
                    EntryWhat::Container(inner) => {
                        let mut inner_cursor = start;
                        self.decode_chain(*inner, start, &mut inner_cursor, depth + 1)?;
                        inner_cursor
                    }
                    EntryWhat::Fixed(size_bits) => start + i64::from(*size_bits),
                    EntryWhat::Group { .. } => start,
                };
            }
            if let Some(resume_at) = resume_at {
                *cursor = resume_at;
            }
        }
        Ok(())
    }

    /// The size of an entry when it is fixed (a scalar parameter of fixed size, fixed bits).
    fn entry_size_bits(&self, what: &EntryWhat) -> Option<i64> {
        match what {
            EntryWhat::Parameter(parameter) => match self.plan.parameters.get(parameter.0 as usize)?.layout {
                Layout::Scalar(type_idx) => {
                    crate::plan::fast::fixed_size(&self.plan.types[type_idx].codec).map(i64::from)
                }
                _ => None,
            },
            EntryWhat::Fixed(size_bits) => Some(i64::from(*size_bits)),
            _ => None,
        }
    }

    /// A repeat count, bounded.
    fn count(&self, count: &crate::plan::criteria::Count) -> Result<i64, &'static str> {
        match count.eval(&self.view()) {
            None => Err("its count depends on a parameter with no value"),
            Some(n) if !(0..=REPEAT_MAX).contains(&n) => Err("its count is negative or above 65536"),
            Some(n) => Ok(n),
        }
    }

    /// Decodes a parameter (all its members and elements) at `start`; returns where it ends.
    fn decode_parameter(&mut self, parameter: ParamId, start: i64) -> Result<i64, ProcessError> {
        let plan = self.plan;
        let info = &plan.parameters[parameter.0 as usize];
        if let Layout::Scalar(type_idx) = info.layout {
            // The common case, without the layout walk.
            return self.decode_scalar(parameter, 0, &plan.types[type_idx], start).map_err(|why| ProcessError::Field {
                parameter: info.name.to_string(),
                bit_offset: start as usize,
                why,
            });
        }
        let mut element = 0u32;
        self.decode_layout(parameter, &info.layout, start, &mut element, 0)
    }

    fn decode_layout(
        &mut self,
        parameter: ParamId,
        layout: &Layout,
        start: i64,
        element: &mut u32,
        depth: usize,
    ) -> Result<i64, ProcessError> {
        let plan = self.plan;
        let field_error = |why: String| ProcessError::Field {
            parameter: plan.parameters[parameter.0 as usize].name.to_string(),
            bit_offset: start as usize,
            why,
        };
        if depth > model::NESTING_MAX {
            return Err(ProcessError::TooDeep);
        }
        match layout {
            Layout::Scalar(type_idx) => {
                let end =
                    self.decode_scalar(parameter, *element, &plan.types[*type_idx], start).map_err(field_error)?;
                *element += 1;
                Ok(end)
            }
            Layout::Aggregate(members) => {
                let mut at = start;
                for member in members {
                    at = self.decode_layout(parameter, member, at, element, depth + 1)?;
                }
                Ok(at)
            }
            Layout::Array { element: inner, dimensions } => {
                let mut total = 1i64;
                for (first, last) in dimensions {
                    let (first, last) = (
                        self.count(first).map_err(|e| field_error(e.into()))?,
                        self.count(last).map_err(|e| field_error(e.into()))?,
                    );
                    total = total.saturating_mul((last - first + 1).max(0));
                }
                if total > REPEAT_MAX {
                    return Err(field_error(format!("{total} array elements, at most {REPEAT_MAX}")));
                }
                let mut at = start;
                for _ in 0..total {
                    at = self.decode_layout(parameter, inner, at, element, depth + 1)?;
                }
                Ok(at)
            }
            Layout::Unsupported(why) => Err(field_error(why.clone())),
        }
    }
}
