//! Authorization with Cedar, without I/O (issue 7): the platform's schema and policies, roles
//! per mission and environment, and one decision function that names the policy that decided.
//!
//! The schema (`policies/schema.cedarschema`) and the platform's policies
//! (`policies/platform.cedar`) are embedded, parsed and validated by `Authorizer::new`. A
//! mission's own policies come with its release (`Authorizer::with_mission_policies`): validated
//! against the same schema, and accepted only when each policy's scope keeps it inside the
//! mission (`resource in Mission::"m"`, or one of its deployments). Anything not permitted is
//! denied (`default-deny`); a forbid beats every permit, a mission's included; a forbid that
//! fails to evaluate denies.
//!
//! What each role may do is written in `platform.cedar`, one permit per role. Scoping is the
//! policies' to enforce: a principal is `in` the role groups of its grants
//! (`sentinel-x/ops/operator`), the deployments and missions they reach and the platform; a
//! resource names its own role groups (`resource.roles.operator`) and its mission. This crate
//! only computes those names from the grants: a wildcard grant (`*/ops/operator`) is expanded
//! to the mission asked about, the only one that matters to the request. The forbids
//! `no-access-across-missions`, `no-dev-or-aiv-grant-acts-in-ops`,
//! `credentials-act-only-in-their-envs` (token scopes) and `platform-changes-need-an-ops-scope`
//! hold whatever a permit says.
//!
//! The platform admin is a platform role: granted for every mission and environment
//! (`*/*/platform-admin`), it manages missions, administers the platform and reads metrics and
//! the control plane; granted for less, it does nothing. It is never implicitly an operator of
//! every mission: commanding a spacecraft in OPS is for that mission's flight team, so an admin
//! who flies a mission holds that mission's role as well, and a stolen admin credential cannot
//! command.
//!
//! Approving a command in OPS needs `context.distinct_approvers >= 1`, a fresh approval, and an
//! approver other than the sender (`ops-approval-needs-a-second-principal`); the permit checks
//! the approver's role. The caller counts the distinct approvers whose approval names the
//! command's digest and checks the validity window: Cedar cannot count, and this crate must
//! never read the clock, do I/O or keep state between decisions.

mod authorizer;
pub mod catalog;
mod entities;
mod error;
mod load;
mod model;

pub use authorizer::{
    Authorizer, DEFAULT_DENY, NOT_APPLICABLE, PLATFORM_FILE, PLATFORM_POLICIES, SCHEMA, SCHEMA_FILE, UNKNOWN_ACTION,
};
pub use error::{PolicyError, Problem};
pub use model::{
    Context, Decision, Grant, GrantError, Principal, PrincipalKind, Resource, ResourceKind, Role, RoleError,
};
