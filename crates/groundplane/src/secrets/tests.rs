//! The server's vault through the API's backend and the delivery to deployments, on a
//! temporary directory with a real audit chain: what each call answers, what the chain holds
//! (access, never a value), sealed, and scopes that cannot reach each other's secrets.

use super::deliver::login_from;
use super::*;
use crate::serve::config::VaultConfig;
use api::gate::PrincipalKind;
use expect_test::expect;
use std::fmt::Write as _;

const PLANTED_OPS: &[u8] = b"planted-kiruna-ops-Vb52";
const PLANTED_OPS_2: &[u8] = b"planted-kiruna-ops-second-Rw19";
const PLANTED_DEV: &[u8] = b"planted-kiruna-dev-Mt07";

fn scope(text: &str) -> Scope {
    let (mission, env) = text.split_once('/').expect("mission/env");
    Scope { mission: mission.parse().expect("a slug"), env: env.parse().expect("an env") }
}

fn name(text: &str) -> SecretName {
    text.parse().expect("a secret name")
}

fn value(bytes: &[u8]) -> SecretValue {
    SecretValue::new(bytes.to_vec())
}

struct Setup {
    root: PathBuf,
    auditor: Arc<Auditor>,
}

impl Setup {
    fn new(label: &str) -> Setup {
        let root = test_utils::temp_dir(label);
        let clock: deployment::Clock = Arc::new(|| 1_000);
        let auditor = Auditor::open(&root.join("audit"), audit::KeySigner::from_seed([7; 32]), clock).unwrap();
        Setup { root, auditor }
    }

    fn secrets(&self, master: Option<[u8; 32]>) -> Secrets {
        Secrets::open(&self.root.join("vault"), master.map(MasterKey::from_bytes), self.auditor.clone()).unwrap()
    }

    /// The audit records, one a line: principal, action, resource, outcome, detail.
    fn audit(&self) -> String {
        let store = archive::AuditStore::open(&self.root.join("audit")).unwrap();
        let mut lines = String::new();
        for record in store.records().unwrap() {
            let _ = writeln!(
                lines,
                "{} | {} | {} | {} | {}",
                record.principal, record.action, record.resource, record.outcome, record.detail
            );
        }
        lines
    }

    /// Every byte of every file under the root but the vault's own (ciphertext).
    fn files_hold(&self, planted: &[u8]) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if !path.starts_with(self.root.join("vault")) {
                    let bytes = std::fs::read(&path).unwrap();
                    if bytes.windows(planted.len()).any(|window| window == planted) {
                        found.push(path);
                    }
                }
            }
        }
        found
    }
}

