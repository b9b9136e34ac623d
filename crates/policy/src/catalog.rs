//! The actions the policies know, and what each is asked about: the one list the
//! authorization matrix is generated from. The API's route table must ask exactly
//! `ROUTE_ACTIONS` (the lead's test in `api` compares them).

use crate::ResourceKind::{self, Deployment, Mission, Platform};

/// Every action of the schema, in the API's order, then the actions with no route yet.
pub const ACTIONS: [&str; 25] = [
    "read_platform",
    "read_metrics",
    "sign_in",
    "manage_tokens",
    "read_status",
    "read_telemetry",
    "read_archive",
    "export_archive",
    "subscribe_live",
    "replay",
    "backfill",
    "acknowledge_alarm",
    "read_commands",
    "send_command",
    "approve_command",
    "read_control",
    "manage_missions",
    "cut_release",
    "approve_release",
    "promote",
    "manage_deployment",
    "manage_secrets",
    "read_secrets",
    "manage_members",
    "administer_platform",
];

/// The (action, resource kind) pairs of the API's route table, each once.
pub const ROUTE_ACTIONS: [(&str, ResourceKind); 23] = [
    ("read_platform", Platform),
    ("read_metrics", Platform),
    ("sign_in", Platform),
    ("manage_tokens", Platform),
    ("read_status", Deployment),
    ("read_telemetry", Deployment),
    ("read_archive", Deployment),
    ("acknowledge_alarm", Deployment),
    ("read_commands", Deployment),
    ("send_command", Deployment),
    ("approve_command", Deployment),
    ("replay", Deployment),
    ("subscribe_live", Deployment),
    ("read_control", Platform),
    ("manage_missions", Platform),
    ("read_control", Mission),
    ("manage_missions", Mission),
    ("cut_release", Mission),
    ("approve_release", Deployment),
    ("promote", Deployment),
    ("manage_deployment", Deployment),
    ("read_secrets", Deployment),
    ("manage_secrets", Deployment),
];

/// Actions a route asks for on top of its own (`granted.escalate` in the API's handlers).
pub const ESCALATIONS: [(&str, ResourceKind); 2] = [("export_archive", Deployment), ("backfill", Deployment)];

/// Actions of the issue with no route yet (members, platform administration).
pub const UNROUTED_ACTIONS: [(&str, ResourceKind); 2] =
    [("manage_members", Deployment), ("administer_platform", Platform)];

/// Every (action, resource kind) pair the platform asks about: routes, escalations, unrouted.
pub fn requests() -> impl Iterator<Item = (&'static str, ResourceKind)> {
    ROUTE_ACTIONS.into_iter().chain(ESCALATIONS).chain(UNROUTED_ACTIONS)
}

/// Whether the schema knows the action.
pub fn is_action(action: &str) -> bool {
    ACTIONS.contains(&action)
}
