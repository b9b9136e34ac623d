//! The crate's own simple authorizers (tests, benches); the binary decides by Cedar policy.

use super::{Action, Authorizer, Context, Decision, Principal, PrincipalKind, Resource, ScopeGrant, TokenGrant};
use base::{MissionSlug, Scope};
use std::collections::HashMap;

/// Tokens act within their grants; anonymous principals may read every deployment and the
/// control plane when the platform is open (the demo); liveness and the API description are
/// public; all else is denied.
///
/// The control plane: any token reads the list of missions and the drift; a token naming a
/// mission reads it; cutting releases of a mission, archiving or deleting it needs a grant of
/// every environment of it (`<mission>/*`); creating a mission needs `*`. Approving,
/// promoting, rolling back, pausing and resuming need a grant of that deployment.
pub struct ScopedPolicy {
    open: bool,
    grants: HashMap<String, Vec<ScopeGrant>>,
}

impl ScopedPolicy {
    /// A policy for these tokens; `open` lets anonymous principals read.
    pub fn new(tokens: &[TokenGrant], open: bool) -> ScopedPolicy {
        let grants = tokens.iter().map(|token| (token.name.clone(), token.scopes.clone())).collect();
        ScopedPolicy { open, grants }
    }

    fn grants_of(&self, principal: &Principal) -> &[ScopeGrant] {
        self.grants.get(&principal.id).map(Vec::as_slice).unwrap_or_default()
    }

    fn platform(&self, principal: &Principal, action: Action) -> Decision {
        let anonymous = principal.kind == PrincipalKind::Anonymous;
        match action {
            Action::ReadPlatform => decision(true, "platform reads are public"),
            Action::SignIn => decision(true, "anyone may try to sign in"),
            Action::ReadMetrics if self.open || !anonymous => {
                decision(true, "metrics are readable by any token, and by anyone when open")
            }
            Action::ReadControl if self.open || !anonymous => {
                decision(true, "the control plane is readable by any token, and by anyone when open")
            }
            Action::ManageMissions if self.grants_of(principal).iter().any(ScopeGrant::covers_everything) => {
                decision(true, format!("token {} is granted every mission", principal.id))
            }
            Action::ManageMissions if !anonymous => {
                decision(false, format!("token {} is not granted every mission (`*`)", principal.id))
            }
            Action::ReadControl | Action::ManageMissions => {
                decision(false, format!("{} on the platform needs a token", action.as_str()))
            }
            _ => decision(false, format!("{} on the platform is not allowed", action.as_str())),
        }
    }

    fn mission(&self, principal: &Principal, action: Action, mission: &MissionSlug) -> Decision {
        let anonymous = principal.kind == PrincipalKind::Anonymous;
        let grants = self.grants_of(principal);
        let id = &principal.id;
        match action {
            Action::ReadControl if anonymous && self.open => decision(true, "the platform is open for anonymous reads"),
            Action::ReadControl | Action::ManageMissions | Action::CutRelease if anonymous => {
                decision(false, format!("{} on mission {mission} needs a token", action.as_str()))
            }
            Action::ReadControl if grants.iter().any(|grant| grant.names_mission(mission)) => {
                decision(true, format!("token {id} is granted mission {mission}"))
            }
            Action::ReadControl => decision(false, format!("token {id} has no grant for mission {mission}")),
            Action::ManageMissions | Action::CutRelease if grants.iter().any(|grant| grant.covers_mission(mission)) => {
                decision(true, format!("token {id} is granted every environment of {mission}"))
            }
            Action::ManageMissions | Action::CutRelease => {
                decision(false, format!("token {id} is not granted every environment of {mission} ({mission}/*)"))
            }
            _ => decision(false, format!("{} on mission {mission} is not allowed", action.as_str())),
        }
    }

    fn deployment(&self, principal: &Principal, action: Action, scope: &Scope) -> Decision {
        if principal.kind == PrincipalKind::Anonymous {
            return if self.open && action.is_read() {
                decision(true, "the platform is open for anonymous reads")
            } else {
                decision(false, format!("{} on {scope} needs a token", action.as_str()))
            };
        }
        if self.grants_of(principal).iter().any(|grant| grant.covers(scope)) {
            decision(true, format!("token {} is granted {scope}", principal.id))
        } else {
            decision(false, format!("token {} has no grant for {scope}", principal.id))
        }
    }
}

const POLICY: &str = "scoped";

fn decision(allow: bool, reason: impl Into<String>) -> Decision {
    Decision { allow, reason: reason.into(), policy: POLICY.to_string() }
}

impl Authorizer for ScopedPolicy {
    fn authorize(&self, principal: &Principal, action: Action, resource: &Resource, _context: &Context) -> Decision {
        match resource {
            Resource::Platform => self.platform(principal, action),
            Resource::Mission(mission) => self.mission(principal, action, mission),
            Resource::Deployment(scope) => self.deployment(principal, action, scope),
        }
    }
}

/// Denies everything: for tests that prove no route skips the gate, and for a platform that
/// is shut for maintenance.
pub struct DenyAll;

impl Authorizer for DenyAll {
    fn authorize(&self, _principal: &Principal, action: Action, resource: &Resource, _context: &Context) -> Decision {
        Decision {
            allow: false,
            reason: format!("{} on {resource} denied: everything is denied", action.as_str()),
            policy: "deny_all".to_string(),
        }
    }
}
