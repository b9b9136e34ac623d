//! The scoped policy's decisions, as tables: who may do what on the platform, a mission, and
//! one environment of it.

use super::*;
use crate::gate::{Action, Authorizer, Principal, PrincipalKind, Resource, ScopedPolicy};
use expect_test::expect;

/// The principals of the columns: (column heading, principal, whether the platform is open).
fn principals() -> Vec<(&'static str, Principal, bool)> {
    let token = |id: &str| Principal::named(id, PrincipalKind::Token);
    vec![
        ("anon-open", Principal::anonymous(), true),
        ("anon-shut", Principal::anonymous(), false),
        ("m/*", token("sentinel-ops"), false),
        ("m/dev", token("sentinel-dev"), false),
        ("*", token("admin"), false),
        ("other", token("bogus-dev"), false),
    ]
}

fn resource(text: &str) -> Resource {
    match text.split_once(' ') {
        None => Resource::Platform,
        Some(("mission", mission)) => Resource::Mission(mission.parse().expect("a slug")),
        Some((_, scope)) => {
            let (mission, env) = scope.split_once('/').expect("mission/env");
            Resource::Deployment(base::Scope {
                mission: mission.parse().expect("a slug"),
                env: env.parse().expect("env"),
            })
        }
    }
}

#[test]
fn decisions_by_principal() {
    use Action::*;
    let rows = [
        ("platform", vec![ReadPlatform, ReadMetrics, ReadControl, ManageMissions, CutRelease, Promote]),
        ("mission sentinel-x", vec![ReadControl, ManageMissions, CutRelease, ApproveRelease, Promote, ReadStatus]),
        (
            "deployment sentinel-x/dev",
            vec![ReadStatus, SendCommand, ReadControl, ApproveRelease, Promote, ManageDeployment],
        ),
        ("deployment sentinel-x/aiv", vec![ReadControl, ApproveRelease, Promote, ManageDeployment]),
    ];
    let principals = principals();
    let mut table = format!("{:<44}", "");
    for (heading, _, _) in &principals {
        table.push_str(&format!(" {heading:>9}"));
    }
    for (resource_text, actions) in rows {
        for action in actions {
            table.push_str(&format!("\n{:<26} {:<17}", resource_text, action.as_str()));
            for (_, principal, open) in &principals {
                let policy = ScopedPolicy::new(&tokens(), *open);
                let allow = policy.authorize(principal, action, &resource(resource_text), &Default::default()).allow;
                table.push_str(&format!(" {:>9}", if allow { "allow" } else { "-" }));
            }
        }
    }
    expect![[r#"
                                                     anon-open anon-shut       m/*     m/dev         *     other
        platform                   read_platform         allow     allow     allow     allow     allow     allow
        platform                   read_metrics          allow         -     allow     allow     allow     allow
        platform                   read_control          allow         -     allow     allow     allow     allow
        platform                   manage_missions           -         -         -         -     allow         -
        platform                   cut_release               -         -         -         -         -         -
        platform                   promote                   -         -         -         -         -         -
        mission sentinel-x         read_control          allow         -     allow     allow     allow         -
        mission sentinel-x         manage_missions           -         -     allow         -     allow         -
        mission sentinel-x         cut_release               -         -     allow         -     allow         -
        mission sentinel-x         approve_release           -         -         -         -         -         -
        mission sentinel-x         promote                   -         -         -         -         -         -
        mission sentinel-x         read_status               -         -         -         -         -         -
        deployment sentinel-x/dev  read_status           allow         -     allow     allow     allow         -
        deployment sentinel-x/dev  send_command              -         -     allow     allow     allow         -
        deployment sentinel-x/dev  read_control          allow         -     allow     allow     allow         -
        deployment sentinel-x/dev  approve_release           -         -     allow     allow     allow         -
        deployment sentinel-x/dev  promote                   -         -     allow     allow     allow         -
        deployment sentinel-x/dev  manage_deployment         -         -     allow     allow     allow         -
        deployment sentinel-x/aiv  read_control          allow         -     allow         -     allow         -
        deployment sentinel-x/aiv  approve_release           -         -     allow         -     allow         -
        deployment sentinel-x/aiv  promote                   -         -     allow         -     allow         -
        deployment sentinel-x/aiv  manage_deployment         -         -     allow         -     allow         -"#]]
    .assert_eq(&table);
}

#[test]
fn decisions_give_their_reasons() {
    let cases = [
        (3, Action::ManageMissions, "platform"),
        (4, Action::ManageMissions, "platform"),
        (1, Action::ReadControl, "platform"),
        (0, Action::ReadControl, "mission sentinel-x"),
        (1, Action::ReadControl, "mission sentinel-x"),
        (3, Action::ReadControl, "mission sentinel-x"),
        (5, Action::ReadControl, "mission sentinel-x"),
        (3, Action::CutRelease, "mission sentinel-x"),
        (2, Action::CutRelease, "mission sentinel-x"),
        (2, Action::Promote, "mission sentinel-x"),
        (0, Action::Promote, "deployment sentinel-x/aiv"),
        (3, Action::Promote, "deployment sentinel-x/aiv"),
    ];
    let principals = principals();
    let lines: Vec<String> = cases
        .iter()
        .map(|(who, action, resource_text)| {
            let (heading, principal, open) = &principals[*who];
            let decision = ScopedPolicy::new(&tokens(), *open).authorize(
                principal,
                *action,
                &resource(resource_text),
                &Default::default(),
            );
            format!("{heading} {} {resource_text}: {} ({})", action.as_str(), decision.allow, decision.reason)
        })
        .collect();
    expect![[r#"
        m/dev manage_missions platform: false (token sentinel-dev is not granted every mission (`*`))
        * manage_missions platform: true (token admin is granted every mission)
        anon-shut read_control platform: false (read_control on the platform needs a token)
        anon-open read_control mission sentinel-x: true (the platform is open for anonymous reads)
        anon-shut read_control mission sentinel-x: false (read_control on mission sentinel-x needs a token)
        m/dev read_control mission sentinel-x: true (token sentinel-dev is granted mission sentinel-x)
        other read_control mission sentinel-x: false (token bogus-dev has no grant for mission sentinel-x)
        m/dev cut_release mission sentinel-x: false (token sentinel-dev is not granted every environment of sentinel-x (sentinel-x/*))
        m/* cut_release mission sentinel-x: true (token sentinel-ops is granted every environment of sentinel-x)
        m/* promote mission sentinel-x: false (promote on mission sentinel-x is not allowed)
        anon-open promote deployment sentinel-x/aiv: false (promote on sentinel-x/aiv needs a token)
        m/dev promote deployment sentinel-x/aiv: false (token sentinel-dev has no grant for sentinel-x/aiv)"#]].assert_eq(&lines.join("\n"));
}
