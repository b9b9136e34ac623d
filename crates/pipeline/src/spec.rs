//! What a mission's pipeline asks of a release, per target environment.

use base::Env;
use serde::Deserialize;

/// The gates of each environment, in order. Read from the `[pipeline]` table of a mission
/// file; an environment left out gets its default.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    #[serde(default = "dev_default")]
    pub dev: Vec<GateSpec>,
    #[serde(default = "aiv_default")]
    pub aiv: Vec<GateSpec>,
    #[serde(default = "ops_default")]
    pub ops: Vec<GateSpec>,
    /// The rules of the validate gate's policy lint.
    #[serde(default)]
    pub lint: crate::LintSpec,
}

/// One gate.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "gate", rename_all = "snake_case", deny_unknown_fields)]
pub enum GateSpec {
    /// Model checks and the policy lint.
    Validate,
    /// The release's procedures pass against a simulator deployment.
    Test,
    /// `count` distinct principals, each approving in one of `roles`.
    Approval { count: usize, roles: Vec<String> },
    /// No promotion while a blackout (a pass, a critical operation) is on.
    Window,
}

/// The kind of a gate, as attestations name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GateKind {
    Validate,
    Test,
    Approval,
    Window,
}

impl GateKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            GateKind::Validate => "validate",
            GateKind::Test => "test",
            GateKind::Approval => "approval",
            GateKind::Window => "window",
        }
    }
}

impl GateSpec {
    /// Its kind.
    pub fn kind(&self) -> GateKind {
        match self {
            GateSpec::Validate => GateKind::Validate,
            GateSpec::Test => GateKind::Test,
            GateSpec::Approval { .. } => GateKind::Approval,
            GateSpec::Window => GateKind::Window,
        }
    }
}

/// The roles a pipeline may ask approvals of.
pub const ROLES: [&str; 7] =
    ["viewer", "operator", "engineer", "flight-director", "mission-admin", "security-officer", "platform-admin"];

/// Why a pipeline specification cannot be used; `place` names the gate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("pipeline.{place}: {reason}")]
pub struct SpecError {
    pub place: String,
    pub reason: String,
}

fn dev_default() -> Vec<GateSpec> {
    vec![GateSpec::Validate]
}

fn aiv_default() -> Vec<GateSpec> {
    vec![GateSpec::Validate, GateSpec::Test]
}

fn ops_default() -> Vec<GateSpec> {
    vec![
        GateSpec::Validate,
        GateSpec::Test,
        GateSpec::Approval { count: 2, roles: vec!["flight-director".into(), "security-officer".into()] },
        GateSpec::Window,
    ]
}

impl Default for PipelineSpec {
    /// DEV validates; AIV also tests; OPS also needs two approvals (flight director, security
    /// officer) and no blackout.
    fn default() -> Self {
        PipelineSpec { dev: dev_default(), aiv: aiv_default(), ops: ops_default(), lint: crate::LintSpec::default() }
    }
}

impl PipelineSpec {
    /// The gates of an environment.
    pub fn gates(&self, env: Env) -> &[GateSpec] {
        match env {
            Env::Dev => &self.dev,
            Env::Aiv => &self.aiv,
            Env::Ops => &self.ops,
        }
    }

    /// Checks what serde cannot: approval counts and roles, a gate given twice.
    pub fn check(&self) -> Result<(), SpecError> {
        for env in Env::ALL {
            let gates = self.gates(env);
            for (idx, gate) in gates.iter().enumerate() {
                let place = format!("{env}[{idx}]");
                if gates[..idx].iter().any(|other| other.kind() == gate.kind()) {
                    let reason = format!("the {} gate is given twice", gate.kind().as_str());
                    return Err(SpecError { place, reason });
                }
                if let GateSpec::Approval { count, roles } = gate {
                    if *count == 0 || *count > 16 {
                        return Err(SpecError { place: format!("{place}.count"), reason: "from 1 to 16".into() });
                    }
                    if roles.is_empty() {
                        let reason = "at least one role may approve".to_string();
                        return Err(SpecError { place: format!("{place}.roles"), reason });
                    }
                    if let Some(role) = roles.iter().find(|role| !ROLES.contains(&role.as_str())) {
                        let reason = format!("unknown role {role:?} (roles: {})", ROLES.join(", "));
                        return Err(SpecError { place: format!("{place}.roles"), reason });
                    }
                }
            }
        }
        Ok(())
    }
}
