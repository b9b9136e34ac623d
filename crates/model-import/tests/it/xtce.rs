//! XTCE importer on the real files of `shared/real` (owned by the XTCE work): each imports
//! with no error (or with exactly the defects the file really has), with as many containers,
//! parameters and commands as the XML holds, counted here independently of the importer.

use expect_test::{expect, Expect};
use model::{Calibrator, DataEncoding, Epoch, QualifiedName, TypeKind};
use model_import::{xtce, ImportReport, Imported, Severity, SourceFile};
use proptest::prelude::*;

const PUS: &str = "yamcs/examples-pus-mdb";

fn load(relative: &str) -> SourceFile {
    let path = test_utils::real(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    SourceFile::new(relative, bytes)
}

fn load_all(relatives: &[&str]) -> Vec<SourceFile> {
    relatives.iter().map(|relative| load(relative)).collect()
}

/// The PUS example's sensible set: shared types, the PUS services (pus20.xml is a draft with
/// undefined references and the simulator's landing.xml overlays fields; both tested apart).
fn pus_set() -> Vec<String> {
    ["dt", "pus", "pus5", "pus11", "pus17", "pus19", "pus23"].iter().map(|name| format!("{PUS}/{name}.xml")).collect()
}

#[track_caller]
fn import_ok(files: &[SourceFile]) -> Imported {
    match xtce::import(files) {
        Ok(imported) => imported,
        Err(report) => panic!("import failed:\n{report}"),
    }
}

/// Containers, parameters and commands counted in the XML by local name, independently of
/// the importer: `SequenceContainer`s (and `CommandContainer`s of a `CommandContainerSet`),
/// `Parameter`s in a `ParameterSet`, `MetaCommand`s.
fn count_in_xml(files: &[SourceFile]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for file in files {
        let text = std::str::from_utf8(&file.bytes).expect("real files are UTF-8");
        let doc = roxmltree::Document::parse(text).expect("real files are well-formed");
        for node in doc.descendants().filter(roxmltree::Node::is_element) {
            let parent = node.parent_element().map(|p| p.tag_name().name()).unwrap_or_default();
            match (node.tag_name().name(), parent) {
                ("SequenceContainer", _) | ("CommandContainer", "CommandContainerSet") => counts.0 += 1,
                ("Parameter", "ParameterSet") => counts.1 += 1,
                ("MetaCommand", _) => counts.2 += 1,
                _ => {}
            }
        }
    }
    counts
}

/// Imports with no error and the counts the XML holds.
#[track_caller]
fn check_counts(relatives: &[&str]) -> Imported {
    let files = load_all(relatives);
    let imported = import_ok(&files);
    let model = &imported.model;
    let found = (model.containers.len(), model.parameters.len(), model.commands.len());
    assert_eq!(found, count_in_xml(&files), "(containers, parameters, commands) of {relatives:?}");
    imported
}

fn errors(report: &ImportReport) -> String {
    report.of(Severity::Error).map(|diagnostic| format!("{diagnostic}\n")).collect()
}

/// Imports and prints only the errors.
#[track_caller]
fn check_errors(files: &[SourceFile], expect: Expect) {
    let text = match xtce::import(files) {
        Ok(_) => "OK\n".to_string(),
        Err(report) => errors(&report),
    };
    expect.assert_eq(&text);
}

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).unwrap_or_else(|| panic!("{path} is not a qualified name"))
}

