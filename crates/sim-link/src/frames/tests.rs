//! Frames made here must give back the same packets through the repo's own receiver
//! (`ccsds::FrameDemux`), across frame boundaries and flushes, with no gap and no invalid unit.

use super::*;
use ccsds::{DemuxConfig, FrameConfig, FrameDemux, FrameEvent, LinkCounters};

fn packet(apid: u16, count: u16, len: usize) -> Vec<u8> {
    assert!(len >= PACKET_LEN_MIN);
    let mut bytes = Vec::with_capacity(len);
    bytes.extend_from_slice(&(0x0800 | apid).to_be_bytes());
    bytes.extend_from_slice(&(0xC000 | count).to_be_bytes());
    bytes.extend_from_slice(&((len - PACKET_HEADER_LEN - 1) as u16).to_be_bytes());
    bytes.extend((0..len - PACKET_HEADER_LEN).map(|i| (i as u8).wrapping_mul(7) ^ count as u8));
    bytes
}

fn config(frame_len: usize, fecf: bool) -> TmFrameConfig {
    TmFrameConfig { frame_len, spacecraft_id: 0x2AB, virtual_channel: 5, fecf }
}

/// Frames `batches` (a flush after each) and decodes them; returns the frames, the packets
/// out and the receiver's counters.
fn round_trip(config: TmFrameConfig, batches: &[Vec<Vec<u8>>]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, LinkCounters) {
    let mut framer = TmFramer::new(config).expect("config");
    let mut frames = Vec::new();
    for batch in batches {
        for packet in batch {
            framer.push(packet, &mut frames).expect("a packet");
        }
        framer.flush(&mut frames);
    }
    let frame_config = FrameConfig { frame_len: config.frame_len, fecf: config.fecf };
    let mut demux = FrameDemux::new(DemuxConfig { frame: frame_config, spacecraft_id: Some(config.spacecraft_id) });
    let mut packets = Vec::new();
    for (idx, frame) in frames.iter().enumerate() {
        assert_eq!(frame.len(), config.frame_len, "frame {idx}");
        demux.push_frame(frame, (idx * config.frame_len) as u64, |event| match event {
            FrameEvent::Packet { bytes, spacecraft_id, virtual_channel_id, .. } => {
                assert_eq!((spacecraft_id, virtual_channel_id), (config.spacecraft_id, config.virtual_channel));
                packets.push(bytes);
            }
            other => panic!("frame {idx}: unexpected {other:?}"),
        });
    }
    (frames, packets, demux.counters().clone())
}

/// One idle packet per flush of a partly filled frame.
fn expected_idle_packets(config: TmFrameConfig, batches: &[Vec<Vec<u8>>]) -> u64 {
    let data_len = config.data_len();
    let mut filled = 0;
    let mut idle = 0;
    for batch in batches {
        filled = (filled + batch.iter().map(Vec::len).sum::<usize>()) % data_len;
        if filled != 0 {
            idle += 1;
            filled = 0;
        }
    }
    idle
}

#[test]
fn packets_come_back_across_frame_boundaries_for_every_split() {
    for fecf in [false, true] {
        for frame_len in [15, 16, 64, 101] {
            // Sizes that end exactly on a boundary, leave 1..6 bytes, and span several frames.
            for first_len in 7..=frame_len * 3 {
                let batches = vec![
                    vec![packet(1, 0, first_len), packet(2, 1, 7)],
                    vec![packet(3, 2, 200)],
                    vec![packet(4, 3, frame_len + 1), packet(5, 4, 9), packet(6, 5, 30)],
                ];
                let (frames, packets, counters) = round_trip(config(frame_len, fecf), &batches);
                let sent: Vec<Vec<u8>> = batches.concat();
                assert_eq!(packets, sent, "frame_len {frame_len} fecf {fecf} first {first_len}");
                assert_eq!(counters.units_in, frames.len() as u64);
                assert_eq!((counters.gaps, counters.frames_lost, counters.idle_frames), (0, 0, 0));
                assert_eq!(counters.idle_packets, expected_idle_packets(config(frame_len, fecf), &batches));
            }
        }
    }
}

#[test]
fn header_fields_and_counts() {
    let config = config(32, true);
    let mut framer = TmFramer::new(config).expect("config");
    let mut frames = Vec::new();
    // 20 + 30 bytes: frame 0 holds the first and 4 bytes of the second; frame 1 the next 24.
    framer.push(&packet(1, 0, 20), &mut frames).expect("packet");
    framer.push(&packet(2, 0, 30), &mut frames).expect("packet");
    framer.flush(&mut frames);
    assert_eq!(frames.len(), 3, "the second packet ends 2 bytes into frame 2; an idle packet fills it");
    let header = |frame: &[u8]| frame[..6].to_vec();
    // Spacecraft 0x2AB, VC 5, no OCF: 0x2A, 0xBA; counts; 0x18 | pointer.
    assert_eq!(header(&frames[0]), [0x2A, 0xBA, 0, 0, 0x18, 0x00]);
    assert_eq!(header(&frames[1]), [0x2A, 0xBA, 1, 1, 0x1F, 0xFF], "no packet starts in frame 1");
    assert_eq!(header(&frames[2]), [0x2A, 0xBA, 2, 2, 0x18, 0x02], "the idle packet starts at 2");
    for frame in &frames {
        let crc = crc16_ccitt_false(&frame[..30]);
        assert_eq!(frame[30..], crc.to_be_bytes());
    }
}

#[test]
fn counts_wrap_and_nothing_is_made_without_packets() {
    let config = config(16, false);
    let mut framer = TmFramer::new(config).expect("config");
    let mut frames = Vec::new();
    framer.flush(&mut frames);
    assert!(frames.is_empty(), "no frame without packets");
    for count in 0..300 {
        framer.push(&packet(9, count, 10), &mut frames).expect("packet");
    }
    assert_eq!(frames.len(), 300);
    assert_eq!((frames[256][2], frames[256][3], frames[299][2]), (0, 0, 43));
}

#[test]
fn bad_config_and_bad_packets_are_refused() {
    let cases = [
        (config(12, false), "TM frames: frame length 12: must be 13 to 2048 bytes"),
        (config(14, true), "TM frames: frame length 14: must be 15 to 2048 bytes"),
        (config(2049, false), "TM frames: frame length 2049: must be 13 to 2048 bytes"),
        (TmFrameConfig { spacecraft_id: 1024, ..config(64, false) }, "TM frames: spacecraft id 1024 is above 1023"),
        (TmFrameConfig { virtual_channel: 8, ..config(64, false) }, "TM frames: virtual channel 8 is above 7"),
    ];
    for (config, message) in cases {
        assert_eq!(TmFramer::new(config).map(|_| ()).map_err(|e| e.to_string()), Err(message.to_string()));
    }
    let mut framer = TmFramer::new(config(64, false)).expect("config");
    let mut frames = Vec::new();
    let mut long = packet(1, 0, 10);
    long.push(0);
    let refused = [vec![0xE0, 0, 0, 0, 0, 0, 0], long, vec![0x08, 0x01]];
    for bytes in refused {
        assert!(framer.push(&bytes, &mut frames).is_err(), "{bytes:02x?}");
    }
    framer.flush(&mut frames);
    assert!(frames.is_empty(), "refused bytes leave no trace");
}
