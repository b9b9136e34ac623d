//! The default authorizers until Cedar policy arrives with issue 7.

use super::{Action, Authorizer, Decision, Principal, PrincipalKind, Resource, ScopeGrant, TokenGrant};
use std::collections::HashMap;

/// Tokens act within their grants; anonymous principals may read every deployment when the
/// platform is open (the demo); liveness and the API description are public; all else is denied.
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
}

const POLICY: &str = "scoped";

fn decision(allow: bool, reason: impl Into<String>) -> Decision {
    Decision { allow, reason: reason.into(), policy: POLICY.to_string() }
}

impl Authorizer for ScopedPolicy {
    fn authorize(&self, principal: &Principal, action: Action, resource: &Resource) -> Decision {
        let anonymous = principal.kind == PrincipalKind::Anonymous;
        match resource {
            Resource::Platform if action == Action::ReadPlatform => decision(true, "platform reads are public"),
            Resource::Platform if action == Action::ReadMetrics && (self.open || !anonymous) => {
                decision(true, "metrics are readable by any token, and by anyone when open")
            }
            Resource::Platform => decision(false, format!("{} on the platform is not allowed", action.as_str())),
            Resource::Deployment(scope) if anonymous => {
                if self.open && action.is_read() {
                    decision(true, "the platform is open for anonymous reads")
                } else {
                    decision(false, format!("{} on {scope} needs a token", action.as_str()))
                }
            }
            Resource::Deployment(scope) => {
                let grants = self.grants.get(&principal.id).map(Vec::as_slice).unwrap_or_default();
                if grants.iter().any(|grant| grant.covers(scope)) {
                    decision(true, format!("token {} is granted {scope}", principal.id))
                } else {
                    decision(false, format!("token {} has no grant for {scope}", principal.id))
                }
            }
        }
    }
}

/// Denies everything: for tests that prove no route skips the gate, and for a platform that
/// is shut for maintenance.
pub struct DenyAll;

impl Authorizer for DenyAll {
    fn authorize(&self, _principal: &Principal, action: Action, resource: &Resource) -> Decision {
        Decision {
            allow: false,
            reason: format!("{} on {resource} denied: everything is denied", action.as_str()),
            policy: "deny_all".to_string(),
        }
    }
}