#[test]
fn every_clean_file_imports_with_its_counts() {
    for relative in [
        "yamcs/xtce-tests/ccsds-green-book.xml",
        "yamcs/xtce-tests/ref-xtce.xml",
        "yamcs/xtce-tests/strings-tm.xml",
        "yamcs/xtce-tests/strings-cmd.xml",
        "yamcs/xtce-tests/array-tm.xml",
        "yamcs/xtce-tests/array-arg.xml",
        "yamcs/xtce-tests/array-in-array-arg.xml",
        "yamcs/xtce-tests/booleans.xml",
        "yamcs/xtce-tests/enum-arg.xml",
        "yamcs/xtce-tests/VariableBinary.xml",
        "yamcs/xtce-tests/container-entry.xml",
        "yamcs/xtce-tests/empty-match-criteria.xml",
        "lasp-space_packet_parser/udp_packet.xml",
        "lasp-space_packet_parser/test_xtce_4byte.xml",
        "lasp-space_packet_parser/test_xtce.xml",
        "lasp-space_packet_parser/test_xtce_default_namespace.xml",
        "lasp-space_packet_parser/test_xtce_no_namespace.xml",
        "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml",
        "lasp-space_packet_parser/jpss/contrived_inheritance_structure.xml",
        "lasp-space_packet_parser/idex/idex_combined_science_definition.xml",
        "yamcs/packet-viewer-xtce.xml",
        "xtcetools-bogussat/Diagnostic_Log_Packets.xml",
        "xtcetools-bogussat/UnitTests.xml",
    ] {
        check_counts(&[relative]);
    }
    let mut with_landing = pus_set();
    with_landing.push(format!("{PUS}/landing.xml"));
    check_counts(&with_landing.iter().map(String::as_str).collect::<Vec<_>>());
    check_counts(&[&format!("{PUS}/dt.xml"), &format!("{PUS}/pus-xtce-verif.xml")]);
    let set = pus_set();
    check_counts(&set.iter().map(String::as_str).collect::<Vec<_>>());
}

/// Counts checked by hand (`grep -o '<SequenceContainer[ >]'` etc.) for the main files.
#[test]
fn hand_counted_main_files() {
    let counts = |imported: &Imported| {
        let model = &imported.model;
        (model.containers.len(), model.parameters.len(), model.commands.len())
    };
    let jpss = check_counts(&["lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml"]);
    assert_eq!(counts(&jpss), (4, 27, 0));
    let idex = check_counts(&["lasp-space_packet_parser/idex/idex_combined_science_definition.xml"]);
    assert_eq!(counts(&idex), (9, 207, 0));
    let ref_xtce = check_counts(&["yamcs/xtce-tests/ref-xtce.xml"]);
    assert_eq!(counts(&ref_xtce), (4, 17, 12));
    let pus = check_counts(&[&format!("{PUS}/dt.xml"), &format!("{PUS}/pus.xml")]);
    assert_eq!(counts(&pus), (9, 17, 1));
    // 30 sequence containers and one CommandContainer; 114 parameters less the two broken ones.
    let bogus2 = import_ok(&[bogussat2_without_deliberate_errors()]);
    assert_eq!(counts(&bogus2), (31, 112, 11));
    // BogusSAT-1 cannot be imported (see `files_with_real_defects`), so its hand count is
    // checked against the independent XML count only.
    assert_eq!(count_in_xml(&[load("xtcetools-bogussat/BogusSAT-1.xml")]), (5, 62, 10));
}

/// BogusSAT-2 with its two parameters marked "deliberate error for testing" removed.
fn bogussat2_without_deliberate_errors() -> SourceFile {
    let mut file = load("xtcetools-bogussat/BogusSAT-2.xml");
    let text = String::from_utf8(file.bytes).expect("UTF-8");
    let kept: Vec<&str> = text.lines().filter(|line| !line.contains("name=\"BrokenParameter")).collect();
    assert_eq!(kept.len() + 2, text.lines().count(), "the two broken parameters are one line each");
    file.bytes = kept.join("\n").into_bytes();
    file
}

