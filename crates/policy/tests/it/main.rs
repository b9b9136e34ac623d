//! The policy crate at its boundary: the authorization matrix, approvals, mission policies,
//! and what a decision says.

mod approval;
mod matrix;
mod mission_policies;
mod reasons;

use base::{Env, MissionSlug, Scope};
use policy::{Authorizer, Context, Grant, Principal, PrincipalKind, Resource, Role};
use std::sync::OnceLock;

/// The mission the principals of the tests belong to.
const OWN: &str = "sentinel-x";
/// A mission they have no grant on.
const OTHER: &str = "bogussat-1";

/// The platform's authorizer, built once.
fn platform() -> &'static Authorizer {
    static AUTHORIZER: OnceLock<Authorizer> = OnceLock::new();
    AUTHORIZER.get_or_init(|| match Authorizer::new() {
        Ok(authorizer) => authorizer,
        Err(error) => panic!("the platform's policies are rejected:\n{error}"),
    })
}

fn slug(text: &str) -> MissionSlug {
    text.parse().unwrap()
}

fn grant(mission: Option<&str>, env: Option<Env>, role: Role) -> Grant {
    Grant { mission: mission.map(slug), env, role }
}

fn user(id: &str, grants: Vec<Grant>) -> Principal {
    Principal { id: id.to_string(), kind: PrincipalKind::User, grants, token_envs: None }
}

fn token(id: &str, grants: Vec<Grant>, envs: &[Env]) -> Principal {
    Principal { id: id.to_string(), kind: PrincipalKind::Token, grants, token_envs: Some(envs.to_vec()) }
}

fn deployment(mission: &str, env: Env) -> Resource {
    Resource::Deployment(Scope { mission: slug(mission), env })
}

fn no_context() -> Context {
    Context::default()
}
