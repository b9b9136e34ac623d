//! Cutting, verifying and diffing releases of the SpacePy MIB model.

use crate::manifest::{Manifest, MANIFEST, PROVENANCE, SIGNATURE};
use crate::provenance::DigestSet;
use crate::signing::{pae, SignedPayload};
use crate::*;
use base::{Digest, MissionSlug};
use expect_test::expect;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MISSION: &str = "name = \"sentinel-x\"\nmodel = \"model\"\nprocedures = \"procedures\"\n";
const PING: &str = "name = \"ping\"\n\n[[step]]\nsend = \"/MIB/TESTCMD\"\ntimeout_s = 10\n";
const HK: &str = "name = \"hk\"\n\n[[step]]\nparameter = \"/MIB/PAR1\"\ncondition = \"in 0..1\"\n";

fn spacepy_model() -> &'static model::MissionModel {
    static MODEL: OnceLock<model::MissionModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let (dir, names) = test_utils::SPACEPY_MIB;
        let files: Vec<_> = test_utils::real_files(dir, &names)
            .into_iter()
            .map(|(path, bytes)| model_import::SourceFile::new(path, bytes))
            .collect();
        model_import::import(model_import::SourceKind::Mib, &files).expect("the SpacePy MIB imports").model
    })
}

fn model_json(model: &model::MissionModel) -> Vec<u8> {
    model.canonical_json().expect("a model serializes")
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed([seed; 32])
}

fn procedures(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    list.iter().map(|(name, text)| (name.to_string(), text.as_bytes().to_vec())).collect()
}

/// A release cut with `key(1)` by alice at 1000 ms, from the SpacePy model.
fn cut_release(mission: &str, model: &[u8], procedures: &BTreeMap<String, Vec<u8>>) -> Result<Bundle, CutError> {
    let sources = [("pcf.dat".to_string(), Digest::of(b"pcf"))];
    let inputs = CutInputs {
        mission_file_name: "sentinel-x.toml",
        mission_file: mission.as_bytes(),
        model_json: model,
        model_sources: &sources,
        procedures,
        policies: None,
        cut_by: "alice",
        cut_at_ms: 1000,
        tool_version: "0.1.0",
    };
    cut(&inputs, &key(1), SignerKind::Mission)
}

fn good() -> Bundle {
    cut_release(MISSION, &model_json(spacepy_model()), &procedures(&[("ping.toml", PING), ("hk.toml", HK)]))
        .expect("a good release cuts")
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).expect("text")
}

#[test]
fn the_digest_depends_on_content_only() {
    let model = model_json(spacepy_model());
    let a = cut_release(MISSION, &model, &procedures(&[("ping.toml", PING), ("hk.toml", HK)])).unwrap();
    let b = cut_release(MISSION, &model, &procedures(&[("hk.toml", HK), ("ping.toml", PING)])).unwrap();
    assert_eq!(a, b, "same inputs in another order, same release");
    // Who cut it, when and with which key go in the provenance and signature, not the digest.
    let sources = [];
    let other = procedures(&[("hk.toml", HK), ("ping.toml", PING)]);
    let inputs = CutInputs {
        mission_file_name: "m.toml",
        mission_file: MISSION.as_bytes(),
        model_json: &model,
        model_sources: &sources,
        procedures: &other,
        policies: None,
        cut_by: "bob",
        cut_at_ms: 2000,
        tool_version: "9",
    };
    let c = cut(&inputs, &key(2), SignerKind::Platform).unwrap();
    assert_eq!(c.digest, a.digest);
    assert_eq!(c.files[MANIFEST], a.files[MANIFEST]);
    assert_ne!(c.files[PROVENANCE], a.files[PROVENANCE]);
    // One byte more anywhere is another release.
    let d = cut_release(MISSION, &model, &procedures(&[("ping.toml", PING), ("hk.toml", &format!("{HK}\n"))])).unwrap();
    assert_ne!(d.digest, a.digest);
    assert_eq!(a.digest, Manifest::parse(&a.files[MANIFEST]).unwrap().digest());
}

