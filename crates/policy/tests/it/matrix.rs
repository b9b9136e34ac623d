//! The authorization matrix: every (action, resource kind) the platform asks × every role ×
//! every shape of grant × own and other mission × each environment × user and tokens, against
//! the issue's table written out here independently of `platform.cedar`.

use super::{deployment, grant, no_context, platform, slug, token, user, OTHER, OWN};
use base::Env::{self, Aiv, Dev, Ops};
use expect_test::{expect, Expect};
use policy::{catalog, Decision, Grant, Principal, PrincipalKind, Resource, ResourceKind, Role};
use std::fmt::Write;

const READS: [&str; 6] =
    ["read_status", "read_telemetry", "read_archive", "read_commands", "read_control", "subscribe_live"];
const OPERATE: [&str; 4] = ["send_command", "acknowledge_alarm", "export_archive", "replay"];

/// What each role may do where it is granted: the issue's table.
fn role_actions(role: Role) -> Vec<&'static str> {
    let with = |base: &[&'static str], extra: &[&'static str]| [base, extra].concat();
    let operator = with(&READS, &OPERATE);
    match role {
        Role::Viewer => READS.to_vec(),
        Role::Operator => operator,
        Role::Engineer => with(&operator, &["cut_release", "backfill"]),
        Role::FlightDirector => with(&operator, &["approve_command", "approve_release", "promote"]),
        Role::MissionAdmin => with(&READS, &["manage_deployment", "manage_members", "cut_release"]),
        Role::SecurityOfficer => with(&READS, &["approve_release", "manage_secrets", "read_secrets"]),
        Role::PlatformAdmin => vec!["manage_missions", "administer_platform", "read_metrics", "read_control"],
    }
}

/// The grants of the matrix's principals: each role in one environment of its own mission,
/// in every environment of it, and everywhere.
fn grant_shapes(role: Role) -> Vec<Grant> {
    let mut grants: Vec<Grant> = Env::ALL.into_iter().map(|env| grant(Some(OWN), Some(env), role)).collect();
    grants.push(grant(Some(OWN), None, role));
    grants.push(grant(None, None, role));
    grants
}

/// A user, a token scoped to the environment asked about only (for the platform or a mission,
/// the grant's, or OPS), and a token scoped to DEV only.
fn credentials(grant: &Grant, resource: &Resource) -> [Principal; 3] {
    let env = match resource {
        Resource::Deployment(scope) => scope.env,
        _ => grant.env.unwrap_or(Ops),
    };
    let grants = vec![grant.clone()];
    [user("ada", grants.clone()), token(&format!("ci-{env}"), grants.clone(), &[env]), token("ci-dev", grants, &[Dev])]
}

fn resources(kind: ResourceKind) -> Vec<Resource> {
    match kind {
        ResourceKind::Platform => vec![Resource::Platform],
        ResourceKind::Mission => vec![Resource::Mission(slug(OWN)), Resource::Mission(slug(OTHER))],
        ResourceKind::Deployment => {
            [OWN, OTHER].into_iter().flat_map(|m| Env::ALL.map(|env| deployment(m, env))).collect()
        }
    }
}

/// The expected decision, from the table and the platform's rules, without the code under test.
fn expected(action: &str, role: Role, grant: &Grant, principal: &Principal, resource: &Resource) -> bool {
    let everywhere = grant.mission.is_none() && grant.env.is_none();
    let admin = role == Role::PlatformAdmin;
    let may = role_actions(role).contains(&action) && (!admin || everywhere);
    let covers_mission = |mission| grant.mission.as_ref().is_none_or(|granted| granted == mission);
    let scoped_to = |env| principal.token_envs.as_ref().is_none_or(|envs| envs.contains(&env));
    // Creating or deleting missions and administering the platform change OPS too.
    let changes_ops = matches!(action, "manage_missions" | "administer_platform");
    match resource {
        Resource::Platform => match action {
            "read_platform" | "read_control" | "sign_in" => true,
            "manage_tokens" => principal.kind == PrincipalKind::User,
            _ => admin && may && (!changes_ops || scoped_to(Ops)),
        },
        Resource::Mission(mission) => covers_mission(mission) && may && (!changes_ops || scoped_to(Ops)),
        Resource::Deployment(scope) => {
            let credential = scoped_to(scope.env);
            let approval = action == "approve_command" && scope.env == Ops; // needs a context
            !admin
                && may
                && covers_mission(&scope.mission)
                && grant.env.is_none_or(|env| env == scope.env)
                && credential
                && !approval
        }
    }
}

