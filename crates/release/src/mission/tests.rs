use super::*;

const GOOD: &str = r#"
name = "sentinel-x"
model = "model"
model_exclude = []
procedures = "procedures"
[[spacecraft]]
name = "sx-1"
id = 42
apids = [100, 101]
[[member]]
principal = "alice"
roles = { dev = ["engineer"], aiv = ["engineer"], ops = ["flight-director"] }
[env.dev]
simulator = { seed = 1 }
[[env.dev.link]]
name = "tm"
transport = "udp"
address = "127.0.0.1:0"
framing = "packets"
[env.ops.uplink]
transport = "udp"
address = "10.0.0.5:10025"
"#;

#[track_caller]
fn check(text: &str, expected: &str) {
    let got = match MissionFile::parse("m.toml", text) {
        Ok(_) => "ok".to_string(),
        Err(error) => error.to_string(),
    };
    assert!(got.starts_with(expected), "expected {expected:?}\n     got {got:?}\nfor:\n{text}");
}

#[test]
fn the_documented_example_parses() {
    let mission = MissionFile::parse("m.toml", GOOD).expect("the example is valid");
    assert_eq!(mission.slug().map(|slug| slug.to_string()), Ok("sentinel-x".to_string()));
    assert_eq!(mission.spacecraft[0].apids, [100, 101]);
    assert_eq!(mission.members[0].roles.ops, [Role::FlightDirector]);
    let envs: Vec<_> = mission.env.iter().map(|(env, _)| env.as_str()).collect();
    assert_eq!(envs, ["dev", "ops"]);
    assert_eq!(mission.env.dev.as_ref().and_then(|dev| dev.simulator.as_ref()).map(|sim| sim.seed), Some(1));
}

#[test]
fn syntax_errors_name_the_file_line_and_column() {
    check("name = \"x\"\nmodel = ", "m.toml: TOML parse error at line 2, column 9");
    check("name = \"x\"\nmodel = \"m\"\ncolour = 1\n", "m.toml: TOML parse error at line 3, column 1");
    check("name = \"x\"\n", "m.toml: TOML parse error at line 1, column 1");
    check(&GOOD.replace("\"flight-director\"", "\"pilot\""), "m.toml: TOML parse error at line 12, column 58");
    check(&GOOD.replace("\"udp\"\naddress = \"127", "\"carrier-pigeon\"\naddress = \"127"), "m.toml: TOML parse error");
    check(&GOOD.replace("id = 42", "id = -1"), "m.toml: TOML parse error at line 8, column 6");
}

