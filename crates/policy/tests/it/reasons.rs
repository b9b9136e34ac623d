//! What a decision says: the policy that decided, and why, in words.

use super::{deployment, grant, no_context, platform, slug, token, user, OTHER, OWN};
use base::Env::{Dev, Ops};
use expect_test::{expect, Expect};
use policy::{catalog, Grant, Principal, PrincipalKind, Resource, Role, DEFAULT_DENY, NOT_APPLICABLE, UNKNOWN_ACTION};

#[track_caller]
fn check(principal: Principal, action: &str, resource: Resource, expect: Expect) {
    let decision = platform().decide(&principal, action, &resource, &no_context());
    let verdict = if decision.allow { "allow" } else { "deny" };
    expect.assert_eq(&format!("{verdict} [{}]\n{}", decision.policies.join(", "), decision.reason));
}

fn operator_in(env: base::Env) -> Principal {
    user("ada", vec![grant(Some(OWN), Some(env), Role::Operator)])
}

#[test]
fn an_allow_names_the_permit() {
    check(
        operator_in(Ops),
        "send_command",
        deployment(OWN, Ops),
        expect![[r#"
        allow [operators-operate]
        send_command on deployment sentinel-x/ops for user ada: permitted by operators-operate"#]],
    );
    let workload = Principal { kind: PrincipalKind::Workload, ..operator_in(Ops) };
    check(
        workload,
        "acknowledge_alarm",
        deployment(OWN, Ops),
        expect![[r#"
        allow [operators-operate]
        acknowledge_alarm on deployment sentinel-x/ops for workload ada: permitted by operators-operate"#]],
    );
}

#[test]
fn a_denial_by_default_says_nothing_permits() {
    let viewer = user("vic", vec![grant(Some(OWN), Some(Ops), Role::Viewer)]);
    check(
        viewer,
        "send_command",
        deployment(OWN, Ops),
        expect![[r#"
        deny [default-deny]
        no policy permits send_command on deployment sentinel-x/ops for user vic"#]],
    );
}

#[test]
fn a_denial_by_a_forbid_names_it_and_says_why() {
    check(
        operator_in(Dev),
        "send_command",
        deployment(OWN, Ops),
        expect![[r#"
        deny [no-dev-or-aiv-grant-acts-in-ops]
        send_command on deployment sentinel-x/ops for user ada: forbidden by no-dev-or-aiv-grant-acts-in-ops: the principal holds no OPS grant on this mission; DEV and AIV grants never act in OPS"#]],
    );
    check(
        operator_in(Ops),
        "read_status",
        deployment(OTHER, Dev),
        expect![[r#"
        deny [no-access-across-missions]
        read_status on deployment bogussat-1/dev for user ada: forbidden by no-access-across-missions: the principal holds no grant on this mission"#]],
    );
    let dev_token = token("ci", vec![grant(Some(OWN), Some(Ops), Role::Operator)], &[Dev]);
    check(
        dev_token,
        "read_status",
        deployment(OWN, Ops),
        expect![[r#"
        deny [credentials-act-only-in-their-envs]
        read_status on deployment sentinel-x/ops for token ci: forbidden by credentials-act-only-in-their-envs: the credential is scoped to other environments"#]],
    );
    let admin = user("root", vec![grant(None, None, Role::PlatformAdmin)]);
    let mission_admin = user("mia", vec![grant(Some(OWN), None, Role::MissionAdmin)]);
    check(
        mission_admin,
        "manage_missions",
        Resource::Mission(slug(OWN)),
        expect![[r#"
        deny [missions-are-managed-by-platform-admins]
        manage_missions on mission sentinel-x for user mia: forbidden by missions-are-managed-by-platform-admins: only a platform admin creates, archives or deletes missions"#]],
    );
    let admin_dev_token = token("ops-bot", vec![grant(None, None, Role::PlatformAdmin)], &[Dev]);
    check(
        admin_dev_token,
        "administer_platform",
        Resource::Platform,
        expect![[r#"
        deny [platform-changes-need-an-ops-scope]
        administer_platform on platform for token ops-bot: forbidden by platform-changes-need-an-ops-scope: the credential is not scoped to OPS, and this action changes OPS too"#]],
    );
    check(
        admin,
        "manage_missions",
        Resource::Mission(slug(OTHER)),
        expect![[r#"
        allow [platform-admins-administer]
        manage_missions on mission bogussat-1 for user root: permitted by platform-admins-administer"#]],
    );
}

#[test]
fn a_platform_admin_does_not_command() {
    let admin = user("root", vec![grant(None, None, Role::PlatformAdmin)]);
    check(
        admin,
        "send_command",
        deployment(OWN, Ops),
        expect![[r#"
            deny [no-access-across-missions, no-dev-or-aiv-grant-acts-in-ops]
            send_command on deployment sentinel-x/ops for user root: forbidden by no-access-across-missions: the principal holds no grant on this mission; forbidden by no-dev-or-aiv-grant-acts-in-ops: the principal holds no OPS grant on this mission; DEV and AIV grants never act in OPS"#]],
    );
}

#[test]
fn unknown_and_inapplicable_actions_are_denied() {
    let decision = platform().decide(&operator_in(Ops), "launch_missiles", &deployment(OWN, Ops), &no_context());
    assert_eq!((decision.allow, decision.policies), (false, vec![UNKNOWN_ACTION.to_string()]));
    check(
        operator_in(Ops),
        "launch_missiles",
        deployment(OWN, Ops),
        expect![[r#"
        deny [unknown-action]
        unknown action `launch_missiles` (asked on deployment sentinel-x/ops for user ada)"#]],
    );
    let decision = platform().decide(&operator_in(Ops), "send_command", &Resource::Platform, &no_context());
    assert_eq!((decision.allow, decision.policies), (false, vec![NOT_APPLICABLE.to_string()]));
    check(
        operator_in(Ops),
        "cut_release",
        deployment(OWN, Ops),
        expect![[r#"
        deny [not-applicable]
        cut_release on deployment sentinel-x/ops for user ada: not applicable: resource type `Deployment` is not valid for `Action::"cut_release"`"#]],
    );
    let nobody = user("anonymous", vec![]);
    check(
        nobody.clone(),
        "read_platform",
        Resource::Platform,
        expect![[r#"
        allow [platform-reads-are-public]
        read_platform on platform for user anonymous: permitted by platform-reads-are-public"#]],
    );
    check(
        nobody,
        "read_control",
        Resource::Platform,
        expect![[r#"
        deny [default-deny]
        no policy permits read_control on platform for user anonymous"#]],
    );
    assert_eq!(DEFAULT_DENY, "default-deny");
}

#[test]
fn roles_and_grants_by_name() {
    for role in Role::ALL {
        assert_eq!(role.as_str().parse::<Role>(), Ok(role));
    }
    assert!("pilot".parse::<Role>().is_err());
    let grants = [
        grant(Some(OWN), Some(Ops), Role::FlightDirector),
        grant(None, Some(Dev), Role::Operator),
        grant(None, None, Role::PlatformAdmin),
    ];
    let names: Vec<String> = grants.iter().map(Grant::to_string).collect();
    expect![[r#"
        [
            "sentinel-x/ops/flight-director",
            "*/dev/operator",
            "*/*/platform-admin",
        ]
    "#]]
    .assert_debug_eq(&names);
}

#[test]
fn the_platform_policies() {
    expect![[r#"
        [
            "credentials-act-only-in-their-envs",
            "engineers-cut-releases-and-backfill",
            "flight-directors-approve-and-promote",
            "members-read-the-mission-list",
            "mission-admins-manage-deployments-and-members",
            "missions-are-managed-by-platform-admins",
            "no-access-across-missions",
            "no-dev-or-aiv-grant-acts-in-ops",
            "operators-operate",
            "ops-approval-needs-a-second-principal",
            "people-manage-their-own-tokens",
            "platform-admins-administer",
            "platform-changes-need-an-ops-scope",
            "platform-reads-are-public",
            "security-officers-manage-secrets",
            "signing-in-is-public",
            "viewers-read",
        ]
    "#]]
    .assert_debug_eq(&platform().policy_ids());
}

/// The catalog is the schema's list of actions, and every action is asked about.
#[test]
fn catalog_matches_the_schema() {
    let (schema, _) = cedar_policy::Schema::from_cedarschema_str(policy::SCHEMA).unwrap();
    let groups = ["reads", "operate"];
    let mut in_schema: Vec<String> = schema
        .actions()
        .map(|uid| uid.id().unescaped().to_string())
        .filter(|id| !groups.contains(&id.as_str()))
        .collect();
    let mut in_catalog: Vec<String> = catalog::ACTIONS.iter().map(ToString::to_string).collect();
    in_schema.sort();
    in_catalog.sort();
    assert_eq!(in_schema, in_catalog);
    let mut asked: Vec<&str> = catalog::requests().map(|(action, _)| action).collect();
    asked.sort();
    asked.dedup();
    assert_eq!(asked.len(), catalog::ACTIONS.len());
}

/// The API shares one authorizer between request tasks.
#[test]
fn the_authorizer_is_shared_across_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    shared(platform());
}
