//! `groundplane release ...` end to end on the SpacePy MIB: keys, cutting, the store, list,
//! show, diff, and verify refusing tampered files, signatures, keys and missions.

use crate::harness::TempDir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn groundplane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_groundplane"))
        .args(args)
        .env_remove("USER")
        .output()
        .expect("the groundplane binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Runs a command that must exit with `code`; gives its stdout and stderr.
#[track_caller]
fn run(args: &[&str], code: i32) -> (String, String) {
    let out = groundplane(args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(code), "groundplane {}\n{stdout}{stderr}", args.join(" "));
    (stdout, stderr)
}

/// `release create`, giving the digest's hex from `release sha256:<hex> created|exists ...`.
#[track_caller]
fn create(store: &str, mission: &Path, key: &Path, extra: &[&str], word: &str) -> String {
    let mut args =
        vec!["release", "create", "--store", store, "--mission", arg(mission), "--key", arg(key), "--by", "alice"];
    args.extend_from_slice(extra);
    let (stdout, _) = run(&args, 0);
    let rest = stdout.strip_prefix("release sha256:").unwrap_or_else(|| panic!("{stdout}"));
    assert!(rest[64..].starts_with(&format!(" {word} in ")), "{stdout}");
    rest[..64].to_string()
}

fn mission_file(model: &str) -> String {
    format!(
        "name = \"sentinel-x\"\nmodel = '{model}'\nprocedures = \"procedures\"\n\
         [[spacecraft]]\nname = \"sx-1\"\nid = 42\napids = [1234]\n\
         [env.dev]\nsimulator = {{ seed = 1 }}\n\
         [[env.dev.link]]\nname = \"tm\"\ntransport = \"udp\"\naddress = \"127.0.0.1:0\"\nframing = \"packets\"\n"
    )
}

/// Changes `from` to `to` in a file of the store (made writable first: the store's are read-only).
fn tamper(path: &Path, from: &str, to: &str) {
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)] // the test plays the attacker
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn create_list_show_diff_and_verify_releases() {
    let dir = TempDir::new("release");
    let at = |name: &str| -> PathBuf { dir.0.join(name) };
    let store = at("store");
    let store = arg(&store);

    // Keys: a secret key only its owner reads, never overwritten.
    let (stdout, _) = run(&["release", "keygen", "--out", arg(&at("k"))], 0);
    assert!(stdout.contains("key id ed25519:"), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(at("k")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (_, stderr) = run(&["release", "keygen", "--out", arg(&at("k"))], 2);
    assert!(stderr.contains("exists; a key is never overwritten"), "{stderr}");
    run(&["release", "keygen", "--out", arg(&at("other"))], 0);

    // Release A: the real MIB and the repository's smoke procedure. The same again is a no-op.
    std::fs::create_dir(at("procedures")).unwrap();
    let smoke = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../missions/spacepy-mib/procedures/smoke.toml");
    let procedure = at("procedures/spacepy-mib-smoke.toml");
    std::fs::copy(smoke, &procedure).unwrap();
    let (mib_dir, _) = test_utils::SPACEPY_MIB;
    std::fs::write(at("mission.toml"), mission_file(arg(&test_utils::real(mib_dir)))).unwrap();
    let a = create(store, &at("mission.toml"), &at("k"), &[], "created");
    assert_eq!(create(store, &at("mission.toml"), &at("k"), &[], "exists"), a);

    // Release B: a procedure changed. Release C: a model changed (a copy of the MIB), signed
    // with the mission's key.
    let smoke_text = std::fs::read_to_string(&procedure).unwrap();
    std::fs::write(&procedure, smoke_text.replacen("timeout_s = 10", "timeout_s = 20", 1)).unwrap();
    let b = create(store, &at("mission.toml"), &at("k"), &[], "created");
    std::fs::write(&procedure, &smoke_text).unwrap();
    std::fs::create_dir(at("mib")).unwrap();
    for entry in std::fs::read_dir(test_utils::real(mib_dir)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, at("mib").join(path.file_name().unwrap())).unwrap();
    }
    let pcf = std::fs::read_to_string(at("mib/pcf.dat")).unwrap();
    std::fs::write(at("mib/pcf.dat"), pcf.replacen("PAR1\tBit Parameter 1\t", "PAR1\tBit Parameter One\t", 1)).unwrap();
    std::fs::write(at("mission.toml"), mission_file("mib")).unwrap();
    let c = create(store, &at("mission.toml"), &at("k"), &["--signer", "mission"], "created");
    assert!(a != b && b != c && a != c);

    let (stdout, _) = run(&["release", "list", "--store", store, "--mission", "sentinel-x"], 0);
    for digest in [&a, &b, &c] {
        assert!(stdout.contains(&format!("sha256:{digest}  sentinel-x  ")), "{stdout}");
    }
    assert_eq!(stdout.lines().count(), 3, "{stdout}");

    let (stdout, _) = run(&["release", "show", &a[..12], "--store", store], 0);
    assert!(stdout.starts_with(&format!("release sha256:{a}")), "{stdout}");
    assert!(stdout.contains("  cut by alice at "), "{stdout}");
    assert!(stdout.contains("  input model-source/pcf.dat "), "{stdout}");
    assert!(stdout.contains("signature: platform key ed25519:"), "{stdout}");

    let (stdout, _) = run(&["release", "diff", &a[..12], &format!("sha256:{b}"), "--store", store], 0);
    assert!(stdout.contains("model:\n  (no change)\nmission file:\n  (no change)\nprocedures:\n"), "{stdout}");
    assert!(
        stdout.contains("  ~ spacepy-mib-smoke.toml\n      -14: timeout_s = 10\n      +14: timeout_s = 20\n"),
        "{stdout}"
    );
    let (stdout, _) = run(&["release", "diff", &a, &c, "--store", store], 0);
    assert!(
        stdout.contains(
            "    ~ /MIB/PAR1\n        [description] description: \"Bit Parameter 1\" → \"Bit Parameter One\""
        ),
        "{stdout}"
    );
    assert!(stdout.contains("  +2: model = 'mib'\n"), "{stdout}");
    assert!(stdout.contains("procedures:\n  (no change)\n"), "{stdout}");

    // Verification: all three are good with the key that signed them.
    let pub_key = at("k.pub");
    let verify = |digest: &str, key: &Path, extra: &[&str], code: i32| -> String {
        let mut args = vec!["release", "verify", digest, "--trust", arg(key), "--store", store];
        args.extend_from_slice(extra);
        run(&args, code).0
    };
    for (digest, signer) in [(&a, "platform"), (&b, "platform"), (&c, "mission:sentinel-x")] {
        let stdout = verify(digest, &pub_key, &["--mission", "sentinel-x"], 0);
        assert!(
            stdout.contains(&format!(" valid: mission sentinel-x, 3 files, signed by {signer} key ed25519:")),
            "{stdout}"
        );
    }
    let stdout = verify(&a, &at("other.pub"), &[], 1);
    assert!(stdout.contains(" INVALID: no trusted key ed25519:"), "{stdout}");
    let stdout = verify(&a, &pub_key, &["--mission", "other-x"], 1);
    assert!(stdout.ends_with(" INVALID: release of mission sentinel-x, expected other-x\n"), "{stdout}");

    // Tampering: a procedure byte, the signature.
    let release_a = Path::new(store).join("sentinel-x").join(&a);
    tamper(&release_a.join("procedures/spacepy-mib-smoke.toml"), "timeout_s = 10", "timeout_s = 99");
    let stdout = verify(&a, &pub_key, &[], 1);
    assert!(stdout.contains(" INVALID: procedures/spacepy-mib-smoke.toml: sha256:"), "{stdout}");
    assert!(stdout.contains(" in the manifest, sha256:") && stdout.ends_with(" on disk\n"), "{stdout}");
    let signature = Path::new(store).join("sentinel-x").join(&b).join("signature.json");
    let record = std::fs::read_to_string(&signature).unwrap();
    let sig_at = record.find("\"sig\":\"").unwrap() + 7;
    let old = &record[sig_at..sig_at + 4];
    let new = if old == "0000" { "1111" } else { "0000" };
    tamper(&signature, &format!("\"sig\":\"{old}"), &format!("\"sig\":\"{new}"));
    let stdout = verify(&b, &pub_key, &[], 1);
    assert!(
        stdout.contains(" INVALID: signature by key ed25519:") && stdout.ends_with(" does not verify\n"),
        "{stdout}"
    );
    // C is untouched and still good; filed under another mission's folder, it is refused.
    verify(&c, &pub_key, &[], 0);
    let misfiled = Path::new(store).join("other-x");
    std::fs::create_dir(&misfiled).unwrap();
    std::fs::rename(Path::new(store).join("sentinel-x").join(&c), misfiled.join(&c)).unwrap();
    let stdout = verify(&c, &pub_key, &[], 1);
    assert!(stdout.ends_with(" INVALID: release of mission sentinel-x, expected other-x\n"), "{stdout}");
    let (_, stderr) = run(&["release", "verify", "abcd", "--trust", arg(&pub_key), "--store", store], 2);
    assert!(stderr.contains("no release sha256:abcd"), "{stderr}");
}

#[test]
fn create_refuses_a_bad_mission_file_or_procedure() {
    let dir = TempDir::new("release-refusals");
    let at = |name: &str| -> PathBuf { dir.0.join(name) };
    let (store, mission, key) = (at("store"), at("mission.toml"), at("k"));
    run(&["release", "keygen", "--out", arg(&at("k"))], 0);
    let (mib_dir, _) = test_utils::SPACEPY_MIB;
    let good = mission_file(arg(&test_utils::real(mib_dir)));
    std::fs::create_dir(at("procedures")).unwrap();

    std::fs::write(at("mission.toml"), good.replace("[env.dev]", "[env.ops]").replace("env.dev.link", "env.ops.link"))
        .unwrap();
    let args = ["release", "create", "--store", arg(&store), "--mission", arg(&mission), "--key", arg(&key)];
    let (_, stderr) = run(&args, 2);
    let file = arg(&at("mission.toml")).to_string();
    assert!(stderr.contains(&format!("{file}: env.ops.simulator: a simulator runs in dev and aiv only")), "{stderr}");

    std::fs::write(at("mission.toml"), &good).unwrap();
    std::fs::write(at("procedures/bad.toml"), "name = \"bad\"\n[[step]]\nwait_s = -1\n").unwrap();
    let (_, stderr) = run(&args, 2);
    assert!(stderr.contains(&format!("{}:3:", arg(&at("procedures/bad.toml")))), "{stderr}");
    assert!(stderr.contains("1 procedure(s) with problems: no release"), "{stderr}");
    assert!(!store.exists(), "nothing is written when a release is refused");
}
