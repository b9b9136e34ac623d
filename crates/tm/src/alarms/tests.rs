use super::*;
use expect_test::{expect, Expect};
use AlarmLevel::*;

/// Steps: a level (with min_violations 2) or an acknowledgement by a principal.
enum Step {
    Sample(AlarmLevel),
    Ack(&'static str),
}

#[track_caller]
fn check(steps: &[Step], expect: Expect) {
    let mut board = AlarmBoard::new();
    let parameter = ParamId(7);
    let mut lines = Vec::new();
    for (time_ms, step) in steps.iter().enumerate() {
        let time_ms = time_ms as u64;
        match step {
            Step::Sample(level) => {
                if let Some(change) = board.observe(parameter, *level, 2, time_ms) {
                    lines.push(format!("{change:?}"));
                }
            }
            Step::Ack(by) => lines.push(format!("{:?}", board.acknowledge(parameter, by, time_ms))),
        }
    }
    lines.push(format!("open: {:?}", board.open().map(|a| (a.phase, a.level, a.worst)).collect::<Vec<_>>()));
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn raise_after_min_violations_escalate_acknowledge_clear_close() {
    use Step::*;
    check(
        &[
            Sample(Warning),
            Sample(Normal),
            Sample(Warning),
            Sample(Warning),
            Sample(Critical),
            Ack("alice"),
            Sample(Warning),
            Sample(Normal),
        ],
        expect![[r#"
            Raised { parameter: ParamId(7), level: Warning, time_ms: 3 }
            LevelChanged { parameter: ParamId(7), from: Warning, to: Critical, time_ms: 4 }
            Ok([Acknowledged { parameter: ParamId(7), by: "alice", time_ms: 5 }])
            LevelChanged { parameter: ParamId(7), from: Critical, to: Warning, time_ms: 6 }
            Closed { parameter: ParamId(7), time_ms: 7 }
            open: []"#]],
    );
}

#[test]
fn cleared_alarm_waits_for_acknowledgement_and_escalation_needs_a_new_one() {
    use Step::*;
    check(
        &[
            Sample(Warning),
            Sample(Warning),
            Ack("bob"),
            Sample(Critical),
            Ack("bob"),
            Ack("carol"),
            Sample(Normal),
            Sample(Warning),
            Sample(Warning),
        ],
        expect![[r#"
            Raised { parameter: ParamId(7), level: Warning, time_ms: 1 }
            Ok([Acknowledged { parameter: ParamId(7), by: "bob", time_ms: 2 }])
            LevelChanged { parameter: ParamId(7), from: Warning, to: Critical, time_ms: 3 }
            Ok([Acknowledged { parameter: ParamId(7), by: "bob", time_ms: 4 }])
            Err(AlreadyAcknowledged(ParamId(7)))
            Closed { parameter: ParamId(7), time_ms: 6 }
            Raised { parameter: ParamId(7), level: Warning, time_ms: 8 }
            open: [(Active, Warning, Warning)]"#]],
    );
    check(
        &[Sample(Severe), Sample(Severe), Sample(Normal), Sample(Normal), Ack("dave"), Ack("dave")],
        expect![[r#"
            Raised { parameter: ParamId(7), level: Severe, time_ms: 1 }
            Cleared { parameter: ParamId(7), time_ms: 2 }
            Ok([Acknowledged { parameter: ParamId(7), by: "dave", time_ms: 4 }, Closed { parameter: ParamId(7), time_ms: 4 }])
            Err(NoAlarm(ParamId(7)))
            open: []"#]],
    );
}
