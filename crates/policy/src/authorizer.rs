//! The authorizer: the schema and the policies, checked once, and the one decision function.

use crate::entities::{self, Names};
use crate::error::{PolicyError, Source};
use crate::load::{load, Named};
use crate::{catalog, Context, Decision, Principal, Resource};
use base::MissionSlug;
use cedar_policy::{AuthorizationError, Effect, Entities, Entity, PolicySet, Request, Schema, Validator};
use std::collections::{BTreeMap, HashMap};

/// The schema, as embedded.
pub const SCHEMA: &str = include_str!("../policies/schema.cedarschema");
/// The platform's policies, as embedded.
pub const PLATFORM_POLICIES: &str = include_str!("../policies/platform.cedar");
/// The file names problems are reported against.
pub const SCHEMA_FILE: &str = "crates/policy/policies/schema.cedarschema";
/// See `SCHEMA_FILE`.
pub const PLATFORM_FILE: &str = "crates/policy/policies/platform.cedar";

/// The name of the rule behind a denial that no policy gave.
pub const DEFAULT_DENY: &str = "default-deny";
/// The name of the rule behind a denial of an action the schema does not know.
pub const UNKNOWN_ACTION: &str = "unknown-action";
/// The name of the rule behind a denial of an action asked about a resource it does not
/// apply to (`send_command` on the platform), or a request that cannot be built.
pub const NOT_APPLICABLE: &str = "not-applicable";

/// Decides requests by the platform's policies and the policies of each mission that has some.
pub struct Authorizer {
    schema: Schema,
    validator: Validator,
    names: Names,
    platform: Vec<Named>,
    missions: BTreeMap<MissionSlug, Vec<Named>>,
    // Invariant: `policies` holds exactly `platform` and every policy of `missions`, and
    // `reasons` the `@reason` of each of them that has one, by policy id.
    policies: PolicySet,
    reasons: HashMap<String, String>,
    actions: HashMap<String, Entity>,
    cedar: cedar_policy::Authorizer,
}

impl Authorizer {
    /// The platform's authorizer: parses the schema, then parses the platform's policies and
    /// validates them against it. Fails with every problem, each at its `file:line:column`.
    pub fn new() -> Result<Authorizer, PolicyError> {
        let source = Source { file: SCHEMA_FILE, text: SCHEMA };
        let (schema, warnings) = Schema::from_cedarschema_str(SCHEMA)
            .map_err(|error| PolicyError::Schema { problems: vec![source.diagnostic(&error)] })?;
        let warnings: Vec<_> = warnings.map(|warning| source.diagnostic(&warning)).collect();
        if !warnings.is_empty() {
            return Err(PolicyError::Schema { problems: warnings });
        }
        let validator = Validator::new(schema.clone());
        let platform = load(Source { file: PLATFORM_FILE, text: PLATFORM_POLICIES }, &validator, None)?;
        Authorizer::assemble(schema, validator, platform, BTreeMap::new())
    }

    /// This authorizer with `text` as the policies of `mission` (replacing any it had), as
    /// loaded with a release. They are validated against the schema, and each must be
    /// constrained to the mission by its scope (`resource in Mission::"<mission>"`, or one of
    /// its deployments) and named by `@id`; decisions call them `<mission>/<id>`. They cannot
    /// lift the platform's forbids. Problems are reported against `<mission>/policies.cedar`.
    pub fn with_mission_policies(&self, mission: &MissionSlug, text: &str) -> Result<Authorizer, PolicyError> {
        let file = format!("{mission}/policies.cedar");
        let policies = load(Source { file: &file, text }, &self.validator, Some(mission))?;
        let mut missions = self.missions.clone();
        missions.insert(mission.clone(), policies);
        Authorizer::assemble(self.schema.clone(), self.validator.clone(), self.platform.clone(), missions)
    }

    fn assemble(
        schema: Schema,
        validator: Validator,
        platform: Vec<Named>,
        missions: BTreeMap<MissionSlug, Vec<Named>>,
    ) -> Result<Authorizer, PolicyError> {
        let mut policies = PolicySet::new();
        let mut reasons = HashMap::new();
        for named in platform.iter().chain(missions.values().flatten()) {
            if let Some(reason) = &named.reason {
                reasons.insert(named.policy.id().to_string(), reason.clone());
            }
            // Ids are unique within a file and a mission's are prefixed, so this cannot clash;
            // report it as a rule problem all the same rather than assume.
            policies.add(named.policy.clone()).map_err(|error| PolicyError::Rule {
                problems: vec![Source { file: PLATFORM_FILE, text: "" }.problem_at(None, error.to_string())],
            })?;
        }
        let actions = schema.action_entities().map_err(|error| PolicyError::Schema {
            problems: vec![Source { file: SCHEMA_FILE, text: SCHEMA }.problem_at(None, error.to_string())],
        })?;
        let actions =
            actions.iter().map(|action| (action.uid().id().unescaped().to_string(), action.clone())).collect();
        let cedar = cedar_policy::Authorizer::new();
        Ok(Authorizer { schema, validator, names: Names::new(), platform, missions, policies, reasons, actions, cedar })
    }

