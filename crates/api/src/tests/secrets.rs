//! The secrets routes through a fake vault: each answers, the gate is asked `read_secrets` or
//! `manage_secrets` on the environment, a value never comes back (not in an answer, not in
//! the error of a body that does not parse), sealed answers 503, no vault answers 404.

use super::*;
use crate::gate::Principal;
use crate::routes::{table, ScopeKind};
use crate::secrets::{secret_value, SecretsBackend, SecretsError};
use crate::wire::{SecretSummary, SecretVersionDto, SecretsRotated};
use crate::Action;
use base::Scope;
use expect_test::expect;
use std::sync::Mutex;
use vault::{SecretName, SecretValue};

/// The value every test plants; no answer may hold it.
const PLANTED: &str = "planted-Xq93-value";
const SX_DEV: &str = "/api/missions/sentinel-x/envs/dev";

/// A vault in memory that remembers every call (values as their length and first byte only).
#[derive(Default)]
struct FakeSecrets {
    sealed: bool,
    calls: Mutex<Vec<String>>,
    /// The values stored, to check what the routes decoded.
    values: Mutex<Vec<Vec<u8>>>,
}

impl FakeSecrets {
    fn record(&self, call: String) -> Result<(), SecretsError> {
        self.calls.lock().unwrap().push(call);
        if self.sealed {
            return Err(SecretsError::Sealed);
        }
        Ok(())
    }

    fn calls(&self) -> String {
        self.calls.lock().unwrap().join("\n")
    }
}

impl SecretsBackend for FakeSecrets {
    fn list(&self, scope: &Scope, by: &Principal) -> Result<Vec<SecretSummary>, SecretsError> {
        self.record(format!("list {scope} by {}", by.id))?;
        let version = SecretVersionDto { version: 1, created_ms: Some(5) };
        Ok(vec![SecretSummary { name: "gs-kiruna.password".into(), versions: vec![version] }])
    }

    fn put(&self, scope: &Scope, name: &SecretName, value: SecretValue, by: &Principal) -> Result<u32, SecretsError> {
        self.record(format!("put {scope} {name} ({} bytes) by {}", value.len(), by.id))?;
        self.values.lock().unwrap().push(value.expose().to_vec());
        Ok(2)
    }

    fn delete(&self, scope: &Scope, name: &SecretName, by: &Principal) -> Result<usize, SecretsError> {
        self.record(format!("delete {scope} {name} by {}", by.id))?;
        if name.as_str() == "missing" {
            return Err(SecretsError::NotFound { scope: scope.clone(), name: name.to_string() });
        }
        Ok(2)
    }

    fn rotate(&self, scope: &Scope, by: &Principal) -> Result<SecretsRotated, SecretsError> {
        self.record(format!("rotate {scope} by {}", by.id))?;
        Ok(SecretsRotated { data_key_version: 3, resealed: 2 })
    }
}

fn secrets_app(secrets: Option<Arc<FakeSecrets>>) -> (Router, Gate) {
    let gate = Gate::with_tokens(tokens(), true);
    let backend = secrets.map(|fake| fake as Arc<dyn SecretsBackend>);
    let options = RouterOptions { body_len_max: 1024, ..RouterOptions::default() };
    (crate::router_with(Arc::new(Fake::new(1)), None, backend, gate.clone(), options), gate)
}

async fn call(router: &Router, method: &str, uri: &str, token: Option<&str>, body: &str) -> Reply {
    let content_type = (!body.is_empty()).then_some("application/json");
    send(router, Call { method, uri, token, content_type, body: body.to_string() }).await
}

