use super::*;
use expect_test::{expect, Expect};

#[track_caller]
fn check(text: &str, expect: Expect) {
    let result = Scenario::parse(text);
    expect.assert_debug_eq(&result.map_err(|e| e.to_string()));
}

#[test]
fn parses_every_statement() {
    check(
        "at 10s set /bench/U8_00 = 255 # out of limits\n\
         at 30s clear /bench/U8_00\n\
         reject /PUS/ARE_YOU_ALIVE code 7\n\
         reject TC[17,1] code 9\n\
         \n\
         delay verification 500ms\n\
         drop 10%\n\
         corrupt 5%\n\
         at 1min event 3 medium\n",
        expect![[r#"
            Ok(
                Scenario {
                    actions: [
                        TimedAction {
                            at_ms: 10000,
                            action: Set {
                                parameter: "/bench/U8_00",
                                raw: 255.0,
                            },
                        },
                        TimedAction {
                            at_ms: 30000,
                            action: Clear {
                                parameter: "/bench/U8_00",
                            },
                        },
                        TimedAction {
                            at_ms: 60000,
                            action: Event {
                                id: 3,
                                severity: Medium,
                            },
                        },
                    ],
                    rejects: [
                        Reject {
                            target: Command(
                                "/PUS/ARE_YOU_ALIVE",
                            ),
                            code: 7,
                        },
                        Reject {
                            target: Pus {
                                service: 17,
                                subtype: 1,
                            },
                            code: 9,
                        },
                    ],
                    verification_delay_ms: 500,
                    drop_percent: 10.0,
                    corrupt_percent: 5.0,
                },
            )
        "#]],
    );
}

#[test]
fn errors_name_line_and_column() {
    check(
        "drop 10%\nat 10 set /a = 1",
        expect![[r#"
        Err(
            "scenario 2:4: `10` is not a time: give a unit (ms, s, min)",
        )
    "#]],
    );
    check(
        "at 1s set /a 1",
        expect![[r#"
        Err(
            "scenario 1:14: expected `=`, found `1`",
        )
    "#]],
    );
    check(
        "drop 120%",
        expect![[r#"
        Err(
            "scenario 1:6: `120%` is not a percentage from 0% to 100%",
        )
    "#]],
    );
    check(
        "at 1s event 3 loud",
        expect![[r#"
        Err(
            "scenario 1:15: `loud` is not informative, low, medium or high",
        )
    "#]],
    );
    check(
        "reject TC[17] code 1",
        expect![[r#"
        Err(
            "scenario 1:8: `TC[17]` is not TC[service,subtype]",
        )
    "#]],
    );
    check(
        "launch now",
        expect![[r#"
        Err(
            "scenario 1:1: unknown statement `launch`",
        )
    "#]],
    );
    check(
        "delay verification 5s extra",
        expect![[r#"
        Err(
            "scenario 1:23: unexpected `extra`",
        )
    "#]],
    );
    check(
        "at 1s clear",
        expect![[r#"
        Err(
            "scenario 1:12: expected a qualified name (/system/name)",
        )
    "#]],
    );
}
