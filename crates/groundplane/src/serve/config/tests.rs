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
        unknown field `surprise`, expected one of `name`, `transport`, `address`, `framing`, `prefix_len`, `frame_len`, `fecf`, `spacecraft_id`
    "#]],
    );
    let twice = format!("{GOOD}[[mission.deployment]]\nenv = \"ops\"\n");
    check(&twice, expect!["groundplane.toml: mission[0].deployment[1].env: jpss-1/ops is configured twice"]);
}
