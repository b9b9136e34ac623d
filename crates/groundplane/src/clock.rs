//! The platform's one clock: the only place that reads the system time (clippy.toml forbids
//! it everywhere else). The core gets times as arguments.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (UTC), 0 if the clock is before it.
#[allow(clippy::disallowed_methods)] // this is the clock
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
