//! Commanding through the real binary: two DEV deployments, each with the simulator generated
//! from its model (the Yamcs PUS example and the SpacePy MIB) on loopback; commands sent over
//! HTTP are verified through their stages, bad arguments refused with their reason, the history
//! archived, updates streamed over the WebSocket, and writes refused to anonymous callers; the
//! repository's procedures pass against them, and one that expects too much fails in JUnit.

use crate::harness::{Server, TempDir};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use test_utils::http;
use tokio_tungstenite::tungstenite::Message;

const ALICE: &str = "alice-token-0123456789";

fn config(dir: &TempDir) -> std::path::PathBuf {
    let (mib_dir, _) = test_utils::SPACEPY_MIB;
    let text = format!(
        r#"data_dir = "data"
[auth]
anonymous_read = true
[[auth.tokens]]
name = "alice"
token = "{ALICE}"
grants = ["*/*/operator"]

{pus_mission}[[mission.deployment]]
env = "dev"
[[mission.deployment.link]]
name = "tm"
transport = "udp"
address = "127.0.0.1:0"
framing = "packets"
[mission.deployment.simulator]
apid = 100
period_ms = 200

[[mission]]
name = "spacepy-mib"
model = "{mib}"
[mission.pus]
data_field_header_len = 12
step_id_len = 4
failure_code_len = 4
event_id_len = 2
time_fine_len = 1
[[mission.deployment]]
env = "aiv"
[[mission.deployment.link]]
name = "tm"
transport = "tcp"
address = "127.0.0.1:0"
framing = "packets"
[mission.deployment.simulator]
apid = 1234
period_ms = 200
"#,
        pus_mission = crate::harness::pus_example_mission(),
        mib = test_utils::real(mib_dir).display(),
    );
    let path = dir.0.join("groundplane.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn post(server: &Server, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let auth = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|value| ("Authorization", value.as_str())).collect();
    let response = http::request(server.http, "POST", path, &headers, Some(&body.to_string())).unwrap();
    (response.status, serde_json::from_slice(&response.body).unwrap_or(Value::Null))
}

/// Sends a command as alice and waits until it is finished; answers its view.
fn command(server: &Server, scope: &str, name: &str, arguments: Value) -> Value {
    let base = format!("/api/missions/{}/commands", scope.replace('/', "/envs/"));
    let (status, accepted) = post(server, &base, Some(ALICE), &json!({ "command": name, "arguments": arguments }));
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["id"].as_u64().unwrap();
    let start = Instant::now();
    loop {
        let view = server.json(&format!("{base}/{id}"));
        if view["finished"] == true {
            return view;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "command {id} did not finish: {view}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn states(view: &Value) -> Vec<String> {
    view["history"].as_array().unwrap().iter().map(|e| e["state"].as_str().unwrap().to_string()).collect()
}

#[test]
fn commands_sent_over_http_are_verified_against_the_simulators() {
    let dir = TempDir::new("commanding");
    let server = Server::start(&config(&dir));
    // The simulators' telemetry arrives and decodes.
    for scope in ["pus-example/dev", "spacepy-mib/aiv"] {
        server.wait_until(&format!("telemetry of {scope}"), Duration::from_secs(20), |s| s.stored_units(scope) >= 5);
        let parameters = server.json(&format!("/api/missions/{}/parameters", scope.replace('/', "/envs/")));
        assert!(!parameters.as_array().unwrap().is_empty(), "{scope}: no parameter decoded");
    }
    let definitions = server.json("/api/missions/pus-example/envs/dev/commands/definitions");
    assert!(definitions.as_array().unwrap().iter().any(|d| d["name"] == "/PUS17/ARE_YOU_ALIVE"));

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let url = format!("ws://{}/api/missions/spacepy-mib/envs/aiv/live", server.http);
    let mut live = runtime.block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("WebSocket connects");
        socket.send(Message::text(json!({ "commands": true, "links": true }).to_string())).await.unwrap();
        // Link messages show the subscription is taken.
        loop {
            let message = socket.next().await.unwrap().unwrap();
            if matches!(&message, Message::Text(text) if text.contains("\"link\"")) {
                break socket;
            }
        }
    });

    let view = command(&server, "pus-example/dev", "/PUS17/ARE_YOU_ALIVE", json!({ "ackflags": 15 }));
    assert_eq!(view["state"], "completed", "{view}");
    let expected = ["requested", "queued", "released", "sent", "accepted", "started", "progress", "completed"];
    assert_eq!(states(&view), expected, "a ping waits for its TM[17,2] too");
    let view = command(&server, "spacepy-mib/aiv", "/MIB/TESTCMD", json!({}));
    assert_eq!(view["state"], "completed", "{view}");
    assert_eq!(view["principal"], "alice");
    let id = view["id"].as_u64().unwrap();

    // The same transitions came live.
    let streamed = runtime.block_on(async {
        let mut streamed = Vec::new();
        while streamed.last().map(String::as_str) != Some("completed") {
            let message = tokio::time::timeout(Duration::from_secs(20), live.next()).await.unwrap().unwrap().unwrap();
            let Message::Text(text) = message else { continue };
            let message: Value = serde_json::from_str(&text).unwrap();
            if message["type"] == "command" && message["event"]["id"] == id {
                streamed.push(message["event"]["state"].as_str().unwrap().to_string());
            }
        }
        streamed
    });
    assert_eq!(streamed, states(&view));

    // Refusals name the field; anonymous callers may read but not command.
    let base = "/api/missions/spacepy-mib/envs/aiv/commands";
    let (status, body) =
        post(&server, base, Some(ALICE), &json!({ "command": "/MIB/PUSCMD01", "arguments": { "PAR1": 7 } }));
    assert_eq!((status, body["field"].as_str()), (400, Some("arguments.PAR1")), "{body}");
    let (status, body) = post(&server, base, Some(ALICE), &json!({ "command": "/MIB/TESTCMD", "bogus": 1 }));
    assert_eq!(status, 400, "{body}");
    let (status, _) = post(&server, base, None, &json!({ "command": "/MIB/TESTCMD" }));
    assert_eq!(status, 403);

    // The history is archived (after the next commit) and paged.
    server.wait_until("the command history", Duration::from_secs(10), |s| {
        let page = s.json(&format!("{base}/history?limit=100"));
        page["items"].as_array().unwrap().iter().filter(|e| e["id"] == id).count() == states(&view).len()
    });

    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("groundplane_commands_live{"), "{metrics}");
    assert!(metrics.contains("groundplane_verification_reports_unmatched_total{"), "{metrics}");

    // The repository's procedures pass against these simulators; one expecting a failure
    // that does not come fails, in the exit code and the JUnit report.
    let procedures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../missions");
    let url = format!("http://{}", server.http);
    let run = |file: &std::path::Path, mission: &str, env: &str, junit: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_groundplane"))
            .args(["procedure", "run", file.to_str().unwrap(), "--mission", mission, "--env", env])
            .args(["--url", &url, "--junit", junit.to_str().unwrap()])
            .env("GROUNDPLANE_TOKEN", ALICE)
            .output()
            .unwrap()
    };
    let junit = dir.0.join("junit.xml");
    let output = run(&procedures.join("spacepy-mib/procedures/smoke.toml"), "spacepy-mib", "aiv", &junit);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("tests=\"7\"") && report.contains("failures=\"0\""), "{report}");
    let output = run(&procedures.join("pus-example/procedures/smoke.toml"), "pus-example", "dev", &junit);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let failing = dir.0.join("failing.toml");
    let text =
        "name = \"expects a rejection\"\n[[step]]\nsend = \"/MIB/TESTCMD\"\nexpect = \"failed\"\nfailure_code = 7\n";
    std::fs::write(&failing, text).unwrap();
    let output = run(&failing, "spacepy-mib", "aiv", &junit);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stdout));
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("<failure") && report.contains("completed"), "{report}");
}
