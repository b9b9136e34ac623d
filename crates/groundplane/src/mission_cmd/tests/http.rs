//! Every subcommand against a canned server on loopback: the request it sends (method, path,
//! body), what it prints, and its exit code (0 done, 1 refused, 2 usage, file or server).

use super::{mission_dir, parse, PING};
use crate::mission_cmd::invoke;
use crate::release_cmd::{create, store};
use expect_test::expect;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

const TOKEN: &str = "s3cret";

/// Answers one request with `status` and `body`; gives the request line and a summary of its
/// body (large bodies by their keys), checking the token came along.
fn serve_once(status: &str, body: &str) -> (String, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let response = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("a connection");
        let mut reader = BufReader::new(stream);
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim_end().is_empty() {
                break;
            }
            lines.push(line.trim_end().to_string());
        }
        assert!(lines.contains(&format!("Authorization: Bearer {TOKEN}")), "{lines:?}");
        let length =
            lines.iter().find_map(|line| line.strip_prefix("Content-Length: ")).map_or(0, |n| n.parse().unwrap());
        let mut request_body = vec![0; length];
        reader.read_exact(&mut request_body).unwrap();
        reader.get_mut().write_all(response.as_bytes()).unwrap();
        let request_line = format!("> {}", lines[0].trim_end_matches(" HTTP/1.1"));
        match request_body.is_empty() {
            true => request_line,
            false => format!("{request_line} {}", summary(&request_body)),
        }
    });
    (url, server)
}

fn summary(body: &[u8]) -> String {
    if body.len() <= 120 {
        return String::from_utf8_lossy(body).into_owned();
    }
    let value: Value = serde_json::from_slice(body).expect("a JSON body");
    let keys = |value: &Value| value.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "));
    match value.get("files") {
        Some(files) => format!("{{files: {}}}", keys(files).unwrap_or_default()),
        None => format!("{{{}}}", keys(&value).unwrap_or_default()),
    }
}

fn digest(byte: &str) -> String {
    format!("sha256:{}", byte.repeat(32))
}

fn release_summary() -> Value {
    json!({"digest": digest("ab"), "mission": "sentinel-x", "model_digest": digest("cd"), "cut_by": "alice",
        "cut_at_ms": 1_795_000_000_000u64, "signer": "platform", "key_id": "ed25519:k1", "procedures": ["ping.toml"],
        "registered_by": "alice", "registered_ms": 1_795_000_000_100u64})
}

fn env_control(env: &str, running: bool) -> Value {
    let history = json!([{"release": digest("ab"), "by": "alice", "at_ms": 1_795_000_000_200u64, "rollback": false}]);
    match running {
        true => json!({"env": env, "desired": digest("ab"), "running": digest("ab"), "deployment": "running",
            "drift": false, "history": history}),
        false => json!({"env": env, "deployment": "stopped", "drift": false, "history": []}),
    }
}

/// An environment with a blackout long over (2023) and one to come (2100).
fn env_with_blackouts(env: &str) -> Value {
    let mut env = env_control(env, true);
    env["blackouts"] = json!([
        {"from_ms": 1_700_000_000_000u64, "to_ms": 1_700_003_600_000u64, "reason": "pass over Kiruna"},
        {"from_ms": 4_102_444_800_000u64, "to_ms": 4_102_448_400_000u64, "reason": "critical operation"}
    ]);
    env
}

fn mission_detail() -> Value {
    json!({"mission": "sentinel-x", "state": "active", "created_ms": 1_795_000_000_000u64, "created_by": "alice",
        "releases": [release_summary()], "envs": [env_with_blackouts("dev"), env_control("aiv", false)]})
}

fn outcome(rollback: bool) -> Value {
    json!({"mission": "sentinel-x", "env": "aiv", "release": digest("ab"), "rollback": rollback,
        "attested": [{"release": digest("ab"), "env": "aiv", "gate": "test", "passed": true, "detail": "1 passed",
            "by": "platform", "at_ms": 1u64}],
        "gates": [{"gate": "test", "met": true, "detail": "1 passed"}], "deployed": "started", "took_ms": 1500})
}

