//! The policy lint of the validate gate: rules a mission sets for its commands.

use base::pattern::matches;
use model::{MissionModel, SignificanceLevel};
use serde::Deserialize;

/// What the lint asks of every command the model can send.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintSpec {
    /// Every command is verified: by the model's verifiers, or by PUS acknowledgements it asks
    /// for (a MIB command's ack flags).
    #[serde(default = "yes")]
    pub require_verifier: bool,
    /// Every command states its significance.
    #[serde(default)]
    pub require_significance: bool,
    /// Commands matching these `*` patterns are hazardous: they must be critical or severe (so
    /// that they need a second approver).
    #[serde(default)]
    pub hazardous: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for LintSpec {
    fn default() -> Self {
        LintSpec { require_verifier: true, require_significance: false, hazardous: Vec::new() }
    }
}

/// A command that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub command: String,
    /// `verifier`, `significance` or `hazardous`.
    pub rule: &'static str,
    pub detail: String,
}

/// Every finding of `spec`'s rules over the model's sendable (not abstract) commands, by name.
pub fn lint(model: &MissionModel, spec: &LintSpec) -> Vec<Finding> {
    let mut findings = Vec::new();
    for command in model.commands.values().filter(|command| !command.r#abstract) {
        let name = command.name.to_string();
        let chain = match tc::args::resolve_chain(model, &command.name) {
            Ok(chain) => chain,
            Err(error) => {
                findings.push(Finding { command: name, rule: "chain", detail: error.to_string() });
                continue;
            }
        };
        let verified = chain.iter().any(|level| !level.verifiers.is_empty())
            || chain.iter().filter_map(|level| level.pus.as_ref()).any(|pus| pus.ack_flags.unwrap_or(0) != 0);
        if spec.require_verifier && !verified {
            let detail = "no verifier, and no PUS acknowledgement asked for".to_string();
            findings.push(Finding { command: name.clone(), rule: "verifier", detail });
        }
        let significance = chain.iter().rev().find_map(|level| level.significance.as_ref()).map(|s| s.level);
        if spec.require_significance && significance.is_none() {
            let detail = "no significance level".to_string();
            findings.push(Finding { command: name.clone(), rule: "significance", detail });
        }
        let level = significance.unwrap_or(SignificanceLevel::None);
        if let Some(pattern) = spec.hazardous.iter().find(|pattern| matches(pattern, &name)) {
            if !level.is_hazardous() {
                let detail = format!("matches hazardous pattern {pattern:?} but is {level:?}, not critical or severe");
                findings.push(Finding { command: name.clone(), rule: "hazardous", detail });
            }
        }
    }
    findings
}

/// The validate gate: the model's own checks (any error fails) and the lint (any finding
/// fails). Answers whether it passed and what it found, one line per problem (the first 20,
/// then a count), for the attestation.
pub fn validate_gate(model: &MissionModel, spec: &LintSpec) -> (bool, String) {
    let mut problems: Vec<String> = model
        .validate()
        .into_iter()
        .filter(|issue| issue.kind.is_error())
        .map(|issue| format!("model: {}: {}", issue.item, issue.message))
        .collect();
    problems.extend(lint(model, spec).into_iter().map(|f| format!("lint {}: {}: {}", f.rule, f.command, f.detail)));
    if problems.is_empty() {
        return (true, format!("{} commands checked, no finding", model.commands.len()));
    }
    let shown = problems.len().min(VALIDATE_DETAIL_LINES);
    let mut detail = problems[..shown].join("\n");
    if problems.len() > shown {
        detail.push_str(&format!("\n... and {} more", problems.len() - shown));
    }
    (false, detail)
}

/// Problems a validate attestation lists one by one.
pub const VALIDATE_DETAIL_LINES: usize = 20;
