//! The simulator: periodic telemetry from the model's containers, scenario effects, and the
//! reports held for later.

use crate::config::{SimConfig, SimError};
use crate::layout::{layouts, Layout};
use crate::packet::{frame, PusHeader};
use crate::rng::XorShift;
use crate::scenario::{Action, Scenario};
use crate::values::{generator, FieldGen};
use model::{MissionModel, QualifiedName};
use std::collections::BTreeMap;

/// The most reports held back by a verification delay; older ones are released early.
pub const HELD_MAX: usize = 4096;

/// A container the simulator emits, and its state.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    pub layout: Layout,
    pub fields: Vec<FieldGen>,
    pub next_due_ms: u64,
    pub enabled: bool,
    pub count: u64,
}

/// A packet from `tick_emitted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emitted {
    /// The container a periodic packet was built as.
    pub container: Option<QualifiedName>,
    pub bytes: Vec<u8>,
}

/// A container the simulator does not emit, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub container: QualifiedName,
    pub reason: String,
}

/// A deterministic spacecraft made from a mission model; see the crate documentation.
#[derive(Clone, Debug)]
pub struct Simulator {
    pub(crate) config: SimConfig,
    pub(crate) streams: Vec<Stream>,
    pub(crate) skipped: Vec<Skipped>,
    pub(crate) commands: Vec<crate::command::KnownCommand>,
    pub(crate) rng: XorShift,
    pub(crate) sequence_counts: BTreeMap<u16, u16>,
    pub(crate) message_counters: BTreeMap<(u16, u8, u8), u16>,
    pub(crate) scenario: Scenario,
    /// Indices of scenario actions in time order, and how many of them have happened.
    pub(crate) action_order: Vec<usize>,
    pub(crate) actions_done: usize,
    pub(crate) overrides: BTreeMap<QualifiedName, f64>,
    /// Reports held by a verification delay: (due time, packet), in due order.
    pub(crate) held: Vec<(u64, Vec<u8>)>,
    /// The PUS 11 time-based schedule, in release order.
    // Invariant: sorted by release time, at most `SCHEDULE_MAX` activities.
    pub(crate) schedule: Vec<crate::schedule::Activity>,
    pub(crate) schedule_enabled: bool,
}

impl Simulator {
    /// A simulator of every container of `model` that it can lay out; see `skipped`.
    pub fn new(model: &MissionModel, config: SimConfig) -> Result<Simulator, SimError> {
        if config.apid_default > 0x07FF {
            return Err(SimError::Apid(config.apid_default));
        }
        let pus = &config.pus;
        if pus.data_field_header_len < 3 || pus.step_id_len > 8 || pus.failure_code_len > 8 || pus.event_id_len > 8 {
            return Err(SimError::Layout(
                "the data field header needs 3 bytes (version, service, subtype); field sizes at most 8".into(),
            ));
        }
        let mut rng = XorShift::new(config.seed);
        let (built, skipped) = layouts(model, &config);
        let mut skipped: Vec<Skipped> =
            skipped.into_iter().map(|(container, reason)| Skipped { container, reason }).collect();
        let mut streams = Vec::new();
        for mut layout in built {
            let fields: Result<Vec<FieldGen>, String> =
                layout.fields.iter().map(|f| generator(model, &f.parameter, f.size_bits, &mut rng)).collect();
            match fields {
                Ok(fields) => {
                    if let Some(rate) = config.rates_ms.get(&layout.container) {
                        layout.rate_ms = (*rate).max(1);
                    }
                    streams.push(Stream { layout, fields, next_due_ms: 0, enabled: true, count: 0 });
                }
                Err(reason) => skipped.push(Skipped { container: layout.container, reason }),
            }
        }
        skipped.sort_by(|a, b| a.container.cmp(&b.container));
        let commands = crate::command::known_commands(model);
        Ok(Simulator {
            config,
            streams,
            skipped,
            commands,
            rng,
            sequence_counts: BTreeMap::new(),
            message_counters: BTreeMap::new(),
            scenario: Scenario::default(),
            action_order: Vec::new(),
            actions_done: 0,
            overrides: BTreeMap::new(),
            held: Vec::new(),
            schedule: Vec::new(),
            schedule_enabled: true,
        })
    }

    /// This simulator following a scenario. A parameter the scenario sets must be in an
    /// emitted container.
    pub fn with_scenario(mut self, scenario: Scenario) -> Result<Simulator, SimError> {
        for action in &scenario.actions {
            if let Action::Set { parameter, .. } | Action::Clear { parameter } = &action.action {
                if !self.streams.iter().any(|s| s.layout.fields.iter().any(|f| &f.parameter == parameter)) {
                    return Err(SimError::UnknownParameter(parameter.to_string()));
                }
            }
        }
        let mut order: Vec<usize> = (0..scenario.actions.len()).collect();
        order.sort_by_key(|idx| scenario.actions[*idx].at_ms);
        self.action_order = order;
        self.actions_done = 0;
        self.scenario = scenario;
        Ok(self)
    }

    /// The containers the simulator emits.
    pub fn containers(&self) -> Vec<&QualifiedName> {
        self.streams.iter().map(|s| &s.layout.container).collect()
    }

