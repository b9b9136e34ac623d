//! Raw units, events, alarm changes, commands, and retention.

use crate::support::*;
use archive::{CommandRecord, EventRecord, EventSeverity, Reader, Retention};
use expect_test::expect;
use model::AlarmLevel;
use tm::alarms::AlarmChange;
use tm::link::{ReceivedUnit, UnitKind};

fn packet(apid: u16, n: u8) -> Vec<u8> {
    let mut bytes = vec![0x08 | (apid >> 8) as u8, apid as u8, 0xC0, n, 0x00, 0x00, n];
    bytes.truncate(7);
    bytes
}

fn all_units(reader: &Reader, from: u64, to: u64, apid: Option<u16>, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = reader.units(from, to, apid, cursor.as_deref(), limit).unwrap();
        out.extend(page.items.iter().map(|u| {
            format!("{} {} {} {:?} {:?} {} {:?}", u.seq, u.time_ms, u.link, u.kind, u.apid, u.bytes.len(), u.invalid)
        }));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
}

#[test]
fn units_by_time_and_apid_with_paging() {
    let dir = TempDir::new("units");
    let mut writer = open(&dir, 8);
    let mut time = 1_000u64;
    for n in 0..60u8 {
        let apid = [100, 200, 100][usize::from(n % 3)];
        let bytes = packet(apid, n);
        let link = if n % 2 == 0 { "A" } else { "B" };
        writer.unit(
            link,
            &ReceivedUnit { kind: UnitKind::Packet, offset: 0, reception_ms: time, bytes: &bytes, invalid: None },
        );
        if n % 10 == 0 {
            let invalid = Some("crc_mismatch");
            writer.unit(
                "A",
                &ReceivedUnit { kind: UnitKind::Fragment, offset: 0, reception_ms: time, bytes: b"?", invalid },
            );
        }
        // Bursts in one millisecond, and jumps past a block's span.
        time += [0, 0, 1, 4000][usize::from(n % 4)];
        if n % 7 == 0 {
            writer.commit().unwrap();
        }
    }
    let stored = writer.commit().unwrap();
    assert_eq!((stored.units, stored.last_unit_ms), (66, Some(time - 4000)));
    let reader = archive::reader(dir.path()).unwrap();
    let everything = all_units(&reader, 0, u64::MAX, None, 1000);
    assert_eq!(everything.len(), 66);
    for limit in [1, 4, 13] {
        assert_eq!(all_units(&reader, 0, u64::MAX, None, limit), everything, "limit {limit}");
    }
    let apid_200 = all_units(&reader, 9_000, 21_000, Some(200), 3);
    expect![[r#"
        [
            "12 9002 A Packet Some(200) 7 None",
            "16 13003 B Packet Some(200) 7 None",
            "19 17004 A Packet Some(200) 7 None",
            "22 17005 B Packet Some(200) 7 None",
        ]
    "#]]
    .assert_debug_eq(&apid_200);
    expect![[r#"
        [
            "1 1000 A Packet Some(100) 7 None",
            "2 1000 A Fragment None 1 Some(\"crc_mismatch\")",
            "3 1000 B Packet Some(200) 7 None",
            "4 1000 A Packet Some(100) 7 None",
        ]
    "#]]
    .assert_debug_eq(&everything[..4].to_vec());
    // Blocks group units: far fewer rows than units.
    assert!(count_rows(&dir, "SELECT count(*) FROM unit_blocks") < 66 / 2);
}

fn event(time_ms: u64, severity: EventSeverity, n: u64) -> EventRecord {
    EventRecord {
        time_ms,
        severity,
        source: "pus5".into(),
        event_id: n,
        message: format!("event {n}"),
        data: vec![n as u8],
    }
}

fn command(time_ms: u64, state: &str) -> CommandRecord {
    CommandRecord {
        id: "cmd-1".into(),
        time_ms,
        principal: "alice".into(),
        command: "/t/PING".into(),
        arguments_json: "{}".into(),
        bytes: vec![1, 2],
        digest: "sha256:00".into(),
        state: state.into(),
        detail: String::new(),
    }
}

#[test]
fn events_alarms_and_commands_by_time() {
    let dir = TempDir::new("records");
    let plan = plan();
    let mut writer = open(&dir, 8);
    for (n, severity) in
        [EventSeverity::Info, EventSeverity::High, EventSeverity::Low, EventSeverity::Medium].into_iter().enumerate()
    {
        writer.event(&event(100 + n as u64 * 10, severity, n as u64));
    }
    writer.event(&event(130, EventSeverity::High, 9));
    assert_eq!(EventSeverity::from(tm::pus::EventSeverity::Informative), EventSeverity::Info);
    let temp = id(&plan, "TEMP");
    for change in [
        AlarmChange::Raised { parameter: temp, level: AlarmLevel::Warning, time_ms: 10 },
        AlarmChange::LevelChanged { parameter: temp, from: AlarmLevel::Warning, to: AlarmLevel::Critical, time_ms: 11 },
        AlarmChange::LevelChanged { parameter: temp, from: AlarmLevel::Critical, to: AlarmLevel::Warning, time_ms: 12 },
        AlarmChange::Acknowledged { parameter: temp, by: "alice".into(), time_ms: 13 },
        AlarmChange::Closed { parameter: temp, time_ms: 14 },
    ] {
        writer.alarm(&plan, &change);
    }
    for (time, state) in [(50, "released"), (20, "queued"), (60, "accepted")] {
        writer.command(&command(time, state));
    }
    assert_eq!(writer.pending().events, 5);
    let stored = writer.commit().unwrap();
    assert_eq!((stored.events, stored.alarms, stored.commands), (5, 5, 3));
    let reader = archive::reader(dir.path()).unwrap();
    let page = reader.events(100, 131, EventSeverity::Medium, None, 2).unwrap();
    let ids = |page: &archive::Page<EventRecord>| page.items.iter().map(|e| e.event_id).collect::<Vec<_>>();
    assert_eq!(ids(&page), [1, 3]);
    let rest = reader.events(100, 131, EventSeverity::Medium, page.next.as_deref(), 2).unwrap();
    assert_eq!((ids(&rest), rest.next), (vec![9], None));
    assert_eq!(ids(&reader.events(0, 125, EventSeverity::Info, None, 10).unwrap()), [0, 1, 2]);
    let alarms = reader.alarms(0, 100, AlarmLevel::Critical, None, 10).unwrap();
    let lines: Vec<String> = alarms
        .items
        .iter()
        .map(|a| format!("{} {} {} {:?} {:?}", a.time_ms, a.series, a.change, a.level, a.by))
        .collect();
    expect![[r#"
        [
            "11 /t/TEMP level_changed Critical None",
            "13 /t/TEMP acknowledged Critical Some(\"alice\")",
            "14 /t/TEMP closed Critical None",
        ]
    "#]]
    .assert_debug_eq(&lines);
    let commands = reader.commands(0, 100, None, 2).unwrap();
    assert_eq!(commands.items.iter().map(|c| c.state.as_str()).collect::<Vec<_>>(), ["queued", "released"]);
    let rest = reader.commands(0, 100, commands.next.as_deref(), 2).unwrap();
    assert_eq!((rest.items, rest.next), (vec![command(60, "accepted")], None));
    // One command's history is in the order written (not by time); ids "cmd-1" are not numbers.
    let history = reader.command_history("cmd-1").unwrap();
    assert_eq!(history.iter().map(|c| c.state.as_str()).collect::<Vec<_>>(), ["released", "queued", "accepted"]);
    assert_eq!(history[0], command(50, "released"));
    assert!(reader.command_history("cmd-2").unwrap().is_empty());
    assert_eq!(reader.last_command_id().unwrap(), None);
    writer.command(&CommandRecord { id: "41".into(), ..command(70, "requested") });
    writer.command(&CommandRecord { id: "7".into(), ..command(71, "requested") });
    writer.commit().unwrap();
    assert_eq!(reader.last_command_id().unwrap(), Some(41), "numerically largest, not the last written");
}

#[test]
fn retention_removes_old_data_and_keeps_the_rest() {
    const DAY_MS: u64 = 86_400_000;
    let dir = TempDir::new("retention");
    let plan = plan();
    let retention = Retention {
        raw_units_days: Some(1),
        parameters_days: Some(2),
        events_days: Some(1),
        alarms_days: None,
        commands_days: Some(1),
    };
    let options = archive::ArchiveOptions { retention, segment_samples_max: 4 };
    let mut writer = archive::open(dir.path(), &options).unwrap();
    // One sample an hour for 4 days: 96 samples in 24 segments.
    let samples: Vec<(u64, u64)> = (0..96).map(|h| (h * 3_600_000, h)).collect();
    write_temps(&mut writer, &plan, &samples, 7);
    for day in 0..4 {
        let bytes = packet(100, day as u8);
        writer.unit(
            "A",
            &ReceivedUnit {
                kind: UnitKind::Packet,
                offset: 0,
                reception_ms: day * DAY_MS,
                bytes: &bytes,
                invalid: None,
            },
        );
        writer.commit().unwrap();
        writer.event(&event(day * DAY_MS, EventSeverity::Info, day));
        writer.command(&command(day * DAY_MS, "queued"));
    }
    writer.alarm(&plan, &AlarmChange::Raised { parameter: id(&plan, "TEMP"), level: AlarmLevel::Watch, time_ms: 0 });
    writer.commit().unwrap();
    let before = writer.stored();
    let report = writer.apply_retention(4 * DAY_MS).unwrap();
    expect![[r#"
        RetentionReport {
            segments: 12,
            samples: 48,
            unit_blocks: 3,
            units: 3,
            events: 3,
            alarms: 0,
            commands: 3,
        }
    "#]]
    .assert_debug_eq(&report);
    assert_eq!(writer.stored(), before, "totals stay cumulative");
    let reader = archive::reader(dir.path()).unwrap();
    let series = reader.series(None).unwrap();
    assert_eq!((series[0].samples, series[0].first_ms), (48, 2 * DAY_MS));
    let kept = reader.range(&["/t/TEMP".to_string()], 0, u64::MAX, None, 1000).unwrap();
    assert_eq!(kept.items.len(), 48);
    assert_eq!(kept.items[0].time_ms, 2 * DAY_MS);
    assert_eq!(reader.units(0, u64::MAX, None, None, 10).unwrap().items.len(), 1);
    assert_eq!(reader.events(0, u64::MAX, EventSeverity::Info, None, 10).unwrap().items.len(), 1);
    assert_eq!(reader.alarms(0, u64::MAX, AlarmLevel::Normal, None, 10).unwrap().items.len(), 1);
    // The writer goes on after retention.
    write_temps(&mut writer, &plan, &[(5 * DAY_MS, 1)], 1);
    assert_eq!(reader.series(None).unwrap()[0].samples, 49);
}
