//! Backfill: a time range of parameter samples replaced by packets decoded again with another
//! model version, checked against a brute-force model of what the archive should hold.

use crate::support::{count_rows, open, TempDir};
use archive::{ArchiveError, BackfillReport, Bucket, Reader, StoredValue, Writer};
use model::*;
use tm::{Plan, Processor};

/// The series of the packet model, in the order queries ask for them.
const NAMES: [&str; 3] = ["/p/TEMP", "/p/MODE", "/p/NEW"];

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("test names are absolute")
}

fn unsigned(size_bits: u8) -> DataType {
    let mut data_type = DataType::new(TypeKind::Integer { signed: false, size_bits, valid_range: None });
    data_type.encoding =
        Some(DataEncoding::Integer { size_bits, sign: IntegerSign::Unsigned, byte_order: ByteOrder::BigEndian });
    data_type
}

/// A packet after its 6-byte primary header: /p/TEMP (u16, calibrated `offset + slope × raw`),
/// /p/MODE (u8 enumeration OFF, ON) and, when `with_new`, /p/NEW (u8).
fn packet_plan(offset: f64, slope: f64, with_new: bool) -> Plan {
    let mut model = MissionModel { name: "p".into(), ..MissionModel::default() };
    model.space_systems.insert(name("/p"), SpaceSystem::default());
    let mut temp = unsigned(16);
    temp.calibrator = Some(Calibrator::Polynomial { coefficients: vec![offset, slope] });
    let mut mode = DataType::new(TypeKind::Enumerated {
        values: vec![
            EnumValue { value: 0, max: None, label: "OFF".into(), description: None },
            EnumValue { value: 1, max: None, label: "ON".into(), description: None },
        ],
    });
    mode.encoding = unsigned(8).encoding;
    for (type_name, data_type) in [("temp", temp), ("mode", mode), ("u8", unsigned(8))] {
        model.parameter_types.insert(name(&format!("/p/{type_name}")), data_type);
    }
    let mut container = SequenceContainer::new(name("/p/pkt"));
    for (param, type_name) in [("TEMP", "temp"), ("MODE", "mode"), ("NEW", "u8")] {
        let qualified = name(&format!("/p/{param}"));
        model.parameters.insert(qualified.clone(), Parameter::new(qualified.clone(), name(&format!("/p/{type_name}"))));
        if param != "NEW" || with_new {
            container.entries.push(ContainerEntry::next(EntryKind::Parameter(qualified)));
        }
    }
    container.entries[0].location = EntryLocation { reference: LocationReference::ContainerStart, offset_bits: 48 };
    model.containers.insert(container.name.clone(), container);
    Plan::compile(&model).expect("the packet model compiles")
}

/// The realtime model version: TEMP = raw.
fn plan_a() -> Plan {
    packet_plan(0.0, 1.0, false)
}

/// The fixed model version: TEMP = 1000 + 2 × raw, and NEW.
fn plan_b() -> Plan {
    packet_plan(1000.0, 2.0, true)
}

/// The packet of sample `k`: TEMP k, MODE k % 2, NEW k % 7.
fn packet(k: u64) -> Vec<u8> {
    let mut bytes = vec![0x08, 0x01, 0xC0, 0x00, 0x00, 0x03];
    bytes.extend_from_slice(&(k as u16).to_be_bytes());
    bytes.extend([(k % 2) as u8, (k % 7) as u8]);
    bytes
}

/// A bucket's count, min, max and mean.
type BucketRow = (u64, Option<f64>, Option<f64>, Option<f64>);

/// What the archive should hold: (time, series position, value), in arrival order.
#[derive(Clone, Default)]
struct Model {
    samples: Vec<(u64, usize, StoredValue)>,
}

impl Model {
    fn add(&mut self, time_ms: u64, k: u64, fixed: bool) {
        let temp = if fixed { 1000.0 + 2.0 * k as f64 } else { k as f64 };
        let label = if k % 2 == 1 { "ON" } else { "OFF" };
        self.samples.push((time_ms, 0, StoredValue::Float(temp)));
        self.samples.push((time_ms, 1, StoredValue::Enum { index: (k % 2) as u32, label: label.into() }));
        if fixed {
            self.samples.push((time_ms, 2, StoredValue::Unsigned(k % 7)));
        }
    }