#[test]
fn every_subcommand_sends_its_request_and_prints_its_answer() {
    let dir = mission_dir("mission-http", PING);
    let mission = dir.join("mission.toml").display().to_string();
    let store_dir = dir.join("store");
    let key = dir.join("k");
    std::fs::write(&key, release::SecretKey::from_seed([7; 32]).to_text()).unwrap();
    let args = create::CreateArgs {
        mission: &dir.join("mission.toml"),
        key: &key,
        signer: release::SignerKind::Platform,
        by: Some("alice".to_string()),
        store: &store_dir,
    };
    create::create(args).unwrap();
    let local = store::entries(&store_dir, None).unwrap().remove(0).digest.to_string();
    let store_arg = format!("{} --store {}", &local[7..19], store_dir.display());
    let removed = json!({"mission": "sentinel-x", "state": "deleted", "export": "/data/exports/sentinel-x"});
    let refused = json!({"error": "gate approval not met", "request_id": "r1",
        "gates": [{"gate": "approval", "met": false, "detail": "needs flight-director"}]});
    let diff = json!({"a": digest("ab"), "b": digest("ef"), "empty": false, "model": {}, "mission_file": [],
        "procedures": [], "text": "model:\n  (no change)\nmission file:\n  - 3: a\n  + 3: b\nprocedures:\n  (no change)\n"});
    let cases: Vec<(String, &str, Value)> = vec![
        (format!("create {mission}"), "201 Created", mission_detail()),
        (
            "list".into(),
            "200 OK",
            json!([{"mission": "sentinel-x", "state": "active", "created_ms": 0, "releases": 1,
            "running": {"dev": digest("ab")}}]),
        ),
        ("show sentinel-x".into(), "200 OK", mission_detail()),
        (
            "events sentinel-x".into(),
            "200 OK",
            json!([{"index": 0, "event": {"event": "created", "by": "alice"}},
            {"index": 1, "event": {"event": "promoted", "env": "dev", "release": digest("ab")}}]),
        ),
        ("drift".into(), "200 OK", json!([{"mission": "sentinel-x", "env": "aiv", "desired": digest("ab")}])),
        (format!("release {mission}"), "201 Created", release_summary()),
        (format!("import sentinel-x {store_arg}"), "201 Created", release_summary()),
        ("releases sentinel-x".into(), "200 OK", json!([release_summary()])),
        (
            "release-show sentinel-x abab".into(),
            "200 OK",
            json!({"release": release_summary(), "provenance": {},
            "files": {"model.json": digest("cd")}, "attestations": [], "approvals": [{"release": digest("ab"),
            "env": "ops", "principal": "carol", "role": "flight-director", "at_ms": 0}]}),
        ),
        ("diff sentinel-x abab efef".into(), "200 OK", diff),
        (
            "approve sentinel-x ops abab --role flight-director".into(),
            "201 Created",
            json!({"release": digest("ab"),
            "env": "ops", "principal": "carol", "role": "flight-director", "at_ms": 0}),
        ),
        ("promote sentinel-x aiv abab".into(), "200 OK", outcome(false)),
        ("promote sentinel-x ops abab".into(), "409 Conflict", refused.clone()),
        ("promote sentinel-x ops abab --json".into(), "409 Conflict", refused),
        ("rollback sentinel-x aiv".into(), "200 OK", outcome(true)),
        ("pause sentinel-x dev".into(), "200 OK", env_control("dev", true)),
        ("resume sentinel-x dev".into(), "200 OK", env_control("dev", true)),
        (
            "blackout sentinel-x ops --from 2100-01-01T00:00:00Z --to 4102448400000 --reason critical".into(),
            "201 Created",
            env_with_blackouts("ops"),
        ),
        (
            "blackout sentinel-x ops --from 4102448400000 --to 4102444800000 --reason late".into(),
            "400 Bad Request",
            json!({"error": "blackout: from_ms must be before to_ms", "field": "blackout", "request_id": "r4"}),
        ),
        (
            "archive sentinel-x --confirm sentinel-x".into(),
            "200 OK",
            json!({"mission": "sentinel-x", "state": "archived"}),
        ),
        ("delete sentinel-x --confirm sentinel-x".into(), "200 OK", removed),
        ("drift --json".into(), "200 OK", json!([])),
        (
            "show no/such".into(),
            "404 Not Found",
            json!({"error": "no mission named \"no/such\"", "field": "mission",
            "request_id": "r2"}),
        ),
        ("list".into(), "500 Internal Server Error", json!({"error": "internal error", "request_id": "r3"})),
        ("list".into(), "404 Not Found", json!("not the platform")),
        ("list".into(), "200 OK", json!({"unexpected": true})),
    ];
    let mut transcript = String::new();
    for (args, status, answer) in &cases {
        let (url, server) = serve_once(status, &answer.to_string());
        let command = parse(&format!("{args} --url {url}")).unwrap();
        let printed = invoke(&command, |name| (name == "GROUNDPLANE_TOKEN").then(|| TOKEN.to_string()));
        transcript.push_str(&format!("$ mission {args}\n{}\n", server.join().unwrap()));
        transcript.push_str(&match printed {
            Ok(printed) => format!("exit {}\n{}{}", printed.code, printed.stdout, printed.stderr),
            Err(error) => format!("exit 2: {error:#}\n"),
        });
    }
    // Nothing is sent when the mission file cannot be read; nothing answers on a closed port.
    let closed_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for args in [format!("create {}/nosuch.toml", dir.display()), format!("list --url http://127.0.0.1:{closed_port}")]
    {
        let error = invoke(&parse(&args).unwrap(), |_| None).expect_err("exit 2");
        let message = format!("{error:#}");
        transcript.push_str(&format!("$ mission {args}\nexit 2: {}\n", message.split(" (os error").next().unwrap()));
    }
    let transcript = transcript
        .replace(&dir.display().to_string(), "DIR")
        .replace(&local, "sha256:LOCAL")
        .replace(&local[7..19], "LOCAL")
        .replace(&closed_port.to_string(), "PORT");
    std::fs::remove_dir_all(&dir).unwrap();
    expect![[r#"
        $ mission create DIR/mission.toml
        > POST /api/missions {mission_file, model_json, model_sources, procedures}
        exit 0
        mission sentinel-x created
        mission sentinel-x (active), created 2026-11-18T11:06:40.000Z by alice
        releases (1, oldest first):
          sha256:abababababababababababababababababababababababababababababababab  cut 2026-11-18T11:06:40.000Z by alice  signed by platform  1 procedure(s)
        environments:
          dev  deployment running, runs sha256:abababababab, wants sha256:abababababab; last promoted sha256:abababababab by alice at 2026-11-18T11:06:40.200Z
            blackout 2100-01-01T00:00:00.000Z to 2100-01-01T01:00:00.000Z: critical operation
          aiv  deployment stopped, runs nothing, wants nothing
        $ mission list
        > GET /api/missions
        exit 0
        sentinel-x  active  1 release(s)  created 1970-01-01T00:00:00.000Z  dev sha256:abababababab
        $ mission show sentinel-x
        > GET /api/missions/sentinel-x
        exit 0
        mission sentinel-x (active), created 2026-11-18T11:06:40.000Z by alice
        releases (1, oldest first):
          sha256:abababababababababababababababababababababababababababababababab  cut 2026-11-18T11:06:40.000Z by alice  signed by platform  1 procedure(s)
        environments:
          dev  deployment running, runs sha256:abababababab, wants sha256:abababababab; last promoted sha256:abababababab by alice at 2026-11-18T11:06:40.200Z
            blackout 2100-01-01T00:00:00.000Z to 2100-01-01T01:00:00.000Z: critical operation
          aiv  deployment stopped, runs nothing, wants nothing
        $ mission events sentinel-x
        > GET /api/missions/sentinel-x/events
        exit 0
        #0 created by=alice
        #1 promoted env=dev release=sha256:abababababababababababababababababababababababababababababababab
        $ mission drift
        > GET /api/control/drift
        exit 0
        sentinel-x/aiv  wants sha256:abababababab, runs nothing
        $ mission release DIR/mission.toml
        > POST /api/missions/sentinel-x/releases {mission_file, model_json, model_sources, procedures}
        exit 0
        release sha256:abababababababababababababababababababababababababababababababab registered: mission sentinel-x, model sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd, 1 procedure(s), signed by platform key ed25519:k1
        $ mission import sentinel-x LOCAL --store DIR/store
        > POST /api/missions/sentinel-x/releases/import {files: manifest.json, mission.toml, model.json, procedures/ping.toml, provenance.json, signature.json}
        exit 0
        release sha256:abababababababababababababababababababababababababababababababab registered: mission sentinel-x, model sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd, 1 procedure(s), signed by platform key ed25519:k1
        $ mission releases sentinel-x
        > GET /api/missions/sentinel-x/releases
        exit 0
        sha256:abababababababababababababababababababababababababababababababab  cut 2026-11-18T11:06:40.000Z by alice  signed by platform  1 procedure(s)
        $ mission release-show sentinel-x abab
        > GET /api/missions/sentinel-x/releases/abab
        exit 0
        release sha256:abababababababababababababababababababababababababababababababab
        mission sentinel-x
        model   sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
        cut by alice at 2026-11-18T11:06:40.000Z, signed by platform key ed25519:k1
        registered by alice at 2026-11-18T11:06:40.100Z
        files:
          model.json                               sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
        gates:
        approvals:
          ops as flight-director by carol at 1970-01-01T00:00:00.000Z
        $ mission diff sentinel-x abab efef
        > GET /api/missions/sentinel-x/releases/abab/diff/efef
        exit 0
        --- sentinel-x sha256:abababababababababababababababababababababababababababababababab
        +++ sentinel-x sha256:efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef
        model:
          (no change)
        mission file:
          - 3: a
          + 3: b
        procedures:
          (no change)
        $ mission approve sentinel-x ops abab --role flight-director
        > POST /api/missions/sentinel-x/envs/ops/approve {"release":"abab","role":"flight-director"}
        exit 0
        approved sha256:abababababababababababababababababababababababababababababababab for ops as flight-director (by carol at 1970-01-01T00:00:00.000Z)
        $ mission promote sentinel-x aiv abab
        > POST /api/missions/sentinel-x/envs/aiv/promote {"release":"abab"}
        exit 0
        promoted sha256:abababababababababababababababababababababababababababababababab to sentinel-x/aiv: deployment started, took 1.500 s
          gate test  met      1 passed
          ran test for aiv: passed: 1 passed
        $ mission promote sentinel-x ops abab
        > POST /api/missions/sentinel-x/envs/ops/promote {"release":"abab"}
        exit 1
        error: gate approval not met (request r1)
          gate approval  NOT MET  needs flight-director
        $ mission promote sentinel-x ops abab --json
        > POST /api/missions/sentinel-x/envs/ops/promote {"release":"abab"}
        exit 1
        {"error":"gate approval not met","request_id":"r1","gates":[{"gate":"approval","met":false,"detail":"needs flight-director"}]}
        error: gate approval not met (request r1)
          gate approval  NOT MET  needs flight-director
        $ mission rollback sentinel-x aiv
        > POST /api/missions/sentinel-x/envs/aiv/rollback
        exit 0
        rolled back sentinel-x/aiv to sha256:abababababababababababababababababababababababababababababababab: deployment started, took 1.500 s
          gate test  met      1 passed
          ran test for aiv: passed: 1 passed
        $ mission pause sentinel-x dev
        > POST /api/missions/sentinel-x/envs/dev/pause
        exit 0
        dev  deployment running, runs sha256:abababababab, wants sha256:abababababab; last promoted sha256:abababababab by alice at 2026-11-18T11:06:40.200Z
        $ mission resume sentinel-x dev
        > POST /api/missions/sentinel-x/envs/dev/resume
        exit 0
        dev  deployment running, runs sha256:abababababab, wants sha256:abababababab; last promoted sha256:abababababab by alice at 2026-11-18T11:06:40.200Z
        $ mission blackout sentinel-x ops --from 2100-01-01T00:00:00Z --to 4102448400000 --reason critical
        > POST /api/missions/sentinel-x/envs/ops/blackouts {"from_ms":4102444800000,"to_ms":4102448400000,"reason":"critical"}
        exit 0
        ops  deployment running, runs sha256:abababababab, wants sha256:abababababab; last promoted sha256:abababababab by alice at 2026-11-18T11:06:40.200Z
          blackout 2023-11-14T22:13:20.000Z to 2023-11-14T23:13:20.000Z: pass over Kiruna
          blackout 2100-01-01T00:00:00.000Z to 2100-01-01T01:00:00.000Z: critical operation
        $ mission blackout sentinel-x ops --from 4102448400000 --to 4102444800000 --reason late
        > POST /api/missions/sentinel-x/envs/ops/blackouts {"from_ms":4102448400000,"to_ms":4102444800000,"reason":"late"}
        exit 1
        error: blackout: from_ms must be before to_ms (field `blackout`, request r4)
        $ mission archive sentinel-x --confirm sentinel-x
        > POST /api/missions/sentinel-x/archive {"confirm":"sentinel-x"}
        exit 0
        mission sentinel-x archived
        $ mission delete sentinel-x --confirm sentinel-x
        > DELETE /api/missions/sentinel-x?confirm=sentinel-x
        exit 0
        mission sentinel-x deleted; its data and records are in /data/exports/sentinel-x
        $ mission drift --json
        > GET /api/control/drift
        exit 0
        []
        $ mission show no/such
        > GET /api/missions/no%2Fsuch
        exit 1
        error: no mission named "no/such" (field `mission`, request r2)
        $ mission list
        > GET /api/missions
        exit 2: GET /api/missions: HTTP 500: internal error (request r3)
        $ mission list
        > GET /api/missions
        exit 2: GET /api/missions: HTTP 404: "not the platform"
        $ mission list
        > GET /api/missions
        exit 2: GET /api/missions: unexpected answer (invalid type: map, expected a sequence at line 1 column 0): {"unexpected":true}
        $ mission create DIR/nosuch.toml
        exit 2: DIR/nosuch.toml: cannot read: No such file or directory
        $ mission list --url http://127.0.0.1:PORT
        exit 2: connecting to 127.0.0.1:PORT: Connection refused
    "#]].assert_eq(&transcript);
}
