//! The JUnit document: structure and counts, and escaping of everything a file or platform may
//! put in names and messages.

use super::junit_xml;
use crate::{ProcedureReport, StepOutcome, StepReport};
use expect_test::expect;

fn step(number: usize, title: &str, outcome: StepOutcome, duration_ms: u64) -> StepReport {
    StepReport { number, kind: "send", title: title.to_string(), outcome, duration_ms }
}

#[test]
fn one_suite_with_a_case_per_step_and_every_outcome() {
    let report = ProcedureReport {
        name: "PUS ping".to_string(),
        steps: vec![
            step(1, "log pinging", StepOutcome::Passed { detail: "logged: pinging".into() }, 0),
            step(2, "send /PUS/PUS17/PING", StepOutcome::Passed { detail: "completed".into() }, 120),
            step(3, "parameter /BATT > 20", StepOutcome::Failed { message: "value 19.5 is not > 20".into() }, 5003),
            step(4, "wait 2 s", StepOutcome::Skipped, 0),
        ],
        duration_ms: 5123,
    };
    expect![[r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites tests="4" failures="1" errors="0" skipped="1" time="5.123">
          <testsuite name="PUS ping" tests="4" failures="1" errors="0" skipped="1" time="5.123">
            <testcase name="01 log pinging" classname="PUS ping" time="0.000">
              <system-out>logged: pinging</system-out>
            </testcase>
            <testcase name="02 send /PUS/PUS17/PING" classname="PUS ping" time="0.120">
              <system-out>completed</system-out>
            </testcase>
            <testcase name="03 parameter /BATT &gt; 20" classname="PUS ping" time="5.003">
              <failure message="value 19.5 is not &gt; 20">value 19.5 is not &gt; 20</failure>
            </testcase>
            <testcase name="04 wait 2 s" classname="PUS ping" time="0.000">
              <skipped/>
            </testcase>
          </testsuite>
        </testsuites>
    "#]]
    .assert_eq(&junit_xml(&report));
}

#[test]
fn escapes_markup_quotes_line_breaks_and_controls() {
    let report = ProcedureReport {
        name: "<Tom & \"Jerry\">'s".to_string(),
        steps: vec![
            step(
                1,
                "parameter /MODE == \"ON\"",
                StepOutcome::Failed { message: "value \"OFF\" <is not> == \"ON\"\n& more\tthen\u{7}bell\r".into() },
                10,
            ),
            step(2, "send /X", StepOutcome::Error { message: "connection refused: ]]> '".into() }, 0),
        ],
        duration_ms: 10,
    };
    expect![[r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites tests="2" failures="1" errors="1" skipped="0" time="0.010">
          <testsuite name="&lt;Tom &amp; &quot;Jerry&quot;&gt;&apos;s" tests="2" failures="1" errors="1" skipped="0" time="0.010">
            <testcase name="01 parameter /MODE == &quot;ON&quot;" classname="&lt;Tom &amp; &quot;Jerry&quot;&gt;&apos;s" time="0.010">
              <failure message="value &quot;OFF&quot; &lt;is not&gt; == &quot;ON&quot;&#10;&amp; more&#9;then�bell&#13;">value "OFF" &lt;is not&gt; == "ON"
        &amp; more	then�bell&#13;</failure>
            </testcase>
            <testcase name="02 send /X" classname="&lt;Tom &amp; &quot;Jerry&quot;&gt;&apos;s" time="0.000">
              <error message="connection refused: ]]&gt; &apos;">connection refused: ]]&gt; '</error>
            </testcase>
          </testsuite>
        </testsuites>
    "#]].assert_eq(&junit_xml(&report));
}

#[test]
fn numbers_cases_with_as_many_digits_as_the_last_step() {
    let steps = (1..=100).map(|n| step(n, "log x", StepOutcome::Passed { detail: String::new() }, 0)).collect();
    let xml = junit_xml(&ProcedureReport { name: "long".into(), steps, duration_ms: 0 });
    assert!(xml.contains("name=\"001 log x\""), "{xml}");
    assert!(xml.contains("name=\"100 log x\""), "{xml}");
}

#[test]
fn an_xml_parser_reads_back_every_name_and_message_unchanged() {
    let nasty = "a<b>&\"c\"'d'\n\tline\u{1}end ]]> é 🚀";
    let report = ProcedureReport {
        name: nasty.to_string(),
        steps: vec![step(1, nasty, StepOutcome::Failed { message: nasty.to_string() }, 1)],
        duration_ms: 1,
    };
    let xml = junit_xml(&report);
    let document = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let expected = nasty.replace('\u{1}', "\u{fffd}");
    let suite = document.descendants().find(|node| node.has_tag_name("testsuite")).unwrap();
    assert_eq!(suite.attribute("name"), Some(expected.as_str()));
    let case = suite.children().find(|node| node.has_tag_name("testcase")).unwrap();
    assert_eq!(case.attribute("name"), Some(format!("01 {expected}").as_str()));
    let failure = case.children().find(|node| node.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("message"), Some(expected.as_str()));
    assert_eq!(failure.text(), Some(expected.as_str()));
}
