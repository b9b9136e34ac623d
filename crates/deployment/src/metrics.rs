//! The deployments' metrics in the Prometheus text format: ingest, invalid units, queues,
//! commits, live streams.

use crate::Platform;
use std::fmt::Write as _;

/// One metric family: its help line, type, and one value per deployment (and label).
fn family(out: &mut String, name: &str, kind: &str, help: &str, values: &[(String, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, value) in values {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

/// Appends every deployment's metrics to `out`.
pub fn write(platform: &Platform, out: &mut String) {
    let labels = |d: &crate::Deployment| format!("mission=\"{}\",env=\"{}\"", d.scope.mission, d.scope.env);
    let statuses: Vec<_> = platform.iter().map(|d| (labels(&d), d.status())).collect();
    let depths: Vec<_> = platform.iter().map(|d| (labels(&d), d.queue_depth() as u64)).collect();
    let per = |get: &dyn Fn(&crate::ingest::IngestStatus) -> u64| -> Vec<(String, u64)> {
        statuses.iter().map(|(labels, status)| (labels.clone(), get(status))).collect()
    };
    family(out, "groundplane_packets_decoded_total", "counter", "Packets decoded.", &per(&|s| s.packets_in));
    family(out, "groundplane_samples_decoded_total", "counter", "Parameter samples decoded.", &per(&|s| s.samples_in));
    family(
        out,
        "groundplane_units_stored_total",
        "counter",
        "Received units durable in the archive.",
        &per(&|s| s.stored.units),
    );
    family(
        out,
        "groundplane_samples_stored_total",
        "counter",
        "Samples durable in the archive.",
        &per(&|s| s.stored.samples),
    );
    family(
        out,
        "groundplane_units_pending",
        "gauge",
        "Units received, not yet durable (the archive queue).",
        &per(&|s| s.pending_units),
    );
    family(
        out,
        "groundplane_ingest_queue_depth",
        "gauge",
        "Reads from the links waiting for the ingest thread.",
        &depths,
    );
    family(
        out,
        "groundplane_archive_syncs_total",
        "counter",
        "Archive fsyncs (each makes what it covers reported stored).",
        &per(&|s| s.syncs),
    );
    family(
        out,
        "groundplane_archive_sync_failures_total",
        "counter",
        "Archive fsyncs that failed.",
        &per(&|s| s.sync_failures),
    );
    family(out, "groundplane_archive_commits_total", "counter", "Archive commits.", &per(&|s| s.commits));
    family(
        out,
        "groundplane_archive_commit_failures_total",
        "counter",
        "Archive commits that failed (retried).",
        &per(&|s| s.commit_failures),
    );
    family(
        out,
        "groundplane_archive_commit_ms",
        "gauge",
        "Duration of the last archive commit.",
        &per(&|s| s.commit_ms_last),
    );
    family(out, "groundplane_live_subscribers", "gauge", "Live streams open.", &per(&|s| s.live_subscribers as u64));
    family(
        out,
        "groundplane_live_dropped_total",
        "counter",
        "Live samples dropped for slow clients.",
        &per(&|s| s.live_dropped),
    );
    family(
        out,
        "groundplane_live_disconnected_total",
        "counter",
        "Live clients disconnected for being too slow.",
        &per(&|s| s.live_disconnected),
    );
    family(
        out,
        "groundplane_commands_live",
        "gauge",
        "Commands in the queue, not finished.",
        &per(&|s| s.commands_live as u64),
    );
    family(
        out,
        "groundplane_verification_reports_unmatched_total",
        "counter",
        "PUS 1 reports that named no live command.",
        &per(&|s| s.reports_unmatched),
    );
    let mut units = Vec::new();
    let mut bytes = Vec::new();
    let mut invalid = Vec::new();
    for (labels, status) in &statuses {
        for link in &status.links {
            let labels = format!("{labels},link=\"{}\"", link.name);
            units.push((labels.clone(), link.units_in));
            bytes.push((labels.clone(), link.bytes_in));
            for (reason, n) in &link.invalid {
                invalid.push((format!("{labels},reason=\"{reason}\""), *n));
            }
        }
    }
    family(out, "groundplane_link_units_total", "counter", "Units received per link.", &units);
    family(out, "groundplane_link_bytes_total", "counter", "Bytes received per link.", &bytes);
    family(out, "groundplane_link_invalid_units_total", "counter", "Invalid units per link and reason.", &invalid);
    let refused: Vec<_> = platform
        .iter()
        .flat_map(|d| {
            let labels = labels(&d);
            d.tls_refusals()
                .into_iter()
                .map(move |(link, reason, n)| (format!("{labels},link=\"{link}\",reason=\"{reason}\""), n))
        })
        .collect();
    family(
        out,
        "groundplane_link_tls_refused_total",
        "counter",
        "Connections refused by links that require mutual TLS, per link and reason.",
        &refused,
    );
}