#[test]
fn every_rule_names_its_place() {
    let cases: &[(&str, &str, &str)] = &[
        ("name = \"sentinel-x\"", "name = \"Sentinel X\"", "m.toml: name: mission slug `Sentinel X`: only lowercase"),
        ("model = \"model\"", "model = \" \"", "m.toml: model: the model's path is empty"),
        ("model_exclude = []", "model_exclude = [\"a/b.dat\"]", "m.toml: model_exclude[0]: \"a/b.dat\" is not"),
        (
            "procedures = \"procedures\"",
            "procedures = \"\"",
            "m.toml: procedures: the procedures folder's path is empty",
        ),
        ("id = 42", "id = 1024", "m.toml: spacecraft[0].id: 1024 is more than 1023 (10 bits)"),
        ("apids = [100, 101]", "apids = [100, 2048]", "m.toml: spacecraft[0].apids[1]: 2048 is more than 2047"),
        ("apids = [100, 101]", "apids = [100, 100]", "m.toml: spacecraft[0].apids[1]: APID 100 is listed twice"),
        ("name = \"sx-1\"", "name = \"\"", "m.toml: spacecraft[0].name: a spacecraft needs a name"),
        (
            "principal = \"alice\"",
            "principal = \"al ice\"",
            "m.toml: member[0].principal: \"al ice\" is not a principal",
        ),
        (
            "dev = [\"engineer\"]",
            "dev = [\"engineer\", \"engineer\"]",
            "m.toml: member[0].roles.dev: role Engineer is listed twice",
        ),
        (
            "address = \"127.0.0.1:0\"",
            "address = \"localhost\"",
            "m.toml: env.dev.link[0].address: \"localhost\" is not an address",
        ),
        (
            "address = \"10.0.0.5:10025\"",
            "address = \"10.0.0.5\"",
            "m.toml: env.ops.uplink.address: \"10.0.0.5\" is not an address",
        ),
        (
            "framing = \"packets\"",
            "framing = \"frames\"",
            "m.toml: env.dev.link[0].frame_len: frames framing needs frame_len",
        ),
        (
            "framing = \"packets\"",
            "framing = \"packets\"\nprefix_len = 5000",
            "m.toml: env.dev.link[0].prefix_len: at most 4096",
        ),
        (
            "simulator = { seed = 1 }",
            "simulator = { tm_link = \"hk\" }",
            "m.toml: env.dev.simulator.tm_link: no link named \"hk\"",
        ),
        ("simulator = { seed = 1 }", "simulator = { apid = 4000 }", "m.toml: env.dev.simulator.apid: at most 2047"),
        (
            "simulator = { seed = 1 }",
            "simulator = { period_ms = 1 }",
            "m.toml: env.dev.simulator.period_ms: between 10 ms",
        ),
        (
            "simulator = { seed = 1 }",
            "simulator = { seed = 1 }\nuplink = { transport = \"udp\", address = \"127.0.0.1:1\" }",
            "m.toml: env.dev.uplink: the simulator is this deployment's uplink",
        ),
        (
            "[env.ops.uplink]",
            "[env.ops]\nsimulator = { seed = 2 }\n[env.ops.uplink]",
            "m.toml: env.ops.simulator: a simulator runs in dev and aiv only",
        ),
        (
            "address = \"10.0.0.5:10025\"",
            "address = \"10.0.0.5:10025\"\nframing = \"frames\"",
            "m.toml: env.ops.uplink.spacecraft_id: frames framing needs a spacecraft_id",
        ),
        (
            "address = \"10.0.0.5:10025\"",
            "address = \"10.0.0.5:10025\"\nframing = \"frames\"\nspacecraft_id = 2000",
            "m.toml: env.ops.uplink.spacecraft_id: at most 1023",
        ),
        (
            "address = \"10.0.0.5:10025\"",
            "address = \"10.0.0.5:10025\"\nframing = \"frames\"\nspacecraft_id = 1\nvirtual_channel = 64",
            "m.toml: env.ops.uplink.virtual_channel: at most 63",
        ),
        (
            "address = \"10.0.0.5:10025\"",
            "address = \"10.0.0.5:10025\"\nframing = \"nctrs\"",
            "m.toml: env.ops.uplink.framing: an uplink sends packets or frames",
        ),
        (
            "[env.ops.uplink]",
            "[env.ops.commanding]\nacceptance_timeout_ms = 0\n[env.ops.uplink]",
            "m.toml: env.ops.commanding.acceptance_timeout_ms: between 1 ms",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(GOOD.contains(from), "{from:?} is not in the example");
        check(&GOOD.replacen(from, to, 1), expected);
    }
}

#[test]
fn names_must_be_unique() {
    let link = "[[env.dev.link]]\nname = \"tm\"\ntransport = \"tcp\"\naddress = \"127.0.0.1:1\"\nframing = \"nctrs\"\n";
    check(
        &GOOD.replace("[env.ops.uplink]", &format!("{link}[env.ops.uplink]")),
        "m.toml: env.dev.link[1].name: another link is named \"tm\"",
    );
    let craft = "[[spacecraft]]\nname = \"sx-1\"\nid = 43\n";
    check(
        &GOOD.replace("[[member]]", &format!("{craft}[[member]]")),
        "m.toml: spacecraft[1].name: another spacecraft is named \"sx-1\"",
    );
    let craft = "[[spacecraft]]\nname = \"sx-2\"\nid = 42\n";
    check(
        &GOOD.replace("[[member]]", &format!("{craft}[[member]]")),
        "m.toml: spacecraft[1].id: another spacecraft has id 42",
    );
    let craft = "[[spacecraft]]\nname = \"sx-2\"\nid = 43\napids = [101]\n";
    check(
        &GOOD.replace("[[member]]", &format!("{craft}[[member]]")),
        "m.toml: spacecraft[1].apids[0]: APID 101 is listed twice (also on spacecraft \"sx-1\")",
    );
    let member = "[[member]]\nprincipal = \"alice\"\n";
    check(
        &GOOD.replace("[env.dev]", &format!("{member}[env.dev]")),
        "m.toml: member[1].principal: \"alice\" is listed twice",
    );
}

#[test]
fn a_minimal_file_is_enough() {
    check("name = \"m\"\nmodel = \"model.xml\"\n", "ok");
}

#[test]
fn links_and_uplinks_may_require_mutual_tls_over_tcp() {
    let default = MissionFile::parse("m.toml", GOOD).unwrap();
    assert_eq!(default.env.dev.as_ref().unwrap().links[0].tls, Tls::Off);
    assert_eq!(default.env.ops.as_ref().unwrap().uplink.as_ref().unwrap().tls, Tls::Off);
    let tcp = GOOD.replace("transport = \"udp\"", "transport = \"tcp\"");
    let mutual = tcp
        .replace("framing = \"packets\"", "framing = \"packets\"\ntls = \"mutual\"")
        .replace("address = \"10.0.0.5:10025\"", "address = \"10.0.0.5:10025\"\ntls = \"mutual\"");
    let mission = MissionFile::parse("m.toml", &mutual).unwrap();
    assert_eq!(mission.env.dev.as_ref().unwrap().links[0].tls, Tls::Mutual);
    assert_eq!(mission.env.ops.as_ref().unwrap().uplink.as_ref().unwrap().tls, Tls::Mutual);
    check(&tcp.replace("framing = \"packets\"", "framing = \"packets\"\ntls = \"off\""), "ok");
    check(
        &GOOD.replace("framing = \"packets\"", "framing = \"packets\"\ntls = \"mutual\""),
        "m.toml: env.dev.link[0].tls: mutual TLS needs transport = \"tcp\"",
    );
    check(
        &GOOD.replace("address = \"10.0.0.5:10025\"", "address = \"10.0.0.5:10025\"\ntls = \"mutual\""),
        "m.toml: env.ops.uplink.tls: mutual TLS needs transport = \"tcp\"",
    );
    check(
        &tcp.replace("address = \"10.0.0.5:10025\"", "address = \"10.0.0.5:10025\"\ntls = \"yes\""),
        "m.toml: TOML parse error at line 23, column 7",
    );
}
