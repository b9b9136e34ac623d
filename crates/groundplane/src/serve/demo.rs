//! `groundplane serve --demo`: demo missions from the real mission databases in `shared/real`,
//! each with a deployment and a link: real captures replayed into those links in a loop, or a
//! simulator generated from the model (which also answers the deployment's commands).

use super::config::{
    AuthConfig, CommandingConfig, DeploymentConfig, FramingConfig, LinkConfig, MissionConfig, PusConfig,
    RetentionConfig, ServerConfig, SimulatorConfig, TokenConfig, TransportConfig,
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
    /// Files of the model folder that do not import (drafts).
    exclude: &'static [&'static str],
    /// Whether a simulator of the model runs on the link (and is the uplink).
    simulator: bool,
    /// The simulator's default APID and the mission's PUS TM layout (reports and time).
    apid: u16,
    pus: Option<PusConfig>,
}

/// The SpacePy MIB's PUS-C TM: a 12-byte data field header (CUC 4+1 time), no CRC.
const MIB_PUS: PusConfig = PusConfig {
    data_field_header_len: 12,
    has_crc: false,
    step_id_len: 4,
    failure_code_len: 4,
    event_id_len: 2,
    time_offset: 13,
    time_coarse_len: 4,
    time_fine_len: 1,
    time_p_field: None,
};

/// The Yamcs PUS example's TM: destination id, then a CUC P-field and CUC 4+3 time; CRC.
const YAMCS_PUS: PusConfig = PusConfig {
    data_field_header_len: 15,
    has_crc: true,
    step_id_len: 4,
    failure_code_len: 4,
    event_id_len: 2,
    time_offset: 14,
    time_coarse_len: 4,
    time_fine_len: 3,
    time_p_field: Some(0x2F),
};

const DEMO: [DemoMission; 4] = [
    DemoMission {
        name: "jpss-1",
        env: base::Env::Ops,
        model: "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml",
        capture: Some("lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1"),
        transport: TransportConfig::Udp,
        packets_per_s: 50,
        exclude: &[],
        simulator: false,
        apid: 0,
        pus: None,
    },
    DemoMission {
        name: "imap-idex",
        env: base::Env::Dev,
        model: "lasp-space_packet_parser/idex/idex_combined_science_definition.xml",
        capture: Some("lasp-space_packet_parser/idex/sciData_2023_052_14_45_05"),
        transport: TransportConfig::Tcp,
        packets_per_s: 5,
        exclude: &[],
        simulator: false,
        apid: 0,
        pus: None,
    },
    DemoMission {
        name: "spacepy-mib",
        env: base::Env::Dev,
        model: "spacepylibrary/mib-ascii",
        capture: None,
        transport: TransportConfig::Udp,
        packets_per_s: 0,
        exclude: &[],
        simulator: true,
        apid: 1234,
        pus: Some(MIB_PUS),
    },
    DemoMission {
        name: "pus-example",
        env: base::Env::Dev,
        model: "yamcs/examples-pus-mdb",
        capture: None,
        transport: TransportConfig::Udp,
        packets_per_s: 0,
        // A draft with undefined references, a model that needs it, and a variant of pus.xml.
        exclude: &["pus20.xml", "landing.xml", "pus-xtce-verif.xml"],
        simulator: true,
        apid: 100,
        pus: Some(YAMCS_PUS),
    },
];

/// The demo's configuration: every link on a free loopback port.
pub fn config(real_dir: &Path, data_dir: PathBuf, listen: String) -> ServerConfig {
    let missions = DEMO
        .iter()
        .map(|demo| MissionConfig {
            name: demo.name.to_string(),
            model: real_dir.join(demo.model),
            model_exclude: demo.exclude.iter().map(|name| name.to_string()).collect(),
            pus: demo.pus,
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
                commanding: CommandingConfig::default(),
                uplink: None,
                simulator: demo.simulator.then_some(SimulatorConfig {
                    tm_link: None,
                    seed: 1,
                    period_ms: 1000,
                    apid: demo.apid,
                    scenario: None,
                }),
            }],
        })
        .collect();
    ServerConfig { listen, data_dir, auth: AuthConfig { anonymous_read: true, tokens: demo_tokens() }, missions }
}

/// The demo's two tokens (an operator, and a second principal to approve hazardous
/// commands), granted every deployment. Published in the README: the demo is for a laptop.
pub const DEMO_TOKENS: [(&str, &str); 2] =
    [("operator", "demo-operator-token"), ("flight-director", "demo-flight-director-token")];

fn demo_tokens() -> Vec<TokenConfig> {
    DEMO_TOKENS
        .iter()
        .map(|(name, token)| TokenConfig { name: name.to_string(), token: token.to_string(), scopes: vec!["*".into()] })
        .collect()
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
