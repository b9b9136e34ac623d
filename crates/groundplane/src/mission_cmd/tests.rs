//! The command line, the release source read from a mission file, and the answers as text.
//! `tests/http.rs` runs every subcommand against a canned server.

mod http;

use super::{render, source, MissionCommand};
use api::wire::{AttestationDto, GateStanding, PromotionOutcome};
use clap::Parser;
use expect_test::expect;
use std::path::Path;

#[derive(clap::Parser)]
struct Cli {
    #[command(subcommand)]
    command: MissionCommand,
}

fn parse(args: &str) -> Result<MissionCommand, clap::Error> {
    Cli::try_parse_from(std::iter::once("mission").chain(args.split_whitespace())).map(|cli| cli.command)
}

#[test]
fn url_and_token_come_from_the_options_then_the_env_vars_then_the_default() {
    let env_vars = |name: &str| match name {
        "GROUNDPLANE_URL" => Some("http://platform:9000".to_string()),
        "GROUNDPLANE_TOKEN" => Some("from-env".to_string()),
        _ => None,
    };
    let no_env_vars = |_: &str| None;
    let cases = [
        ("list", env_vars as fn(&str) -> Option<String>, ("http://platform:9000", Some("from-env"))),
        ("list --url http://other:1 --token t", env_vars, ("http://other:1", Some("t"))),
        ("list", no_env_vars, ("http://127.0.0.1:8080", None)),
        ("show m --token t --json", no_env_vars, ("http://127.0.0.1:8080", Some("t"))),
    ];
    for (args, env_vars, (url, token)) in cases {
        let command = parse(args).unwrap();
        let resolved = command.platform().resolve(env_vars);
        assert_eq!((resolved.0.as_str(), resolved.1.as_deref()), (url, token), "{args}");
    }
    assert!(parse("show m --json").unwrap().platform().json);
    assert!(!parse("show m").unwrap().platform().json);
}

