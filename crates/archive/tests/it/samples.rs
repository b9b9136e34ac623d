//! Samples: every value kind, segment layout, latest, listing, restarts, corruption.

use crate::support::*;
use archive::{ArchiveError, StoredSample};
use expect_test::expect;
use model::AlarmLevel;
use tm::{EngValue, RawValue, Sample};

fn all(reader: &archive::Reader, series: &[&str]) -> Vec<StoredSample> {
    let names: Vec<String> = series.iter().map(|s| s.to_string()).collect();
    let page = reader.range(&names, 0, u64::MAX, None, 100_000).expect("range");
    assert_eq!(page.next, None);
    page.items
}

#[test]
fn every_value_kind_round_trips() {
    let dir = TempDir::new("kinds");
    let plan = plan();
    let mut writer = open(&dir, 1024);
    let packet = b"\x00\x01HI!\x00\xAB\xCD";
    let mut invalid_slot = number(tm::ParamId(10_000), 1, 1.0);
    invalid_slot.element = 0;
    let samples = [
        number(id(&plan, "TEMP"), 300, 20.5),
        Sample::new(id(&plan, "MODE"), 0, 0, RawValue::Unsigned(1), EngValue::Enum(1), AlarmLevel::Warning),
        Sample::new(id(&plan, "MODE"), 0, 0, RawValue::Unsigned(7), EngValue::Enum(7), AlarmLevel::Normal),
        Sample::new(
            id(&plan, "NAME"),
            0,
            0,
            RawValue::Bytes { start: 2, len: 3 },
            EngValue::Bytes { start: 2, len: 3 },
            AlarmLevel::Normal,
        ),
        Sample::new(
            id(&plan, "DUMP"),
            0,
            0,
            RawValue::Bytes { start: 6, len: 2 },
            EngValue::Bytes { start: 6, len: 2 },
            AlarmLevel::Normal,
        ),
        // Past the packet's end: kept as empty bytes, never a panic.
        Sample::new(
            id(&plan, "DUMP"),
            0,
            0,
            RawValue::Bytes { start: 7, len: 9 },
            EngValue::Bytes { start: 7, len: 9 },
            AlarmLevel::Normal,
        ),
        Sample::new(id(&plan, "COUNT"), 0, 0, RawValue::Signed(-5), EngValue::Signed(-5), AlarmLevel::Critical),
        Sample::new(id(&plan, "COUNT"), 0, 0, RawValue::Signed(1), EngValue::Invalid, AlarmLevel::Normal),
        Sample::new(id(&plan, "ARRAY"), 2, 0, RawValue::Unsigned(9), EngValue::Unsigned(9), AlarmLevel::Normal),
        Sample::new(id(&plan, "ARRAY"), 0, 0, RawValue::Float(0.25), EngValue::Time(12.5), AlarmLevel::Normal),
        invalid_slot,
    ];
    writer.packet(&plan, 1000, tm::ContainerId(0), packet, &samples);
    let stored = writer.commit().expect("commit");
    assert_eq!(stored.samples, 10, "the member slot beyond the plan is skipped");
    let reader = archive::reader(dir.path()).expect("reader");
    let names = ["/t/TEMP", "/t/MODE", "/t/NAME", "/t/DUMP", "/t/COUNT", "/t/ARRAY[2]", "/t/ARRAY"];
    let lines: Vec<String> = all(&reader, &names)
        .iter()
        .map(|s| format!("{} {} {:?} {:?} {:?} {}", s.time_ms, s.series, s.raw, s.eng, s.level, s.valid))
        .collect();
    expect![[r#"
        1000 /t/TEMP Unsigned(300) Float(20.5) Normal true
        1000 /t/MODE Unsigned(1) Enum { index: 1, label: "ON" } Warning true
        1000 /t/MODE Unsigned(7) Enum { index: 7, label: "" } Normal true
        1000 /t/NAME Bytes([72, 73, 33]) Text("HI!") Normal true
        1000 /t/DUMP Bytes([171, 205]) Bytes([171, 205]) Normal true
        1000 /t/DUMP Bytes([]) Bytes([]) Normal true
        1000 /t/COUNT Signed(-5) Signed(-5) Critical true
        1000 /t/COUNT Signed(1) Invalid Normal true
        1000 /t/ARRAY[2] Unsigned(9) Unsigned(9) Normal true
        1000 /t/ARRAY Float(0.25) Time(12.5) Normal true"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn segments_are_sealed_at_the_maximum() {
    let dir = TempDir::new("seal");
    let plan = plan();
    let mut writer = open(&dir, 10);
    let samples: Vec<(u64, u64)> = (0..25).map(|k| (k * 100, k)).collect();
    write_temps(&mut writer, &plan, &samples, 1000);
    let counts = |sql| count_rows(&dir, sql);
    assert_eq!(counts("SELECT count(*) FROM segments WHERE open = 0"), 2);
    assert_eq!(counts("SELECT count(*) FROM segments WHERE open = 1"), 1);
    assert_eq!(counts("SELECT sum(count) FROM segments"), 25);
}

#[test]
fn a_slow_series_committed_often_fills_whole_segments() {
    let dir = TempDir::new("tail");
    let plan = plan();
    let mut writer = open(&dir, 1024);
    // 1 Hz, committed after every sample (as every 100 ms window would).
    let samples: Vec<(u64, u64)> = (0..3000).map(|k| (1_000_000 + k * 1000, k % 7)).collect();
    write_temps(&mut writer, &plan, &samples, 1);
    let conn = rusqlite::Connection::open(dir.path().join("archive.sqlite")).unwrap();
    let sizes: String =
        conn.query_row("SELECT group_concat(count || ':' || open, ' ') FROM segments", [], |r| r.get(0)).unwrap();
    expect!["1024:0 1024:0 952:1"].assert_eq(&sizes);
    let reader = archive::reader(dir.path()).unwrap();
    assert_eq!(all(&reader, &["/t/TEMP"]).len(), 3000);
}

#[test]
fn latest_series_and_glob() {
    let dir = TempDir::new("latest");
    let plan = plan();
    let mut writer = open(&dir, 4);
    write_temps(&mut writer, &plan, &[(10, 1), (20, 2), (30, 3), (40, 4), (50, 5), (60, 6)], 2);
    let count = Sample::new(id(&plan, "COUNT"), 0, 0, RawValue::Signed(3), EngValue::Signed(3), AlarmLevel::Normal);
    writer.packet(&plan, 70, tm::ContainerId(0), &[], &[count]);
    let reader = archive::reader(dir.path()).unwrap();
    assert_eq!(reader.latest("/t/COUNT").unwrap(), None, "not committed yet");
    writer.commit().unwrap();
    let latest = reader.latest("/t/TEMP").unwrap().unwrap();
    assert_eq!((latest.time_ms, latest.eng), (60, archive::StoredValue::Float(6.0)));
    assert!(reader.latest("/t/COUNT").unwrap().is_some());
    assert_eq!(reader.latest("/nothing").unwrap(), None);
    let names = |pattern| {
        let series = reader.series(pattern).unwrap();
        series.iter().map(|s| format!("{} {} {}..{}", s.name, s.samples, s.first_ms, s.last_ms)).collect::<Vec<_>>()
    };
    expect![[r#"["/t/COUNT 1 70..70", "/t/TEMP 6 10..60"]"#]].assert_eq(&format!("{:?}", names(None)));
    expect![[r#"["/t/TEMP 6 10..60"]"#]].assert_eq(&format!("{:?}", names(Some("*TEMP*"))));
    expect![[r#"["/t/COUNT 1 70..70", "/t/TEMP 6 10..60"]"#]].assert_eq(&format!("{:?}", names(Some("/t/*"))));
    expect!["[]"].assert_eq(&format!("{:?}", names(Some("/x/*"))));
}

#[test]
fn a_restart_loses_only_what_was_not_committed() {
    let dir = TempDir::new("restart");
    let plan = plan();
    let mut writer = open(&dir, 8);
    write_temps(&mut writer, &plan, &(0..13).map(|k| (k, k)).collect::<Vec<_>>(), 5);
    let temp = id(&plan, "TEMP");
    for k in 13..20 {
        writer.packet(&plan, k, tm::ContainerId(0), &[], &[number(temp, k, k as f64)]);
    }
    writer.unit(
        "uplink",
        &tm::link::ReceivedUnit {
            kind: tm::link::UnitKind::Frame,
            offset: 0,
            reception_ms: 5,
            bytes: b"x",
            invalid: None,
        },
    );
    assert_eq!(writer.pending().samples, 7);
    drop(writer);
    let mut writer = open(&dir, 8);
    let stored = writer.stored();
    assert_eq!((stored.samples, stored.units), (13, 0));
    let reader = archive::reader(dir.path()).unwrap();
    assert_eq!(reader.stored().unwrap(), stored);
    assert_eq!(all(&reader, &["/t/TEMP"]).len(), 13);
    // The open segment goes on filling after the restart.
    write_temps(&mut writer, &plan, &(13..30).map(|k| (k, k)).collect::<Vec<_>>(), 3);
    let times: Vec<u64> = all(&reader, &["/t/TEMP"]).iter().map(|s| s.time_ms).collect();
    assert_eq!(times, (0..30).collect::<Vec<_>>());
    assert_eq!(count_rows(&dir, "SELECT count(*) FROM segments"), 4);
    assert_eq!(reader.stored().unwrap().samples, 30);
}

#[test]
fn a_second_writer_is_refused() {
    let dir = TempDir::new("busy");
    let writer = open(&dir, 8);
    let second = archive::open(dir.path(), &archive::ArchiveOptions::default());
    assert!(matches!(&second, Err(ArchiveError::Busy { path }) if path == dir.path()), "{:?}", second.err());
    drop(writer);
    assert!(archive::open(dir.path(), &archive::ArchiveOptions::default()).is_ok());
}

#[test]
fn a_reader_needs_an_archive() {
    let dir = TempDir::new("missing");
    assert!(matches!(archive::reader(dir.path()), Err(ArchiveError::Missing { .. })));
}

#[test]
fn a_corrupt_blob_is_an_error_naming_its_row() {
    let dir = TempDir::new("corrupt");
    let plan = plan();
    let mut writer = open(&dir, 4);
    write_temps(&mut writer, &plan, &(0..10).map(|k| (k, k)).collect::<Vec<_>>(), 100);
    drop(writer);
    let conn = rusqlite::Connection::open(dir.path().join("archive.sqlite")).unwrap();
    conn.execute("UPDATE segments SET blob = x'01050000' WHERE id = 2", []).unwrap();
    conn.execute("UPDATE segments SET blob = x'FF' WHERE open = 1", []).unwrap();
    let reader = archive::reader(dir.path()).unwrap();
    let range = reader.range(&["/t/TEMP".to_string()], 0, 100, None, 100);
    expect!["Err(Corrupt { table: \"segments\", row: 2 })"].assert_eq(&format!("{range:?}"));
    // Segments wholly inside a bucket are not decoded; one across the range's start is.
    assert!(reader.buckets("/t/TEMP", 0, 100, 1).is_ok());
    let buckets = reader.buckets("/t/TEMP", 5, 100, 1);
    expect!["Err(Corrupt { table: \"segments\", row: 2 })"].assert_eq(&format!("{buckets:?}"));
    let reopened = archive::open(dir.path(), &archive::ArchiveOptions::default()).map(|_| ());
    expect!["Err(Corrupt { table: \"segments\", row: 3 })"].assert_eq(&format!("{reopened:?}"));
}

#[test]
fn a_clock_going_back_keeps_reads_in_time_order() {
    let dir = TempDir::new("backwards");
    let plan = plan();
    let mut writer = open(&dir, 3);
    let samples = [(100, 1), (200, 2), (300, 3), (400, 4), (150, 5), (250, 6), (260, 7), (500, 8), (50, 9)];
    write_temps(&mut writer, &plan, &samples, 2);
    let reader = archive::reader(dir.path()).unwrap();
    let got: Vec<(u64, String)> =
        all(&reader, &["/t/TEMP"]).iter().map(|s| (s.time_ms, format!("{:?}", s.raw))).collect();
    expect![[r#"[(50, "Unsigned(9)"), (100, "Unsigned(1)"), (150, "Unsigned(5)"), (200, "Unsigned(2)"), (250, "Unsigned(6)"), (260, "Unsigned(7)"), (300, "Unsigned(3)"), (400, "Unsigned(4)"), (500, "Unsigned(8)")]"#]]
        .assert_eq(&format!("{got:?}"));
    let latest = reader.latest("/t/TEMP").unwrap().unwrap();
    assert_eq!(latest.time_ms, 50, "the latest received");
    let page = reader.range(&["/t/TEMP".to_string()], 150, 300, None, 2).unwrap();
    let times: Vec<u64> = page.items.iter().map(|s| s.time_ms).collect();
    assert_eq!(times, [150, 200]);
    let rest = reader.range(&["/t/TEMP".to_string()], 150, 300, page.next.as_deref(), 10).unwrap();
    assert_eq!(rest.items.iter().map(|s| s.time_ms).collect::<Vec<_>>(), [250, 260]);
    let buckets = reader.buckets("/t/TEMP", 0, 600, 2).unwrap();
    expect![[r#"[Bucket { start_ms: 0, end_ms: 300, count: 6, min: Some(1.0), max: Some(9.0), avg: Some(5.0) }, Bucket { start_ms: 300, end_ms: 600, count: 3, min: Some(3.0), max: Some(8.0), avg: Some(5.0) }]"#]]
        .assert_eq(&format!("{buckets:?}"));
}
