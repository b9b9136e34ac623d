//! The Cedar request for a decision: the principal with the hierarchy its grants reach, the
//! resource with its mission and role groups, the context. The hierarchy is described in
//! `policies/schema.cedarschema`; this module only names things, the policies decide.

use crate::{Context, Grant, Principal, PrincipalKind, Resource, Role};
use base::{Env, MissionSlug};
use cedar_policy::{Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The id of the one platform entity.
pub(crate) const PLATFORM_ID: &str = "groundplane";

/// The entity type names, parsed once.
pub(crate) struct Names {
    platform: EntityTypeName,
    mission: EntityTypeName,
    deployment: EntityTypeName,
    role: EntityTypeName,
    action: EntityTypeName,
    principals: [EntityTypeName; 3],
}

impl Names {
    pub fn new() -> Names {
        // Invariant: these are the schema's type names, constant identifiers that parse.
        let name = |text: &str| EntityTypeName::from_str(text).expect("a constant identifier is a type name");
        Names {
            platform: name("Platform"),
            mission: name("Mission"),
            deployment: name("Deployment"),
            role: name("Role"),
            action: name("Action"),
            principals: [name("User"), name("Token"), name("Workload")],
        }
    }

    fn uid(&self, type_name: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(type_name.clone(), EntityId::new(id))
    }

    pub fn action(&self, action: &str) -> EntityUid {
        self.uid(&self.action, action)
    }

    pub fn principal(&self, principal: &Principal) -> EntityUid {
        let [user, token, workload] = &self.principals;
        let type_name = match principal.kind {
            PrincipalKind::User => user,
            PrincipalKind::Token => token,
            PrincipalKind::Workload => workload,
        };
        self.uid(type_name, &principal.id)
    }

    pub fn resource(&self, resource: &Resource) -> EntityUid {
        match resource {
            Resource::Platform => self.uid(&self.platform, PLATFORM_ID),
            Resource::Mission(mission) => self.uid(&self.mission, mission.as_str()),
            Resource::Deployment(scope) => self.deployment(&scope.mission, scope.env),
        }
    }

    fn platform(&self) -> EntityUid {
        self.uid(&self.platform, PLATFORM_ID)
    }

    fn mission(&self, mission: &MissionSlug) -> EntityUid {
        self.uid(&self.mission, mission.as_str())
    }

    fn deployment(&self, mission: &MissionSlug, env: Env) -> EntityUid {
        self.uid(&self.deployment, &format!("{mission}/{env}"))
    }

    fn role(&self, name: &str) -> EntityUid {
        self.uid(&self.role, name)
    }
}

/// Every entity the decision needs besides the action: the principal, whose parents are the
/// hierarchy its grants reach, and the resource.
pub(crate) fn entities(names: &Names, principal: &Principal, resource: &Resource) -> Result<[Entity; 2], String> {
    let parents = ancestors(names, &principal.grants, resource.mission());
    let envs = principal.token_envs.as_deref().unwrap_or(&Env::ALL);
    let scoped_envs =
        RestrictedExpression::new_set(envs.iter().map(|env| RestrictedExpression::new_string(env.to_string())));
    let attrs = HashMap::from([("scoped_envs".to_string(), scoped_envs)]);
    let principal = Entity::new(names.principal(principal), attrs, parents).map_err(|error| error.to_string())?;
    Ok([principal, resource_entity(names, resource)?])
}

/// The groups and places a principal's grants reach, closed: each grant's own group (named
/// like the grant), and for each mission and environment it covers, the concrete role group
/// `m/e/r`, the mission-wide role group `m/r`, the deployment `m/e` and the mission `m`; the
/// platform. A platform admin's grant reaches only its own group and the platform. A grant for
/// every mission covers the mission asked about, the only one that
/// matters to the request. Computed here rather than by Cedar from `Role` entities, because
/// Cedar's closure costs about a microsecond per edge and a decision has a budget.
fn ancestors(names: &Names, grants: &[Grant], asked: Option<&MissionSlug>) -> HashSet<EntityUid> {
    let mut ancestors = HashSet::new();
    for grant in grants {
        ancestors.insert(names.role(&grant.to_string()));
        let role = grant.role;
        // A platform role reaches no mission: see `no-access-across-missions`.
        if role == Role::PlatformAdmin {
            continue;
        }
        let Some(mission) = grant.mission.as_ref().or(asked) else { continue };
        ancestors.insert(names.role(&format!("{mission}/{role}")));
        ancestors.insert(names.mission(mission));
        for env in Env::ALL.into_iter().filter(|env| grant.env.is_none_or(|granted| granted == *env)) {
            ancestors.insert(names.role(&format!("{mission}/{env}/{role}")));
            ancestors.insert(names.deployment(mission, env));
        }
    }
    if !grants.is_empty() {
        ancestors.insert(names.platform());
    }
    ancestors
}

fn resource_entity(names: &Names, resource: &Resource) -> Result<Entity, String> {
    let uid = names.resource(resource);
    let (attrs, parents) = match resource {
        Resource::Platform => return Ok(Entity::new_no_attrs(uid, HashSet::new())),
        Resource::Mission(mission) => {
            let attrs = HashMap::from([
                ("mission".to_string(), RestrictedExpression::new_entity_uid(names.mission(mission))),
                ("roles".to_string(), roles(names, &format!("{mission}/"))?),
            ]);
            (attrs, HashSet::from([names.platform()]))
        }
        Resource::Deployment(scope) => {
            let attrs = HashMap::from([
                ("mission".to_string(), RestrictedExpression::new_entity_uid(names.mission(&scope.mission))),
                ("env".to_string(), RestrictedExpression::new_string(scope.env.to_string())),
                ("roles".to_string(), roles(names, &format!("{scope}/"))?),
            ]);
            (attrs, HashSet::from([names.mission(&scope.mission), names.platform()]))
        }
    };
    Entity::new(uid, attrs, parents).map_err(|error| error.to_string())
}

/// The `Roles` record: each mission role's group under a prefix (`m/` or `m/e/`).
fn roles(names: &Names, prefix: &str) -> Result<RestrictedExpression, String> {
    let fields = Role::ALL.into_iter().filter_map(|role| {
        let attr = role.roles_attr()?;
        Some((attr.to_string(), RestrictedExpression::new_entity_uid(names.role(&format!("{prefix}{role}")))))
    });
    RestrictedExpression::new_record(fields).map_err(|error| error.to_string())
}

/// The Cedar context of a request.
pub(crate) fn context(context: &Context) -> Result<cedar_policy::Context, String> {
    cedar_policy::Context::from_pairs([
        ("distinct_approvers".to_string(), RestrictedExpression::new_long(i64::from(context.distinct_approvers))),
        ("approval_fresh".to_string(), RestrictedExpression::new_bool(context.approval_fresh)),
        ("approver_is_sender".to_string(), RestrictedExpression::new_bool(context.approver_is_sender)),
    ])
    .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests;
