//! MIB importer on the real SpacePyLibrary MIB and on the hand-written synthetic MIB
//! (`test_data/mib-synthetic/`, see its README).

use expect_test::expect;
use model::{
    Alarm, Calibrator, CommandEntryKind, DataEncoding, EntryKind, FloatFormat, IntegerValue, MissionModel,
    QualifiedName, TypeKind, VerifierCheck, VerifierStage,
};
use model_import::{mib, Imported, Severity, SourceFile};
use proptest::prelude::*;
use std::path::Path;

/// Every file of a MIB folder, as the CLI would give them, in name order.
fn read_dir(dir: &Path) -> Vec<SourceFile> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
            SourceFile::new(path.display().to_string(), bytes)
        })
        .collect()
}

fn real_mib() -> Vec<SourceFile> {
    read_dir(&test_utils::real("spacepylibrary/mib-ascii"))
}

fn synthetic_mib() -> Vec<SourceFile> {
    read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/mib-synthetic"))
}

fn imported(files: &[SourceFile]) -> Imported {
    match mib::import(files) {
        Ok(imported) => imported,
        Err(report) => panic!("import failed:\n{report}"),
    }
}

/// Rows of a table counted without the importer: non-blank lines whose first field is set.
fn count_rows(files: &[SourceFile], table: &str) -> usize {
    let file = files.iter().find(|file| file.file_name() == table).expect("the table is in the MIB");
    let text = String::from_utf8_lossy(&file.bytes);
    text.lines().filter(|line| line.split('\t').next().is_some_and(|first| !first.trim().is_empty())).count()
}

fn name(model: &MissionModel, local: &str) -> QualifiedName {
    QualifiedName::parse(&format!("/{}/{local}", model.name)).expect("a valid name")
}

#[test]
fn real_mib_imports_without_errors() {
    let files = real_mib();
    let imported = imported(&files);
    assert_eq!(imported.report.count(Severity::Error), 0);
    let model = &imported.model;
    assert_eq!(model.name, "MIB", "no vdf.dat: the root is MIB, whatever the folder is called");
    assert_eq!(model.containers.len(), count_rows(&files, "pid.dat"));
    assert_eq!(model.parameters.len(), count_rows(&files, "pcf.dat"));
    assert_eq!(model.commands.len(), count_rows(&files, "ccf.dat"));
    assert_eq!(model.argument_types.len(), count_rows(&files, "cpc.dat"));
    // Counted by hand: 11 packets, 17 parameters, 21 commands, 16 command parameters.
    assert_eq!(
        (model.containers.len(), model.parameters.len(), model.commands.len(), model.argument_types.len()),
        (11, 17, 21, 16)
    );
}

#[test]
fn real_mib_hk_packet_has_twelve_parameters() {
    let imported = imported(&real_mib());
    let hk = imported
        .model
        .containers
        .values()
        .find(|container| {
            container.pus.as_ref().is_some_and(|pus| (pus.service, pus.subtype, pus.apid) == (3, 25, 1234))
        })
        .expect("a TM(3,25) packet with APID 1234");
    assert_eq!(hk.name.local(), "TM_PKT1");
    assert_eq!(hk.pus.as_ref().and_then(|pus| pus.spid), Some(12345));
    let parameters = hk.entries.iter().filter(|entry| matches!(entry.kind, EntryKind::Parameter(_))).count();
    assert_eq!(parameters, 12);
    // PAR12 (the float64) sits at byte 35.
    let par12 = hk.entries.iter().find(|entry| entry.kind == EntryKind::Parameter(name(&imported.model, "PAR12")));
    assert_eq!(par12.map(|entry| entry.location.offset_bits), Some(35 * 8));
}

