//! Streams and datagrams into telecommands, in chunks of every size.

use super::*;
use expect_test::{expect, Expect};

fn ping(seq: u16) -> Vec<u8> {
    tc::pus::pus_tc(100, seq, 17, 1, 0, 0b1001, &[]).expect("ping")
}

fn frame(data: &[u8], fecf: bool) -> Vec<u8> {
    tc::frame::tc_frame(0x2A, 0, 0, true, data, fecf).expect("frame")
}

/// The units of `stream` fed in chunks of `chunk` bytes, then finished, one line each.
fn decode(framing: TcFraming, stream: &[u8], chunk: usize) -> String {
    let mut decoder = TcDecoder::new(framing);
    let mut units: Vec<TcUnit> = stream.chunks(chunk.max(1)).flat_map(|piece| decoder.push(piece)).collect();
    units.extend(decoder.finish());
    let describe = |unit: &TcUnit| match unit {
        TcUnit::Packet(bytes) => format!("packet {} bytes, seq {}\n", bytes.len(), bytes[3]),
        TcUnit::Invalid { offset, len, reason } => format!("invalid at {offset}, {len} bytes: {reason}\n"),
        TcUnit::Ignored { offset, reason } => format!("ignored at {offset}: {reason}\n"),
    };
    units.iter().map(describe).collect()
}

/// Every chunking must give the same units (after lost sync, one per remaining chunk: so
/// only streams that keep sync are compared across chunk sizes).
#[track_caller]
fn check(framing: TcFraming, stream: &[u8], expect: Expect) {
    let whole = decode(framing, stream, stream.len());
    if !whole.contains("lost sync") {
        for chunk in 1..stream.len() {
            assert_eq!(decode(framing, stream, chunk), whole, "chunks of {chunk}");
        }
    }
    expect.assert_eq(&whole);
}

#[test]
fn packets_in_a_stream() {
    let mut stream = ping(1);
    stream.extend(ping(2));
    stream.extend(&ping(3)[..5]);
    check(
        TcFraming::Packets,
        &stream,
        expect![[r#"
            packet 13 bytes, seq 1
            packet 13 bytes, seq 2
            invalid at 26, 5 bytes: truncated: the stream ends 5 bytes into a unit
        "#]],
    );
}

#[test]
fn garbage_loses_packet_sync() {
    let mut stream = ping(1);
    stream.extend(b"hello, spacecraft");
    stream.extend(ping(2));
    check(
        TcFraming::Packets,
        &stream,
        expect![[r#"
            packet 13 bytes, seq 1
            invalid at 13, 30 bytes: lost sync: packet version 3, expected 0
        "#]],
    );
    let mut decoder = TcDecoder::new(TcFraming::Packets);
    decoder.push(b"\xFF\xFF\xFF\xFF\xFF\xFF");
    assert!(decoder.lost_sync());
    assert_eq!(
        decoder.push(&ping(3)),
        [TcUnit::Invalid { offset: 6, len: 13, reason: "after lost sync".into() }],
        "nothing is read after lost sync"
    );
}

#[test]
fn frames_with_and_without_fecf_and_segment_header() {
    for fecf in [false, true] {
        let mut stream = frame(&ping(1), fecf);
        // A segment header of an unsegmented unit on MAP 0, then two packets in one frame.
        let mut two = vec![0xC0];
        two.extend(ping(2));
        two.extend(ping(3));
        stream.extend(frame(&two, fecf));
        // Without a FECF the flipped bit lands in the packet's CRC: the simulator's business.
        let mut bad_crc = frame(&ping(4), fecf);
        *bad_crc.last_mut().expect("bytes") ^= 1;
        stream.extend(bad_crc);
        stream.extend(frame(&ping(5)[..10], fecf));
        stream.extend(frame(&[0x40, 1, 2], fecf));
        stream.extend(frame(&ping(6), fecf));
        let expected = if fecf {
            expect![[r#"
                packet 13 bytes, seq 1
                packet 13 bytes, seq 2
                packet 13 bytes, seq 3
                invalid at 54, 20 bytes: TC frame at byte 18: FECF 0xaf00, computed 0xaf01
                invalid at 79, 10 bytes: TC frame data: 10 bytes are no whole packet
                invalid at 96, 3 bytes: segment header 0x40: segmented telecommands are not supported
                packet 13 bytes, seq 6
            "#]]
        } else {
            expect![[r#"
                packet 13 bytes, seq 1
                packet 13 bytes, seq 2
                packet 13 bytes, seq 3
                packet 13 bytes, seq 4
                invalid at 73, 10 bytes: TC frame data: 10 bytes are no whole packet
                invalid at 88, 3 bytes: segment header 0x40: segmented telecommands are not supported
                packet 13 bytes, seq 6
            "#]]
        };
        check(TcFraming::Frames { fecf }, &stream, expected);
    }
}

#[test]
fn control_frames_are_ignored_and_bad_frame_versions_lose_sync() {
    let mut control = frame(&[0x00], false);
    control[0] |= 0x10;
    let mut stream = control;
    stream.extend(frame(&ping(1), false));
    stream.extend([0xC0, 0, 0, 9]);
    stream.extend(frame(&ping(2), false));
    check(
        TcFraming::Frames { fecf: false },
        &stream,
        expect![[r#"
            ignored at 0: a COP-1 control command frame (no FARM here)
            packet 13 bytes, seq 1
            invalid at 24, 22 bytes: lost sync: TC frame version 3, expected 0
        "#]],
    );
}
