//! The engine against a scripted target with a fake clock: every step kind and failure path,
//! one table row each, showing the progress lines, the final clock and the calls made.

use super::{judge, run, Observer, RunOptions, Verdict};
use crate::fake::{state, value, FakeTarget};
use crate::target::StageOutcome::{Failed, Passed, Pending, TimedOut};
use crate::target::TargetError;
use crate::{finished_line, started_line, Expect, Procedure, Step, StepReport};
use expect_test::{expect, Expect as Snapshot};
use serde_json::json;

/// Records the progress lines, as the CLI would print them.
#[derive(Default)]
struct Lines(Vec<String>);

impl Observer for Lines {
    fn step_started(&mut self, number: usize, total: usize, step: &Step) {
        self.0.push(started_line(number, total, step));
    }
    fn step_finished(&mut self, total: usize, report: &StepReport) {
        self.0.push(finished_line(total, report));
    }
}

#[track_caller]
fn check(steps: &str, mut target: FakeTarget, snapshot: Snapshot) {
    let procedure = Procedure::parse(&format!("name = \"case\"\n{steps}")).unwrap();
    let mut lines = Lines::default();
    let report = run(&procedure, &mut target, &mut lines, &RunOptions { poll_ms: 100 });
    lines.0.push(report.summary_line());
    lines.0.push(format!("calls: {}", target.calls.join("; ")));
    snapshot.assert_eq(&lines.0.join("\n"));
}

const PING: &str = "[[step]]\nsend = \"/PING\"\narguments = { n = 1 }\ntimeout_s = 1\n";
const BATTERY: &str = "[[step]]\nparameter = \"/BATT\"\ncondition = \"> 20\"\nwithin_s = 0.3\n";
const AFTER: &str = "[[step]]\nlog = \"after\"\n";

fn commands(answers: Vec<(u64, crate::CommandState)>) -> FakeTarget {
    FakeTarget { command: answers.into_iter().map(|(t, s)| (t, Ok(s))).collect(), ..FakeTarget::default() }
}

