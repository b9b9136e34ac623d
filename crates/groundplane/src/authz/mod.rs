//! The gate's authorizer in the binary: Cedar policy (`policy::Authorizer`) over the roles a
//! credential carries and the roles a mission's members hold (its governing mission files),
//! plus the one rule outside Cedar, a principal without a credential: it may read the
//! platform's liveness, and read deployments when the platform is open (a demo, a lab).
//! Also the gate's audit sink: every denial and every allowed change to the audit chain.

#[cfg(test)]
mod tests;

use crate::auditor::Auditor;
use api::gate::{
    Action, AuditSink, Context, Decision, DecisionRecord, Grant, OutcomeRecord, Principal, PrincipalKind, Resource,
};
use std::sync::{Arc, PoisonError, RwLock};

/// The grants a principal holds as a member of missions (by principal id).
pub type Members = Arc<dyn Fn(&str) -> Vec<Grant> + Send + Sync>;

/// The rule behind an anonymous principal's decisions.
pub const ANONYMOUS_RULE: &str = "anonymous-principal";

/// What an anonymous principal may do on an open platform: read telemetry, archives,
/// commands and the control plane — never a change, never secrets.
const ANONYMOUS_READS: [Action; 9] = [
    Action::ReadMetrics,
    Action::ReadStatus,
    Action::ReadTelemetry,
    Action::ReadArchive,
    Action::ExportArchive,
    Action::SubscribeLive,
    Action::Replay,
    Action::ReadCommands,
    Action::ReadControl,
];

/// Decides every request of the gate by Cedar policy.
pub struct CedarAuthorizer {
    // Invariant: the platform's policies, and each mission's own from its release.
    policies: RwLock<Arc<policy::Authorizer>>,
    members: Members,
    open: bool,
}

impl CedarAuthorizer {
    /// The platform's policies (checked against the schema), mission members from `members`;
    /// `open` lets anonymous principals read deployments and the control plane.
    pub fn new(members: Members, open: bool) -> anyhow::Result<CedarAuthorizer> {
        let policies = policy::Authorizer::new()?;
        Ok(CedarAuthorizer { policies: RwLock::new(Arc::new(policies)), members, open })
    }

    /// Replaces a mission's own policies (carried by the release that governs it, validated
    /// against the schema and confined to the mission); `None` removes them. On error the
    /// mission keeps what it had.
    pub fn set_mission_policies(&self, mission: &base::MissionSlug, text: Option<&str>) -> Result<(), String> {
        let mut policies = self.policies.write().unwrap_or_else(PoisonError::into_inner);
        let next = policies.with_mission_policies(mission, text.unwrap_or("")).map_err(|error| problems(&error))?;
        *policies = Arc::new(next);
        Ok(())
    }

    fn current(&self) -> Arc<policy::Authorizer> {
        self.policies.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn anonymous(&self, action: Action, resource: &Resource) -> Decision {
        let allow =
            matches!(action, Action::ReadPlatform | Action::SignIn) || (self.open && ANONYMOUS_READS.contains(&action));
        let reason = if allow {
            format!("{} on {resource}: open to anyone", action.as_str())
        } else {
            format!("{} on {resource} needs a credential", action.as_str())
        };
        Decision { allow, reason, policy: ANONYMOUS_RULE.to_string() }
    }
}

/// Every problem of a policy error, one per line, each at its `file:line:column`.
fn problems(error: &policy::PolicyError) -> String {
    let lines: Vec<String> = error
        .problems()
        .iter()
        .map(|problem| format!("{}:{}:{}: {}", problem.file, problem.line, problem.column, problem.message))
        .collect();
    if lines.is_empty() {
        error.to_string()
    } else {
        lines.join("\n")
    }
}

/// Checks a mission's own policies against the schema and the platform's policies: they must
/// parse, validate and be confined to `mission`. Answers every problem.
pub fn check_mission_policies(mission: &base::MissionSlug, text: &str) -> Result<(), String> {
    let platform = policy::Authorizer::new().map_err(|error| problems(&error))?;
    platform.with_mission_policies(mission, text).map(drop).map_err(|error| problems(&error))
}

/// The policy crate's view of an API principal: its credential's grants and its memberships.
pub fn principal(principal: &Principal, members: &[Grant]) -> policy::Principal {
    let kind = match principal.kind {
        PrincipalKind::User => policy::PrincipalKind::User,
        PrincipalKind::Workload => policy::PrincipalKind::Workload,
        PrincipalKind::Token | PrincipalKind::Anonymous => policy::PrincipalKind::Token,
    };
    let mut grants = principal.grants.clone();
    grants.extend(members.iter().cloned());
    grants.sort();
    grants.dedup();
    policy::Principal { id: principal.id.clone(), kind, grants, token_envs: principal.envs.clone() }
}

/// The policy crate's view of a resource.
pub fn resource(resource: &Resource) -> policy::Resource {
    match resource {
        Resource::Platform => policy::Resource::Platform,
        Resource::Mission(mission) => policy::Resource::Mission(mission.clone()),
        Resource::Deployment(scope) => policy::Resource::Deployment(scope.clone()),
    }
}

impl api::gate::Authorizer for CedarAuthorizer {
    fn authorize(&self, who: &Principal, action: Action, on: &Resource, context: &Context) -> Decision {
        if who.kind == PrincipalKind::Anonymous {
            return self.anonymous(action, on);
        }
        // A person's stored token acts with its own grants only.
        let members = if who.via.is_some() { Vec::new() } else { (self.members)(&who.id) };
        let decision = self.current().decide(&principal(who, &members), action.as_str(), &resource(on), context);
        Decision { allow: decision.allow, reason: decision.reason, policy: decision.policies.join(",") }
    }
}

/// The gate's decisions in the audit chain: `authz.<action>`, allowed or denied, with the
/// request id, the reason and the deciding policies.
pub struct GateAudit(pub Arc<Auditor>);

impl AuditSink for GateAudit {
    fn record(&self, record: &DecisionRecord) -> Result<(), String> {
        let outcome = if record.allow { audit::Outcome::Allowed } else { audit::Outcome::Denied };
        let detail = serde_json::json!({
            "request_id": record.request_id,
            "reason": record.reason,
            "policy": record.policy,
        });
        let entry = audit::Entry::new(
            self.0.now_ms(),
            &record.principal,
            format!("authz.{}", record.action.as_str()),
            &record.resource,
            outcome,
        )
        .with_detail(detail);
        self.0.record(&entry).map_err(|error| error.to_string())
    }

    fn outcome(&self, outcome: &OutcomeRecord) -> Result<(), String> {
        let result = if outcome.done { audit::Outcome::Allowed } else { audit::Outcome::Failed };
        let mut detail = outcome.detail.clone();
        if let Some(object) = detail.as_object_mut() {
            object.insert("request_id".into(), outcome.request_id.clone().into());
        }
        let action = format!("{}.done", outcome.action.as_str());
        let entry = audit::Entry::new(self.0.now_ms(), &outcome.principal, action, &outcome.resource, result)
            .with_detail(detail);
        self.0.record(&entry).map_err(|error| error.to_string())
    }
}