    fn remove(&mut self, from_ms: u64, to_ms: u64) {
        self.samples.retain(|(time_ms, _, _)| !(from_ms..to_ms).contains(time_ms));
    }

    /// In query order: time, then series position, then arrival (a stable sort).
    fn sorted(&self) -> Vec<(u64, usize, StoredValue)> {
        let mut samples = self.samples.clone();
        samples.sort_by_key(|(time_ms, position, _)| (*time_ms, *position));
        samples
    }

    fn buckets(&self, from_ms: u64, to_ms: u64, n: usize) -> Vec<BucketRow> {
        let width = u128::from(to_ms - from_ms);
        let mut out = vec![(0u64, f64::INFINITY, f64::NEG_INFINITY, 0.0); n];
        for (time_ms, _, value) in self.samples.iter().filter(|(_, position, _)| *position == 0) {
            let StoredValue::Float(value) = value else { continue };
            if (from_ms..to_ms).contains(time_ms) {
                let bucket = &mut out[(u128::from(time_ms - from_ms) * n as u128 / width) as usize];
                *bucket = (bucket.0 + 1, bucket.1.min(*value), bucket.2.max(*value), bucket.3 + value);
            }
        }
        out.iter()
            .map(|&(count, min, max, sum)| {
                let has = count > 0;
                (count, has.then_some(min), has.then_some(max), has.then(|| sum / count as f64))
            })
            .collect()
    }
}

/// Realtime: packet `k` at each time, decoded with `plan`, committed every `commit_every`.
fn realtime(writer: &mut Writer, plan: &Plan, model: &mut Model, times_ks: &[(u64, u64)], commit_every: usize) {
    let mut processor = Processor::new(plan);
    for (idx, &(time_ms, k)) in times_ks.iter().enumerate() {
        let bytes = packet(k);
        let mut samples = Vec::new();
        let container = processor.process(&bytes, &mut samples).expect("a realtime packet decodes");
        writer.packet(plan, time_ms, container, &bytes, &samples);
        model.add(time_ms, k, false);
        if (idx + 1) % commit_every == 0 {
            writer.commit().expect("commit");
        }
    }
}

/// Backfills [from_ms, to_ms) with packet `k` at each time and mirrors it in the model.
fn backfill(writer: &mut Writer, model: &mut Model, range: (u64, u64), times_ks: &[(u64, u64)]) -> BackfillReport {
    let bytes: Vec<(u64, Vec<u8>)> = times_ks.iter().map(|&(time_ms, k)| (time_ms, packet(k))).collect();
    let packets: Vec<(u64, &[u8])> = bytes.iter().map(|(time_ms, bytes)| (*time_ms, bytes.as_slice())).collect();
    let report = writer.backfill(&plan_b(), range.0, range.1, &packets).expect("backfill");
    model.remove(range.0, range.1);
    for &(time_ms, k) in times_ks {
        model.add(time_ms, k, true);
    }
    report
}

