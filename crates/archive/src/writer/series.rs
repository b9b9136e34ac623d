//! The writer's per-series state (the open segment, segments sealed since the last commit)
//! and the plan cache that maps a sample's (parameter, element) to its series without a
//! string or a hash per sample.

use crate::codec::segment::{Aggregates, EngIn, RawIn, SegmentEncoder};
use crate::records::level_code;
use tm::{EngValue, Plan, RawValue, Sample};

/// Series index of a (parameter, element) not looked up yet under the current plan.
pub(super) const UNRESOLVED: u32 = u32::MAX;
/// Series index of samples that are not archived (member slots the plan has no name for).
pub(super) const SKIP: u32 = u32::MAX - 1;

/// A segment that is full (or cut short) and waits for the next commit.
#[derive(Clone, Debug)]
pub(super) struct SealedSegment {
    pub first_ms: u64,
    pub last_ms: u64,
    pub count: u32,
    pub agg: Aggregates,
    pub blob: Vec<u8>,
    /// The open (tail) row it completes, when the segment had already been committed open.
    pub replaces: Option<i64>,
}

/// One series as the writer holds it.
#[derive(Clone, Debug)]
pub(super) struct Series {
    pub id: i64,
    pub name: String,
    /// The enumeration labels of the parameter's type, as the open segment stores them.
    pub labels: Vec<String>,
    /// Whether byte values are text.
    pub text: bool,
    pub enc: SegmentEncoder,
    /// The row holding the open segment as of the last commit.
    pub tail_rowid: Option<i64>,
    /// Samples of `enc` already in that row.
    pub durable_count: u32,
    pub sealed: Vec<SealedSegment>,
    /// Not yet in the `series` table.
    pub is_new: bool,
    /// In the writer's list of series to write at the next commit.
    pub dirty: bool,
    /// Some sample came earlier than one before it: segments may overlap in time.
    pub backwards: bool,
    /// The latest time pushed.
    pub max_ms: Option<u64>,
    /// Durable: samples stored (less retention), first time stored.
    pub samples: u64,
    pub first_ms: Option<u64>,
    /// Samples pushed since the last commit.
    pub pending_samples: u64,
}

impl Series {
    pub fn new(id: i64, name: String) -> Self {
        Series {
            id,
            name,
            labels: Vec::new(),
            text: false,
            enc: SegmentEncoder::default(),
            tail_rowid: None,
            durable_count: 0,
            sealed: Vec::new(),
            is_new: true,
            dirty: false,
            backwards: false,
            max_ms: None,
            samples: 0,
            first_ms: None,
            pending_samples: 0,
        }
    }

    /// Appends one sample received at `time_ms`; seals the segment when it is full.
    #[inline]
    pub fn push(&mut self, time_ms: u64, sample: &Sample, packet: &[u8], segment_samples_max: usize) {
        match self.max_ms {
            Some(max_ms) if time_ms < max_ms => self.backwards = true,
            _ => self.max_ms = Some(time_ms),
        }
        // Times within a segment never decrease, so that a segment's first and last times
        // bound it.
        if self.enc.count > 0 && time_ms < self.enc.last_ms {
            self.seal();
        }
        let (raw, eng, meta) = sample_inputs(sample, packet, self.text);
        self.enc.push(time_ms, raw, eng, meta);
        self.pending_samples += 1;
        if self.enc.count as usize >= segment_samples_max {
            self.seal();
        }
    }

    /// Closes the open segment: it is written as a sealed segment at the next commit.
    pub fn seal(&mut self) {
        if self.enc.count == 0 {
            return;
        }
        let mut blob = Vec::new();
        self.enc.finish(&self.labels, &mut blob);
        self.sealed.push(SealedSegment {
            first_ms: self.enc.first_ms,
            last_ms: self.enc.last_ms,
            count: self.enc.count,
            agg: self.enc.agg,
            blob,
            replaces: self.tail_rowid.take(),
        });
        self.durable_count = 0;
        self.enc.clear();
    }

    /// The parameter's labels and text flag under a plan: seals the open segment when they
    /// differ from what it was encoded with (a new model version).
    pub fn adopt(&mut self, labels: Vec<String>, text: bool) {
        if labels != self.labels {
            self.seal();
            self.labels = labels;
        }
        self.text = text;
    }

