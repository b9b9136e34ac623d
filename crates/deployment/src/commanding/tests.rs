//! Commanding through a running deployment against the simulator generated from the same
//! model, on loopback UDP: every stage verified, a rejection with its failure code, a timeout,
//! two-person approval of a hazardous command, manual release and cancellation, bad
//! arguments refused with their reason, and the history in the archive.

use crate::commanding::{CommandingSpec, UplinkFraming, UplinkSpec};
use crate::{Clock, Deployment, DeploymentSpec, LinkSpec, Platform, Transport};
use api::backend::{Backend, BackendError};
use api::gate::{Principal, PrincipalKind};
use api::wire::{CommandAction, CommandHistoryQuery, CommandRequest, CommandView, LiveMessage, Subscription};
use model_import::{SourceFile, SourceKind};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tc::lifecycle::ReleaseMode;

/// Milliseconds on a test clock that starts at a fixed epoch and runs with real time.
fn clock() -> Clock {
    let start = Instant::now();
    Arc::new(move || 1_800_000_000_000 + start.elapsed().as_millis() as u64)
}

fn load(dir: &str, names: &[&str]) -> Vec<SourceFile> {
    test_utils::real_files(dir, names).into_iter().map(|(path, bytes)| SourceFile::new(path, bytes)).collect()
}

fn pus_model() -> model::MissionModel {
    let (dir, names) = test_utils::PUS_EXAMPLE;
    model_import::import(SourceKind::Xtce, &load(dir, &names)).expect("the PUS example imports").model
}

pub(crate) fn mib_model() -> model::MissionModel {
    let (dir, names) = test_utils::SPACEPY_MIB;
    model_import::import(SourceKind::Mib, &load(dir, &names)).expect("the SpacePy MIB imports").model
}

/// The Yamcs PUS example's TM layout (as in the simulator's own tests).
fn pus_config() -> sim::SimConfig {
    let mut config = sim::SimConfig::new(100, 7);
    config.pus = sim::PusTmLayout {
        data_field_header_len: 15,
        time_offset: 14,
        time_coarse_len: 4,
        time_fine_len: 3,
        time_p_field: Some(0x2F),
        ..sim::PusTmLayout::pus_c()
    };
    config
}

pub(crate) fn mib_config() -> sim::SimConfig {
    let mut config = sim::SimConfig::new(1234, 7);
    config.pus =
        sim::PusTmLayout { data_field_header_len: 12, time_fine_len: 1, has_crc: false, ..sim::PusTmLayout::pus_c() };
    config
}

pub(crate) struct Setup {
    clock: Clock,
    pub(crate) platform: Platform,
    pub(crate) scope: base::Scope,
    simulator: Option<sim_link::RunningSim>,
}

fn person(id: &str) -> Principal {
    Principal::named(id, PrincipalKind::Token)
}

/// A deployment of `model` with the simulator of the same model (and `scenario`) as its
/// spacecraft on loopback.
pub(crate) async fn setup(
    label: &str,
    model: model::MissionModel,
    config: sim::SimConfig,
    scenario: &str,
    mode: ReleaseMode,
) -> Setup {
    setup_with(label, model, config, scenario, mode, UplinkFraming::Packets).await
}