    /// The containers it does not emit, with the reason, by name.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// How the ground must read its PUS reports.
    pub fn pus_layout(&self) -> tm::pus::PusLayout {
        self.config.pus.pus_layout()
    }

    /// Whether a container's packets are being generated (PUS 3 can switch housekeeping off).
    pub fn is_enabled(&self, container: &QualifiedName) -> Option<bool> {
        self.streams.iter().find(|s| &s.layout.container == container).map(|s| s.enabled)
    }

    /// The packets due at `now_ms`: scenario events, what the scheduled activities due answer
    /// (executed as telecommands received now), held reports that are due, and each enabled
    /// container whose period has come (at most one packet per container per call). Drops and
    /// corruption apply to the periodic packets only.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        self.tick_emitted(now_ms).into_iter().map(|emitted| emitted.bytes).collect()
    }

    /// As `tick`, with the container each periodic packet was built as (`None` for events and
    /// reports).
    pub fn tick_emitted(&mut self, now_ms: u64) -> Vec<Emitted> {
        let mut out = Vec::new();
        while let Some(&idx) = self.action_order.get(self.actions_done) {
            let action = &self.scenario.actions[idx];
            if action.at_ms > now_ms {
                break;
            }
            self.actions_done += 1;
            match action.action.clone() {
                Action::Set { parameter, raw } => {
                    self.overrides.insert(parameter, raw);
                }
                Action::Clear { parameter } => {
                    self.overrides.remove(&parameter);
                }
                Action::Event { id, severity } => {
                    out.push(Emitted { container: None, bytes: self.event(id, severity, now_ms) })
                }
            }
        }
        let released = self.release_due(now_ms);
        out.extend(released.into_iter().map(|bytes| Emitted { container: None, bytes }));
        let due = self.held.iter().take_while(|(at, _)| *at <= now_ms).count();
        out.extend(self.held.drain(..due).map(|(_, bytes)| Emitted { container: None, bytes }));
        for idx in 0..self.streams.len() {
            let stream = &self.streams[idx];
            if !stream.enabled || stream.next_due_ms > now_ms {
                continue;
            }
            let mut packet = self.periodic(idx, now_ms);
            let stream = &mut self.streams[idx];
            stream.count += 1;
            stream.next_due_ms = (stream.next_due_ms + stream.layout.rate_ms).max(now_ms + 1);
            if self.rng.chance(self.scenario.drop_percent) {
                continue;
            }
            if packet.len() > 6 && self.rng.chance(self.scenario.corrupt_percent) {
                let bit = 48 + (self.rng.next() % ((packet.len() - 6) * 8) as u64) as usize;
                packet[bit / 8] ^= 0x80 >> (bit % 8);
            }
            out.push(Emitted { container: Some(self.streams[idx].layout.container.clone()), bytes: packet });
        }
        out
    }

    /// The next sequence count of an APID.
    pub(crate) fn next_sequence_count(&mut self, apid: u16) -> u16 {
        let count = self.sequence_counts.entry(apid).or_insert(0);
        let current = *count;
        *count = (current + 1) & 0x3FFF;
        current
    }

    /// The PUS header of the next packet of a kind.
    pub(crate) fn pus_header(&mut self, apid: u16, service: u8, subtype: u8) -> PusHeader {
        let counter = self.message_counters.entry((apid, service, subtype)).or_insert(0);
        let message_counter = *counter;
        *counter = counter.wrapping_add(1);
        PusHeader { service, subtype, message_counter }
    }

    fn periodic(&mut self, idx: usize, now_ms: u64) -> Vec<u8> {
        let (apid, pus, len) = {
            let layout = &self.streams[idx].layout;
            (layout.apid, layout.pus, layout.len)
        };
        let mut bytes = vec![0u8; len.max(7)];
        let stream = &self.streams[idx];
        for (field, generator) in stream.layout.fields.iter().zip(&stream.fields) {
            let raw = match self.overrides.get(&field.parameter) {
                Some(raw) => *raw,
                None => generator.raw(stream.count, now_ms),
            };
            generator.write(&mut bytes, field.bit_offset, field.size_bits, raw, now_ms);
        }
        for (at, bits, raw) in &stream.layout.pinned {
            crate::bits::write_bits(&mut bytes, *at, *bits, *raw);
        }
        let sequence_count = self.next_sequence_count(apid);
        let header = pus.map(|(service, subtype)| self.pus_header(apid, service, subtype));
        frame(&mut bytes, &self.config.pus, apid, sequence_count, header, now_ms);
        bytes
    }

    fn event(&mut self, id: u64, severity: tm::pus::EventSeverity, now_ms: u64) -> Vec<u8> {
        use tm::pus::EventSeverity::*;
        let subtype = match severity {
            Informative => 1,
            Low => 2,
            Medium => 3,
            High => 4,
        };
        let apid = self.config.apid_default;
        let source = crate::packet::be_bytes(id, self.config.pus.event_id_len);
        let sequence_count = self.next_sequence_count(apid);
        let header = self.pus_header(apid, 5, subtype);
        crate::packet::pus_packet(&self.config.pus, apid, sequence_count, header, &source, now_ms)
    }
}
