//! Approving a command: in OPS only with a second, different principal's fresh approval, bound
//! to the command's digest. The application counts and checks; the context carries the result.

use super::{deployment, grant, platform, token, user, OWN};
use base::Env::{self, Dev, Ops};
use expect_test::expect;
use policy::{Context, Principal, Role};

fn fresh(distinct_approvers: u32) -> Context {
    Context { distinct_approvers, approval_fresh: true, approver_is_sender: false }
}

#[test]
fn approvals() {
    let director = |env: Env| user("flo", vec![grant(Some(OWN), Some(env), Role::FlightDirector)]);
    let operator = user("oli", vec![grant(Some(OWN), Some(Ops), Role::Operator)]);
    let dev_token = token("ci", vec![grant(Some(OWN), Some(Ops), Role::FlightDirector)], &[Dev]);
    let stale = Context { approval_fresh: false, ..fresh(1) };
    let own = Context { approver_is_sender: true, ..fresh(1) };
    let cases: [(&str, Principal, Env, Context); 9] = [
        ("second director, fresh", director(Ops), Ops, fresh(1)),
        ("two others, fresh", director(Ops), Ops, fresh(2)),
        ("no other approver", director(Ops), Ops, fresh(0)),
        ("approval expired", director(Ops), Ops, stale),
        ("sender approves own", director(Ops), Ops, own),
        ("operator, fresh", operator, Ops, fresh(1)),
        ("director in DEV, none", director(Dev), Dev, Context::default()),
        ("DEV director in OPS", director(Dev), Ops, fresh(1)),
        ("DEV token in OPS", dev_token, Ops, fresh(1)),
    ];
    let mut table = String::new();
    for (name, principal, env, context) in cases {
        let decision = platform().decide(&principal, "approve_command", &deployment(OWN, env), &context);
        let verdict = if decision.allow { "allow" } else { "deny " };
        table.push_str(&format!("{name:<24} {verdict} {}\n", decision.policies.join(", ")));
    }
    expect![[r#"
        second director, fresh   allow flight-directors-approve-and-promote
        two others, fresh        allow flight-directors-approve-and-promote
        no other approver        deny  ops-approval-needs-a-second-principal
        approval expired         deny  ops-approval-needs-a-second-principal
        sender approves own      deny  ops-approval-needs-a-second-principal
        operator, fresh          deny  default-deny
        director in DEV, none    allow flight-directors-approve-and-promote
        DEV director in OPS      deny  no-dev-or-aiv-grant-acts-in-ops
        DEV token in OPS         deny  credentials-act-only-in-their-envs
    "#]]
    .assert_eq(&table);
}
