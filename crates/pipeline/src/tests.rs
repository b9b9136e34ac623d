//! Promotion decisions and the policy lint, table-driven.

use crate::*;
use base::{Digest, Env, MissionSlug};
use expect_test::{expect, Expect};

fn digest(n: u8) -> Digest {
    Digest::of(&[n])
}

fn attest(release: u8, env: Env, gate: GateKind, passed: bool) -> Attestation {
    let detail = if passed { "ok".to_string() } else { "2 of 5 procedures failed".to_string() };
    Attestation { release: digest(release), env, gate, passed, detail, by: "platform".into(), at_ms: 10 }
}

fn approve(release: u8, env: Env, principal: &str, role: &str) -> Approval {
    Approval { release: digest(release), env, principal: principal.into(), role: role.into(), at_ms: 20 }
}

/// Release 1 ran in DEV and AIV; every gate of OPS passed for it, with two approvals.
struct World {
    attestations: Vec<Attestation>,
    approvals: Vec<Approval>,
    blackouts: Vec<Blackout>,
    ran_aiv: Vec<u8>,
    release_mission: &'static str,
}

fn good() -> World {
    World {
        attestations: vec![attest(1, Env::Ops, GateKind::Validate, true), attest(1, Env::Ops, GateKind::Test, true)],
        approvals: vec![
            approve(1, Env::Ops, "fiona", "flight-director"),
            approve(1, Env::Ops, "sam", "security-officer"),
        ],
        blackouts: vec![],
        ran_aiv: vec![1],
        release_mission: "sentinel-x",
    }
}

fn describe(world: &World) -> String {
    let mission: MissionSlug = "sentinel-x".parse().unwrap();
    let release_mission: MissionSlug = world.release_mission.parse().unwrap();
    let ran_aiv: Vec<Digest> = world.ran_aiv.iter().map(|n| digest(*n)).collect();
    let ran = move |env: Env| if env == Env::Aiv { ran_aiv.clone() } else { vec![] };
    let promotion = Promotion {
        mission: &mission,
        release_mission: &release_mission,
        release: digest(1),
        target: Env::Ops,
        attestations: &world.attestations,
        approvals: &world.approvals,
        ran: &ran,
        blackouts: &world.blackouts,
        now_ms: 1_000,
    };
    let decision = decide(&PipelineSpec::default(), &promotion);
    let mut out = String::new();
    for refusal in &decision.refusals {
        out.push_str(&format!("refused: {refusal}\n"));
    }
    if decision.allowed() {
        out.push_str("allowed\n");
    }
    out.replace(&digest(1).to_string(), "R1")
}

#[track_caller]
fn check(change: impl FnOnce(&mut World), expect: Expect) {
    let mut world = good();
    change(&mut world);
    expect.assert_eq(&describe(&world));
}

#[test]
fn a_release_that_passed_everything_is_promoted() {
    check(|_| {}, expect!["allowed\n"]);
}

