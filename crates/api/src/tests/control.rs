//! The control plane's routes: answers through a fake, confirmations, body limits, scoping,
//! and a server without a control plane.

use super::routes::{fill, source_json};
use super::*;
use crate::routes::{table, ScopeKind};
use crate::Action;
use expect_test::expect;

const SX: &str = "/api/missions/sentinel-x";
/// A blackout the fake accepts.
const BLACKOUT: &str = r#"{"from_ms":1000,"to_ms":2000,"reason":"pass"}"#;

/// A router with a fake control plane and default body limits (64 KiB, releases 64 MiB).
fn control_app(open: bool) -> (Router, Arc<FakeControl>) {
    let (router, _, control) = app_with_control(Fake::new(1), Gate::with_tokens(tokens(), open), Default::default());
    (router, control)
}

async fn call(router: &Router, method: &str, uri: &str, token: &str, body: &str) -> Reply {
    let content_type = (!body.is_empty()).then_some("application/json");
    let call = Call { method, uri, token: Some(token), content_type, body: body.to_string() };
    send(router, call).await
}

#[tokio::test]
async fn every_control_route_answers_through_the_fake() {
    let (router, control) = control_app(false);
    let cases = [
        ("GET", "/api/missions", ""),
        ("POST", "/api/missions", r#"{"mission_file":"m","model_json":"{}"}"#),
        ("GET", "/api/control/drift", ""),
        ("GET", SX, ""),
        ("GET", &format!("{SX}/events"), ""),
        ("GET", &format!("{SX}/releases"), ""),
        ("POST", &format!("{SX}/releases"), r#"{"mission_file":"m","model_json":"{}"}"#),
        ("POST", &format!("{SX}/releases/import"), r#"{"files":{"a":"b","c":"d"}}"#),
        ("GET", &format!("{SX}/releases/aa"), ""),
        ("GET", &format!("{SX}/releases/aa/diff/sha256:aa"), ""),
        ("POST", &format!("{SX}/envs/aiv/approve"), r#"{"release":"aa","role":"lead"}"#),
        ("POST", &format!("{SX}/envs/aiv/promote"), r#"{"release":"aa"}"#),
        ("POST", &format!("{SX}/envs/dev/rollback"), ""),
        ("POST", &format!("{SX}/envs/dev/rollback"), "{}"),
        ("POST", &format!("{SX}/envs/dev/pause"), ""),
        ("POST", &format!("{SX}/envs/dev/resume"), "{}"),
        ("POST", &format!("{SX}/envs/ops/blackouts"), BLACKOUT),
        ("POST", &format!("{SX}/archive"), r#"{"confirm":"sentinel-x"}"#),
        ("DELETE", &format!("{SX}?confirm=sentinel-x"), ""),
    ];
    let mut lines = String::new();
    for (method, uri, body) in cases {
        let reply = call(&router, method, uri, ADMIN_TOKEN, body).await;
        lines.push_str(&format!("{method} {uri} → {reply}\n"));
    }
    lines.push_str(&control.calls().join("\n"));
    expect![[r#"
        GET /api/missions → 200 [{"mission":"sentinel-x","state":"active","created_ms":1,"releases":1,"running":{"dev":"sha256:aa"}},{"mission":"bogussat","state":"active","created_ms":1,"releases":1,"running":{"dev":"sha256:aa"}}]
        POST /api/missions → 201 {"mission":"newsat","state":"active","created_ms":1,"created_by":"alice","releases":[{"digest":"sha256:aa","mission":"newsat","model_digest":"sha256:00","cut_by":"alice","cut_at_ms":1,"signer":"platform","key_id":"k1","procedures":[],"registered_by":"alice","registered_ms":2}],"envs":[{"env":"dev","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":false,"history":[],"blackouts":[]}]}
        GET /api/control/drift → 200 [{"mission":"bogussat","env":"dev","desired":"sha256:aa"}]
        GET /api/missions/sentinel-x → 200 {"mission":"sentinel-x","state":"active","created_ms":1,"created_by":"alice","releases":[{"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","cut_at_ms":1,"signer":"platform","key_id":"k1","procedures":[],"registered_by":"alice","registered_ms":2}],"envs":[{"env":"dev","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":false,"history":[],"blackouts":[]}]}
        GET /api/missions/sentinel-x/events → 200 [{"index":0,"event":{"event":"registered","release":"sha256:aa"}}]
        GET /api/missions/sentinel-x/releases → 200 [{"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","cut_at_ms":1,"signer":"platform","key_id":"k1","procedures":[],"registered_by":"alice","registered_ms":2}]
        POST /api/missions/sentinel-x/releases → 201 {"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","cut_at_ms":1,"signer":"platform","key_id":"k1","procedures":[],"registered_by":"alice","registered_ms":2}
        POST /api/missions/sentinel-x/releases/import → 201 {"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","cut_at_ms":1,"signer":"platform","key_id":"k1","procedures":[],"registered_by":"alice","registered_ms":2}
        GET /api/missions/sentinel-x/releases/aa → 200 {"release":{"digest":"sha256:aa","mission":"sentinel-x","model_digest":"sha256:00","cut_by":"alice","cut_at_ms":1,"signer":"platform","key_id":"k1","procedures":[],"registered_by":"alice","registered_ms":2},"provenance":{"_type":"https://in-toto.io/Statement/v1"},"files":{"manifest.json":"sha256:11"},"attestations":[],"approvals":[]}
        GET /api/missions/sentinel-x/releases/aa/diff/sha256:aa → 200 {"model":[]}
        POST /api/missions/sentinel-x/envs/aiv/approve → 201 {"release":"sha256:aa","env":"aiv","principal":"admin","role":"lead","at_ms":4}
        POST /api/missions/sentinel-x/envs/aiv/promote → 200 {"mission":"sentinel-x","env":"aiv","release":"sha256:aa","rollback":false,"attested":[],"gates":[{"gate":"validate","met":true,"detail":"ok"}],"deployed":"started","took_ms":3}
        POST /api/missions/sentinel-x/envs/dev/rollback → 200 {"mission":"sentinel-x","env":"dev","release":"sha256:aa","rollback":true,"attested":[],"gates":[{"gate":"validate","met":true,"detail":"ok"}],"deployed":"started","took_ms":3}
        POST /api/missions/sentinel-x/envs/dev/rollback → 200 {"mission":"sentinel-x","env":"dev","release":"sha256:aa","rollback":true,"attested":[],"gates":[{"gate":"validate","met":true,"detail":"ok"}],"deployed":"started","took_ms":3}
        POST /api/missions/sentinel-x/envs/dev/pause → 200 {"env":"dev","desired":"sha256:aa","deployment":"paused","drift":false,"history":[],"blackouts":[]}
        POST /api/missions/sentinel-x/envs/dev/resume → 200 {"env":"dev","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":false,"history":[],"blackouts":[]}
        POST /api/missions/sentinel-x/envs/ops/blackouts → 201 {"env":"ops","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":false,"history":[],"blackouts":[{"from_ms":1000,"to_ms":2000,"reason":"pass"}]}
        POST /api/missions/sentinel-x/archive → 200 {"mission":"sentinel-x","state":"archived"}
        DELETE /api/missions/sentinel-x?confirm=sentinel-x → 200 {"mission":"sentinel-x","state":"deleted","export":"exports/sentinel-x"}
        missions
        create_mission 1 bytes by admin
        drift
        mission sentinel-x
        control_events sentinel-x
        releases sentinel-x
        create_release sentinel-x 2 bytes by admin
        import_release sentinel-x 2 files by admin
        release sentinel-x aa
        release_diff sentinel-x aa sha256:aa
        approve_release sentinel-x/aiv aa as lead by admin
        promote sentinel-x/aiv aa by admin
        rollback sentinel-x/dev by admin
        rollback sentinel-x/dev by admin
        pause sentinel-x/dev by admin
        resume sentinel-x/dev by admin
        set_blackout sentinel-x/ops [1000, 2000) "pass" by admin
        archive_mission sentinel-x by admin
        delete_mission sentinel-x by admin"#]].assert_eq(&lines);
}

#[tokio::test]
async fn backend_refusals_and_bad_bodies_answer_4xx() {
    let (router, control) = control_app(false);
    let cases = [
        ("POST", format!("{SX}/envs/aiv/promote"), r#"{"release":"sha256:bad"}"#),
        ("POST", format!("{SX}/envs/aiv/promote"), r#"{"release":"cc"}"#),
        ("POST", format!("{SX}/envs/aiv/promote"), r#"{"release":"aa","force":true}"#),
        ("POST", format!("{SX}/envs/dev/rollback"), r#"{"release":"aa"}"#),
        ("GET", format!("{SX}/releases/cc"), ""),
        ("GET", "/api/missions/nosuch".to_string(), ""),
        ("GET", "/api/missions/Bad_Slug/releases".to_string(), ""),
        ("POST", "/api/missions/nosuch/envs/prod/pause".to_string(), ""),
        ("POST", "/api/missions".to_string(), r#"{"mission_file":"m"}"#),
        ("POST", format!("{SX}/envs/ops/blackouts"), r#"{"from_ms":1000,"to_ms":2000}"#),
        ("POST", format!("{SX}/envs/ops/blackouts"), r#"{"from_ms":"soon","to_ms":2000,"reason":"pass"}"#),
        ("POST", format!("{SX}/envs/ops/blackouts"), r#"{"from_ms":2000,"to_ms":2000,"reason":"pass"}"#),
        ("POST", format!("{SX}/envs/ops/blackouts"), r#"{"from_ms":1000,"to_ms":2000,"reason":""}"#),
        ("POST", "/api/missions/nosuch/envs/ops/blackouts".to_string(), BLACKOUT),
    ];
    let mut lines = String::new();
    for (method, uri, body) in cases {
        let reply = call(&router, method, &uri, ADMIN_TOKEN, body).await;
        lines.push_str(&format!("{method} {uri} → {}\n", without_id(&reply)));
    }
    lines.push_str(&control.calls().join("\n"));
    expect![[r#"
        POST /api/missions/sentinel-x/envs/aiv/promote → 409 {"error":"sha256:bad to sentinel-x/aiv: gate approval: not met","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/aiv/promote → 404 {"error":"no release named \"cc\"","field":"release","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/aiv/promote → 400 {"error":"body: force: unknown field `force`, expected `release` at line 1 column 23","field":"force","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/dev/rollback → 400 {"error":"body: release: this action takes no fields","field":"release","request_id":"ID"}
        GET /api/missions/sentinel-x/releases/cc → 404 {"error":"no release named \"cc\"","field":"release","request_id":"ID"}
        GET /api/missions/nosuch → 404 {"error":"no mission named \"nosuch\"","field":"mission","request_id":"ID"}
        GET /api/missions/Bad_Slug/releases → 400 {"error":"mission slug `Bad_Slug`: only lowercase letters, digits and '-' are allowed","field":"mission","request_id":"ID"}
        POST /api/missions/nosuch/envs/prod/pause → 400 {"error":"environment `prod`: expected one of dev, aiv, ops","field":"env","request_id":"ID"}
        POST /api/missions → 400 {"error":"body: model_json: missing field `model_json` at line 1 column 20","field":"model_json","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/ops/blackouts → 400 {"error":"body: reason: missing field `reason` at line 1 column 29","field":"reason","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/ops/blackouts → 400 {"error":"body: from_ms: invalid type: string \"soon\", expected u64 at line 1 column 17","field":"from_ms","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/ops/blackouts → 400 {"error":"blackout: from_ms must be before to_ms, with a reason","field":"blackout","request_id":"ID"}
        POST /api/missions/sentinel-x/envs/ops/blackouts → 400 {"error":"blackout: from_ms must be before to_ms, with a reason","field":"blackout","request_id":"ID"}
        POST /api/missions/nosuch/envs/ops/blackouts → 404 {"error":"no mission named \"nosuch\"","field":"mission","request_id":"ID"}
        promote sentinel-x/aiv sha256:bad by admin
        promote sentinel-x/aiv cc by admin
        release sentinel-x cc
        mission nosuch
        set_blackout sentinel-x/ops [2000, 2000) "pass" by admin
        set_blackout sentinel-x/ops [1000, 2000) "" by admin
        set_blackout nosuch/ops [1000, 2000) "pass" by admin"#]].assert_eq(&lines);
}

#[tokio::test]
async fn archive_and_delete_need_the_mission_named_again() {
    let (router, control) = control_app(false);
    let cases = [
        ("POST", format!("{SX}/archive"), r#"{"confirm":"bogussat"}"#),
        ("POST", format!("{SX}/archive"), r#"{"confirm":""}"#),
        ("POST", format!("{SX}/archive"), r#"{}"#),
        ("DELETE", SX.to_string(), ""),
        ("DELETE", format!("{SX}?confirm=sentinel"), ""),
        ("DELETE", format!("{SX}?confirm=sentinel-x&confirm=sentinel-x"), ""),
    ];
    let mut lines = String::new();
    for (method, uri, body) in cases {
        let reply = call(&router, method, &uri, SENTINEL_TOKEN, body).await;
        assert_eq!(reply.json()["field"], "confirm", "{method} {uri}: {reply}");
        lines.push_str(&format!("{method} {uri} → {}\n", without_id(&reply)));
    }
    expect![[r#"
        POST /api/missions/sentinel-x/archive → 400 {"error":"confirm: \"bogussat\" is not the mission's name \"sentinel-x\"","field":"confirm","request_id":"ID"}
        POST /api/missions/sentinel-x/archive → 400 {"error":"confirm: \"\" is not the mission's name \"sentinel-x\"","field":"confirm","request_id":"ID"}
        POST /api/missions/sentinel-x/archive → 400 {"error":"body: confirm: missing field `confirm` at line 1 column 2","field":"confirm","request_id":"ID"}
        DELETE /api/missions/sentinel-x → 400 {"error":"confirm: required","field":"confirm","request_id":"ID"}
        DELETE /api/missions/sentinel-x?confirm=sentinel → 400 {"error":"confirm: \"sentinel\" is not the mission's name \"sentinel-x\"","field":"confirm","request_id":"ID"}
        DELETE /api/missions/sentinel-x?confirm=sentinel-x&confirm=sentinel-x → 400 {"error":"confirm: given 2 times, expected once","field":"confirm","request_id":"ID"}
    "#]].assert_eq(&lines);
    assert_eq!(control.calls(), Vec::<String>::new());
}

#[tokio::test]
async fn release_routes_take_large_bodies_and_others_do_not() {
    let (router, control) = control_app(false);
    let mebibyte = source_json(1024 * 1024);
    let bundle = serde_json::json!({"files": {"model.json": "#".repeat(1024 * 1024)}}).to_string();
    let cases = [
        ("/api/missions", mebibyte.as_str(), 201),
        ("/api/missions/sentinel-x/releases", mebibyte.as_str(), 201),
        ("/api/missions/sentinel-x/releases/import", bundle.as_str(), 201),
    ];
    for (uri, body, want) in cases {
        let reply = call(&router, "POST", uri, ADMIN_TOKEN, body).await;
        assert_eq!(reply.status, want, "{uri}: {reply}");
    }
    let hundred_kib = format!(r#"{{"release":"{}"}}"#, "a".repeat(100 * 1024));
    let small_routes = ["envs/dev/promote", "archive", "envs/dev/rollback", "envs/dev/blackouts"];
    for uri in small_routes.map(|route| format!("{SX}/{route}")) {
        let reply = call(&router, "POST", &uri, ADMIN_TOKEN, &hundred_kib).await;
        expect![[r#"413 {"error":"request body larger than 65536 bytes","request_id":"ID"}"#]]
            .assert_eq(&without_id(&reply));
    }
    assert_eq!(control.calls().len(), 3, "{:?}", control.calls());
    let options = RouterOptions { release_body_len_max: 512 * 1024, ..RouterOptions::default() };
    let (router, _, _) = app_with_control(Fake::new(1), Gate::with_tokens(tokens(), false), options);
    let reply = call(&router, "POST", &format!("{SX}/releases"), ADMIN_TOKEN, &mebibyte).await;
    expect![[r#"413 {"error":"request body larger than 524288 bytes","request_id":"ID"}"#]]
        .assert_eq(&without_id(&reply));
}

#[tokio::test]
async fn environment_routes_need_no_running_deployment() {
    let (router, control) = control_app(false);
    // The fake platform runs sentinel-x in dev and ops only.
    let reply = call(&router, "GET", &format!("{SX}/envs/aiv/status"), ADMIN_TOKEN, "").await;
    assert_eq!(reply.status, 404, "{reply}");
    let reply = call(&router, "POST", &format!("{SX}/envs/aiv/promote"), ADMIN_TOKEN, r#"{"release":"aa"}"#).await;
    assert_eq!(reply.status, 200, "{reply}");
    let reply = call(&router, "POST", "/api/missions/nosuch/envs/dev/pause", ADMIN_TOKEN, "").await;
    expect![[r#"404 {"error":"no mission named \"nosuch\"","field":"mission","request_id":"ID"}"#]]
        .assert_eq(&without_id(&reply));
    assert_eq!(control.calls(), ["promote sentinel-x/aiv aa by admin", "pause nosuch/dev by admin"]);
}

#[tokio::test]
async fn principals_see_and_do_what_their_grants_allow() {
    let (shut, _) = control_app(false);
    let (open, _) = control_app(true);
    let cases = [
        (&open, None, "GET", "/api/missions".to_string(), ""),
        (&shut, None, "GET", "/api/missions".to_string(), ""),
        (&shut, Some(BOGUS_TOKEN), "GET", "/api/missions".to_string(), ""),
        (&shut, Some(SENTINEL_DEV_TOKEN), "GET", "/api/missions".to_string(), ""),
        (&shut, Some(BOGUS_TOKEN), "GET", SX.to_string(), ""),
        (
            &shut,
            Some(SENTINEL_DEV_TOKEN),
            "POST",
            format!("{SX}/releases"),
            r#"{"mission_file":"m","model_json":"{}"}"#,
        ),
        (&shut, Some(SENTINEL_TOKEN), "POST", "/api/missions".to_string(), r#"{"mission_file":"m","model_json":"{}"}"#),
        (&shut, Some(SENTINEL_DEV_TOKEN), "POST", format!("{SX}/envs/aiv/promote"), r#"{"release":"aa"}"#),
        (&open, None, "POST", format!("{SX}/envs/dev/pause"), ""),
        (&shut, Some(SENTINEL_DEV_TOKEN), "POST", format!("{SX}/envs/dev/pause"), ""),
        (&shut, Some(SENTINEL_DEV_TOKEN), "POST", format!("{SX}/envs/ops/blackouts"), BLACKOUT),
        (&shut, Some(SENTINEL_DEV_TOKEN), "POST", format!("{SX}/envs/dev/blackouts"), BLACKOUT),
    ];
    let mut lines = String::new();
    for (router, token, method, uri, body) in cases {
        let content_type = (!body.is_empty()).then_some("application/json");
        let reply = send(router, Call { method, uri: &uri, token, content_type, body: body.to_string() }).await;
        let missions: Vec<String> = reply.json().as_array().map_or(Vec::new(), |list| {
            list.iter().map(|mission| mission["mission"].as_str().unwrap_or("?").to_string()).collect()
        });
        let shown = if missions.is_empty() { without_id(&reply) } else { format!("{} {missions:?}", reply.status) };
        let who = tokens()
            .into_iter()
            .find(|grant| Some(grant.token.as_str()) == token)
            .map_or("anonymous".into(), |grant| grant.name);
        lines.push_str(&format!("{who} {method} {uri} → {shown}\n"));
    }
    expect![[r#"
        anonymous GET /api/missions → 200 ["sentinel-x", "bogussat"]
        anonymous GET /api/missions → 403 {"error":"read_control on the platform needs a token","request_id":"ID"}
        bogus-dev GET /api/missions → 200 ["bogussat"]
        sentinel-dev GET /api/missions → 200 ["sentinel-x"]
        bogus-dev GET /api/missions/sentinel-x → 403 {"error":"token bogus-dev has no grant for mission sentinel-x","request_id":"ID"}
        sentinel-dev POST /api/missions/sentinel-x/releases → 403 {"error":"token sentinel-dev is not granted every environment of sentinel-x (sentinel-x/*)","request_id":"ID"}
        sentinel-ops POST /api/missions → 403 {"error":"token sentinel-ops is not granted every mission (`*`)","request_id":"ID"}
        sentinel-dev POST /api/missions/sentinel-x/envs/aiv/promote → 403 {"error":"token sentinel-dev has no grant for sentinel-x/aiv","request_id":"ID"}
        anonymous POST /api/missions/sentinel-x/envs/dev/pause → 403 {"error":"manage_deployment on sentinel-x/dev needs a token","request_id":"ID"}
        sentinel-dev POST /api/missions/sentinel-x/envs/dev/pause → 200 {"env":"dev","desired":"sha256:aa","deployment":"paused","drift":false,"history":[],"blackouts":[]}
        sentinel-dev POST /api/missions/sentinel-x/envs/ops/blackouts → 403 {"error":"token sentinel-dev has no grant for sentinel-x/ops","request_id":"ID"}
        sentinel-dev POST /api/missions/sentinel-x/envs/dev/blackouts → 201 {"env":"dev","desired":"sha256:aa","running":"sha256:aa","deployment":"running","drift":false,"history":[],"blackouts":[{"from_ms":1000,"to_ms":2000,"reason":"pass"}]}
    "#]].assert_eq(&lines);
}

#[tokio::test]
async fn without_a_control_plane_its_routes_answer_404() {
    let gate = Gate::with_tokens(tokens(), false);
    let router_without = router_with_options(Arc::new(Fake::new(1)), gate, RouterOptions::default());
    let is_control = |action: Action| {
        use Action::*;
        matches!(action, ReadControl | ManageMissions | CutRelease | ApproveRelease | Promote | ManageDeployment)
    };
    let control_routes: Vec<_> = table().into_iter().filter(|route| is_control(route.action)).collect();
    assert_eq!(control_routes.len(), 18);
    for route in control_routes {
        assert_ne!(route.scope, ScopeKind::Deployment, "{}", route.path);
        let body = match route.path.rsplit('/').next() {
            Some("archive") => r#"{"confirm":"sentinel-x"}"#.to_string(),
            Some("approve") => r#"{"release":"aa","role":"lead"}"#.to_string(),
            Some("promote") => r#"{"release":"aa"}"#.to_string(),
            Some("import") => r#"{"files":{}}"#.to_string(),
            Some("blackouts") => BLACKOUT.to_string(),
            Some("missions" | "releases") if route.method == "POST" => source_json(1),
            _ => String::new(),
        };
        let query = if route.method == "DELETE" { "?confirm=sentinel-x" } else { "" };
        let uri = format!("{}{query}", fill(route.path));
        let reply = call(&router_without, route.method.as_str(), &uri, ADMIN_TOKEN, &body).await;
        assert_eq!(
            without_id(&reply),
            r#"404 {"error":"the control plane is not enabled on this server","request_id":"ID"}"#,
            "{} {}",
            route.method,
            route.path
        );
    }
}
