//! Every `user` and `token` subcommand on a temporary data folder, as a transcript: the
//! arguments, the exit code, stdout and stderr. No output but `token create`'s stdout ever
//! holds a token, and none holds a password.

use super::{token_with, user_with, Console, TokenCommand, UserCommand};
use ::identity::PasswordParams;
use clap::Parser;
use expect_test::expect;
use std::path::Path;

#[derive(clap::Parser)]
enum Cli {
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

static COUNTER: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(1);
const T0: u64 = 1_800_000_000_000;
const PASSWORD: &str = "planted password Vb6q";

/// The exit code `main` gives, stdout and stderr (or the error, as `main` prints it).
fn run(root: &Path, line: &str, stdin: &[u8]) -> (u8, String, String) {
    let line = line.replace("{root}", &root.display().to_string());
    let args = std::iter::once("groundplane").chain(line.split_whitespace());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => return (error.exit_code() as u8, String::new(), error.to_string()),
    };
    let (mut stdin, mut stdout, mut stderr) = (stdin, Vec::new(), Vec::new());
    // Counts up across runs: distinct salts and token ids, reproducible.
    let mut random = |bytes: &mut [u8]| {
        for byte in bytes {
            *byte = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    };
    let mut console = Console {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        now_ms: &|| T0,
        random: &mut random,
        params: PasswordParams::TEST_ONLY_CHEAP,
    };
    let result = match cli {
        Cli::User { command } => user_with(command, &mut console),
        Cli::Token { command } => token_with(command, &mut console),
    };
    let code = match result {
        Ok(code) if code == std::process::ExitCode::SUCCESS => 0,
        Ok(_) => 1,
        Err(error) => {
            writeln!(stderr, "error: {error:#}").unwrap();
            2
        }
    };
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap().replace(&root.display().to_string(), "$ROOT");
    (code, text(stdout), text(stderr))
}

use std::io::Write as _;

#[test]
fn users_and_tokens_from_the_command_line() {
    let root = test_utils::temp_dir("identity-cmd");
    std::fs::write(root.join("pw"), format!("{PASSWORD}\n")).unwrap();
    let stdin_pw = format!("{PASSWORD}\nignored second line");
    let steps: &[(&str, &[u8])] = &[
        ("user list --data {root}", b""),
        ("user add alice --data {root} --grant sentinel-x/dev/operator --grant sentinel-x/aiv/viewer --password-file {root}/pw", b""),
        ("user add alice --data {root} --password-file {root}/pw", b""),
        ("user add root --data {root} --grant */*/platform-admin", stdin_pw.as_bytes()),
        ("user add bob --data {root}", b"short\n"),
        ("user add bob --data {root}", b""),
        ("user add Bob --data {root} --password-file {root}/pw", b""),
        ("user add bob --data {root} --grant sentinel-x/prod/viewer", b""),
        ("user add bob --data {root} --password-file {root}/missing", b""),
        ("user grant alice sentinel-x/ops/viewer sentinel-x/dev/operator --data {root}", b""),
        ("user revoke-grant alice sentinel-x/ops/viewer --data {root}", b""),
        ("user revoke-grant alice sentinel-x/ops/viewer --data {root}", b""),
        ("user passwd alice --data {root}", stdin_pw.as_bytes()),
        ("user passwd carol --data {root}", stdin_pw.as_bytes()),
        ("user list --data {root}", b""),
        ("token create ci --owner alice --grant sentinel-x/dev/operator --data {root} --ttl 7d", b""),
        ("token create ci --owner alice --grant sentinel-x/ops/operator --data {root}", b""),
        ("token create ci --owner alice --grant sentinel-x/dev/viewer --data {root}", b""),
        ("token create ci --owner alice --grant sentinel-x/dev/operator --env ops --data {root}", b""),
        ("token create ci --owner alice --grant sentinel-x/dev/operator --ttl 400d --data {root}", b""),
        ("token create ci --owner alice --grant sentinel-x/dev/operator --ttl 5x --data {root}", b""),
        ("token create adm --owner root --grant sentinel-x/ops/operator --data {root}", b""),
        ("token create adm --owner root --grant */*/platform-admin --env ops --data {root}", b""),
        ("token create x --owner carol --grant */*/viewer --data {root}", b""),
        ("token list --data {root}", b""),
        ("token list --data {root} --owner root", b""),
        ("token revoke 414243444546 --data {root}", b""),
        ("token revoke 414243444546 --data {root}", b""),
        ("token revoke ffffffffffff --data {root}", b""),
        ("user disable alice --data {root}", b""),
        ("user disable alice --data {root}", b""),
        ("token create ci2 --owner alice --grant sentinel-x/dev/operator --data {root}", b""),
        ("user disable carol --data {root}", b""),
        ("user list --data {root}", b""),
    ];
    let mut transcript = String::new();
    for (line, stdin) in steps {
        let (code, stdout, stderr) = run(&root, line, stdin);
        assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD), "{line}");
        transcript.push_str(&format!("$ {line}\n[{code}]\n{stdout}{stderr}"));
    }
    expect![[r#"
        $ user list --data {root}
        [2]
        error: no identity store in $ROOT/_platform/identity: add a user first (groundplane user add)
        $ user add alice --data {root} --grant sentinel-x/dev/operator --grant sentinel-x/aiv/viewer --password-file {root}/pw
        [0]
        user alice added, grants sentinel-x/dev/operator, sentinel-x/aiv/viewer
        $ user add alice --data {root} --password-file {root}/pw
        [1]
        refused: user alice exists
        $ user add root --data {root} --grant */*/platform-admin
        [0]
        user root added, grants */*/platform-admin
        $ user add bob --data {root}
        [2]
        error: password: 5 characters, need at least 12
        $ user add bob --data {root}
        [2]
        error: no password given: use --password-file FILE, or write it on stdin
        $ user add Bob --data {root} --password-file {root}/pw
        [2]
        error: user Bob: name `Bob`: only lowercase letters, digits, `-`, `_` and `.`
        $ user add bob --data {root} --grant sentinel-x/prod/viewer
        [2]
        error: invalid value 'sentinel-x/prod/viewer' for '--grant <GRANTS>': grant `sentinel-x/prod/viewer`: environment `prod`: expected one of dev, aiv, ops

        For more information, try '--help'.
        $ user add bob --data {root} --password-file {root}/missing
        [2]
        error: password file $ROOT/missing: No such file or directory (os error 2)
        $ user grant alice sentinel-x/ops/viewer sentinel-x/dev/operator --data {root}
        [0]
        user alice: grants sentinel-x/dev/operator, sentinel-x/aiv/viewer, sentinel-x/ops/viewer
        $ user revoke-grant alice sentinel-x/ops/viewer --data {root}
        [0]
        user alice: sentinel-x/ops/viewer revoked (their tokens no longer act with it); grants sentinel-x/dev/operator, sentinel-x/aiv/viewer
        $ user revoke-grant alice sentinel-x/ops/viewer --data {root}
        [1]
        refused: user alice does not hold sentinel-x/ops/viewer
        $ user passwd alice --data {root}
        [0]
        password of alice changed; their sessions ended
        $ user passwd carol --data {root}
        [1]
        refused: no user carol
        $ user list --data {root}
        [0]
        alice  enabled  sentinel-x/dev/operator, sentinel-x/aiv/viewer
        root  enabled  */*/platform-admin
        $ token create ci --owner alice --grant sentinel-x/dev/operator --data {root} --ttl 7d
        [0]
        gpt_414243444546_4748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263646566
        token 414243444546 (ci) for alice: grants sentinel-x/dev/operator, envs dev, expires 2027-01-22T08:00:00.000Z
        the token above is shown once: store it now
        $ token create ci --owner alice --grant sentinel-x/ops/operator --data {root}
        [1]
        refused: alice does not hold sentinel-x/ops/operator (holds sentinel-x/dev/operator, sentinel-x/aiv/viewer): a token carries only its owner's grants
        $ token create ci --owner alice --grant sentinel-x/dev/viewer --data {root}
        [1]
        refused: alice does not hold sentinel-x/dev/viewer (holds sentinel-x/dev/operator, sentinel-x/aiv/viewer): a token carries only its owner's grants
        $ token create ci --owner alice --grant sentinel-x/dev/operator --env ops --data {root}
        [2]
        error: token ci: environment ops is in none of its grants
        $ token create ci --owner alice --grant sentinel-x/dev/operator --ttl 400d --data {root}
        [2]
        error: token ci: a life of 34560000000 ms; need 1 ms to 31536000000 ms (365 days)
        $ token create ci --owner alice --grant sentinel-x/dev/operator --ttl 5x --data {root}
        [2]
        error: invalid value '5x' for '--ttl <TTL>': `5x`: expected a number and a unit, like 30d, 12h, 90m or 3600s

        For more information, try '--help'.
        $ token create adm --owner root --grant sentinel-x/ops/operator --data {root}
        [1]
        refused: root does not hold sentinel-x/ops/operator (holds */*/platform-admin): a token carries only its owner's grants
        $ token create adm --owner root --grant */*/platform-admin --env ops --data {root}
        [0]
        gpt_b3b4b5b6b7b8_b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8
        token b3b4b5b6b7b8 (adm) for root: grants */*/platform-admin, envs ops, expires 2027-02-14T08:00:00.000Z
        the token above is shown once: store it now
        $ token create x --owner carol --grant */*/viewer --data {root}
        [1]
        refused: no user carol
        $ token list --data {root}
        [0]
        414243444546  ci  owner alice  active  expires 2027-01-22T08:00:00.000Z  grants sentinel-x/dev/operator  envs dev
        b3b4b5b6b7b8  adm  owner root  active  expires 2027-02-14T08:00:00.000Z  grants */*/platform-admin  envs ops
        $ token list --data {root} --owner root
        [0]
        b3b4b5b6b7b8  adm  owner root  active  expires 2027-02-14T08:00:00.000Z  grants */*/platform-admin  envs ops
        $ token revoke 414243444546 --data {root}
        [0]
        token 414243444546 revoked
        $ token revoke 414243444546 --data {root}
        [0]
        token 414243444546 was already revoked, at 2027-01-15T08:00:00.000Z
        $ token revoke ffffffffffff --data {root}
        [1]
        refused: no token ffffffffffff
        $ user disable alice --data {root}
        [0]
        user alice disabled: sessions ended, tokens refused
        $ user disable alice --data {root}
        [0]
        user alice disabled: sessions ended, tokens refused
        $ token create ci2 --owner alice --grant sentinel-x/dev/operator --data {root}
        [1]
        refused: user alice is disabled
        $ user disable carol --data {root}
        [1]
        refused: no user carol
        $ user list --data {root}
        [0]
        alice  disabled  sentinel-x/dev/operator, sentinel-x/aiv/viewer
        root  enabled  */*/platform-admin
    "#]].assert_eq(&transcript);
    let raw = std::fs::read(root.join("_platform/identity/identity.sqlite")).unwrap();
    assert!(!raw.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
}

#[test]
fn reading_commands_never_create_a_store() {
    let root = test_utils::temp_dir("identity-cmd-none");
    let (code, _, stderr) = run(&root, "token list --data {root}", b"");
    assert_eq!(
        (code, stderr.as_str()),
        (2, "error: no identity store in $ROOT/_platform/identity: add a user first (groundplane user add)\n")
    );
    assert!(!root.join("_platform").exists());
}

#[test]
fn ttls_have_a_unit() {
    assert_eq!(super::parse_ttl("30d"), Ok(30 * 86_400_000));
    assert_eq!(super::parse_ttl("90m"), Ok(90 * 60_000));
    for bad in ["", "d", "30", "30 d", "-1d", "é", "99999999999999999999d", "18446744073709551615d"] {
        assert!(super::parse_ttl(bad).is_err(), "{bad}");
    }
}
