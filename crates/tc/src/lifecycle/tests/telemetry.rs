//! Telemetry verifiers from a model: criteria and parameter changes within their windows.

use super::*;
use model::{Comparison, ComparisonOp, Criteria, MissionModel, Operand, ParamRef, QualifiedName};
use model_import::{SourceFile, SourceKind};

/// Parameters `c` (an integer) and `heater` (OFF/ON); commands verified by telemetry:
/// `SET_C` (c == 2, from 1 s to 5 s after sending), `BUMP_C` (c up by 5 within 10 s),
/// `HEATER_ON` (an acceptance report within 2 s, then heater == ON within 3 s of it, and
/// heater == ON with c >= 10 within 20 s of sending).
const XTCE: &str = r#"<SpaceSystem name="T" xmlns="http://www.omg.org/spec/XTCE/20180204">
<TelemetryMetaData>
  <ParameterTypeSet>
    <IntegerParameterType name="u8" signed="false"><IntegerDataEncoding sizeInBits="8"/></IntegerParameterType>
    <EnumeratedParameterType name="onoff"><IntegerDataEncoding sizeInBits="8"/>
      <EnumerationList><Enumeration value="0" label="OFF"/><Enumeration value="1" label="ON"/></EnumerationList>
    </EnumeratedParameterType>
  </ParameterTypeSet>
  <ParameterSet><Parameter name="c" parameterTypeRef="u8"/><Parameter name="heater" parameterTypeRef="onoff"/></ParameterSet>
  <ContainerSet><SequenceContainer name="ack"><EntryList><ParameterRefEntry parameterRef="c"/></EntryList></SequenceContainer></ContainerSet>
</TelemetryMetaData>
<CommandMetaData><MetaCommandSet>
  <MetaCommand name="SET_C"><VerifierSet>
    <CompleteVerifier><Comparison parameterRef="c" value="2"/><CheckWindow timeToStartChecking="PT1S" timeToStopChecking="PT5S"/></CompleteVerifier>
  </VerifierSet></MetaCommand>
  <MetaCommand name="BUMP_C"><VerifierSet>
    <CompleteVerifier><ParameterValueChange><ParameterRef parameterRef="c"/><Change value="5"/></ParameterValueChange>
      <CheckWindow timeToStopChecking="PT10S"/></CompleteVerifier>
  </VerifierSet></MetaCommand>
  <MetaCommand name="HEATER_ON"><VerifierSet>
    <AcceptedVerifier><ContainerRef containerRef="ack"/><CheckWindow timeToStopChecking="PT2S"/></AcceptedVerifier>
    <ExecutionVerifier><Comparison parameterRef="heater" value="ON"/>
      <CheckWindow timeToStopChecking="PT3S" timeWindowIsRelativeTo="timeLastVerifierPassed"/></ExecutionVerifier>
    <CompleteVerifier><ComparisonList><Comparison parameterRef="heater" value="ON"/><Comparison parameterRef="c" value="10" comparisonOperator="&gt;="/></ComparisonList>
      <CheckWindow timeToStopChecking="PT20S"/></CompleteVerifier>
  </VerifierSet></MetaCommand>
</MetaCommandSet></CommandMetaData>
</SpaceSystem>"#;

fn test_model() -> MissionModel {
    let files = [SourceFile::new("t.xml", XTCE)];
    model_import::import(SourceKind::Xtce, &files).unwrap_or_else(|report| panic!("{report}")).model
}

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("an absolute name")
}

/// Command `id` of the model's `command`, expecting what its verifiers (and `ack_flags`) say.
fn model_command(model: &MissionModel, command_name: &str, ack_flags: Option<u8>, id: u64) -> Command {
    let meta = &model.commands[&name(&format!("/T/{command_name}"))];
    let mut command = command(id, Warning, None, 0);
    command.name = command_name.to_string();
    command.arguments.clear();
    command.expected = expected_stages(ack_flags, &meta.verifiers);
    command
}

/// Runs timed operations on commands of the model's `command` (any `Submit` submits one).
#[track_caller]
fn check_model(command_name: &str, ack_flags: Option<u8>, ops: &[(u64, Op)], expect: Expect) {
    let model = test_model();
    let make = |id, _, _| model_command(&model, command_name, ack_flags, id);
    expect.assert_eq(&run(ReleaseMode::Automatic, &make, ops));
}

