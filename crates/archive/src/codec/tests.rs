use super::block::{decode_block, BlockEncoder, UnitIn};
use super::decode::{decode, inputs};
use super::segment::{EngIn, RawIn, SegmentEncoder};
use expect_test::{expect, Expect};

type In = (u64, RawIn<'static>, EngIn<'static>, u8);

/// Encodes the samples, checks that they decode to themselves and that every truncation is
/// refused, and compares the blob's length and aggregates with `expect`.
#[track_caller]
fn check_segment(samples: &[In], labels: &[&str], expect: Expect) {
    let labels: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    let mut encoder = SegmentEncoder::default();
    for &(time_ms, raw, eng, meta) in samples {
        encoder.push(time_ms, raw, eng, meta);
    }
    let mut blob = Vec::new();
    encoder.finish(&labels, &mut blob);
    let decoded = decode(&blob).expect("our own encoding decodes");
    assert_eq!(decoded.labels, labels);
    for (idx, &(time_ms, raw, eng, meta)) in samples.iter().enumerate() {
        let (raw_back, eng_back) = inputs(&blob, &decoded, idx);
        assert_eq!((decoded.times[idx], decoded.meta[idx]), (time_ms, meta), "sample {idx}");
        assert_eq!(format!("{raw_back:?} {eng_back:?}"), format!("{raw:?} {eng:?}"), "sample {idx}");
    }
    for len in 0..blob.len() {
        assert_eq!(decode(&blob[..len]), None, "truncated to {len}");
    }
    let agg = encoder.agg;
    expect.assert_eq(&format!(
        "{} bytes, {} numeric, min {} max {} sum {}",
        blob.len(),
        agg.numeric,
        agg.min,
        agg.max,
        agg.sum
    ));
}

#[test]
fn every_value_kind_round_trips() {
    let samples: Vec<In> = vec![
        (1000, RawIn::Unsigned(7), EngIn::Unsigned(7), 0),
        (1000, RawIn::Unsigned(7), EngIn::Float(14.5), 2),
        (1001, RawIn::Signed(-3), EngIn::Signed(-3), 0x80),
        (1001, RawIn::Float(-0.0), EngIn::Float(-0.0), 5),
        (1002, RawIn::Unsigned(1), EngIn::Bool(true), 0),
        (1003, RawIn::Unsigned(2), EngIn::Enum(1), 4),
        (1004, RawIn::Unsigned(9), EngIn::UnknownEnum(9), 0),
        (1005, RawIn::Bytes(b"HELLO"), EngIn::Text(b"HELLO"), 0),
        (1006, RawIn::Bytes(b"\x00\xFF"), EngIn::Bytes(b"\x00\xFF"), 0),
        (1007, RawIn::Bytes(b"ab"), EngIn::Text(b"xyz"), 0),
        (1008, RawIn::Unsigned(u64::MAX), EngIn::Time(1.5e9), 0),
        (1009, RawIn::Float(f64::NAN), EngIn::Float(f64::NAN), 0),
        (1010, RawIn::Unsigned(3), EngIn::Invalid, 0),
        (1011, RawIn::Bytes(b""), EngIn::Bytes(b"other"), 0),
        (1012, RawIn::Signed(i64::MIN), EngIn::Float(f64::INFINITY), 0),
    ];
    check_segment(&samples, &["OFF", "ON", "UNKNOWN"], expect!["166 bytes, 8 numeric, min -3 max inf sum inf"]);
}

#[test]
fn times_equal_jumping_and_going_back() {
    let times = [0, 0, 0, u64::MAX, 5, 5, 1_767_225_600_000, 1_767_225_600_000, 1];
    let samples: Vec<In> = times.iter().map(|&t| (t, RawIn::Signed(-1), EngIn::Signed(-1), 0)).collect();
    check_segment(&samples, &[], expect!["48 bytes, 9 numeric, min -1 max -1 sum -9"]);
}

#[test]
fn regular_series_are_compact() {
    let samples: Vec<In> = (0..1024u64)
        .map(|k| (1_767_225_600_000 + k * 1000, RawIn::Unsigned(100 + k % 3), EngIn::Float(0.5 + (k % 3) as f64), 0))
        .collect();
    check_segment(&samples, &[], expect!["4808 bytes, 1024 numeric, min 0.5 max 2.5 sum 1535"]);
    let same: Vec<In> = (0..1024u64).map(|k| (k * 1000, RawIn::Unsigned(k % 5), EngIn::Unsigned(k % 5), 0)).collect();
    check_segment(&same, &[], expect!["2070 bytes, 1024 numeric, min 0 max 4 sum 2046"]);
}

#[test]
fn blocks_round_trip_and_refuse_truncations() {
    let units = [
        UnitIn { seq: 1, time_ms: 10, link: 1, kind: 0, invalid: None, bytes: b"\x08\x64\xC0\x00\x00\x01\xAA\xBB" },
        UnitIn { seq: 3, time_ms: 10, link: 2, kind: 2, invalid: Some("crc_mismatch"), bytes: b"" },
        UnitIn { seq: 4, time_ms: 4000, link: 1, kind: 1, invalid: None, bytes: &[0x55; 40] },
    ];
    let mut encoder = BlockEncoder::default();
    for unit in &units {
        encoder.push(unit);
    }
    let mut blob = Vec::new();
    encoder.finish(&mut blob);
    assert_eq!(decode_block(&blob).as_deref(), Some(&units[..]));
    for len in 0..blob.len() {
        assert_eq!(decode_block(&blob[..len]), None, "truncated to {len}");
    }
    expect!["83"].assert_eq(&blob.len().to_string());
}

#[test]
fn garbage_never_panics() {
    let mut state = 0x1234_5678_u64;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let _ = decode(&bytes);
        let _ = decode_block(&bytes);
        let mut with_format = bytes.clone();
        with_format.insert(0, super::FORMAT);
        let _ = decode(&with_format);
        let _ = decode_block(&with_format);
    }
}