#[test]
fn decoded_facts_of_bogussat() {
    let imported = import_ok(&[bogussat2_without_deliberate_errors()]);
    let model = &imported.model;
    assert_eq!(model.name, "BogusSAT");
    let state = &model.parameters[&name("/BogusSAT/SC001/Payload1/Payload_1_State")];
    assert_eq!(state.type_ref, name("/BogusSAT/SC001/Payload1/Payload_1_State_Type"));
    assert!(state.read_only);
    let state_type = &model.parameter_types[&state.type_ref];
    let TypeKind::Boolean { one, zero } = &state_type.kind else { panic!("{state_type:?}") };
    assert_eq!((one.as_str(), zero.as_str()), ("ON", "OFF"));
    assert!(matches!(state_type.encoding, Some(DataEncoding::Integer { size_bits: 4, .. })));
    let spline = &model.parameter_types[&name("/BogusSAT/SC001/BusElectronics/Spline_Demo_Type")];
    let Some(Calibrator::Spline { order: 1, extrapolate: false, points }) = &spline.calibrator else {
        panic!("Spline_Demo_Type has a linear spline: {:?}", spline.calibrator);
    };
    assert_eq!(points.len(), 6);
    let place = imported.sources.get(model::ItemKind::Parameter, &state.name).expect("a place");
    assert_eq!(place.file, "xtcetools-bogussat/BogusSAT-2.xml");
    assert!(place.line > 1000);
}

