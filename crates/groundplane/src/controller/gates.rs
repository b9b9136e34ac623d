//! Running a pipeline's validate and test gates for a release and an environment. A gate runs
//! once per (release, environment): its attestation stands for that exact digest, passed or
//! failed (the same bytes give the same result; a fix is a new release).

use super::deploy::plan;
use super::Controller;
use api::gate::{Principal, PrincipalKind};
use api::BackendError;
use base::{Digest, Env, Scope};
use control::{ControlState, Event};
use deployment::Platform;
use pipeline::{GateKind, GateSpec, PipelineSpec};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Longest a test gate's simulator may take to send its first telemetry.
const FIRST_TELEMETRY_WAIT: Duration = Duration::from_secs(10);

/// The principal a test gate's procedures act as.
const GATE_PRINCIPAL: &str = "platform:test-gate";

/// Whether a gate already stands for this release and environment.
fn attested(state: &ControlState, scope: &Scope, release: &Digest, gate: GateKind) -> bool {
    state.missions.get(&scope.mission).is_some_and(|mission| {
        mission.attestations.iter().any(|a| a.release == *release && a.env == scope.env && a.gate == gate)
    })
}

impl Controller {
    /// Runs the environment's validate and test gates not yet attested for the release;
    /// answers their attestation events (not yet recorded).
    pub(super) fn run_gates(
        &self,
        state: &ControlState,
        scope: &Scope,
        release: Digest,
        files: &BTreeMap<String, Vec<u8>>,
        spec: &PipelineSpec,
        by: &str,
    ) -> Result<Vec<Event>, BackendError> {
        let mut events = Vec::new();
        for gate in spec.gates(scope.env) {
            let kind = gate.kind();
            if !matches!(gate, GateSpec::Validate | GateSpec::Test) || attested(state, scope, &release, kind) {
                continue;
            }
            let started = Instant::now();
            let (passed, detail) = match gate {
                GateSpec::Validate => self.validate(scope, &release, files, spec)?,
                _ => self.test(scope, &release, files),
            };
            tracing::info!(%scope, %release, gate = kind.as_str(), passed, took_ms = started.elapsed().as_millis() as u64, "gate");
            let event = control::commands::attest(
                state,
                &scope.mission,
                release,
                scope.env,
                kind.as_str(),
                passed,
                &detail,
                by,
                self.now_ms(),
            )
            .map_err(|error| BackendError::Conflict { reason: error.to_string() })?;
            events.push(event);
        }
        Ok(events)
    }

    fn validate(
        &self,
        scope: &Scope,
        release: &Digest,
        files: &BTreeMap<String, Vec<u8>>,
        spec: &PipelineSpec,
    ) -> Result<(bool, String), BackendError> {
        // The release's deployment of this environment must be usable too.
        let plan = match plan(scope, release, files) {
            Ok(plan) => plan,
            Err(error) => return Ok((false, error.to_string())),
        };
        Ok(pipeline::validate_gate(&plan.model, &spec.lint))
    }

    /// The test gate: the release's procedures against a scratch deployment of the release
    /// with its simulator (the environment's own simulator configuration, else DEV's, else
    /// AIV's), on loopback ports of its own, removed afterwards.
    fn test(&self, scope: &Scope, release: &Digest, files: &BTreeMap<String, Vec<u8>>) -> (bool, String) {
        let mut procedures = Vec::new();
        for (path, bytes) in files.iter().filter(|(path, _)| path.starts_with(release::manifest::PROCEDURES_DIR)) {
            match std::str::from_utf8(bytes).map_err(|e| e.to_string()).and_then(|text| {
                procedure::Procedure::parse(text).map_err(|error| format!("{} problem(s)", error.problems.len()))
            }) {
                Ok(procedure) => procedures.push(procedure),
                Err(reason) => return (false, format!("{path}: {reason}")),
            }
        }
        if procedures.is_empty() {
            return (false, "the release has no procedures: nothing shows it works".to_string());
        }
        let candidates = [scope.env, Env::Dev, Env::Aiv];
        let mut last_error = String::new();
        for env in candidates {
            let at = Scope { mission: scope.mission.clone(), env };
            let plan = match plan(&at, release, files) {
                Ok(plan) if plan.mission.deployments[plan.index].simulator.is_some() => plan,
                Ok(_) => continue,
                Err(error) => {
                    last_error = error.to_string();
                    continue;
                }
            };
            return match self.test_against(&at, release, plan, &procedures) {
                Ok(result) => result,
                Err(error) => (false, format!("the test deployment did not start: {error:#}")),
            };
        }
        let mut detail = format!("no simulator in the release's {}, dev or aiv deployment to test against", scope.env);
        if !last_error.is_empty() {
            detail.push_str(&format!(" ({last_error})"));
        }
        (false, detail)
    }

    fn test_against(
        &self,
        scope: &Scope,
        release: &Digest,
        mut plan: super::deploy::Plan,
        procedures: &[procedure::Procedure],
    ) -> anyhow::Result<(bool, String)> {
        let deployment = &mut plan.mission.deployments[plan.index];
        for link in &mut deployment.links {
            link.address = "127.0.0.1:0".to_string();
        }
        let scratch =
            self.dirs.gates.join(format!("{}-{}-{}-{}", scope.mission, scope.env, release.short(), self.now_ms()));
        let deployment = &plan.mission.deployments[plan.index];
        let (spec, deployed) = crate::serve::deployment_spec(&plan.mission, deployment, plan.model.clone(), &scratch)?;
        let base = self.dirs.releases.join(scope.mission.as_str()).join(release.hex());
        let (started, simulator) =
            self.runtime.block_on(crate::serve::start(spec, &deployed, &base, self.clock.clone()))?;
        let platform = Platform::new(vec![started]);
        let waited = Instant::now();
        while waited.elapsed() < FIRST_TELEMETRY_WAIT {
            let stored = platform.get(scope).map(|d| d.status().stored.units).unwrap_or_default();
            if stored > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let principal = Principal::named(GATE_PRINCIPAL, PrincipalKind::Token);
        let (passed, detail, _reports) = deployment::gates::test_gate(&platform, scope, &principal, procedures);
        self.runtime.block_on(async {
            if let Some(simulator) = simulator {
                simulator.stop().await;
            }
            platform.stop().await;
        });
        let _ = std::fs::remove_dir_all(&scratch);
        Ok((passed, format!("against the {} simulator: {detail}", scope.env)))
    }
}