#[tokio::test]
async fn every_secrets_route_answers_through_the_backend_and_asks_the_gate() {
    let fake = Arc::new(FakeSecrets::default());
    let (router, gate) = secrets_app(Some(fake.clone()));
    let put = format!(r#"{{"value":"{PLANTED}"}}"#);
    // `planted-Xq93-value` in standard base64.
    let put_base64 = r#"{"value_base64":"cGxhbnRlZC1YcTkzLXZhbHVl"}"#;
    let cases = [
        ("GET", format!("{SX_DEV}/secrets"), String::new()),
        ("PUT", format!("{SX_DEV}/secrets/gs-kiruna.password"), put),
        ("PUT", format!("{SX_DEV}/secrets/gs-kiruna.password"), put_base64.to_string()),
        ("DELETE", format!("{SX_DEV}/secrets/gs-kiruna.password"), String::new()),
        ("DELETE", format!("{SX_DEV}/secrets/missing"), String::new()),
        ("POST", format!("{SX_DEV}/secrets-rotate"), String::new()),
        ("POST", format!("{SX_DEV}/secrets-rotate"), "{}".to_string()),
    ];
    let mut lines = String::new();
    for (method, uri, body) in &cases {
        let reply = call(&router, method, uri, Some(SENTINEL_DEV_TOKEN), body).await;
        lines.push_str(&format!("{method} {uri} → {}\n", without_id(&reply)));
        assert!(!reply.body.contains(PLANTED) && !reply.body.contains("cGxhbnRlZC"), "{reply}");
    }
    let decisions: Vec<String> = gate
        .log()
        .recent()
        .iter()
        .map(|d| format!("{} {} {} {}", d.principal, d.action.as_str(), d.resource, d.allow))
        .collect();
    lines.push_str(&format!("{}\n{}", fake.calls(), decisions.join("\n")));
    expect![[r#"
        GET /api/missions/sentinel-x/envs/dev/secrets → 200 [{"name":"gs-kiruna.password","versions":[{"version":1,"created_ms":5}]}]
        PUT /api/missions/sentinel-x/envs/dev/secrets/gs-kiruna.password → 200 {"name":"gs-kiruna.password","version":2}
        PUT /api/missions/sentinel-x/envs/dev/secrets/gs-kiruna.password → 200 {"name":"gs-kiruna.password","version":2}
        DELETE /api/missions/sentinel-x/envs/dev/secrets/gs-kiruna.password → 200 {"name":"gs-kiruna.password","versions":2}
        DELETE /api/missions/sentinel-x/envs/dev/secrets/missing → 404 {"error":"secret sentinel-x/dev missing: not found","field":"name","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/dev/secrets-rotate → 200 {"data_key_version":3,"resealed":2}
        POST /api/missions/sentinel-x/envs/dev/secrets-rotate → 200 {"data_key_version":3,"resealed":2}
        list sentinel-x/dev by sentinel-dev
        put sentinel-x/dev gs-kiruna.password (18 bytes) by sentinel-dev
        put sentinel-x/dev gs-kiruna.password (18 bytes) by sentinel-dev
        delete sentinel-x/dev gs-kiruna.password by sentinel-dev
        delete sentinel-x/dev missing by sentinel-dev
        rotate sentinel-x/dev by sentinel-dev
        rotate sentinel-x/dev by sentinel-dev
        sentinel-dev read_secrets deployment sentinel-x/dev true
        sentinel-dev manage_secrets deployment sentinel-x/dev true
        sentinel-dev manage_secrets deployment sentinel-x/dev true
        sentinel-dev manage_secrets deployment sentinel-x/dev true
        sentinel-dev manage_secrets deployment sentinel-x/dev true
        sentinel-dev manage_secrets deployment sentinel-x/dev true
        sentinel-dev manage_secrets deployment sentinel-x/dev true"#]]
    .assert_eq(&lines);
    let values = fake.values.lock().unwrap().clone();
    assert_eq!(values, vec![PLANTED.as_bytes().to_vec(), PLANTED.as_bytes().to_vec()], "text and base64 alike");
}

#[test]
fn the_secrets_routes_ask_for_secrets_actions_on_the_environment() {
    let rows: Vec<String> = table()
        .into_iter()
        .filter(|route| route.path.contains("/secrets"))
        .map(|route| format!("{} {} {} {:?}", route.method, route.path, route.action.as_str(), route.scope))
        .collect();
    expect![[r#"
        GET /api/missions/{mission}/envs/{env}/secrets read_secrets Environment
        PUT /api/missions/{mission}/envs/{env}/secrets/{name} manage_secrets Environment
        DELETE /api/missions/{mission}/envs/{env}/secrets/{name} manage_secrets Environment
        POST /api/missions/{mission}/envs/{env}/secrets-rotate manage_secrets Environment"#]]
    .assert_eq(&rows.join("\n"));
    assert!(Action::ReadSecrets.is_read() && !Action::ManageSecrets.is_read());
    assert!(table().iter().filter(|r| r.path.contains("/secrets")).all(|r| r.scope == ScopeKind::Environment));
}

#[tokio::test]
async fn a_body_that_is_not_a_secret_is_refused_without_quoting_it() {
    let fake = Arc::new(FakeSecrets::default());
    let (router, _) = secrets_app(Some(fake.clone()));
    let uri = format!("{SX_DEV}/secrets/gs-kiruna.password");
    let bodies = [
        format!(r#"{{"value":["{PLANTED}"]}}"#),
        format!(r#"{{"value":{{"nested":"{PLANTED}"}}}}"#),
        format!(r#"{{"valu":"{PLANTED}"}}"#),
        format!(r#"{{"{PLANTED}":"x"}}"#),
        format!(r#"{{"value":"{PLANTED}","extra":1}}"#),
        format!(r#"{{"value":"{PLANTED}","value_base64":"eA=="}}"#),
        format!(r#"{{"value_base64":"{PLANTED}!"}}"#),
        format!(r#"{{"value":"{PLANTED}""#),
        format!(r#""{PLANTED}""#),
        format!(r#"{{"value":1,"also":"{PLANTED}"}}"#),
        r#"{"value":""}"#.to_string(),
        "{}".to_string(),
    ];
    let mut lines = String::new();
    for body in &bodies {
        let reply = call(&router, "PUT", &uri, Some(SENTINEL_DEV_TOKEN), body).await;
        assert!(!reply.body.contains("Xq93"), "{body} → {reply}");
        lines.push_str(&format!("{}\n", without_id(&reply)));
    }
    // Not JSON at all, a value where the name belongs, and no token.
    let text = send(
        &router,
        Call { method: "PUT", uri: &uri, token: Some(SENTINEL_DEV_TOKEN), body: PLANTED.into(), ..Call::default() },
    )
    .await;
    let in_path =
        call(&router, "PUT", &format!("{SX_DEV}/secrets/{PLANTED}X"), Some(SENTINEL_DEV_TOKEN), r#"{"value":"x"}"#)
            .await;
    let anonymous = call(&router, "PUT", &uri, None, &format!(r#"{{"value":"{PLANTED}"}}"#)).await;
    let other = call(&router, "PUT", &uri, Some(BOGUS_TOKEN), &format!(r#"{{"value":"{PLANTED}"}}"#)).await;
    for reply in [&text, &in_path, &anonymous, &other] {
        assert!(!reply.body.contains("Xq93"), "{reply}");
        lines.push_str(&format!("{}\n", without_id(reply)));
    }
    expect![[r#"
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"value_base64: not standard base64 (contents not shown)","field":"value_base64","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        200 {"name":"gs-kiruna.password","version":2}
        400 {"error":"body: expected {\"value\": \"<text>\"} or {\"value_base64\": \"<base64>\"}, exactly one, nothing else","request_id":"ID"}
        415 {"error":"expected content-type application/json","request_id":"ID"}
        400 {"error":"secret name of 19 characters: need 1 to 64 of a-z, 0-9, '.', '_', '-'","field":"name","request_id":"ID"}
        403 {"error":"manage_secrets on sentinel-x/dev needs a token","request_id":"ID"}
        403 {"error":"token bogus-dev has no grant for sentinel-x/dev","request_id":"ID"}
    "#]]
    .assert_eq(&lines);
    assert_eq!(fake.calls(), "put sentinel-x/dev gs-kiruna.password (0 bytes) by sentinel-dev", "only the empty value");
}

#[tokio::test]
async fn a_sealed_vault_answers_503_and_no_vault_404() {
    let sealed = Arc::new(FakeSecrets { sealed: true, ..FakeSecrets::default() });
    let (router, _) = secrets_app(Some(sealed));
    let reply = call(&router, "GET", &format!("{SX_DEV}/secrets"), Some(SENTINEL_DEV_TOKEN), "").await;
    assert_eq!(without_id(&reply), r#"503 {"error":"the vault is sealed: no master key","request_id":"ID"}"#);
    let (router, _) = secrets_app(None);
    let reply = call(&router, "POST", &format!("{SX_DEV}/secrets-rotate"), Some(SENTINEL_DEV_TOKEN), "").await;
    assert_eq!(
        without_id(&reply),
        r#"404 {"error":"the secrets vault is not enabled on this server","request_id":"ID"}"#
    );
}

#[test]
fn base64_values_decode_exactly() {
    let decode =
        |text: &str| secret_value(format!(r#"{{"value_base64":"{text}"}}"#).as_bytes()).map(|v| v.expose().to_vec());
    assert_eq!(decode("").unwrap(), b"");
    assert_eq!(decode("eA==").unwrap(), b"x");
    assert_eq!(decode("eHk=").unwrap(), b"xy");
    assert_eq!(decode("eHl6").unwrap(), b"xyz");
    assert_eq!(decode("AP8A/w==").unwrap(), [0, 255, 0, 255]);
    for bad in ["eA=", "e===", "eA==eA==", "eA-_", "eA ="] {
        assert!(decode(bad).is_err(), "{bad}");
    }
}
