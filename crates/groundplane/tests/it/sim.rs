//! `groundplane sim` end to end: the SpacePy MIB's simulator on loopback sends TM to a UDP
//! socket and answers a ping sent over UDP; bad arguments and files exit 2 naming the place.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long the test waits for the simulator.
const WAIT: Duration = Duration::from_secs(20);

/// A running `groundplane sim`; killed when dropped.
struct Sim {
    child: Child,
    tc: SocketAddr,
}

impl Sim {
    /// Starts the simulator of the SpacePy MIB sending TM to `tm`; waits for its TC address.
    fn start(tm: SocketAddr) -> Sim {
        let model = test_utils::real(test_utils::SPACEPY_MIB.0);
        let tm = format!("udp:{tm}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_groundplane"))
            .args(["sim", "--model", model.to_str().unwrap(), "--tm", &tm, "--tc", "udp:127.0.0.1:0"])
            .args(["--tick-ms", "10", "--apid", "1234", "--duration-s", "60"])
            // The MIB's PUS-C header: 12 bytes with a CUC 4+1 time, no CRC.
            .args(["--pus-header-len", "12", "--pus-crc", "false", "--time-fine-len", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the groundplane binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut tc = None;
        for line in lines.by_ref() {
            let line = line.expect("sim output");
            if let Some(address) = line.strip_prefix("sim: tc listening udp ") {
                tc = Some(address.parse().expect("an address"));
                break;
            }
        }
        // The rest of its output is read (and dropped) so that the pipe never fills.
        std::thread::spawn(move || lines.for_each(drop));
        let tc = tc.unwrap_or_else(|| panic!("the simulator did not start (status {:?})", child.try_wait()));
        Sim { child, tc }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_groundplane")).arg("sim").args(args).output().expect("the binary runs")
}

#[test]
fn a_ping_over_udp_is_answered_with_tm_17_2() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let sim = Sim::start(socket.local_addr().unwrap());
    let ping = tc::pus::pus_tc(1234, 9, 17, 1, 0, 0b1001, &[]).unwrap();
    UdpSocket::bind("127.0.0.1:0").unwrap().send_to(&ping, sim.tc).unwrap();
    let start = Instant::now();
    let mut buffer = [0u8; 65_536];
    let mut seen = Vec::new();
    loop {
        assert!(start.elapsed() < WAIT, "no TM[17,2] among {} packets: {seen:?}", seen.len());
        let Ok(len) = socket.recv(&mut buffer) else { continue };
        let packet = &buffer[..len];
        let header = ccsds::PacketHeader::parse(packet, 0).expect("a CCSDS packet");
        assert_eq!(header.packet_len(), len, "one packet per datagram");
        let kind = (header.apid, packet.get(7).copied(), packet.get(8).copied());
        if kind == (1234, Some(17), Some(2)) {
            break;
        }
        seen.push(kind);
    }
}

#[test]
fn bad_arguments_and_files_exit_2_naming_the_place() {
    let model = test_utils::real(test_utils::SPACEPY_MIB.0);
    let model = model.to_str().unwrap();
    let out = sim(&["--model", model, "--tm", "udp:127.0.0.1", "--tc", "udp:127.0.0.1:0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'--tm <TM>'") && stderr.contains("expected udp:HOST:PORT or tcp:HOST:PORT"), "{stderr}");

    let dir = crate::harness::TempDir::new("sim-scenario");
    let scenario = dir.0.join("bad.txt");
    std::fs::write(&scenario, "drop 10%\nat 5s event 3 loud\n").unwrap();
    let scenario = scenario.to_str().unwrap();
    let args = ["--model", model, "--tm", "udp:127.0.0.1:9", "--tc", "udp:127.0.0.1:0", "--scenario", scenario];
    let out = sim(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{scenario}:2:")), "{stderr}");

    // The whole Yamcs PUS example folder has a draft with errors: refused with the report.
    let broken = test_utils::real(test_utils::PUS_EXAMPLE.0);
    let out = sim(&["--model", broken.to_str().unwrap(), "--tm", "udp:127.0.0.1:9", "--tc", "udp:127.0.0.1:0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pus20.xml:") && stderr.contains("the model has errors"), "{stderr}");
    assert!(stderr.contains("--allow-errors"), "{stderr}");

    let out = sim(&["--model", model, "--tm", "udp:127.0.0.1:9", "--tc", "udp:127.0.0.1:0", "--tm-frames", "8"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--tm-frames: TM frames: frame length 8"), "{stderr}");
}
