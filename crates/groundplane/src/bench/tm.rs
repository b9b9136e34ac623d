//! `groundplane bench tm`: our model-driven chain (split, CRC check, identify, decode all 40,
//! calibrate, limits) against a hand-written loop doing the same work for this one layout,
//! on the same bytes, in the same process. Both produce checksums, which must be identical.

use super::workload::{model, parameter_names, N_PARAMS, PACKET_LEN};
use ccsds::{crc16_ccitt_false, PacketSplitter, SplitterConfig, Unit};
use model::AlarmLevel;
use tm::{EngValue, Plan, Processor, RawValue};

/// What a decoder computed over the workload; two decoders agree when these are equal.
#[derive(Clone, Debug, PartialEq)]
pub struct Checksums {
    pub packets: u64,
    pub crc_ok: u64,
    pub seq_count: f64,
    pub msg_counter: f64,
    pub columns: [f64; N_PARAMS],
    pub calibrated: [f64; 10],
    pub warnings: u64,
    pub criticals: u64,
}

impl Default for Checksums {
    fn default() -> Self {
        Checksums {
            packets: 0,
            crc_ok: 0,
            seq_count: 0.0,
            msg_counter: 0.0,
            columns: [0.0; N_PARAMS],
            calibrated: [0.0; 10],
            warnings: 0,
            criticals: 0,
        }
    }
}

impl Checksums {
    fn count_level(&mut self, level: AlarmLevel) {
        match level {
            AlarmLevel::Warning => self.warnings += 1,
            AlarmLevel::Critical => self.criticals += 1,
            _ => {}
        }
    }
}

/// The hand-written reference: this one layout, no model.
pub fn reference(bytes: &[u8]) -> Checksums {
    let mut sums = Checksums::default();
    let mut pos = 0;
    while pos + 6 <= bytes.len() {
        let len = 7 + usize::from(u16::from_be_bytes([bytes[pos + 4], bytes[pos + 5]]));
        let Some(packet) = bytes.get(pos..pos + len) else { break };
        pos += len;
        let apid = u16::from_be_bytes([packet[0], packet[1]]) & 0x07FF;
        if apid != 100 || packet[7] != 3 || packet[8] != 25 || len != PACKET_LEN {
            continue;
        }
        let crc = u16::from_be_bytes([packet[len - 2], packet[len - 1]]);
        if crc16_ccitt_false(&packet[..len - 2]) != crc {
            continue;
        }
        sums.crc_ok += 1;
        sums.packets += 1;
        sums.seq_count += f64::from(u16::from_be_bytes([packet[2], packet[3]]) & 0x3FFF);
        sums.msg_counter += f64::from(u16::from_be_bytes([packet[9], packet[10]]));
        for j in 0..10 {
            let u8_value = packet[16 + j];
            sums.columns[j] += f64::from(u8_value);
            sums.count_level(if u8_value > 250 {
                AlarmLevel::Critical
            } else if u8_value > 200 {
                AlarmLevel::Warning
            } else {
                AlarmLevel::Normal
            });
            let raw = u16::from_be_bytes([packet[26 + 2 * j], packet[27 + 2 * j]]);
            sums.columns[10 + j] += f64::from(raw);
            let calibrated = 0.5 + 2.0 * f64::from(raw);
            sums.calibrated[j] += calibrated;
            if !(1000.0..=120_000.0).contains(&calibrated) {
                sums.warnings += 1;
            }
            let i32_value = i32::from_be_bytes(packet[46 + 4 * j..50 + 4 * j].try_into().unwrap_or_default());
            sums.columns[20 + j] += f64::from(i32_value);
        }
        for j in 0..5 {
            let f32_value = f32::from_be_bytes(packet[86 + 4 * j..90 + 4 * j].try_into().unwrap_or_default());
            sums.columns[30 + j] += f64::from(f32_value);
            let f64_value = f64::from_be_bytes(packet[106 + 8 * j..114 + 8 * j].try_into().unwrap_or_default());
            sums.columns[35 + j] += f64_value;
            if !(-1e6..=1e6).contains(&f64_value) {
                sums.criticals += 1;
            }
        }
    }
    sums
}

/// Where each parameter's samples go in the checksums.
#[derive(Clone, Copy)]
pub enum Slot {
    Column(usize),
    SeqCount,
    MsgCounter,
    Ignore,
}

/// The plan of the workload model and the checksum slot of every parameter.
pub fn compile() -> anyhow::Result<(Plan, Vec<Slot>)> {
    let model = model();
    let issues = model.validate();
    anyhow::ensure!(issues.is_empty(), "the workload model is invalid: {issues:?}");
    let plan = Plan::compile(&model)?;
    let names = parameter_names();
    let mut slots = Vec::new();
    for name in model.parameters.keys() {
        let id = plan.parameter_id(name).ok_or_else(|| anyhow::anyhow!("{name} not in the plan"))?;
        let slot = match name.local() {
            "SEQ_COUNT" => Slot::SeqCount,
            "MSG_COUNTER" => Slot::MsgCounter,
            local => names.iter().position(|n| n == local).map_or(Slot::Ignore, Slot::Column),
        };
        if slots.len() <= id.0 as usize {
            slots.resize(id.0 as usize + 1, Slot::Ignore);
        }
        slots[id.0 as usize] = slot;
    }
    Ok((plan, slots))
}

