//! The secrets vault through the real binary, and the leak scan of issue 7: secrets with
//! random values are planted through `groundplane secret put` and the API; `groundplane serve`
//! runs a deployment whose TCP uplink logs in to a fake ground station with one of them; many
//! routes are called (secrets, status, commands, the control plane, a malformed and two
//! unauthorized PUTs); then stdout, stderr (RUST_LOG=debug), every response (status, headers,
//! body), the audit chain and every file of the data folder but the vault's own ciphertext
//! are scanned for each value as text, hex and base64. Only the station may see a value.

use crate::harness::TempDir;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_utils::http;

const OFFICER: &str = "officer-token-0123456789";
const VIEWER: &str = "viewer-token-0123456789";
const DEV: &str = "/api/missions/pus-example/envs/dev";

/// A value no run could hold by chance.
fn random_value(label: &str) -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write(label.as_bytes());
    let (a, b) = (hasher.finish(), RandomState::new().build_hasher().finish());
    format!("{label}-{a:016x}{b:016x}")
}

/// The forms a value could leak in: as is, hex (both cases), base64 (padded, bare, URL-safe).
fn forms(value: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let hex: String = value.iter().map(|byte| format!("{byte:02x}")).collect();
    let base64 = base64(value);
    let bare = base64.trim_end_matches('=').to_string();
    let url_safe = bare.replace('+', "-").replace('/', "_");
    vec![
        ("text", value.to_vec()),
        ("hex", hex.clone().into_bytes()),
        ("HEX", hex.to_uppercase().into_bytes()),
        ("base64", base64.into_bytes()),
        ("base64 unpadded", bare.into_bytes()),
        ("base64url", url_safe.into_bytes()),
    ]
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let bits = chunk.iter().enumerate().fold(0u32, |bits, (i, byte)| bits | u32::from(*byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Where (`what`, form) any planted value shows in `haystack`.
fn leaks(what: &str, haystack: &[u8], planted: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut found = Vec::new();
    for (label, value) in planted {
        for (form, needle) in forms(value) {
            if haystack.windows(needle.len()).any(|window| window == needle.as_slice()) {
                found.push(format!("{what}: {label} as {form}"));
            }
        }
    }
    found
}

#[test]
fn the_scanner_finds_a_planted_value_in_every_form() {
    // Eight bytes: base64 with padding, and with `/` (so that base64url differs).
    let planted = vec![("v".to_string(), b"s3cr\xff\xfft\x00".to_vec())];
    for (form, needle) in forms(&planted[0].1) {
        let sample = [b"log line: ".as_slice(), &needle, b" end"].concat();
        let found = leaks("sample", &sample, &planted);
        assert!(found.contains(&format!("sample: v as {form}")), "{form}: {found:?}");
    }
    assert_eq!(
        forms(&planted[0].1).iter().map(|(_, needle)| needle).collect::<std::collections::BTreeSet<_>>().len(),
        6
    );
    assert_eq!(base64(b"xyz"), "eHl6");
    assert_eq!(base64(b"xy"), "eHk=");
    assert!(leaks("clean", b"nothing here", &planted).is_empty());
}

/// Every file under `dir` but the vault's store, with its bytes.
fn files(dir: &Path, vault: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if !path.starts_with(vault) {
                found.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    found
}

/// A ground station on loopback that keeps every byte the uplink sends.
fn station() -> (SocketAddr, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let keep = keep.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buffer) {
                    if n == 0 {
                        return;
                    }
                    keep.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
            });
        }
    });
    (address, received)
}

fn config(dir: &Path, station: SocketAddr) -> PathBuf {
    let text = format!(
        r#"data_dir = "data"
[vault]
master_key_file = "master.key"
[auth]
anonymous_read = true
[[auth.tokens]]
name = "officer"
token = "{OFFICER}"
grants = ["pus-example/*/security-officer", "pus-example/*/operator", "*/*/platform-admin"]
scopes = ["*"]
[[auth.tokens]]
name = "viewer"
token = "{VIEWER}"
grants = ["pus-example/dev/viewer"]
scopes = ["pus-example/dev"]

{pus_mission}[[mission.deployment]]
env = "dev"
[[mission.deployment.link]]
name = "tm"
transport = "udp"
address = "127.0.0.1:0"
framing = "packets"
[mission.deployment.uplink]
transport = "tcp"
address = "{station}"
login_secret = "gs-kiruna.password"
"#,
        pus_mission = crate::harness::pus_example_mission(),
    );
    let path = dir.join("server.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn groundplane(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_groundplane"))
        .args(args)
        .env_remove("GROUNDPLANE_MASTER_KEY")
        .output()
        .expect("the groundplane binary runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    assert!(output.status.success(), "{args:?}: {}{}", text(&output.stdout), text(&output.stderr));
    output
}

