//! The loops of `plan::runs`: one function per combination of read, calibration and number of
//! range checks, chosen when the plan is compiled, so decoding a run costs one call and each
//! field a few instructions with no dispatch.

use crate::plan::runs::{Lane, LaneCal, LaneLoop, LaneRead};
use crate::value::Sample;

/// The loop for fields read with `read`, calibrated with `cal` and `n_checks` range checks.
pub(crate) fn lane_loop(read: LaneRead, cal: LaneCal, n_checks: u8) -> LaneLoop {
    match read {
        LaneRead::U8 => with_cal::<U8>(cal, n_checks),
        LaneRead::U16 => with_cal::<U16>(cal, n_checks),
        LaneRead::U32 => with_cal::<U32>(cal, n_checks),
        LaneRead::U64 => with_cal::<U64>(cal, n_checks),
        LaneRead::I8 => with_cal::<I8>(cal, n_checks),
        LaneRead::I16 => with_cal::<I16>(cal, n_checks),
        LaneRead::I32 => with_cal::<I32>(cal, n_checks),
        LaneRead::I64 => with_cal::<I64>(cal, n_checks),
        LaneRead::Bits => with_cal::<Bits>(cal, n_checks),
        LaneRead::F32 => with_cal::<F32>(cal, n_checks),
        LaneRead::F64 => with_cal::<F64>(cal, n_checks),
    }
}

fn with_cal<R: Read>(cal: LaneCal, n_checks: u8) -> LaneLoop {
    match cal {
        LaneCal::None => with_checks::<R, NoCal>(n_checks),
        LaneCal::Linear => with_checks::<R, Linear>(n_checks),
        LaneCal::Poly => with_checks::<R, Poly>(n_checks),
    }
}

fn with_checks<R: Read, C: Cal>(n_checks: u8) -> LaneLoop {
    LaneLoop(match n_checks {
        0 => run::<R, C, NoChecks>,
        1 => run::<R, C, OneCheck>,
        _ => run::<R, C, TwoChecks>,
    })
}

/// One sample per lane.
fn run<R: Read, C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
    R::extend::<C, L>(out, packet, lanes);
}

/// Reading the fields of a run: each field's raw bits as a sample stores them, and its value
/// as a number.
trait Read {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]);
}

/// Whole big-endian fields of `N` bytes.
trait Word<const N: usize> {
    fn value(bytes: [u8; N]) -> (u64, f64);
}

/// The fields of a run of whole-byte fields, which lie back to back from the first lane's
/// byte: one bounds check for the run, none per field. The caller checked that the packet
/// holds them (`Run::need_len`).
#[inline(always)]
fn back_to_back<const N: usize, W: Word<N>, C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
    let start = lanes.first().map_or(0, |lane| lane.byte as usize);
    let fields = packet.get(start..start + N * lanes.len()).unwrap_or_default();
    let (words, _) = fields.as_chunks::<N>();
    debug_assert_eq!(words.len(), lanes.len(), "the caller checked the packet holds the run");
    out.extend(words.iter().zip(lanes).map(|(word, lane)| {
        let (raw, number) = W::value(*word);
        let (eng, x) = C::calibrate(lane, raw, number);
        L::template(lane, x).with_values(raw, eng)
    }));
}

#[inline(always)]
fn unsigned<const N: usize>(bytes: [u8; N]) -> u64 {
    let mut word = [0u8; 8];
    word[8 - N..].copy_from_slice(&bytes);
    u64::from_be_bytes(word)
}

#[inline(always)]
fn signed<const N: usize>(bytes: [u8; N]) -> (u64, f64) {
    let shift = 64 - 8 * N as u32;
    let v = ((unsigned(bytes) << shift) as i64) >> shift;
    (v as u64, v as f64)
}

struct U8;
struct U16;
struct U32;
struct U64;
struct I8;
struct I16;
struct I32;
struct I64;
struct Bits;
struct F32;
struct F64;

impl Word<1> for U8 {
    #[inline(always)]
    fn value(bytes: [u8; 1]) -> (u64, f64) {
        let v = unsigned(bytes);
        (v, v as f64)
    }
}

impl Word<2> for U16 {
    #[inline(always)]
    fn value(bytes: [u8; 2]) -> (u64, f64) {
        let v = unsigned(bytes);
        (v, v as f64)
    }
}

impl Word<4> for U32 {
    #[inline(always)]
    fn value(bytes: [u8; 4]) -> (u64, f64) {
        let v = unsigned(bytes);
        (v, v as f64)
    }
}

impl Word<8> for U64 {
    #[inline(always)]
    fn value(bytes: [u8; 8]) -> (u64, f64) {
        let v = unsigned(bytes);
        (v, v as f64)
    }
}

impl Word<1> for I8 {
    #[inline(always)]
    fn value(bytes: [u8; 1]) -> (u64, f64) {
        signed(bytes)
    }
}

impl Word<2> for I16 {
    #[inline(always)]
    fn value(bytes: [u8; 2]) -> (u64, f64) {
        signed(bytes)
    }
}