/// [`setup`] with the uplink's framing chosen (the simulator takes the same).
async fn setup_with(
    label: &str,
    model: model::MissionModel,
    config: sim::SimConfig,
    scenario: &str,
    mode: ReleaseMode,
    framing: UplinkFraming,
) -> Setup {
    let dir = test_utils::temp_dir(label);
    let clock = clock();
    let simulator = sim::Simulator::new(&model, config)
        .expect("simulator")
        .with_scenario(sim::Scenario::parse(scenario).expect("scenario"))
        .expect("scenario applies");
    let tc = sim_link::Endpoint { transport: sim_link::Transport::Udp, address: "127.0.0.1:0".into() };
    let tc_framing = match framing {
        UplinkFraming::Packets => sim_link::TcFraming::Packets,
        UplinkFraming::Frames { fecf, .. } => sim_link::TcFraming::Frames { fecf },
    };
    let link = sim_link::SimLink::bind(&tc, tc_framing).await.expect("TC side binds");
    let scope = base::Scope { mission: "demo".parse().unwrap(), env: base::Env::Dev };
    let spec = DeploymentSpec {
        scope: scope.clone(),
        model,
        pus: Some(simulator.pus_layout()),
        links: vec![LinkSpec {
            name: "tm".into(),
            transport: Transport::Udp,
            address: "127.0.0.1:0".into(),
            framing: tm::link::Framing::Packets { prefix_len: 0 },
            tls: Default::default(),
        }],
        archive: archive::ArchiveOptions::default(),
        dir,
        commanding: CommandingSpec {
            uplink: Some(UplinkSpec {
                transport: Transport::Udp,
                address: link.tc_local().to_string(),
                framing,
                login: None,
            }),
            uplink_tls: Default::default(),
            release: mode,
            acceptance_timeout_ms: 1_500,
            completion_timeout_ms: 1_500,
        },
        security: Default::default(),
    };
    let deployment = Deployment::start(spec, clock.clone()).await.expect("deployment starts");
    let tm = sim_link::Endpoint { transport: sim_link::Transport::Udp, address: deployment.bound[0].to_string() };
    let simulator = link.run(simulator, tm, sim_link::TmFraming::Packets, 10, clock.clone());
    Setup { clock, platform: Platform::new(vec![deployment]), scope, simulator: Some(simulator) }
}

impl Setup {
    fn send(&self, command: &str, arguments: serde_json::Value, by: &str) -> Result<u64, BackendError> {
        let arguments = arguments.as_object().cloned().unwrap_or_default();
        let request = CommandRequest { command: command.into(), arguments, release_at_ms: None, schedule_at_ms: None };
        self.request(&request, by)
    }

    fn request(&self, request: &CommandRequest, by: &str) -> Result<u64, BackendError> {
        tokio::task::block_in_place(|| self.platform.send_command(&self.scope, request, &person(by))).map(|a| a.id)
    }

    fn view(&self, id: u64) -> CommandView {
        tokio::task::block_in_place(|| self.platform.command(&self.scope, id)).expect("the command is known")
    }

    fn act(&self, id: u64, action: CommandAction, by: &str) -> Result<String, BackendError> {
        tokio::task::block_in_place(|| self.platform.command_action(&self.scope, id, &action, &person(by)))
    }

