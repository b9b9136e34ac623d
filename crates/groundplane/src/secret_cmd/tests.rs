//! Every `secret` subcommand on a temporary directory, as a transcript: arguments, exit code,
//! then stdout or the error. No output but `get`'s and no error ever holds a planted value
//! or the master key.

use super::{run_with, Console, SecretCommand};
use clap::Parser;
use expect_test::expect;
use std::path::Path;

#[derive(clap::Parser)]
struct Cli {
    #[command(subcommand)]
    command: SecretCommand,
}

const PLANTED: &[u8] = b"planted-ops-gs-password-Zq7x";
const PLANTED_2: &[u8] = b"planted-second-version-Kp3w\n";
const PLANTED_AIV: &[u8] = b"planted-aiv-value-Hh2v";

/// What `GROUNDPLANE_MASTER_KEY` holds in a step.
#[derive(Clone, Copy)]
enum KeyVar {
    Unset,
    /// The contents of `master.key`.
    Master,
    /// The contents of `new.key`.
    New,
    /// A planted value where the key belongs.
    Planted,
}

/// The exit code `main` gives, and stdout or the error message.
fn run(line: &str, stdin: &[u8], key_var: Option<&str>) -> (u8, Vec<u8>) {
    let args = std::iter::once("secret").chain(line.split_whitespace());
    let command = match Cli::try_parse_from(args) {
        Ok(cli) => cli.command,
        Err(error) => return (error.exit_code() as u8, error.to_string().into_bytes()),
    };
    let (mut stdin, mut stdout) = (stdin, Vec::new());
    let env_var = |name: &str| (name == "GROUNDPLANE_MASTER_KEY").then(|| key_var.map(str::to_string)).flatten();
    let mut console = Console { stdin: &mut stdin, stdout: &mut stdout, env_var: &env_var };
    match run_with(command, &mut console) {
        Ok(_) => (0, stdout),
        Err(error) => (2, format!("error: {error:#}\n").into_bytes()),
    }
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
}