struct Case {
    action: &'static str,
    grant: Grant,
    principal: Principal,
    resource: Resource,
    decision: Decision,
}

/// Every case, one thread per role (a decision is slow in a debug build).
fn run_matrix() -> Vec<Case> {
    std::thread::scope(|threads| {
        let per_role: Vec<_> = Role::ALL.map(|role| threads.spawn(move || run_role(role))).into();
        per_role.into_iter().flat_map(|thread| thread.join().unwrap()).collect()
    })
}

fn run_role(role: Role) -> Vec<Case> {
    let mut cases = Vec::new();
    for (action, kind) in catalog::requests() {
        for grant in grant_shapes(role) {
            for resource in resources(kind) {
                for principal in credentials(&grant, &resource) {
                    let decision = platform().decide(&principal, action, &resource, &no_context());
                    let resource = resource.clone();
                    cases.push(Case { action, grant: grant.clone(), principal, resource, decision });
                }
            }
        }
    }
    cases
}

#[test]
fn matrix() {
    let cases = run_matrix();
    let mut mismatches = Vec::new();
    for case in &cases {
        let want = expected(case.action, case.grant.role, &case.grant, &case.principal, &case.resource);
        if case.decision.allow != want {
            mismatches.push(format!(
                "{} on {} for {} granted {}: want {want}, got {:?}",
                case.action, case.resource, case.principal, case.grant, case.decision
            ));
        }
        assert!(!case.decision.policies.is_empty(), "a decision names its policies: {:?}", case.decision);
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} decisions differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );

    let allowed = cases.iter().filter(|case| case.decision.allow);
    let cross_mission = allowed.clone().filter(|case| {
        let mission = case.resource.mission();
        mission.is_some() && case.grant.mission.is_some() && case.grant.mission.as_ref() != mission
    });
    let into_ops = allowed.clone().filter(|case| {
        let in_ops = matches!(&case.resource, Resource::Deployment(scope) if scope.env == Ops);
        let dev_aiv_grant = matches!(case.grant.env, Some(Dev | Aiv));
        let dev_aiv_token = case.principal.token_envs.as_ref().is_some_and(|envs| !envs.contains(&Ops));
        in_ops && (dev_aiv_grant || dev_aiv_token)
    });
    let summary = format!(
        "decisions: {}, allowed: {}, cross-mission allows: {}, DEV/AIV→OPS allows: {}",
        cases.len(),
        allowed.count(),
        cross_mission.count(),
        into_ops.count()
    );
    expect!["decisions: 12075, allowed: 1931, cross-mission allows: 0, DEV/AIV→OPS allows: 0"].assert_eq(&summary);
}

/// One slice of the matrix as a table: each action on the own mission's OPS deployment (or the
/// mission, or the platform) × each role, for a user granted the role in `grant_env`.
fn check_slice(grant_env: Env, expect: Expect) {
    let authorizer = platform();
    let mut table = String::from("                     ");
    for role in Role::ALL {
        write!(table, " {:>4}", &role.as_str()[..4]).unwrap();
    }
    for (action, kind) in catalog::requests() {
        let resource = match kind {
            ResourceKind::Platform => Resource::Platform,
            ResourceKind::Mission => Resource::Mission(slug(OWN)),
            ResourceKind::Deployment => deployment(OWN, Ops),
        };
        write!(table, "\n{action:>19} {:<1}", &format!("{kind:?}")[..1]).unwrap();
        for role in Role::ALL {
            let principal = user("ada", vec![grant(Some(OWN), Some(grant_env), role)]);
            let decision = authorizer.decide(&principal, action, &resource, &no_context());
            write!(table, " {:>4}", if decision.allow { "A" } else { "." }).unwrap();
        }
    }
    expect.assert_eq(&table);
}

