//! The authorization matrix through the real gate: every route of the API's table × every
//! role × a credential scoped to one environment or to all × own / other mission × each
//! environment, each request sent through the router (a 403 is a denial, anything else got
//! past the gate), against an expected table written here, independently of the policies.

use super::*;
use api::gate::{Gate, Role, ScopeGrant, TokenGrant, TokenIdentity};
use api::routes::ScopeKind;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base::{Env, MissionSlug, Scope};
use std::sync::Mutex;
use tower::ServiceExt;

const OWN: &str = "alpha";
const OTHER: &str = "beta";

/// What each role may do, as the issue states it (reads; operate = send commands, acknowledge
/// alarms, export, replay).
fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    let reads = matches!(action, ReadStatus | ReadTelemetry | ReadArchive | ReadCommands | SubscribeLive | ReadControl);
    let operate = reads || matches!(action, SendCommand | AcknowledgeAlarm | ExportArchive | Replay);
    match role {
        Role::Viewer => reads,
        Role::Operator => operate,
        Role::Engineer => operate || matches!(action, CutRelease | Backfill),
        Role::FlightDirector => operate || matches!(action, ApproveCommand | ApproveRelease | Promote),
        Role::MissionAdmin => reads || matches!(action, ManageDeployment | CutRelease),
        Role::SecurityOfficer => reads || matches!(action, ApproveRelease | ManageSecrets | ReadSecrets),
        Role::PlatformAdmin => matches!(action, ManageMissions | ReadMetrics | ReadControl),
    }
}

/// One credential of the matrix: a role in `alpha` in one environment (or everywhere for the
/// platform admin), usable in that environment only, or in all.
#[derive(Clone, Debug)]
struct Credential {
    role: Role,
    grant_env: Option<Env>,
    scoped: bool,
    secret: String,
}

fn credentials() -> Vec<Credential> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let envs: Vec<Option<Env>> =
            if role == Role::PlatformAdmin { vec![None] } else { Env::ALL.into_iter().map(Some).collect() };
        for grant_env in envs {
            for scoped in [true, false] {
                let secret = format!("token-{role}-{grant_env:?}-{scoped}-0123456789");
                out.push(Credential { role, grant_env, scoped, secret });
            }
        }
    }
    out
}

impl Credential {
    fn token(&self) -> TokenGrant {
        let (mission, env) = match self.role {
            Role::PlatformAdmin => (None, None),
            _ => (Some(OWN.parse().unwrap()), self.grant_env),
        };
        let scope = if self.scoped { ScopeGrant { mission: mission.clone(), env } } else { "*".parse().unwrap() };
        TokenGrant {
            name: self.secret.replace("-0123456789", ""),
            token: self.secret.clone(),
            scopes: vec![scope],
            grants: vec![Grant { mission, env, role: self.role }],
        }
    }

    /// The expected decision, from the rules of the issue.
    fn expected(&self, action: Action, resource: &Resource) -> bool {
        let may = role_may(self.role, action);
        let admin = self.role == Role::PlatformAdmin;
        match resource {
            Resource::Platform => match action {
                Action::ReadPlatform | Action::SignIn => true,
                // Only people manage tokens: every credential here is a token.
                Action::ManageTokens => false,
                // Anyone holding a role somewhere reads the mission list.
                Action::ReadControl => true,
                _ => admin && may,
            },
            Resource::Mission(mission) => {
                let own = mission.as_str() == OWN;
                if admin {
                    may && matches!(action, Action::ReadControl | Action::ManageMissions)
                } else {
                    own && may && action != Action::ManageMissions
                }
            }
            Resource::Deployment(scope) => {
                let own = scope.mission.as_str() == OWN;
                let in_env = self.grant_env == Some(scope.env);
                // An approval in OPS needs a command sent by someone else, waiting: none here.
                let ops_approval = action == Action::ApproveCommand && scope.env == Env::Ops;
                !admin && own && in_env && may && !ops_approval
            }
        }
    }
}

fn path_of(template: &str, mission: &str, env: Env) -> String {
    template
        .replace("{mission}", mission)
        .replace("{env}", env.as_str())
        .replace("{id}", "1")
        .replace("{name}", "gs-key")
        .replace("{release}", "abc123")
        .replace("{other}", "def456")
}

fn resource_of(kind: ScopeKind, mission: &str, env: Env) -> Resource {
    let mission: MissionSlug = mission.parse().unwrap();
    match kind {
        ScopeKind::Platform => Resource::Platform,
        ScopeKind::Mission => Resource::Mission(mission),
        ScopeKind::Environment | ScopeKind::Deployment => Resource::Deployment(Scope { mission, env }),
    }
}

