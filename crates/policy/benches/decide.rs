//! Authorization decision latency (target: well under 100 µs per decision): a typical allowed
//! request (a user with three grants sends a command to an OPS deployment) and two denials (a
//! DEV-only user in OPS, stopped by a forbid; a viewer sending a command, denied by default).

use base::{Env, Scope};
use divan::{black_box, Bencher};
use policy::{Authorizer, Context, Grant, Principal, PrincipalKind, Resource, Role};

fn main() {
    divan::main();
}

fn authorizer() -> Authorizer {
    match Authorizer::new() {
        Ok(authorizer) => authorizer,
        Err(error) => panic!("the platform's policies are rejected:\n{error}"),
    }
}

fn grant(mission: &str, env: Env, role: Role) -> Grant {
    Grant { mission: Some(mission.parse().unwrap()), env: Some(env), role }
}

fn ops() -> Resource {
    Resource::Deployment(Scope { mission: "sentinel-x".parse().unwrap(), env: Env::Ops })
}

fn user(grants: Vec<Grant>) -> Principal {
    Principal { id: "ada".to_string(), kind: PrincipalKind::User, grants, token_envs: None }
}

fn run(bencher: Bencher, principal: Principal, action: &str, expect_allow: bool) {
    let authorizer = authorizer();
    let resource = ops();
    let context = Context::default();
    assert_eq!(authorizer.decide(&principal, action, &resource, &context).allow, expect_allow);
    bencher.bench_local(|| authorizer.decide(black_box(&principal), black_box(action), &resource, &context));
}

/// A user with three grants (operator in OPS and AIV, engineer in DEV) sends a command in OPS.
#[divan::bench]
fn allow_send_command(bencher: Bencher) {
    let principal = user(vec![
        grant("sentinel-x", Env::Ops, Role::Operator),
        grant("sentinel-x", Env::Aiv, Role::Operator),
        grant("sentinel-x", Env::Dev, Role::Engineer),
    ]);
    run(bencher, principal, "send_command", true);
}

/// A user granted DEV and AIV only sends a command in OPS: `no-dev-or-aiv-grant-acts-in-ops`.
#[divan::bench]
fn deny_by_forbid(bencher: Bencher) {
    let principal =
        user(vec![grant("sentinel-x", Env::Dev, Role::Engineer), grant("sentinel-x", Env::Aiv, Role::Operator)]);
    run(bencher, principal, "send_command", false);
}

/// A viewer in OPS sends a command: no policy permits it.
#[divan::bench]
fn deny_by_default(bencher: Bencher) {
    let principal = user(vec![grant("sentinel-x", Env::Ops, Role::Viewer)]);
    run(bencher, principal, "send_command", false);
}
