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

#[test]
fn remap_keeps_alarms_and_violations_by_parameter_and_closes_the_gone() {
    let mut board = AlarmBoard::new();
    let (kept, gone, pending) = (ParamId(2), ParamId(5), ParamId(9));
    for time_ms in 0..2 {
        board.observe(kept, AlarmLevel::Warning, 2, time_ms);
        board.observe(gone, AlarmLevel::Critical, 1, time_ms);
    }
    board.acknowledge(kept, "alice", 3).unwrap();
    board.observe(pending, AlarmLevel::Watch, 2, 4);
    // The new plan numbers its parameters differently and has no `gone`.
    let new_id = |id: ParamId| match id.0 {
        2 => Some(ParamId(12)),
        9 => Some(ParamId(1)),
        _ => None,
    };
    let closed = board.remap(new_id, 10);
    assert_eq!(closed, [AlarmChange::Closed { parameter: gone, time_ms: 10 }]);
    let open: Vec<_> =
        board.open().map(|a| (a.parameter, a.phase, a.worst, a.raised_ms, a.acknowledged.clone())).collect();
    assert_eq!(open, [(ParamId(12), AlarmPhase::Acknowledged, AlarmLevel::Warning, 1, Some(("alice".into(), 3)))]);
    assert_eq!(board.open_count(), 1);
    // The one violation of `pending` counts: its second one raises the alarm under its new id.
    let raised = board.observe(ParamId(1), AlarmLevel::Watch, 2, 11);
    assert_eq!(raised, Some(AlarmChange::Raised { parameter: ParamId(1), level: AlarmLevel::Watch, time_ms: 11 }));
    // The old ids mean nothing any more.
    assert_eq!(board.acknowledge(kept, "bob", 12), Err(AlarmError::NoAlarm(kept)));
    assert_eq!(
        board.observe(ParamId(12), AlarmLevel::Normal, 2, 13),
        Some(AlarmChange::Closed { parameter: ParamId(12), time_ms: 13 })
    );
}