/// Everything the reader returns, paged `limit` at a time.
fn read_all(reader: &Reader, limit: usize) -> Vec<(u64, usize, StoredValue)> {
    let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let (mut out, mut cursor) = (Vec::new(), None);
    loop {
        let page = reader.range(&names, 0, u64::MAX, cursor.as_deref(), limit).expect("range");
        for sample in page.items {
            let position = NAMES.iter().position(|n| *n == sample.series).expect("a known series");
            out.push((sample.time_ms, position, sample.eng));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
}

fn buckets(reader: &Reader, from_ms: u64, to_ms: u64, n: usize) -> Vec<BucketRow> {
    let buckets = reader.buckets("/p/TEMP", from_ms, to_ms, n).expect("buckets");
    buckets.iter().map(|b: &Bucket| (b.count, b.min, b.max, b.avg)).collect()
}

/// The reader agrees with the model: samples (in pages of several sizes), buckets, totals.
#[track_caller]
fn check(dir: &TempDir, model: &Model) {
    let reader = archive::reader(dir.path()).expect("reader");
    let expected = model.sorted();
    assert_eq!(read_all(&reader, 100_000), expected);
    assert_eq!(read_all(&reader, 3), expected, "paged");
    for (from_ms, to_ms, n) in [(0, 2000, 7), (123, 975, 5), (100, 110, 3), (0, 1_000_000, 1)] {
        assert_eq!(buckets(&reader, from_ms, to_ms, n), model.buckets(from_ms, to_ms, n), "{from_ms}..{to_ms}/{n}");
    }
    assert_eq!(reader.stored().expect("stored").samples, expected.len() as u64);
    let listed: u64 = reader.series(None).expect("series").iter().map(|s| s.samples).sum();
    assert_eq!(listed, expected.len() as u64);
    assert_eq!(count_rows(dir, "SELECT coalesce(sum(count), 0) FROM segments"), expected.len() as i64);
}

#[test]
fn a_middle_range_takes_the_new_calibration() {
    let dir = TempDir::new("backfill-middle");
    let (plan, mut model) = (plan_a(), Model::default());
    let mut writer = open(&dir, 1024);
    let times: Vec<(u64, u64)> = (0..100).map(|k| (k * 10, k)).collect();
    realtime(&mut writer, &plan, &mut model, &times, 100);
    writer.commit().expect("commit");
    // Re-run the archived packets of [300, 600), plus one received late, in any order.
    let mut again: Vec<(u64, u64)> = times.iter().copied().filter(|(t, _)| (300..600).contains(t)).rev().collect();
    again.push((305, 77));
    let report = backfill(&mut writer, &mut model, (300, 600), &again);
    assert_eq!(report, BackfillReport { removed: 60, added: 93, packets: 31, undecodable: 0 });
    assert_eq!(writer.stored().samples, 200 - 60 + 93);
    check(&dir, &model);
}

#[test]
fn edges_and_the_open_segment_are_cut_and_realtime_goes_on() {
    let dir = TempDir::new("backfill-edges");
    let (plan, mut model) = (plan_a(), Model::default());
    let mut writer = open(&dir, 8);
    // 12 sealed segments of 8 and an open one of 960..990.
    let times: Vec<(u64, u64)> = (0..100).map(|k| (k * 10, k)).collect();
    realtime(&mut writer, &plan, &mut model, &times, 7);
    // Pending when the backfill starts: it is committed first.
    realtime(&mut writer, &plan, &mut model, &[(995, 500)], 100);
    let again: Vec<(u64, u64)> = (13..98).map(|k| (k * 10 + 3, k + 1000)).collect();
    let report = backfill(&mut writer, &mut model, (123, 975), &again);
    assert_eq!((report.removed, report.added), (2 * 85, 3 * 85));
    check(&dir, &model);
    // The realtime stream goes on after the backfill, with its own model version.
    let later: Vec<(u64, u64)> = (0..30).map(|k| (1000 + k * 10, 2000 + k)).collect();
    realtime(&mut writer, &plan, &mut model, &later, 4);
    writer.commit().expect("commit");
    check(&dir, &model);
    drop(writer);
    let mut writer = open(&dir, 8);
    check(&dir, &model);
    realtime(&mut writer, &plan, &mut model, &[(2000, 1), (2010, 2)], 1);
    check(&dir, &model);
}

#[test]
fn segments_meeting_at_the_range_end_keep_reads_in_order() {
    let dir = TempDir::new("backfill-ties");
    let (plan, mut model) = (plan_a(), Model::default());
    let mut writer = open(&dir, 2);
    // Segments of 2 that meet at 60 and at 100, cut at 65 and 100: samples of one millisecond
    // keep their arrival order.
    let times = [(50, 1), (60, 2), (60, 3), (70, 4), (95, 5), (100, 6), (100, 7), (100, 8), (120, 9), (130, 10)];
    realtime(&mut writer, &plan, &mut model, &times, 100);
    writer.commit().expect("commit");
    backfill(&mut writer, &mut model, (65, 100), &[(70, 11), (99, 12), (65, 13)]);
    check(&dir, &model);
    let reader = archive::reader(dir.path()).expect("reader");
    let temps: Vec<(u64, StoredValue)> =
        read_all(&reader, 2).into_iter().filter(|s| s.1 == 0).map(|s| (s.0, s.2)).collect();
    assert_eq!(temps[1..3], [(60, StoredValue::Float(2.0)), (60, StoredValue::Float(3.0))]);
    realtime(&mut writer, &plan, &mut model, &[(140, 14), (150, 15), (160, 16)], 1);
    check(&dir, &model);
}

#[test]
fn a_series_that_went_backwards_is_backfilled_in_order() {
    let dir = TempDir::new("backfill-backwards");
    let (plan, mut model) = (plan_a(), Model::default());
    let mut writer = open(&dir, 3);
    let times = [(100, 1), (200, 2), (300, 3), (150, 4), (250, 5), (400, 6), (50, 7), (500, 8)];
    realtime(&mut writer, &plan, &mut model, &times, 2);
    backfill(&mut writer, &mut model, (140, 260), &[(140, 9), (259, 10), (200, 11)]);
    check(&dir, &model);
    let reader = archive::reader(dir.path()).expect("reader");
    let latest = reader.latest("/p/TEMP").expect("latest").expect("a sample");
    assert_eq!(latest.time_ms, 500, "the latest received, not a backfilled sample");
    realtime(&mut writer, &plan, &mut model, &[(600, 12), (210, 13)], 1);
    check(&dir, &model);
    let latest = reader.latest("/p/TEMP").expect("latest").expect("a sample");
    assert_eq!(latest.time_ms, 210, "the latest received");
    // Before the open segment (210): it stays open, in a new row, and goes on filling.
    backfill(&mut writer, &mut model, (20, 60), &[(30, 14)]);
    check(&dir, &model);
    assert_eq!(reader.latest("/p/TEMP").expect("latest").expect("a sample").time_ms, 210);
    realtime(&mut writer, &plan, &mut model, &[(700, 15)], 1);
    check(&dir, &model);
    assert_eq!(reader.latest("/p/TEMP").expect("latest").expect("a sample").time_ms, 700);
    assert_eq!(count_rows(&dir, "SELECT count(*) FROM segments WHERE open = 1"), 2, "TEMP's and MODE's");
}

#[test]
fn a_packet_outside_the_range_changes_nothing() {
    let dir = TempDir::new("backfill-outside");
    let (plan, mut model) = (plan_a(), Model::default());
    let mut writer = open(&dir, 4);
    let times: Vec<(u64, u64)> = (0..20).map(|k| (k * 10, k)).collect();
    realtime(&mut writer, &plan, &mut model, &times, 3);
    writer.commit().expect("commit");
    let stored = writer.stored();
    let (inside, outside) = (packet(1), packet(2));
    let packets: [(u64, &[u8]); 2] = [(50, &inside), (100, &outside)];
    let result = writer.backfill(&plan_b(), 40, 100, &packets);
    assert!(
        matches!(
            result,
            Err(ArchiveError::PacketOutsideRange { packet_idx: 1, time_ms: 100, from_ms: 40, to_ms: 100 })
        ),
        "{result:?}"
    );
    let result = writer.backfill(&plan_b(), 100, 100, &[]);
    assert!(matches!(result, Err(ArchiveError::BadRange { from_ms: 100, to_ms: 100 })), "{result:?}");
    assert_eq!(writer.stored(), stored);
    check(&dir, &model);
}

#[test]
fn undecodable_packets_are_counted_and_skipped() {
    let dir = TempDir::new("backfill-undecodable");
    let (plan, mut model) = (plan_a(), Model::default());
    let mut writer = open(&dir, 4);
    let times: Vec<(u64, u64)> = (0..20).map(|k| (k * 10, k)).collect();
    realtime(&mut writer, &plan, &mut model, &times, 3);
    let good = packet(42);
    let mut bad_length = packet(43);
    bad_length[5] = 9;
    let packets: [(u64, &[u8]); 4] = [(60, &good), (61, &bad_length), (62, &[1, 2]), (63, &[])];
    let report = writer.backfill(&plan_b(), 55, 95, &packets).expect("backfill");
    assert_eq!(report, BackfillReport { removed: 8, added: 3, packets: 1, undecodable: 3 });
    model.remove(55, 95);
    model.add(60, 42, true);
    check(&dir, &model);
}
