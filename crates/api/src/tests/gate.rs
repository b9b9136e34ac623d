//! The gate: no route skips it, tokens act only within their grants, decisions are recorded.

use super::*;
use crate::gate::{Action, DenyAll, TokenIdentity};
use crate::routes::table;
use expect_test::expect;

#[tokio::test]
async fn deny_all_refuses_every_route_with_one_decision_each() {
    let gate = Gate::new(TokenIdentity::new(tokens()), DenyAll);
    let (router, fake, control) = app_with_control(Fake::new(3), gate.clone(), RouterOptions::default());
    for (index, route) in table().iter().enumerate() {
        for token in [None, Some(ADMIN_TOKEN)] {
            let uri = super::routes::fill(route.path);
            let body = r#"{"parameter":"BAT/V","from_ms":0,"to_ms":1}"#.to_string();
            let content_type = Some("application/json");
            let call = Call { method: route.method.as_str(), uri: &uri, token, content_type, body };
            let reply = send(&router, call).await;
            assert_eq!(reply.status, 403, "{} {}: {reply}", route.method, route.path);
            assert!(reply.json()["error"].as_str().is_some_and(|e| e.contains("denied")), "{reply}");
        }
        let log = gate.log().recent();
        assert_eq!(log.len(), 2 * (index + 1), "{}", route.path);
        assert!(log[2 * index..].iter().all(|record| !record.allow && record.action == route.action));
    }
    assert!(fake.acknowledged.lock().map(|list| list.is_empty()).unwrap_or(false));
    assert_eq!(control.calls(), Vec::<String>::new());
}

