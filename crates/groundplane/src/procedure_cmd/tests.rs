//! The HTTP side of `procedure run`: response parsing on canned bytes, then the target against
//! a fake server thread on loopback answering canned responses.

use super::http::{read_response, Client, ReadError};
use super::target::{judge_status, HttpTarget};
use expect_test::{expect, Expect};
use procedure::Target;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

#[track_caller]
fn check_read(cases: &[&str], expect: Expect) {
    let got: Vec<String> = cases
        .iter()
        .map(|raw| match read_response(&mut raw.as_bytes()) {
            Ok(response) => format!("{} {:?}", response.status, String::from_utf8_lossy(&response.body)),
            Err(ReadError::Io(error)) => format!("io: {error}"),
            Err(ReadError::Malformed(reason)) => format!("malformed: {reason}"),
        })
        .collect();
    expect.assert_eq(&got.join("\n"));
}

#[test]
fn reads_every_body_framing_and_refuses_broken_responses() {
    check_read(
        &[
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello and more",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}",
            "HTTP/1.0 200 OK\nServer: old\n\nto the end",
            "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
            "",
            "SMTP ready\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        ],
        expect![[r#"
            200 "hello"
            200 "hello, world"
            202 "{}"
            200 "to the end"
            204 ""
            malformed: the connection closed before a complete response
            malformed: status line `SMTP ready`
            malformed: Content-Length `ten`
            malformed: the connection closed before the 10-byte body ended
            malformed: chunk size `zz`
            malformed: no CRLF after a chunk
            malformed: a body of 99999999999 bytes, more than 16777216
            malformed: header line `no colon`"#]],
    );
}

#[test]
fn a_header_line_longer_than_the_limit_is_refused() {
    let raw = format!("HTTP/1.1 200 OK\r\nX-Long: {}\r\n\r\n", "a".repeat(10_000));
    assert!(
        matches!(read_response(&mut raw.as_bytes()), Err(ReadError::Malformed(reason)) if reason.contains("longer"))
    );
}

#[test]
fn urls_are_http_with_a_host() {
    let errors: Vec<String> = ["https://example.org", "127.0.0.1:8080", "http://", "http://user@127.0.0.1:1"]
        .iter()
        .map(|url| Client::new(url, None).err().map_or("accepted".to_string(), |e| e.to_string()))
        .collect();
    expect![[r#"
        URL `https://example.org`: only http:// URLs are supported
        URL `127.0.0.1:8080`: only http:// URLs are supported
        URL `http://`: expected http://host:port
        URL `http://user@127.0.0.1:1`: expected http://host:port"#]]
    .assert_eq(&errors.join("\n"));
    assert!(Client::new("http://127.0.0.1:1/prefix/", None).is_ok());
    assert!(Client::new("http://[::1]", None).is_ok());
}

/// Answers one connection per canned response, in order, and returns the requests it got
/// (request line, `Authorization` header if any, body).
fn serve(responses: Vec<String>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for response in responses {
            let (stream, _) = listener.accept().expect("a connection");
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut seen = vec![request_line.trim_end().to_string()];
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let lower = header.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("content-length: ") {
                    length = value.parse().unwrap();
                }
                if lower.starts_with("authorization") {
                    seen.push(header.to_string());
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            if !body.is_empty() {
                seen.push(String::from_utf8(body).unwrap());
            }
            requests.push(seen.join(" | "));
            reader.get_mut().write_all(response.as_bytes()).unwrap();
        }
        requests
    });
    (url, server)
}

fn json_response(status: &str, body: &str) -> String {
    format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
}

fn chunked_response(status: &str, body: &str) -> String {
    let (first, second) = body.split_at(body.len() / 2);
    format!(
        "HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        first.len(),
        second.len()
    )
}

const VIEW: &str = r#"{"id":7,"command":"/PUS/PUS17/PING","principal":"alice","arguments":[],"digest":"sha256:00",
"bytes_hex":"18","state":"failed","finished":true,"requested_ms":1,"stages":[
{"stage":"acceptance","outcome":"passed","time_ms":2},
{"stage":"completion","outcome":"failed","time_ms":3,"failure_code":5,"deadline_ms":9}],"history":[]}"#;

#[test]
fn the_http_target_speaks_the_api() {
    let (url, server) = serve(vec![
        json_response("202 Accepted", r#"{"id":7,"digest":"sha256:00","state":"queued","bytes_hex":"18"}"#),
        chunked_response("200 OK", VIEW),
        json_response(
            "200 OK",
            r#"[{"parameter":"/PUS/HK/BATTERY_V","time_ms":5,"raw":900,"eng":23.5,"level":"normal","valid":true}]"#,
        ),
        json_response(
            "400 Bad Request",
            r#"{"error":"300 is out of 0..=255","field":"arguments.n","request_id":"r1"}"#,
        ),
        json_response(
            "404 Not Found",
            r#"{"error":"no mission named \"nosuch\"","field":"mission","request_id":"r2"}"#,
        ),
        json_response("401 Unauthorized", r#"{"error":"no token","request_id":"r3"}"#),
        "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_string(),
        json_response("500 Internal Server Error", r#"{"error":"internal error","request_id":"r4"}"#),
        json_response("200 OK", r#"{"unexpected":true}"#),
    ]);
    let client = Client::new(&format!("{url}/base/"), Some("s3cret".into())).unwrap();
    let mut target = HttpTarget::new(client, "sentinel-x", "dev");
    let arguments = serde_json::json!({"apid": 100}).as_object().unwrap().clone();
    let mut results = vec![
        format!("{:?}", target.send("/PUS/PUS17/PING", &arguments)),
        format!("{:?}", target.command(7)),
        format!("{:?}", target.latest(&["/PUS/HK/BATTERY_V", "A,B"])),
    ];
    for _ in 0..5 {
        results.push(format!("{:?}", target.send("/X", &serde_json::Map::new())));
    }
    results.push(format!("{:?}", target.command(8)));
    let requests = server.join().unwrap();
    expect![[r#"
        POST /base/api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer s3cret | {"command":"/PUS/PUS17/PING","arguments":{"apid":100}}
        GET /base/api/missions/sentinel-x/envs/dev/commands/7 HTTP/1.1 | Authorization: Bearer s3cret
        GET /base/api/missions/sentinel-x/envs/dev/parameters/latest?names=/PUS/HK/BATTERY_V,A%2CB HTTP/1.1 | Authorization: Bearer s3cret
        POST /base/api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer s3cret | {"command":"/X","arguments":{}}
        POST /base/api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer s3cret | {"command":"/X","arguments":{}}
        POST /base/api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer s3cret | {"command":"/X","arguments":{}}
        POST /base/api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer s3cret | {"command":"/X","arguments":{}}
        POST /base/api/missions/sentinel-x/envs/dev/commands HTTP/1.1 | Authorization: Bearer s3cret | {"command":"/X","arguments":{}}
        GET /base/api/missions/sentinel-x/envs/dev/commands/8 HTTP/1.1 | Authorization: Bearer s3cret
        ---
        Ok(7)
        Ok(CommandState { state: "failed", finished: true, stages: [StageState { stage: "acceptance", outcome: Passed, failure_code: None }, StageState { stage: "completion", outcome: Failed, failure_code: Some(5) }] })
        Ok([ParameterValue { parameter: "/PUS/HK/BATTERY_V", time_ms: 5, eng: Number(23.5) }])
        Err(Refused { message: "HTTP 400: 300 is out of 0..=255 (field `arguments.n`, request r1)" })
        Err(Unavailable { message: "HTTP 404: no mission named \"nosuch\" (field `mission`, request r2)" })
        Err(Unavailable { message: "HTTP 401: no token (request r3); give a token with --token or $GROUNDPLANE_TOKEN" })
        Err(Unavailable { message: "HTTP 404: not found" })
        Err(Unavailable { message: "HTTP 500: internal error (request r4)" })
        Err(Unavailable { message: "GET /api/missions/sentinel-x/envs/dev/commands/8: unexpected JSON (missing field `id` at line 1 column 19): {\"unexpected\":true}" })"#]].assert_eq(&format!("{}\n---\n{}", requests.join("\n"), results.join("\n")));
}

#[test]
fn a_closed_port_makes_the_target_unavailable() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
    let error = HttpTarget::new(client, "m", "dev").send("/X", &serde_json::Map::new()).unwrap_err();
    assert!(
        matches!(&error, procedure::TargetError::Unavailable { message } if message.contains("connecting to 127.0.0.1")),
        "{error:?}"
    );
}

#[test]
fn a_2xx_status_gives_the_body() {
    let response = super::http::Response { status: 201, body: b"{}".to_vec() };
    assert_eq!(judge_status(&response).unwrap(), b"{}");
}