#[test]
fn blackout_times_are_epoch_milliseconds_or_rfc_3339() {
    let command = parse("blackout m ops --from 2026-11-24T12:00:00+02:00 --to 1795860000001 --reason pass").unwrap();
    let MissionCommand::Blackout { from, to, reason, .. } = command else { panic!("not a blackout") };
    assert_eq!((from, to, reason.as_str()), (1_795_514_400_000, 1_795_860_000_001, "pass"));
    let error = parse("blackout m ops --from 2026-13-01T00:00:00Z --to 2 --reason r").err().expect("a usage error");
    assert_eq!(error.exit_code(), 2);
    expect![[r#"
        error: invalid value '2026-13-01T00:00:00Z' for '--from <TIME>': `2026-13-01T00:00:00Z`: no such date; expected milliseconds since the Unix epoch or RFC 3339 like 2026-11-24T10:00:00Z

        For more information, try '--help'.
    "#]].assert_eq(&error.to_string());
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        "approve m dev sha256:00",        // no --role
        "archive m",                      // no --confirm
        "delete m",                       // no --confirm
        "promote m dev",                  // no release
        "import m",                       // no digest
        "list --frobnicate",              // no such option
        "launch m",                       // no such subcommand
        "diff m a",                       // one release
        "show",                           // no mission
        "rollback m dev sha256:00 extra", // too many
        "blackout m ops --from 1 --to 2", // no --reason
        "blackout m ops --from 1 --to x", // not a TIME
    ] {
        let error = parse(args).err().unwrap_or_else(|| panic!("`{args}` parsed"));
        assert_eq!(error.exit_code(), 2, "{args}: {error}");
    }
    assert!(parse("import m abcd --store /tmp/store").is_ok());
    assert!(parse("approve m aiv abcd --role flight-director --json").is_ok());
}

/// A mission file beside a procedures folder, the model being the real SpacePy MIB.
fn mission_dir(label: &str, procedure: &str) -> std::path::PathBuf {
    let dir = test_utils::temp_dir(label);
    let (mib_dir, _) = test_utils::SPACEPY_MIB;
    let model = test_utils::real(mib_dir);
    let mission = format!(
        "name = \"sentinel-x\"\nmodel = '{}'\nprocedures = \"procedures\"\n\
         [[spacecraft]]\nname = \"sx-1\"\nid = 42\napids = [1234]\n",
        model.display()
    );
    std::fs::write(dir.join("mission.toml"), mission).unwrap();
    std::fs::create_dir(dir.join("procedures")).unwrap();
    std::fs::write(dir.join("procedures/ping.toml"), procedure).unwrap();
    std::fs::write(dir.join("procedures/notes.txt"), "not a procedure").unwrap();
    dir
}

const PING: &str = "name = \"ping\"\n[[step]]\nsend = \"/MIB/TESTCMD\"\nexpect = \"completed\"\n";

#[test]
fn a_release_source_holds_the_mission_file_the_canonical_model_and_the_procedures() {
    let dir = mission_dir("mission-source", PING);
    let (mission, release_source) = source::release_source(&dir.join("mission.toml")).unwrap();
    assert_eq!(mission.as_str(), "sentinel-x");
    assert_eq!(release_source.mission_file, std::fs::read_to_string(dir.join("mission.toml")).unwrap());
    let model = model::MissionModel::from_canonical_json(release_source.model_json.as_bytes()).unwrap();
    assert_eq!(model.canonical_json().unwrap(), release_source.model_json.as_bytes(), "canonical as sent");
    let (_, mib_files) = test_utils::SPACEPY_MIB;
    let names: Vec<&str> = release_source.model_sources.keys().map(String::as_str).collect();
    assert_eq!(names, mib_files);
    for (name, digest) in &release_source.model_sources {
        let bytes = std::fs::read(test_utils::real(&format!("{}/{name}", test_utils::SPACEPY_MIB.0))).unwrap();
        assert_eq!(digest, &base::Digest::of(&bytes).to_string(), "{name}");
    }
    let procedures: Vec<(&str, &str)> =
        release_source.procedures.iter().map(|(name, text)| (name.as_str(), text.as_str())).collect();
    assert_eq!(procedures, [("ping.toml", PING)]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn no_release_source_from_bad_procedures_or_a_missing_file() {
    let dir = mission_dir("mission-source-bad", "name = \"ping\"\n[[step]]\nfrobnicate = 1\n");
    let error = source::release_source(&dir.join("mission.toml")).unwrap_err();
    assert!(format!("{error:#}").contains("1 procedure(s) with problems: no release"), "{error:#}");
    let error = source::release_source(&dir.join("nosuch.toml")).unwrap_err();
    assert!(format!("{error:#}").contains("nosuch.toml: cannot read"), "{error:#}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_release_from_the_store_must_be_of_the_mission_named() {
    let store = test_utils::temp_dir("mission-store");
    let error = source::release_bundle(&store, "sentinel-x", "abcd").unwrap_err();
    assert!(format!("{error:#}").contains("no release sha256:abcd…"), "{error:#}");
    let error = source::release_bundle(Path::new("/nonexistent"), "sentinel-x", "ab").unwrap_err();
    assert!(format!("{error:#}").contains("expected a digest"), "{error:#}");
    std::fs::remove_dir_all(store).unwrap();
}

fn outcome(rollback: bool) -> PromotionOutcome {
    let attested = |gate: &str, passed, detail: &str| AttestationDto {
        release: format!("sha256:{}", "ab".repeat(32)),
        env: "aiv".to_string(),
        gate: gate.to_string(),
        passed,
        detail: detail.to_string(),
        by: "platform".to_string(),
        at_ms: 1_795_000_000_000,
    };
    let standing = |gate: &str, met, detail: &str| GateStanding { gate: gate.into(), met, detail: detail.into() };
    PromotionOutcome {
        mission: "sentinel-x".to_string(),
        env: "aiv".to_string(),
        release: format!("sha256:{}", "ab".repeat(32)),
        rollback,
        attested: if rollback {
            vec![]
        } else {
            vec![attested("validate", true, "0 findings"), attested("test", true, "1 procedure passed")]
        },
        gates: vec![
            standing("validate", true, "attested by platform"),
            standing("test", true, "1 procedure passed"),
            standing("approval", true, "flight-director: carol"),
        ],
        deployed: if rollback { "restarted" } else { "swapped" }.to_string(),
        took_ms: 83_042,
    }
}

#[test]
fn a_promotion_a_rollback_and_a_refusal_as_text() {
    let refused = serde_json::json!({
        "error": "release sha256:abab… cannot go to ops: gate approval not met",
        "request_id": "r7",
        "gates": [
            {"gate": "validate", "met": true, "detail": "attested"},
            {"gate": "approval", "met": false, "detail": "needs security-officer"}
        ]
    });
    let text = [
        render::outcome(&outcome(false)),
        render::outcome(&outcome(true)),
        render::refusal(409, refused.to_string().as_bytes()).unwrap(),
        render::refusal(400, br#"{"error":"role: not one of the mission's","field":"role","request_id":"r8"}"#)
            .unwrap(),
        render::refusal(401, br#"{"error":"no token","request_id":""}"#).unwrap(),
        format!("{:?}\n", render::refusal(404, b"not found")),
        format!("{:?}\n", render::refusal(404, br#"{"message":"not ours"}"#)),
    ];
    expect![[r#"
        promoted sha256:abababababababababababababababababababababababababababababababab to sentinel-x/aiv: deployment swapped, took 83.042 s
          gate validate  met      attested by platform
          gate test      met      1 procedure passed
          gate approval  met      flight-director: carol
          ran validate for aiv: passed: 0 findings
          ran test for aiv: passed: 1 procedure passed
        rolled back sentinel-x/aiv to sha256:abababababababababababababababababababababababababababababababab: deployment restarted, took 83.042 s
          gate validate  met      attested by platform
          gate test      met      1 procedure passed
          gate approval  met      flight-director: carol
        error: release sha256:abab… cannot go to ops: gate approval not met (request r7)
          gate validate  met      attested
          gate approval  NOT MET  needs security-officer
        error: role: not one of the mission's (field `role`, request r8)
        error: no token; give a token with --token or $GROUNDPLANE_TOKEN
        None
        None
    "#]]
    .assert_eq(&text.concat());
}
