//! A real `groundplane serve` child process on loopback, for the server tests.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use test_utils::http;

/// A running server; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub http: SocketAddr,
    /// `mission/env link` → its bound address.
    pub links: BTreeMap<String, SocketAddr>,
}

impl Server {
    /// Starts `groundplane serve --config <config>` and waits until it listens.
    pub fn start(config: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_groundplane"))
            .args(["serve", "--config", config.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .env("GROUNDPLANE_REAL_DIR", test_utils::real_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the groundplane binary starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut links = BTreeMap::new();
        let mut http = None;
        let mut lines = stdout.lines();
        for line in &mut lines {
            let line = line.expect("server output");
            if let Some(rest) = line.strip_prefix("link ") {
                // link <mission/env> <name> <transport> <address>
                let words: Vec<&str> = rest.split(' ').collect();
                links.insert(format!("{} {}", words[0], words[1]), words[3].parse().unwrap());
            } else if let Some(rest) = line.strip_prefix("groundplane: serving http://") {
                http = Some(rest.split(' ').next().unwrap().parse().unwrap());
                break;
            }
        }
        let http = http.unwrap_or_else(|| panic!("the server did not start (status {:?})", child.try_wait()));
        // Deployments the control plane starts later print too: keep reading.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, http, links }
    }

    /// GET a path; panics on a transport error.
    pub fn get(&self, path: &str) -> http::Response {
        http::get(self.http, path).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET a path that must answer 200 with JSON.
    pub fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path);
        assert_eq!(response.status, 200, "GET {path}: {}", response.text());
        serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("GET {path}: {e}: {}", response.text()))
    }

    /// The durable unit count of a deployment.
    pub fn stored_units(&self, scope: &str) -> u64 {
        let status = self.json(&format!("/api/missions/{}/status", scope.replace('/', "/envs/")));
        status["stored"]["units"].as_u64().unwrap()
    }

    /// Waits until `done` holds, polling; panics after `timeout`.
    pub fn wait_until(&self, what: &str, timeout: Duration, mut done: impl FnMut(&Server) -> bool) {
        let start = Instant::now();
        while !done(self) {
            assert!(start.elapsed() < timeout, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server at once (SIGKILL): no chance to commit or clean up.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        TempDir(test_utils::temp_dir(label))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The packets of a real capture.
pub fn packets(relative: &str) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(test_utils::real(relative)).unwrap();
    ccsds::whole_packets(&bytes).into_iter().map(<[u8]>::to_vec).collect()
}

pub const JPSS_MODEL: &str = "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml";
pub const JPSS_DATA: &str = "lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1";
pub const IDEX_MODEL: &str = "lasp-space_packet_parser/idex/idex_combined_science_definition.xml";
pub const IDEX_DATA: &str = "lasp-space_packet_parser/idex/sciData_2023_052_14_45_05";

/// The `[[mission]]` table of the Yamcs PUS example with its PUS sizes, as a server
/// configuration names it (its deployments follow).
pub fn pus_example_mission() -> String {
    let (pus_dir, _) = test_utils::PUS_EXAMPLE;
    format!(
        r#"[[mission]]
name = "pus-example"
model = "{}"
model_exclude = ["pus20.xml", "landing.xml", "pus-xtce-verif.xml"]
[mission.pus]
data_field_header_len = 15
has_crc = true
step_id_len = 4
failure_code_len = 4
event_id_len = 2
time_offset = 14
time_coarse_len = 4
time_fine_len = 3
time_p_field = 0x2F
"#,
        test_utils::real(pus_dir).display()
    )
}
