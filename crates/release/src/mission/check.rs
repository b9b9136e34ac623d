//! The rules of a mission file that its types cannot say: ranges, unique names, addresses,
//! and where a simulator may run. Each failure is `(place, reason)`, like `env.ops.simulator`.

use super::{EnvConfig, Framing, MissionFile, Role, Tls, Transport};
use base::Env;

/// Largest spacecraft id (10 bits).
pub const SPACECRAFT_ID_MAX: u16 = 1023;
/// Largest APID (11 bits).
pub const APID_MAX: u16 = 2047;
/// Longest TM transfer frame accepted (CCSDS 132.0-B).
const FRAME_LEN_MAX: usize = 2048;
/// Longest packet prefix a link strips.
const PREFIX_LEN_MAX: usize = 4096;
/// Longest principal name.
const PRINCIPAL_LEN_MAX: usize = 64;

/// Why `tls = "mutual"` is refused on UDP.
const MUTUAL_NEEDS_TCP: &str = "mutual TLS needs transport = \"tcp\"";

type Failure = (String, String);

fn fail<T>(place: impl Into<String>, reason: impl Into<String>) -> Result<T, Failure> {
    Err((place.into(), reason.into()))
}

/// Checks a parsed mission file.
pub fn mission(mission: &MissionFile) -> Result<(), Failure> {
    if let Err(error) = mission.name.parse::<base::MissionSlug>() {
        return fail("name", error.to_string());
    }
    if mission.model.trim().is_empty() {
        return fail("model", "the model's path is empty");
    }
    for (idx, name) in mission.model_exclude.iter().enumerate() {
        if name.is_empty() || name.contains(['/', '\\']) {
            return fail(format!("model_exclude[{idx}]"), format!("{name:?} is not a file name of the model folder"));
        }
    }
    if mission.procedures.as_ref().is_some_and(|path| path.trim().is_empty()) {
        return fail("procedures", "the procedures folder's path is empty");
    }
    spacecraft(mission)?;
    mission.pipeline.check().map_err(|error| (format!("pipeline.{}", error.place), error.reason))?;
    members(mission)?;
    for (env, config) in mission.env.iter() {
        deployment(env, config).map_err(|(field, reason)| (format!("env.{env}.{field}"), reason))?;
    }
    Ok(())
}

fn spacecraft(mission: &MissionFile) -> Result<(), Failure> {
    let mut apids = std::collections::BTreeMap::new();
    for (idx, craft) in mission.spacecraft.iter().enumerate() {
        let place = format!("spacecraft[{idx}]");
        if craft.name.trim().is_empty() {
            return fail(format!("{place}.name"), "a spacecraft needs a name");
        }
        if mission.spacecraft[..idx].iter().any(|other| other.name == craft.name) {
            return fail(format!("{place}.name"), format!("another spacecraft is named {:?}", craft.name));
        }
        if craft.id > SPACECRAFT_ID_MAX {
            return fail(format!("{place}.id"), format!("{} is more than {SPACECRAFT_ID_MAX} (10 bits)", craft.id));
        }
        if mission.spacecraft[..idx].iter().any(|other| other.id == craft.id) {
            return fail(format!("{place}.id"), format!("another spacecraft has id {}", craft.id));
        }
        for (apid_idx, &apid) in craft.apids.iter().enumerate() {
            let place = format!("{place}.apids[{apid_idx}]");
            if apid > APID_MAX {
                return fail(place, format!("{apid} is more than {APID_MAX} (11 bits)"));
            }
            if let Some(owner) = apids.insert(apid, craft.name.clone()) {
                return fail(place, format!("APID {apid} is listed twice (also on spacecraft {owner:?})"));
            }
        }
    }
    Ok(())
}

fn members(mission: &MissionFile) -> Result<(), Failure> {
    for (idx, member) in mission.members.iter().enumerate() {
        let place = format!("member[{idx}]");
        let principal = &member.principal;
        let valid_char = |c: char| c.is_ascii_alphanumeric() || "._@-".contains(c);
        if principal.is_empty() || principal.len() > PRINCIPAL_LEN_MAX || !principal.chars().all(valid_char) {
            let reason = format!(
                "{principal:?} is not a principal: 1 to {PRINCIPAL_LEN_MAX} letters, digits, '.', '_', '@' or '-'"
            );
            return fail(format!("{place}.principal"), reason);
        }
        if mission.members[..idx].iter().any(|other| &other.principal == principal) {
            return fail(format!("{place}.principal"), format!("{principal:?} is listed twice"));
        }
        for (env, roles) in [("dev", &member.roles.dev), ("aiv", &member.roles.aiv), ("ops", &member.roles.ops)] {
            if let Some(role) = duplicate(roles) {
                return fail(format!("{place}.roles.{env}"), format!("role {role:?} is listed twice"));
            }
        }
    }
    Ok(())
}