#[test]
fn the_manifest_format() {
    let model = model_json(&model::MissionModel::default());
    let bundle =
        cut_release("name = \"m\"\nmodel = \"x\"\n", &model, &procedures(&[("p.toml", "name = \"p\"\n")])).unwrap();
    expect![[r#"{"files":[{"digest":"sha256:684b0848f046c412a43f08fa23df5664db0675df868842138f7b86f0d1b343d5","path":"mission.toml","size":23},{"digest":"sha256:288221352327df1defcc66eb80b132e29d3c963dac9183441065e2d849d3cb03","path":"model.json","size":133},{"digest":"sha256:637b38152a9ce33f2745919cf64c3302642f94b633e25eff3b3bec8563b91c02","path":"procedures/p.toml","size":11}],"mission":"m","model_digest":"sha256:288221352327df1defcc66eb80b132e29d3c963dac9183441065e2d849d3cb03","schema":"groundplane.release.manifest/v1"}"#]]
    .assert_eq(&text(&bundle.files, MANIFEST));
    expect![[r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"release:m","digest":{"sha256":"b7cc7959e37b685fc4e8a5622f9f9d90f19aea2abf600868a797d6f9e894825a"}}],"predicateType":"https://groundplane.dev/release/provenance/v1","predicate":{"mission":"m","model_digest":"sha256:288221352327df1defcc66eb80b132e29d3c963dac9183441065e2d849d3cb03","cut_by":"alice","cut_at_ms":1000,"signer":"mission:m","tool":{"name":"groundplane","version":"0.1.0"},"inputs":[{"name":"mission.toml","digest":{"sha256":"684b0848f046c412a43f08fa23df5664db0675df868842138f7b86f0d1b343d5"}},{"name":"model-source/pcf.dat","digest":{"sha256":"8080fee1a894f940dd36a8635689140557d4855d76c4bcb2da2dc85bad3ca28c"}},{"name":"model.json","digest":{"sha256":"288221352327df1defcc66eb80b132e29d3c963dac9183441065e2d849d3cb03"}},{"name":"procedures/p.toml","digest":{"sha256":"637b38152a9ce33f2745919cf64c3302642f94b633e25eff3b3bec8563b91c02"}}]}}"#]].assert_eq(&text(&bundle.files, PROVENANCE));
    expect![[r#"{"key_id":"ed25519:34750f98bd59fcfc","payload":{"provenance":"sha256:5347958980930ffd59bf2a0f5a1043e1570905cf1dc52517a048ada45b0e59c9","release":"sha256:b7cc7959e37b685fc4e8a5622f9f9d90f19aea2abf600868a797d6f9e894825a"},"payload_type":"application/vnd.groundplane.release+json","sig":"3719283d64bc7a105868209b4ab46cd7b65ecb5f64dadcbf0fd8da6718e9ec12ec9a49e5c87ccc133af5d03245969ab94a9fcc2cf5d7d0deccd8da189a6c9502","signer":"mission:m"}"#]].assert_eq(&text(&bundle.files, SIGNATURE));
    let paths: Vec<&str> = bundle.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        ["manifest.json", "mission.toml", "model.json", "procedures/p.toml", "provenance.json", "signature.json"]
    );
}

#[test]
fn a_good_release_verifies() {
    let bundle = good();
    let trusted = [key(9).public(), key(1).public()];
    let mission: MissionSlug = "sentinel-x".parse().unwrap();
    let verified = verify(&bundle.files, &trusted, Some(&mission), Some(&bundle.digest)).expect("verifies");
    assert_eq!(verified.key_id, key(1).public().key_id());
    assert_eq!(verified.release.digest, bundle.digest);
    assert_eq!(verified.release.provenance.predicate.cut_by, "alice");
    assert_eq!(verified.release.signature.signer, "mission:sentinel-x");
}

/// Edits one file's text.
fn edit(files: &mut BTreeMap<String, Vec<u8>>, path: &str, from: &str, to: &str) {
    let text = text(files, path);
    assert!(text.contains(from), "{from:?} not in {path}: {text}");
    files.insert(path.to_string(), text.replacen(from, to, 1).into_bytes());
}

/// What a forger with the signing key would do after changing content files: a new manifest
/// (same mission and model digest claimed), provenance subject and signature.
fn forge(files: &mut BTreeMap<String, Vec<u8>>) {
    let old = Manifest::parse(&files[MANIFEST]).unwrap();
    let content: BTreeMap<String, Vec<u8>> =
        files.iter().filter(|(path, _)| old.file(path).is_some()).map(|(p, b)| (p.clone(), b.clone())).collect();
    let manifest = Manifest::new(old.mission, old.model_digest, &content).canonical_json();
    let digest = Digest::of(&manifest);
    let mut statement: Statement = serde_json::from_slice(&files[PROVENANCE]).unwrap();
    statement.subject[0].digest = DigestSet::of(&digest);
    let provenance = statement.to_json();
    let payload = SignedPayload { provenance: Digest::of(&provenance), release: digest };
    let signature = SignatureRecord::sign(&key(1), statement.predicate.signer.clone(), payload);
    files.insert(MANIFEST.to_string(), manifest);
    files.insert(PROVENANCE.to_string(), provenance);
    files.insert(SIGNATURE.to_string(), signature.to_json());
}

#[test]
fn every_tampering_is_refused_with_its_reason() {
    type Tamper = fn(&mut BTreeMap<String, Vec<u8>>);
    let good = good();
    let ping = Digest::of(PING.as_bytes());
    let cases: Vec<(&str, Tamper, String)> = vec![
        ("procedure byte", |f| edit(f, "procedures/ping.toml", "10", "99"), {
            let disk = Digest::of(PING.replacen("10", "99", 1).as_bytes());
            format!("procedures/ping.toml: {ping} in the manifest, {disk} on disk")
        }),
        (
            "procedure removed",
            |f| drop(f.remove("procedures/ping.toml")),
            "procedures/ping.toml: missing from the release".into(),
        ),
        (
            "file added",
            |f| drop(f.insert("procedures/x.toml".into(), vec![])),
            " procedures/x.toml: on disk but not in the manifest".trim().into(),
        ),
        ("model byte", |f| edit(f, "model.json", "PAR1", "PAR9"), "model.json: sha256:".into()),
        ("manifest missing", |f| drop(f.remove(MANIFEST)), "manifest.json: missing from the release".into()),
        ("manifest spaced", |f| edit(f, MANIFEST, ",", ", "), "manifest.json: not in canonical form".into()),
        (
            "manifest garbage",
            |f| drop(f.insert(MANIFEST.into(), b"\xff".to_vec())),
            "manifest.json: expected value at line 1 column 1".into(),
        ),
        (
            "manifest size",
            |f| edit(f, MANIFEST, "\"size\":", "\"size\":1"),
            "signature.json: signs release sha256:".into(),
        ),
        (
            "signature byte",
            |f| {
                let mut record: SignatureRecord = serde_json::from_slice(&f[SIGNATURE]).unwrap();
                let flipped = if record.sig.starts_with('0') { "1" } else { "0" };
                record.sig.replace_range(0..1, flipped);
                f.insert(SIGNATURE.into(), record.to_json());
            },
            format!("signature by key {} does not verify", key(1).public().key_id()),
        ),
        (
            "signature not hex",
            |f| edit(f, SIGNATURE, "\"sig\":\"", "\"sig\":\"zz"),
            format!("signature by key {} does not verify", key(1).public().key_id()),
        ),
        ("signature missing", |f| drop(f.remove(SIGNATURE)), "signature.json: missing from the release".into()),
        (
            "signer widened",
            |f| edit(f, SIGNATURE, "mission:sentinel-x", "platform"),
            "signature.json: signer \"platform\" cannot sign a release of sentinel-x".into(),
        ),
        (
            "signer of another mission",
            |f| edit(f, SIGNATURE, "mission:sentinel-x", "mission:other-x"),
            "signature.json: signer \"mission:other-x\" cannot sign".into(),
        ),
        (
            "provenance cut_by",
            |f| edit(f, PROVENANCE, "alice", "mallory"),
            "signature.json: signs provenance sha256:".into(),
        ),
        (
            "provenance subject",
            |f| edit(f, PROVENANCE, "release:sentinel-x", "release:other-x"),
            "provenance.json: subject release:other-x sha256:".into(),
        ),
        (
            "mission file renamed, re-signed",
            |f| {
                edit(f, "mission.toml", "sentinel-x", "other-x");
                forge(f)
            },
            "mission.toml: names mission other-x, the manifest sentinel-x".into(),
        ),
        (
            "model swapped, re-signed",
            |f| {
                f.insert("model.json".into(), model_json(&model::MissionModel::default()));
                forge(f)
            },
            "manifest.json: model_digest sha256:".into(),
        ),
        (
            "mission file broken, re-signed",
            |f| {
                edit(f, "mission.toml", "model =", "modl =");
                forge(f)
            },
            "mission.toml: mission.toml: TOML parse error".into(),
        ),
    ];
    let trusted = [key(1).public()];
    for (what, tamper, expected) in cases {
        let mut files = good.files.clone();
        tamper(&mut files);
        let got = match verify(&files, &trusted, None, None) {
            Ok(_) => "verified".to_string(),
            Err(error) => error.to_string(),
        };
        assert!(got.starts_with(&expected), "{what}: expected {expected:?}\n got {got:?}");
    }
}

#[test]
fn the_wrong_digest_mission_or_key_is_refused() {
    let good = good();
    let trusted = [key(1).public()];
    let other: Digest = Digest::of(b"other");
    let error = verify(&good.files, &trusted, None, Some(&other)).unwrap_err().to_string();
    assert_eq!(error, format!("manifest.json: {} on disk, the release is {other}", good.digest));
    let other_x: MissionSlug = "other-x".parse().unwrap();
    let error = verify(&good.files, &trusted, Some(&other_x), None).unwrap_err().to_string();
    assert_eq!(error, "release of mission sentinel-x, expected other-x");
    let error = verify(&good.files, &[key(2).public()], None, None).unwrap_err().to_string();
    assert_eq!(
        error,
        format!("no trusted key {}: the release is signed by a key not among the 1 trusted", key(1).public().key_id())
    );
    let error = verify(&good.files, &[], None, None).unwrap_err().to_string();
    assert!(error.starts_with("no trusted key ed25519:"), "{error}");
}

#[test]
fn refuses_to_cut_from_bad_inputs() {
    let model = model_json(spacepy_model());
    let ok = procedures(&[("ping.toml", PING)]);
    type Case = (String, Vec<u8>, BTreeMap<String, Vec<u8>>, &'static str);
    let cases: Vec<Case> = vec![
        (
            MISSION.replace("sentinel-x", "Sentinel"),
            model.clone(),
            ok.clone(),
            "sentinel-x.toml: name: mission slug `Sentinel`",
        ),
        ("name = ".into(), model.clone(), ok.clone(), "sentinel-x.toml: TOML parse error at line 1"),
        (
            MISSION.into(),
            b"{}".to_vec(),
            ok.clone(),
            "model.json: not the canonical JSON of a mission model: canonical JSON of the model: missing field",
        ),
        (
            MISSION.into(),
            format!(" {}", String::from_utf8_lossy(&model)).into_bytes(),
            ok.clone(),
            "model.json: not the canonical JSON of a mission model: the bytes differ",
        ),
        (
            MISSION.into(),
            model.clone(),
            procedures(&[("../x.toml", PING)]),
            "procedures/../x.toml: not a procedure file name",
        ),
        (MISSION.into(), model.clone(), procedures(&[(".toml", PING)]), "procedures/.toml: not a procedure file name"),
        (
            MISSION.into(),
            model.clone(),
            procedures(&[("ping.txt", PING)]),
            "procedures/ping.txt: not a procedure file name",
        ),
    ];
    for (mission, model, procedures, expected) in cases {
        let got =
            cut_release(&mission, &model, &procedures).map(|b| b.digest.to_string()).unwrap_or_else(|e| e.to_string());
        assert!(got.starts_with(expected), "expected {expected:?}\n got {got:?}");
    }
    let sources = [];
    let inputs = CutInputs {
        mission_file_name: "m.toml",
        mission_file: b"\xff",
        model_json: &model,
        model_sources: &sources,
        procedures: &ok,
        policies: None,
        cut_by: "",
        cut_at_ms: 0,
        tool_version: "0",
    };
    assert_eq!(cut(&inputs, &key(1), SignerKind::Platform).unwrap_err().to_string(), "m.toml: not UTF-8 text");
    let inputs = CutInputs { mission_file: MISSION.as_bytes(), ..inputs };
    assert_eq!(
        cut(&inputs, &key(1), SignerKind::Platform).unwrap_err().to_string(),
        "cut by \"\": 1 to 100 printable characters"
    );
}

#[test]
fn diff_shows_model_mission_file_and_procedure_changes() {
    let a = good();
    let mut changed = spacepy_model().clone();
    let par1 = changed.parameters.values_mut().find(|p| p.name.to_string().ends_with("/PAR1")).expect("PAR1");
    par1.description = Some("Bit Parameter One".to_string());
    let mission =
        MISSION.replace("procedures = \"procedures\"", "procedures = \"tests\"\nmodel_exclude = [\"ocf.dat\"]");
    let b = cut_release(
        &mission,
        &model_json(&changed),
        &procedures(&[("ping.toml", &PING.replace("timeout_s = 10", "timeout_s = 20")), ("new.toml", HK)]),
    )
    .unwrap();
    let diff = diff(&a.files, &b.files).expect("both read");
    expect![[r#"
        model:
          parameters:
            ~ /MIB/PAR1
                [description] description: "Bit Parameter 1" → "Bit Parameter One"
          0 added, 0 removed, 1 changed
        mission file:
          -3: procedures = "procedures"
          +3: procedures = "tests"
          +4: model_exclude = ["ocf.dat"]
        procedures:
          - hk.toml
          + new.toml
          ~ ping.toml
              -5: timeout_s = 10
              +5: timeout_s = 20
    "#]]
    .assert_eq(&diff.to_string());
    let same = crate::diff(&a.files, &a.files).unwrap();
    assert!(same.is_empty());
    expect![[r#"
        model:
          (no change)
        mission file:
          (no change)
        procedures:
          (no change)
    "#]]
    .assert_eq(&same.to_string());
    let mut broken = a.files.clone();
    broken.remove("model.json");
    assert_eq!(crate::diff(&a.files, &broken).unwrap_err().to_string(), "release B: model.json: missing");
}

#[test]
fn line_diff_lists_only_what_differs() {
    let render =
        |old: &str, new: &str| -> Vec<String> { diff::lines(old, new).iter().map(ToString::to_string).collect() };
    assert_eq!(render("a\nb\nc\n", "a\nx\nc\n"), ["-2: b", "+2: x"]);
    assert_eq!(render("a\nb\n", "a\nb\nc\n"), ["+3: c"]);
    assert_eq!(render("a\nb\nc\nd\n", "b\nc\nd\ne\n"), ["-1: a", "+4: e"]);
    assert!(render("same\n", "same\n").is_empty());
}

#[test]
fn keys_read_write_and_sign_known_vectors() {
    // RFC 8032, section 7.1, test 1.
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    let secret = SecretKey::from_text("k", &format!("  {seed}\n")).unwrap();
    assert_eq!(secret.to_text(), format!("{seed}\n"));
    assert_eq!(secret.public().to_text(), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n");
    assert_eq!(format!("{secret:?}"), "[redacted]");
    let public = PublicKey::from_text("p", &secret.public().to_text()).unwrap();
    assert_eq!(public, secret.public());
    assert!(public.key_id().starts_with("ed25519:") && public.key_id().len() == 24, "{}", public.key_id());
    for bad in ["", "zz", &"0".repeat(63), &"g".repeat(64)] {
        assert_eq!(SecretKey::from_text("k", bad).unwrap_err(), KeyError::Malformed { file: "k".into() });
    }
    // DSSE's own example of the pre-authentication encoding.
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
}

#[test]
fn a_missions_policies_are_carried_and_covered_by_the_digest() {
    let model = model_json(spacepy_model());
    let none = procedures(&[]);
    let sources = [];
    let inputs = |policies: Option<&'static [u8]>| CutInputs {
        mission_file_name: "m.toml",
        mission_file: MISSION.as_bytes(),
        model_json: &model,
        model_sources: &sources,
        procedures: &none,
        policies,
        cut_by: "bob",
        cut_at_ms: 2000,
        tool_version: "9",
    };
    let without = cut(&inputs(None), &key(1), SignerKind::Platform).unwrap();
    let with = cut(&inputs(Some(b"// ours\n")), &key(1), SignerKind::Platform).unwrap();
    assert_ne!(without.digest, with.digest);
    assert_eq!(with.files.get(crate::manifest::POLICIES).map(Vec::as_slice), Some(&b"// ours\n"[..]));
    let trusted = [key(1).public()];
    crate::verify(&with.files, &trusted, None, Some(&with.digest)).unwrap();
    let mut edited = with.files.clone();
    edited.insert(crate::manifest::POLICIES.to_string(), b"permit (principal, action, resource);".to_vec());
    let refused = crate::verify(&edited, &trusted, None, Some(&with.digest)).unwrap_err();
    assert!(refused.to_string().contains("policies.cedar"), "{refused}");
    assert!(cut(&inputs(Some(b"\xff")), &key(1), SignerKind::Platform).is_err());
}
