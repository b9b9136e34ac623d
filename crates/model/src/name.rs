//! Qualified names, space systems and aliases.

use std::fmt;

/// A fully qualified name in the space system tree, like `/BogusSAT/SC001/Payload1/PAY1_CURRENT`.
///
/// Invariant: starts with `/`, has no empty segment and no `.` or `..` segment; importers
/// resolve relative references before building one.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct QualifiedName(String);

impl QualifiedName {
    /// The root of the tree, `/`.
    pub fn root() -> Self {
        QualifiedName("/".to_string())
    }

    /// Builds a name from an absolute path; `None` when it is not one.
    pub fn parse(path: &str) -> Option<Self> {
        if path == "/" {
            return Some(Self::root());
        }
        let rest = path.strip_prefix('/')?;
        let segments_ok = rest.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
        segments_ok.then(|| QualifiedName(path.to_string()))
    }

    /// `self/child`. The child must be a single segment (no `/`).
    pub fn join(&self, child: &str) -> Self {
        assert!(!child.contains('/') && !child.is_empty(), "join takes one segment, got {child:?}");
        if self.0 == "/" {
            QualifiedName(format!("/{child}"))
        } else {
            QualifiedName(format!("{}/{child}", self.0))
        }
    }

    /// The space system that holds this name; the root's parent is the root.
    pub fn parent(&self) -> Self {
        match self.0.rfind('/') {
            Some(0) | None => Self::root(),
            Some(idx) => QualifiedName(self.0[..idx].to_string()),
        }
    }

    /// The last segment (the local name).
    pub fn local(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// The full path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Another name of an item in a namespace (XTCE `Alias`, a MIB's short name).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Alias {
    pub namespace: String,
    pub alias: String,
}

/// A space system: a node of the name tree with its header information.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpaceSystem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let name = QualifiedName::parse("/BogusSAT/SC001/Payload1/PAY1_CURRENT").unwrap();
        assert_eq!(name.local(), "PAY1_CURRENT");
        assert_eq!(name.parent().as_str(), "/BogusSAT/SC001/Payload1");
        assert_eq!(QualifiedName::parse("/a").unwrap().parent(), QualifiedName::root());
        assert_eq!(QualifiedName::root().join("a").join("b").as_str(), "/a/b");
        for bad in ["", "a/b", "/a//b", "/a/../b", "/a/"] {
            assert!(QualifiedName::parse(bad).is_none(), "{bad}");
        }
    }
}