#[test]
fn log_and_wait_pass() {
    check(
        "[[step]]\nlog = \"hello\"\n[[step]]\nwait_s = 1.5\n",
        FakeTarget::default(),
        expect![[r#"
            [1/2] log hello
            [1/2] log hello … logged in 0.00 s
            [2/2] wait 1.5 s
            [2/2] wait 1.5 s … waited in 1.50 s
            PASSED case: 2 passed, 0 failed, 0 errors, 0 skipped in 1.50 s
            calls: 0 sleep 1500"#]],
    );
}

#[test]
fn send_completes_after_polling() {
    let target = commands(vec![
        (0, state("sent", false, &[("acceptance", Pending, None), ("completion", Pending, None)])),
        (150, state("accepted", false, &[("acceptance", Passed, None), ("completion", Pending, None)])),
        (250, state("completed", true, &[("acceptance", Passed, None), ("completion", Passed, None)])),
    ]);
    check(
        &format!("{PING}{AFTER}"),
        target,
        expect![[r#"
        [1/2] send /PING
        [1/2] send /PING … completed in 0.30 s
        [2/2] log after
        [2/2] log after … logged in 0.00 s
        PASSED case: 2 passed, 0 failed, 0 errors, 0 skipped in 0.30 s
        calls: 0 send /PING {"n":1}; 0 command 7; 0 sleep 100; 100 command 7; 100 sleep 100; 200 command 7; 200 sleep 100; 300 command 7"#]],
    );
}

#[test]
fn a_failed_stage_fails_at_once_with_its_code_and_skips_the_rest() {
    let target =
        commands(vec![(100, state("failed", true, &[("acceptance", Passed, None), ("completion", Failed, Some(3))]))]);
    check(
        &format!("{PING}{AFTER}{BATTERY}"),
        target,
        expect![[r#"
        [1/3] send /PING
        [1/3] send /PING … FAILED in 0.10 s: stage completion failed with code 3; expected completed
        [2/3] log after … skipped
        [3/3] parameter /BATT > 20 … skipped
        FAILED case: 0 passed, 1 failed, 0 errors, 2 skipped in 0.10 s
        calls: 0 send /PING {"n":1}; 0 command 7; 0 sleep 100; 100 command 7"#]],
    );
}

#[test]
fn a_timed_out_stage_fails_naming_it() {
    let target =
        commands(vec![(0, state("timed_out", true, &[("acceptance", Passed, None), ("completion", TimedOut, None)]))]);
    check(
        PING,
        target,
        expect![[r#"
        [1/1] send /PING
        [1/1] send /PING … FAILED in 0.00 s: stage completion timed out; expected completed
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /PING {"n":1}; 0 command 7"#]],
    );
}

#[test]
fn no_answer_within_the_timeout_fails_with_the_state() {
    check(
        PING,
        commands(vec![(0, state("sent", false, &[("completion", Pending, None)]))]),
        expect![[r#"
        [1/1] send /PING
        [1/1] send /PING … FAILED in 1.00 s: not completed within 1 s (command 7 is sent)
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 1.00 s
        calls: 0 send /PING {"n":1}; 0 command 7; 0 sleep 100; 100 command 7; 100 sleep 100; 200 command 7; 200 sleep 100; 300 command 7; 300 sleep 100; 400 command 7; 400 sleep 100; 500 command 7; 500 sleep 100; 600 command 7; 600 sleep 100; 700 command 7; 700 sleep 100; 800 command 7; 800 sleep 100; 900 command 7; 900 sleep 100; 1000 command 7"#]],
    );
}

#[test]
fn expecting_a_failure() {
    let failed = |code| state("failed", true, &[("acceptance", Failed, code)]);
    let failure = "[[step]]\nsend = \"/BAD\"\nexpect = \"failed\"\nfailure_code = 5\n";
    check(
        failure,
        commands(vec![(0, failed(Some(5)))]),
        expect![[r#"
        [1/1] send /BAD (expect failed, code 5)
        [1/1] send /BAD (expect failed, code 5) … stage acceptance failed with code 5 in 0.00 s
        PASSED case: 1 passed, 0 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /BAD {}; 0 command 7"#]],
    );
    check(
        failure,
        commands(vec![(0, failed(Some(6)))]),
        expect![[r#"
        [1/1] send /BAD (expect failed, code 5)
        [1/1] send /BAD (expect failed, code 5) … FAILED in 0.00 s: stage acceptance failed with code 6; expected code 5
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /BAD {}; 0 command 7"#]],
    );
    let completed = state("completed", true, &[("completion", Passed, None)]);
    check(
        failure,
        commands(vec![(0, completed)]),
        expect![[r#"
        [1/1] send /BAD (expect failed, code 5)
        [1/1] send /BAD (expect failed, code 5) … FAILED in 0.00 s: the command completed; expected it to fail
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /BAD {}; 0 command 7"#]],
    );
}

#[test]
fn expecting_a_rejection() {
    let rejected = FakeTarget {
        send: Some(Err(TargetError::Refused { message: "argument n: 300 is out of 0..=255".into() })),
        ..FakeTarget::default()
    };
    let step = "[[step]]\nsend = \"/SET\"\narguments = { n = 300 }\nexpect = \"rejected\"\n";
    check(
        step,
        rejected,
        expect![[r#"
        [1/1] send /SET (expect rejected)
        [1/1] send /SET (expect rejected) … rejected: argument n: 300 is out of 0..=255 in 0.00 s
        PASSED case: 1 passed, 0 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /SET {"n":300}"#]],
    );
    check(
        step,
        commands(vec![(0, state("sent", false, &[]))]),
        expect![[r#"
        [1/1] send /SET (expect rejected)
        [1/1] send /SET (expect rejected) … FAILED in 0.00 s: the platform took the command (state sent); expected a rejection
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /SET {"n":300}; 0 command 7"#]],
    );
}

#[test]
fn a_refused_send_fails_and_an_unreachable_target_is_an_error() {
    let refused = FakeTarget {
        send: Some(Err(TargetError::Refused { message: "unknown command /PING (field command)".into() })),
        ..FakeTarget::default()
    };
    check(
        PING,
        refused,
        expect![[r#"
        [1/1] send /PING
        [1/1] send /PING … FAILED in 0.00 s: sending the command was refused: unknown command /PING (field command)
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 send /PING {"n":1}"#]],
    );
    let down = FakeTarget {
        send: Some(Err(TargetError::Unavailable { message: "connection refused".into() })),
        ..FakeTarget::default()
    };
    check(
        &format!("{PING}{AFTER}"),
        down,
        expect![[r#"
        [1/2] send /PING
        [1/2] send /PING … ERROR in 0.00 s: sending the command: connection refused
        [2/2] log after … skipped
        ERROR case: 0 passed, 0 failed, 1 errors, 1 skipped in 0.00 s
        calls: 0 send /PING {"n":1}"#]],
    );
}

#[test]
fn a_parameter_meets_its_condition_while_polling() {
    let target = FakeTarget {
        values: vec![(0, value("/BATT", json!(19.5))), (200, value("/BATT", json!(21.25)))],
        ..FakeTarget::default()
    };
    check(
        BATTERY,
        target,
        expect![[r#"
        [1/1] parameter /BATT > 20
        [1/1] parameter /BATT > 20 … value 21.25 in 0.20 s
        PASSED case: 1 passed, 0 failed, 0 errors, 0 skipped in 0.20 s
        calls: 0 latest /BATT; 0 sleep 100; 100 latest /BATT; 100 sleep 100; 200 latest /BATT"#]],
    );
}

#[test]
fn a_parameter_that_never_meets_it_fails_with_the_last_value() {
    let target = FakeTarget { values: vec![(0, value("/BATT", json!(19.5)))], ..FakeTarget::default() };
    check(
        BATTERY,
        target,
        expect![[r#"
        [1/1] parameter /BATT > 20
        [1/1] parameter /BATT > 20 … FAILED in 0.30 s: value 19.5 is not > 20 after 0.3 s
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.30 s
        calls: 0 latest /BATT; 0 sleep 100; 100 latest /BATT; 100 sleep 100; 200 latest /BATT; 200 sleep 100; 300 latest /BATT"#]],
    );
    let once = "[[step]]\nparameter = \"/MODE\"\ncondition = '== \"ON\"'\n";
    check(
        once,
        FakeTarget::default(),
        expect![[r#"
        [1/1] parameter /MODE == "ON"
        [1/1] parameter /MODE == "ON" … FAILED in 0.00 s: no value
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 latest /MODE"#]],
    );
    let error = FakeTarget {
        latest_error: Some(TargetError::Refused { message: "unknown parameter /MODE".into() }),
        ..FakeTarget::default()
    };
    check(
        once,
        error,
        expect![[r#"
        [1/1] parameter /MODE == "ON"
        [1/1] parameter /MODE == "ON" … FAILED in 0.00 s: reading the parameter was refused: unknown parameter /MODE
        FAILED case: 0 passed, 1 failed, 0 errors, 0 skipped in 0.00 s
        calls: 0 latest /MODE"#]],
    );
}

/// The verdict on one command state for each expectation: the table behind the send step.
#[test]
fn judges_every_state_against_every_expectation() {
    let expectations = [
        Expect::Rejected,
        Expect::Sent,
        Expect::Accepted,
        Expect::Started,
        Expect::Completed,
        Expect::Failed { failure_code: None },
        Expect::Failed { failure_code: Some(3) },
    ];
    let states = [
        state("queued", false, &[("acceptance", Pending, None), ("completion", Pending, None)]),
        state("sent", false, &[("acceptance", Pending, None), ("completion", Pending, None)]),
        state("accepted", false, &[("acceptance", Passed, None), ("completion", Pending, None)]),
        state(
            "progress",
            false,
            &[("acceptance", Passed, None), ("start", Passed, None), ("completion", Pending, None)],
        ),
        state("completed", true, &[]),
        state("failed", true, &[("acceptance", Passed, None), ("completion", Failed, Some(3))]),
        state("failed", true, &[]),
        state("timed_out", true, &[("acceptance", Passed, None), ("completion", Pending, None)]),
        state("sent", true, &[]),
        state("cancelled", true, &[]),
        state("rejected", true, &[]),
    ];
    let mut table = String::new();
    for command in &states {
        let stages: Vec<String> = command
            .stages
            .iter()
            .map(|s| {
                format!("{}={:?}{}", s.stage, s.outcome, s.failure_code.map_or(String::new(), |c| format!("({c})")))
            })
            .collect();
        table.push_str(&format!("{} finished={} [{}]\n", command.state, command.finished, stages.join(" ")));
        for expect in expectations {
            let verdict = match judge(expect, command) {
                Verdict::Pass(detail) => format!("pass: {detail}"),
                Verdict::Fail(why) => format!("FAIL: {why}"),
                Verdict::Wait => "wait".to_string(),
            };
            table.push_str(&format!("  {expect:?} → {verdict}\n"));
        }
    }
    expect![[r#"
        queued finished=false [acceptance=Pending completion=Pending]
          Rejected → wait
          Sent → wait
          Accepted → wait
          Started → wait
          Completed → wait
          Failed { failure_code: None } → wait
          Failed { failure_code: Some(3) } → wait
        sent finished=false [acceptance=Pending completion=Pending]
          Rejected → FAIL: the platform took the command (state sent); expected a rejection
          Sent → pass: sent
          Accepted → wait
          Started → wait
          Completed → wait
          Failed { failure_code: None } → wait
          Failed { failure_code: Some(3) } → wait
        accepted finished=false [acceptance=Passed completion=Pending]
          Rejected → FAIL: the platform took the command (state accepted); expected a rejection
          Sent → pass: sent
          Accepted → pass: accepted
          Started → wait
          Completed → wait
          Failed { failure_code: None } → wait
          Failed { failure_code: Some(3) } → wait
        progress finished=false [acceptance=Passed start=Passed completion=Pending]
          Rejected → FAIL: the platform took the command (state progress); expected a rejection
          Sent → pass: sent
          Accepted → pass: accepted
          Started → pass: started
          Completed → wait
          Failed { failure_code: None } → wait
          Failed { failure_code: Some(3) } → wait
        completed finished=true []
          Rejected → FAIL: the platform took the command (state completed); expected a rejection
          Sent → pass: sent
          Accepted → pass: accepted
          Started → pass: started
          Completed → pass: completed
          Failed { failure_code: None } → FAIL: the command completed; expected it to fail
          Failed { failure_code: Some(3) } → FAIL: the command completed; expected it to fail
        failed finished=true [acceptance=Passed completion=Failed(3)]
          Rejected → FAIL: the platform took the command (state failed); expected a rejection
          Sent → pass: sent
          Accepted → pass: accepted
          Started → FAIL: stage completion failed with code 3; expected started
          Completed → FAIL: stage completion failed with code 3; expected completed
          Failed { failure_code: None } → pass: stage completion failed with code 3
          Failed { failure_code: Some(3) } → pass: stage completion failed with code 3
        failed finished=true []
          Rejected → FAIL: the platform took the command (state failed); expected a rejection
          Sent → FAIL: the command failed; expected sent
          Accepted → FAIL: the command failed; expected accepted
          Started → FAIL: the command failed; expected started
          Completed → FAIL: the command failed; expected completed
          Failed { failure_code: None } → pass: failed
          Failed { failure_code: Some(3) } → FAIL: the command failed without a failure code; expected code 3
        timed_out finished=true [acceptance=Passed completion=Pending]
          Rejected → FAIL: the platform took the command (state timed_out); expected a rejection
          Sent → pass: sent
          Accepted → pass: accepted
          Started → FAIL: the command timed out waiting for stage completion
          Completed → FAIL: the command timed out waiting for stage completion
          Failed { failure_code: None } → FAIL: the command ended timed_out; expected it to fail
          Failed { failure_code: Some(3) } → FAIL: the command ended timed_out; expected it to fail
        sent finished=true []
          Rejected → FAIL: the platform took the command (state sent); expected a rejection
          Sent → pass: sent
          Accepted → FAIL: the command has no acceptance verification and ended sent; use expect = "sent"
          Started → FAIL: the command has no start verification and ended sent; use expect = "sent"
          Completed → FAIL: the command has no completion verification and ended sent; use expect = "sent"
          Failed { failure_code: None } → FAIL: the command ended sent; expected it to fail
          Failed { failure_code: Some(3) } → FAIL: the command ended sent; expected it to fail
        cancelled finished=true []
          Rejected → FAIL: the platform took the command (state cancelled); expected a rejection
          Sent → FAIL: the command ended cancelled before it was sent
          Accepted → FAIL: the command ended cancelled before it was accepted
          Started → FAIL: the command ended cancelled before it was started
          Completed → FAIL: the command ended cancelled before it was completed
          Failed { failure_code: None } → FAIL: the command ended cancelled; expected it to fail
          Failed { failure_code: Some(3) } → FAIL: the command ended cancelled; expected it to fail
        rejected finished=true []
          Rejected → pass: rejected
          Sent → FAIL: the command ended rejected before it was sent
          Accepted → FAIL: the command ended rejected before it was accepted
          Started → FAIL: the command ended rejected before it was started
          Completed → FAIL: the command ended rejected before it was completed
          Failed { failure_code: None } → FAIL: the command ended rejected; expected it to fail
          Failed { failure_code: Some(3) } → FAIL: the command ended rejected; expected it to fail
    "#]]
    .assert_eq(&table);
}
