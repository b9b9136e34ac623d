//! People, sessions and API tokens through the real binary (issue 7): users made with
//! `groundplane user add`, a sign-in over HTTP (cookie, CSRF), tokens made over the API and
//! the CLI, used, revoked and expired; every refusal answered 401/403 and found in the audit
//! chain, which `groundplane audit verify` accepts.

use crate::harness::{Server, TempDir};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use test_utils::http;

const STATUS: &str = "/api/missions/pus-example/envs/dev/status";

fn config(dir: &TempDir) -> std::path::PathBuf {
    let (pus_dir, _) = test_utils::PUS_EXAMPLE;
    let text = format!(
        r#"data_dir = "data"
[[mission]]
name = "pus-example"
model = "{pus}"
model_exclude = ["pus20.xml", "landing.xml", "pus-xtce-verif.xml"]
[[mission.deployment]]
env = "dev"
[[mission.deployment.link]]
name = "tm"
transport = "udp"
address = "127.0.0.1:0"
framing = "packets"
"#,
        pus = test_utils::real(pus_dir).display()
    );
    let path = dir.0.join("groundplane.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `groundplane ARGS` with `stdin`; answers (exit code, stdout, stderr).
fn groundplane(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_groundplane"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn call(server: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> http::Response {
    http::request(server.http, method, path, headers, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

fn json(response: &http::Response) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

#[test]
fn people_sign_in_make_tokens_and_lose_them_to_revocation_and_expiry() {
    let dir = TempDir::new("it-identity");
    let config = config(&dir);
    let data = dir.0.join("data");
    let data_arg = data.to_str().unwrap();
    let password = "correct horse battery staple";
    let add = |user: &str, grant: &str| {
        let (code, _, err) =
            groundplane(&["user", "add", user, "--grant", grant, "--data", data_arg], &format!("{password}\n"));
        assert_eq!(code, 0, "user add {user}: {err}");
    };
    add("alice", "pus-example/dev/operator");
    add("bob", "pus-example/dev/viewer");
    let server = Server::start(&config);
    // A token made on the command line while the server runs, living six seconds.
    let (code, short, err) = groundplane(
        &[
            "token",
            "create",
            "brief",
            "--owner",
            "bob",
            "--grant",
            "pus-example/dev/viewer",
            "--ttl",
            "6s",
            "--data",
            data_arg,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let short = short.trim().to_string();
    let made = std::time::Instant::now();
    assert!(short.starts_with("gpt_"), "{short}");
    let bearer = |secret: &str| format!("Bearer {secret}");

    // Nobody: no reads on a closed platform.
    assert_eq!(call(&server, "GET", STATUS, &[], None).status, 403);
    // A wrong password and an unknown user get the same answer.
    let wrong = call(&server, "POST", "/api/session", &[], Some(r#"{"user":"alice","password":"nope nope nope"}"#));
    let unknown = call(&server, "POST", "/api/session", &[], Some(r#"{"user":"mallory","password":"nope nope nope"}"#));
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(json(&wrong)["error"], json(&unknown)["error"]);
    assert!(!wrong.text().contains("nope nope"), "{}", wrong.text());

    // Alice signs in: a secure cookie and a CSRF token.
    let body = format!(r#"{{"user":"alice","password":"{password}"}}"#);
    let login = call(&server, "POST", "/api/session", &[], Some(&body));
    assert_eq!(login.status, 200, "{}", login.text());
    let set_cookie = login.header("set-cookie").expect("a session cookie").to_string();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(set_cookie.contains(flag), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let csrf = json(&login)["csrf"].as_str().unwrap().to_string();
    let who = json(&call(&server, "GET", "/api/session", &[("cookie", &cookie)], None));
    assert_eq!((who["principal"].as_str(), who["kind"].as_str()), (Some("alice"), Some("user")));
    assert_eq!(call(&server, "GET", STATUS, &[("cookie", &cookie)], None).status, 200);

    // A change with the cookie needs the CSRF header.
    let asked = r#"{"name":"ci","grants":["pus-example/dev/operator"]}"#;
    let no_csrf = call(&server, "POST", "/api/tokens", &[("cookie", &cookie)], Some(asked));
    assert_eq!(no_csrf.status, 401, "{}", no_csrf.text());
    let with = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
    // Not more than she holds.
    let more = r#"{"name":"ci","grants":["pus-example/ops/operator"]}"#;
    assert_eq!(call(&server, "POST", "/api/tokens", &with, Some(more)).status, 403);
    let created = call(&server, "POST", "/api/tokens", &with, Some(asked));
    assert_eq!(created.status, 201, "{}", created.text());
    let created = json(&created);
    let (token, id) =
        (created["secret"].as_str().unwrap().to_string(), created["token"]["id"].as_str().unwrap().to_string());
    // Shown once: the list never holds it.
    let listed = call(&server, "GET", "/api/tokens", &with, None);
    assert!(listed.text().contains(&id) && !listed.text().contains(&token), "{}", listed.text());

    // The token acts for alice, and cannot mint tokens.
    let who = json(&call(&server, "GET", "/api/session", &[("authorization", &bearer(&token))], None));
    assert_eq!((who["principal"].as_str(), who["kind"].as_str()), (Some("alice"), Some("token")));
    assert_eq!(call(&server, "GET", STATUS, &[("authorization", &bearer(&token))], None).status, 200);
    assert_eq!(call(&server, "POST", "/api/tokens", &[("authorization", &bearer(&token))], Some(asked)).status, 403);
    // Bob's viewer token may read, not command; and it expires.
    let read = call(&server, "GET", STATUS, &[("authorization", &bearer(&short))], None);
    assert_eq!(read.status, 200, "{}", read.text());
    let command = r#"{"command":"/PUS17/ARE_YOU_ALIVE","arguments":{}}"#;
    let commands = "/api/missions/pus-example/envs/dev/commands";
    assert_eq!(call(&server, "POST", commands, &[("authorization", &bearer(&short))], Some(command)).status, 403);
    std::thread::sleep(Duration::from_millis(6300).saturating_sub(made.elapsed()));
    let expired = call(&server, "GET", STATUS, &[("authorization", &bearer(&short))], None);
    assert_eq!(expired.status, 401, "{}", expired.text());
    assert!(expired.text().contains("expired"), "{}", expired.text());

    // Revoked: refused from the next request on.
    let revoked = call(&server, "DELETE", &format!("/api/tokens/{id}"), &with, None);
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(json(&revoked)["status"], "revoked");
    let refused = call(&server, "GET", STATUS, &[("authorization", &bearer(&token))], None);
    assert_eq!(refused.status, 401, "{}", refused.text());
    assert!(refused.text().contains("revoked"), "{}", refused.text());
    // A forged token (a right id, a wrong secret).
    let forged = format!("{}{}", &token[..token.len() - 4], "0000");
    assert_eq!(call(&server, "GET", STATUS, &[("authorization", &bearer(&forged))], None).status, 401);

    // Logout ends the session.
    let out = call(&server, "DELETE", "/api/session", &with, None);
    assert_eq!(out.status, 204, "{}", out.text());
    assert_eq!(call(&server, "GET", STATUS, &[("cookie", &cookie)], None).status, 401);
    drop(server);

    // Every refusal is in the audit chain, which verifies.
    let audit = data.join("_platform/audit");
    let audit_arg = audit.to_str().unwrap();
    let (code, shown, err) = groundplane(&["audit", "show", "--dir", audit_arg], "");
    assert_eq!(code, 0, "{err}");
    let served = ["expired", "revoked", "authz.send_command  deployment pus-example/dev  denied", "manage_tokens.done"];
    // The command line's changes too, made before and while the server ran: both writers chain
    // onto the same file.
    let command_line = ["user.add  platform  allowed", "user.add.done", "token.create  platform  allowed"];
    for needle in served.into_iter().chain(command_line) {
        assert!(shown.contains(needle), "no {needle:?} in the audit:\n{shown}");
    }
    assert!(!shown.contains(&token) && !shown.contains(password), "a secret in the audit");
    let (code, verified, err) = groundplane(&["audit", "verify", "--dir", audit_arg], "");
    assert_eq!(code, 0, "{verified}{err}");
    assert!(Path::new(&audit).exists());
}
