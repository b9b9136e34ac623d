//! Every route of the table answers, and the OpenAPI document names exactly those routes.

use super::*;
use crate::routes::table;
use expect_test::expect;
use std::collections::BTreeSet;

/// A request to a route of the table, with the path filled in and a body where it needs one.
fn example(path: &str) -> (String, &'static str) {
    let uri = path.replace("{mission}", "sentinel-x").replace("{env}", "dev").replace("{id}", "1");
    let (query, body) = match path.rsplit('/').next().unwrap_or_default() {
        "latest" => ("?names=BAT/V", ""),
        "samples" => ("?parameters=BAT/V&limit=2", ""),
        "buckets" => ("?parameter=BAT/V&from=0&to=2026-11-24T10:00:00Z&buckets=2", ""),
        "acknowledge" => ("", r#"{"parameter":"BAT/V"}"#),
        "replay" => ("", r#"{"from_ms":0,"to_ms":2000}"#),
        "commands" if path.ends_with("{env}/commands") => ("", r#"{"command":"/X/PING"}"#),
        "approve" => ("", r#"{"digest":"sha256:00"}"#),
        "release-mode" => ("", r#"{"mode":"manual"}"#),
        _ => ("", ""),
    };
    (format!("{uri}{query}"), body)
}

#[tokio::test]
async fn every_route_answers() {
    let (router, _) = open_app();
    let mut lines = String::new();
    for route in table() {
        let (uri, body) = example(route.path);
        let content_type = (!body.is_empty()).then_some("application/json");
        let call = Call {
            method: route.method.as_str(),
            uri: &uri,
            token: Some(SENTINEL_TOKEN),
            content_type,
            body: body.into(),
        };
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
        GET /api/missions/{mission}/envs/{env}/commands/{id} → 404 {"error":"no command named \"1\"","field":"command","request_id":"req-00000019"}
        POST /api/missions/{mission}/envs/{env}/commands/{id}/approve → 404 {"error":"no command in the queue named \"1\"","field":"command in the queue","request_id"
        POST /api/missions/{mission}/envs/{env}/commands/{id}/release → 404 {"error":"no command in the queue named \"1\"","field":"command in the queue","request_id"
        POST /api/missions/{mission}/envs/{env}/commands/{id}/cancel → 404 {"error":"no command in the queue named \"1\"","field":"command in the queue","request_id"
        POST /api/missions/{mission}/envs/{env}/replay → 200 {"type":"samples","samples":[{"parameter":"BAT/V","time_ms":0,"raw":0,"eng":0.0,"level":"n
        GET /api/missions/{mission}/envs/{env}/live → 400 {"error":"Connection header did not include 'upgrade'","request_id":"req-00000024"}
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
        let is_platform = ["/api/health", "/api/openapi.json", "/api/deployments", "/metrics"].contains(&route.path);
        assert!(is_platform || route.path.starts_with(crate::routes::DEPLOYMENT_PREFIX), "{}", route.path);
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
    let schemas = document["components"]["schemas"].as_object().expect("schemas is an object");
    for name in ["SamplePage", "DeploymentStatus", "LiveMessage", "Subscription", "ErrorBody", "ReplayRequest"] {
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
