//! The words of a decision: roles, grants, principals, resources, the request's context and
//! the decision itself.

use base::{Env, MissionSlug, Scope};
use std::fmt;
use std::str::FromStr;

/// A role a principal holds in a mission and environment. What each role may do is written in
/// `policies/platform.cedar`, not here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads status, telemetry, archive, commands and the control plane.
    Viewer,
    /// A viewer who also sends commands, acknowledges alarms, exports and replays.
    Operator,
    /// An operator who also cuts releases and backfills.
    Engineer,
    /// An operator who also approves commands and releases, and promotes.
    FlightDirector,
    /// A viewer who also manages the deployment, its members, and cuts releases.
    MissionAdmin,
    /// A viewer who also approves releases and manages secrets.
    SecurityOfficer,
    /// Runs the platform; acts only when granted for every mission and environment.
    PlatformAdmin,
}

/// Why a text is not a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("role `{text}`: expected one of viewer, operator, engineer, flight-director, mission-admin, security-officer, platform-admin")]
    Unknown { text: String },
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::Viewer,
        Role::Operator,
        Role::Engineer,
        Role::FlightDirector,
        Role::MissionAdmin,
        Role::SecurityOfficer,
        Role::PlatformAdmin,
    ];

    /// The kebab-case name, as in grants and role group names.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Engineer => "engineer",
            Role::FlightDirector => "flight-director",
            Role::MissionAdmin => "mission-admin",
            Role::SecurityOfficer => "security-officer",
            Role::PlatformAdmin => "platform-admin",
        }
    }

    /// The attribute naming this role's group in the schema's `Roles` record; `None` for the
    /// platform admin, which is not a mission role.
    pub(crate) fn roles_attr(self) -> Option<&'static str> {
        match self {
            Role::Viewer => Some("viewer"),
            Role::Operator => Some("operator"),
            Role::Engineer => Some("engineer"),
            Role::FlightDirector => Some("flight_director"),
            Role::MissionAdmin => Some("mission_admin"),
            Role::SecurityOfficer => Some("security_officer"),
            Role::PlatformAdmin => None,
        }
    }
}

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|role| role.as_str() == text).ok_or_else(|| RoleError::Unknown { text: text.into() })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role in a mission and environment; `None` stands for all (`*`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    /// The mission, or every mission.
    pub mission: Option<MissionSlug>,
    /// The environment, or every environment.
    pub env: Option<Env>,
    /// The role held there.
    pub role: Role,
}

impl fmt::Display for Grant {
    /// `sentinel-x/ops/operator`, `*/*/platform-admin`: the name of the grant's role group.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mission {
            Some(mission) => write!(f, "{mission}/")?,
            None => f.write_str("*/")?,
        }
        match self.env {
            Some(env) => write!(f, "{env}/")?,
            None => f.write_str("*/")?,
        }
        f.write_str(self.role.as_str())
    }
}

/// Why a text is not a grant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("grant `{text}`: expected <mission|*>/<env|*>/<role>, like sentinel-x/ops/operator")]
    Shape { text: String },
    #[error("grant `{text}`: {why}")]
    Part { text: String, why: String },
}

impl FromStr for Grant {
    type Err = GrantError;

    /// `sentinel-x/ops/operator`, `sentinel-x/*/viewer`, `*/*/platform-admin`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split('/');
        let (Some(mission), Some(env), Some(role), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(GrantError::Shape { text: text.to_string() });
        };
        let part = |why: String| GrantError::Part { text: text.to_string(), why };
        let mission = match mission {
            "*" => None,
            slug => Some(slug.parse::<MissionSlug>().map_err(|error| part(error.to_string()))?),
        };
        let env = match env {
            "*" => None,
            name => Some(name.parse::<Env>().map_err(|error| part(error.to_string()))?),
        };
        let role = role.parse::<Role>().map_err(|error| part(error.to_string()))?;
        Ok(Grant { mission, env, role })
    }
}

/// How a principal was identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A person.
    User,
    /// A bearer API token.
    Token,
    /// A service of the platform or of a mission.
    Workload,
}

/// Who is asking, with every grant they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// A stable id: a user name, a token's name, a workload's name.
    pub id: String,
    /// How the principal was identified.
    pub kind: PrincipalKind,
    /// Every role the principal holds.
    pub grants: Vec<Grant>,
    /// The environments the credential may act in (a token's scope); `None` for all. Honoured
    /// for every kind of principal, not only tokens.
    pub token_envs: Option<Vec<Env>>,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PrincipalKind::User => "user",
            PrincipalKind::Token => "token",
            PrincipalKind::Workload => "workload",
        };
        write!(f, "{kind} {}", self.id)
    }
}

/// What an action is done on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The platform as a whole.
    Platform,
    /// One mission, all its environments (its releases, its control events).
    Mission(MissionSlug),
    /// One mission in one environment.
    Deployment(Scope),
}

impl Resource {
    /// The kind of resource, for the action catalog.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Resource::Platform => ResourceKind::Platform,
            Resource::Mission(_) => ResourceKind::Mission,
            Resource::Deployment(_) => ResourceKind::Deployment,
        }
    }

    /// The mission the resource belongs to, if any.
    pub fn mission(&self) -> Option<&MissionSlug> {
        match self {
            Resource::Platform => None,
            Resource::Mission(mission) => Some(mission),
            Resource::Deployment(scope) => Some(&scope.mission),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Platform => f.write_str("platform"),
            Resource::Mission(mission) => write!(f, "mission {mission}"),
            Resource::Deployment(scope) => write!(f, "deployment {scope}"),
        }
    }
}

/// The kind of a `Resource`, as the route table names what a route acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// `Resource::Platform`.
    Platform,
    /// `Resource::Mission`.
    Mission,
    /// `Resource::Deployment` (the API's `Environment` and `Deployment` scope kinds).
    Deployment,
}

/// What the application knows about the request that policies need. For actions other than
/// approving a command, `Context::default()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Distinct principals, other than the command's sender, whose approval names the
    /// command's digest, counting the principal of this request when it approves. Whether
    /// that principal holds an approving role is the policies' to check, not the caller's.
    pub distinct_approvers: u32,
    /// Every approval counted is within its validity window.
    pub approval_fresh: bool,
    /// The principal of this request sent the command it approves.
    pub approver_is_sender: bool,
}

/// An authorization decision, with the reason and the policies that gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action may go ahead.
    pub allow: bool,
    /// Why, in words a client may read.
    pub reason: String,
    /// The `@id` of each policy that decided: the permits that allowed, the forbids that
    /// denied, or `default-deny` when nothing permitted.
    pub policies: Vec<String>,
}