/// A server process, killed (SIGKILL) if still running when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A request: method, path, token, body, and the status it must answer.
type Step<'a> = (&'a str, String, Option<&'a str>, Option<String>, u16);

/// The server with stdout and stderr in files, RUST_LOG=debug; its HTTP address.
fn serve(dir: &Path, config: &Path) -> (Running, SocketAddr) {
    let stdout = std::fs::File::create(dir.join("stdout.log")).unwrap();
    let stderr = std::fs::File::create(dir.join("stderr.log")).unwrap();
    let child = Running(
        Command::new(env!("CARGO_BIN_EXE_groundplane"))
            .args(["serve", "--config", config.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "debug")
            .env_remove("GROUNDPLANE_MASTER_KEY")
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("the groundplane binary starts"),
    );
    let started = Instant::now();
    loop {
        let out = std::fs::read_to_string(dir.join("stdout.log")).unwrap_or_default();
        if let Some(rest) = out.split("groundplane: serving http://").nth(1) {
            return (child, rest.split(' ').next().unwrap().parse().unwrap());
        }
        let errors = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not start:\n{out}\n{errors}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn no_planted_secret_shows_in_logs_answers_audit_or_files_of_a_full_run() {
    let dir = TempDir::new("secrets-leak");
    let (root, data) = (dir.0.clone(), dir.0.join("data"));
    let vault = data.join("_platform/vault");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    groundplane(&["secret", "init-key", "--out", &path(&root.join("master.key"))]);
    let master_key = std::fs::read_to_string(root.join("master.key")).unwrap().trim().to_string();
    let mut planted: Vec<(String, Vec<u8>)> = Vec::new();
    // Through the CLI: the station's password (delivered), and a secret of another scope.
    for (env, name, label) in [("dev", "gs-kiruna.password", "login"), ("aiv", "other.token", "cli-aiv")] {
        let value = random_value(label);
        let file = root.join(format!("{label}.value"));
        std::fs::write(&file, &value).unwrap();
        let at = ["--dir", &path(&vault), "--mission", "pus-example", "--env", env];
        let key = ["--master-key", &path(&root.join("master.key")), "--value-file", &path(&file)];
        groundplane(&[&["secret", "put"], &at[..], &[name], &key[..]].concat());
        std::fs::remove_file(&file).unwrap();
        planted.push((label.to_string(), value.into_bytes()));
    }
    let login = planted[0].1.clone();
    let (station, received) = station();
    let config = config(&root, station);
    let (mut child, address) = serve(&root, &config);

    let mut answers: Vec<u8> = Vec::new();
    let mut call = |method: &str, uri: &str, token: Option<&str>, body: Option<&str>| -> http::Response {
        let auth = token.map(|token| format!("Bearer {token}"));
        let mut headers: Vec<(&str, &str)> = auth.iter().map(|value| ("Authorization", value.as_str())).collect();
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let response = http::request(address, method, uri, &headers, body).unwrap();
        answers.extend_from_slice(format!("{method} {uri} → {}\n", response.status).as_bytes());
        for (name, value) in &response.headers {
            answers.extend_from_slice(format!("{name}: {value}\n").as_bytes());
        }
        answers.extend_from_slice(&response.body);
        answers.push(b'\n');
        response
    };
    let api_text = random_value("api-text");
    let api_bytes = random_value("api-bytes").into_bytes();
    let malformed = random_value("malformed");
    let unauthorized = random_value("unauthorized");
    let secrets = format!("{DEV}/secrets");
    let put_text = format!(r#"{{"value":"{api_text}"}}"#);
    let put_bytes = format!(r#"{{"value_base64":"{}"}}"#, base64(&api_bytes));
    let steps: Vec<Step<'_>> = vec![
        ("GET", secrets.clone(), Some(OFFICER), None, 200),
        ("PUT", format!("{secrets}/api.key"), Some(OFFICER), Some(put_text), 200),
        ("PUT", format!("{secrets}/api.bin"), Some(OFFICER), Some(put_bytes), 200),
        ("PUT", format!("{secrets}/api.key"), Some(OFFICER), Some(format!(r#"{{"value":["{malformed}"]}}"#)), 400),
        ("PUT", format!("{secrets}/api.key"), Some(OFFICER), Some(format!(r#"{{"{malformed}":1}}"#)), 400),
        ("PUT", format!("{secrets}/api.key"), None, Some(format!(r#"{{"value":"{unauthorized}"}}"#)), 403),
        ("PUT", format!("{secrets}/api.key"), Some(VIEWER), Some(format!(r#"{{"value":"{unauthorized}"}}"#)), 403),
        ("GET", secrets.clone(), Some(OFFICER), None, 200),
        ("POST", format!("{DEV}/secrets-rotate"), Some(OFFICER), None, 200),
        ("DELETE", format!("{secrets}/api.bin"), Some(OFFICER), None, 200),
        ("GET", format!("{DEV}/status"), None, None, 200),
        ("GET", format!("{DEV}/commands/definitions"), None, None, 200),
        ("POST", format!("{DEV}/commands"), Some(OFFICER), Some(r#"{"command":"/PUS17/ARE_YOU_ALIVE"}"#.into()), 202),
        ("GET", "/api/missions".into(), Some(OFFICER), None, 200),
        ("GET", "/api/control/drift".into(), Some(OFFICER), None, 200),
        ("GET", "/api/deployments".into(), None, None, 200),
        ("GET", "/metrics".into(), Some(OFFICER), None, 200),
        ("GET", "/api/openapi.json".into(), None, None, 200),
    ];
    for (method, uri, token, body, status) in &steps {
        let response = call(method, uri, *token, body.as_deref());
        assert_eq!(response.status, *status, "{method} {uri}: {}", response.text());
    }
    planted.extend([
        ("api-text".to_string(), api_text.into_bytes()),
        ("api-bytes".to_string(), api_bytes),
        ("malformed".to_string(), malformed.into_bytes()),
        ("unauthorized".to_string(), unauthorized.into_bytes()),
        ("master-key".to_string(), master_key.into_bytes()),
    ]);
    // The station gets the login line, then the telecommand.
    let expected_login = [b"LOGIN ".as_slice(), &login, b"\n"].concat();
    let started = Instant::now();
    while received.lock().unwrap().len() <= expected_login.len() {
        assert!(started.elapsed() < Duration::from_secs(20), "the station got {:?}", received.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    let station_bytes = received.lock().unwrap().clone();
    assert!(station_bytes.starts_with(&expected_login), "the uplink logs in first");
    // The one place a value may go, and proof the scan sees it there.
    assert_eq!(leaks("the station", &station_bytes, &planted[..1]), ["the station: login as text"]);
    let history = call("GET", &format!("{DEV}/commands/history"), None, None);
    assert_eq!(history.status, 200, "{}", history.text());

    // Stop it (SIGTERM: a clean stop signs the audit chain's tail).
    let pid = child.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "the server stopped with {status}");

    let verify = groundplane(&["audit", "verify", "--dir", &path(&data.join("_platform/audit"))]);
    let show = groundplane(&["audit", "show", "--dir", &path(&data.join("_platform/audit"))]);
    let shown = String::from_utf8_lossy(&show.stdout).into_owned();
    for action in ["secret.put", "secret.list", "secret.rotate", "secret.delete", "secret.deliver"] {
        assert!(shown.contains(action), "no {action} record:\n{shown}");
    }
    assert!(String::from_utf8_lossy(&verify.stdout).contains("valid"));

    let mut found = Vec::new();
    for log in ["stdout.log", "stderr.log"] {
        found.extend(leaks(log, &std::fs::read(root.join(log)).unwrap(), &planted));
    }
    found.extend(leaks("the answers", &answers, &planted));
    found.extend(leaks("audit show", shown.as_bytes(), &planted));
    found.extend(leaks("audit verify", &verify.stdout, &planted));
    let data_files = files(&data, &vault);
    assert!(data_files.iter().any(|(path, _)| path.to_string_lossy().contains("audit.sqlite")));
    for (file, bytes) in &data_files {
        found.extend(leaks(&file.strip_prefix(&root).unwrap().display().to_string(), bytes, &planted));
    }
    assert_eq!(found, Vec::<String>::new(), "planted values leaked");
    let stderr = std::fs::read_to_string(root.join("stderr.log")).unwrap();
    assert!(!stderr.is_empty(), "the logs were captured");
}