#[test]
fn api_calls_store_list_rotate_delete_and_the_audit_records_access_only() {
    let setup = Setup::new("secrets-api");
    let secrets = setup.secrets(Some([9; 32]));
    let alice = Principal::named("alice", PrincipalKind::Token);
    let (ops, dev, kiruna) = (scope("sentinel-x/ops"), scope("sentinel-x/dev"), name("gs-kiruna.password"));
    let mut transcript = String::new();
    let mut say = |what: &str, answer: String| {
        let _ = writeln!(transcript, "{what} → {answer}");
    };
    say("put ops", format!("{:?}", secrets.put(&ops, &kiruna, value(PLANTED_OPS), &alice)));
    say("put ops", format!("{:?}", secrets.put(&ops, &kiruna, value(PLANTED_OPS_2), &alice)));
    say("put dev", format!("{:?}", secrets.put(&dev, &kiruna, value(PLANTED_DEV), &alice)));
    say("put empty", format!("{:?}", secrets.put(&dev, &name("empty"), value(b""), &alice)));
    say("list ops", format!("{:?}", secrets.list(&ops, &alice)));
    say("rotate ops", format!("{:?}", secrets.rotate(&ops, &alice)));
    say("delete dev", format!("{:?}", secrets.delete(&dev, &kiruna, &alice)));
    say("delete dev again", format!("{:?}", secrets.delete(&dev, &kiruna, &alice)));
    say("list dev", format!("{:?}", secrets.list(&dev, &alice)));
    let delivered = secrets.deliver(&ops, &kiruna).unwrap();
    assert_eq!(delivered.expose(), PLANTED_OPS_2, "the latest version, after the rotation");
    expect![[r#"
        put ops → Ok(1)
        put ops → Ok(2)
        put dev → Ok(1)
        put empty → Err(BadRequest { field: "value", reason: "secret sentinel-x/dev empty: empty value" })
        list ops → Ok([SecretSummary { name: "gs-kiruna.password", versions: [SecretVersionDto { version: 1, created_ms: Some(1000) }, SecretVersionDto { version: 2, created_ms: Some(1000) }] }])
        rotate ops → Ok(SecretsRotated { data_key_version: 2, resealed: 2 })
        delete dev → Ok(1)
        delete dev again → Err(NotFound { scope: Scope { mission: MissionSlug("sentinel-x"), env: Dev }, name: "gs-kiruna.password" })
        list dev → Ok([])
    "#]]
    .assert_eq(&transcript);
    expect![[r#"
        alice | secret.put | deployment sentinel-x/ops | allowed | {"name":"gs-kiruna.password","version":1}
        alice | secret.put | deployment sentinel-x/ops | allowed | {"name":"gs-kiruna.password","version":2}
        alice | secret.put | deployment sentinel-x/dev | allowed | {"name":"gs-kiruna.password","version":1}
        alice | secret.put | deployment sentinel-x/dev | failed | {"error":"secret sentinel-x/dev empty: empty value","name":"empty"}
        alice | secret.list | deployment sentinel-x/ops | allowed | {"secrets":1}
        alice | secret.rotate | deployment sentinel-x/ops | allowed | {"data_key_version":2,"resealed":2}
        alice | secret.delete | deployment sentinel-x/dev | allowed | {"name":"gs-kiruna.password","versions":[1]}
        alice | secret.delete | deployment sentinel-x/dev | failed | {"error":"secret sentinel-x/dev gs-kiruna.password: not found","name":"gs-kiruna.password"}
        alice | secret.list | deployment sentinel-x/dev | allowed | {"secrets":0}
        deployment sentinel-x/ops | secret.deliver | deployment sentinel-x/ops | allowed | {"name":"gs-kiruna.password","version":2}
    "#]]
    .assert_eq(&setup.audit());
    for planted in [PLANTED_OPS, PLANTED_OPS_2, PLANTED_DEV] {
        assert!(!transcript.as_bytes().windows(planted.len()).any(|w| w == planted), "{transcript}");
        assert_eq!(setup.files_hold(planted), Vec::<PathBuf>::new());
    }
}

#[test]
fn a_deployment_gets_the_secrets_of_its_own_scope_only() {
    let setup = Setup::new("secrets-deliver");
    let secrets = setup.secrets(Some([9; 32]));
    let alice = Principal::named("alice", PrincipalKind::Token);
    let kiruna = name("gs-kiruna.password");
    secrets.put(&scope("sentinel-x/ops"), &kiruna, value(PLANTED_OPS), &alice).unwrap();
    let login = login_from(&secrets, &scope("sentinel-x/ops"), "gs-kiruna.password").unwrap();
    assert_eq!(format!("{login:?}"), r#"UplinkLogin { secret: "gs-kiruna.password", value: "[redacted]" }"#);
    let mut refusals = String::new();
    for (scope_text, secret) in [
        ("sentinel-x/dev", "gs-kiruna.password"),
        ("sentinel-x/aiv", "gs-kiruna.password"),
        ("bogussat/ops", "gs-kiruna.password"),
        ("sentinel-x/dev", "../ops/gs-kiruna.password"),
        ("sentinel-x/dev", "sentinel-x/ops/gs-kiruna.password"),
    ] {
        let error = login_from(&secrets, &scope(scope_text), secret).unwrap_err();
        let _ = writeln!(refusals, "{error:#}");
    }
    expect![[r#"
        sentinel-x/dev: uplink.login_secret gs-kiruna.password: cannot be delivered: secret sentinel-x/dev gs-kiruna.password: not found
        sentinel-x/aiv: uplink.login_secret gs-kiruna.password: cannot be delivered: secret sentinel-x/aiv gs-kiruna.password: not found
        bogussat/ops: uplink.login_secret gs-kiruna.password: cannot be delivered: secret bogussat/ops gs-kiruna.password: not found
        sentinel-x/dev: uplink.login_secret: secret name of 25 characters: need 1 to 64 of a-z, 0-9, '.', '_', '-'
        sentinel-x/dev: uplink.login_secret: secret name of 33 characters: need 1 to 64 of a-z, 0-9, '.', '_', '-'
    "#]]
    .assert_eq(&refusals);
    let audit = setup.audit();
    assert!(
        audit.contains("deployment sentinel-x/ops | secret.deliver | deployment sentinel-x/ops | allowed"),
        "{audit}"
    );
    assert!(
        audit.contains("deployment sentinel-x/dev | secret.deliver | deployment sentinel-x/dev | failed"),
        "{audit}"
    );
}

#[test]
fn a_sealed_vault_lists_stores_and_delivers_nothing() {
    let setup = Setup::new("secrets-sealed");
    let secrets = setup.secrets(None);
    assert!(secrets.is_sealed());
    let alice = Principal::named("alice", PrincipalKind::Token);
    let ops = scope("sentinel-x/ops");
    assert_eq!(secrets.list(&ops, &alice), Err(SecretsError::Sealed));
    assert_eq!(secrets.put(&ops, &name("a"), value(PLANTED_OPS), &alice), Err(SecretsError::Sealed));
    assert_eq!(secrets.rotate(&ops, &alice), Err(SecretsError::Sealed));
    let error = login_from(&secrets, &ops, "gs-kiruna.password").unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "sentinel-x/ops: uplink.login_secret gs-kiruna.password: cannot be delivered: the vault is sealed: no master key"
    );
    assert!(!setup.root.join("vault").exists(), "a sealed vault creates no store");
    let audit = setup.audit();
    assert_eq!(audit.lines().filter(|line| line.contains("| denied |")).count(), 4, "{audit}");
    // Opened with a key, then again with another: the wrong key is refused.
    setup.secrets(Some([9; 32])).put(&ops, &name("a"), value(b"x"), &alice).unwrap();
    let wrong = Secrets::open(&setup.root.join("vault"), Some(MasterKey::from_bytes([8; 32])), setup.auditor.clone());
    assert_eq!(
        format!("{:#}", wrong.err().unwrap()).replace(&setup.root.display().to_string(), "{root}"),
        "vault {root}/vault: the master key is not this vault's"
    );
}

#[test]
fn the_master_key_comes_from_a_private_file_or_the_env_var() {
    let setup = Setup::new("secrets-master");
    let hex = "ab".repeat(32);
    let write = |file: &str, mode: u32| {
        let path = setup.root.join(file);
        std::fs::write(&path, &hex).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    };
    write("private.key", 0o600);
    write("loose.key", 0o644);
    let config = |file: Option<&str>| VaultConfig { master_key_file: file.map(PathBuf::from) };
    let unset = |_: &str| None;
    let set = |name: &str| (name == "GROUNDPLANE_MASTER_KEY").then(|| "cd".repeat(32));
    assert!(master_key(&config(None), &setup.root, &unset).unwrap().is_none(), "sealed");
    assert!(master_key(&config(None), &setup.root, &set).unwrap().is_some());
    assert!(master_key(&config(Some("private.key")), &setup.root, &unset).unwrap().is_some());
    let loose = master_key(&config(Some("loose.key")), &setup.root, &set).unwrap_err();
    let loose = format!("{loose:#}").replace(&setup.root.display().to_string(), "{root}");
    assert_eq!(
        loose,
        "vault.master_key_file: master key {root}/loose.key: mode 644 lets group or others access it; refused (chmod 600 it)"
    );
    let missing = master_key(&config(Some("missing.key")), &setup.root, &unset).unwrap_err();
    assert!(format!("{missing:#}").contains("missing.key: cannot open"), "{missing:#}");
    assert!(!format!("{missing:#}{loose}").contains(&hex));
}
