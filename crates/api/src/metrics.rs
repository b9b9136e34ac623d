//! A tiny Prometheus registry of this server's own numbers. Hand-written because a global
//! recorder cannot serve several servers in one process (tests run many).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Upper bounds, in seconds, of the request duration histogram's buckets.
pub const DURATION_BUCKETS_S: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Request counts, durations and WebSocket clients of one server.
#[derive(Default)]
pub struct HttpMetrics {
    inner: Mutex<MetricsInner>,
    ws_clients: AtomicUsize,
}

#[derive(Default)]
struct MetricsInner {
    requests: BTreeMap<(String, u16), u64>,
    durations: BTreeMap<String, Histogram>,
}

#[derive(Default)]
struct Histogram {
    // Invariant: counts[i] counts observations <= DURATION_BUCKETS_S[i] (not cumulative).
    counts: [u64; DURATION_BUCKETS_S.len()],
    count: u64,
    sum_s: f64,
}

impl HttpMetrics {
    /// Counts a finished request of a route (its path template, or `unmatched`).
    pub fn observe(&self, route: &str, status: u16, duration: Duration) {
        let mut inner = self.lock();
        *inner.requests.entry((route.to_string(), status)).or_default() += 1;
        let histogram = inner.durations.entry(route.to_string()).or_default();
        let seconds = duration.as_secs_f64();
        if let Some(bucket) = DURATION_BUCKETS_S.iter().position(|&bound| seconds <= bound) {
            histogram.counts[bucket] += 1;
        }
        histogram.count += 1;
        histogram.sum_s += seconds;
    }

    /// The number of WebSocket clients connected now.
    pub fn ws_clients(&self) -> usize {
        self.ws_clients.load(Ordering::SeqCst)
    }

    /// Takes a WebSocket client slot if fewer than `max` are taken.
    pub fn try_add_ws_client(&self, max: usize) -> bool {
        self.ws_clients.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < max).then_some(n + 1)).is_ok()
    }

    /// Gives a WebSocket client slot back.
    pub fn remove_ws_client(&self) {
        let _ = self.ws_clients.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Appends this registry in the Prometheus text format.
    pub fn write(&self, out: &mut String) {
        let inner = self.lock();
        out.push_str("# HELP groundplane_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE groundplane_http_requests_total counter\n");
        for ((route, status), count) in &inner.requests {
            let route = escape_label(route);
            out.push_str(&format!(
                "groundplane_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}\n"
            ));
        }
        out.push_str("# HELP groundplane_http_request_duration_seconds Time to the response head, by route.\n");
        out.push_str("# TYPE groundplane_http_request_duration_seconds histogram\n");
        for (route, histogram) in &inner.durations {
            let route = escape_label(route);
            let mut cumulative = 0;
            for (bound, count) in DURATION_BUCKETS_S.iter().zip(histogram.counts) {
                cumulative += count;
                out.push_str(&format!(
                    "groundplane_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}\n"
                ));
            }
            let (count, sum) = (histogram.count, histogram.sum_s);
            out.push_str(&format!(
                "groundplane_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n"
            ));
            out.push_str(&format!("groundplane_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}\n"));
            out.push_str(&format!("groundplane_http_request_duration_seconds_count{{route=\"{route}\"}} {count}\n"));
        }
        out.push_str("# HELP groundplane_ws_clients WebSocket clients connected.\n");
        out.push_str("# TYPE groundplane_ws_clients gauge\n");
        out.push_str(&format!("groundplane_ws_clients {}\n", self.ws_clients()));
    }

    fn lock(&self) -> MutexGuard<'_, MetricsInner> {
        // Each update is one step, so a poisoned lock still holds consistent counts.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A label value with `\`, `"` and newlines escaped as the text format requires.
pub fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