#[test]
fn ops_slice_for_ops_grants() {
    check_slice(
        Ops,
        expect![[r#"
                                  view oper engi flig miss secu plat
                  read_platform P    A    A    A    A    A    A    A
                   read_metrics P    .    .    .    .    .    .    .
                        sign_in P    A    A    A    A    A    A    A
                  manage_tokens P    A    A    A    A    A    A    A
                    read_status D    A    A    A    A    A    A    .
                 read_telemetry D    A    A    A    A    A    A    .
                   read_archive D    A    A    A    A    A    A    .
              acknowledge_alarm D    .    A    A    A    .    .    .
                  read_commands D    A    A    A    A    A    A    .
                   send_command D    .    A    A    A    .    .    .
                approve_command D    .    .    .    .    .    .    .
                         replay D    .    A    A    A    .    .    .
                 subscribe_live D    A    A    A    A    A    A    .
                   read_control P    A    A    A    A    A    A    A
                manage_missions P    .    .    .    .    .    .    .
                   read_control M    A    A    A    A    A    A    .
                manage_missions M    .    .    .    .    .    .    .
                    cut_release M    .    .    A    .    A    .    .
                approve_release D    .    .    .    A    .    A    .
                        promote D    .    .    .    A    .    .    .
              manage_deployment D    .    .    .    .    A    .    .
                   read_secrets D    .    .    .    .    .    A    .
                 manage_secrets D    .    .    .    .    .    A    .
                 export_archive D    .    A    A    A    .    .    .
                       backfill D    .    .    A    .    .    .    .
                 manage_members D    .    .    .    .    A    .    .
            administer_platform P    .    .    .    .    .    .    ."#]],
    );
}

#[test]
fn ops_slice_for_dev_grants() {
    check_slice(
        Dev,
        expect![[r#"
                                  view oper engi flig miss secu plat
                  read_platform P    A    A    A    A    A    A    A
                   read_metrics P    .    .    .    .    .    .    .
                        sign_in P    A    A    A    A    A    A    A
                  manage_tokens P    A    A    A    A    A    A    A
                    read_status D    .    .    .    .    .    .    .
                 read_telemetry D    .    .    .    .    .    .    .
                   read_archive D    .    .    .    .    .    .    .
              acknowledge_alarm D    .    .    .    .    .    .    .
                  read_commands D    .    .    .    .    .    .    .
                   send_command D    .    .    .    .    .    .    .
                approve_command D    .    .    .    .    .    .    .
                         replay D    .    .    .    .    .    .    .
                 subscribe_live D    .    .    .    .    .    .    .
                   read_control P    A    A    A    A    A    A    A
                manage_missions P    .    .    .    .    .    .    .
                   read_control M    A    A    A    A    A    A    .
                manage_missions M    .    .    .    .    .    .    .
                    cut_release M    .    .    A    .    A    .    .
                approve_release D    .    .    .    .    .    .    .
                        promote D    .    .    .    .    .    .    .
              manage_deployment D    .    .    .    .    .    .    .
                   read_secrets D    .    .    .    .    .    .    .
                 manage_secrets D    .    .    .    .    .    .    .
                 export_archive D    .    .    .    .    .    .    .
                       backfill D    .    .    .    .    .    .    .
                 manage_members D    .    .    .    .    .    .    .
            administer_platform P    .    .    .    .    .    .    ."#]],
    );
}
