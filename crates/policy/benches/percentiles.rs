//! Authorization decision latency percentiles (the issue asks p50/p99, well under 100 µs):
//! 200,000 timed decisions of a typical allowed request (a user with three grants sends a
//! command to an OPS deployment), then 200,000 of a denial by a forbid. `cargo bench -p policy
//! --bench percentiles`; `cargo test --benches` runs it with 2,000.

use base::{Env, Scope};
use policy::{Authorizer, Context, Grant, Principal, PrincipalKind, Resource, Role};
use std::hint::black_box;
use std::time::Instant;

fn grant(env: Env, role: Role) -> Grant {
    Grant { mission: Some("sentinel-x".parse().unwrap()), env: Some(env), role }
}

fn measure(authorizer: &Authorizer, principal: &Principal, allow: bool, count: usize) -> Vec<f64> {
    let resource = Resource::Deployment(Scope { mission: "sentinel-x".parse().unwrap(), env: Env::Ops });
    let context = Context::default();
    let mut micros = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let decision = authorizer.decide(black_box(principal), black_box("send_command"), &resource, &context);
        micros.push(started.elapsed().as_secs_f64() * 1e6);
        assert_eq!(decision.allow, allow);
    }
    micros.sort_by(f64::total_cmp);
    micros
}

fn at(sorted: &[f64], quantile: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * quantile).round() as usize]
}

fn main() {
    // `cargo test --benches` passes no `--bench`: a short run that only proves it works.
    let count = if std::env::args().any(|arg| arg == "--bench") { 200_000 } else { 2_000 };
    let authorizer = Authorizer::new().unwrap_or_else(|error| panic!("the platform's policies: {error}"));
    let user = |grants| Principal { id: "ada".into(), kind: PrincipalKind::User, grants, token_envs: None };
    let allowed =
        user(vec![grant(Env::Ops, Role::Operator), grant(Env::Aiv, Role::Operator), grant(Env::Dev, Role::Engineer)]);
    let forbidden = user(vec![grant(Env::Dev, Role::Engineer), grant(Env::Aiv, Role::Operator)]);
    for (name, principal, allow) in
        [("allow send_command in ops", &allowed, true), ("deny (dev/aiv grant in ops)", &forbidden, false)]
    {
        measure(&authorizer, principal, allow, count / 10); // warm up
        let sorted = measure(&authorizer, principal, allow, count);
        println!(
            "{name}: {count} decisions, p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
            at(&sorted, 0.5),
            at(&sorted, 0.99),
            at(&sorted, 0.999),
            sorted[sorted.len() - 1]
        );
    }
}
