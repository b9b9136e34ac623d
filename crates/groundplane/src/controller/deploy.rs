//! Deploying a release to an environment: its mission file's deployment for that environment,
//! built and checked by the same code as the server configuration's, with its canonical model.
//! A deployment whose configuration is unchanged switches model in place (hot swap: links and
//! queues stay, no packet lost); one whose configuration changed restarts.

use super::{lock, Controller};
use crate::serve::config::{self, DeploymentConfig, MissionConfig, PusConfig, ServerConfig};
use api::BackendError;
use base::{Digest, Scope};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A deployment the control plane started: which release, from which configuration.
pub struct Running {
    pub release: Digest,
    deployment: DeploymentConfig,
    pus: Option<PusConfig>,
    simulator: Option<sim_link::RunningSim>,
}

/// What a release asks of one environment.
pub(super) struct Plan {
    pub model: model::MissionModel,
    pub mission: MissionConfig,
    /// Index of the environment's deployment in `mission.deployments`.
    pub index: usize,
}

fn conflict(reason: String) -> BackendError {
    BackendError::Conflict { reason }
}

/// The deployment of `scope.env` a release's files describe, checked like a server
/// configuration; a release without one, or with one the server would refuse, is a conflict.
pub(super) fn plan(scope: &Scope, digest: &Digest, files: &BTreeMap<String, Vec<u8>>) -> Result<Plan, BackendError> {
    let file = super::bundle::mission_file(files).map_err(|error| conflict(format!("release {digest}: {error}")))?;
    let model_bytes = files.get(release::manifest::MODEL).map(Vec::as_slice).unwrap_or_default();
    let model = model::MissionModel::from_canonical_json(model_bytes)
        .map_err(|error| conflict(format!("release {digest}: model.json: {error}")))?;
    let mission = config::mission_config(&file, PathBuf::from(release::manifest::MODEL));
    let index = mission.deployments.iter().position(|deployment| deployment.env == scope.env).ok_or_else(|| {
        conflict(format!("release {digest} has no [env.{}] deployment in its mission file", scope.env))
    })?;
    let server = ServerConfig {
        listen: String::new(),
        data_dir: PathBuf::new(),
        auth: config::AuthConfig::default(),
        missions: vec![mission.clone()],
        control: config::ControlConfig::default(),
        vault: config::VaultConfig::default(),
    };
    if let Err((place, reason)) = config::check(&server) {
        let place = place.replacen("mission[0].", "", 1);
        return Err(conflict(format!("release {digest}: mission.toml: {place}: {reason}")));
    }
    Ok(Plan { model, mission, index })
}

impl Controller {
    /// Makes `scope` run `digest`: answers how (`started`, `swapped`, `restarted`,
    /// `unchanged`). On failure the environment is marked failed with the reason.
    pub(super) fn deploy(&self, scope: &Scope, digest: Digest) -> Result<&'static str, BackendError> {
        let result = self.try_deploy(scope, digest);
        match &result {
            Ok(_) => {
                lock(&self.failures).remove(scope);
            }
            Err(error) => {
                lock(&self.failures).insert(scope.clone(), error.to_string());
            }
        }
        result
    }

    fn try_deploy(&self, scope: &Scope, digest: Digest) -> Result<&'static str, BackendError> {
        let (files, _) = self.load(&scope.mission, &digest)?;
        let plan = plan(scope, &digest, &files)?;
        let deployment = &plan.mission.deployments[plan.index];
        {
            let mut running = lock(&self.running);
            if let Some(current) = running.get_mut(scope) {
                if current.release == digest {
                    return Ok("unchanged");
                }
                if current.deployment == *deployment && current.pus == plan.mission.pus {
                    // The simulator is made first: a model it cannot simulate changes nothing.
                    let simulator = match (&current.simulator, &deployment.simulator) {
                        (Some(_), Some(config)) => {
                            let deployed = crate::serve::deployed(&plan.mission, deployment);
                            let base = self.dirs.releases.join(scope.mission.as_str()).join(digest.hex());
                            let made = crate::serve::simulate::simulator(&plan.model, config, &deployed, &base)
                                .map_err(|error| conflict(format!("{scope}: the simulator: {error:#}")))?;
                            Some(made)
                        }
                        _ => None,
                    };
                    self.platform
                        .swap_model(scope, plan.model.clone())
                        .map_err(|error| BackendError::Internal(format!("{scope}: hot swap: {error}")))?;
                    if let (Some(running), Some(simulator)) = (&current.simulator, simulator) {
                        // The TC port stays (it is the deployment's uplink): the simulator
                        // continues with the new model on the same sockets.
                        if let Err(error) = running.replace(simulator) {
                            tracing::warn!(%scope, %error, "the simulator keeps its model");
                        }
                    }
                    current.release = digest;
                    return Ok("swapped");
                }
            }
        }
        let restarted = self.undeploy(scope);
        let (spec, deployed) =
            crate::serve::deployment_spec(&plan.mission, deployment, plan.model.clone(), &self.dirs.data)
                .map_err(|error| conflict(format!("{scope}: {error:#}")))?;
        let base = self.dirs.releases.join(scope.mission.as_str()).join(digest.hex());
        let started = self.runtime.block_on(crate::serve::start(spec, &deployed, &base, self.clock.clone()));
        let (started, simulator) = started.map_err(|error| conflict(format!("{scope}: {error:#}")))?;
        if let Err(refused) = self.platform.add(started) {
            self.runtime.block_on(async {
                if let Some(simulator) = simulator {
                    simulator.stop().await;
                }
                refused.stop().await;
            });
            return Err(conflict(format!("{scope} runs a deployment the control plane does not manage")));
        }
        let running = Running { release: digest, deployment: deployment.clone(), pus: plan.mission.pus, simulator };
        lock(&self.running).insert(scope.clone(), running);
        Ok(if restarted { "restarted" } else { "started" })
    }

    /// Stops the environment's deployment (and its simulator) if the control plane runs one;
    /// answers whether it did.
    pub(super) fn undeploy(&self, scope: &Scope) -> bool {
        let Some(running) = lock(&self.running).remove(scope) else { return false };
        let deployment = self.platform.remove(scope);
        self.runtime.block_on(async {
            if let Some(simulator) = running.simulator {
                simulator.stop().await;
            }
            if let Some(deployment) = deployment {
                deployment.stop().await;
            }
        });
        true
    }
}
