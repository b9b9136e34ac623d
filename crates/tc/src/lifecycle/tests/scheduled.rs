//! Commands scheduled on board inside a TC[11,4]: the wrapper's reports, then the inner's.

use super::*;

/// Command `id` below 10: SET_MODE inside a TC[11,4] (acceptance and completion reported),
/// executing on board at the release time given (5000 ms when none) with all stages expected.
/// Command 9 names its own request id as the inner one. Command `id` from 10: a plain
/// command whose request id is the inner one of `id - 10`.
fn scheduled_command(id: u64, significance: SignificanceLevel, release_at_ms: Option<u64>) -> Command {
    let mut command = command(id, significance, None, 0b1111);
    if id >= 10 {
        command.request_id = inner_request_id(id - 10);
    } else {
        let inner = if id == 9 { request_id(id) } else { inner_request_id(id) };
        command.scheduled = Some(Scheduled::new(inner, release_at_ms.unwrap_or(5000), 0b1001));
    }
    command
}

#[track_caller]
fn check_scheduled(ops: &[(u64, Op)], expect: Expect) {
    expect.assert_eq(&run(ReleaseMode::Automatic, &scheduled_command, ops));
}

#[test]
fn scheduled_on_board_then_executed_at_the_release_time() {
    check_scheduled(
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1100, Report(1, Acceptance, Says::Ok)),
            (1200, Report(1, Completion, Says::Ok)),
            (5000, InnerReport(1, Acceptance, Says::Ok)),
            (5010, InnerReport(1, Start, Says::Ok)),
            (5020, InnerReport(1, Progress, Says::Step(1))),
            (5030, InnerReport(1, Completion, Says::Ok)),
            (5040, Report(1, Completion, Says::Ok)),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              1100 #1 accepted - on-board schedule acceptance reported
              1200 #1 accepted - on-board schedule completion reported: on board, executes at 5000 ms
              5000 #1 accepted - on-board execution acceptance reported
              5010 #1 started - on-board execution start reported
              5020 #1 progress - on-board execution step 1
              5030 #1 completed - on-board execution completion reported
              5040 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Completion
            live: []"#]],
    );
}

#[test]
fn execution_windows_count_from_the_on_board_release() {
    let deadline_ms = 5000 + ACCEPTANCE_WINDOW_MS;
    check_scheduled(
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1100, Report(1, Completion, Says::Ok)),
            (deadline_ms, Tick),
            (deadline_ms + 1, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              1100 #1 accepted - on-board schedule completion reported (implies acceptance): on board, executes at 5000 ms
             15001 #1 timed_out - no on-board execution acceptance report within 10000 ms of the on-board release
            live: []"#]],
    );
}

#[test]
fn the_schedule_fails_or_times_out() {
    check_scheduled(
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Submit(2, Warning, Some(20_000))),
            (1000, Send),
            (1000, Send),
            (1100, Report(1, Acceptance, Says::Fail(3))),
            (1000 + ACCEPTANCE_WINDOW_MS + 1, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #2 requested alice SET_MODE(mode=SAFE)
              1000 #2 queued - automatic queue
              1000 #2 released - automatic release
              1000 #1 sent - 9 bytes
              1000 #2 sent - 9 bytes
              1100 #1 failed - on-board schedule acceptance failed: code 3, data ab01
             11001 #2 timed_out - no on-board schedule acceptance report within 10000 ms of sending
            live: []"#]],
    );
}

#[test]
fn execution_reports_imply_the_schedule_and_inner_request_ids_stay_unique() {
    check_scheduled(
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Submit(11, Warning, None)),
            (1000, Submit(9, Warning, None)),
            (1000, Send),
            (5100, InnerReport(1, Completion, Says::Ok)),
            (20_000, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 error: command 11: request id RequestId { packet_id: 6245, sequence_control: 49153 } is already used by live command 1
              1000 error: command 9: its scheduled inner command has the wrapper's own request id RequestId { packet_id: 6244, sequence_control: 49161 }
              1000 #1 sent - 9 bytes
              5100 #1 completed - on-board execution completion reported (implies acceptance, start)
            live: []"#]],
    );
}

#[test]
fn status_lists_the_schedule_stages_then_the_execution_stages() {
    let mut queue = Queue::new(ReleaseMode::Automatic);
    queue.submit(scheduled_command(1, Warning, Some(8000)), 1000).expect("room");
    let show_stages = |queue: &Queue| -> String {
        let stages = queue.status(CommandId(1)).map(|status| status.stages).unwrap_or_default();
        let stages: Vec<String> = stages
            .iter()
            .map(|stage| format!("{} until {:?} {:?}", stage.label, stage.deadline_ms, stage.outcome))
            .collect();
        stages.join("; ")
    };
    let mut lines = vec![show_stages(&queue)];
    queue.sent(CommandId(1), 2000).expect("released");
    let _ = queue.report(&report(1, Acceptance, Says::Ok), 2100);
    lines.push(show_stages(&queue));
    expect![[r#"
        on-board schedule acceptance until None Pending; on-board schedule completion until None Pending; on-board execution acceptance until None Pending; on-board execution start until None Pending; on-board execution completion until None Pending
        on-board schedule acceptance until Some(12000) Passed { time_ms: 2100 }; on-board schedule completion until Some(62000) Pending; on-board execution acceptance until Some(18000) Pending; on-board execution start until Some(68000) Pending; on-board execution completion until Some(68000) Pending"#]]
    .assert_eq(&lines.join("\n"));
}
