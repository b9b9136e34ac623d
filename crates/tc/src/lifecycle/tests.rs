use super::*;
use expect_test::{expect, Expect};
use model::{CheckWindow, Verifier, VerifierCheck, VerifierStage, WindowAnchor};
use tm::pus::{VerificationReport, VerificationStage};
use SignificanceLevel::{Critical, Severe, Warning};
use VerificationStage::{Acceptance, Completion, Progress, Start};

/// What a report says.
#[derive(Clone, Copy, Debug)]
enum Says {
    Ok,
    Step(u64),
    Fail(u64),
}

/// One operation on the queue, by the principal named where there is one.
#[derive(Clone, Debug)]
enum Op {
    /// Command id, significance, release time; requested by alice with all PUS stages expected.
    Submit(u64, SignificanceLevel, Option<u64>),
    /// With the command's digest, or with the digest of other bytes.
    Approve(u64, &'static str, bool),
    Release(u64, &'static str),
    Cancel(u64, &'static str),
    /// Sends the next due command, if any.
    Send,
    Report(u64, VerificationStage, Says),
    /// A report naming the inner request id of a command scheduled on board.
    InnerReport(u64, VerificationStage, Says),
    /// A reply TM[service,subtype] from an APID.
    Reply(u16, u8, u8),
    /// New parameter values (a number, else an enumeration label), then the telemetry checks.
    Tm(&'static [(&'static str, &'static str)]),
    Tick,
    Mode(ReleaseMode),
}
use Op::*;

fn request_id(id: u64) -> RequestId {
    RequestId { packet_id: 0x1864, sequence_control: 0xC000 | (id as u16 & 0x3FFF) }
}

/// The request id of the command inside the TC[11,4] of command `id`.
fn inner_request_id(id: u64) -> RequestId {
    RequestId { packet_id: 0x1865, sequence_control: 0xC000 | (id as u16 & 0x3FFF) }
}

/// A value as a test writes it: a number, else an enumeration label (raw value 1).
fn telemetry_value(text: &str) -> TelemetryValue {
    match text.parse::<f64>() {
        Ok(number) => TelemetryValue::number(number),
        Err(_) => TelemetryValue::label(1.0, text),
    }
}

fn command(id: u64, significance: SignificanceLevel, release_at_ms: Option<u64>, ack_flags: u8) -> Command {
    Command {
        id: CommandId(id),
        name: "SET_MODE".to_string(),
        principal: "alice".to_string(),
        arguments: vec![("mode".to_string(), "SAFE".to_string())],
        bytes: vec![0x18, 0x64, 0xC0, id as u8, 0x00, 0x05, 0x2F, 0x08, 0x01],
        significance,
        request_id: request_id(id),
        release_at_ms,
        expected: expected_stages(Some(ack_flags), &[]),
        scheduled: None,
    }
}

fn report(id: u64, stage: VerificationStage, says: Says) -> VerificationReport {
    report_on(request_id(id), stage, says)
}

fn report_on(request: RequestId, stage: VerificationStage, says: Says) -> VerificationReport {
    VerificationReport {
        request,
        stage,
        success: !matches!(says, Says::Fail(_)),
        step: match says {
            Says::Step(step) => Some(step),
            _ => None,
        },
        failure_code: match says {
            Says::Fail(code) => Some(code),
            _ => None,
        },
        failure_data: match says {
            Says::Fail(_) => vec![0xAB, 0x01],
            _ => Vec::new(),
        },
    }
}

fn show(lines: &mut Vec<String>, now_ms: u64, result: Result<Vec<HistoryEvent>, LifecycleError>) {
    match result {
        Ok(events) => lines.extend(events.iter().map(|event| {
            let principal = event.principal.as_deref().unwrap_or("-");
            format!("{:>6} #{} {} {principal} {}", event.time_ms, event.command, event.state, event.detail)
        })),
        Err(error) => lines.push(format!("{now_ms:>6} error: {error}")),
    }
}

/// Runs timed operations on a queue (commands with acceptance, start and completion
/// expected, unless `ack_flags` says otherwise) and prints the history and what was refused.
#[track_caller]
fn check_with(mode: ReleaseMode, ack_flags: u8, ops: &[(u64, Op)], expect: Expect) {
    let make = |id, significance, release_at_ms| command(id, significance, release_at_ms, ack_flags);
    expect.assert_eq(&run(mode, &make, ops));
}

/// Builds command `id` of a significance, with a release time.
type MakeCommand<'a> = &'a dyn Fn(u64, SignificanceLevel, Option<u64>) -> Command;

/// Runs timed operations on a queue of commands `make` builds; the history, what was
/// refused or unmatched, and the live commands.
fn run(mode: ReleaseMode, make: MakeCommand<'_>, ops: &[(u64, Op)]) -> String {
    let mut queue = Queue::new(mode);
    let mut lines = Vec::new();
    let mut latest: std::collections::BTreeMap<model::QualifiedName, TelemetryValue> = Default::default();
    for (now_ms, op) in ops {
        let now_ms = *now_ms;
        let values = |name: &model::QualifiedName| latest.get(name).cloned();
        let result = match op {
            Submit(id, significance, release_at_ms) => queue.submit(make(*id, *significance, *release_at_ms), now_ms),
            Approve(id, principal, same_digest) => {
                let bytes = command(*id, Warning, None, 0).bytes;
                let digest = if *same_digest { Digest::of(&bytes) } else { Digest::of(&[bytes, vec![0]].concat()) };
                queue.approve(CommandId(*id), principal, &digest, now_ms)
            }
            Release(id, principal) => queue.release(CommandId(*id), principal, now_ms),
            Cancel(id, principal) => queue.cancel(CommandId(*id), principal, now_ms),
            Send => match queue.next_to_send(now_ms) {
                Some(command) => queue.sent_with_values(command.id, &values, now_ms),
                None => {
                    lines.push(format!("{now_ms:>6} nothing to send"));
                    continue;
                }
            },
            Report(id, stage, says) => match queue.report(&report(*id, *stage, *says), now_ms) {
                ReportMatch::Matched(events) => Ok(events),
                ReportMatch::Unmatched(report) => {
                    lines.push(format!("{now_ms:>6} unmatched {:?} {:?}", report.request, report.stage));
                    continue;
                }
            },
            InnerReport(id, stage, says) => {
                match queue.report(&report_on(inner_request_id(*id), *stage, *says), now_ms) {
                    ReportMatch::Matched(events) => Ok(events),
                    ReportMatch::Unmatched(report) => {
                        lines.push(format!("{now_ms:>6} unmatched {:?} {:?}", report.request, report.stage));
                        continue;
                    }
                }
            }
            Reply(apid, service, subtype) => match queue.service_reply(*apid, *service, *subtype, now_ms) {
                Some(events) => Ok(events),
                None => {
                    lines.push(format!("{now_ms:>6} unmatched TM[{service},{subtype}] from APID {apid}"));
                    continue;
                }
            },
            Tm(updates) => {
                for (name, value) in updates.iter() {
                    let name = model::QualifiedName::parse(name).expect("test parameter names are absolute");
                    latest.insert(name, telemetry_value(value));
                }
                let values = |name: &model::QualifiedName| latest.get(name).cloned();
                Ok(queue.telemetry(&values, now_ms))
            }
            Tick => Ok(queue.tick(now_ms)),
            Mode(mode) => Ok(queue.set_mode(*mode, now_ms)),
        };
        show(&mut lines, now_ms, result);
    }
    let live: Vec<String> =
        queue.commands().iter().map(|status| format!("#{} {}", status.command.id, status.state)).collect();
    lines.push(format!("live: [{}]", live.join(", ")));
    lines.join("\n")
}

#[track_caller]
fn check(mode: ReleaseMode, ops: &[(u64, Op)], expect: Expect) {
    check_with(mode, 0b1111, ops, expect);
}

mod approval;
mod properties;
mod satrs_capture;
mod scheduled;
mod telemetry;
mod timeouts;

#[test]
fn normal_command_through_all_stages_with_progress_steps() {
    check(
        ReleaseMode::Automatic,
        &[
            (1000, Submit(1, Warning, None)),
            (1010, Send),
            (1200, Report(1, Acceptance, Says::Ok)),
            (1300, Report(1, Start, Says::Ok)),
            (1400, Report(1, Progress, Says::Step(1))),
            (1500, Report(1, Progress, Says::Step(2))),
            (1600, Report(1, Completion, Says::Ok)),
            (1700, Report(1, Completion, Says::Ok)),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1010 #1 sent - 9 bytes
              1200 #1 accepted - acceptance reported
              1300 #1 started - start reported
              1400 #1 progress - step 1
              1500 #1 progress - step 2
              1600 #1 completed - completion reported
              1700 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Completion
            live: []"#]],
    );
}

#[test]
fn manual_release_waits_for_an_operator_and_automatic_mode_releases_the_queue() {
    check(
        ReleaseMode::Manual,
        &[
            (1000, Submit(1, Warning, None)),
            (1001, Submit(2, Warning, None)),
            (1010, Send),
            (1020, Release(2, "bob")),
            (1021, Release(2, "bob")),
            (1030, Send),
            (1040, Mode(ReleaseMode::Automatic)),
            (1050, Send),
            (1060, Submit(3, Warning, None)),
            (1070, Release(3, "bob")),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - manual queue
              1001 #2 requested alice SET_MODE(mode=SAFE)
              1001 #2 queued - manual queue
              1010 nothing to send
              1020 #2 released bob manual release
              1021 error: command 2 is released: cannot release it
              1030 #2 sent - 9 bytes
              1040 #1 released - automatic release
              1050 #1 sent - 9 bytes
              1060 #3 requested alice SET_MODE(mode=SAFE)
              1060 #3 queued - automatic queue
              1060 #3 released - automatic release
              1070 error: command 3 is released: cannot release it
            live: [#1 sent, #2 sent, #3 released]"#]],
    );
}

#[test]
fn failure_at_acceptance_ends_the_command_with_its_code() {
    check(
        ReleaseMode::Automatic,
        &[
            (1000, Submit(1, Warning, None)),
            (1010, Send),
            (1200, Report(1, Acceptance, Says::Fail(5))),
            (1300, Report(1, Start, Says::Ok)),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1010 #1 sent - 9 bytes
              1200 #1 failed - acceptance failed: code 5, data ab01
              1300 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Start
            live: []"#]],
    );
}

#[test]
fn failure_at_completion_after_progress() {
    check(
        ReleaseMode::Automatic,
        &[
            (1000, Submit(1, Warning, None)),
            (1010, Send),
            (1200, Report(1, Acceptance, Says::Ok)),
            (1300, Report(1, Start, Says::Ok)),
            (1400, Report(1, Progress, Says::Step(1))),
            (1500, Report(1, Completion, Says::Fail(0x0102))),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1010 #1 sent - 9 bytes
              1200 #1 accepted - acceptance reported
              1300 #1 started - start reported
              1400 #1 progress - step 1
              1500 #1 failed - completion failed: code 258, data ab01
            live: []"#]],
    );
}

#[test]
fn reports_that_name_no_sent_command_are_returned_unmatched() {
    check(
        ReleaseMode::Manual,
        &[
            (1000, Report(9, Acceptance, Says::Ok)),
            (1000, Submit(1, Warning, None)),
            (1010, Report(1, Acceptance, Says::Ok)),
            (1020, Release(1, "bob")),
            (1030, Send),
            (1040, Report(1, Completion, Says::Ok)),
            (1050, Report(1, Completion, Says::Ok)),
        ],
        expect![[r#"
              1000 unmatched RequestId { packet_id: 6244, sequence_control: 49161 } Acceptance
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - manual queue
              1010 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Acceptance
              1020 #1 released bob manual release
              1030 #1 sent - 9 bytes
              1040 #1 completed - completion reported (implies acceptance, start)
              1050 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Completion
            live: []"#]],
    );
}

#[test]
fn time_tagged_commands_go_out_in_order_of_release_time() {
    check(
        ReleaseMode::Automatic,
        &[
            (1000, Submit(1, Warning, Some(5000))),
            (1000, Submit(2, Warning, Some(3000))),
            (1000, Submit(3, Warning, None)),
            (1100, Send),
            (1200, Send),
            (2999, Send),
            (3000, Send),
            (4999, Send),
            (6000, Send),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release; time-tagged for 5000 ms
              1000 #2 requested alice SET_MODE(mode=SAFE)
              1000 #2 queued - automatic queue
              1000 #2 released - automatic release; time-tagged for 3000 ms
              1000 #3 requested alice SET_MODE(mode=SAFE)
              1000 #3 queued - automatic queue
              1000 #3 released - automatic release
              1100 #3 sent - 9 bytes
              1200 nothing to send
              2999 nothing to send
              3000 #2 sent - 9 bytes
              4999 nothing to send
              6000 #1 sent - 9 bytes
            live: [#1 sent, #2 sent, #3 sent]"#]],
    );
}
