//! Unit tests of the MIB importer: inline rows (fields separated by `|` here, by tabs in the
//! files), one `check` per feature, expected output inline (`UPDATE_EXPECT=1` rewrites it).

use super::import;
use crate::SourceFile;
use expect_test::{expect, Expect};
use model::MissionModel;
use std::fmt::Write;

mod errors;

/// Tables as `(file name, rows)`; `|` stands for a tab.
fn files(tables: &[(&str, &str)]) -> Vec<SourceFile> {
    tables.iter().map(|(name, rows)| SourceFile::new(format!("SAT/{name}"), rows.replace('|', "\t"))).collect()
}

fn model_of(tables: &[(&str, &str)]) -> MissionModel {
    match import(&files(tables)) {
        Ok(imported) => imported.model,
        Err(report) => panic!("import failed:\n{report}"),
    }
}

/// Parameters used by the packet, calibration and monitoring tests.
const PCF: &str = "\
SID|Structure id|||3|4||||N|R
MODE|Mode|||2|8||||S|R|TXF_MODE
TEMP|Temperature||degC|3|12||||N|R
VOLT|Voltage||V|3|12||||N|R
N|Counter|||3|4||||N|R
";

const TXF: (&str, &str) = ("txf.dat", "TXF_MODE|Modes|U|2\n");
const TXP: (&str, &str) = ("txp.dat", "TXF_MODE|0|0|SAFE\nTXF_MODE|1|3|NOMINAL\n");

/// The kind and encoding of each parameter type, one per line.
#[track_caller]
fn check_types(pcf_rows: &str, expect: Expect) {
    let model = model_of(&[("pcf.dat", pcf_rows)]);
    let mut out = String::new();
    for (name, data_type) in &model.parameter_types {
        writeln!(out, "{}: {:?} / {:?}", name.local(), data_type.kind, data_type.encoding).unwrap();
    }
    expect.assert_eq(&out);
}

