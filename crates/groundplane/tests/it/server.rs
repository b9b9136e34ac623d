//! Two missions on one server, each with a UDP and a TCP link: real packets in, queries back
//! over HTTP, samples live over WebSocket, and neither mission sees the other's data.

use crate::harness::{packets, Server, TempDir, IDEX_DATA, IDEX_MODEL, JPSS_DATA, JPSS_MODEL};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn config(dir: &TempDir) -> std::path::PathBuf {
    let link = |name: &str, transport: &str| {
        format!(
            "[[mission.deployment.link]]\nname = \"{name}\"\ntransport = \"{transport}\"\naddress = \"127.0.0.1:0\"\nframing = \"packets\"\n"
        )
    };
    let mission = |name: &str, model: &str| {
        format!(
            "[[mission]]\nname = \"{name}\"\nmodel = \"{}\"\n[[mission.deployment]]\nenv = \"dev\"\n{}{}",
            test_utils::real(model).display(),
            link("udp", "udp"),
            link("tcp", "tcp")
        )
    };
    let text = format!(
        "data_dir = \"data\"\n[auth]\nanonymous_read = true\n{}{}",
        mission("jpss-1", JPSS_MODEL),
        mission("imap-idex", IDEX_MODEL)
    );
    let path = dir.0.join("groundplane.toml");
    std::fs::write(&path, text).unwrap();
    path
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a live stream and waits until the server has taken the subscription (link status
/// messages start arriving).
async fn live(server: &Server, scope: &str, parameters: &[&str]) -> Socket {
    let url = format!("ws://{}/api/missions/{}/live", server.http, scope.replace('/', "/envs/"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("WebSocket connects");
    let subscription = serde_json::json!({ "parameters": parameters, "links": true });
    socket.send(Message::text(subscription.to_string())).await.unwrap();
    loop {
        let message = next_json(&mut socket).await;
        if message["type"] == "link" {
            return socket;
        }
    }
}

async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("a live message within 20 s")
            .expect("the stream is open")
            .expect("a good frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Reads samples until `n` have arrived; returns their parameter names.
async fn samples(socket: &mut Socket, n: usize) -> Vec<String> {
    let mut names = Vec::new();
    while names.len() < n {
        let message = next_json(socket).await;
        if message["type"] == "samples" {
            assert_eq!(message["dropped"], 0);
            names.extend(
                message["samples"].as_array().unwrap().iter().map(|s| s["parameter"].as_str().unwrap().to_string()),
            );
        }
    }
    names
}

fn send_udp(address: std::net::SocketAddr, packets: &[Vec<u8>]) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for packet in packets {
        socket.send_to(packet, address).unwrap();
        // Loopback UDP drops when the receiver's buffer is full: pace a little.
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn send_tcp(address: std::net::SocketAddr, packets: &[Vec<u8>]) {
    let mut stream = TcpStream::connect(address).unwrap();
    for packet in packets {
        stream.write_all(packet).unwrap();
    }
}

#[test]
fn two_missions_over_udp_and_tcp_queried_and_live_each_seeing_only_its_own() {
    let dir = TempDir::new("two-missions");
    let server = Server::start(&config(&dir));
    let jpss = packets(JPSS_DATA);
    let idex = packets(IDEX_DATA);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (mut jpss_live, mut idex_live) = runtime
        .block_on(async { (live(&server, "jpss-1/dev", &["*"]).await, live(&server, "imap-idex/dev", &["*"]).await) });

    send_udp(server.links["jpss-1/dev udp"], &jpss[..300]);
    send_tcp(server.links["jpss-1/dev tcp"], &jpss[300..1000]);
    send_udp(server.links["imap-idex/dev udp"], &idex[..30]);
    send_tcp(server.links["imap-idex/dev tcp"], &idex[30..]);
    server.wait_until("every unit stored", Duration::from_secs(30), |s| {
        s.stored_units("jpss-1/dev") == 1000 && s.stored_units("imap-idex/dev") == idex.len() as u64
    });

    // Live: each stream carries its own mission's parameters only.
    let (jpss_names, idex_names) =
        runtime.block_on(async { (samples(&mut jpss_live, 1000).await, samples(&mut idex_live, idex.len()).await) });
    let jpss_parameters = server.json("/api/missions/jpss-1/envs/dev/parameters");
    let idex_parameters = server.json("/api/missions/imap-idex/envs/dev/parameters");
    let names = |list: &Value| -> std::collections::BTreeSet<String> {
        list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
    };
    let (jpss_set, idex_set) = (names(&jpss_parameters), names(&idex_parameters));
    assert!(!jpss_set.is_empty() && !idex_set.is_empty());
    assert!(jpss_set.is_disjoint(&idex_set), "the two archives share no parameter");
    let base = |name: &str| name.split('[').next().unwrap().to_string();
    assert!(jpss_names.iter().all(|n| jpss_set.contains(&base(n))), "JPSS live carries JPSS parameters only");
    assert!(idex_names.iter().all(|n| idex_set.contains(&base(n))), "IDEX live carries IDEX parameters only");

    // Queries: units by APID, a range with paging, buckets, CSV, latest.
    let units = server.json("/api/missions/jpss-1/envs/dev/units?limit=100000");
    assert_eq!(units["items"].as_array().unwrap().len(), 1000);
    let apid = units["items"][0]["apid"].as_u64().unwrap();
    let of_apid = server.json(&format!("/api/missions/jpss-1/envs/dev/units?apid={apid}&limit=100000"));
    let expected = jpss[..1000].iter().filter(|p| u64::from(u16::from_be_bytes([p[0], p[1]]) & 0x7FF) == apid).count();
    assert_eq!(of_apid["items"].as_array().unwrap().len(), expected);
    let one = jpss_parameters[0]["name"].as_str().unwrap();
    let samples_of_one = jpss_parameters[0]["samples"].as_u64().unwrap();
    let mut paged = 0;
    let mut cursor = String::new();
    loop {
        let page = server.json(&format!("/api/missions/jpss-1/envs/dev/samples?parameters={one}&limit=7{cursor}"));
        paged += page["items"].as_array().unwrap().len() as u64;
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, samples_of_one, "paging returns every sample once");
    let csv = server.get(&format!("/api/missions/jpss-1/envs/dev/samples?parameters={one}&format=csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.text().lines().count() as u64, samples_of_one + 1, "a header and one row per sample");
    let buckets = server.json(&format!("/api/missions/jpss-1/envs/dev/samples/buckets?parameter={one}&buckets=10"));
    let counted: u64 = buckets.as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert!(counted <= samples_of_one);
    let latest = server.json(&format!("/api/missions/jpss-1/envs/dev/parameters/latest?names={one}"));
    assert_eq!(latest.as_array().unwrap().len(), 1);

    // Isolation through the API: a JPSS parameter does not exist in the IDEX deployment.
    let cross = server.json(&format!("/api/missions/imap-idex/envs/dev/samples?parameters={one}"));
    assert!(cross["items"].as_array().unwrap().is_empty());
    let missing = server.get("/api/missions/no-such/envs/dev/status");
    assert_eq!(missing.status, 404);
    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("groundplane_units_stored_total{mission=\"jpss-1\",env=\"dev\"} 1000"), "{metrics}");
}
