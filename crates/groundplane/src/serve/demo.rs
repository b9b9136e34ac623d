//! `groundplane serve --demo`: demo missions from the real mission databases in `shared/real`,
//! each with a deployment and a link: real captures replayed into those links in a loop, or a
//! simulator generated from the model (which also answers the deployment's commands).

use super::config::{
    AuthConfig, CommandingConfig, DeploymentConfig, FramingConfig, LinkConfig, MissionConfig, RetentionConfig,
    ServerConfig, TokenConfig, TransportConfig,
};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A demo mission replayed from a capture: slug, environment, model, capture, transport,
/// packets per second.
struct DemoMission {
    name: &'static str,
    env: base::Env,
    model: &'static str,
    capture: &'static str,
    transport: TransportConfig,
    packets_per_s: u32,
}

const DEMO: [DemoMission; 2] = [
    DemoMission {
        name: "jpss-1",
        env: base::Env::Ops,
        model: "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml",
        capture: "lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1",
        transport: TransportConfig::Udp,
        packets_per_s: 50,
    },
    DemoMission {
        name: "imap-idex",
        env: base::Env::Dev,
        model: "lasp-space_packet_parser/idex/idex_combined_science_definition.xml",
        capture: "lasp-space_packet_parser/idex/sciData_2023_052_14_45_05",
        transport: TransportConfig::Tcp,
        packets_per_s: 5,
    },
];

/// Missions the demo creates through the control plane from the repository's mission files
/// (`missions/<name>/mission.toml`): DEV with a simulator of the model, AIV and OPS ready for
/// promotions.
pub const CONTROLLED: [&str; 2] = ["spacepy-mib", "pus-example"];

/// The demo's configuration: every link on a free loopback port.
pub fn config(real_dir: &Path, data_dir: PathBuf, listen: String) -> ServerConfig {
    let missions = DEMO
        .iter()
        .map(|demo| MissionConfig {
            name: demo.name.to_string(),
            model: real_dir.join(demo.model),
            model_exclude: Vec::new(),
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
                    tls: Default::default(),
                }],
                commanding: CommandingConfig::default(),
                uplink: None,
                simulator: None,
            }],
        })
        .collect();
    ServerConfig {
        listen,
        data_dir,
        auth: AuthConfig { anonymous_read: true, tokens: demo_tokens() },
        missions,
        control: Default::default(),
        vault: Default::default(),
    }
}

/// The demo's tokens, each with one role in every mission and environment (an operator; a
/// flight director to approve hazardous commands and promote; a security officer, the second
/// approver of a release for OPS; a platform admin to create missions). The missions' members
/// add roles by these names. Published in the README: the demo is for a laptop.
pub const DEMO_TOKENS: [(&str, &str, &str); 4] = [
    ("operator", "demo-operator-token", "*/*/operator"),
    ("flight-director", "demo-flight-director-token", "*/*/flight-director"),
    ("security-officer", "demo-security-officer-token", "*/*/security-officer"),
    ("admin", "demo-admin-token", "*/*/platform-admin"),
];

fn demo_tokens() -> Vec<TokenConfig> {
    DEMO_TOKENS
        .iter()
        .map(|(name, token, grant)| TokenConfig {
            name: name.to_string(),
            token: token.to_string(),
            grants: vec![grant.to_string()],
            scopes: Vec::new(),
        })
        .collect()
}

/// Starts replaying each demo capture into its deployment's link, in a loop.
pub fn feed(real_dir: &Path, platform: &deployment::Platform) -> anyhow::Result<()> {
    for demo in &DEMO {
        let capture = demo.capture;
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

/// Creates the controlled demo missions the control plane does not know yet, from
/// `missions/<name>/` (relative to the working folder) with their model in `real_dir`; a
/// restart finds them in the control store instead. Blocking.
pub fn create_missions(
    controller: &crate::controller::Controller,
    real_dir: &Path,
    scratch: &Path,
) -> anyhow::Result<()> {
    use api::ControlBackend;
    let real_dir = std::path::absolute(real_dir)?;
    let known = controller.state();
    let by = api::gate::Principal::named("demo", api::gate::PrincipalKind::Token);
    for name in CONTROLLED {
        if known.missions.keys().any(|slug| slug.as_str() == name) {
            continue;
        }
        let file = Path::new("missions").join(name).join("mission.toml");
        let Ok(text) = std::fs::read_to_string(&file) else {
            println!("demo: {} not found (run from the repository): {name} not created", file.display());
            continue;
        };
        // The mission file names its model relative to the repository; the demo's real folder
        // may be elsewhere.
        let copy = scratch.join(name);
        std::fs::create_dir_all(&copy)?;
        let model_line = text.lines().find(|line| line.starts_with("model = ")).unwrap_or_default();
        let model = model_line.rsplit("shared/real/").next().unwrap_or_default().trim_end_matches('"');
        let text = text.replace(model_line, &format!("model = {:?}", real_dir.join(model).display().to_string()));
        std::fs::write(copy.join("mission.toml"), text)?;
        let procedures = Path::new("missions").join(name).join("procedures");
        let _ = std::fs::remove_dir_all(copy.join("procedures"));
        std::fs::create_dir_all(copy.join("procedures"))?;
        for entry in std::fs::read_dir(&procedures)? {
            let path = entry?.path();
            if let Some(file_name) = path.file_name() {
                std::fs::copy(&path, copy.join("procedures").join(file_name))?;
            }
        }
        let policies = Path::new("missions").join(name).join("policies.cedar");
        if policies.is_file() {
            std::fs::copy(&policies, copy.join("policies.cedar"))?;
        }
        let (_, source) = crate::mission_cmd::source::release_source(&copy.join("mission.toml"))?;
        let created =
            controller.create_mission(&source, &by).map_err(|error| anyhow::anyhow!("demo mission {name}: {error}"))?;
        println!("demo: mission {name} created, release {}", created.releases[0].digest);
    }
    Ok(())
}
