//! The test gate in-process: the repository's procedure passes against a simulator
//! deployment; one that expects a failure the spacecraft does not give fails the gate.

use crate::commanding::tests::{mib_config, mib_model, setup};
use crate::gates::test_gate;
use api::gate::{Principal, PrincipalKind};
use tc::lifecycle::ReleaseMode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_gate_runs_procedures_against_a_simulator_deployment() {
    let setup = setup("gate-test", mib_model(), mib_config(), "", ReleaseMode::Automatic).await;
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../missions/spacepy-mib/procedures/smoke.toml");
    let smoke = procedure::Procedure::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let failing = procedure::Procedure::parse(
        "name = \"expects a failure\"\n[[step]]\nsend = \"/MIB/TESTCMD\"\nexpect = \"failed\"\nfailure_code = 7\n",
    )
    .unwrap();
    let gate = Principal::named("pipeline", PrincipalKind::Token);
    let (platform, scope) = (&setup.platform, &setup.scope);
    let (passed, detail, reports) =
        tokio::task::block_in_place(|| test_gate(platform, scope, &gate, std::slice::from_ref(&smoke)));
    assert!(passed, "{detail}");
    assert_eq!(reports[0].steps.len(), 7);
    let (passed, detail, _) = tokio::task::block_in_place(|| test_gate(platform, scope, &gate, &[smoke, failing]));
    assert!(!passed, "{detail}");
    assert!(detail.contains("expects a failure"), "{detail}");
    // The commands the gate sent are in the deployment's history, by the gate's principal.
    let view = tokio::task::block_in_place(|| api::backend::Backend::command(platform, scope, 1)).unwrap();
    assert_eq!(view.principal, "pipeline");
    setup.stop().await;
}