fn duplicate(roles: &[Role]) -> Option<Role> {
    roles.iter().enumerate().find(|(idx, role)| roles[..*idx].contains(role)).map(|(_, role)| *role)
}

fn address(field: &str, address: &str) -> Result<(), Failure> {
    // Parsing only: `core::net` holds the address types without any socket.
    match address.parse::<core::net::SocketAddr>() {
        Ok(_) => Ok(()),
        Err(_) => fail(field, format!("{address:?} is not an address like 127.0.0.1:10025")),
    }
}

fn deployment(env: Env, config: &EnvConfig) -> Result<(), Failure> {
    for (idx, link) in config.links.iter().enumerate() {
        let place = format!("link[{idx}]");
        if link.name.trim().is_empty() {
            return fail(format!("{place}.name"), "a link needs a name");
        }
        if config.links[..idx].iter().any(|other| other.name == link.name) {
            return fail(format!("{place}.name"), format!("another link is named {:?}", link.name));
        }
        address(&format!("{place}.address"), &link.address)?;
        if link.framing == Framing::Frames && !link.frame_len.is_some_and(|len| (7..=FRAME_LEN_MAX).contains(&len)) {
            return fail(
                format!("{place}.frame_len"),
                format!("frames framing needs frame_len between 7 and {FRAME_LEN_MAX}"),
            );
        }
        if link.prefix_len > PREFIX_LEN_MAX {
            return fail(format!("{place}.prefix_len"), format!("at most {PREFIX_LEN_MAX} bytes"));
        }
        if link.spacecraft_id.is_some_and(|id| id > SPACECRAFT_ID_MAX) {
            return fail(format!("{place}.spacecraft_id"), "at most 1023 (10 bits)");
        }
        if link.tls == Tls::Mutual && link.transport != Transport::Tcp {
            return fail(format!("{place}.tls"), MUTUAL_NEEDS_TCP);
        }
    }
    for (field, value) in [
        ("acceptance_timeout_ms", config.commanding.acceptance_timeout_ms),
        ("completion_timeout_ms", config.commanding.completion_timeout_ms),
    ] {
        if value.is_some_and(|value| !(1..=86_400_000).contains(&value)) {
            return fail(format!("commanding.{field}"), "between 1 ms and one day");
        }
    }
    if let Some(uplink) = &config.uplink {
        address("uplink.address", &uplink.address)?;
        if uplink.tls == Tls::Mutual && uplink.transport != Transport::Tcp {
            return fail("uplink.tls", MUTUAL_NEEDS_TCP);
        }
        if uplink.framing == Some(Framing::Nctrs) {
            return fail("uplink.framing", "an uplink sends packets or frames");
        }
        if uplink.framing == Some(Framing::Frames) {
            match uplink.spacecraft_id {
                None => return fail("uplink.spacecraft_id", "frames framing needs a spacecraft_id"),
                Some(id) if id > SPACECRAFT_ID_MAX => return fail("uplink.spacecraft_id", "at most 1023 (10 bits)"),
                Some(_) => {}
            }
            if uplink.virtual_channel > 63 {
                return fail("uplink.virtual_channel", "at most 63 (6 bits)");
            }
        }
    }
    if let Some(simulator) = &config.simulator {
        if env == Env::Ops {
            return fail("simulator", "a simulator runs in dev and aiv only");
        }
        if config.uplink.is_some() {
            return fail("uplink", "the simulator is this deployment's uplink: leave uplink out");
        }
        match &simulator.tm_link {
            Some(name) if !config.links.iter().any(|link| &link.name == name) => {
                return fail("simulator.tm_link", format!("no link named {name:?}"));
            }
            None if config.links.is_empty() => {
                return fail("simulator", "a simulator needs a link to send telemetry to");
            }
            _ => {}
        }
        if simulator.apid > APID_MAX {
            return fail("simulator.apid", "at most 2047 (11 bits)");
        }
        if simulator.period_ms.is_some_and(|period| !(10..=3_600_000).contains(&period)) {
            return fail("simulator.period_ms", "between 10 ms and one hour");
        }
    }
    Ok(())
}
