//! The deterministic workload: housekeeping parameters at 1 Hz and raw units of 148 bytes.

use crate::codec::{self, Kind, Values};

/// 2026-01-01T00:00:00Z in nanoseconds since the Unix epoch.
pub const T0_NS: u64 = 1_767_225_600_000_000_000;
pub const SECOND_NS: u64 = 1_000_000_000;
/// Length of a raw unit (a housekeeping packet of the standard workload).
pub const UNIT_LEN: usize = 148;

/// A small, fast, seeded generator (SplitMix64); the workload must not depend on a crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

/// One housekeeping parameter: its value type, phase within the second and state.
///
/// Kinds rotate u16 (status words: mostly constant), i32 (raw counts: a random walk), f64
/// (calibrated: `offset + gain × raw` of a 12-bit random walk, which XOR compresses poorly, as
/// real calibrated values do). Times are regular 1 Hz onboard times, except every tenth
/// parameter, which carries up to 2 ms of jitter (a time-tagged, irregular source).
pub struct ParamGen {
    pub kind: Kind,
    next_time_ns: u64,
    jitter: bool,
    raw: i64,
    rng: Rng,
}

impl ParamGen {
    pub fn new(param_id: u32, start_ns: u64) -> Self {
        let kind = match param_id % 3 {
            0 => Kind::U16,
            1 => Kind::I32,
            _ => Kind::F64,
        };
        let mut rng = Rng::new(u64::from(param_id) * 0x1234_5678 + 1);
        let raw = rng.below(4096) as i64;
        Self {
            kind,
            // Spread the 1,000 parameters over the second, 1 ms apart.
            next_time_ns: start_ns + u64::from(param_id % 1000) * 1_000_000,
            jitter: param_id % 10 == 9,
            raw,
            rng,
        }
    }

    /// The time of the next sample.
    pub fn peek_time_ns(&self) -> u64 {
        self.next_time_ns
    }

    /// The next sample: its time and its value (as an integer or a float by `kind`).
    pub fn next(&mut self) -> (u64, i64, f64) {
        let jitter_ns = if self.jitter { self.rng.below(2_000_000) } else { 0 };
        let time_ns = self.next_time_ns + jitter_ns;
        self.next_time_ns += SECOND_NS;
        match self.kind {
            Kind::U16 => {
                if self.rng.below(200) == 0 {
                    self.raw = self.rng.below(65_536) as i64;
                }
            }
            Kind::I32 | Kind::F64 => {
                self.raw = (self.raw + self.rng.below(17) as i64 - 8).clamp(0, 4095);
            }
        }
        (time_ns, self.raw, 12.5 + 0.012_345 * self.raw as f64)
    }

    /// The next `n` samples encoded as one segment into `out`; returns the first time.
    pub fn next_segment(&mut self, n: usize, out: &mut Vec<u8>) -> u64 {
        let mut times_ns = Vec::with_capacity(n);
        let mut ints = Vec::with_capacity(n);
        let mut floats = Vec::with_capacity(n);
        for _ in 0..n {
            let (time_ns, raw, eng) = self.next();
            times_ns.push(time_ns);
            ints.push(raw);
            floats.push(eng);
        }
        let values = if self.kind == Kind::F64 { Values::Float(floats) } else { Values::Int(ints) };
        codec::encode(self.kind, &times_ns, &values, out);
        times_ns[0]
    }
}

/// Key of a segment: parameter id and first time, big-endian so byte order is time order.
pub fn segment_key(param_id: u32, first_time_ns: u64) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..4].copy_from_slice(&param_id.to_be_bytes());
    key[4..].copy_from_slice(&first_time_ns.to_be_bytes());
    key
}

/// Key of a raw unit: reception time and sequence number, big-endian.
pub fn unit_key(reception_time_ns: u64, sequence: u32) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&reception_time_ns.to_be_bytes());
    key[8..].copy_from_slice(&sequence.to_be_bytes());
    key
}

/// A raw unit: a CCSDS-like primary header, then pseudo-random payload (incompressible).
pub fn unit_bytes(sequence: u32, rng: &mut Rng) -> Vec<u8> {
    let mut unit = vec![0u8; UNIT_LEN];
    unit[0..2].copy_from_slice(&0x0864u16.to_be_bytes());
    unit[2..4].copy_from_slice(&(0xC000 | (sequence as u16 & 0x3FFF)).to_be_bytes());
    unit[4..6].copy_from_slice(&((UNIT_LEN - 7) as u16).to_be_bytes());
    for chunk in unit[6..].chunks_mut(8) {
        let random = rng.next_u64().to_le_bytes();
        chunk.copy_from_slice(&random[..chunk.len()]);
    }
    unit
}