#[test]
fn verifiers_become_report_and_telemetry_expectations_in_stage_order() {
    let model = test_model();
    let lines: Vec<String> = [("SET_C", None), ("BUMP_C", None), ("HEATER_ON", None), ("HEATER_ON", Some(0b1001))]
        .into_iter()
        .map(|(command_name, ack_flags)| {
            let stages: Vec<String> = model_command(&model, command_name, ack_flags, 1)
                .expected
                .iter()
                .map(|expectation| {
                    let window = &expectation.window;
                    let label = expectation.label();
                    format!("{label} {}..{} ms {:?}", window.start_ms, window.stop_ms, window.anchor)
                })
                .collect();
            format!("{command_name} {ack_flags:?}: {}", stages.join("; "))
        })
        .collect();
    expect![[r#"
        SET_C None: complete verifier (/T/c == 2) 1000..5000 ms CommandRelease
        BUMP_C None: complete verifier (/T/c changes by 5) 0..10000 ms CommandRelease
        HEATER_ON None: acceptance 0..2000 ms CommandRelease; execution verifier (/T/heater == ON) 0..3000 ms LastVerifier; complete verifier (/T/heater == ON and /T/c >= 10) 0..20000 ms CommandRelease
        HEATER_ON Some(9): acceptance 0..2000 ms CommandRelease; execution verifier (/T/heater == ON) 0..3000 ms LastVerifier; completion 0..60000 ms CommandRelease; complete verifier (/T/heater == ON and /T/c >= 10) 0..20000 ms CommandRelease"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn criteria_pass_only_on_telemetry_inside_the_window() {
    // c == 2 at 1500 ms is before the window opens (2000 ms) and does not count; c == 1 at
    // 2100 ms does not hold; c == 2 at 2500 ms completes the command.
    check_model(
        "SET_C",
        None,
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1500, Tm(&[("/T/c", "2")])),
            (2100, Tm(&[("/T/c", "1")])),
            (2500, Tm(&[("/T/c", "2")])),
            (2600, Tm(&[("/T/c", "2")])),
        ],
        expect![[r#"
              1000 #1 requested alice SET_C()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              2500 #1 completed - complete verifier (/T/c == 2) passed
            live: []"#]],
    );
}

#[test]
fn the_latest_value_counts_at_the_first_telemetry_inside_the_window() {
    // c == 2 came at 1500 ms, before the window; at 2100 ms another packet came (no new c),
    // and c == 2 is still the latest value.
    check_model(
        "SET_C",
        None,
        &[(1000, Submit(1, Warning, None)), (1000, Send), (1500, Tm(&[("/T/c", "2")])), (2100, Tm(&[]))],
        expect![[r#"
              1000 #1 requested alice SET_C()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              2100 #1 completed - complete verifier (/T/c == 2) passed
            live: []"#]],
    );
}

#[test]
fn criteria_time_out_at_the_end_of_the_window_naming_the_verifier() {
    check_model(
        "SET_C",
        None,
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (3000, Tm(&[("/T/c", "1")])),
            (6000, Tick),
            (6001, Tm(&[("/T/c", "2")])),
            (6001, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice SET_C()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              6001 #1 timed_out - complete verifier (/T/c == 2) did not pass between 1000 and 5000 ms of sending
            live: []"#]],
    );
}

#[test]
fn parameter_change_counts_from_the_value_at_sending() {
    // c is 3 when the command goes out: 6 is not enough, 8 is.
    check_model(
        "BUMP_C",
        None,
        &[
            (900, Tm(&[("/T/c", "3")])),
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (2000, Tm(&[("/T/c", "6")])),
            (3000, Tm(&[("/T/c", "8")])),
        ],
        expect![[r#"
              1000 #1 requested alice BUMP_C()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              3000 #1 completed - complete verifier (/T/c changes by 5) passed: from 3 to 8
            live: []"#]],
    );
}

#[test]
fn parameter_change_without_a_value_at_sending_counts_from_the_first_value_after() {
    check_model(
        "BUMP_C",
        None,
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1500, Tm(&[("/T/c", "10")])),
            (2000, Tm(&[("/T/c", "14")])),
            (2500, Tm(&[("/T/c", "15")])),
        ],
        expect![[r#"
              1000 #1 requested alice BUMP_C()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              2500 #1 completed - complete verifier (/T/c changes by 5) passed: from 10 to 15
            live: []"#]],
    );
}

#[test]
fn parameter_change_times_out() {
    check_model(
        "BUMP_C",
        None,
        &[
            (900, Tm(&[("/T/c", "3")])),
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (2000, Tm(&[("/T/c", "7")])),
            (11001, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice BUMP_C()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
             11001 #1 timed_out - complete verifier (/T/c changes by 5) did not pass within 10000 ms of sending
            live: []"#]],
    );
}

#[test]
fn reports_and_telemetry_together_complete_only_when_both_have_passed() {
    // The execution verifier's window opens when acceptance is reported; the completion
    // report leaves the command waiting for its complete verifier.
    check_model(
        "HEATER_ON",
        Some(0b1001),
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1100, Tm(&[("/T/heater", "OFF")])),
            (1200, Report(1, Acceptance, Says::Ok)),
            (1500, Tm(&[("/T/heater", "ON"), ("/T/c", "4")])),
            (1600, Report(1, Completion, Says::Ok)),
            (1700, Tm(&[("/T/c", "10")])),
        ],
        expect![[r#"
              1000 #1 requested alice HEATER_ON()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              1200 #1 accepted - acceptance reported
              1500 #1 started - execution verifier (/T/heater == ON) passed
              1600 #1 progress - completion reported; waiting for complete verifier (/T/heater == ON and /T/c >= 10)
              1700 #1 completed - complete verifier (/T/heater == ON and /T/c >= 10) passed
            live: []"#]],
    );
}

#[test]
fn a_check_anchored_on_the_previous_stage_waits_for_it_and_times_out_from_it() {
    check_model(
        "HEATER_ON",
        None,
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1100, Tm(&[("/T/heater", "ON")])),
            (2000, Report(1, Acceptance, Says::Ok)),
            (5000, Tick),
            (5001, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice HEATER_ON()
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              2000 #1 accepted - acceptance reported
              5001 #1 timed_out - execution verifier (/T/heater == ON) did not pass within 3000 ms of the previous stage
            live: []"#]],
    );
}

#[test]
fn watched_parameters_are_those_of_pending_telemetry_checks() {
    let model = test_model();
    let mut queue = Queue::new(ReleaseMode::Manual);
    let mut lines = vec![format!("empty: {:?} {}", queue.watched_parameters(), queue.watches_telemetry())];
    queue.submit(model_command(&model, "HEATER_ON", None, 1), 1000).expect("room");
    lines.push(format!("queued: {:?} {}", queue.watched_parameters(), queue.watches_telemetry()));
    queue.release(CommandId(1), "bob", 1000).expect("queued");
    queue.sent(CommandId(1), 1000).expect("released");
    lines.push(format!("sent: {:?} {}", queue.watched_parameters(), queue.watches_telemetry()));
    let values = |parameter: &QualifiedName| (parameter.local() == "heater").then(|| TelemetryValue::label(1.0, "ON"));
    let _ = queue.report(&report(1, Acceptance, Says::Ok), 1100);
    let events = queue.telemetry(&values, 1200);
    lines.push(format!(
        "started: {:?} {} ({} event)",
        queue.watched_parameters(),
        queue.watches_telemetry(),
        events.len()
    ));
    expect![[r#"
        empty: [] false
        queued: ["/T/c", "/T/heater"] false
        sent: ["/T/c", "/T/heater"] true
        started: ["/T/c", "/T/heater"] true (1 event)"#]]
    .assert_eq(&lines.join("\n"));
}

/// The current value of a parameter (`/T/` + local name) from a table of the test's values.
fn table_values(table: &'static [(&'static str, TelemetryValue)]) -> impl Fn(&QualifiedName) -> Option<TelemetryValue> {
    move |parameter| table.iter().find(|(local, _)| parameter.local() == *local).map(|(_, value)| value.clone())
}

#[test]
fn criteria_follow_the_telemetry_comparison_rules() {
    use ComparisonOp::*;
    fn compare(left: &str, calibrated: bool, op: ComparisonOp, right: &str) -> Criteria {
        let param = |local: &str| {
            let parameter = name(&format!("/T/{local}"));
            if calibrated {
                ParamRef::calibrated(parameter)
            } else {
                ParamRef::raw(parameter)
            }
        };
        let right = match right.strip_prefix('$') {
            Some(other) => Operand::Parameter(param(other)),
            None => Operand::Value(right.to_string()),
        };
        Criteria::Compare(Comparison { left: param(left), op, right })
    }
    static VALUES: &[(&str, TelemetryValue)] = &[
        ("volts", TelemetryValue { eng: Some(27.5), raw: Some(1100.0), label: None }),
        ("mode", TelemetryValue { eng: None, raw: Some(2.0), label: None }),
        ("limit", TelemetryValue { eng: Some(28.0), raw: Some(16.0), label: None }),
        ("flag", TelemetryValue { eng: Some(1.0), raw: Some(1.0), label: None }),
    ];
    let mode_safe = TelemetryValue::label(2.0, "SAFE");
    let values = table_values(VALUES);
    let values = |parameter: &QualifiedName| match parameter.local() {
        "mode" => Some(mode_safe.clone()),
        _ => values(parameter),
    };
    let mut previous = compare("volts", true, Gt, "1");
    if let Criteria::Compare(comparison) = &mut previous {
        comparison.left.instance = -1;
    }
    let cases = [
        ("calibrated greater", compare("volts", true, Gt, "27")),
        ("raw compared raw", compare("volts", false, Eq, "1100")),
        ("hex literal", compare("limit", false, Eq, "0x10")),
        ("parameter to parameter", compare("volts", true, Lt, "$limit")),
        ("label equal", compare("mode", true, Eq, "SAFE")),
        ("label not equal", compare("mode", true, Ne, "SAFE")),
        ("label ordered", compare("mode", true, Lt, "SAFE")),
        ("raw enumeration", compare("mode", false, Eq, "2")),
        ("true literal", compare("flag", true, Eq, "true")),
        ("missing value", compare("nothing", true, Eq, "1")),
        ("not of missing", Criteria::Not(Box::new(compare("nothing", true, Eq, "1")))),
        ("not a number", compare("volts", true, Eq, "high")),
        ("previous instance", previous),
        ("any", Criteria::Any(vec![compare("volts", true, Lt, "0"), compare("flag", true, Eq, "1")])),
    ];
    let lines: Vec<String> = cases
        .iter()
        .map(|(case, criteria)| {
            let check = TelemetryCheck::Criteria(criteria.clone());
            format!("{case}: {check} -> {}", super::super::telemetry::holds(criteria, &values))
        })
        .collect();
    expect![[r#"
        calibrated greater: /T/volts > 27 -> true
        raw compared raw: /T/volts == 1100 -> true
        hex literal: /T/limit == 0x10 -> true
        parameter to parameter: /T/volts < /T/limit -> true
        label equal: /T/mode == SAFE -> true
        label not equal: /T/mode != SAFE -> false
        label ordered: /T/mode < SAFE -> false
        raw enumeration: /T/mode == 2 -> true
        true literal: /T/flag == true -> true
        missing value: /T/nothing == 1 -> false
        not of missing: not (/T/nothing == 1) -> true
        not a number: /T/volts == high -> false
        previous instance: /T/volts > 1 -> false
        any: /T/volts < 0 or /T/flag == 1 -> true"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn criteria_nested_deeper_than_a_model_allows_do_not_hold() {
    let leaf = Criteria::Compare(Comparison {
        left: ParamRef::calibrated(name("/T/c")),
        op: ComparisonOp::Eq,
        right: Operand::Value("1".to_string()),
    });
    let values = |_: &QualifiedName| Some(TelemetryValue::number(1.0));
    let lines: Vec<String> = [2, model::NESTING_MAX, model::NESTING_MAX + 2, 1_000]
        .into_iter()
        .map(|n_nots| {
            let criteria = (0..n_nots).fold(leaf.clone(), |inner, _| Criteria::Not(Box::new(inner)));
            let text = TelemetryCheck::Criteria(criteria.clone()).to_string();
            let elided = text.contains("...");
            format!("{n_nots} nots: holds {}, elided {elided}", super::super::telemetry::holds(&criteria, &values))
        })
        .collect();
    expect![[r#"
        2 nots: holds true, elided false
        64 nots: holds true, elided false
        66 nots: holds false, elided true
        1000 nots: holds false, elided true"#]]
    .assert_eq(&lines.join("\n"));
}