#[test]
fn real_mib_vpd_group_repeater() {
    let imported = imported(&real_mib());
    let model = &imported.model;
    let packet = &model.containers[&name(model, "TM_PKT0")];
    let kinds: Vec<&EntryKind> = packet.entries.iter().map(|entry| &entry.kind).collect();
    let counter = name(model, "PAR14");
    let expected_group = EntryKind::Group {
        group_size: 1,
        count: IntegerValue::Dynamic { parameter: model::ParamRef::raw(counter.clone()), slope: 1, intercept: 0 },
    };
    assert_eq!(
        kinds,
        [
            &EntryKind::Parameter(name(model, "PAR13")),
            &EntryKind::Parameter(counter),
            &expected_group,
            &EntryKind::Parameter(name(model, "PAR15")),
        ]
    );
    // The variable part starts after the 6-byte primary header and the 12-byte data field header.
    assert_eq!(packet.entries[0].location.offset_bits, 18 * 8);
}

#[test]
fn real_mib_cdf_group_repeater_and_float64() {
    let imported = imported(&real_mib());
    let model = &imported.model;
    let command = &model.commands[&name(model, "PUSCMD03")];
    let kinds: Vec<&CommandEntryKind> = command.entries.iter().map(|entry| &entry.kind).collect();
    assert_eq!(
        kinds,
        [
            &CommandEntryKind::Fixed { size_bits: 16, value: 1103u16.to_be_bytes().to_vec() },
            &CommandEntryKind::Argument("PAR12".into()),
            &CommandEntryKind::Group { group_size: 1, count_argument: "PAR12".into() },
            &CommandEntryKind::Argument("PAR13".into()),
        ]
    );
    let pus = command.pus.as_ref().expect("a PUS command");
    assert_eq!((pus.service, pus.subtype, pus.apid, pus.ack_flags), (3, 20, 1235, Some(9)));
    let float64 = &model.parameter_types[&name(model, "PAR12")];
    assert_eq!(float64.kind, TypeKind::Float { size_bits: 64, valid_range: None });
    assert!(matches!(float64.encoding, Some(DataEncoding::Float { size_bits: 64, format: FloatFormat::Ieee754, .. })));
}

#[test]
fn synthetic_mib_imports_every_kind() {
    let imported = imported(&synthetic_mib());
    assert_eq!(imported.report.count(Severity::Error), 0, "{}", imported.report);
    let model = &imported.model;
    let data_type = |local: &str| &model.parameter_types[&name(model, local)];
    assert!(matches!(data_type("TEMP1").calibrator, Some(Calibrator::Spline { order: 1, extrapolate: true, .. })));
    assert!(matches!(data_type("VOLT").calibrator, Some(Calibrator::Polynomial { .. })));
    assert!(matches!(data_type("PRES").calibrator, Some(Calibrator::Logarithmic { .. })));
    assert!(matches!(&data_type("MODE").kind, TypeKind::Enumerated { values } if values.len() == 3));
    assert_eq!(data_type("CURR").context_calibrators.len(), 2);
    assert!(model.parameters[&name(model, "TEMP1")].validity.is_some());
    let Some(Alarm::Ranges { min_violations: 2, ranges, delta: Some(delta) }) = &data_type("VOLT").alarm else {
        panic!("VOLT has soft, hard and delta checks: {:?}", data_type("VOLT").alarm)
    };
    assert!(ranges.warning.is_some() && ranges.critical.is_some() && *delta == 0.5);
    assert_eq!(data_type("CURR").context_alarms.len(), 1);
    assert!(matches!(data_type("HEATER").alarm, Some(Alarm::Enumeration { .. })));
    let command = |local: &str| &model.commands[&name(model, local)];
    let stages: Vec<(VerifierStage, bool)> = command("SETMODE")
        .verifiers
        .iter()
        .map(|verifier| (verifier.stage, matches!(verifier.check, VerifierCheck::Criteria(_))))
        .collect();
    assert_eq!(stages, [(VerifierStage::Accepted, false), (VerifierStage::Complete, true)]);
    assert!(command("SETMODE").significance.as_ref().is_some_and(|s| s.level.is_hazardous()));
    let completion = command("SETTHR").verifiers.iter().find(|v| v.stage == VerifierStage::Complete);
    assert!(
        matches!(completion.map(|v| &v.check), Some(VerifierCheck::Container { container, .. }) if container.local() == "DONE_SYN")
    );
    assert!(command("ENAHK")
        .entries
        .iter()
        .any(|entry| matches!(entry.kind, CommandEntryKind::Group { group_size: 1, .. })));
}

