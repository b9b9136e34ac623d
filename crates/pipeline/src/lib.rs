//! Pipelines, without I/O: the gates a release passes before it may run in an environment,
//! and the one decision whether a promotion may go ahead.
//!
//! A mission's [`PipelineSpec`] lists, per target environment, ordered gates: `validate`
//! (model checks and the policy lint of [`lint`]), `test` (the release's procedures against a
//! simulator deployment), `approval` (N distinct principals holding given roles, each approval
//! bound to the release digest) and `window` (no promotion during a blackout, e.g. a pass).
//! Gate results are [`Attestation`]s stored with the release. [`decide`] refuses a promotion
//! unless every gate of the target environment passed for that exact digest, the environment
//! before it runs or ran that digest, the release is the mission's own, and no blackout is on;
//! every refusal says why.
//!
//! Never: read a clock (time comes in as `now_ms`), trust an approval for another digest or
//! environment, or count one principal twice.

mod decide;
mod lint;
mod spec;
#[cfg(test)]
mod tests;

pub use decide::{decide, Approval, Attestation, Blackout, Decision, GateStatus, Promotion, Refusal};
pub use lint::{lint, validate_gate, Finding, LintSpec, VALIDATE_DETAIL_LINES};
pub use spec::{GateKind, GateSpec, PipelineSpec, SpecError, ROLES};