    /// The first stored time once what is pending is durable.
    pub fn first_ms_after_commit(&self) -> Option<u64> {
        let pending = self.sealed.iter().map(|s| s.first_ms).chain((self.enc.count > 0).then_some(self.enc.first_ms));
        pending.chain(self.first_ms).min()
    }
}

/// A sample's values as the segment encoder takes them (bytes cut from `packet`, empty past
/// its end), and its meta byte: the level, with bit 7 set when the sample is invalid.
#[inline]
pub(super) fn sample_inputs<'a>(sample: &Sample, packet: &'a [u8], text: bool) -> (RawIn<'a>, EngIn<'a>, u8) {
    let slice = |start: u32, len: u32| {
        let start = start as usize;
        packet.get(start..start.saturating_add(len as usize)).unwrap_or_default()
    };
    let raw = match sample.raw() {
        RawValue::Unsigned(v) => RawIn::Unsigned(v),
        RawValue::Signed(v) => RawIn::Signed(v),
        RawValue::Float(v) => RawIn::Float(v),
        RawValue::Bytes { start, len } => RawIn::Bytes(slice(start, len)),
    };
    let eng = match sample.eng() {
        EngValue::Unsigned(v) => EngIn::Unsigned(v),
        EngValue::Signed(v) => EngIn::Signed(v),
        EngValue::Float(v) => EngIn::Float(v),
        EngValue::Bool(b) => EngIn::Bool(b),
        EngValue::Enum(index) => EngIn::Enum(index),
        EngValue::UnknownEnum(v) => EngIn::UnknownEnum(v),
        EngValue::Bytes { start, len } if text => EngIn::Text(slice(start, len)),
        EngValue::Bytes { start, len } => EngIn::Bytes(slice(start, len)),
        EngValue::Time(v) => EngIn::Time(v),
        EngValue::Invalid => EngIn::Invalid,
    };
    let meta = level_code(sample.level) | if sample.valid() { 0 } else { 0x80 };
    (raw, eng, meta)
}

/// Series indices by (parameter, element) for one plan, rebuilt when another plan is passed.
#[derive(Debug, Default)]
pub(super) struct PlanCache {
    /// The address of the plan the cache is for (0: none).
    pub plan: usize,
    pub scalar: Vec<u32>,
    /// For elements 1 and up: `elements[parameter][element]`.
    pub elements: Vec<Vec<u32>>,
}

impl PlanCache {
    /// The cached series index of a sample, `UNRESOLVED` when it must be looked up.
    #[inline]
    pub fn get(&self, sample: &Sample) -> u32 {
        let parameter = sample.parameter.0 as usize;
        if sample.element == 0 {
            self.scalar.get(parameter).copied().unwrap_or(UNRESOLVED)
        } else {
            self.elements
                .get(parameter)
                .and_then(|elements| elements.get(sample.element as usize))
                .copied()
                .unwrap_or(UNRESOLVED)
        }
    }

    pub fn set(&mut self, sample: &Sample, index: u32) {
        let parameter = sample.parameter.0 as usize;
        let slots = if sample.element == 0 {
            &mut self.scalar
        } else {
            if self.elements.len() <= parameter {
                self.elements.resize(parameter + 1, Vec::new());
            }
            &mut self.elements[parameter]
        };
        let slot = if sample.element == 0 { parameter } else { sample.element as usize };
        if slots.len() <= slot {
            slots.resize(slot + 1, UNRESOLVED);
        }
        slots[slot] = index;
    }
}

/// The series a value is archived (and streamed) under: the parameter's qualified name, with
/// `[element]` for the members and elements of aggregates and arrays other than the first;
/// `None` for slots the plan does not name.
pub fn series_name(plan: &Plan, parameter: tm::ParamId, element: u32) -> Option<String> {
    let info = plan.parameter(parameter)?;
    Some(if element == 0 { info.name.to_string() } else { format!("{}[{element}]", info.name) })
}

/// The enumeration labels of a parameter's type, by index.
pub(super) fn labels(plan: &Plan, sample: &Sample) -> Vec<String> {
    if sample.element != 0 {
        return Vec::new();
    }
    (0u32..).map_while(|index| plan.enum_label(sample.parameter, index).map(str::to_string)).collect()
}