/// Records what the gate sends to the audit chain.
#[derive(Default)]
struct Recorded(Mutex<Vec<DecisionRecord>>);

impl AuditSink for Recorded {
    fn record(&self, record: &DecisionRecord) -> Result<(), String> {
        self.0.lock().unwrap().push(record.clone());
        Ok(())
    }

    fn outcome(&self, _outcome: &api::gate::OutcomeRecord) -> Result<(), String> {
        Ok(())
    }
}

fn gate(credentials: &[Credential], audit: Arc<Recorded>) -> Gate {
    let members: Members = Arc::new(|_: &str| Vec::new());
    let authorizer = CedarAuthorizer::new(members, false).unwrap();
    let identity = TokenIdentity::new(credentials.iter().map(Credential::token).collect());
    Gate::new(identity, authorizer).audited(audit)
}

#[test]
fn every_route_every_role_own_and_other_mission_every_env_through_the_gate() {
    let credentials = credentials();
    let audit = Arc::new(Recorded::default());
    let gate = gate(&credentials, audit.clone());
    let platform: Arc<dyn api::Backend> = Arc::new(deployment::Platform::new(Vec::new()));
    let router = api::router(platform, gate.clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let table = api::routes::table();
    let (mut requests, mut allowed, mut wrong) = (0usize, 0usize, Vec::new());
    let (mut cross_mission, mut into_ops) = (0usize, 0usize);
    runtime.block_on(async {
        for route in &table {
            let targets: Vec<(&str, Env)> = match route.scope {
                ScopeKind::Platform => vec![(OWN, Env::Dev)],
                ScopeKind::Mission => vec![(OWN, Env::Dev), (OTHER, Env::Dev)],
                _ => [OWN, OTHER].into_iter().flat_map(|m| Env::ALL.map(|env| (m, env))).collect(),
            };
            for (mission, env) in targets {
                let resource = resource_of(route.scope, mission, env);
                for credential in &credentials {
                    let request = Request::builder()
                        .method(route.method.clone())
                        .uri(path_of(route.path, mission, env))
                        .header("authorization", format!("Bearer {}", credential.secret))
                        .header("content-type", "application/json")
                        .body(Body::from("{}"))
                        .unwrap();
                    let status = router.clone().oneshot(request).await.unwrap().status();
                    let allow = status != StatusCode::FORBIDDEN;
                    requests += 1;
                    allowed += usize::from(allow);
                    if allow != credential.expected(route.action, &resource) {
                        wrong.push(format!(
                            "{} {} as {:?}: {status}, expected {}",
                            route.method,
                            path_of(route.path, mission, env),
                            credential,
                            if allow { "a denial" } else { "past the gate" }
                        ));
                    }
                    if allow && resource.to_string().contains(OTHER) && credential.role != Role::PlatformAdmin {
                        cross_mission += 1;
                    }
                    let grant_not_ops = credential.grant_env.is_some_and(|grant| grant != Env::Ops);
                    if allow && matches!(&resource, Resource::Deployment(s) if s.env == Env::Ops) && grant_not_ops {
                        into_ops += 1;
                    }
                }
            }
        }
    });
    assert!(wrong.is_empty(), "{} of {requests} decisions differ from the table:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!((cross_mission, into_ops), (0, 0), "cross-mission and DEV/AIV→OPS allows");
    // The matrix is not vacuous: some of each.
    assert!(allowed > 1000 && requests - allowed > 5000, "{allowed} allowed of {requests}");
    eprintln!("{requests} requests through the gate, {allowed} allowed, 0 cross-mission, 0 DEV/AIV→OPS");
    // Every denial and every allowed change reached the audit sink; allowed reads did not.
    let records = audit.0.lock().unwrap();
    let denials = records.iter().filter(|record| !record.allow).count();
    assert_eq!(denials, requests - allowed);
    assert!(records.iter().all(|record| !record.allow || !record.action.is_read()));
}

/// Escalations (CSV export, backfill) are asked by handlers once the route passed: the same
/// table, through the gate's decision.
#[test]
fn escalations_follow_the_table() {
    let credentials = credentials();
    let gate = gate(&credentials, Arc::new(Recorded::default()));
    for action in [Action::ExportArchive, Action::Backfill] {
        for credential in &credentials {
            let principal = credential.token().principal();
            for mission in [OWN, OTHER] {
                for env in Env::ALL {
                    let resource = resource_of(ScopeKind::Deployment, mission, env);
                    let decision = gate.decide("r", &principal, action, &resource);
                    assert_eq!(
                        decision.allow,
                        credential.expected(action, &resource),
                        "{action:?} {resource} {credential:?}"
                    );
                }
            }
        }
    }
}

/// The API's route table asks exactly the (action, resource kind) pairs the policy catalog
/// lists, so the policy's own matrix covers every route.
#[test]
fn the_route_table_asks_what_the_catalog_lists() {
    let kind = |scope: ScopeKind| match scope {
        ScopeKind::Platform => policy::ResourceKind::Platform,
        ScopeKind::Mission => policy::ResourceKind::Mission,
        ScopeKind::Environment | ScopeKind::Deployment => policy::ResourceKind::Deployment,
    };
    let mut routes: Vec<(&str, policy::ResourceKind)> =
        api::routes::table().iter().map(|route| (route.action.as_str(), kind(route.scope))).collect();
    routes.sort();
    routes.dedup();
    let mut catalog = policy::catalog::ROUTE_ACTIONS.to_vec();
    catalog.sort();
    assert_eq!(routes, catalog);
}

/// Approving a command in OPS: refused for its sender and for a command no longer waiting,
/// allowed for a flight director other than the sender while it waits.
#[test]
fn an_ops_approval_needs_another_principal_and_a_waiting_command() {
    let authorizer = CedarAuthorizer::new(Arc::new(|_: &str| Vec::new()), false).unwrap();
    let director = Principal {
        grants: vec!["alpha/ops/flight-director".parse().unwrap()],
        ..Principal::named("dora", PrincipalKind::User)
    };
    let ops = resource_of(ScopeKind::Deployment, OWN, Env::Ops);
    let ask = |context: Context| {
        api::gate::Authorizer::authorize(&authorizer, &director, Action::ApproveCommand, &ops, &context)
    };
    let fresh = Context { distinct_approvers: 1, approval_fresh: true, approver_is_sender: false };
    assert!(ask(fresh).allow);
    let own = ask(Context { distinct_approvers: 0, approver_is_sender: true, ..fresh });
    assert!(!own.allow && own.policy.contains("ops-approval-needs-a-second-principal"), "{own:?}");
    let stale = ask(Context { approval_fresh: false, ..fresh });
    assert!(!stale.allow, "{stale:?}");
}

/// Members of a mission hold its roles without any grant in their credential; a credential
/// scoped to DEV keeps a member's OPS role out of OPS.
#[test]
fn members_hold_their_missions_roles_within_their_credentials_scope() {
    let members: Members = Arc::new(|id: &str| match id {
        "fd" => vec!["alpha/ops/flight-director".parse().unwrap()],
        _ => Vec::new(),
    });
    let authorizer = CedarAuthorizer::new(members, false).unwrap();
    let ops = resource_of(ScopeKind::Deployment, OWN, Env::Ops);
    let ask = |principal: &Principal| {
        api::gate::Authorizer::authorize(&authorizer, principal, Action::Promote, &ops, &Context::default()).allow
    };
    assert!(ask(&Principal::named("fd", PrincipalKind::User)));
    assert!(!ask(&Principal::named("stranger", PrincipalKind::User)));
    let dev_only = Principal { envs: Some(vec![Env::Dev]), ..Principal::named("fd", PrincipalKind::Token) };
    assert!(!ask(&dev_only));
}

#[test]
fn anonymous_principals_read_an_open_platform_and_change_nothing() {
    for open in [false, true] {
        let authorizer = CedarAuthorizer::new(Arc::new(|_: &str| Vec::new()), open).unwrap();
        let ask = |action, resource: &Resource| {
            api::gate::Authorizer::authorize(
                &authorizer,
                &Principal::anonymous(),
                action,
                resource,
                &Context::default(),
            )
            .allow
        };
        let ops = resource_of(ScopeKind::Deployment, OWN, Env::Ops);
        assert!(ask(Action::ReadPlatform, &Resource::Platform));
        assert_eq!(ask(Action::ReadTelemetry, &ops), open);
        for action in
            [Action::SendCommand, Action::Promote, Action::ManageSecrets, Action::ReadSecrets, Action::Backfill]
        {
            assert!(!ask(action, &ops), "{action:?}");
        }
        assert!(!ask(Action::ManageMissions, &Resource::Platform));
    }
}