#[test]
fn integer_and_boolean_formats() {
    check_types(
        "B|bool|||1|0||||N|R\nE|enum|||2|3||||N|R\nU4|u4|||3|0||||N|R\nU24|u24|||3|13||||N|R\nU64|u64|||3|16||||N|R\nS16|s16|||4|12||||N|R\nLE|le|||4|14||||N|R||||||||||||L\n",
        expect![[r#"
            B: Boolean { one: "TRUE", zero: "FALSE" } / Some(Integer { size_bits: 1, sign: Unsigned, byte_order: BigEndian })
            E: Integer { signed: false, size_bits: 3, valid_range: None } / Some(Integer { size_bits: 3, sign: Unsigned, byte_order: BigEndian })
            LE: Integer { signed: true, size_bits: 32, valid_range: None } / Some(Integer { size_bits: 32, sign: TwosComplement, byte_order: LittleEndian })
            S16: Integer { signed: true, size_bits: 16, valid_range: None } / Some(Integer { size_bits: 16, sign: TwosComplement, byte_order: BigEndian })
            U24: Integer { signed: false, size_bits: 24, valid_range: None } / Some(Integer { size_bits: 24, sign: Unsigned, byte_order: BigEndian })
            U4: Integer { signed: false, size_bits: 4, valid_range: None } / Some(Integer { size_bits: 4, sign: Unsigned, byte_order: BigEndian })
            U64: Integer { signed: false, size_bits: 64, valid_range: None } / Some(Integer { size_bits: 64, sign: Unsigned, byte_order: BigEndian })
        "#]],
    );
}

#[test]
fn real_formats() {
    check_types(
        "F32|f|||5|1||||N|R\nF64|d|||5|2||||N|R\nM32|m|||5|3||||N|R\nM48|m|||5|4||||N|R\n",
        expect![[r#"
            F32: Float { size_bits: 32, valid_range: None } / Some(Float { size_bits: 32, format: Ieee754, byte_order: BigEndian })
            F64: Float { size_bits: 64, valid_range: None } / Some(Float { size_bits: 64, format: Ieee754, byte_order: BigEndian })
            M32: Float { size_bits: 32, valid_range: None } / Some(Float { size_bits: 32, format: MilStd1750a, byte_order: BigEndian })
            M48: Float { size_bits: 64, valid_range: None } / Some(Float { size_bits: 48, format: MilStd1750a, byte_order: BigEndian })
        "#]],
    );
}

#[test]
fn string_and_time_formats() {
    check_types(
        "BITS|b|||6|12||||N|R\nOCT|o|||7|4||||N|R\nVOCT|o|||7|0||||N|R\nSTR|s|||8|6||||T|R\nVSTR|s|||8|0||||T|R\nCDS|t|||9|1||||N|R\nCDSUS|t|||9|2||||N|R\nCUC42|t|||9|17||||N|R\nREL|t|||10|7||||N|R\n",
        expect![[r#"
            BITS: Binary { length_range: None } / Some(Binary { size: Fixed { size_bits: 12 } })
            CDS: AbsoluteTime { epoch: Mission, time: Cds { day_octets: 2, submillisecond_octets: 0, p_field: false } } / Some(Binary { size: Fixed { size_bits: 48 } })
            CDSUS: AbsoluteTime { epoch: Mission, time: Cds { day_octets: 2, submillisecond_octets: 2, p_field: false } } / Some(Binary { size: Fixed { size_bits: 64 } })
            CUC42: AbsoluteTime { epoch: Mission, time: Cuc { coarse_octets: 4, fine_octets: 2, p_field: false } } / Some(Binary { size: Fixed { size_bits: 48 } })
            OCT: Binary { length_range: None } / Some(Binary { size: Fixed { size_bits: 32 } })
            REL: RelativeTime { time: Cuc { coarse_octets: 2, fine_octets: 0, p_field: false } } / Some(Binary { size: Fixed { size_bits: 16 } })
            STR: String { length_range: None } / Some(String { size: Fixed { size_bits: 48 }, charset: "US-ASCII" })
            VOCT: Binary { length_range: None } / Some(Binary { size: LeadingSize { length_bits: 8, max_bits: None } })
            VSTR: String { length_range: None } / Some(String { size: LeadingSize { length_bits: 8, max_bits: None }, charset: "US-ASCII" })
        "#]],
    );
}

/// The calibration of each parameter type: kind, calibrator and context calibrators.
#[track_caller]
fn check_calibration(tables: &[(&str, &str)], expect: Expect) {
    let model = model_of(tables);
    let mut out = String::new();
    for (name, data_type) in &model.parameter_types {
        if data_type.calibrator.is_none()
            && data_type.context_calibrators.is_empty()
            && !matches!(data_type.kind, model::TypeKind::Enumerated { .. })
        {
            continue;
        }
        writeln!(out, "{}: {:?}", name.local(), data_type.kind).unwrap();
        if let Some(calibrator) = &data_type.calibrator {
            writeln!(out, "  {calibrator:?}").unwrap();
        }
        for context in &data_type.context_calibrators {
            writeln!(out, "  when {:?}: {:?}", context.context, context.calibrator).unwrap();
        }
    }
    expect.assert_eq(&out);
}

#[test]
fn spline_calibration() {
    check_calibration(
        &[
            ("pcf.dat", "TEMP|t||degC|3|12||||N|R|CAF1|P\n"),
            ("caf.dat", "CAF1|curve|R|U|D||2|F\n"),
            ("cap.dat", "CAF1|4095|100\nCAF1|0|-50.5\n"),
        ],
        expect![[r#"
            TEMP: Float { size_bits: 64, valid_range: None }
              Spline { order: 1, extrapolate: true, points: [SplinePoint { raw: 0.0, calibrated: -50.5 }, SplinePoint { raw: 4095.0, calibrated: 100.0 }] }
        "#]],
    );
}

#[test]
fn textual_calibration() {
    check_calibration(
        &[("pcf.dat", PCF), TXF, TXP],
        expect![[r#"
        MODE: Enumerated { values: [EnumValue { value: 0, max: None, label: "SAFE", description: None }, EnumValue { value: 1, max: Some(3), label: "NOMINAL", description: None }] }
    "#]],
    );
}

#[test]
fn polynomial_and_logarithmic_calibrations() {
    check_calibration(
        &[
            ("pcf.dat", "V|v||V|3|12||||N|R|MCF1\nP|p||mbar|3|12||||N|R|LGF1\n"),
            ("mcf.dat", "MCF1|volts|0.5|0.01\n"),
            ("lgf.dat", "LGF1|pressure|1|2|3|4|5\n"),
        ],
        expect![[r#"
            P: Float { size_bits: 64, valid_range: None }
              Logarithmic { coefficients: [1.0, 2.0, 3.0, 4.0, 5.0] }
            V: Float { size_bits: 64, valid_range: None }
              Polynomial { coefficients: [0.5, 0.01, 0.0, 0.0, 0.0] }
        "#]],
    );
}

#[test]
fn context_calibration() {
    check_calibration(
        &[
            ("pcf.dat", PCF),
            TXF,
            TXP,
            ("mcf.dat", "M1|a|0|1\nM2|b|0|2\n"),
            ("cur.dat", "TEMP|2|MODE|1|M2\nTEMP|1|MODE|0|M1\n"),
        ],
        expect![[r#"
            MODE: Enumerated { values: [EnumValue { value: 0, max: None, label: "SAFE", description: None }, EnumValue { value: 1, max: Some(3), label: "NOMINAL", description: None }] }
            TEMP: Float { size_bits: 64, valid_range: None }
              when Compare(Comparison { left: ParamRef { parameter: "/MIB/MODE", use_calibrated: false, instance: 0, member_path: None }, op: Eq, right: Value("0") }): Polynomial { coefficients: [0.0, 1.0, 0.0, 0.0, 0.0] }
              when Compare(Comparison { left: ParamRef { parameter: "/MIB/MODE", use_calibrated: false, instance: 0, member_path: None }, op: Eq, right: Value("1") }): Polynomial { coefficients: [0.0, 2.0, 0.0, 0.0, 0.0] }
        "#]],
    );
}

/// The alarms of each parameter type.
#[track_caller]
fn check_alarms(ocf: &str, ocp: &str, expect: Expect) {
    let model = model_of(&[("pcf.dat", PCF), TXF, TXP, ("ocf.dat", ocf), ("ocp.dat", ocp)]);
    let mut out = String::new();
    for (name, data_type) in &model.parameter_types {
        if let Some(alarm) = &data_type.alarm {
            writeln!(out, "{}: {alarm:?}", name.local()).unwrap();
        }
        for context in &data_type.context_alarms {
            writeln!(out, "{} when {:?}: {:?}", name.local(), context.context, context.alarm).unwrap();
        }
    }
    expect.assert_eq(&out);
}

#[test]
fn limit_checks() {
    check_alarms(
        "TEMP|3|3|C|R\n",
        "TEMP|1|S|-10|40\nTEMP|2|H|-20|50\nTEMP|3|D||5\n",
        expect![[r#"
        TEMP: Ranges { min_violations: 3, ranges: AlarmRanges { watch: None, warning: Some(Range { min: Some(-10.0), max: Some(40.0), min_inclusive: true, max_inclusive: true, calibrated: true }), distress: None, critical: Some(Range { min: Some(-20.0), max: Some(50.0), min_inclusive: true, max_inclusive: true, calibrated: true }), severe: None }, delta: Some(5.0) }
    "#]],
    );
}

#[test]
fn context_limit_checks() {
    check_alarms(
        "VOLT|1|2|U|I\n",
        "VOLT|1|S|10|20|MODE|1\nVOLT|2|H|5|25\n",
        expect![[r#"
            VOLT: Ranges { min_violations: 1, ranges: AlarmRanges { watch: None, warning: None, distress: None, critical: Some(Range { min: Some(5.0), max: Some(25.0), min_inclusive: true, max_inclusive: true, calibrated: false }), severe: None }, delta: None }
            VOLT when Compare(Comparison { left: ParamRef { parameter: "/MIB/MODE", use_calibrated: false, instance: 0, member_path: None }, op: Eq, right: Value("1") }): Ranges { min_violations: 1, ranges: AlarmRanges { watch: None, warning: Some(Range { min: Some(10.0), max: Some(20.0), min_inclusive: true, max_inclusive: true, calibrated: false }), distress: None, critical: None, severe: None }, delta: None }
        "#]],
    );
}

#[test]
fn status_checks() {
    check_alarms(
        "MODE|1|1|U|A\n",
        "MODE|1|S|NOMINAL\n",
        expect![[r#"
        MODE: Enumeration { min_violations: 1, levels: EnumAlarm { default_level: Warning, labels: [("NOMINAL", Normal)] } }
    "#]],
    );
}

/// The entries and identification of one container.
#[track_caller]
fn check_container(tables: &[(&str, &str)], container: &str, expect: Expect) {
    let model = model_of(tables);
    let name = model::QualifiedName::parse(&format!("/MIB/{container}")).unwrap();
    let container = &model.containers[&name];
    let mut out = format!("{:?} size {:?}\n", container.pus, container.size_bits);
    for entry in &container.entries {
        let location = format!("{:?}{:+}", entry.location.reference, entry.location.offset_bits);
        writeln!(out, "{location} {:?} {:?}", entry.kind, entry.repeat).unwrap();
    }
    expect.assert_eq(&out);
}

#[test]
fn fixed_packet() {
    check_container(
        &[
            ("pcf.dat", PCF),
            TXF,
            TXP,
            ("pid.dat", "3|25|100|7|0|5000|hk||-1|10\n"),
            ("pic.dat", "3|25|16|8|-1|0\n"),
            ("tpcf.dat", "5000|HK|27\n"),
            ("plf.dat", "SID|5000|16|0\nMODE|5000|17|0\nTEMP|5000|18|4|3|24\n"),
        ],
        "HK",
        expect![[r#"
            Some(PusPacketId { apid: 100, service: 3, subtype: 25, pi1: Some(PiField { offset_bits: 128, width_bits: 8, value: 7 }), pi2: None, spid: Some(5000) }) size Some(216)
            PacketStart+128 Parameter("/MIB/SID") None
            PacketStart+136 Parameter("/MIB/MODE") None
            PacketStart+148 Parameter("/MIB/TEMP") Some(Repeat { count: Fixed(3), offset_bits: 8 })
        "#]],
    );
}

#[test]
fn variable_packet_groups() {
    check_container(
        &[
            ("pcf.dat", PCF),
            TXF,
            TXP,
            ("pid.dat", "3|26|100|0|0|6000|var||77|10\n"),
            ("pic.dat", "3|26|-1|0|-1|0\n"),
            (
                "vpd.dat",
                "77|1|SID|0\n77|2|N|2|0\n77|3|TEMP|0\n77|4|VOLT|0|0|N|N||0|L|N|0|N|3\n77|5|MODE|1|4\n77|6|TEMP|0\n",
            ),
        ],
        "SPID_6000",
        expect![[r#"
            Some(PusPacketId { apid: 100, service: 3, subtype: 26, pi1: None, pi2: None, spid: Some(6000) }) size None
            PacketStart+128 Parameter("/MIB/SID") None
            PreviousEntry+0 Parameter("/MIB/N") None
            PreviousEntry+0 Group { group_size: 2, count: Dynamic { parameter: ParamRef { parameter: "/MIB/N", use_calibrated: false, instance: 0, member_path: None }, slope: 1, intercept: 0 } } None
            PreviousEntry+0 Parameter("/MIB/TEMP") None
            PreviousEntry+3 Parameter("/MIB/VOLT") None
            PreviousEntry+0 Group { group_size: 1, count: Fixed(4) } None
            PreviousEntry+0 Parameter("/MIB/TEMP") None
        "#]],
    );
}

/// The arguments and entries of one command.
#[track_caller]
fn check_command(tables: &[(&str, &str)], command: &str, expect: Expect) {
    let model = model_of(tables);
    let name = model::QualifiedName::parse(&format!("/MIB/{command}")).unwrap();
    let command = &model.commands[&name];
    let mut out = format!("{:?} {:?}\n", command.pus, command.significance.as_ref().map(|s| s.level));
    for argument in &command.arguments {
        let data_type = &model.argument_types[&argument.type_ref];
        writeln!(out, "arg {} = {:?}: {:?}", argument.name, argument.initial_value, data_type.kind).unwrap();
    }
    for entry in &command.entries {
        let location = format!("{:?}{:+}", entry.location.reference, entry.location.offset_bits);
        writeln!(out, "{location} {:?}", entry.kind).unwrap();
    }
    expect.assert_eq(&out);
}

const PRF: (&str, &str) = ("prf.dat", "PRF1|modes|R|U|D|1\nPRF2|thr|E|R|D|1|V\n");
const PRV: (&str, &str) = ("prv.dat", "PRF1|0|2\nPRF2|2.5|4.0\n");

const CPC: &str = "\
P_SID|sid|3|4|U|D||N||||R|1
P_N|count|3|4|U|D||N||||R|1
P_ID|id|3|12|U|H||N||||R|0x10
P_MODE|mode|3|4|U|D||N|PRF1|||R|1
P_THR|thr|5|1|R|D|V|N|PRF2|||R|3.3
";

#[test]
fn command_elements() {
    check_command(
        &[
            ("cpc.dat", CPC),
            PRF,
            PRV,
            ("ccf.dat", "SET|set|||Y|PKT|8|1|100|4|N|Y|N|C|1|N|0||100|9\n"),
            (
                "cdf.dat",
                "SET|F|fid|8|0|0|P_SID|R|7\nSET|A|spare|8|8|0\nSET|E|mode|8|16|0|P_MODE|R|1\nSET|E|thr|32|40|0|P_THR\n",
            ),
        ],
        "SET",
        expect![[r#"
            Some(PusCommandId { apid: 100, service: 8, subtype: 1, ack_flags: Some(9) }) Some(Critical)
            arg P_MODE = Some("1"): Integer { signed: false, size_bits: 8, valid_range: Some(Range { min: Some(0.0), max: Some(2.0), min_inclusive: true, max_inclusive: true, calibrated: false }) }
            arg P_THR = Some("3.3"): Float { size_bits: 32, valid_range: Some(Range { min: Some(2.5), max: Some(4.0), min_inclusive: true, max_inclusive: true, calibrated: true }) }
            PreviousEntry+0 Fixed { size_bits: 8, value: [7] }
            PreviousEntry+0 Fixed { size_bits: 8, value: [0] }
            PreviousEntry+0 Argument("P_MODE")
            PreviousEntry+16 Argument("P_THR")
        "#]],
    );
}

#[test]
fn command_group_repeater() {
    check_command(
        &[
            ("cpc.dat", CPC),
            PRF,
            PRV,
            ("ccf.dat", "ENA|enable|||N|PKT|3|5|100|3\n"),
            ("cdf.dat", "ENA|F|sid|8|0|0|P_SID|R|1\nENA|E|n|8|8|1|P_N|R|1\nENA|E|id|16|16|0|P_ID\n"),
        ],
        "ENA",
        expect![[r#"
            Some(PusCommandId { apid: 100, service: 3, subtype: 5, ack_flags: None }) None
            arg P_N = Some("1"): Integer { signed: false, size_bits: 8, valid_range: None }
            arg P_ID = Some("0x10"): Integer { signed: false, size_bits: 16, valid_range: None }
            PreviousEntry+0 Fixed { size_bits: 8, value: [1] }
            PreviousEntry+0 Argument("P_N")
            PreviousEntry+0 Group { group_size: 1, count_argument: "P_N" }
            PreviousEntry+0 Argument("P_ID")
        "#]],
    );
}

/// The verifiers of every command.
#[track_caller]
fn check_verifiers(cvs: &str, cve: &str, cvp: &str, expect: Expect) {
    let model = model_of(&[
        ("pcf.dat", PCF),
        TXF,
        TXP,
        ("pid.dat", "1|1|100|0|0|11|ack||-1|10\n1|7|100|0|0|17|done||-1|10\n1|7|200|0|0|27|done2||-1|10\n"),
        ("pic.dat", "1|1|-1|0|-1|0\n1|7|-1|0|-1|0\n"),
        ("cpc.dat", CPC),
        PRF,
        PRV,
        ("ccf.dat", "SET|set|||N|PKT|8|1|100\n"),
        ("cvs.dat", cvs),
        ("cve.dat", cve),
        ("cvp.dat", cvp),
    ]);
    let mut out = String::new();
    for command in model.commands.values() {
        for verifier in &command.verifiers {
            writeln!(out, "{} {:?} {:?}", command.name.local(), verifier.stage, verifier.window).unwrap();
            writeln!(out, "  {:?}", verifier.check).unwrap();
        }
    }
    expect.assert_eq(&out);
}

#[test]
fn verification_stages() {
    check_verifiers(
        "1|A|R|0|5|11\n2|S|R|1|5\n3|C|R|0|60\n4|C|V|2|30\n",
        "4|MODE|E|NOMINAL\n4|VOLT|R|300|10\n",
        "SET|C|1\nSET|C|2\nSET|C|3\nSET|C|4\n",
        expect![[r#"
            SET Accepted CheckWindow { start_ms: 0, stop_ms: 5000, anchor: CommandRelease }
              Container { container: "/MIB/SPID_11", criteria: None }
            SET Complete CheckWindow { start_ms: 0, stop_ms: 60000, anchor: CommandRelease }
              Container { container: "/MIB/SPID_17", criteria: None }
            SET Complete CheckWindow { start_ms: 2000, stop_ms: 32000, anchor: CommandRelease }
              Criteria(All([Compare(Comparison { left: ParamRef { parameter: "/MIB/MODE", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("NOMINAL") }), All([Compare(Comparison { left: ParamRef { parameter: "/MIB/VOLT", use_calibrated: false, instance: 0, member_path: None }, op: Ge, right: Value("290") }), Compare(Comparison { left: ParamRef { parameter: "/MIB/VOLT", use_calibrated: false, instance: 0, member_path: None }, op: Le, right: Value("310") })])]))
        "#]],
    );
}

/// The parameters' own fields: source, validity, default, aliases, description.
#[track_caller]
fn check_parameters(pcf_rows: &str, expect: Expect) {
    let model = model_of(&[("pcf.dat", pcf_rows)]);
    let mut out = String::new();
    for parameter in model.parameters.values() {
        writeln!(
            out,
            "{} {:?} default {:?} aliases {:?} descr {:?}",
            parameter.name, parameter.data_source, parameter.initial_value, parameter.aliases, parameter.description
        )
        .unwrap();
        if let Some(validity) = &parameter.validity {
            writeln!(out, "  valid when {validity:?}").unwrap();
        }
    }
    expect.assert_eq(&out);
}

#[test]
fn parameter_fields() {
    check_parameters(
        "T|temp|42|C|3|12||OK||N|R|||||||2||||||long text\nOK|flag|||1|0||||N|R\nK|const|||3|4||||N|C|||||7\nH|obt|||9|1||||N|H\n",
        expect![[r#"
            /MIB/H Ground default None aliases [] descr Some("obt")
            /MIB/K Constant default Some("7") aliases [] descr Some("const")
            /MIB/OK Telemetered default None aliases [] descr Some("flag")
            /MIB/T Telemetered default None aliases [Alias { namespace: "MIB:PCF_PID", alias: "42" }] descr Some("temp\nlong text")
              valid when Compare(Comparison { left: ParamRef { parameter: "/MIB/OK", use_calibrated: false, instance: 0, member_path: None }, op: Eq, right: Value("2") })
        "#]],
    );
}
