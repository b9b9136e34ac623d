//! A mission's own policies: validated against the schema, constrained to the mission, and
//! unable to lift the platform's forbids.

use super::{deployment, grant, no_context, platform, slug, user, OTHER, OWN};
use base::Env::{Dev, Ops};
use expect_test::{expect, Expect};
use policy::{Authorizer, Context, Principal, Resource, Role};

/// A mission that freezes commanding in OPS, and lets its OPS viewers acknowledge alarms.
const SENTINEL_POLICIES: &str = r#"
@id("ops-command-freeze")
@reason("sentinel-x is in a commanding freeze in OPS")
forbid (principal, action == Action::"send_command", resource is Deployment in Mission::"sentinel-x")
when { resource.env == "ops" };

@id("viewers-acknowledge")
permit (principal, action == Action::"acknowledge_alarm", resource is Deployment in Mission::"sentinel-x")
when { principal in resource.roles.viewer };
"#;

/// A careless mission that permits everything on itself.
const CARELESS_POLICIES: &str = r#"
@id("anything-goes")
permit (principal, action, resource in Mission::"sentinel-x");
"#;

fn with(text: &str) -> Authorizer {
    match platform().with_mission_policies(&slug(OWN), text) {
        Ok(authorizer) => authorizer,
        Err(error) => panic!("rejected:\n{error}"),
    }
}

#[track_caller]
fn check_decision(authorizer: &Authorizer, principal: &Principal, action: &str, resource: Resource, expect: Expect) {
    let decision = authorizer.decide(principal, action, &resource, &no_context());
    let verdict = if decision.allow { "allow" } else { "deny" };
    expect.assert_eq(&format!("{verdict} [{}]", decision.policies.join(", ")));
}

#[test]
fn a_mission_adds_forbids_and_permits_to_itself_only() {
    let authorizer = with(SENTINEL_POLICIES);
    let operator = user("ada", vec![grant(None, Some(Ops), Role::Operator)]);
    let viewer = user("vic", vec![grant(None, Some(Ops), Role::Viewer)]);
    check_decision(
        &authorizer,
        &operator,
        "send_command",
        deployment(OWN, Ops),
        expect!["deny [sentinel-x/ops-command-freeze]"],
    );
    check_decision(
        &authorizer,
        &operator,
        "send_command",
        deployment(OTHER, Ops),
        expect!["allow [operators-operate]"],
    );
    check_decision(
        &authorizer,
        &viewer,
        "acknowledge_alarm",
        deployment(OWN, Ops),
        expect!["allow [sentinel-x/viewers-acknowledge]"],
    );
    check_decision(&authorizer, &viewer, "acknowledge_alarm", deployment(OTHER, Ops), expect!["deny [default-deny]"]);
    let decision = authorizer.decide(&operator, "send_command", &deployment(OWN, Ops), &no_context());
    expect!["send_command on deployment sentinel-x/ops for user ada: forbidden by sentinel-x/ops-command-freeze: sentinel-x is in a commanding freeze in OPS"].assert_eq(&decision.reason);
}

#[test]
fn a_mission_cannot_lift_the_platform_forbids() {
    let authorizer = with(CARELESS_POLICIES);
    let outsider = user("eve", vec![grant(Some(OTHER), None, Role::FlightDirector)]);
    let dev_viewer = user("dan", vec![grant(Some(OWN), Some(Dev), Role::Viewer)]);
    let ops_viewer = user("vic", vec![grant(Some(OWN), Some(Ops), Role::Viewer)]);
    let admin = user("root", vec![grant(None, None, Role::PlatformAdmin)]);
    check_decision(
        &authorizer,
        &admin,
        "send_command",
        deployment(OWN, Ops),
        expect!["deny [no-access-across-missions, no-dev-or-aiv-grant-acts-in-ops]"],
    );
    check_decision(
        &authorizer,
        &outsider,
        "read_status",
        deployment(OWN, Dev),
        expect!["deny [no-access-across-missions]"],
    );
    check_decision(
        &authorizer,
        &dev_viewer,
        "send_command",
        deployment(OWN, Ops),
        expect!["deny [no-dev-or-aiv-grant-acts-in-ops]"],
    );
    check_decision(
        &authorizer,
        &dev_viewer,
        "send_command",
        deployment(OWN, Dev),
        expect!["allow [sentinel-x/anything-goes]"],
    );
    check_decision(
        &authorizer,
        &ops_viewer,
        "manage_missions",
        Resource::Mission(slug(OWN)),
        expect!["deny [missions-are-managed-by-platform-admins]"],
    );
    check_decision(
        &authorizer,
        &ops_viewer,
        "approve_command",
        deployment(OWN, Ops),
        expect!["deny [ops-approval-needs-a-second-principal]"],
    );
}

