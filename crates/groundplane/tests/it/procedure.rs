//! `groundplane procedure check|run` end to end: validation messages, and a run against a fake
//! platform (a loopback thread answering canned JSON) producing progress, JUnit and exit codes.

use crate::harness::TempDir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::thread::JoinHandle;

fn groundplane(args: &[&str], env_vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groundplane"));
    command.args(args).env_remove("GROUNDPLANE_URL").env_remove("GROUNDPLANE_TOKEN");
    for (name, value) in env_vars {
        command.env(name, value);
    }
    command.output().expect("the groundplane binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

const GOOD: &str = r#"name = "PUS ping"

[[step]]
send = "/PUS/PUS17/PING"
arguments = { apid = 100 }
timeout_s = 5

[[step]]
parameter = "/PUS/HK/BATTERY_V"
condition = "> 20"

[[step]]
wait_s = 1
"#;

#[test]
fn check_accepts_a_good_file_and_names_the_step_and_field_of_a_bad_one() {
    let dir = TempDir::new("procedure-check");
    let good = dir.0.join("good.toml");
    std::fs::write(&good, GOOD).unwrap();
    let out = groundplane(&["procedure", "check", arg(&good)], &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).ends_with("good.toml: ok: PUS ping (3 steps)\n"), "{}", text(&out.stdout));

    let bad = dir.0.join("bad.toml");
    std::fs::write(&bad, GOOD.replace("> 20", "> twenty").replace("wait_s = 1", "wait_s = -1")).unwrap();
    let out = groundplane(&["procedure", "check", arg(&bad)], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let path = arg(&bad);
    assert!(
        stderr.contains(&format!(
            "{path}:10:13: step[2].condition: bad condition: `twenty` is not a number, a quoted label or true/false\n"
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{path}:13:10: step[3].wait_s: -1 is not a duration")), "{stderr}");
    assert!(stderr.contains("2 problem(s)"), "{stderr}");

    let out = groundplane(&["procedure", "check", arg(&dir.0.join("missing.toml"))], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// Answers one connection per canned response, in order; returns each request's line and
/// `Authorization` header.
fn fake_platform(responses: Vec<String>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for response in responses {
            let (stream, _) = listener.accept().expect("a connection");
            let mut reader = BufReader::new(stream);
            let mut seen = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end().to_string();
                if line.is_empty() {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("content-length: ") {
                    length = value.parse().unwrap();
                }
                if seen.is_empty() || lower.starts_with("authorization") {
                    seen.push(line);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            requests.push(seen.join(" | "));
            reader.get_mut().write_all(response.as_bytes()).unwrap();
        }
        requests
    });
    (url, server)
}

fn json(status: &str, body: &str) -> String {
    format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
}

fn chunked(status: &str, body: &str) -> String {
    format!("HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n", body.len())
}

#[test]
fn run_reports_a_passed_and_a_failed_step_in_junit_and_exits_one() {
    let dir = TempDir::new("procedure-run");
    let file = dir.0.join("ping.toml");
    std::fs::write(&file, GOOD).unwrap();
    let junit = dir.0.join("report.xml");
    let (url, server) = fake_platform(vec![
        json("202 Accepted", r#"{"id":7,"digest":"sha256:00","state":"queued","bytes_hex":"18"}"#),
        chunked(
            "200 OK",
            r#"{"id":7,"command":"/PUS/PUS17/PING","principal":"ci","arguments":[],"digest":"sha256:00",
            "bytes_hex":"18","state":"completed","finished":true,"requested_ms":1,"stages":[
            {"stage":"acceptance","outcome":"passed"},{"stage":"completion","outcome":"passed"}],"history":[]}"#,
        ),
        json(
            "200 OK",
            r#"[{"parameter":"/PUS/HK/BATTERY_V","time_ms":5,"raw":800,"eng":12.5,"level":"normal","valid":true}]"#,
        ),
    ]);
    let out = groundplane(
        &["procedure", "run", arg(&file), "--mission", "sentinel-x", "--env", "dev", "--junit", arg(&junit)],
        &[("GROUNDPLANE_URL", &url), ("GROUNDPLANE_TOKEN", "t0ken")],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let requests = server.join().unwrap();
    assert_eq!(
        requests,
        [
            "POST /api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer t0ken",
            "GET /api/missions/sentinel-x/envs/dev/commands/7 HTTP/1.1 | Authorization: Bearer t0ken",
            "GET /api/missions/sentinel-x/envs/dev/parameters/latest?names=/PUS/HK/BATTERY_V HTTP/1.1 | Authorization: Bearer t0ken",
        ]
    );
    for line in [
        "[1/3] send /PUS/PUS17/PING\n",
        "[1/3] send /PUS/PUS17/PING … completed in ",
        "[2/3] parameter /PUS/HK/BATTERY_V > 20 … FAILED in ",
        ": value 12.5 is not > 20\n",
        "[3/3] wait 1 s … skipped\n",
        "FAILED PUS ping: 1 passed, 1 failed, 0 errors, 1 skipped in ",
    ] {
        assert!(stdout.contains(line), "no {line:?} in:\n{stdout}");
    }
    let xml = std::fs::read_to_string(&junit).unwrap();
    for part in [
        r#"<testsuite name="PUS ping" tests="3" failures="1" errors="0" skipped="1""#,
        r#"<testcase name="01 send /PUS/PUS17/PING" classname="PUS ping""#,
        r#"<testcase name="02 parameter /PUS/HK/BATTERY_V &gt; 20" classname="PUS ping""#,
        r#"<failure message="value 12.5 is not &gt; 20">"#,
        "<skipped/>",
    ] {
        assert!(xml.contains(part), "no {part:?} in:\n{xml}");
    }
}

#[test]
fn run_without_a_platform_exits_two() {
    let dir = TempDir::new("procedure-down");
    let file = dir.0.join("ping.toml");
    std::fs::write(&file, GOOD).unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let out = groundplane(&["procedure", "run", arg(&file), "--mission", "m", "--env", "dev", "--url", &url], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("[1/3] send /PUS/PUS17/PING … ERROR in "), "{stdout}");
    assert!(stdout.contains("ERROR PUS ping: 0 passed, 0 failed, 1 errors, 2 skipped"), "{stdout}");
}