    async fn finished(&self, id: u64) -> CommandView {
        let start = Instant::now();
        loop {
            let view = self.view(id);
            if view.finished {
                return view;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "command {id} did not finish: {view:#?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub(crate) async fn stop(mut self) {
        if let Some(simulator) = self.simulator.take() {
            simulator.stop().await;
        }
        self.platform.stop().await;
    }
}

/// `state: stage=outcome(code) ...`, and the states the command went through.
fn summary(view: &CommandView) -> String {
    let stages: Vec<String> = view
        .stages
        .iter()
        .map(|s| match s.failure_code {
            Some(code) => format!("{}={}({code})", s.stage, s.outcome),
            None => format!("{}={}", s.stage, s.outcome),
        })
        .collect();
    let states: Vec<&str> = view.history.iter().map(|e| e.state.as_str()).collect();
    format!("{}: {} | {}", view.state, stages.join(" "), states.join(" → "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pus_example_commands_are_verified_through_every_stage_or_rejected_with_their_code() {
    let setup =
        setup("cmd-pus", pus_model(), pus_config(), "reject /PUS17/ARE_YOU_ALIVE code 7\n", ReleaseMode::Automatic)
            .await;
    let definitions = setup.platform.command_definitions(&setup.scope).unwrap();
    assert!(definitions.iter().any(|d| d.name == "/PUS17/ARE_YOU_ALIVE"), "the model's commands are listed");
    let id = setup.send("/PUS17/ARE_YOU_ALIVE", serde_json::json!({}), "alice").unwrap();
    let view = setup.finished(id).await;
    assert_eq!(view.state, "failed", "{}", summary(&view));
    assert!(view.stages.iter().any(|s| s.outcome == "failed" && s.failure_code == Some(7)), "{}", summary(&view));
    // Every stage asked for (the model defaults to start, progress and completion).
    let id = setup.send("/PUS11/ENABLE_SCHEDULER", serde_json::json!({"ackflags": 15}), "alice").unwrap();
    let view = setup.finished(id).await;
    expect_test::expect!["completed: acceptance=passed start=passed completion=passed | requested → queued → released → sent → accepted → started → completed"].assert_eq(&summary(&view));
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mib_commands_pass_every_stage_and_bad_arguments_are_refused() {
    let setup = setup("cmd-mib", mib_model(), mib_config(), "", ReleaseMode::Automatic).await;
    let mut live =
        setup.platform.subscribe(&setup.scope, &Subscription { commands: true, ..Subscription::default() }).unwrap();
    let deployment = setup.platform.get(&setup.scope).unwrap().clone();
    let start = Instant::now();
    while deployment.status().live_subscribers == 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "the subscription is not taken");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let id = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
    let view = setup.finished(id).await;
    let expected = "completed: acceptance=passed completion=passed TM[17,2] reply=passed \
        | requested → queued → released → sent → accepted → progress → completed";
    assert_eq!(summary(&view), expected, "a ping waits for its reply too");

    assert_eq!(view.principal, "alice");
    // The same transitions came over the live stream, in order.
    let mut streamed = Vec::new();
    while streamed.last().map(String::as_str) != Some("completed") {
        match tokio::time::timeout(Duration::from_secs(10), live.recv()).await {
            Ok(Some(LiveMessage::Command { event })) if event.id == id => streamed.push(event.state),
            Ok(Some(_)) => {}
            other => panic!("live stream ended: {other:?} after {streamed:?}"),
        }
    }
    assert_eq!(streamed.len(), view.history.len());
    // Refused before anything is encoded or queued, naming the argument or the field.
    let refused = |command: &str, arguments: serde_json::Value| match setup.send(command, arguments, "alice") {
        Err(BackendError::BadRequest { field, reason }) => format!("{field}: {reason}"),
        Err(BackendError::NotFound { what, name }) => format!("no {what} {name}"),
        other => panic!("not refused: {other:?}"),
    };
    expect_test::expect![[r#"no command /NO_SUCH"#]].assert_eq(&refused("/NO_SUCH", serde_json::json!({})));
    let bad = refused("/MIB/PUSCMD01", serde_json::json!({"PAR1": "x"}));
    assert!(bad.starts_with("arguments."), "{bad}");
    let bad = refused("/MIB/TESTCMD", serde_json::json!({"nope": 1}));
    assert!(bad.starts_with("arguments.nope: "), "{bad}");
    let bad = refused("/MIB/PUSCMD01", serde_json::json!({"PAR1": null}));
    assert!(bad.starts_with("arguments: "), "{bad}");
    // The history in the archive (after the next commit) has every transition.
    let start = Instant::now();
    loop {
        let query = CommandHistoryQuery { from_ms: 0, to_ms: u64::MAX, cursor: None, limit: 100 };
        let page = tokio::task::block_in_place(|| setup.platform.command_history(&setup.scope, &query)).unwrap();
        if page.items.iter().filter(|e| e.id == id).count() == view.history.len() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "history not archived: {page:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_the_spacecraft_does_not_answer_times_out() {
    // The simulator delays its reports beyond the deployment's 1.5 s windows.
    let setup =
        setup("cmd-timeout", mib_model(), mib_config(), "delay verification 5s\n", ReleaseMode::Automatic).await;
    let id = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
    let view = setup.finished(id).await;
    assert_eq!(view.state, "timed_out", "{}", summary(&view));
    assert!(view.stages.iter().any(|s| s.outcome == "timed_out"), "{}", summary(&view));
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_release_and_cancel() {
    let setup = setup("cmd-manual", mib_model(), mib_config(), "", ReleaseMode::Manual).await;
    let first = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
    let second = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
    assert_eq!(setup.view(first).state, "queued");
    assert_eq!(setup.act(second, CommandAction::Cancel, "bob").unwrap(), "cancelled");
    assert!(matches!(setup.act(second, CommandAction::Release, "bob"), Err(BackendError::NotFound { .. })));
    setup.act(first, CommandAction::Release, "bob").unwrap();
    let view = setup.finished(first).await;
    assert_eq!(view.state, "completed", "{}", summary(&view));
    let release = view.history.iter().find(|e| e.state == "released").unwrap();
    assert_eq!(release.principal.as_deref(), Some("bob"));
    // During an anomaly an operator holds everything (manual); back to automatic, what waits goes.
    let third = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
    assert_eq!(setup.view(third).state, "queued");
    let status = || tokio::task::block_in_place(|| setup.platform.status(&setup.scope)).unwrap();
    assert_eq!((status().command_release.as_str(), status().commands_live >= 1), ("manual", true));
    let person = person("bob");
    tokio::task::block_in_place(|| setup.platform.set_release_mode(&setup.scope, "automatic", &person)).unwrap();
    assert_eq!(setup.finished(third).await.state, "completed");
    let bad = tokio::task::block_in_place(|| setup.platform.set_release_mode(&setup.scope, "sometimes", &person));
    assert!(matches!(bad, Err(BackendError::BadRequest { ref field, .. }) if field == "mode"), "{bad:?}");
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hazardous_command_waits_for_a_second_principal_approving_its_digest() {
    let mut model = mib_model();
    let name = model::QualifiedName::parse("/MIB/TESTCMD").unwrap();
    let command = model.commands.get_mut(&name).expect("TESTCMD is in the MIB");
    command.significance = Some(model::Significance { level: model::SignificanceLevel::Critical, reason: None });
    let setup = setup("cmd-approve", model, mib_config(), "", ReleaseMode::Automatic).await;
    let definitions = setup.platform.command_definitions(&setup.scope).unwrap();
    assert!(definitions.iter().any(|d| d.name == "/MIB/TESTCMD" && d.hazardous && d.significance == "critical"));
    let id = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
    let view = setup.view(id);
    assert_eq!(view.state, "pending_approval");
    let digest = view.digest.clone();
    let other = "sha256:".to_string() + &"0".repeat(64);
    let refusal = |result: Result<String, BackendError>| match result {
        Err(BackendError::Conflict { reason }) => reason,
        Err(BackendError::BadRequest { field, reason }) => format!("{field}: {reason}"),
        other => panic!("not refused: {other:?}"),
    };
    let own = refusal(setup.act(id, CommandAction::Approve { digest: digest.clone() }, "alice"));
    assert!(own.contains("another principal must approve"), "{own}");
    let wrong = refusal(setup.act(id, CommandAction::Approve { digest: other }, "bob"));
    assert!(wrong.contains("the approval names digest"), "{wrong}");
    let unreadable = refusal(setup.act(id, CommandAction::Approve { digest: "abc".into() }, "bob"));
    assert!(unreadable.starts_with("digest: "), "{unreadable}");
    assert_eq!(setup.view(id).state, "pending_approval", "refused approvals change nothing");
    setup.act(id, CommandAction::Approve { digest: digest.clone() }, "bob").unwrap();
    let view = setup.finished(id).await;
    assert_eq!(view.state, "completed", "{}", summary(&view));
    let approved = view.history.iter().find(|e| e.state == "approved").expect("an approval in the history");
    assert_eq!(approved.principal.as_deref(), Some("bob"));
    let late = setup.act(id, CommandAction::Approve { digest }, "carol");
    assert!(matches!(late, Err(BackendError::NotFound { .. })), "a finished command cannot be approved: {late:?}");
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_tagged_commands_wait_on_the_ground_or_on_board() {
    let setup = setup("cmd-timetag", mib_model(), mib_config(), "", ReleaseMode::Automatic).await;
    let ping = |release_at_ms, schedule_at_ms| CommandRequest {
        command: "/MIB/TESTCMD".into(),
        arguments: serde_json::Map::new(),
        release_at_ms,
        schedule_at_ms,
    };
    // On board: sent now inside a TC[11,4]; the simulator executes it 400 ms later.
    let at = (setup.clock)() + 400;
    let on_board = setup.request(&ping(None, Some(at)), "alice").unwrap();
    // On the ground: held in the queue until its time.
    let release = (setup.clock)() + 300;
    let on_ground = setup.request(&ping(Some(release), None), "alice").unwrap();
    assert_eq!(setup.view(on_ground).state, "released", "held until its time");
    let view = setup.finished(on_board).await;
    assert_eq!(view.state, "completed", "{}", summary(&view));
    let details: Vec<&str> = view.history.iter().map(|e| e.detail.as_str()).collect();
    assert!(details.iter().any(|d| d.contains("on-board schedule")), "{details:?}");
    let completed = view.history.last().unwrap();
    assert!(completed.time_ms >= at, "executed at its release time, not before: {} < {at}", completed.time_ms);
    assert!(view.bytes_hex.starts_with("1"), "a telecommand packet");
    let view = setup.finished(on_ground).await;
    assert_eq!(view.state, "completed", "{}", summary(&view));
    let sent = view.history.iter().find(|e| e.state == "sent").unwrap();
    assert!(sent.time_ms >= release, "sent at its release time, not before: {} < {release}", sent.time_ms);
    // Both time tags at once, or a time tag the CUC cannot hold, are refused.
    let both = setup.request(&ping(Some(at), Some(at)), "alice");
    assert!(matches!(both, Err(BackendError::BadRequest { ref field, .. }) if field == "schedule_at_ms"), "{both:?}");
    let far = setup.request(&ping(None, Some(u64::MAX)), "alice");
    assert!(matches!(far, Err(BackendError::BadRequest { ref field, .. }) if field == "schedule_at_ms"), "{far:?}");
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telemetry_verifiers_pass_on_the_telemetry_they_name_or_time_out() {
    let mut model = pus_model();
    let verifier = |value: &str, stop_ms: u64| model::Verifier {
        stage: model::VerifierStage::Complete,
        check: model::VerifierCheck::Criteria(model::Criteria::Compare(model::Comparison {
            left: model::ParamRef::calibrated(model::QualifiedName::parse("/PUS/type").unwrap()),
            op: model::ComparisonOp::Eq,
            right: model::Operand::Value(value.into()),
        })),
        window: model::CheckWindow { start_ms: 0, stop_ms, anchor: model::WindowAnchor::CommandRelease },
    };
    for (name, verifier) in
        [("/PUS11/ENABLE_SCHEDULER", verifier("3", 5_000)), ("/PUS11/DISABLE_SCHEDULER", verifier("99", 800))]
    {
        let name = model::QualifiedName::parse(name).unwrap();
        model.commands.get_mut(&name).expect("in the PUS example").verifiers = vec![verifier];
    }
    let mut config = pus_config();
    config.period_ms = 100;
    let setup = setup("cmd-telemetry", model, config, "", ReleaseMode::Automatic).await;
    // Completes once housekeeping (PUS type 3) is seen after sending, besides its PUS 1 reports.
    let id = setup.send("/PUS11/ENABLE_SCHEDULER", serde_json::json!({"ackflags": 15}), "alice").unwrap();
    let view = setup.finished(id).await;
    assert_eq!(view.state, "completed", "{}", summary(&view));
    let telemetry = view.stages.iter().find(|s| s.stage.contains("/PUS/type")).expect("a telemetry stage");
    assert_eq!(telemetry.outcome, "passed", "{}", summary(&view));
    // No packet of type 99 ever comes: the verifier times out, naming itself.
    let id = setup.send("/PUS11/DISABLE_SCHEDULER", serde_json::json!({"ackflags": 15}), "alice").unwrap();
    let view = setup.finished(id).await;
    assert_eq!(view.state, "timed_out", "{}", summary(&view));
    let last = view.history.last().unwrap();
    assert!(last.detail.contains("/PUS/type"), "{}", last.detail);
    setup.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_travel_in_tc_transfer_frames_too() {
    let framing = UplinkFraming::Frames { spacecraft_id: 42, virtual_channel: 1, fecf: true };
    let setup = setup_with("cmd-frames", mib_model(), mib_config(), "", ReleaseMode::Automatic, framing).await;
    for _ in 0..3 {
        let id = setup.send("/MIB/TESTCMD", serde_json::json!({}), "alice").unwrap();
        let view = setup.finished(id).await;
        assert_eq!(view.state, "completed", "{}", summary(&view));
    }
    let counters = setup.simulator.as_ref().unwrap().counters();
    assert_eq!((counters.tc_received, counters.tc_invalid), (3, 0), "{counters:?}");
    setup.stop().await;
}
