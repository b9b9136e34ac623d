//! Delivering secrets to the deployment they belong to, as it starts: its uplink's login (a
//! ground station's credential). Deployments start from the server's configuration and from
//! the control plane (`serve::start`, for both), so the server's vault is installed once for
//! the process; without one, a deployment that names a secret does not start.

use super::Secrets;
use base::Scope;
use deployment::UplinkLogin;
use std::sync::{Arc, OnceLock};
use vault::SecretName;

/// The vault of the server this process runs (`groundplane serve` installs it).
static SERVING: OnceLock<Arc<Secrets>> = OnceLock::new();

/// Makes `secrets` the vault that deployments starting from now on are delivered from. The
/// first vault installed stays (a process serves once).
pub fn install(secrets: Arc<Secrets>) {
    if SERVING.set(secrets).is_err() {
        tracing::warn!("a secrets vault is installed already: it stays");
    }
}

/// The login of the uplink of the deployment of `scope`, whose configuration names the secret
/// `login_secret`: opened from the installed vault, in `scope` only.
pub fn uplink_login(scope: &Scope, login_secret: Option<&str>) -> anyhow::Result<Option<UplinkLogin>> {
    let Some(name) = login_secret else { return Ok(None) };
    let Some(secrets) = SERVING.get() else {
        anyhow::bail!("{scope}: uplink.login_secret {name}: no secrets vault in this process");
    };
    login_from(secrets, scope, name).map(Some)
}

/// The login from `secrets`: the secret `name` of `scope`, audited as delivered to it. The
/// error names the secret and the scope, never a value.
pub(super) fn login_from(secrets: &Secrets, scope: &Scope, name: &str) -> anyhow::Result<UplinkLogin> {
    let parsed: SecretName = name.parse().map_err(|error| anyhow::anyhow!("{scope}: uplink.login_secret: {error}"))?;
    let value = secrets
        .deliver(scope, &parsed)
        .map_err(|error| anyhow::anyhow!("{scope}: uplink.login_secret {name}: cannot be delivered: {error}"))?;
    UplinkLogin::new(name, value).map_err(|reason| anyhow::anyhow!("{scope}: uplink.login_secret: {reason}"))
}
