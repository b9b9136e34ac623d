use super::parse;
use expect_test::{expect, Expect};

const GOOD: &str = r#"
listen = "127.0.0.1:0"
data_dir = "data"
[auth]
anonymous_read = true
[[auth.tokens]]
name = "bot"
token = "0123456789abcdef"
scopes = ["jpss-1/ops"]
[[mission]]
name = "jpss-1"
model = "jpss.xml"
[[mission.deployment]]
env = "ops"
retention = { raw_units_days = 30 }
[[mission.deployment.link]]
name = "tm"
transport = "udp"
address = "127.0.0.1:0"
framing = "packets"
"#;

#[track_caller]
fn check(text: &str, expect: Expect) {
    let result = parse("groundplane.toml", text)
        .map(|config| format!("{} mission(s), {} token(s)", config.missions.len(), config.auth.tokens.len()));
    expect.assert_eq(&match result {
        Ok(summary) => summary,
        Err(error) => error.to_string(),
    });
}

#[test]
fn a_good_file_parses() {
    check(GOOD, expect!["1 mission(s), 1 token(s)"]);
}

#[test]
fn tokens_never_print() {
    let config = parse("groundplane.toml", GOOD).unwrap();
    assert!(!format!("{config:?}").contains("0123456789abcdef"));
}

