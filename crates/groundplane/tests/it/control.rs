//! The control plane through the real binary and its CLI (`groundplane mission ...` over
//! HTTP): two missions created from the repository's mission files on the real SpacePy MIB
//! and Yamcs PUS example, DEV live with their simulators; a release through AIV (procedures
//! pass) to OPS (two approvals by principals holding the roles); a second release with a
//! changed limit, diffed, promoted and rolled back; refusals with exit 1 (anonymous, a DEV-only
//! token in OPS, skipping AIV, approving twice, a tampered bundle); and after a SIGKILL the
//! restarted server runs what it ran, from its event store.

use crate::harness::{Server, TempDir};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use test_utils::missions::{mib_with_limit, mission_copy};

const ADMIN: &str = "admin-token-0123456789";
const DIRECTOR: &str = "director-token-0123456789";
const OFFICER: &str = "officer-token-0123456789";
const DEV_ONLY: &str = "dev-only-token-0123456789";

fn config(dir: &TempDir) -> std::path::PathBuf {
    let text = format!(
        r#"data_dir = "data"
[auth]
anonymous_read = true
[[auth.tokens]]
name = "admin"
token = "{ADMIN}"
grants = ["*/*/platform-admin", "*/*/engineer", "*/*/flight-director"]
scopes = ["*"]
[[auth.tokens]]
name = "flight-director"
token = "{DIRECTOR}"
scopes = ["spacepy-mib/ops"]
[[auth.tokens]]
name = "security-officer"
token = "{OFFICER}"
scopes = ["spacepy-mib/ops"]
[[auth.tokens]]
name = "operator"
token = "{DEV_ONLY}"
scopes = ["spacepy-mib/dev"]
[control]
trusted_keys = ["mission-key.pub"]
"#
    );
    let path = dir.0.join("server.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `groundplane mission ARGS --url URL` with a token (or none); answers the exit code and
/// stdout, stderr.
fn mission(server: &Server, token: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groundplane"));
    command.arg("mission").args(args).args(["--url", &format!("http://{}", server.http)]);
    command.env_remove("GROUNDPLANE_TOKEN").env_remove("GROUNDPLANE_URL");
    if let Some(token) = token {
        command.args(["--token", token]);
    }
    let output = command.output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

/// `mission ARGS` that must succeed.
fn ok(server: &Server, token: &str, args: &[&str]) -> String {
    let (code, stdout, stderr) = mission(server, Some(token), args);
    assert_eq!(code, 0, "mission {args:?}: {stdout}{stderr}");
    stdout
}

/// `mission ARGS` that the platform must refuse (exit 1); answers stderr.
fn refused(server: &Server, token: Option<&str>, args: &[&str]) -> String {
    let (code, stdout, stderr) = mission(server, token, args);
    assert_eq!(code, 1, "mission {args:?} should be refused: {stdout}{stderr}");
    stderr
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn missions_are_created_promoted_through_their_pipeline_and_rolled_back_over_the_cli() {
    let dir = TempDir::new("control-it");
    let config = config(&dir);
    for key in ["mission-key", "other-key"] {
        let keygen = Command::new(env!("CARGO_BIN_EXE_groundplane"))
            .args(["release", "keygen", "--out", path(&dir.0.join(key))])
            .output()
            .unwrap();
        assert!(keygen.status.success());
    }
    let server = Server::start(&config);

    // Two missions from real databases, each DEV live within seconds.
    let mib = mission_copy(&dir.0, "spacepy-mib", &mib_with_limit(&dir.0, 4_000_000_000));
    let (pus_dir, _) = test_utils::PUS_EXAMPLE;
    let pus = mission_copy(&dir.0, "pus-example", &test_utils::real(pus_dir));
    let anonymous = refused(&server, None, &["create", path(&mib)]);
    assert!(anonymous.contains("manage_missions"), "{anonymous}");
    let started = Instant::now();
    ok(&server, ADMIN, &["create", path(&mib)]);
    server.wait_until("spacepy-mib/dev telemetry", Duration::from_secs(30), |s| s.stored_units("spacepy-mib/dev") > 0);
    println!("mission create → DEV live over the CLI and HTTP: {} ms", started.elapsed().as_millis());
    ok(&server, ADMIN, &["create", path(&pus)]);
    server.wait_until("pus-example/dev telemetry", Duration::from_secs(30), |s| s.stored_units("pus-example/dev") > 0);
    let missions = json(&ok(&server, ADMIN, &["list", "--json"]));
    assert_eq!(missions.as_array().unwrap().len(), 2, "{missions}");
    let shown = json(&ok(&server, ADMIN, &["show", "spacepy-mib", "--json"]));
    let r1 = shown["releases"][0]["digest"].as_str().unwrap().to_string();

    // Refusals: a DEV-only token in OPS, skipping AIV.
    let dev_only = refused(&server, Some(DEV_ONLY), &["promote", "spacepy-mib", "ops", &r1]);
    assert!(dev_only.contains("forbidden by credentials-act-only-in-their-envs"), "{dev_only}");
    let skipping = refused(&server, Some(ADMIN), &["promote", "spacepy-mib", "ops", &r1]);
    assert!(skipping.contains("never ran release"), "{skipping}");

    // AIV: the procedures pass against a simulator. OPS: two distinct approvals.
    let aiv = ok(&server, ADMIN, &["promote", "spacepy-mib", "aiv", &r1]);
    assert!(aiv.contains("gate test") && aiv.contains("PASSED"), "{aiv}");
    ok(&server, DIRECTOR, &["approve", "spacepy-mib", "ops", &r1, "--role", "flight-director"]);
    let twice = refused(&server, Some(DIRECTOR), &["approve", "spacepy-mib", "ops", &r1, "--role", "flight-director"]);
    assert!(twice.contains("approved release"), "{twice}");
    ok(&server, OFFICER, &["approve", "spacepy-mib", "ops", &r1, "--role", "security-officer"]);
    ok(&server, ADMIN, &["promote", "spacepy-mib", "ops", &r1]);

    // A second release with a changed limit: the diff shows it; it goes through, then back.
    let changed = mission_copy(&dir.0.join("r2"), "spacepy-mib", &mib_with_limit(&dir.0, 1000));
    let r2 = json(&ok(&server, ADMIN, &["release", path(&changed), "--json"]))["digest"].as_str().unwrap().to_string();
    let diff = ok(&server, ADMIN, &["diff", "spacepy-mib", &r1, &r2]);
    assert!(diff.contains("PAR9") && diff.contains("1000"), "{diff}");
    for env in ["dev", "aiv"] {
        assert!(ok(&server, ADMIN, &["promote", "spacepy-mib", env, &r2]).contains("swapped"));
    }
    ok(&server, DIRECTOR, &["approve", "spacepy-mib", "ops", &r2, "--role", "flight-director"]);
    ok(&server, OFFICER, &["approve", "spacepy-mib", "ops", &r2, "--role", "security-officer"]);
    ok(&server, ADMIN, &["promote", "spacepy-mib", "ops", &r2]);
    let model = |release: &str| {
        let detail = json(&ok(&server, ADMIN, &["release-show", "spacepy-mib", release, "--json"]));
        detail["release"]["model_digest"].as_str().unwrap().to_string()
    };
    let ops_model =
        || server.json("/api/missions/spacepy-mib/envs/ops/status")["model_digest"].as_str().unwrap().to_string();
    assert_eq!(ops_model(), model(&r2));
    ok(&server, ADMIN, &["rollback", "spacepy-mib", "ops"]);
    assert_eq!(ops_model(), model(&r1));

    // Every step recorded.
    let events = json(&ok(&server, ADMIN, &["events", "spacepy-mib", "--json"]));
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["event"]["event"].as_str().unwrap()).collect();
    let count = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!(
        (count("approved"), count("promoted"), count("deployed"), count("gate_attested")),
        (4, 7, 7, 10),
        "{kinds:?}"
    );

    // A tampered bundle from a local store is refused, naming what changed.
    let store = dir.0.join("store");
    let stored = dir.0.join("data/_platform/releases/spacepy-mib").join(r1.trim_start_matches("sha256:"));
    let copy = store.join("spacepy-mib").join(r1.trim_start_matches("sha256:"));
    std::fs::create_dir_all(copy.join("procedures")).unwrap();
    for name in
        ["manifest.json", "mission.toml", "model.json", "provenance.json", "signature.json", "procedures/smoke.toml"]
    {
        std::fs::copy(stored.join(name), copy.join(name)).unwrap();
    }
    let mission_file = copy.join("mission.toml");
    let mut permissions = std::fs::metadata(&mission_file).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&mission_file, permissions).unwrap();
    let text = std::fs::read_to_string(&mission_file).unwrap();
    std::fs::write(&mission_file, text.replace("seed = 2", "seed = 7")).unwrap();
    let tampered = refused(&server, Some(ADMIN), &["import", "spacepy-mib", &r1, "--store", path(&store)]);
    assert!(tampered.contains("mission.toml: sha256:"), "{tampered}");

    // A release cut offline and signed with the mission's key (trusted by the configuration)
    // is imported; the same with an untrusted key is refused.
    let offline = |key: &str, store: &Path| {
        let limit = mission_copy(&dir.0.join(format!("{key}-mission")), "spacepy-mib", &mib_with_limit(&dir.0, 2000));
        let output = Command::new(env!("CARGO_BIN_EXE_groundplane"))
            .args(["release", "create", "--mission", path(&limit), "--key", path(&dir.0.join(key))])
            .args(["--signer", "mission", "--by", "alice", "--store", path(store)])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
        stdout.split_whitespace().nth(1).unwrap().to_string()
    };
    let untrusted = offline("other-key", &dir.0.join("store-other"));
    let refused_key = refused(
        &server,
        Some(ADMIN),
        &["import", "spacepy-mib", &untrusted, "--store", path(&dir.0.join("store-other"))],
    );
    assert!(refused_key.contains("no trusted key"), "{refused_key}");
    let signed = offline("mission-key", &dir.0.join("store-mission"));
    ok(&server, ADMIN, &["import", "spacepy-mib", &signed, "--store", path(&dir.0.join("store-mission"))]);
    let releases = json(&ok(&server, ADMIN, &["releases", "spacepy-mib", "--json"]));
    let imported = releases.as_array().unwrap().iter().find(|r| r["digest"] == signed.as_str()).unwrap();
    assert_eq!(
        (imported["signer"].as_str(), imported["cut_by"].as_str()),
        (Some("mission:spacepy-mib"), Some("alice"))
    );

    // SIGKILL, restart: every environment runs what it ran.
    server.kill();
    let server = Server::start(&config);
    let shown = json(&ok(&server, ADMIN, &["show", "spacepy-mib", "--json"]));
    let running: Vec<&str> = shown["envs"].as_array().unwrap().iter().map(|e| e["running"].as_str().unwrap()).collect();
    assert_eq!(running, [r2.as_str(), r2.as_str(), r1.as_str()]);
    assert_eq!(json(&ok(&server, ADMIN, &["drift", "--json"])), serde_json::json!([]));

    // Every change before the kill is in the audit chain, which verifies against the platform key.
    let audit = Command::new(env!("CARGO_BIN_EXE_groundplane"))
        .args(["audit", "verify", "--dir", path(&dir.0.join("data/_platform/audit"))])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&audit.stdout);
    assert!(audit.status.success() && report.contains("valid"), "{report}{}", String::from_utf8_lossy(&audit.stderr));
    server.wait_until("pus-example/dev telemetry again", Duration::from_secs(30), |s| {
        s.stored_units("pus-example/dev") > 0
    });
}
