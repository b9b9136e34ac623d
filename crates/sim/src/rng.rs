//! A seeded xorshift64* generator: the same seed gives the same packets.

/// A seeded pseudo-random generator (xorshift64*).
#[derive(Clone, Debug)]
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (0 is replaced: xorshift needs a non-zero state).
    pub(crate) fn new(seed: u64) -> Self {
        XorShift(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with `percent` percent probability.
    pub(crate) fn chance(&mut self, percent: f64) -> bool {
        self.unit() * 100.0 < percent
    }
}
