//! Fuzz target: any bytes cut into frames go through the demultiplexer without a panic, and
//! every frame is counted.
#![no_main]

use ccsds::{DemuxConfig, FrameConfig, FrameDemux};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, stream)) = data.split_first() else { return };
    let frame_len = 8 + usize::from(control & 0x3F) * 4;
    let fecf = control & 0x40 != 0;
    let config = DemuxConfig { frame: FrameConfig { frame_len, fecf }, spacecraft_id: None };
    let mut demux = FrameDemux::new(config);
    let mut n_frames = 0;
    for (idx, frame) in stream.chunks(frame_len).enumerate() {
        demux.push_frame(frame, (idx * frame_len) as u64, |_| {});
        n_frames += 1;
    }
    assert_eq!(demux.counters().units_in, n_frames);
});