/// Our chain as timed: the packet splitter, the CRC check, then the model-driven processor
/// writing every sample to a buffer. Returns the number of samples.
pub fn chain(bytes: &[u8], plan: &Plan) -> u64 {
    let mut processor = Processor::new(plan);
    let mut samples = Vec::with_capacity(64);
    let mut splitter = PacketSplitter::new(SplitterConfig::default());
    let mut n_samples = 0u64;
    splitter.split(bytes, |unit| {
        let Unit::Packet { bytes: packet, .. } = unit else { return };
        let len = packet.len();
        if len < 2 || crc16_ccitt_false(&packet[..len - 2]) != u16::from_be_bytes([packet[len - 2], packet[len - 1]]) {
            return;
        }
        samples.clear();
        if processor.process(packet, &mut samples).is_ok() {
            n_samples += std::hint::black_box(&samples).len() as u64;
        }
    });
    n_samples
}

/// The same chain, summing every sample into checksums (untimed: it proves the chain computed
/// what the reference did).
pub fn chain_checksums(bytes: &[u8], plan: &Plan, slots: &[Slot]) -> Checksums {
    let mut sums = Checksums::default();
    let mut processor = Processor::new(plan);
    let mut samples = Vec::with_capacity(64);
    let mut splitter = PacketSplitter::new(SplitterConfig::default());
    splitter.split(bytes, |unit| {
        let Unit::Packet { bytes: packet, .. } = unit else { return };
        let len = packet.len();
        if len < 2 || crc16_ccitt_false(&packet[..len - 2]) != u16::from_be_bytes([packet[len - 2], packet[len - 1]]) {
            return;
        }
        sums.crc_ok += 1;
        samples.clear();
        if processor.process(packet, &mut samples).is_err() {
            return;
        }
        sums.packets += 1;
        for sample in &samples {
            let raw = match sample.raw() {
                RawValue::Unsigned(v) => v as f64,
                RawValue::Signed(v) => v as f64,
                RawValue::Float(v) => v,
                RawValue::Bytes { .. } => 0.0,
            };
            sums.count_level(sample.level);
            match slots.get(sample.parameter.0 as usize).copied().unwrap_or(Slot::Ignore) {
                Slot::Column(idx) => {
                    sums.columns[idx] += raw;
                    if let (10..=19, EngValue::Float(eng)) = (idx, sample.eng()) {
                        sums.calibrated[idx - 10] += eng;
                    }
                }
                Slot::SeqCount => sums.seq_count += raw,
                Slot::MsgCounter => sums.msg_counter += raw,
                Slot::Ignore => {}
            }
        }
    });
    sums
}

/// The chain's first stages alone, for the breakdown: split only, then split and CRC check.
pub fn stages(bytes: &[u8]) -> (u64, u64) {
    let mut n_split = 0u64;
    PacketSplitter::new(SplitterConfig::default()).split(bytes, |unit| {
        if let Unit::Packet { bytes, .. } = unit {
            n_split += std::hint::black_box(bytes).len() as u64;
        }
    });
    let mut n_crc = 0u64;
    PacketSplitter::new(SplitterConfig::default()).split(bytes, |unit| {
        let Unit::Packet { bytes: packet, .. } = unit else { return };
        let len = packet.len();
        if crc16_ccitt_false(&packet[..len - 2]) == u16::from_be_bytes([packet[len - 2], packet[len - 1]]) {
            n_crc += 1;
        }
    });
    (n_split, n_crc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::workload::{generate, SEED};

    #[test]
    fn chain_reference_and_general_path_agree() {
        let bytes = generate(3000, SEED);
        let (plan, slots) = compile().unwrap();
        let hk = plan.container_id(&model::QualifiedName::parse("/bench/HK").unwrap()).unwrap();
        assert!(plan.is_fast(hk), "the workload's HK packet takes the fast path");
        let fast = chain_checksums(&bytes, &plan, &slots);
        assert_eq!(fast, reference(&bytes));
        assert_eq!(fast.packets, 3000);
        let general = chain_checksums(&bytes, &plan.clone().without_fast_path(), &slots);
        assert_eq!(general, fast);
    }

    #[test]
    fn corrupt_packets_fail_the_crc_in_both() {
        let mut bytes = generate(100, SEED);
        bytes[148 * 10 + 20] ^= 0x01;
        let (plan, slots) = compile().unwrap();
        let chain = chain_checksums(&bytes, &plan, &slots);
        assert_eq!((chain.crc_ok, chain.packets), (99, 99));
        assert_eq!(chain, reference(&bytes));
    }
}