#[test]
fn refusals_name_the_reason() {
    check(
        |w| w.attestations[1] = attest(1, Env::Ops, GateKind::Test, false),
        expect!["refused: the test gate of ops failed for release R1: 2 of 5 procedures failed\n"],
    );
    // A later passing run of the same gate wins.
    check(
        |w| {
            w.attestations[1] = attest(1, Env::Ops, GateKind::Test, false);
            w.attestations.push(Attestation { at_ms: 11, ..attest(1, Env::Ops, GateKind::Test, true) });
        },
        expect!["allowed\n"],
    );
    check(|w| w.attestations.truncate(1), expect!["refused: the test gate of ops has not run for release R1\n"]);
    // Gates passed for another digest, or for AIV, do not count.
    check(
        |w| {
            w.attestations =
                vec![attest(2, Env::Ops, GateKind::Validate, true), attest(1, Env::Aiv, GateKind::Test, true)]
        },
        expect![[r#"
            refused: the validate gate of ops has not run for release R1
            refused: the test gate of ops has not run for release R1
        "#]],
    );
    check(|w| w.ran_aiv = vec![2], expect!["refused: ops comes after aiv, which never ran release R1\n"]);
    check(
        |w| w.release_mission = "other-x",
        expect![[r#"
        refused: release R1 belongs to mission other-x, not sentinel-x
    "#]],
    );
}

#[test]
fn approvals_are_distinct_principals_in_the_asked_roles_for_this_digest() {
    check(
        |w| w.approvals[1] = approve(1, Env::Ops, "fiona", "security-officer"),
        expect!["refused: ops needs 2 distinct approvals of release R1 by flight-director or security-officer; it has 1 (fiona)\n"],
    );
    check(
        |w| w.approvals[1] = approve(1, Env::Ops, "sam", "operator"),
        expect!["refused: ops needs 2 distinct approvals of release R1 by flight-director or security-officer; it has 1 (fiona)\n"],
    );
    check(
        |w| {
            w.approvals =
                vec![approve(2, Env::Ops, "fiona", "flight-director"), approve(1, Env::Aiv, "sam", "security-officer")]
        },
        expect![
            "refused: ops needs 2 distinct approvals of release R1 by flight-director or security-officer; it has 0\n"
        ],
    );
}

#[test]
fn no_promotion_during_a_blackout() {
    let pass = |from_ms, to_ms| Blackout { env: Env::Ops, from_ms, to_ms, reason: "pass over Kiruna".into() };
    check(
        |w| w.blackouts = vec![pass(500, 2_000)],
        expect!["refused: no promotion to ops until 2000 ms: pass over Kiruna\n"],
    );
    check(|w| w.blackouts = vec![pass(0, 1_000), pass(1_001, 2_000)], expect!["allowed\n"]);
}

#[test]
fn dev_has_no_environment_before_it() {
    let mission: MissionSlug = "sentinel-x".parse().unwrap();
    let attestations = [attest(1, Env::Dev, GateKind::Validate, true)];
    let ran = |_: Env| Vec::new();
    let promotion = Promotion {
        mission: &mission,
        release_mission: &mission,
        release: digest(1),
        target: Env::Dev,
        attestations: &attestations,
        approvals: &[],
        ran: &ran,
        blackouts: &[],
        now_ms: 0,
    };
    assert!(decide(&PipelineSpec::default(), &promotion).allowed());
}

#[test]
fn pipeline_specs_are_read_and_checked() {
    let read = |text: &str| -> String {
        match toml::from_str::<PipelineSpec>(text) {
            Ok(spec) => match spec.check() {
                Ok(()) => format!("ok: ops has {} gates", spec.ops.len()),
                Err(error) => error.to_string(),
            },
            Err(error) => error.to_string().lines().last().unwrap_or_default().to_string(),
        }
    };
    expect!["ok: ops has 4 gates"].assert_eq(&read(""));
    expect!["ok: ops has 1 gates"].assert_eq(&read("ops = [{ gate = \"validate\" }]"));
    expect!["pipeline.ops[1]: the validate gate is given twice"]
        .assert_eq(&read("ops = [{ gate = \"validate\" }, { gate = \"validate\" }]"));
    expect!["pipeline.ops[0].count: from 1 to 16"]
        .assert_eq(&read("ops = [{ gate = \"approval\", count = 0, roles = [\"operator\"] }]"));
    expect![[r#"pipeline.aiv[0].roles: unknown role "pilot" (roles: viewer, operator, engineer, flight-director, mission-admin, security-officer, platform-admin)"#]]
        .assert_eq(&read("aiv = [{ gate = \"approval\", count = 1, roles = [\"pilot\"] }]"));
    expect!["unknown variant `deploy`, expected one of `validate`, `test`, `approval`, `window`"]
        .assert_eq(&read("dev = [{ gate = \"deploy\" }]"));
}

fn mib() -> model::MissionModel {
    let (dir, names) = test_utils::SPACEPY_MIB;
    let files: Vec<model_import::SourceFile> = test_utils::real_files(dir, &names)
        .into_iter()
        .map(|(path, bytes)| model_import::SourceFile::new(path, bytes))
        .collect();
    model_import::import(model_import::SourceKind::Mib, &files).expect("the SpacePy MIB imports").model
}

#[test]
fn the_lint_finds_unverified_unflagged_and_unstated_commands() {
    let mut model = mib();
    let describe = |model: &model::MissionModel, spec: &LintSpec| -> String {
        lint(model, spec).iter().map(|f| format!("{} {}: {}\n", f.rule, f.command, f.detail)).collect()
    };
    // The PUS commands ask for acknowledgements; the MIB's 16 text commands (no PUS identity)
    // have no verification at all: a real finding.
    expect![[r#"
        verifier /MIB/TXTCMD01: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD02: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD03: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD04: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD05: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD06: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD07: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD08: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD09: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD10: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD11: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD12: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD13: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD14: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD15: no verifier, and no PUS acknowledgement asked for
        verifier /MIB/TXTCMD16: no verifier, and no PUS acknowledgement asked for
    "#]]
    .assert_eq(&describe(&model, &LintSpec::default()));
    let spec = LintSpec { require_verifier: false, hazardous: vec!["/MIB/PUSCMD0*".into()], ..LintSpec::default() };
    expect![[r#"
        hazardous /MIB/PUSCMD01: matches hazardous pattern "/MIB/PUSCMD0*" but is None, not critical or severe
        hazardous /MIB/PUSCMD02: matches hazardous pattern "/MIB/PUSCMD0*" but is None, not critical or severe
        hazardous /MIB/PUSCMD03: matches hazardous pattern "/MIB/PUSCMD0*" but is None, not critical or severe
        hazardous /MIB/PUSCMD04: matches hazardous pattern "/MIB/PUSCMD0*" but is None, not critical or severe
    "#]]
    .assert_eq(&describe(&model, &spec));
    let name = model::QualifiedName::parse("/MIB/TESTCMD").unwrap();
    let command = model.commands.get_mut(&name).unwrap();
    command.pus.as_mut().unwrap().ack_flags = Some(0);
    let spec = LintSpec { require_significance: true, ..LintSpec::default() };
    let found = describe(&model, &spec);
    assert!(found.contains("verifier /MIB/TESTCMD: no verifier"), "{found}");
    assert!(found.contains("significance /MIB/PUSCMD01: no significance level"), "{found}");
}

#[test]
fn the_validate_gate_fails_on_findings_and_lists_them() {
    let model = mib();
    let (passed, detail) = validate_gate(&model, &LintSpec { require_verifier: false, ..LintSpec::default() });
    assert!(passed, "{detail}");
    assert!(detail.ends_with("commands checked, no finding"), "{detail}");
    let (passed, detail) = validate_gate(&model, &LintSpec::default());
    assert!(!passed);
    let lines: Vec<&str> = detail.lines().collect();
    assert_eq!(lines.len(), 16, "{detail}");
    assert_eq!(lines[0], "lint verifier: /MIB/TXTCMD01: no verifier, and no PUS acknowledgement asked for");
    let spec = LintSpec { require_significance: true, ..LintSpec::default() };
    let (_, detail) = validate_gate(&model, &spec);
    assert_eq!(detail.lines().count(), VALIDATE_DETAIL_LINES + 1, "{detail}");
    assert!(detail.lines().last().unwrap().starts_with("... and "), "{detail}");
}
