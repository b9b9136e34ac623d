//! SPIFFE ids of the platform's workloads: `spiffe://<trust-domain>/mission/<m>/env/<e>/<component>`.

use base::{Env, MissionSlug};
use std::fmt;
use std::str::FromStr;

/// Longest SPIFFE id accepted (the SPIFFE specification's limit for the whole URI).
pub const SPIFFE_ID_LEN_MAX: usize = 2048;
/// Longest trust domain (a DNS name at most).
pub const TRUST_DOMAIN_LEN_MAX: usize = 255;
/// Longest component name (it is also the certificate's common name, at most 64 bytes).
pub const COMPONENT_LEN_MAX: usize = 63;

/// The identity of one workload of one mission in one environment: a link of a deployment
/// (`link-tm`), a simulator (`simulator`), a ground station (`station-kiruna`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpiffeId {
    /// The platform's trust domain, e.g. `groundplane.local`.
    pub trust_domain: String,
    pub mission: MissionSlug,
    pub env: Env,
    /// Which workload of the scope: lowercase letters, digits, `-`, `_` and `.`.
    pub component: String,
}

/// Why a text is not a SPIFFE id of this platform, naming the part that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpiffeError {
    #[error("SPIFFE id `{text}`: longer than {SPIFFE_ID_LEN_MAX} bytes")]
    TooLong { text: String },
    #[error("SPIFFE id `{text}`: must start with `spiffe://`")]
    Scheme { text: String },
    #[error("SPIFFE id `{text}`: trust domain: {why}")]
    TrustDomain { text: String, why: &'static str },
    #[error("SPIFFE id `{text}`: no query, fragment, port or user info is allowed")]
    Extra { text: String },
    #[error("SPIFFE id `{text}`: path must be /mission/<mission>/env/<env>/<component>")]
    Path { text: String },
    #[error("SPIFFE id `{text}`: {source}")]
    Mission { text: String, source: base::SlugError },
    #[error("SPIFFE id `{text}`: {source}")]
    Env { text: String, source: base::EnvError },
    #[error("SPIFFE id `{text}`: component: {why}")]
    Component { text: String, why: &'static str },
}

impl SpiffeId {
    /// The id of `component` in `scope`, its parts checked.
    pub fn new(trust_domain: &str, scope: &base::Scope, component: &str) -> Result<SpiffeId, SpiffeError> {
        format!("spiffe://{trust_domain}/mission/{}/env/{}/{component}", scope.mission, scope.env).parse()
    }

    /// The scope (mission, environment) the id belongs to.
    pub fn scope(&self) -> base::Scope {
        base::Scope { mission: self.mission.clone(), env: self.env }
    }
}

/// Checks a trust domain: lowercase letters, digits, `.`, `-` and `_` (the SPIFFE rule).
pub fn check_trust_domain(trust_domain: &str) -> Result<(), &'static str> {
    if trust_domain.is_empty() {
        return Err("empty");
    }
    if trust_domain.len() > TRUST_DOMAIN_LEN_MAX {
        return Err("longer than 255 bytes");
    }
    if !trust_domain.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b)) {
        return Err("only lowercase letters, digits, '.', '-' and '_' are allowed");
    }
    Ok(())
}

fn check_component(component: &str) -> Result<(), &'static str> {
    if component.is_empty() {
        return Err("empty");
    }
    if component.len() > COMPONENT_LEN_MAX {
        return Err("longer than 63 bytes");
    }
    if !component.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b)) {
        return Err("only lowercase letters, digits, '.', '-' and '_' are allowed");
    }
    if component == "." || component == ".." {
        return Err("`.` and `..` are not names");
    }
    Ok(())
}

impl FromStr for SpiffeId {
    type Err = SpiffeError;

    fn from_str(text: &str) -> Result<SpiffeId, SpiffeError> {
        let owned = || text.to_string();
        if text.len() > SPIFFE_ID_LEN_MAX {
            return Err(SpiffeError::TooLong { text: owned() });
        }
        let rest = text.strip_prefix("spiffe://").ok_or_else(|| SpiffeError::Scheme { text: owned() })?;
        if rest.contains(['?', '#', '@', ':', '%']) {
            return Err(SpiffeError::Extra { text: owned() });
        }
        let (trust_domain, path) = rest.split_once('/').unwrap_or((rest, ""));
        check_trust_domain(trust_domain).map_err(|why| SpiffeError::TrustDomain { text: owned(), why })?;
        let parts: Vec<&str> = path.split('/').collect();
        let [mission_word, mission, env_word, env, component] = parts.as_slice() else {
            return Err(SpiffeError::Path { text: owned() });
        };
        if *mission_word != "mission" || *env_word != "env" {
            return Err(SpiffeError::Path { text: owned() });
        }
        let mission = mission.parse().map_err(|source| SpiffeError::Mission { text: owned(), source })?;
        let env = env.parse().map_err(|source| SpiffeError::Env { text: owned(), source })?;
        check_component(component).map_err(|why| SpiffeError::Component { text: owned(), why })?;
        Ok(SpiffeId { trust_domain: trust_domain.to_string(), mission, env, component: component.to_string() })
    }
}

impl fmt::Display for SpiffeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "spiffe://{}/mission/{}/env/{}/{}", self.trust_domain, self.mission, self.env, self.component)
    }
}
