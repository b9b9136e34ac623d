//! `groundplane serve --demo`: demo missions from the real mission databases in `shared/real`,
//! each with a deployment and a link, and their real captures replayed into those links in a
//! loop as the demo's telemetry (until the simulator of issue 5 takes over).

use super::config::{
    AuthConfig, DeploymentConfig, FramingConfig, LinkConfig, MissionConfig, RetentionConfig, ServerConfig,
    TransportConfig,
};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A demo mission: slug, environment, model, capture (or none), transport, packets per second.
struct DemoMission {
    name: &'static str,
    env: base::Env,
    model: &'static str,
    capture: Option<&'static str>,
    transport: TransportConfig,
    packets_per_s: u32,
}

const DEMO: [DemoMission; 3] = [
    DemoMission {
        name: "jpss-1",
        env: base::Env::Ops,
        model: "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml",
        capture: Some("lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1"),
        transport: TransportConfig::Udp,
        packets_per_s: 50,
    },
    DemoMission {
        name: "imap-idex",
        env: base::Env::Dev,
        model: "lasp-space_packet_parser/idex/idex_combined_science_definition.xml",
        capture: Some("lasp-space_packet_parser/idex/sciData_2023_052_14_45_05"),
        transport: TransportConfig::Tcp,
        packets_per_s: 5,
    },
    DemoMission {
        name: "spacepy-mib",
        env: base::Env::Dev,
        model: "spacepylibrary/mib-ascii",
        capture: None,
        transport: TransportConfig::Udp,
        packets_per_s: 0,
    },
];

/// The demo's configuration: every link on a free loopback port.
pub fn config(real_dir: &Path, data_dir: PathBuf, listen: String) -> ServerConfig {
    let missions = DEMO
        .iter()
        .map(|demo| MissionConfig {
            name: demo.name.to_string(),
            model: real_dir.join(demo.model),
            pus: None,
            deployments: vec![DeploymentConfig {
                env: demo.env,
                retention: RetentionConfig { raw_units_days: Some(7), ..RetentionConfig::default() },
                links: vec![LinkConfig {
                    name: "tm".to_string(),
                    transport: demo.transport,
                    address: "127.0.0.1:0".to_string(),
                    framing: FramingConfig::Packets,
                    prefix_len: 0,
                    frame_len: None,
                    fecf: false,
                    spacecraft_id: None,
                }],
            }],
        })
        .collect();
    ServerConfig { listen, data_dir, auth: AuthConfig { anonymous_read: true, tokens: Vec::new() }, missions }
}

/// Starts replaying each demo capture into its deployment's link, in a loop.
pub fn feed(real_dir: &Path, platform: &deployment::Platform) -> anyhow::Result<()> {
    for demo in &DEMO {
        let Some(capture) = demo.capture else { continue };
        let scope = base::Scope { mission: demo.name.parse()?, env: demo.env };
        let Some(deployment) = platform.get(&scope) else { continue };
        let Some(address) = deployment.bound.first().copied() else { continue };
        let bytes = std::fs::read(real_dir.join(capture))?;
        let packets: Vec<Vec<u8>> = ccsds::whole_packets(&bytes).into_iter().map(<[u8]>::to_vec).collect();
        tracing::info!(deployment = %scope, packets = packets.len(), %address, "demo: replaying a capture in a loop");
        let period = Duration::from_secs_f64(1.0 / f64::from(demo.packets_per_s.max(1)));
        match demo.transport {
            TransportConfig::Udp => tokio::spawn(udp(packets, address, period)),
            TransportConfig::Tcp => tokio::spawn(tcp(packets, address, period)),
        };
    }
    Ok(())
}

async fn udp(packets: Vec<Vec<u8>>, address: SocketAddr, period: Duration) {
    let Ok(socket) = tokio::net::UdpSocket::bind("127.0.0.1:0").await else { return };
    let mut interval = tokio::time::interval(period);
    for packet in packets.iter().cycle() {
        interval.tick().await;
        let _ = socket.send_to(packet, address).await;
    }
}

async fn tcp(packets: Vec<Vec<u8>>, address: SocketAddr, period: Duration) {
    use tokio::io::AsyncWriteExt;
    loop {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(address).await {
            let mut interval = tokio::time::interval(period);
            for packet in packets.iter().cycle() {
                interval.tick().await;
                if stream.write_all(packet).await.is_err() {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