#[test]
fn synthetic_mib_report() {
    let imported = imported(&synthetic_mib());
    let unsupported: Vec<String> = imported
        .report
        .of(Severity::Unsupported)
        .map(|diagnostic| format!("{} {}", diagnostic.place, diagnostic.element))
        .collect();
    expect![[r#"
        ccf.dat:1:6 CCF_PKTID
        ccf.dat:1:11 CCF_PLAN
        ccf.dat:1:12 CCF_EXEC
        ccf.dat:1:13 CCF_ILSCOPE
        ccf.dat:1:14 CCF_ILSTAGE
        ccf.dat:1:15 CCF_SUBSYS
        ccf.dat:1:16 CCF_HIPRI
        ccf.dat:1:17 CCF_MAPID
        ccf.dat:1:19 CCF_RAPID
        cpc.dat:1:5 CPC_DISPFMT
        pcf.dat:15:11 PCF_NATUR
        pid.dat:1:11 PID_TIME
        vpd.dat:1:8 VPD_DISDESC
        vpd.dat:1:9 VPD_WIDTH
        vpd.dat:1:10 VPD_JUSTIFY
        vpd.dat:1:11 VPD_NEWLINE
        vpd.dat:1:12 VPD_DCHAR
        vpd.dat:1:13 VPD_FORM"#]]
    .assert_eq(&unsupported.join("\n"));
}

/// One way to damage a MIB.
#[derive(Clone, Debug)]
enum Damage {
    DeleteColumn { table: usize, line: usize, column: usize },
    Truncate { table: usize, at: usize },
    Flip { table: usize, at: Vec<(usize, u8)> },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(table, line, column)| { Damage::DeleteColumn { table, line, column } }),
        (any::<usize>(), any::<usize>()).prop_map(|(table, at)| Damage::Truncate { table, at }),
        (any::<usize>(), prop::collection::vec((any::<usize>(), 1..=255u8), 1..4))
            .prop_map(|(table, at)| Damage::Flip { table, at }),
    ]
}

fn apply(files: &mut [SourceFile], damage: &Damage) {
    let n_files = files.len();
    match damage {
        Damage::DeleteColumn { table, line, column } => {
            let file = &mut files[table % n_files];
            let text = String::from_utf8_lossy(&file.bytes).into_owned();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if lines.is_empty() {
                return;
            }
            let n_lines = lines.len();
            let target = &mut lines[line % n_lines];
            let mut fields: Vec<&str> = target.split('\t').collect();
            let n_fields = fields.len();
            fields.remove(column % n_fields);
            *target = fields.join("\t");
            file.bytes = (lines.join("\n") + "\n").into_bytes();
        }
        Damage::Truncate { table, at } => {
            let file = &mut files[table % n_files];
            let len = file.bytes.len() + 1;
            file.bytes.truncate(at % len);
        }
        Damage::Flip { table, at } => {
            let file = &mut files[table % n_files];
            if file.bytes.is_empty() {
                return;
            }
            let len = file.bytes.len();
            for (idx, mask) in at {
                file.bytes[idx % len] ^= mask;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn damaged_real_mib_never_panics(damage in damage()) {
        let mut files = real_mib();
        apply(&mut files, &damage);
        let tables: Vec<String> = files.iter().map(SourceFile::file_name).collect();
        if let Err(report) = mib::import(&files) {
            prop_assert!(report.has_errors(), "a failed import names its errors");
            for error in report.of(Severity::Error) {
                prop_assert!(tables.contains(&error.place.file), "{error} names no input table");
                prop_assert!(error.place.line >= 1, "{error}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn damaged_synthetic_mib_never_panics(damage in damage()) {
        let mut files = synthetic_mib();
        apply(&mut files, &damage);
        let tables: Vec<String> = files.iter().map(SourceFile::file_name).collect();
        if let Err(report) = mib::import(&files) {
            for error in report.of(Severity::Error) {
                prop_assert!(tables.contains(&error.place.file), "{error} names no input table");
                prop_assert!(error.place.line >= 1, "{error}");
            }
        }
    }
}