#[tokio::test]
async fn tokens_act_only_within_their_grants() {
    let (router, _) = app_with(Fake::new(1), Gate::with_tokens(tokens(), false));
    let status = |mission: &str, env: &str| format!("/api/missions/{mission}/envs/{env}/status");
    let cases = [
        (None, status("sentinel-x", "dev"), 403),
        (Some(SENTINEL_TOKEN), status("sentinel-x", "dev"), 200),
        (Some(SENTINEL_TOKEN), status("sentinel-x", "ops"), 200),
        (Some(SENTINEL_TOKEN), status("bogussat", "dev"), 403),
        (Some(BOGUS_TOKEN), status("sentinel-x", "dev"), 403),
        // Denied before the existence check, so a grant-less caller learns nothing of B.
        (Some(BOGUS_TOKEN), status("nosuch", "dev"), 403),
        (Some("wrong"), status("sentinel-x", "dev"), 401),
        (None, "/api/health".to_string(), 200),
        (None, "/metrics".to_string(), 403),
        (Some(BOGUS_TOKEN), "/metrics".to_string(), 200),
    ];
    for (token, uri, want) in cases {
        let reply = send(&router, Call { uri: &uri, token, ..Call::default() }).await;
        assert_eq!(reply.status, want, "{token:?} {uri}: {reply}");
    }
    let reply = send(&router, Call { uri: "/api/deployments", token: Some(BOGUS_TOKEN), ..Call::default() }).await;
    expect![[r#"200 [{"mission":"bogussat","env":"dev","model_digest":"sha256:00","links":1}]"#]]
        .assert_eq(&reply.to_string());
    let reply =
        send(&router, Call { uri: &status("bogussat", "dev"), token: Some(SENTINEL_TOKEN), ..Call::default() }).await;
    expect![[r#"403 {"error":"token sentinel-ops has no grant for bogussat/dev","request_id":"ID"}"#]]
        .assert_eq(&without_id(&reply));
}

#[tokio::test]
async fn open_platforms_let_anonymous_read_but_not_act() {
    let (router, _) = open_app();
    let dev = "/api/missions/sentinel-x/envs/dev";
    assert_eq!(get(&router, &format!("{dev}/alarms/open")).await.status, 200);
    let reply = post_json(&router, &format!("{dev}/alarms/acknowledge"), None, r#"{"parameter":"BAT/V"}"#).await;
    expect![[r#"403 {"error":"acknowledge_alarm on sentinel-x/dev needs a token","request_id":"ID"}"#]]
        .assert_eq(&without_id(&reply));
    let reply = post_json(&router, &format!("{dev}/replay"), None, r#"{"from_ms":0,"to_ms":1,"backfill":true}"#).await;
    expect![[r#"403 {"error":"backfill on sentinel-x/dev needs a token","request_id":"ID"}"#]]
        .assert_eq(&without_id(&reply));
}

#[tokio::test]
async fn decisions_are_recorded_with_request_ids() {
    let gate = Gate::with_tokens(tokens(), false);
    let (router, _) = app_with(Fake::new(1), gate.clone());
    let reply = send(
        &router,
        Call {
            uri: "/api/missions/sentinel-x/envs/dev/events?format=csv",
            token: Some(SENTINEL_TOKEN),
            ..Call::default()
        },
    )
    .await;
    assert_eq!(reply.status, 200, "{reply}");
    send(&router, Call { uri: "/api/missions/sentinel-x/envs/dev/status", token: Some("bad"), ..Call::default() })
        .await;
    get(&router, "/api/missions/sentinel-x/envs/nope/status").await;
    let lines: Vec<String> = gate
        .log()
        .recent()
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {} {} [{}] {}",
                r.request_id, r.principal, r.action, r.resource, r.allow, r.policy, r.reason
            )
        })
        .collect();
    expect![[r#"
        req-00000000 sentinel-ops ReadArchive deployment sentinel-x/dev true [scoped] token sentinel-ops is granted sentinel-x/dev
        req-00000000 sentinel-ops ExportArchive deployment sentinel-x/dev true [scoped] token sentinel-ops is granted sentinel-x/dev
        req-00000001 unidentified ReadStatus /api/missions/sentinel-x/envs/dev/status false [gate] unknown bearer token
        req-00000002 anonymous ReadStatus /api/missions/sentinel-x/envs/nope/status false [gate] environment `nope`: expected one of dev, aiv, ops"#]].assert_eq(&lines.join("\n"));
}

#[test]
fn scopes_parse_and_cover() {
    let scope = |text: &str| {
        let (mission, env) = text.split_once('/').expect("mission/env");
        base::Scope { mission: mission.parse().expect("a slug"), env: env.parse().expect("an env") }
    };
    let cases = [
        ("sentinel-x/ops", "sentinel-x/ops", true),
        ("sentinel-x/ops", "sentinel-x/dev", false),
        ("sentinel-x/*", "sentinel-x/aiv", true),
        ("sentinel-x/*", "bogussat/aiv", false),
        ("*/dev", "bogussat/dev", true),
        ("*/dev", "bogussat/ops", false),
        ("*", "bogussat/ops", true),
        ("*/*", "sentinel-x/ops", true),
    ];
    for (grant_text, scope_text, covers) in cases {
        assert_eq!(grant(grant_text).covers(&scope(scope_text)), covers, "{grant_text} {scope_text}");
    }
    let errors: Vec<String> = ["sentinel-x", "Bad/ops", "sentinel-x/prod", ""]
        .iter()
        .map(|text| text.parse::<crate::ScopeGrant>().map_or_else(|e| e.to_string(), |g| format!("{g:?}")))
        .collect();
    expect![[r#"
        scope `sentinel-x`: expected <mission|*>/<env|*> or *, like sentinel-x/ops
        scope `Bad/ops`: mission slug `Bad`: only lowercase letters, digits and '-' are allowed
        scope `sentinel-x/prod`: environment `prod`: expected one of dev, aiv, ops
        scope ``: expected <mission|*>/<env|*> or *, like sentinel-x/ops"#]]
    .assert_eq(&errors.join("\n"));
}

/// An audit sink that fails when told to, and keeps what it recorded.
#[derive(Default)]
struct Sink {
    failing: std::sync::atomic::AtomicBool,
    records: std::sync::Mutex<Vec<String>>,
}

impl crate::gate::AuditSink for Sink {
    fn record(&self, record: &crate::gate::DecisionRecord) -> Result<(), String> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("disk full".into());
        }
        let verdict = if record.allow { "allow" } else { "deny" };
        self.records.lock().unwrap().push(format!(
            "{verdict} {} {} {}",
            record.principal,
            record.action.as_str(),
            record.resource
        ));
        Ok(())
    }

    fn outcome(&self, outcome: &crate::gate::OutcomeRecord) -> Result<(), String> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("disk full".into());
        }
        let verdict = if outcome.done { "done" } else { "failed" };
        self.records.lock().unwrap().push(format!(
            "{verdict} {} {} {}",
            outcome.principal,
            outcome.action.as_str(),
            outcome.detail
        ));
        Ok(())
    }
}

#[tokio::test]
async fn denials_and_changes_are_audited_and_a_change_that_cannot_be_is_refused() {
    let sink = Arc::new(Sink::default());
    let gate = Gate::with_tokens(tokens(), true).audited(sink.clone());
    let (router, fake) = app_with(Fake::new(1), gate);
    let command = r#"{"command":"/X/PING","arguments":{}}"#;
    let uri = "/api/missions/sentinel-x/envs/dev/commands";
    // An allowed change: the decision, then its outcome.
    let sent = post_json(&router, uri, Some(SENTINEL_TOKEN), command).await;
    assert_eq!(sent.status, 202, "{sent}");
    // A denial (a token of another mission), and an allowed read (not audited).
    let denied = post_json(&router, uri, Some(BOGUS_TOKEN), command).await;
    assert_eq!(denied.status, 403, "{denied}");
    assert_eq!(
        send(&router, Call { uri: "/api/missions/sentinel-x/envs/dev/status", ..Call::default() }).await.status,
        200
    );
    // Outcomes are written off the async threads, after the answer: wait for the three.
    let started = std::time::Instant::now();
    while sink.records.lock().unwrap().len() < 3 && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut records = sink.records.lock().unwrap().clone();
    records.sort();
    assert_eq!(records.len(), 3, "{records:#?}");
    assert_eq!(records[0], "allow sentinel-ops send_command deployment sentinel-x/dev");
    assert_eq!(records[1], "deny bogus-dev send_command deployment sentinel-x/dev");
    assert!(records[2].starts_with("done sentinel-ops send_command {\"command\":\"/X/PING\""), "{}", records[2]);
    // The audit cannot record: changes are refused before they happen, reads go on.
    sink.failing.store(true, std::sync::atomic::Ordering::SeqCst);
    let sent_before = fake.commands.lock().unwrap().len();
    let refused = post_json(&router, uri, Some(SENTINEL_TOKEN), command).await;
    assert_eq!(refused.status, 403, "{refused}");
    assert!(refused.to_string().contains("audit chain cannot record"), "{refused}");
    assert_eq!(fake.commands.lock().unwrap().len(), sent_before, "nothing was sent");
    assert_eq!(
        send(&router, Call { uri: "/api/missions/sentinel-x/envs/dev/status", ..Call::default() }).await.status,
        200
    );
}

/// Records the context of each decision it is asked, and allows everything.
#[derive(Default)]
struct ContextSpy(std::sync::Mutex<Vec<(String, Action, crate::gate::Context)>>);

impl crate::gate::Authorizer for Arc<ContextSpy> {
    fn authorize(
        &self,
        principal: &crate::gate::Principal,
        action: Action,
        _resource: &crate::gate::Resource,
        context: &crate::gate::Context,
    ) -> crate::gate::Decision {
        self.0.lock().unwrap().push((principal.id.clone(), action, *context));
        crate::gate::Decision { allow: true, reason: "spy".into(), policy: "spy".into() }
    }
}

/// Approving a command: the gate counts what Cedar cannot (whether the approver sent it,
/// whether it still waits) and passes it in the context; other routes get the default.
#[tokio::test]
async fn an_approval_is_decided_with_what_the_application_counted() {
    let spy = Arc::new(ContextSpy::default());
    let token = |name: &str| TokenGrant {
        name: name.into(),
        token: format!("{name}-secret-0123456789"),
        scopes: vec![grant("*")],
        grants: Vec::new(),
    };
    let gate = Gate::new(TokenIdentity::new(vec![token("alice"), token("bob")]), spy.clone());
    let (router, _) = app_with(Fake::new(1), gate);
    let approve = |id: u64| format!("/api/missions/sentinel-x/envs/ops/commands/{id}/approve");
    let body = r#"{"digest":"sha256:00"}"#;
    for (who, id) in [("alice", super::fake::PENDING_COMMAND), ("bob", super::fake::PENDING_COMMAND), ("bob", 99)] {
        post_json(&router, &approve(id), Some(&format!("{who}-secret-0123456789")), body).await;
    }
    post_json(&router, "/api/missions/sentinel-x/envs/ops/commands", Some("bob-secret-0123456789"), "{}").await;
    let seen: Vec<String> = spy
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(who, action, c)| {
            format!("{who} {} {} {} {}", action.as_str(), c.distinct_approvers, c.approval_fresh, c.approver_is_sender)
        })
        .collect();
    assert_eq!(
        seen,
        [
            // The sender approving its own command: no other approver.
            "alice approve_command 0 true true",
            // Another principal, while the command waits.
            "bob approve_command 1 true false",
            // A command that does not exist: nothing counted.
            "bob approve_command 0 false false",
            "bob send_command 0 false false",
        ]
    );
}

/// Replayed or misused approvals are refused where the command lives, and each refusal is in
/// the audit as the approval's failed outcome, with the reason; the good one as done.
#[tokio::test]
async fn refused_approvals_are_recorded_with_their_reason() {
    let sink = Arc::new(Sink::default());
    let token = |name: &str| TokenGrant {
        name: name.into(),
        token: format!("{name}-secret-0123456789"),
        scopes: vec![grant("*")],
        grants: Vec::new(),
    };
    let gate = Gate::with_tokens(vec![token("alice"), token("bob")], false).audited(sink.clone());
    let (router, _) = app_with(Fake::new(1), gate);
    let approve = format!("/api/missions/sentinel-x/envs/ops/commands/{}/approve", super::fake::PENDING_COMMAND);
    let cases = [
        ("alice", "sha256:00", 409), // her own command
        ("bob", "sha256:1111111111111111111111111111111111111111111111111111111111111111", 409), // another digest
        ("bob", "sha256:00", 200),
    ];
    for (who, digest, want) in cases {
        let body = format!(r#"{{"digest":"{digest}"}}"#);
        let reply = post_json(&router, &approve, Some(&format!("{who}-secret-0123456789")), &body).await;
        assert_eq!(reply.status, want, "{who} {digest}: {reply}");
    }
    let started = std::time::Instant::now();
    let outcomes = || sink.records.lock().unwrap().iter().filter(|r| !r.starts_with("allow")).count();
    while outcomes() < 3 && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let records = sink.records.lock().unwrap().clone();
    let failed: Vec<&String> = records.iter().filter(|r| r.starts_with("failed")).collect();
    assert_eq!(failed.len(), 2, "{records:#?}");
    assert!(failed
        .iter()
        .any(|r| r.starts_with("failed alice approve_command") && r.contains("another principal must approve")));
    assert!(failed
        .iter()
        .any(|r| r.starts_with("failed bob approve_command") && r.contains("the approval names digest")));
    assert!(records.iter().any(|r| r.starts_with("done bob approve_command")), "{records:#?}");
}