impl Word<4> for I32 {
    #[inline(always)]
    fn value(bytes: [u8; 4]) -> (u64, f64) {
        signed(bytes)
    }
}

impl Word<8> for I64 {
    #[inline(always)]
    fn value(bytes: [u8; 8]) -> (u64, f64) {
        signed(bytes)
    }
}

impl Word<4> for F32 {
    #[inline(always)]
    fn value(bytes: [u8; 4]) -> (u64, f64) {
        let v = f64::from(f32::from_be_bytes(bytes));
        (v.to_bits(), v)
    }
}

impl Word<8> for F64 {
    #[inline(always)]
    fn value(bytes: [u8; 8]) -> (u64, f64) {
        let v = f64::from_be_bytes(bytes);
        (v.to_bits(), v)
    }
}

impl Read for U8 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<1, Self, C, L>(out, packet, lanes);
    }
}

impl Read for U16 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<2, Self, C, L>(out, packet, lanes);
    }
}

impl Read for U32 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<4, Self, C, L>(out, packet, lanes);
    }
}

impl Read for U64 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<8, Self, C, L>(out, packet, lanes);
    }
}

impl Read for I8 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<1, Self, C, L>(out, packet, lanes);
    }
}

impl Read for I16 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<2, Self, C, L>(out, packet, lanes);
    }
}

impl Read for I32 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<4, Self, C, L>(out, packet, lanes);
    }
}

impl Read for I64 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<8, Self, C, L>(out, packet, lanes);
    }
}

impl Read for F32 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<4, Self, C, L>(out, packet, lanes);
    }
}

impl Read for F64 {
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        back_to_back::<8, Self, C, L>(out, packet, lanes);
    }
}

impl Read for Bits {
    /// Each field shifted and masked out of the 8 bytes from its lane's byte.
    fn extend<C: Cal, L: Checks>(out: &mut Vec<Sample>, packet: &[u8], lanes: &[Lane]) {
        out.extend(lanes.iter().map(|lane| {
            let start = lane.byte as usize;
            let word = match packet.get(start..start + 8).and_then(|bytes| <[u8; 8]>::try_from(bytes).ok()) {
                Some(bytes) => u64::from_be_bytes(bytes),
                None => padded(packet, start),
            };
            let raw = (word >> lane.shift) & lane.mask;
            let (eng, x) = C::calibrate(lane, raw, raw as f64);
            L::template(lane, x).with_values(raw, eng)
        }));
    }
}

/// The 8 bytes from `start`, zeros past the end of the packet: a bit field in the last bytes
/// has its own bits all there.
#[cold]
#[inline(never)]
fn padded(packet: &[u8], start: usize) -> u64 {
    let mut bytes = [0u8; 8];
    for (byte, value) in bytes.iter_mut().zip(packet.iter().skip(start)) {
        *byte = *value;
    }
    u64::from_be_bytes(bytes)
}

/// Calibrating a field: the engineering value's bits, and the number the limits check.
trait Cal {
    fn calibrate(lane: &Lane, raw: u64, number: f64) -> (u64, f64);
}

struct NoCal;
struct Linear;
struct Poly;

impl Cal for NoCal {
    #[inline(always)]
    fn calibrate(_: &Lane, raw: u64, number: f64) -> (u64, f64) {
        (raw, number)
    }
}

impl Cal for Linear {
    #[inline(always)]
    fn calibrate(lane: &Lane, _: u64, number: f64) -> (u64, f64) {
        let y = lane.coefficients[0] + lane.coefficients[1] * number;
        (y.to_bits(), y)
    }
}

impl Cal for Poly {
    #[inline(always)]
    fn calibrate(lane: &Lane, _: u64, number: f64) -> (u64, f64) {
        let [a, b, c, d] = lane.coefficients;
        let y = a + number * (b + number * (c + number * d));
        (y.to_bits(), y)
    }
}

/// The template of a field's sample, with the alarm level of its number. Branch-free: on real telemetry whether a value is out
/// of limits is data, not pattern, and a mispredicted branch per sample costs more than
/// computing every check (`&` rather than `&&`, so nothing branches on the data).
trait Checks {
    fn template(lane: &Lane, x: f64) -> &Sample;
}

struct NoChecks;
struct OneCheck;
struct TwoChecks;

impl Checks for NoChecks {
    #[inline(always)]
    fn template(lane: &Lane, _: f64) -> &Sample {
        &lane.templates[0]
    }
}

impl Checks for OneCheck {
    #[inline(always)]
    fn template(lane: &Lane, x: f64) -> &Sample {
        let [lo, hi, ..] = lane.bounds;
        let outside = !((x >= lo) & (x <= hi));
        &lane.templates[2 * usize::from(outside)]
    }
}

impl Checks for TwoChecks {
    #[inline(always)]
    fn template(lane: &Lane, x: f64) -> &Sample {
        let [lo0, hi0, lo1, hi1] = lane.bounds;
        let outside_first = !((x >= lo0) & (x <= hi0));
        let outside_second = !((x >= lo1) & (x <= hi1));
        &lane.templates[2 * usize::from(outside_first) + usize::from(outside_second)]
    }
}
