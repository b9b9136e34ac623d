//! Limits, stage windows from the model, status, and random sequences of operations.

use super::*;
use proptest::prelude::*;

fn verifier(stage: VerifierStage, stop_ms: u64, anchor: WindowAnchor) -> Verifier {
    Verifier {
        stage,
        check: VerifierCheck::Algorithm { name: "pus1".to_string() },
        window: CheckWindow { start_ms: 0, stop_ms, anchor },
    }
}

#[test]
fn queue_holds_at_most_queue_len_max_live_commands_and_finished_ones_leave() {
    let mut queue = Queue::new(ReleaseMode::Manual);
    for id in 0..QUEUE_LEN_MAX as u64 {
        queue.submit(command(id, Warning, None, 0b1001), 1000).expect("room below the limit");
    }
    let mut lines = vec![format!("{:?}", queue.submit(command(999, Warning, None, 0b1001), 1001))];
    lines.push(format!("{:?}", queue.cancel(CommandId(0), "bob", 1002).map(|events| events.len())));
    lines.push(format!("{:?}", queue.submit(command(999, Warning, None, 0b1001), 1003).map(|events| events.len())));
    lines.push(format!("{:?}", queue.submit(command(999, Warning, None, 0b1001), 1004)));
    let mut other_id_same_request = command(1000, Warning, None, 0b1001);
    other_id_same_request.request_id = request_id(5);
    lines.push(format!("{:?}", queue.submit(other_id_same_request, 1005)));
    lines.push(format!("live: {}", queue.len()));
    expect![[r#"
        Err(QueueFull { id: CommandId(999), len: 256 })
        Ok(1)
        Ok(2)
        Err(DuplicateId { id: CommandId(999) })
        Err(DuplicateRequest { id: CommandId(1000), request: RequestId { packet_id: 6244, sequence_control: 49157 }, other: CommandId(5) })
        live: 256"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn expected_stages_come_from_ack_flags_then_verifiers_then_defaults() {
    let verifiers = [
        verifier(VerifierStage::Queued, 1_000, WindowAnchor::CommandRelease),
        verifier(VerifierStage::Accepted, 2_000, WindowAnchor::CommandRelease),
        verifier(VerifierStage::Complete, 30_000, WindowAnchor::LastVerifier),
    ];
    let lines: Vec<String> =
        [(None, &[][..]), (None, &verifiers[..]), (Some(0b1111), &verifiers[..]), (Some(0), &[][..])]
            .into_iter()
            .map(|(ack_flags, verifiers)| {
                let stages: Vec<String> = expected_stages(ack_flags, verifiers)
                    .iter()
                    .map(|expectation| {
                        format!(
                            "{:?} {} ms {:?}",
                            expectation.stage, expectation.window.stop_ms, expectation.window.anchor
                        )
                    })
                    .collect();
                format!("{ack_flags:?} {} verifiers: {}", verifiers.len(), stages.join(", "))
            })
            .collect();
    expect![[r#"
        None 0 verifiers: Acceptance 10000 ms CommandRelease, Completion 60000 ms CommandRelease
        None 3 verifiers: Acceptance 2000 ms CommandRelease, Completion 30000 ms LastVerifier
        Some(15) 3 verifiers: Acceptance 2000 ms CommandRelease, Start 60000 ms CommandRelease, Completion 30000 ms LastVerifier
        Some(0) 0 verifiers: "#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn window_anchored_on_the_last_verifier_counts_from_the_previous_stage() {
    let mut command = command(1, Warning, None, 0);
    command.expected = expected_stages(
        None,
        &[
            verifier(VerifierStage::Accepted, 2_000, WindowAnchor::CommandRelease),
            verifier(VerifierStage::Complete, 5_000, WindowAnchor::LastVerifier),
        ],
    );
    let mut queue = Queue::new(ReleaseMode::Automatic);
    let mut lines = Vec::new();
    show(&mut lines, 1000, queue.submit(command, 1000));
    show(&mut lines, 1000, queue.sent(CommandId(1), 1000));
    lines.push(format!("{:?}", queue.status(CommandId(1)).map(|status| status.stages)));
    let accepted = queue.report(&report(1, Acceptance, Says::Ok), 2500);
    lines.push(format!("{:?}", queue.status(CommandId(1)).map(|status| (status.state, status.stages))));
    show(&mut lines, 7500, Ok(queue.tick(7500)));
    show(&mut lines, 7501, Ok(queue.tick(7501)));
    lines.push(format!("accepted: {}", matches!(accepted, ReportMatch::Matched(_))));
    expect![[r#"
          1000 #1 requested alice SET_MODE(mode=SAFE)
          1000 #1 queued - automatic queue
          1000 #1 released - automatic release
          1000 #1 sent - 9 bytes
        Some([StageStatus { stage: Acceptance, label: "acceptance", deadline_ms: Some(3000), outcome: Pending }, StageStatus { stage: Completion, label: "completion", deadline_ms: None, outcome: Pending }])
        Some((Accepted, [StageStatus { stage: Acceptance, label: "acceptance", deadline_ms: Some(3000), outcome: Passed { time_ms: 2500 } }, StageStatus { stage: Completion, label: "completion", deadline_ms: Some(7500), outcome: Pending }]))
          7501 #1 timed_out - no completion report within 5000 ms of the previous stage
        accepted: true"#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn event_times_never_go_back_when_now_does() {
    check(
        ReleaseMode::Automatic,
        &[(5000, Submit(1, Warning, None)), (4000, Send), (3000, Report(1, Acceptance, Says::Ok)), (6000, Tick)],
        expect![[r#"
              5000 #1 requested alice SET_MODE(mode=SAFE)
              5000 #1 queued - automatic queue
              5000 #1 released - automatic release
              5000 #1 sent - 9 bytes
              5000 #1 accepted - acceptance reported
            live: [#1 accepted]"#]],
    );
}

#[test]
fn command_without_expected_stages_finishes_when_sent() {
    check_with(
        ReleaseMode::Automatic,
        0,
        &[(1000, Submit(1, Warning, None)), (1010, Send), (1020, Report(1, Acceptance, Says::Ok))],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1010 #1 sent - 9 bytes; no verification expected
              1020 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Acceptance
            live: []"#]],
    );
}

/// Command `id` for random sequences: odd ids also wait for telemetry (c == 2, from 1 s to
/// 5 s after sending), id 2 is scheduled on board at 50 s and also expects a TM[17,2] reply.
fn random_command(id: u64, significance: SignificanceLevel, release_at_ms: Option<u64>) -> Command {
    let mut command = command(id, significance, release_at_ms, 0b1111);
    if id % 2 == 1 {
        let criteria = model::Criteria::Compare(model::Comparison {
            left: model::ParamRef::calibrated(model::QualifiedName::parse("/T/c").expect("absolute")),
            op: model::ComparisonOp::Eq,
            right: model::Operand::Value("2".to_string()),
        });
        let window = CheckWindow { start_ms: 1000, stop_ms: 5000, anchor: WindowAnchor::CommandRelease };
        let verifier = Verifier { stage: VerifierStage::Complete, check: VerifierCheck::Criteria(criteria), window };
        command.expected = expected_stages(Some(0b1111), &[verifier]);
    }
    if id == 2 {
        command.scheduled = Some(Scheduled::new(inner_request_id(id), 50_000, 0b1001));
        command.expected.extend(expected_reply(17, 1));
    }
    command
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0u64..4;
    let principal = prop_oneof![Just("alice"), Just("bob")];
    let significance = prop_oneof![Just(Warning), Just(Critical)];
    let stage = prop_oneof![Just(Acceptance), Just(Start), Just(Progress), Just(Completion)];
    let says = prop_oneof![Just(Says::Ok), (0u64..3).prop_map(Says::Step), (0u64..3).prop_map(Says::Fail)];
    prop_oneof![
        (id.clone(), significance, proptest::option::of(0u64..200_000)).prop_map(|(id, s, at)| Submit(id, s, at)),
        (id.clone(), principal.clone(), any::<bool>()).prop_map(|(id, p, same)| Approve(id, p, same)),
        (id.clone(), principal.clone()).prop_map(|(id, p)| Release(id, p)),
        (id.clone(), principal).prop_map(|(id, p)| Cancel(id, p)),
        Just(Send),
        (id.clone(), stage.clone(), says.clone()).prop_map(|(id, stage, says)| Report(id, stage, says)),
        (id, stage, says).prop_map(|(id, stage, says)| InnerReport(id, stage, says)),
        Just(Reply(0x65, 17, 2)),
        prop_oneof![Just(Tm(&[("/T/c", "2")])), Just(Tm(&[("/T/c", "1")]))],
        Just(Tick),
        prop_oneof![Just(ReleaseMode::Manual), Just(ReleaseMode::Automatic)].prop_map(Mode),
    ]
}

proptest! {
    #[test]
    fn random_operations_never_panic_and_history_never_goes_back(
        ops in proptest::collection::vec((0u64..1_000_000, op()), 0..60),
    ) {
        let mut queue = Queue::new(ReleaseMode::Manual);
        let mut last_ms = 0;
        for (now_ms, op) in ops {
            let events = match op {
                Submit(id, significance, at) => queue.submit(random_command(id, significance, at), now_ms).unwrap_or_default(),
                Approve(id, principal, same) => {
                    let bytes = command(id, Warning, None, 0).bytes;
                    let digest = if same { Digest::of(&bytes) } else { Digest::of(&[]) };
                    queue.approve(CommandId(id), principal, &digest, now_ms).unwrap_or_default()
                }
                Release(id, principal) => queue.release(CommandId(id), principal, now_ms).unwrap_or_default(),
                Cancel(id, principal) => queue.cancel(CommandId(id), principal, now_ms).unwrap_or_default(),
                Send => match queue.next_to_send(now_ms) {
                    Some(command) => queue.sent(command.id, now_ms).expect("a command due is released"),
                    None => Vec::new(),
                },
                Report(id, stage, says) => match queue.report(&report(id, stage, says), now_ms) {
                    ReportMatch::Matched(events) => events,
                    ReportMatch::Unmatched(_) => Vec::new(),
                },
                InnerReport(id, stage, says) => match queue.report(&report_on(inner_request_id(id), stage, says), now_ms) {
                    ReportMatch::Matched(events) => events,
                    ReportMatch::Unmatched(_) => Vec::new(),
                },
                Reply(apid, service, subtype) => queue.service_reply(apid, service, subtype, now_ms).unwrap_or_default(),
                Tm(updates) => {
                    let value = updates.first().map(|(_, value)| telemetry_value(value));
                    queue.telemetry(&|_| value.clone(), now_ms)
                }
                Tick => queue.tick(now_ms),
                Mode(mode) => queue.set_mode(mode, now_ms),
            };
            for event in events {
                prop_assert!(event.time_ms >= last_ms, "{event:?} before {last_ms}");
                last_ms = event.time_ms;
            }
            prop_assert!(queue.len() <= QUEUE_LEN_MAX);
            prop_assert!(queue.commands().iter().all(|status| !status.state.is_final()));
        }
    }
}
