//! Frames and packets from real captures, checked against independent decodes.

use ccsds::{
    DemuxConfig, FrameConfig, FrameDemux, FrameEvent, NctrsTmHeader, PacketSplitter, SplitterConfig, Unit,
    NCTRS_TM_HEADER_LEN,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use test_utils::real;

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(real(relative)).expect("real capture is readable")
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

/// Splits a whole packet stream; returns the units as (offset, apid or None, bytes).
fn split(stream: &[u8], prefix_len: usize) -> Vec<(u64, Option<u16>, Vec<u8>)> {
    let mut splitter = PacketSplitter::new(SplitterConfig { prefix_len });
    let mut units = Vec::new();
    let mut record = |unit: Unit<'_>| match unit {
        Unit::Packet { offset, prefix, header, bytes } => {
            units.push((offset, Some(header.apid), [prefix, bytes].concat()))
        }
        Unit::Invalid { offset, bytes, .. } => units.push((offset, None, bytes.to_vec())),
    };
    let used = splitter.split(stream, &mut record);
    splitter.finish(&stream[used..], &mut record);
    units
}

/// Runs NCTRS-wrapped frames through the demultiplexer.
fn demux_nctrs(stream: &[u8]) -> (Vec<FrameEvent>, FrameDemux, usize) {
    let config = DemuxConfig { frame: FrameConfig { frame_len: 1115, fecf: true }, spacecraft_id: Some(758) };
    let mut demux = FrameDemux::new(config);
    let mut events = Vec::new();
    let mut pos = 0;
    while let Some(header) = NctrsTmHeader::parse(&stream[pos..]) {
        let end = (pos + header.packet_size as usize).min(stream.len());
        demux.push_frame(&stream[pos + NCTRS_TM_HEADER_LEN..end], pos as u64, |e| events.push(e));
        pos = end;
    }
    (events, demux, pos)
}

#[test]
fn nctrs_frames_match_their_decode() {
    // Expected values: shared/real/spacepylibrary/tmFiles/TMframes3.txt and TMpackets3.txt.
    let stream = read("spacepylibrary/tmFiles/TMframes3.bin");
    let header = NctrsTmHeader::parse(&stream).unwrap();
    assert_eq!((header.packet_size, header.spacecraft_id, header.virtual_channel_id), (1135, 758, 0));
    let (events, demux, consumed) = demux_nctrs(&stream);
    assert_eq!(consumed, stream.len());
    let expected_packets: Vec<Vec<u8>> = std::fs::read_to_string(real("spacepylibrary/tmFiles/TMpackets3.txt"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("sleep") && !line.is_empty())
        .map(hex)
        .collect();
    let packets: Vec<Vec<u8>> = events
        .iter()
        .filter_map(|e| match e {
            FrameEvent::Packet { header, bytes, .. } => {
                assert_eq!(header.apid, 1234);
                Some(bytes.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(packets, expected_packets);
    let counters = demux.counters();
    assert_eq!((counters.units_in, counters.packets_out, counters.idle_packets), (4, 4, 4));
    assert_eq!((counters.gaps, counters.invalid_total()), (0, 0));
    let clcws = events.iter().filter(|e| matches!(e, FrameEvent::Clcw { .. })).count();
    assert_eq!(clcws, 4, "every frame carries a CLCW in its OCF");
}

#[test]
fn a_lost_frame_is_a_gap_and_a_corrupt_one_is_kept_invalid() {
    let stream = read("spacepylibrary/tmFiles/TMframes3.bin");
    let unit = 1135;
    // Drop frame 2 and corrupt a byte of frame 3's data field.
    let mut edited = [&stream[..unit], &stream[2 * unit..]].concat();
    edited[unit + NCTRS_TM_HEADER_LEN + 100] ^= 0x55;
    let (events, demux, _) = demux_nctrs(&edited);
    let counters = demux.counters();
    assert_eq!(counters.packets_out, 2);
    assert_eq!(counters.invalid.get(&ccsds::InvalidReason::CrcMismatch), Some(&1));
    // Frame 1 was dropped and frame 2 failed its CRC, so after frame 0 comes frame 3.
    assert_eq!(counters.frames_lost, 2, "{counters:?}");
    assert!(events
        .iter()
        .any(|e| matches!(e, FrameEvent::Gap { virtual_channel_id: None, expected: 1, found: 3, .. })));
}

#[test]
fn cygnss_stream_demultiplexes_byte_exactly_by_apid() {
    // shared/real/ccsdspy/split/ holds the upstream per-APID split of this stream.
    let stream = read("ccsdspy/split/CYGNSS_F7_L0_2022_086_10_15_V01_F__first101pkts.tlm");
    let units = split(&stream, 0);
    assert_eq!(units.len(), 101);
    let mut by_apid: BTreeMap<u16, Vec<u8>> = BTreeMap::new();
    for (_, apid, bytes) in units {
        by_apid.entry(apid.expect("every CYGNSS packet is valid")).or_default().extend(bytes);
    }
    let split_dir = real("ccsdspy/split");
    let mut expected_files = 0;
    for entry in std::fs::read_dir(split_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(apid) = name.strip_prefix("apid").and_then(|n| n.strip_suffix(".tlm")) else {
            continue;
        };
        let apid: u16 = apid.parse().unwrap();
        assert_eq!(by_apid.get(&apid), Some(&std::fs::read(&path).unwrap()), "APID {apid}");
        expected_files += 1;
    }
    assert_eq!(by_apid.len(), expected_files);
}

#[test]
fn suda_file_with_four_byte_headers() {
    let stream = read("lasp-space_packet_parser/suda/sciData_2022_130_17_41_53.spl");
    let units = split(&stream, 4);
    assert_eq!(units.len(), 13, "SOURCES.md: 13 packets");
    assert!(units.iter().all(|(_, apid, _)| *apid == Some(1425)));
}

/// Every byte received comes out in exactly one unit, in order, however the input is cut.
fn assert_nothing_lost(stream: &[u8], prefix_len: usize) {
    let units = split(stream, prefix_len);
    let mut expected_offset = 0u64;
    for (offset, _, bytes) in &units {
        assert_eq!(*offset, expected_offset);
        expected_offset += bytes.len() as u64;
    }
    assert_eq!(expected_offset, stream.len() as u64);
}

#[test]
fn every_truncation_loses_nothing() {
    let cygnss = read("ccsdspy/split/CYGNSS_F7_L0_2022_086_10_15_V01_F__first101pkts.tlm");
    for cut in 0..=cygnss.len().min(6000) {
        assert_nothing_lost(&cygnss[..cut], 0);
    }
    let frames = read("spacepylibrary/tmFiles/TMframes3.bin");
    for cut in 0..=frames.len() {
        let (_, demux, _) = demux_nctrs(&frames[..cut]);
        assert!(demux.counters().units_in <= 4);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn flipped_bytes_lose_nothing_and_never_panic(flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..), 1..8)) {
        let mut cygnss = read("ccsdspy/split/CYGNSS_F7_L0_2022_086_10_15_V01_F__first101pkts.tlm");
        let mut frames = read("spacepylibrary/tmFiles/TMframes3.bin");
        for (index, mask) in &flips {
            let at = index.index(cygnss.len());
            cygnss[at] ^= mask;
            let at = index.index(frames.len());
            frames[at] ^= mask;
        }
        assert_nothing_lost(&cygnss, 0);
        let _ = demux_nctrs(&frames);
    }
}
