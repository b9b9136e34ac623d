//! Fuzz target: a packet stream, in chunks of any size, comes out as units that cover every
//! input byte exactly once, in order; never a panic.
#![no_main]

use ccsds::{PacketSplitter, SplitterConfig, Unit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, stream)) = data.split_first() else { return };
    let prefix_len = usize::from(control & 0x07);
    let chunk = usize::from(control >> 3) + 1;
    let mut splitter = PacketSplitter::new(SplitterConfig { prefix_len });
    let mut pending = Vec::new();
    let mut covered = 0u64;
    let mut record = |unit: Unit<'_>| {
        let (offset, len) = match unit {
            Unit::Packet { offset, prefix, bytes, .. } => (offset, prefix.len() + bytes.len()),
            Unit::Invalid { offset, bytes, .. } => (offset, bytes.len()),
        };
        assert_eq!(offset, covered, "units are contiguous");
        covered += len as u64;
    };
    for piece in stream.chunks(chunk) {
        pending.extend_from_slice(piece);
        let used = splitter.split(&pending, &mut record);
        pending.drain(..used);
    }
    splitter.finish(&pending, &mut record);
    assert_eq!(covered, stream.len() as u64, "nothing is lost");
});
