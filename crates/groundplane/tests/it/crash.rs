//! Crash safety: a server ingesting over TCP is killed with SIGKILL at random moments; after
//! each restart everything it reported stored is there, and queries work.

use crate::harness::{packets, Server, TempDir, JPSS_DATA, JPSS_MODEL};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ROUNDS: usize = 4;

/// A small deterministic generator (xorshift64*): a failing seed reproduces the failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn config(dir: &TempDir) -> std::path::PathBuf {
    let path = dir.0.join("groundplane.toml");
    let model = test_utils::real(JPSS_MODEL);
    let text = format!(
        r#"data_dir = "data"
[auth]
anonymous_read = true
[[mission]]
name = "jpss-1"
model = "{}"
[[mission.deployment]]
env = "dev"
[[mission.deployment.link]]
name = "tm"
transport = "tcp"
address = "127.0.0.1:0"
framing = "packets"
"#,
        model.display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Counts the units the archive returns, page by page.
fn units_in_archive(server: &Server) -> u64 {
    let mut count = 0;
    let mut cursor = String::new();
    loop {
        let page = server.json(&format!("/api/missions/jpss-1/envs/dev/units?limit=5000{cursor}"));
        count += page["items"].as_array().unwrap().len() as u64;
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return count,
        }
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_reported_stored() {
    let seed = 0x5EED_0004_u64;
    let mut rng = Rng(seed);
    let dir = TempDir::new("crash");
    let config = config(&dir);
    let jpss = packets(JPSS_DATA);
    let mut reported_before = 0;
    for round in 0..ROUNDS {
        let server = Server::start(&config);
        let on_disk = server.stored_units("jpss-1/dev");
        assert!(
            on_disk >= reported_before,
            "seed {seed:#x} round {round}: {reported_before} units were reported stored, {on_disk} are there"
        );
        assert_eq!(units_in_archive(&server), on_disk, "seed {seed:#x} round {round}: the totals match the data");
        let link = server.links["jpss-1/dev tm"];
        let stop = Arc::new(AtomicBool::new(false));
        let sender = {
            let (stop, jpss) = (stop.clone(), jpss.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(link).unwrap();
                for packet in jpss.iter().cycle() {
                    if stop.load(Ordering::Relaxed) || stream.write_all(packet).is_err() {
                        return;
                    }
                }
            })
        };
        // Once it is storing, let it ingest for a random while, asking what is stored, then
        // kill it mid-flight.
        server.wait_until("ingest", Duration::from_secs(30), |s| s.stored_units("jpss-1/dev") > on_disk);
        let mut reported = on_disk;
        let deadline = std::time::Instant::now() + Duration::from_millis(150 + rng.below(600));
        while std::time::Instant::now() < deadline {
            reported = reported.max(server.stored_units("jpss-1/dev"));
            std::thread::sleep(Duration::from_millis(rng.below(40)));
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        let _ = sender.join();
        assert!(reported > on_disk, "seed {seed:#x} round {round}: the server stored nothing new in its run");
        reported_before = reported;
    }
    let server = Server::start(&config);
    assert!(server.stored_units("jpss-1/dev") >= reported_before);
    let parameters = server.json("/api/missions/jpss-1/envs/dev/parameters");
    assert!(!parameters.as_array().unwrap().is_empty(), "queries work after the last crash");
}