#[test]
fn decoded_facts_of_yamcs_and_lasp() {
    let set = pus_set();
    let pus = import_ok(&load_all(&set.iter().map(String::as_str).collect::<Vec<_>>()));
    // A reference across files: pus.xml's parameter of type /dt/uint32 from dt.xml.
    let obt = &pus.model.parameters[&name("/PUS/obt-coarse")];
    assert_eq!(obt.type_ref, name("/dt/uint32"));
    let hk = &pus.model.containers[&name("/PUS/pus-tc-ack")];
    assert_eq!(hk.base, Some(name("/PUS/pus-tm")));
    // Its time type's Java `TimeBinaryDecoder` (CUC, P-field in the data, on-board time for
    // the time correlation service) is read natively; the command side's encoder is not.
    let time = &pus.model.parameter_types[&name("/PUS/PusTimeType")];
    assert_eq!(
        (&time.kind, &time.encoding),
        (
            &TypeKind::AbsoluteTime {
                epoch: Epoch::Mission,
                time: model::TimeEncoding::Cuc { coarse_octets: 7, fine_octets: 10, p_field: true }
            },
            &None
        )
    );
    // Its canonical form (what releases carry and digest) reads back to the same type.
    let canonical = pus.model.canonical_json().expect("canonical JSON");
    let back = model::MissionModel::from_canonical_json(&canonical).expect("reads back");
    assert_eq!(&back.parameter_types[&name("/PUS/PusTimeType")], time);
    let text = String::from_utf8(canonical).expect("JSON is UTF-8");
    let at = text.find("\"/PUS/PusTimeType\"").expect("the type is in the canonical form");
    let end = text[at..].find("}}}").expect("the type's end") + 3;
    expect![[r#""/PUS/PusTimeType":{"kind":{"kind":"absolute_time","epoch":"mission","time":{"code":"cuc","coarse_octets":7,"fine_octets":10,"p_field":true}}}"#]].assert_eq(&text[at..at + end]);
    let unsupported: Vec<String> = pus
        .report
        .of(Severity::Unsupported)
        .filter(|d| d.message.contains("TimeBinary"))
        .map(ToString::to_string)
        .collect();
    expect![[r#"
        [
            "unsupported: yamcs/examples-pus-mdb/pus.xml:213:7: ToBinaryTransformAlgorithm: transform algorithm `TimeBinaryEncoder` cannot be run by the model; the value is kept undecoded",
        ]
    "#]]
    .assert_debug_eq(&unsupported);

    let jpss = import_ok(&[load("lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml")]);
    let floats = jpss.model.parameter_types.values().filter(|t| {
        matches!(t.encoding, Some(DataEncoding::Float { size_bits: 32, format: model::FloatFormat::Ieee754, .. }))
    });
    assert_eq!(floats.count(), 3, "three IEEE754 32-bit float encodings");

    let green = import_ok(&[load("yamcs/xtce-tests/ccsds-green-book.xml")]);
    let mission_time = &green.model.parameter_types[&name("/SpaceVehicle/MissionTimeType")];
    assert!(
        matches!(&mission_time.kind, TypeKind::AbsoluteTime { epoch: Epoch::OffsetFrom(param), .. } if param.parameter == name("/SpaceVehicle/Seconds"))
    );
}

#[test]
fn same_model_in_three_namespace_styles() {
    let models: Vec<_> = ["test_xtce.xml", "test_xtce_default_namespace.xml", "test_xtce_no_namespace.xml"]
        .iter()
        .map(|file| import_ok(&[load(&format!("lasp-space_packet_parser/{file}"))]).model)
        .collect();
    assert_eq!(models[0], models[1]);
    assert_eq!(models[0], models[2]);
}

#[test]
fn alternative_pus_files_together_are_duplicates() {
    let files = load_all(&[&format!("{PUS}/dt.xml"), &format!("{PUS}/pus.xml"), &format!("{PUS}/pus-xtce-verif.xml")]);
    check_errors(
        &files,
        expect![[r#"
            error: yamcs/examples-pus-mdb/pus-xtce-verif.xml:2:14: SpaceSystem@name: space system `/PUS` is defined twice: here and at yamcs/examples-pus-mdb/pus.xml:2:1
        "#]],
    );
}

#[test]
fn files_with_real_defects() {
    // pus20.xml is an upstream draft: its parameter type `sss` and `number_of_parameters`
    // are defined nowhere.
    let mut set = pus_set();
    set.push(format!("{PUS}/pus20.xml"));
    check_errors(
        &load_all(&set.iter().map(String::as_str).collect::<Vec<_>>()),
        expect![[r#"
            error: yamcs/examples-pus-mdb/pus20.xml:7:16: Parameter@parameterTypeRef: parameter type `sss` is not defined (from /PUS20)
            error: yamcs/examples-pus-mdb/pus20.xml:16:40: ParameterRefEntry@parameterRef: parameter `number_of_parameters` is not defined (from /PUS20)
        "#]],
    );
    // BogusSAT-1 refers to PUS header parameters and base commands it never defines. (Its
    // 16-bit MIL-STD-1750A float, a format of 32 and 48 bits only, is listed as unsupported.)
    check_errors(
        &[load("xtcetools-bogussat/BogusSAT-1.xml")],
        expect![[r#"
            error: xtcetools-bogussat/BogusSAT-1.xml:150:30: ParameterRefEntry@parameterRef: parameter `CCSDSPUSspare1` is not defined (from /BogusSAT)
            error: xtcetools-bogussat/BogusSAT-1.xml:151:30: ParameterRefEntry@parameterRef: parameter `CCSDSPUSVersion` is not defined (from /BogusSAT)
            error: xtcetools-bogussat/BogusSAT-1.xml:152:30: ParameterRefEntry@parameterRef: parameter `CCSDSPUSspare4` is not defined (from /BogusSAT)
            error: xtcetools-bogussat/BogusSAT-1.xml:153:30: ParameterRefEntry@parameterRef: parameter `CCSDSPUSService` is not defined (from /BogusSAT)
            error: xtcetools-bogussat/BogusSAT-1.xml:154:30: ParameterRefEntry@parameterRef: parameter `CCSDSPUSSubService` is not defined (from /BogusSAT)
            error: xtcetools-bogussat/BogusSAT-1.xml:156:30: ParameterRefEntry@parameterRef: parameter `CCSDSPUSErrorControlField` is not defined (from /BogusSAT)
            error: xtcetools-bogussat/BogusSAT-1.xml:1012:29: BaseMetaCommand@metaCommandRef: command `../../CCSDSDirectTelecommand` is not defined (from /BogusSAT/SC001/BusElectronics)
            error: xtcetools-bogussat/BogusSAT-1.xml:1022:28: BaseContainer@containerRef: container `../../CCSDSDirectTelecommand` is not defined (from /BogusSAT/SC001/BusElectronics)
            error: xtcetools-bogussat/BogusSAT-1.xml:1090:29: BaseMetaCommand@metaCommandRef: command `/BogusSAT/CCSDSPUSTelecommand` is not defined (from /BogusSAT/SC001/BusElectronics)
            error: xtcetools-bogussat/BogusSAT-1.xml:1095:28: BaseContainer@containerRef: container `/BogusSAT/CCSDSPUSTelecommand` is not defined (from /BogusSAT/SC001/BusElectronics)
            error: xtcetools-bogussat/BogusSAT-1.xml:1333:29: BaseMetaCommand@metaCommandRef: command `/BogusSAT/CCSDSPUSTelecommand` is not defined (from /BogusSAT/SC001/Payload1)
            error: xtcetools-bogussat/BogusSAT-1.xml:1341:28: BaseContainer@containerRef: container `/BogusSAT/CCSDSPUSTelecommand` is not defined (from /BogusSAT/SC001/Payload1)
            error: xtcetools-bogussat/BogusSAT-1.xml:1351:29: BaseMetaCommand@metaCommandRef: command `/BogusSAT/CCSDSPUSTelecommand` is not defined (from /BogusSAT/SC001/Payload1)
            error: xtcetools-bogussat/BogusSAT-1.xml:1356:28: BaseContainer@containerRef: container `/BogusSAT/CCSDSPUSTelecommand` is not defined (from /BogusSAT/SC001/Payload1)
        "#]],
    );
    // BogusSAT-2 holds deliberate errors for the upstream tests. (UnitTests.xml's 39- and
    // 23-bit floats, marked INVALID there, import as unsupported types.)
    check_errors(
        &[load("xtcetools-bogussat/BogusSAT-2.xml")],
        expect![[r#"
        error: xtcetools-bogussat/BogusSAT-2.xml:245:44: Parameter@parameterTypeRef: parameter type `Type_Does_Not_Exist` is not defined (from /BogusSAT)
        error: xtcetools-bogussat/BogusSAT-2.xml:247:4: Parameter: missing attribute `parameterTypeRef`
    "#]],
    );
}

#[test]
fn overlaid_entries_are_warnings() {
    // XTCE lets an entry placed at an explicit position overlay others on purpose
    // (Diagnostic_Log_Packets reads a record count "overlaid on top of the length"; Yamcs'
    // landing.xml places data over the PUS time field; packet-viewer reads 3-bit enums over
    // the sequence word): each is imported, and each overlay is listed as a warning.
    let mut set = pus_set();
    set.push(format!("{PUS}/landing.xml"));
    let landing = import_ok(&load_all(&set.iter().map(String::as_str).collect::<Vec<_>>()));
    for (what, imported) in [
        ("landing", landing),
        ("packet-viewer", import_ok(&[load("yamcs/packet-viewer-xtce.xml")])),
        ("diagnostic log", import_ok(&[load("xtcetools-bogussat/Diagnostic_Log_Packets.xml")])),
    ] {
        let warnings: Vec<_> = imported.report.of(Severity::Warning).collect();
        assert!(!warnings.is_empty(), "{what}: its overlays are listed");
        for warning in warnings {
            assert!(warning.message.contains(" overlays "), "{what}: {warning}");
        }
    }
}

#[test]
fn seds_files_are_not_xtce() {
    for file in [
        "cfe-eds/cfe_time",
        "cfe-eds/cfe_tbl",
        "cfe-eds/cfe_evs",
        "cfe-eds/config",
        "cfe-eds/cfe_sb",
        "cfe-eds/cfe_fs",
        "cfe-eds/base_types",
        "cfe-eds/cfe_es",
        "cfe-eds/cfe",
        "cfe-eds/ccsds_spacepacket",
        "cfe-eds/cfe-topicids",
        "cfe-eds/cfe_resourceid",
        "sample_app-eds/sample_app",
    ] {
        let relative = format!("nasa-cfs/{file}.xml");
        let report = xtce::import(&[load(&relative)]).expect_err("SEDS is not XTCE");
        let text = errors(&report);
        assert_eq!(report.count(Severity::Error), 1, "{text}");
        assert!(text.contains(&format!("error: {relative}:")), "{text}");
        assert!(text.contains("not XTCE: the root element is `"), "{text}");
        assert!(text.contains("(it looks like CCSDS SEDS), not `SpaceSystem`"), "{text}");
    }
}

/// Every error names a place in one of the input files, at line 1 or below.
fn assert_placed(result: Result<Imported, ImportReport>, files: &[SourceFile]) -> Result<(), TestCaseError> {
    let Err(report) = result else { return Ok(()) };
    prop_assert!(report.has_errors());
    for diagnostic in &report.diagnostics {
        prop_assert!(diagnostic.place.line >= 1, "{diagnostic}");
        prop_assert!(files.iter().any(|file| file.path == diagnostic.place.file), "{diagnostic}");
    }
    Ok(())
}

/// Small real files (with dt.xml, which others refer to) to mutate.
fn fuzz_corpus() -> Vec<SourceFile> {
    load_all(&[
        &format!("{PUS}/dt.xml"),
        &format!("{PUS}/pus.xml"),
        "yamcs/xtce-tests/ref-xtce.xml",
        "yamcs/xtce-tests/strings-tm.xml",
        "lasp-space_packet_parser/jpss/contrived_inheritance_structure.xml",
        "xtcetools-bogussat/UnitTests.xml",
    ])
}

/// The corpus with file `index` replaced by `mutate` of its bytes.
fn mutated(index: usize, mutate: impl Fn(&[u8]) -> Vec<u8>) -> Vec<SourceFile> {
    let mut files = fuzz_corpus();
    let idx = index % files.len();
    let bytes = mutate(&files[idx].bytes);
    files[idx].bytes = bytes;
    files
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn truncated_files_never_panic(index in 0usize..16, cut in 0.0f64..1.0) {
        let files = mutated(index, |bytes| bytes[..(bytes.len() as f64 * cut) as usize].to_vec());
        assert_placed(xtce::import(&files), &files)?;
    }

    #[test]
    fn flipped_bytes_never_panic(index in 0usize..16, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 1..8)) {
        let files = mutated(index, |bytes| {
            let mut bytes = bytes.to_vec();
            for (at, value) in &flips {
                let pos = ((bytes.len() as f64 * at) as usize).min(bytes.len() - 1);
                bytes[pos] = *value;
            }
            bytes
        });
        assert_placed(xtce::import(&files), &files)?;
    }

    #[test]
    fn deleted_lines_never_panic(index in 0usize..16, line in 0usize..1000) {
        let files = mutated(index, |bytes| {
            let text = String::from_utf8_lossy(bytes);
            let lines: Vec<&str> = text.lines().collect();
            let drop = line % lines.len().max(1);
            lines.iter().enumerate().filter(|(idx, _)| *idx != drop).map(|(_, l)| *l).collect::<Vec<_>>().join("\n").into_bytes()
        });
        assert_placed(xtce::import(&files), &files)?;
    }
}

#[test]
fn digest_does_not_depend_on_file_order() {
    let set = pus_set();
    let mut files = load_all(&set.iter().map(String::as_str).collect::<Vec<_>>());
    let forward = import_ok(&files).model.digest().unwrap();
    files.reverse();
    let backward = import_ok(&files).model.digest().unwrap();
    assert_eq!(forward, backward);
    // And a real change changes it.
    let mut changed = files.clone();
    let dt = changed.iter_mut().find(|f| f.path.ends_with("/dt.xml")).unwrap();
    let text = String::from_utf8(dt.bytes.clone()).unwrap().replacen("sizeInBits=\"8\"", "sizeInBits=\"9\"", 1);
    dt.bytes = text.into_bytes();
    assert_ne!(import_ok(&changed).model.digest().unwrap(), forward);
}
