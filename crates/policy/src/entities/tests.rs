//! The entities of a request conform to the schema: `decide` does not check them again.

use super::{entities, Names};
use crate::{Grant, Principal, PrincipalKind, Resource, Role, SCHEMA};
use base::{Env, Scope};
use cedar_policy::{Entities, Schema};

fn grant(mission: Option<&str>, env: Option<Env>, role: Role) -> Grant {
    Grant { mission: mission.map(|m| m.parse().unwrap()), env, role }
}

#[test]
fn request_entities_conform_to_the_schema() {
    let (schema, _) = Schema::from_cedarschema_str(SCHEMA).unwrap();
    let names = Names::new();
    let grants = vec![
        grant(Some("sentinel-x"), Some(Env::Ops), Role::Operator),
        grant(Some("sentinel-x"), None, Role::Viewer),
        grant(None, Some(Env::Dev), Role::Engineer),
        grant(None, None, Role::PlatformAdmin),
        grant(Some("bogussat-1"), Some(Env::Aiv), Role::SecurityOfficer),
    ];
    let resources = [
        Resource::Platform,
        Resource::Mission("sentinel-x".parse().unwrap()),
        Resource::Deployment(Scope { mission: "sentinel-x".parse().unwrap(), env: Env::Aiv }),
    ];
    for kind in [PrincipalKind::User, PrincipalKind::Token, PrincipalKind::Workload] {
        for (grants, token_envs) in
            [(grants.clone(), None), (vec![], Some(vec![Env::Dev])), (grants.clone(), Some(vec![]))]
        {
            let principal = Principal { id: "ada \"the\" user".into(), kind, grants, token_envs };
            for resource in &resources {
                let built = entities(&names, &principal, resource).unwrap();
                if let Err(error) = Entities::from_entities(built, Some(&schema)) {
                    panic!("{principal} on {resource}: {error}");
                }
            }
        }
    }
}

#[test]
fn a_principal_reaches_what_its_grants_cover() {
    let names = Names::new();
    let principal = Principal {
        id: "ada".into(),
        kind: PrincipalKind::User,
        grants: vec![
            grant(Some("sentinel-x"), Some(Env::Ops), Role::Operator),
            grant(None, Some(Env::Dev), Role::Viewer),
        ],
        token_envs: None,
    };
    let asked = Resource::Mission("bogussat-1".parse().unwrap());
    let [principal, _] = entities(&names, &principal, &asked).unwrap();
    let mut parents: Vec<String> = principal.into_inner().2.into_iter().map(|uid| uid.to_string()).collect();
    parents.sort();
    expect_test::expect![[r#"
        [
            "Deployment::\"bogussat-1/dev\"",
            "Deployment::\"sentinel-x/ops\"",
            "Mission::\"bogussat-1\"",
            "Mission::\"sentinel-x\"",
            "Platform::\"groundplane\"",
            "Role::\"*/dev/viewer\"",
            "Role::\"bogussat-1/dev/viewer\"",
            "Role::\"bogussat-1/viewer\"",
            "Role::\"sentinel-x/operator\"",
            "Role::\"sentinel-x/ops/operator\"",
        ]
    "#]]
    .assert_debug_eq(&parents);
}
