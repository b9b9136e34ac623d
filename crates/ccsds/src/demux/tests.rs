use super::*;
use expect_test::{expect, Expect};

const FRAME_LEN: usize = 20;
const DATA_LEN: usize = FRAME_LEN - 6;

fn packet(apid: u16, count: u16, data_len: usize) -> Vec<u8> {
    let mut bytes = vec![(apid >> 8) as u8, apid as u8, 0xC0 | (count >> 8) as u8, count as u8];
    bytes.extend(((data_len - 1) as u16).to_be_bytes());
    bytes.extend((0..data_len).map(|i| i as u8));
    bytes
}

/// Cuts a packet stream into frames of VC `vcid`, setting each first header pointer.
fn frames(stream: &[u8], starts: &[usize], vcid: u8) -> Vec<Vec<u8>> {
    stream
        .chunks(DATA_LEN)
        .enumerate()
        .map(|(idx, chunk)| {
            let from = idx * DATA_LEN;
            let first = starts.iter().find(|s| **s >= from && **s < from + chunk.len());
            let pointer = first.map_or(FHP_NO_PACKET_START, |s| (s - from) as u16);
            let mut frame = vec![0x00, 0x10 | (vcid << 1), idx as u8, idx as u8];
            frame.extend(pointer.to_be_bytes());
            frame.extend(chunk);
            frame.resize(FRAME_LEN, 0x55);
            frame
        })
        .collect()
}

#[track_caller]
fn check(frames: &[Vec<u8>], expect: Expect) {
    let config = DemuxConfig { frame: FrameConfig { frame_len: FRAME_LEN, fecf: false }, spacecraft_id: Some(1) };
    let mut demux = FrameDemux::new(config);
    let mut lines = Vec::new();
    for (idx, frame) in frames.iter().enumerate() {
        demux.push_frame(frame, (idx * FRAME_LEN) as u64, |event| {
            lines.push(match event {
                FrameEvent::Packet { header, bytes, .. } => {
                    format!("packet apid {} count {} len {}", header.apid, header.sequence_count, bytes.len())
                }
                FrameEvent::Invalid { offset, bytes, reason, .. } => {
                    format!("invalid {} at {offset}: {} bytes", reason.as_str(), bytes.len())
                }
                FrameEvent::Gap { virtual_channel_id, expected, found, .. } => {
                    format!("gap vc {virtual_channel_id:?}: expected {expected}, found {found}")
                }
                FrameEvent::Clcw { .. } => "clcw".into(),
            })
        });
    }
    let counters = demux.counters();
    lines.push(format!(
        "packets {} idle {} invalid {} gaps {}",
        counters.packets_out,
        counters.idle_packets,
        counters.invalid_total(),
        counters.gaps
    ));
    expect.assert_eq(&lines.join("\n"));
}

fn stream_of(lens: &[usize]) -> (Vec<u8>, Vec<usize>) {
    let mut stream = Vec::new();
    let mut starts = Vec::new();
    for (idx, len) in lens.iter().enumerate() {
        starts.push(stream.len());
        stream.extend(packet(10 + idx as u16, idx as u16, *len));
    }
    (stream, starts)
}

#[test]
fn packets_spanning_frames_are_reassembled() {
    // 9, 27 (spans two frames), 3 and 15 bytes: the 27-byte packet starts mid-frame.
    let (stream, starts) = stream_of(&[3, 21, 1, 9]);
    check(
        &frames(&stream, &starts, 0),
        expect![[r#"
            packet apid 10 count 0 len 9
            packet apid 11 count 1 len 27
            packet apid 12 count 2 len 7
            packet apid 13 count 3 len 15
            invalid no_packet_start at 80: 12 bytes
            packets 4 idle 0 invalid 1 gaps 0"#]],
    );
}

#[test]
fn a_gap_drops_the_broken_packet_and_resumes_at_the_pointer() {
    let (stream, starts) = stream_of(&[3, 21, 1, 9]);
    let mut frames = frames(&stream, &starts, 0);
    frames.remove(1);
    check(
        &frames,
        expect![[r#"
            packet apid 10 count 0 len 9
            gap vc None: expected 1, found 2
            gap vc Some(0): expected 1, found 2
            invalid incomplete_packet at 20: 5 bytes
            invalid no_packet_start at 20: 8 bytes
            packet apid 12 count 2 len 7
            packet apid 13 count 3 len 15
            invalid no_packet_start at 60: 12 bytes
            packets 3 idle 0 invalid 3 gaps 2"#]],
    );
}