#[test]
fn policies_of_a_mission_replace_its_previous_ones() {
    let authorizer = with(SENTINEL_POLICIES).with_mission_policies(&slug(OWN), CARELESS_POLICIES).unwrap();
    let authorizer = authorizer.with_mission_policies(&slug(OTHER), "").unwrap();
    let ids: Vec<String> = authorizer.policy_ids().into_iter().filter(|id| id.contains('/')).collect();
    expect![[r#"
        [
            "sentinel-x/anything-goes",
        ]
    "#]]
    .assert_debug_eq(&ids);
}

#[track_caller]
fn check_rejected(text: &str, expect: Expect) {
    match platform().with_mission_policies(&slug(OWN), text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => expect.assert_eq(&error.to_string()),
    }
}

#[test]
fn a_syntax_error_names_its_line() {
    check_rejected(
        r#"
@id("fine")
permit (principal, action, resource in Mission::"sentinel-x");

@id("broken")
permit (principal, action == Action::"send_command" resource in Mission::"sentinel-x");
"#,
        expect![[r#"
            policies do not parse:
              sentinel-x/policies.cedar:6:53: unexpected token `resource`"#]],
    );
}

#[test]
fn an_unknown_entity_type_fails_validation() {
    check_rejected(
        r#"
@id("plural")
permit (principal is Tokens, action, resource in Mission::"sentinel-x");
"#,
        expect![[r#"
            policies do not validate against the schema:
              sentinel-x/policies.cedar:2:1: for policy `sentinel-x/plural`, unable to find an applicable action given the policy scope constraints
              sentinel-x/policies.cedar:2:1: for policy `sentinel-x/plural`, policy is impossible: the policy expression evaluates to false for all valid requests
              sentinel-x/policies.cedar:3:22: for policy `sentinel-x/plural`, unrecognized entity type `Tokens` (help: did you mean `Token`?)"#]],
    );
    check_rejected(
        r#"
@id("typo")
forbid (principal, action == Action::"send_comand", resource in Mission::"sentinel-x");
"#,
        expect![[r#"
            policies do not validate against the schema:
              sentinel-x/policies.cedar:2:1: for policy `sentinel-x/typo`, unable to find an applicable action given the policy scope constraints
              sentinel-x/policies.cedar:2:1: for policy `sentinel-x/typo`, policy is impossible: the policy expression evaluates to false for all valid requests
              sentinel-x/policies.cedar:3:30: for policy `sentinel-x/typo`, unrecognized action `Action::"send_comand"` (help: did you mean `Action::"send_command"`?)"#]],
    );
}

#[test]
fn a_policy_not_constrained_to_its_mission_is_rejected() {
    check_rejected(
        r#"
@id("everywhere")
forbid (principal, action == Action::"send_command", resource);

@id("elsewhere")
permit (principal, action, resource in Mission::"bogussat-1");

// A condition is not a constraint: only the scope is trusted.
@id("by-condition")
permit (principal, action, resource is Deployment)
when { resource.mission == Mission::"sentinel-x" };

@id("its-deployment")
permit (principal, action == Action::"read_status", resource == Deployment::"sentinel-x/dev");

permit (principal, action, resource in Mission::"sentinel-x");

@id("its-deployment")
permit (principal, action, resource in Mission::"sentinel-x");

@id("template")
permit (principal == ?principal, action, resource in Mission::"sentinel-x");
"#,
        expect![[r#"
            policies rejected:
              sentinel-x/policies.cedar:3:1: policy `everywhere` is not constrained to mission sentinel-x: its scope must say `resource in Mission::"sentinel-x"` (or one of its deployments)
              sentinel-x/policies.cedar:6:1: policy `elsewhere` is not constrained to mission sentinel-x: its scope names Mission::"bogussat-1", not Mission::"sentinel-x" or one of its deployments
              sentinel-x/policies.cedar:10:1: policy `by-condition` is not constrained to mission sentinel-x: its scope must say `resource in Mission::"sentinel-x"` (or one of its deployments)
              sentinel-x/policies.cedar:16:1: a policy needs an @id("…") naming it
              sentinel-x/policies.cedar:19:1: @id("its-deployment") is empty or names another policy too
              sentinel-x/policies.cedar:22:1: templates are not allowed; write the policy out"#]],
    );
}

/// Cedar skips a policy that fails to evaluate; a forbid that fails denies all the same.
#[test]
fn a_failing_forbid_denies() {
    let authorizer = with(
        r#"
@id("overflowing-forbid")
forbid (principal, action == Action::"approve_command", resource is Deployment in Mission::"sentinel-x")
when { context.distinct_approvers * 9223372036854775807 > 1 };

@id("overflowing-permit")
permit (principal, action == Action::"acknowledge_alarm", resource is Deployment in Mission::"sentinel-x")
when { context.distinct_approvers * 9223372036854775807 > 1 };
"#,
    );
    let director = user("flo", vec![grant(Some(OWN), Some(Ops), Role::FlightDirector)]);
    let viewer = user("vic", vec![grant(Some(OWN), Some(Ops), Role::Viewer)]);
    let two = Context { distinct_approvers: 2, approval_fresh: true, approver_is_sender: false };
    let mut lines = Vec::new();
    for (principal, action) in [(&director, "approve_command"), (&viewer, "acknowledge_alarm")] {
        let decision = authorizer.decide(principal, action, &deployment(OWN, Ops), &two);
        lines.push(format!("{} [{}] {}", decision.allow, decision.policies.join(", "), decision.reason));
    }
    expect![[r#"
        false [sentinel-x/overflowing-forbid] approve_command on deployment sentinel-x/ops for user flo: a forbid failed: error while evaluating policy `sentinel-x/overflowing-forbid`: integer overflow while attempting to multiply the values `2` and `9223372036854775807`
        false [default-deny] no policy permits acknowledge_alarm on deployment sentinel-x/ops for user vic (permits skipped for errors: error while evaluating policy `sentinel-x/overflowing-permit`: integer overflow while attempting to multiply the values `2` and `9223372036854775807`)"#]].assert_eq(&lines.join("\n"));
}