#[test]
fn bad_files_name_the_place() {
    check(
        "data_dir = 3",
        expect![[r#"
        groundplane.toml: TOML parse error at line 1, column 12
          |
        1 | data_dir = 3
          |            ^
        invalid type: integer `3`, expected path string
    "#]],
    );
    check(
        &GOOD.replace("framing = \"packets\"", "framing = \"packetz\""),
        expect![[r#"
        groundplane.toml: TOML parse error at line 20, column 11
           |
        20 | framing = "packetz"
           |           ^^^^^^^^^
        unknown variant `packetz`, expected one of `packets`, `frames`, `nctrs`
    "#]],
    );
    check(
        &GOOD.replace("env = \"ops\"", "env = \"prod\""),
        expect![[r#"
        groundplane.toml: TOML parse error at line 14, column 7
           |
        14 | env = "prod"
           |       ^^^^^^
        unknown variant `prod`, expected one of `dev`, `aiv`, `ops`
    "#]],
    );
    check(&GOOD.replace("name = \"jpss-1\"", "name = \"JPSS 1\""), expect!["groundplane.toml: mission[0].name: mission slug `JPSS 1`: only lowercase letters, digits and '-' are allowed"]);
    check(&GOOD.replace("framing = \"packets\"", "framing = \"frames\""), expect!["groundplane.toml: mission[0].deployment[0].link[0].frame_len: frames framing needs frame_len between 7 and 2048"]);
    check(
        &GOOD.replace("0123456789abcdef", "short"),
        expect!["groundplane.toml: auth.tokens[0].token: a token must have at least 16 characters"],
    );
    check(
        &format!("{GOOD}\nsurprise = 1"),
        expect![[r#"
        groundplane.toml: TOML parse error at line 22, column 1
           |
        22 | surprise = 1
           | ^^^^^^^^
        unknown field `surprise`, expected one of `name`, `transport`, `address`, `framing`, `prefix_len`, `frame_len`, `fecf`, `spacecraft_id`, `tls`
    "#]],
    );
    let twice = format!("{GOOD}[[mission.deployment]]\nenv = \"ops\"\n");
    check(&twice, expect!["groundplane.toml: mission[0].deployment[1].env: jpss-1/ops is configured twice"]);
}

#[test]
fn commanding_uplink_and_simulator_are_checked() {
    let uplink = "[mission.deployment.uplink]\ntransport = \"udp\"\naddress = \"127.0.0.1:10025\"\n";
    check(&format!("{GOOD}{uplink}"), expect!["1 mission(s), 1 token(s)"]);
    check(
        &format!("{GOOD}{}", uplink.replace("127.0.0.1:10025", "somewhere")),
        expect![[
            r#"groundplane.toml: mission[0].deployment[0].uplink.address: "somewhere" is not an address like 127.0.0.1:10025"#
        ]],
    );
    check(
        &format!("{GOOD}{uplink}framing = \"frames\"\n"),
        expect![
            "groundplane.toml: mission[0].deployment[0].uplink.spacecraft_id: frames framing needs a spacecraft_id"
        ],
    );
    check(
        &format!("{GOOD}{uplink}framing = \"frames\"\nspacecraft_id = 1024\n"),
        expect!["groundplane.toml: mission[0].deployment[0].uplink.spacecraft_id: at most 1023 (10 bits)"],
    );
    let tcp = uplink.replace("udp", "tcp");
    check(&format!("{GOOD}{tcp}login_secret = \"gs-kiruna.password\"\n"), expect!["1 mission(s), 1 token(s)"]);
    check(
        &format!("{GOOD}{uplink}login_secret = \"gs-kiruna.password\"\n"),
        expect!["groundplane.toml: mission[0].deployment[0].uplink.login_secret: a login is sent on a tcp uplink only"],
    );
    check(
        &format!("{GOOD}{tcp}login_secret = \"../dev/Password\"\n"),
        expect![[
            r#"groundplane.toml: mission[0].deployment[0].uplink.login_secret: secret name of 15 characters: need 1 to 64 of a-z, 0-9, '.', '_', '-'"#
        ]],
    );
    check(
        &format!("{GOOD}[vault]\nmaster_key_file = \"\"\n"),
        expect!["groundplane.toml: vault.master_key_file: an empty path: leave it out to use the env_var"],
    );
    check(
        &format!("{GOOD}[mission.deployment.commanding]\nacceptance_timeout_ms = 0\n"),
        expect![
            "groundplane.toml: mission[0].deployment[0].commanding.acceptance_timeout_ms: between 1 ms and one day"
        ],
    );
    let simulator = "[mission.deployment.simulator]\nseed = 3\n";
    check(
        &format!("{GOOD}{simulator}"),
        expect![
            "groundplane.toml: mission[0].deployment[0].simulator: a simulator runs in dev and aiv only, never in ops"
        ],
    );
    let dev = GOOD.replace("env = \"ops\"", "env = \"dev\"");
    check(&format!("{dev}{simulator}"), expect!["1 mission(s), 1 token(s)"]);
    check(
        &format!("{dev}{simulator}tm_link = \"nope\"\n"),
        expect![[r#"groundplane.toml: mission[0].deployment[0].simulator.tm_link: no link named "nope""#]],
    );
    check(
        &format!("{dev}{simulator}{uplink}"),
        expect!["groundplane.toml: mission[0].deployment[0].uplink: the simulator is this deployment's uplink: leave uplink out"],
    );
}

#[test]
fn link_tls_is_checked() {
    let tcp = GOOD.replace("transport = \"udp\"", "transport = \"tcp\"");
    check(&format!("{tcp}tls = \"mutual\"\n"), expect!["1 mission(s), 1 token(s)"]);
    check(
        &format!("{GOOD}tls = \"mutual\"\n"),
        expect![[r#"groundplane.toml: mission[0].deployment[0].link[0].tls: mutual TLS needs transport = "tcp""#]],
    );
    check(
        &format!("{tcp}tls = \"sometimes\"\n"),
        expect![[r#"
        groundplane.toml: TOML parse error at line 21, column 7
           |
        21 | tls = "sometimes"
           |       ^^^^^^^^^^^
        unknown variant `sometimes`, expected `off` or `mutual`
    "#]],
    );
}

#[test]
fn uplink_tls_is_checked_and_reaches_the_deployment() {
    let uplink = "[mission.deployment.uplink]\ntransport = \"tcp\"\naddress = \"127.0.0.1:10025\"\n";
    check(&format!("{GOOD}{uplink}tls = \"mutual\"\n"), expect!["1 mission(s), 1 token(s)"]);
    check(&format!("{GOOD}{uplink}tls = \"off\"\n"), expect!["1 mission(s), 1 token(s)"]);
    check(
        &format!("{GOOD}{}tls = \"mutual\"\n", uplink.replace("tcp", "udp")),
        expect![[r#"groundplane.toml: mission[0].deployment[0].uplink.tls: mutual TLS needs transport = "tcp""#]],
    );
    check(
        &format!("{GOOD}{uplink}tls = \"tls1.3\"\n"),
        expect![[r#"
            groundplane.toml: TOML parse error at line 24, column 7
               |
            24 | tls = "tls1.3"
               |       ^^^^^^^^
            unknown variant `tls1.3`, expected `off` or `mutual`
        "#]],
    );
    let config = parse("groundplane.toml", &format!("{GOOD}{uplink}tls = \"mutual\"\n")).unwrap();
    let uplink = config.missions[0].deployments[0].uplink.as_ref().expect("an uplink");
    assert_eq!(uplink.tls, super::LinkTlsConfig::Mutual);
    let absent = parse("groundplane.toml", GOOD).unwrap();
    assert_eq!(absent.missions[0].deployments[0].links[0].tls, super::LinkTlsConfig::Off);
}

#[test]
fn a_mission_files_tls_reaches_the_deployment() {
    let text = r#"
name = "sentinel-x"
model = "model"
[[env.dev.link]]
name = "tm"
transport = "tcp"
address = "127.0.0.1:0"
framing = "packets"
tls = "mutual"
[env.ops.uplink]
transport = "tcp"
address = "10.0.0.5:10025"
tls = "mutual"
[env.aiv.uplink]
transport = "udp"
address = "10.0.0.5:10025"
"#;
    let file = release::mission::MissionFile::parse("m.toml", text).unwrap();
    let mission = super::mission_config(&file, "model".into());
    let tls: Vec<_> = mission
        .deployments
        .iter()
        .map(|d| (d.env, d.links.first().map(|l| l.tls), d.uplink.as_ref().map(|u| u.tls)))
        .collect();
    use super::LinkTlsConfig::{Mutual, Off};
    assert_eq!(
        tls,
        [(base::Env::Dev, Some(Mutual), None), (base::Env::Aiv, None, Some(Off)), (base::Env::Ops, None, Some(Mutual))]
    );
}
