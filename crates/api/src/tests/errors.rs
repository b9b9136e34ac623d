//! Bad requests get a 4xx naming the reason and the field; internal errors a bare 500.

use super::*;
use expect_test::{expect, Expect};

const DEV: &str = "/api/missions/sentinel-x/envs/dev";

#[track_caller]
fn check_reply(reply: &Reply, expect: Expect) {
    expect.assert_eq(&without_id(reply));
}

async fn check_get(uri: &str, expect: Expect) {
    let (router, _) = open_app();
    check_reply(&get(&router, uri).await, expect);
}

#[tokio::test]
async fn path_errors_name_mission_or_env() {
    check_get(
        "/api/missions/nosuch/envs/dev/status",
        expect![[r#"404 {"error":"no mission named \"nosuch\"","field":"mission","request_id":"ID"}"#]],
    )
    .await;
    check_get(
        "/api/missions/sentinel-x/envs/aiv/status",
        expect![[r#"404 {"error":"mission sentinel-x has no aiv deployment","field":"env","request_id":"ID"}"#]],
    )
    .await;
    check_get(
        "/api/missions/sentinel-x/envs/prod/status",
        expect![[
            r#"400 {"error":"environment `prod`: expected one of dev, aiv, ops","field":"env","request_id":"ID"}"#
        ]],
    )
    .await;
    check_get(
        "/api/missions/Bad_Slug/envs/dev/status",
        expect![[r#"400 {"error":"mission slug `Bad_Slug`: only lowercase letters, digits and '-' are allowed","field":"mission","request_id":"ID"}"#]],
    )
    .await;
}

#[tokio::test]
async fn query_errors_name_the_parameter() {
    let cases = [
        ("/samples?parameters=a&from=yesterday", "from"),
        ("/samples?parameters=a&from=2026-11-24T10:00:00Z&to=2026-11-24T09:00:00Z", "from"),
        ("/samples?parameters=a&limit=0", "limit"),
        ("/samples?parameters=a&limit=100001", "limit"),
        ("/samples?parameters=a&limit=-1", "limit"),
        ("/samples?parameters=a&format=xml", "format"),
        ("/samples?from=0", "parameters"),
        ("/samples?parameters=a&cursor=zz", "cursor"),
        ("/samples?parameters=a&limit=1&limit=2", "limit"),
        ("/samples?parameters=a&form=0", "form"),
        ("/units?apid=2048", "apid"),
        ("/events?min_severity=loud", "min_severity"),
        ("/alarms?min_level=red", "min_level"),
        ("/samples/buckets?parameter=a&buckets=0", "buckets"),
        ("/samples/buckets?buckets=5", "parameter"),
        ("/parameters/latest?names=,", "names"),
        ("/status?verbose=1", "verbose"),
    ];
    let (router, _) = open_app();
    for (query, field) in cases {
        let reply = get(&router, &format!("{DEV}{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {reply}");
        assert_eq!(reply.json()["field"], field, "{query}: {reply}");
    }
    check_get(
        &format!("{DEV}/samples?parameters=a&from=2026-11-24T10:00:00"),
        expect![[r#"400 {"error":"from: `2026-11-24T10:00:00`: wrong length; expected milliseconds since the Unix epoch or RFC 3339 like 2026-11-24T10:00:00Z","field":"from","request_id":"ID"}"#]],
    )
    .await;
    check_get(
        &format!("{DEV}/samples?parameters=a&cursor=zz"),
        expect![[r#"400 {"error":"cursor: not a cursor of mine","field":"cursor","request_id":"ID"}"#]],
    )
    .await;
}

#[tokio::test]
async fn body_errors_name_the_field() {
    let (router, _) = open_app();
    let ack = format!("{DEV}/alarms/acknowledge");
    let token = Some(SENTINEL_TOKEN);
    check_reply(
        &post_json(&router, &ack, token, r#"{"parameter": 5}"#).await,
        expect![[
            r#"400 {"error":"body: parameter: invalid type: integer `5`, expected a string at line 1 column 15","field":"parameter","request_id":"ID"}"#
        ]],
    );
    check_reply(
        &post_json(&router, &ack, token, "{}").await,
        expect![[
            r#"400 {"error":"body: parameter: missing field `parameter` at line 1 column 2","field":"parameter","request_id":"ID"}"#
        ]],
    );
    check_reply(
        &post_json(&router, &ack, token, "{\"parameter\":").await,
        expect![[
            r#"400 {"error":"body: parameter: EOF while parsing a value at line 1 column 13","field":"parameter","request_id":"ID"}"#
        ]],
    );
    let big = format!("{{\"parameter\":\"{}\"}}", "x".repeat(2000));
    check_reply(
        &post_json(&router, &ack, token, &big).await,
        expect![[r#"413 {"error":"request body larger than 1024 bytes","request_id":"ID"}"#]],
    );
    let text = Call { method: "POST", uri: &ack, token, content_type: Some("text/plain"), body: "BAT/V".into() };
    check_reply(
        &send(&router, text).await,
        expect![[r#"415 {"error":"expected content-type application/json","request_id":"ID"}"#]],
    );
    check_reply(
        &post_json(&router, &ack, token, r#"{"parameter":"NOPE"}"#).await,
        expect![[r#"404 {"error":"no parameter named \"NOPE\"","field":"parameter","request_id":"ID"}"#]],
    );
    check_reply(
        &post_json(&router, &ack, token, r#"{"parameter":"ACKED"}"#).await,
        expect![[r#"409 {"error":"alarm of ACKED is already acknowledged","request_id":"ID"}"#]],
    );
    let replay = format!("{DEV}/replay");
    check_reply(
        &post_json(&router, &replay, token, r#"{"from_ms":5,"to_ms":1}"#).await,
        expect![[r#"400 {"error":"from_ms is after to_ms","field":"from_ms","request_id":"ID"}"#]],
    );
}

#[tokio::test]
async fn internal_errors_are_bare_500s_with_the_request_id() {
    let (router, _) = app_with(Fake::new(1), Gate::with_tokens(tokens(), true));
    let reply = get(&router, "/api/missions/bogussat/envs/dev/status").await;
    check_reply(&reply, expect![[r#"500 {"error":"internal error","request_id":"ID"}"#]]);
    assert_eq!(reply.json()["request_id"], reply.headers["x-request-id"].to_str().unwrap_or_default());
}

#[tokio::test]
async fn acknowledging_records_the_principal() {
    let (router, fake) = open_app();
    let reply =
        post_json(&router, &format!("{DEV}/alarms/acknowledge"), Some(SENTINEL_TOKEN), r#"{"parameter":"BAT/V"}"#)
            .await;
    assert_eq!(reply.status, 200, "{reply}");
    let acknowledged = fake.acknowledged.lock().map(|list| list.clone()).unwrap_or_default();
    assert_eq!(acknowledged, [("BAT/V".to_string(), "sentinel-ops".to_string())]);
}
