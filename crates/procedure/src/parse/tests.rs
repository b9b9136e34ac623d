//! Procedure files: a full good file, then one bad file per problem, each naming its place.

use crate::Procedure;
use expect_test::{expect, Expect};

#[track_caller]
fn check(text: &str, expect: Expect) {
    let got = match Procedure::parse(text) {
        Ok(procedure) => format!("{procedure:#?}"),
        Err(error) => error.to_string(),
    };
    expect.assert_eq(&got);
}

#[test]
fn reads_every_step_kind_with_defaults() {
    check(
        r#"
name = "PUS ping"
description = "ping, then check"

[[step]]
log = "pinging"

[[step]]
send = "/PUS/PUS17/PING"
arguments = { apid = 100, mode = "SAFE", gains = [1.5, -2], nested = { on = true }, big = 18446744073709551615 }
expect = "accepted"
timeout_s = 2.5

[[step]]
send = "/PUS/PUS8/BAD"
expect = "failed"
failure_code = 0x03

[[step]]
parameter = "/PUS/HK/BATTERY_V"
condition = "in 20..30"

[[step]]
wait_s = 0.05
"#,
        expect![[r#"
            Procedure {
                name: "PUS ping",
                description: Some(
                    "ping, then check",
                ),
                steps: [
                    Step {
                        line: 6,
                        kind: Log {
                            message: "pinging",
                        },
                    },
                    Step {
                        line: 9,
                        kind: Send {
                            command: "/PUS/PUS17/PING",
                            arguments: {
                                "apid": Number(100),
                                "mode": String("SAFE"),
                                "gains": Array [
                                    Number(1.5),
                                    Number(-2),
                                ],
                                "nested": Object {
                                    "on": Bool(true),
                                },
                                "big": Number(18446744073709551615),
                            },
                            expect: Accepted,
                            timeout_ms: 2500,
                        },
                    },
                    Step {
                        line: 15,
                        kind: Send {
                            command: "/PUS/PUS8/BAD",
                            arguments: {},
                            expect: Failed {
                                failure_code: Some(
                                    3,
                                ),
                            },
                            timeout_ms: 10000,
                        },
                    },
                    Step {
                        line: 20,
                        kind: Parameter {
                            parameter: "/PUS/HK/BATTERY_V",
                            condition: InRange {
                                low: 20.0,
                                high: 30.0,
                            },
                            within_ms: 0,
                        },
                    },
                    Step {
                        line: 24,
                        kind: Wait {
                            duration_ms: 50,
                        },
                    },
                ],
            }"#]],
    );
}

/// Each bad file with the problems it must produce (all of them, in file order).
#[test]
fn names_the_step_field_and_place_of_every_problem() {
    let cases: &[(&str, &str)] = &[
        ("syntax", "name = \"x\"\n[[step]]\nlog = \n"),
        ("no name, no steps", "description = \"d\"\n"),
        ("empty step list", "name = \"x\"\nstep = []\n"),
        ("unknown top-level key", "name = \"x\"\nowner = \"me\"\n[[step]]\nlog = \"a\"\n"),
        ("a step with two kinds", "name = \"x\"\n[[step]]\nsend = \"/A\"\nparameter = \"/P\"\ncondition = \"> 1\"\n"),
        ("a step with no kind", "name = \"x\"\n[[step]]\nlog = \"a\"\n[[step]]\ntimeout_s = 3\n"),
        ("unknown step key", "name = \"x\"\n[[step]]\nlog = \"a\"\ncolour = \"red\"\n"),
        ("a field of another kind", "name = \"x\"\n[[step]]\nsend = \"/A\"\nwithin_s = 3\n"),
        ("bad condition", "name = \"x\"\n[[step]]\nparameter = \"/P\"\ncondition = \"> ON\"\n"),
        ("missing condition", "name = \"x\"\n[[step]]\nparameter = \"/P\"\n"),
        ("negative timeout", "name = \"x\"\n[[step]]\nsend = \"/A\"\ntimeout_s = -1\n"),
        (
            "too long, nan, text",
            "name = \"x\"\n[[step]]\nwait_s = 100000\n[[step]]\nwait_s = nan\n[[step]]\nwait_s = \"2\"\n",
        ),
        ("bad expect", "name = \"x\"\n[[step]]\nsend = \"/A\"\nexpect = \"done\"\n"),
        ("failure code without failed", "name = \"x\"\n[[step]]\nsend = \"/A\"\nfailure_code = 3\n"),
        ("negative failure code", "name = \"x\"\n[[step]]\nsend = \"/A\"\nexpect = \"failed\"\nfailure_code = -3\n"),
        (
            "date argument",
            "name = \"x\"\n[[step]]\nsend = \"/A\"\narguments = { at = 2026-01-01T00:00:00Z, v = [1, inf] }\n",
        ),
        ("arguments not a table", "name = \"x\"\n[[step]]\nsend = \"/A\"\narguments = 3\n"),
        ("empty names", "name = \"\"\n[[step]]\nsend = \" \"\n"),
        ("step not a table", "name = \"x\"\nstep = [1]\n"),
    ];
    let got: Vec<String> = cases
        .iter()
        .map(|(label, text)| match Procedure::parse(text) {
            Ok(_) => format!("{label}: accepted!"),
            Err(error) => format!("{label}:\n  {}", error.to_string().replace('\n', "\n  ")),
        })
        .collect();
    expect![[r#"
        syntax:
          3:7: TOML syntax: string values must be quoted, expected literal string
        no name, no steps:
          1:1: name: missing (a procedure has a name)
          1:1: step: no steps; add [[step]] tables
        empty step list:
          2:8: step: no steps; add [[step]] tables
        unknown top-level key:
          2:1: owner: unknown field (known: name, description, step)
        a step with two kinds:
          4:1: step[1].parameter: a step has one kind, and this one is already a `send` step
          5:1: step[1].condition: not a field of a `send` step (its fields: send, arguments, expect, failure_code, timeout_s)
        a step with no kind:
          4:1: step[2]: a step needs one of `log`, `send`, `parameter`, `wait_s`
        unknown step key:
          4:1: step[1].colour: unknown field (known: log, send, arguments, expect, failure_code, timeout_s, parameter, condition, within_s, wait_s)
        a field of another kind:
          4:1: step[1].within_s: not a field of a `send` step (its fields: send, arguments, expect, failure_code, timeout_s)
        bad condition:
          4:13: step[1].condition: bad condition: `ON` is not a number, a quoted label or true/false
        missing condition:
          2:1: step[1].condition: missing (a parameter step needs a condition, e.g. "> 20")
        negative timeout:
          4:13: step[1].timeout_s: -1 is not a duration in seconds from 0 to 86400
        too long, nan, text:
          3:10: step[1].wait_s: 100000 is not a duration in seconds from 0 to 86400
          5:10: step[2].wait_s: nan is not a duration in seconds from 0 to 86400
          7:10: step[3].wait_s: expected seconds (a number), found string
        bad expect:
          4:10: step[1].expect: `done` is not one of rejected, sent, accepted, started, completed, failed
        failure code without failed:
          4:1: step[1].failure_code: only with expect = "failed"
        negative failure code:
          5:16: step[1].failure_code: -3 is not a failure code (an integer from 0)
        date argument:
          4:20: step[1].arguments.at: 2026-01-01T00:00:00Z is a TOML date-time; write it as a string or milliseconds
          4:50: step[1].arguments.v[1]: inf is not a finite number
        arguments not a table:
          4:13: step[1].arguments: expected a table, found integer
        empty names:
          1:8: name: must not be empty
          3:8: step[1].send: must not be empty
        step not a table:
          2:9: step[1]: expected a table, found integer"#]].assert_eq(&got.join("\n"));
}

#[test]
fn a_huge_file_is_refused_before_it_is_parsed() {
    let text = format!("name = \"x\"\n# {}\n", "a".repeat(crate::PROCEDURE_LEN_MAX));
    let error = Procedure::parse(&text).unwrap_err();
    expect!["file: 1048590 bytes, more than the 1048576 allowed"].assert_eq(&error.to_string());
}

#[test]
fn too_many_steps_are_refused() {
    let text = format!("name = \"x\"\n{}", "[[step]]\nwait_s = 0\n".repeat(crate::STEPS_MAX + 1));
    let error = Procedure::parse(&text).unwrap_err();
    expect!["2:1: step: 10001 steps, more than the 10000 allowed"].assert_eq(&error.to_string());
}

/// The example in the crate's documentation is a valid procedure.
#[test]
fn the_documented_example_parses() {
    let docs = include_str!("../lib.rs");
    let example: String = docs
        .lines()
        .skip_while(|line| *line != "//! ```toml")
        .skip(1)
        .take_while(|line| *line != "//! ```")
        .map(|line| format!("{}\n", line.trim_start_matches("//!").strip_prefix(' ').unwrap_or("")))
        .collect();
    let procedure = Procedure::parse(&example).unwrap_or_else(|error| panic!("{error}\n{example}"));
    let titles: Vec<String> = procedure.steps.iter().map(|step| step.title()).collect();
    expect![[r#"
        log pinging
        send /PUS/PUS17/PING
        send /PUS/PUS8/BAD_FUNCTION (expect failed, code 3)
        parameter /PUS/HK/BATTERY_V > 20
        parameter /PUS/HK/MODE == "NOMINAL"
        wait 2.5 s"#]]
    .assert_eq(&titles.join("\n"));
}
