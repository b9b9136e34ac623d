//! Turning policy text into checked policies: parse, validate against the schema, then the
//! platform's own rules (every policy named by `@id`, no templates, and a mission's policies
//! constrained to that mission).

use crate::error::{policy_starts, PolicyError, Problem, Source};
use base::{Env, MissionSlug};
use cedar_policy::{EntityUid, Policy, PolicyId, PolicySet, ResourceConstraint, ValidationMode, Validator};
use std::collections::BTreeSet;
use std::str::FromStr;

/// A policy ready to use: renamed after its `@id`, with its `@reason` if it has one.
#[derive(Clone)]
pub(crate) struct Named {
    pub policy: Policy,
    pub reason: Option<String>,
}

/// Parses, checks and validates a policy file. With `mission`, every policy must be
/// constrained to that mission, and is renamed `<mission>/<id>`.
pub(crate) fn load(
    source: Source<'_>,
    validator: &Validator,
    mission: Option<&MissionSlug>,
) -> Result<Vec<Named>, PolicyError> {
    let parsed = PolicySet::from_str(source.text).map_err(|errors| PolicyError::Syntax {
        problems: errors.iter().map(|error| source.diagnostic(error)).collect(),
    })?;
    let named = check_rules(source, &parsed, mission)?;
    // Validated under their new names, so that Cedar's messages name them as decisions will.
    let mut renamed = PolicySet::new();
    for policy in &named {
        renamed
            .add(policy.policy.clone())
            .map_err(|error| PolicyError::Rule { problems: vec![source.problem_at(None, error.to_string())] })?;
    }
    let result = validator.validate(&renamed, ValidationMode::Strict);
    let mut problems: Vec<Problem> = result.validation_errors().map(|error| source.diagnostic(error)).collect();
    problems.extend(result.validation_warnings().map(|warning| source.diagnostic(warning)));
    if problems.is_empty() {
        Ok(named)
    } else {
        Err(PolicyError::Validation { problems: sorted(problems) })
    }
}

/// The platform's rules, on a file that parsed: each policy named once by `@id`, no templates,
/// and with `mission`, constrained to it.
fn check_rules(source: Source<'_>, set: &PolicySet, mission: Option<&MissionSlug>) -> Result<Vec<Named>, PolicyError> {
    let starts = policy_starts(source.text);
    // Cedar names the policies of a file `policy0`, `policy1`, … in file order.
    let start_of = |id: &PolicyId| -> Option<usize> {
        id.to_string().strip_prefix("policy").and_then(|n| n.parse::<usize>().ok()).and_then(|n| starts.get(n).copied())
    };
    let mut problems = Vec::new();
    for template in set.templates() {
        problems
            .push(source.problem_at(start_of(template.id()), "templates are not allowed; write the policy out".into()));
    }
    let mut seen = BTreeSet::new();
    let mut named = Vec::new();
    for policy in set.policies() {
        let at = start_of(policy.id());
        let Some(id) = policy.annotation("id") else {
            problems.push(source.problem_at(at, "a policy needs an @id(\"…\") naming it".into()));
            continue;
        };
        if id.is_empty() || !seen.insert(id.to_string()) {
            problems.push(source.problem_at(at, format!("@id(\"{id}\") is empty or names another policy too")));
            continue;
        }
        if let Some(mission) = mission {
            if let Err(why) = constrained_to(mission, &policy.resource_constraint()) {
                problems.push(
                    source.problem_at(at, format!("policy `{id}` is not constrained to mission {mission}: {why}")),
                );
                continue;
            }
        }
        let name = match mission {
            Some(mission) => format!("{mission}/{id}"),
            None => id.to_string(),
        };
        let reason = policy.annotation("reason").map(str::to_string);
        named.push(Named { policy: policy.new_id(PolicyId::new(name)), reason });
    }
    if problems.is_empty() {
        Ok(named)
    } else {
        Err(PolicyError::Rule { problems: sorted(problems) })
    }
}

/// Whether a policy's resource scope keeps it inside the mission: `resource in` or `==`
/// `Mission::"<mission>"` or one of its deployments (`Deployment::"<mission>/<env>"`),
/// optionally with `is`. The scope is checked, not the conditions: a condition is any
/// expression, and a scope is what Cedar matches before it evaluates one. Since a deployment
/// is `in` its mission, `resource in Mission::"m"` covers the mission and its deployments and
/// nothing of another mission or of the platform.
fn constrained_to(mission: &MissionSlug, constraint: &ResourceConstraint) -> Result<(), String> {
    let uid = match constraint {
        ResourceConstraint::In(uid) | ResourceConstraint::Eq(uid) | ResourceConstraint::IsIn(_, uid) => uid,
        ResourceConstraint::Any | ResourceConstraint::Is(_) => {
            return Err(format!("its scope must say `resource in Mission::\"{mission}\"` (or one of its deployments)"))
        }
    };
    if names_mission(mission, uid) {
        Ok(())
    } else {
        Err(format!("its scope names {uid}, not Mission::\"{mission}\" or one of its deployments"))
    }
}

fn names_mission(mission: &MissionSlug, uid: &EntityUid) -> bool {
    let id = uid.id().unescaped();
    match uid.type_name().to_string().as_str() {
        "Mission" => id == mission.as_str(),
        "Deployment" => {
            id.split_once('/').is_some_and(|(slug, env)| slug == mission.as_str() && env.parse::<Env>().is_ok())
        }
        _ => false,
    }
}

fn sorted(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by_key(|problem| (problem.line, problem.column));
    problems
}