    /// The id of every policy in force, sorted.
    pub fn policy_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.policies.policies().map(|policy| policy.id().to_string()).collect();
        ids.sort();
        ids
    }

    /// May `principal` do `action` on `resource`? Denies anything no policy permits, and an
    /// action the schema does not know. Never panics.
    pub fn decide(&self, principal: &Principal, action: &str, resource: &Resource, context: &Context) -> Decision {
        let asked = || format!("{action} on {resource} for {principal}");
        if !catalog::is_action(action) {
            return deny(format!("unknown action `{action}` (asked on {resource} for {principal})"), UNKNOWN_ACTION);
        }
        let request = entities::context(context).and_then(|context| {
            let (principal, resource) = (self.names.principal(principal), self.names.resource(resource));
            Request::new(principal, self.names.action(action), resource, context, Some(&self.schema))
                .map_err(|error| error.to_string())
        });
        let request = match request {
            Ok(request) => request,
            Err(why) => return deny(format!("{}: not applicable: {why}", asked()), NOT_APPLICABLE),
        };
        // Invariant: `entities::entities` builds entities that conform to the schema (tested
        // in `entities::tests`), so they are not checked again here: that would double the
        // cost of a decision. The action comes with its groups, for `action in Action::"reads"`.
        let entities = entities::entities(&self.names, principal, resource).and_then(|entities| {
            let action = self.actions.get(action).cloned();
            Entities::from_entities(entities.into_iter().chain(action), None).map_err(|error| error.to_string())
        });
        let entities = match entities {
            Ok(entities) => entities,
            Err(why) => return deny(format!("{}: the request's entities are invalid: {why}", asked()), NOT_APPLICABLE),
        };
        let response = self.cedar.is_authorized(&request, &self.policies, &entities);
        let mut policies: Vec<String> = response.diagnostics().reason().map(ToString::to_string).collect();
        policies.sort();
        let (failed_forbids, skipped) = self.failures(response.diagnostics());
        if !failed_forbids.is_empty() {
            // Fail closed: Cedar skips a policy that fails to evaluate, and a forbid skipped
            // might have applied.
            let ids = failed_forbids.iter().map(|(id, _)| id.clone()).collect();
            let why: Vec<String> = failed_forbids.into_iter().map(|(_, error)| error).collect();
            return Decision {
                allow: false,
                reason: format!("{}: a forbid failed: {}", asked(), why.join("; ")),
                policies: ids,
            };
        }
        let mut decision = match response.decision() {
            cedar_policy::Decision::Allow => {
                Decision { allow: true, reason: format!("{}: permitted by {}", asked(), policies.join(", ")), policies }
            }
            cedar_policy::Decision::Deny if policies.is_empty() => {
                deny(format!("no policy permits {action} on {resource} for {principal}"), DEFAULT_DENY)
            }
            cedar_policy::Decision::Deny => {
                let forbids: Vec<String> = policies.iter().map(|id| self.forbid_reason(id)).collect();
                Decision { allow: false, reason: format!("{}: {}", asked(), forbids.join("; ")), policies }
            }
        };
        if !skipped.is_empty() {
            decision.reason.push_str(&format!(" (permits skipped for errors: {})", skipped.join("; ")));
        }
        decision
    }

    /// The policies that failed to evaluate: the forbids (id, error), and the other errors.
    fn failures(&self, diagnostics: &cedar_policy::Diagnostics) -> (Vec<(String, String)>, Vec<String>) {
        let mut forbids = Vec::new();
        let mut others = Vec::new();
        for error in diagnostics.errors() {
            let AuthorizationError::PolicyEvaluationError(failure) = error;
            let id = failure.policy_id();
            let is_forbid = self.policies.policy(id).is_none_or(|policy| policy.effect() == Effect::Forbid);
            if is_forbid {
                forbids.push((id.to_string(), error.to_string()));
            } else {
                others.push(error.to_string());
            }
        }
        (forbids, others)
    }

    fn forbid_reason(&self, id: &str) -> String {
        match self.reasons.get(id) {
            Some(reason) => format!("forbidden by {id}: {reason}"),
            None => format!("forbidden by {id}"),
        }
    }
}

fn deny(reason: String, policy: &str) -> Decision {
    Decision { allow: false, reason, policies: vec![policy.to_string()] }
}
