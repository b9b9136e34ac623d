//! The CLI: exit codes, output, and `model diff` on real models.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use test_utils::real;

fn groundplane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_groundplane"))
        .args(args)
        .env("GROUNDPLANE_REAL_DIR", test_utils::real_dir())
        .output()
        .expect("the groundplane binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("gp-it-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_a_good_model_exits_zero_with_counts() {
    let out = groundplane(&["model", "check", arg(&real(JPSS))]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("model JPSS_Geolocation_Packets  sha256:"), "{stdout}");
    assert!(stdout.contains("  parameters           27\n"), "{stdout}");
    assert!(stdout.contains("report: 0 error(s)"), "{stdout}");
}

#[test]
fn check_a_broken_model_exits_one_and_points_at_the_place() {
    let dir = TempDir::new("broken");
    let original = std::fs::read_to_string(real(JPSS)).unwrap();
    let first_ref = original.find("parameterTypeRef=\"").expect("JPSS has type references");
    let value_at = first_ref + "parameterTypeRef=\"".len();
    let broken = format!("{}NoSuchType_{}", &original[..value_at], &original[value_at..]);
    let line = original[..first_ref].lines().count();
    let path = dir.0.join("broken.xml");
    std::fs::write(&path, broken).unwrap();
    let out = groundplane(&["model", "check", arg(&path)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("broken.xml:{line}:")), "want line {line} in:\n{stderr}");
    assert!(stderr.contains("NoSuchType_"), "{stderr}");
    assert!(stderr.contains(" | "), "a source snippet is shown: {stderr}");
}

const JPSS: &str = "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml";

#[test]
fn diff_bogussat_1_against_2_shows_real_differences() {
    let one = real("xtcetools-bogussat/BogusSAT-1.xml");
    let two = real("xtcetools-bogussat/BogusSAT-2.xml");
    // Both files carry defects on purpose (undefined references, a deliberately broken
    // parameter), so a plain diff refuses and says why.
    let refused = groundplane(&["model", "diff", arg(&one), arg(&two)]);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("BogusSAT-1.xml:150:30:") && stderr.contains("--allow-errors"), "{stderr}");
    let out = groundplane(&["model", "diff", "--allow-errors", arg(&one), arg(&two)]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the diff covers what could be read"));
    // BogusSAT-2 adds containers such as the ECSS HK packets and changes shared types.
    assert!(stdout.contains("containers:\n"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("  ~ ") && l.contains("/BogusSAT/")), "changes: {stdout}");
    // BogusSAT-2 has 30 containers to BogusSAT-1's 5 and 11 commands to its 10.
    assert!(stdout.contains("containers:\n"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("  + ")), "something is added: {stdout}");
    let last = stdout.lines().last().unwrap_or("");
    assert!(last.ends_with("changed") && !last.starts_with("0 added"), "{last}");
    let json = groundplane(&["model", "diff", "--json", "--allow-errors", arg(&one), arg(&two)]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("diff --json is JSON");
    assert!(value["added"].as_u64().unwrap() > 0);
    assert_ne!(value["old"], value["new"]);
}

/// Copies the real MIB into a temp folder, applying `edit` to the named tables.
fn edited_mib(dir: &Path, edit: impl Fn(&str, String) -> String) -> PathBuf {
    let target = dir.join(format!("mib-{}", std::fs::read_dir(dir).unwrap().count()));
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(real("spacepylibrary/mib-ascii")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let content = std::fs::read_to_string(&path).unwrap();
        std::fs::write(target.join(&name), edit(&name, content)).unwrap();
    }
    target
}

#[test]
fn diff_of_two_edited_mibs_shows_the_edits() {
    let dir = TempDir::new("mibdiff");
    let a = edited_mib(&dir.0, |_, content| content);
    let ccf = std::fs::read_to_string(a.join("ccf.dat")).unwrap();
    let removed_command = ccf.lines().last().unwrap().split('\t').next().unwrap().to_string();
    // In B: the first PCF row gets a new description, and the last command (its CCF row and
    // its CDF elements) is removed.
    let b = edited_mib(&dir.0, |name, content| match name {
        "pcf.dat" => {
            let mut lines: Vec<String> = content.lines().map(str::to_string).collect();
            let mut fields: Vec<String> = lines[0].split('\t').map(str::to_string).collect();
            fields[1] = "EDITED DESCRIPTION".into();
            lines[0] = fields.join("\t");
            lines.join("\n") + "\n"
        }
        "ccf.dat" | "cdf.dat" => {
            let kept: Vec<&str> =
                content.lines().filter(|line| line.split('\t').next() != Some(removed_command.as_str())).collect();
            kept.join("\n") + "\n"
        }
        _ => content,
    });
    let pcf_name = std::fs::read_to_string(a.join("pcf.dat")).unwrap().split('\t').next().unwrap().to_string();
    let out = groundplane(&["model", "diff", arg(&a), arg(&b)]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains(&format!("/{pcf_name}")), "changed parameter {pcf_name} named:\n{stdout}");
    assert!(stdout.contains("EDITED DESCRIPTION"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("  - ") && l.ends_with(&format!("/{removed_command}"))),
        "removed command {removed_command} listed:\n{stdout}"
    );
}

#[test]
fn show_prints_an_item_with_its_place() {
    let out = groundplane(&["model", "show", arg(&real(JPSS)), "PKT_APID"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("parameter /JPSS_Geolocation_Packets/PKT_APID (defined at "), "{stdout}");
    assert!(stdout.contains("\"type_ref\""), "{stdout}");
}

#[test]
fn demo_imports_every_demo_mission() {
    let out = groundplane(&["demo"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for mission in ["jpss-1", "bogussat-diag", "imap-idex", "spacepy-mib"] {
        assert!(stdout.contains(&format!("mission {mission} ")), "{stdout}");
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");
}
