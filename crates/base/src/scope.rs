//! Missions, environments and the (mission, environment) scope every datum is keyed by.

use std::fmt;
use std::str::FromStr;

/// Longest mission slug accepted.
pub const SLUG_LEN_MAX: usize = 40;

/// A mission's slug: lowercase ASCII letters, digits and inner hyphens, like `sentinel-x`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MissionSlug(String);

/// Why a text is not a mission slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("mission slug `{text}`: {why}")]
    Invalid { text: String, why: &'static str },
}

impl MissionSlug {
    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MissionSlug {
    type Err = SlugError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |why| SlugError::Invalid { text: text.to_string(), why };
        if text.is_empty() || text.len() > SLUG_LEN_MAX {
            return Err(invalid("must be 1 to 40 characters"));
        }
        if !text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(invalid("only lowercase letters, digits and '-' are allowed"));
        }
        if text.starts_with('-') || text.ends_with('-') {
            return Err(invalid("must not start or end with '-'"));
        }
        Ok(MissionSlug(text.to_string()))
    }
}

impl TryFrom<String> for MissionSlug {
    type Error = SlugError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<MissionSlug> for String {
    fn from(slug: MissionSlug) -> String {
        slug.0
    }
}

impl fmt::Display for MissionSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An environment of a mission, in promotion order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Env {
    Dev,
    Aiv,
    Ops,
}

/// Why a text is not an environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error("environment `{text}`: expected one of dev, aiv, ops")]
    Unknown { text: String },
}

impl Env {
    /// All environments in promotion order.
    pub const ALL: [Env; 3] = [Env::Dev, Env::Aiv, Env::Ops];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Dev => "dev",
            Env::Aiv => "aiv",
            Env::Ops => "ops",
        }
    }

    /// The environment a release is promoted to from this one, if any.
    pub fn next(self) -> Option<Env> {
        match self {
            Env::Dev => Some(Env::Aiv),
            Env::Aiv => Some(Env::Ops),
            Env::Ops => None,
        }
    }
}

impl FromStr for Env {
    type Err = EnvError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Env::ALL
            .into_iter()
            .find(|env| env.as_str() == text)
            .ok_or_else(|| EnvError::Unknown { text: text.to_string() })
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One mission in one environment: the key of every datum and action.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    pub mission: MissionSlug,
    pub env: Env,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.mission, self.env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["sentinel-x", "a", "bogussat-1"] {
            assert!(ok.parse::<MissionSlug>().is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "Upper", "a b", "a_b", &"x".repeat(41)] {
            assert!(bad.parse::<MissionSlug>().is_err(), "{bad}");
        }
    }

    #[test]
    fn envs_in_promotion_order() {
        assert_eq!("aiv".parse::<Env>(), Ok(Env::Aiv));
        assert!("prod".parse::<Env>().is_err());
        assert_eq!(Env::Dev.next(), Some(Env::Aiv));
        assert_eq!(Env::Ops.next(), None);
        assert!(Env::Dev < Env::Ops);
    }
}