#[test]
fn secret_commands_store_version_rotate_and_never_show_a_value() {
    use KeyVar::*;
    let tmp = test_utils::temp_dir("secret");
    write_file(&tmp.join("value"), PLANTED, 0o600);
    write_file(&tmp.join("empty"), b"", 0o600);
    let at = "--dir {tmp}/vault --mission sentinel-x --env";
    // (arguments after `secret`, stdin, the env_var); `{tmp}` is the temporary directory, `{at}` the vault and mission.
    let steps: &[(&str, &[u8], KeyVar)] = &[
        ("init-key --out {tmp}/master.key", b"", Unset),
        ("init-key --out {tmp}/master.key", b"", Unset),
        ("init-key --out {tmp}/new.key", b"", Unset),
        ("put {at} ops gs-kiruna.password --value-file {tmp}/value --master-key {tmp}/master.key", b"", Unset),
        ("put {at} ops gs-kiruna.password --stdin", PLANTED_2, Master),
        ("put {at} aiv gs-kiruna.password --stdin", PLANTED_AIV, Master),
        ("put {at} ops gs-kiruna.password some-value", b"", Master),
        ("put {at} ops gs-kiruna.password", b"", Master),
        ("put {at} ops Bad_Name --stdin", b"x", Master),
        ("put {at} ops empty --value-file {tmp}/empty", b"", Master),
        ("get {at} ops gs-kiruna.password", b"", Master),
        ("get {at} ops gs-kiruna.password --version 1", b"", Master),
        ("get {at} aiv gs-kiruna.password", b"", Master),
        ("list {at} ops", b"", Master),
        ("list {at} dev", b"", Master),
        ("rotate {at} ops", b"", Master),
        ("get {at} ops gs-kiruna.password --version 1", b"", Master),
        ("get {at} ops gs-kiruna.password", b"", Unset),
        ("get {at} ops gs-kiruna.password --master-key {tmp}/new.key", b"", Master),
        ("get {at} ops gs-kiruna.password", b"", Planted),
        ("get {at} ops gs-kiruna.password --master-key {tmp}/loose.key", b"", Unset),
        ("get {at} ops gs-kiruna.password --master-key {tmp}/value", b"", Unset),
        ("get {at} ops missing", b"", Master),
        ("get {at} ops gs-kiruna.password --version 9", b"", Master),
        ("get --dir {tmp}/nowhere --mission sentinel-x --env ops k", b"", Master),
        ("rotate-master --dir {tmp}/vault --new-master-key {tmp}/new.key", b"", Master),
        ("get {at} ops gs-kiruna.password", b"", New),
        ("get {at} ops gs-kiruna.password", b"", Master),
        ("delete {at} aiv gs-kiruna.password", b"", New),
        ("list {at} aiv", b"", New),
    ];
    let tmp_text = tmp.display().to_string();
    let mut transcript = String::new();
    let mut keys = Vec::new();
    for (line, stdin, key_var) in steps {
        let line = line.replace("{at}", at).replace("{tmp}", &tmp_text);
        let read_key = |file: &str| std::fs::read_to_string(tmp.join(file)).unwrap().trim().to_string();
        let key_text = match key_var {
            Unset => None,
            Master => Some(read_key("master.key")),
            New => Some(read_key("new.key")),
            Planted => Some(String::from_utf8(PLANTED.to_vec()).unwrap()),
        };
        let (code, output) = run(&line, stdin, key_text.as_deref());
        if line.starts_with("init-key --out") && code == 0 {
            let key_file = line.trim_start_matches("init-key --out ");
            keys.push(std::fs::read_to_string(key_file).unwrap().trim().to_string());
            check_owner_only(Path::new(key_file));
            if !tmp.join("loose.key").exists() {
                write_file(&tmp.join("loose.key"), keys[0].as_bytes(), 0o644);
            }
        }
        let mut output = String::from_utf8_lossy(&output).replace(&tmp_text, "{tmp}");
        if !output.ends_with('\n') {
            output.push_str("[no newline]\n");
        }
        if !(line.starts_with("get ") && code == 0) {
            for planted in [PLANTED, PLANTED_2, PLANTED_AIV, b"planted"] {
                let planted = String::from_utf8_lossy(planted);
                assert!(!output.contains(planted.trim()), "{line} shows a planted value:\n{output}");
            }
            for key in &keys {
                assert!(!output.contains(key.as_str()), "{line} shows a master key:\n{output}");
            }
        }
        let line = line.replace(&tmp_text, "{tmp}").replace("--dir {tmp}/vault --mission sentinel-x --env", "{at}");
        transcript.push_str(&format!("$ secret {line}\n-> {code}: {output}\n"));
    }
    expect![[r#"
        $ secret init-key --out {tmp}/master.key
        -> 0: master key written to {tmp}/master.key (mode 0600): keep it apart from the vault and its backups

        $ secret init-key --out {tmp}/master.key
        -> 2: error: {tmp}/master.key: exists; a master key is never overwritten

        $ secret init-key --out {tmp}/new.key
        -> 0: master key written to {tmp}/new.key (mode 0600): keep it apart from the vault and its backups

        $ secret put {at} ops gs-kiruna.password --value-file {tmp}/value --master-key {tmp}/master.key
        -> 0: secret sentinel-x/ops gs-kiruna.password version 1 stored

        $ secret put {at} ops gs-kiruna.password --stdin
        -> 0: secret sentinel-x/ops gs-kiruna.password version 2 stored

        $ secret put {at} aiv gs-kiruna.password --stdin
        -> 0: secret sentinel-x/aiv gs-kiruna.password version 1 stored

        $ secret put {at} ops gs-kiruna.password some-value
        -> 2: error: unexpected argument 'some-value' found

        Usage: secret put [OPTIONS] --dir <DIR> --mission <MISSION> --env <ENV> <--value-file <VALUE_FILE>|--stdin> <NAME>

        For more information, try '--help'.

        $ secret put {at} ops gs-kiruna.password
        -> 2: error: the following required arguments were not provided:
          <--value-file <VALUE_FILE>|--stdin>

        Usage: secret put --dir <DIR> --mission <MISSION> --env <ENV> <--value-file <VALUE_FILE>|--stdin> <NAME>

        For more information, try '--help'.

        $ secret put {at} ops Bad_Name --stdin
        -> 2: error: invalid value 'Bad_Name' for '<NAME>': secret name of 8 characters: need 1 to 64 of a-z, 0-9, '.', '_', '-'

        For more information, try '--help'.

        $ secret put {at} ops empty --value-file {tmp}/empty
        -> 2: error: secret sentinel-x/ops empty: empty value

        $ secret get {at} ops gs-kiruna.password
        -> 0: planted-second-version-Kp3w

        $ secret get {at} ops gs-kiruna.password --version 1
        -> 0: planted-ops-gs-password-Zq7x[no newline]

        $ secret get {at} aiv gs-kiruna.password
        -> 0: planted-aiv-value-Hh2v[no newline]

        $ secret list {at} ops
        -> 0: gs-kiruna.password  versions 1, 2

        $ secret list {at} dev
        -> 0: no secrets in sentinel-x/dev

        $ secret rotate {at} ops
        -> 0: data key sentinel-x/ops version 2: 2 secret version(s) re-sealed

        $ secret get {at} ops gs-kiruna.password --version 1
        -> 0: planted-ops-gs-password-Zq7x[no newline]

        $ secret get {at} ops gs-kiruna.password
        -> 2: error: the vault is sealed: no master key (give --master-key FILE or set GROUNDPLANE_MASTER_KEY)

        $ secret get {at} ops gs-kiruna.password --master-key {tmp}/new.key
        -> 2: error: vault {tmp}/vault: the master key is not this vault's

        $ secret get {at} ops gs-kiruna.password
        -> 2: error: env_var GROUNDPLANE_MASTER_KEY: master key: expected 64 hex digits or 32 raw bytes, got 28 bytes (contents not shown)

        $ secret get {at} ops gs-kiruna.password --master-key {tmp}/loose.key
        -> 2: error: master key {tmp}/loose.key: mode 644 lets group or others access it; refused (chmod 600 it)

        $ secret get {at} ops gs-kiruna.password --master-key {tmp}/value
        -> 2: error: {tmp}/value: master key: expected 64 hex digits or 32 raw bytes, got 28 bytes (contents not shown)

        $ secret get {at} ops missing
        -> 2: error: secret sentinel-x/ops missing: not found

        $ secret get {at} ops gs-kiruna.password --version 9
        -> 2: error: secret sentinel-x/ops gs-kiruna.password version 9: not found

        $ secret get --dir {tmp}/nowhere --mission sentinel-x --env ops k
        -> 2: error: {tmp}/nowhere: no vault there (`groundplane secret put` makes one)

        $ secret rotate-master --dir {tmp}/vault --new-master-key {tmp}/new.key
        -> 0: 2 data key(s) re-wrapped under {tmp}/new.key

        $ secret get {at} ops gs-kiruna.password
        -> 0: planted-second-version-Kp3w

        $ secret get {at} ops gs-kiruna.password
        -> 2: error: vault {tmp}/vault: the master key is not this vault's

        $ secret delete {at} aiv gs-kiruna.password
        -> 0: secret sentinel-x/aiv gs-kiruna.password deleted (every version)

        $ secret list {at} aiv
        -> 0: no secrets in sentinel-x/aiv

    "#]].assert_eq(&transcript);
    let _ = std::fs::remove_dir_all(&tmp);
}

fn check_owner_only(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600, "{}", path.display());
    }
}
