//! Every route of the table answers, and the OpenAPI document names exactly those routes.

use super::*;
use crate::routes::{table, ScopeKind};
use expect_test::expect;
use std::collections::BTreeSet;

/// The path of a route with its `{segments}` filled in.
pub(super) fn fill(path: &str) -> String {
    let replacements = [
        ("{mission}", "sentinel-x"),
        ("{env}", "dev"),
        ("{id}", "1"),
        ("{release}", "aa"),
        ("{other}", "aa"),
        ("{name}", "gs-kiruna.password"),
    ];
    replacements.iter().fold(path.to_string(), |uri, (from, to)| uri.replace(from, to))
}

/// The source of a release with a mission file of `mission_file_len` bytes.
pub(super) fn source_json(mission_file_len: usize) -> String {
    let source = crate::wire::ReleaseSource {
        mission_file: "#".repeat(mission_file_len),
        model_json: "{}".into(),
        model_sources: Default::default(),
        procedures: Default::default(),
        policies: None,
    };
    serde_json::to_string(&source).unwrap_or_default()
}

/// A request to a route of the table, with the path filled in and a body where it needs one.
fn example(method: &str, path: &str) -> (String, String) {
    let uri = fill(path);
    let (query, body) = match (method, path.rsplit('/').next().unwrap_or_default()) {
        ("POST", "missions" | "releases") => ("", source_json(8)),
        ("POST", "import") => ("", r#"{"files":{"manifest.json":"{}"}}"#.to_owned()),
        ("POST", "archive") => ("", r#"{"confirm":"sentinel-x"}"#.to_owned()),
        ("DELETE", _) if path.contains("/secrets/") => ("", String::new()),
        ("DELETE", _) => ("?confirm=sentinel-x", String::new()),
        ("PUT", _) => ("", r#"{"value":"x"}"#.to_owned()),
        ("POST", "approve") if path.ends_with("{env}/approve") => ("", r#"{"release":"aa","role":"lead"}"#.to_owned()),
        ("POST", "promote") => ("", r#"{"release":"aa"}"#.to_owned()),
        ("POST", "blackouts") => ("", r#"{"from_ms":1000,"to_ms":2000,"reason":"pass"}"#.to_owned()),
        (_, last) => {
            let (query, body) = deployment_example(path, last);
            (query, body.to_owned())
        }
    };
    (format!("{uri}{query}"), body)
}

fn deployment_example(path: &str, last_segment: &str) -> (&'static str, &'static str) {
    match last_segment {
        "latest" => ("?names=BAT/V", ""),
        "samples" => ("?parameters=BAT/V&limit=2", ""),
        "buckets" => ("?parameter=BAT/V&from=0&to=2026-11-24T10:00:00Z&buckets=2", ""),
        "acknowledge" => ("", r#"{"parameter":"BAT/V"}"#),
        "replay" => ("", r#"{"from_ms":0,"to_ms":2000}"#),
        "commands" if path.ends_with("{env}/commands") => ("", r#"{"command":"/X/PING"}"#),
        "approve" => ("", r#"{"digest":"sha256:00"}"#),
        "release-mode" => ("", r#"{"mode":"manual"}"#),
        _ => ("", ""),
    }
}

#[tokio::test]
async fn every_route_answers() {
    let (router, _) = open_app();
    let mut lines = String::new();
    for route in table() {
        let (uri, body) = example(route.method.as_str(), route.path);
        let content_type = (!body.is_empty()).then_some("application/json");
        // Only a token granted every mission may create one.
        let token = if route.action == crate::Action::ManageMissions && route.scope == ScopeKind::Platform {
            ADMIN_TOKEN
        } else {
            SENTINEL_TOKEN
        };
        let call = Call { method: route.method.as_str(), uri: &uri, token: Some(token), content_type, body };
        let reply = send(&router, call).await;
        assert!(reply.headers.contains_key("x-request-id"), "{uri}");
        let body: String = reply.body.replace('\n', "⏎").chars().take(90).collect();
        lines.push_str(&format!("{} {} → {} {body}\n", route.method, route.path, reply.status));
    }
    expect![[r#"
        GET /api/health → 200 {"status":"ok"}
        GET /api/openapi.json → 200 {"openapi":"3.1.0","info":{"title":"Groundplane API","description":"Mission control of eve
        GET /api/deployments → 200 [{"mission":"sentinel-x","env":"dev","model_digest":"sha256:00","links":1},{"mission":"sen
        GET /metrics → 200 # HELP groundplane_http_requests_total HTTP requests by route and status.⏎# TYPE groundpla
        POST /api/session → 415 {"error":"expected content-type application/json","request_id":"req-00000004"}
        DELETE /api/session → 400 {"error":"unknown query parameter `confirm`","field":"confirm","request_id":"req-00000005"
        GET /api/session → 200 {"principal":"sentinel-ops","kind":"token","grants":[],"envs":null}
        POST /api/tokens → 403 {"error":"manage_tokens on the platform is not allowed","request_id":"req-00000007"}
        GET /api/tokens → 403 {"error":"manage_tokens on the platform is not allowed","request_id":"req-00000008"}
        DELETE /api/tokens/{id} → 403 {"error":"manage_tokens on the platform is not allowed","request_id":"req-00000009"}
        GET /api/missions/{mission}/envs/{env}/status → 200 {"mission":"sentinel-x","env":"dev","model_digest":"sha256:00","links":[],"stored":{"units
        GET /api/missions/{mission}/envs/{env}/parameters → 200 [{"name":"BAT/V","samples":5,"first_ms":null,"last_ms":null}]
        GET /api/missions/{mission}/envs/{env}/parameters/latest → 200 [{"parameter":"BAT/V","time_ms":4000,"raw":4,"eng":4.0,"level":"normal","valid":true}]
        GET /api/missions/{mission}/envs/{env}/samples → 200 {"items":[{"parameter":"BAT/V","time_ms":0,"raw":0,"eng":0.0,"level":"normal","valid":true
        GET /api/missions/{mission}/envs/{env}/samples/buckets → 200 [{"start_ms":0,"end_ms":1795514400000,"count":0,"min":null,"max":null,"avg":null},{"start_
        GET /api/missions/{mission}/envs/{env}/units → 200 {"items":[{"seq":1,"link":"tm","time_ms":5,"kind":"packet","apid":null,"hex":"0800","inval
        GET /api/missions/{mission}/envs/{env}/events → 200 {"items":[{"time_ms":7,"severity":"info","source":"pus5","event_id":42,"message":"heater o
        GET /api/missions/{mission}/envs/{env}/alarms → 200 {"items":[{"time_ms":9,"parameter":"BAT/V","change":"raised","level":"warning","by":null}]
        GET /api/missions/{mission}/envs/{env}/alarms/open → 200 [{"parameter":"BAT/V","phase":"active","level":"warning","worst":"warning","raised_ms":9,"
        POST /api/missions/{mission}/envs/{env}/alarms/acknowledge → 200 {"parameter":"BAT/V","by":"sentinel-ops"}
        GET /api/missions/{mission}/envs/{env}/commands/definitions → 200 [{"name":"/X/PING","significance":"none","hazardous":false,"arguments":[]}]
        POST /api/missions/{mission}/envs/{env}/commands → 202 {"id":1,"digest":"sha256:00","state":"queued","bytes_hex":"18"}
        GET /api/missions/{mission}/envs/{env}/commands → 200 []
        GET /api/missions/{mission}/envs/{env}/commands/history → 200 {"items":[],"next":null}
        POST /api/missions/{mission}/envs/{env}/commands/release-mode → 200 {"mode":"manual"}
        GET /api/missions/{mission}/envs/{env}/commands/{id} → 404 {"error":"no command named \"1\"","field":"command","request_id":"req-00000025"}
        POST /api/missions/{mission}/envs/{env}/commands/{id}/approve → 404 {"error":"no command in the queue named \"1\"","field":"command in the queue","request_id"
        POST /api/missions/{mission}/envs/{env}/commands/{id}/release → 404 {"error":"no command in the queue named \"1\"","field":"command in the queue","request_id"
        POST /api/missions/{mission}/envs/{env}/commands/{id}/cancel → 404 {"error":"no command in the queue named \"1\"","field":"command in the queue","request_id"
        POST /api/missions/{mission}/envs/{env}/replay → 200 {"type":"samples","samples":[{"parameter":"BAT/V","time_ms":0,"raw":0,"eng":0.0,"level":"n
        GET /api/missions/{mission}/envs/{env}/live → 400 {"error":"Connection header did not include 'upgrade'","request_id":"req-00000030"}
        GET /api/missions → 200 [{"mission":"sentinel-x","state":"active","created_ms":1,"releases":1,"running":{"dev":"sh
        POST /api/missions → 201 {"mission":"newsat","state":"active","created_ms":1,"created_by":"alice","releases":[{"dig
        GET /api/control/drift → 200 [{"mission":"bogussat","env":"dev","desired":"sha256:aa"}]
        GET /api/missions/{mission} → 200 {"mission":"sentinel-x","state":"active","created_ms":1,"created_by":"alice","releases":[{
        POST /api/missions/{mission}/archive → 200 {"mission":"sentinel-x","state":"archived"}
        DELETE /api/missions/{mission} → 200 {"mission":"sentinel-x","state":"deleted","export":"exports/sentinel-x"}
        GET /api/missions/{mission}/events → 200 [{"index":0,"event":{"event":"registered","release":"sha256:aa"}}]
        GET /api/missions/{mission}/releases → 200 [{"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice",
        POST /api/missions/{mission}/releases → 201 {"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","
        POST /api/missions/{mission}/releases/import → 201 {"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","
        GET /api/missions/{mission}/releases/{release} → 200 {"release":{"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by
        GET /api/missions/{mission}/releases/{release}/diff/{other} → 200 {"model":[]}
        POST /api/missions/{mission}/envs/{env}/approve → 201 {"release":"sha256:aa","env":"dev","principal":"sentinel-ops","role":"lead","at_ms":4}
        POST /api/missions/{mission}/envs/{env}/promote → 200 {"mission":"sentinel-x","env":"dev","release":"sha256:aa","rollback":false,"attested":[],"
        POST /api/missions/{mission}/envs/{env}/rollback → 200 {"mission":"sentinel-x","env":"dev","release":"sha256:aa","rollback":true,"attested":[],"g
        POST /api/missions/{mission}/envs/{env}/pause → 200 {"env":"dev","desired":"sha256:aa","deployment":"paused","drift":false,"history":[],"black
        POST /api/missions/{mission}/envs/{env}/resume → 200 {"env":"dev","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":fa
        POST /api/missions/{mission}/envs/{env}/blackouts → 201 {"env":"dev","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":fa
        GET /api/missions/{mission}/envs/{env}/secrets → 404 {"error":"the secrets vault is not enabled on this server","request_id":"req-00000049"}
        PUT /api/missions/{mission}/envs/{env}/secrets/{name} → 404 {"error":"the secrets vault is not enabled on this server","request_id":"req-00000050"}
        DELETE /api/missions/{mission}/envs/{env}/secrets/{name} → 404 {"error":"the secrets vault is not enabled on this server","request_id":"req-00000051"}
        POST /api/missions/{mission}/envs/{env}/secrets-rotate → 404 {"error":"the secrets vault is not enabled on this server","request_id":"req-00000052"}
    "#]]
    .assert_eq(&lines);
}

#[test]
fn the_route_table_has_unique_paths_and_standard_methods() {
    let routes = table();
    let routes_by_method: BTreeSet<(String, &str)> =
        routes.iter().map(|route| (route.method.to_string(), route.path)).collect();
    assert_eq!(routes_by_method.len(), routes.len());
    for route in &routes {
        assert!(axum::routing::MethodFilter::try_from(route.method.clone()).is_ok(), "{}", route.path);
        let (has_mission, has_env) = (route.path.contains("{mission}"), route.path.contains("{env}"));
        let consistent = match route.scope {
            ScopeKind::Platform => !has_mission && !has_env,
            ScopeKind::Mission => route.path.starts_with("/api/missions/{mission}") && !has_env,
            ScopeKind::Environment | ScopeKind::Deployment => route.path.starts_with(crate::routes::DEPLOYMENT_PREFIX),
        };
        assert!(consistent, "{:?} does not fit {}", route.scope, route.path);
    }
}

#[tokio::test]
async fn openapi_names_every_route_and_the_schemas() {
    let (router, _) = open_app();
    let document = get(&router, "/api/openapi.json").await.json();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths is an object") {
        for method in item.as_object().expect("a path item is an object").keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let routed: BTreeSet<String> = table().iter().map(|route| format!("{} {}", route.method, route.path)).collect();
    assert_eq!(documented, routed);
    let operation_ids: Vec<&str> = document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(|item| item.as_object())
        .flat_map(|item| item.values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    assert_eq!(operation_ids.iter().collect::<BTreeSet<_>>().len(), routed.len(), "{operation_ids:?}");
    let schemas = document["components"]["schemas"].as_object().expect("schemas is an object");
    let names = ["SamplePage", "DeploymentStatus", "LiveMessage", "Subscription", "ErrorBody", "ReplayRequest"];
    for name in names.into_iter().chain(["MissionDetail", "ReleaseSource", "PromotionOutcome", "EnvControl"]) {
        assert!(schemas.contains_key(name), "{name} missing");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let (router, _) = open_app();
    expect!["404 {\"error\":\"no such route\",\"request_id\":\"ID\"}"]
        .assert_eq(&without_id(&get(&router, "/nope").await));
    let reply = send(&router, Call { method: "DELETE", uri: "/api/health", ..Call::default() }).await;
    expect!["405 {\"error\":\"method not allowed on this route\",\"request_id\":\"ID\"}"]
        .assert_eq(&without_id(&reply));
}

#[tokio::test]
async fn metrics_count_requests_decisions_and_append_the_platform() {
    let (router, _) = open_app();
    get(&router, "/api/missions/sentinel-x/envs/dev/status").await;
    get(&router, "/api/missions/sentinel-x/envs/dev/units?limit=0").await;
    let reply = get(&router, "/metrics").await;
    assert_eq!(reply.headers[header::CONTENT_TYPE], "text/plain; version=0.0.4; charset=utf-8");
    let wanted = [
        "groundplane_http_requests_total{route=\"/api/missions/{mission}/envs/{env}/status\",status=\"200\"} 1",
        "groundplane_http_requests_total{route=\"/api/missions/{mission}/envs/{env}/units\",status=\"400\"} 1",
        "groundplane_http_request_duration_seconds_count{route=\"/api/missions/{mission}/envs/{env}/status\"} 1",
        "groundplane_ws_clients 0",
        "groundplane_authz_decisions_total{decision=\"allow\",action=\"read_status\"} 1",
        "groundplane_authz_decisions_total{decision=\"allow\",action=\"read_metrics\"} 1",
        "groundplane_fake_units_total 3",
    ];
    for line in wanted {
        assert!(reply.body.lines().any(|l| l == line), "{line} missing from\n{}", reply.body);
    }
}
