//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` and the wire types,
//! and the query parameters it documents (parsed by hand in `params`).

use crate::wire;
use utoipa::{IntoParams, OpenApi};

/// Tag of platform-level routes.
pub const PLATFORM_TAG: &str = "platform";
/// Tag of deployment routes.
pub const DEPLOYMENT_TAG: &str = "deployment";
/// Tag of the control plane's routes: missions, releases, promotions.
pub const CONTROL_TAG: &str = "control plane";
/// Tag of the secrets vault's routes.
pub const SECRETS_TAG: &str = "secrets";
/// Tag of sessions and API tokens.
pub const IDENTITY_TAG: &str = "identity";

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Groundplane API", description = "Mission control of every (mission, environment) deployment."),
    paths(
        crate::platform::health,
        crate::platform::openapi,
        crate::platform::deployments,
        crate::platform::metrics,
        crate::handlers::status,
        crate::handlers::parameters,
        crate::handlers::latest,
        crate::handlers::samples,
        crate::handlers::buckets,
        crate::handlers::units,
        crate::handlers::events,
        crate::handlers::alarms,
        crate::handlers::open_alarms,
        crate::handlers::acknowledge,
        crate::commands::definitions,
        crate::commands::send,
        crate::commands::live,
        crate::commands::history,
        crate::commands::one,
        crate::commands::approve,
        crate::commands::release,
        crate::commands::cancel,
        crate::commands::release_mode,
        crate::live::replay,
        crate::live::live,
        crate::control::missions,
        crate::control::create_mission,
        crate::control::mission,
        crate::control::archive_mission,
        crate::control::delete_mission,
        crate::control::mission_events,
        crate::control::drift,
        crate::control::releases::releases,
        crate::control::releases::create_release,
        crate::control::releases::import_release,
        crate::control::releases::release_detail,
        crate::control::releases::release_diff,
        crate::control::envs::approve_release,
        crate::control::envs::promote,
        crate::control::envs::rollback,
        crate::control::envs::pause,
        crate::control::envs::resume,
        crate::control::envs::set_blackout,
        crate::secrets::list,
        crate::secrets::put,
        crate::secrets::delete,
        crate::secrets::rotate,
        crate::identity::login,
        crate::identity::logout,
        crate::identity::whoami,
        crate::identity::create_token,
        crate::identity::tokens,
        crate::identity::revoke_token,
    ),
    components(schemas(wire::Subscription, wire::LiveMessage, wire::ErrorBody))
)]
pub struct ApiDoc;

/// The document as JSON text.
pub fn document_json() -> String {
    serde_json::to_string(&ApiDoc::openapi()).unwrap_or_else(|error| {
        tracing::error!(%error, "OpenAPI document cannot be written");
        "{}".to_string()
    })
}

/// The deployment of a deployment route.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ScopePath {
    /// Mission slug, like `sentinel-x`.
    pub mission: String,
    /// `dev`, `aiv` or `ops`.
    pub env: String,
}

/// One secret of an environment.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SecretPath {
    pub mission: String,
    pub env: String,
    /// Like `gs-kiruna.password`: 1 to 64 of `a-z`, `0-9`, `.`, `_`, `-`.
    pub name: String,
}

/// One mission.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MissionPath {
    /// Mission slug, like `sentinel-x`.
    pub mission: String,
}

/// One release of a mission.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReleasePath {
    pub mission: String,
    /// `sha256:<hex>`, its hex, or a unique prefix of the hex.
    pub release: String,
}

/// Two releases of a mission, to compare.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReleaseDiffPath {
    pub mission: String,
    /// The release compared from.
    pub release: String,
    /// The release compared to.
    pub other: String,
}

/// Deleting a mission: its name again, to confirm.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfirmParams {
    /// The mission's slug.
    pub confirm: String,
}

/// One command of a deployment.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CommandPath {
    pub mission: String,
    pub env: String,
    /// The command's id in its deployment.
    pub id: u64,
}

/// Command history over a time range. Times as for samples.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommandHistoryParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// Parameters matching a pattern.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatternParams {
    /// Names matching this `*` pattern; all when absent.
    pub pattern: Option<String>,
}

/// Latest values.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LatestParams {
    /// Parameter names, comma-separated and/or repeated.
    pub names: String,
}

/// A sample range. Times are milliseconds since the Unix epoch or RFC 3339 UTC
/// (`2026-11-24T10:00:00.250Z`); `from` defaults to 0, `to` to the end of time.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SampleParams {
    /// Parameter names, comma-separated and/or repeated.
    pub parameters: String,
    /// Start, inclusive.
    pub from: Option<String>,
    /// End, exclusive.
    pub to: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100000 (default 1000). With CSV, the size of each page fetched.
    pub limit: Option<usize>,
    /// `json` (one page) or `csv` (every page of the range, streamed).
    pub format: Option<String>,
}

/// Buckets of a parameter.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BucketParams {
    /// The parameter.
    pub parameter: String,
    /// Start, inclusive.
    pub from: Option<String>,
    /// End, exclusive.
    pub to: Option<String>,
    /// Number of buckets, 1 to 10000 (default 100).
    pub buckets: Option<usize>,
}

/// A unit range.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitParams {
    /// Start, inclusive.
    pub from: Option<String>,
    /// End, exclusive.
    pub to: Option<String>,
    /// Only this APID (0 to 2047).
    pub apid: Option<u16>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100000 (default 1000).
    pub limit: Option<usize>,
    /// `json` or `csv`.
    pub format: Option<String>,
}

/// An event range.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Start, inclusive.
    pub from: Option<String>,
    /// End, exclusive.
    pub to: Option<String>,
    /// `info` (default), `low`, `medium` or `high`.
    pub min_severity: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100000 (default 1000).
    pub limit: Option<usize>,
    /// `json` or `csv`.
    pub format: Option<String>,
}

/// An alarm history range.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlarmParams {
    /// Start, inclusive.
    pub from: Option<String>,
    /// End, exclusive.
    pub to: Option<String>,
    /// `normal` (default), `watch`, `warning`, `distress`, `critical` or `severe`.
    pub min_level: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100000 (default 1000).
    pub limit: Option<usize>,
    /// `json` or `csv`.
    pub format: Option<String>,
}
