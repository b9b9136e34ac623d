//! The record of the gate's decisions: a bounded ring of the latest, counters for metrics,
//! a log line for each (denials at INFO), and the durable record (`AuditSink`) of every
//! denial and every allowed change.

use super::{Action, AuditSink, Decision, OutcomeRecord, Resource, AUDIT_FAIL_CLOSED};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// How many decisions the in-memory ring keeps.
pub const DECISION_LOG_LEN: usize = 10_000;

/// One recorded decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRecord {
    /// The request it was made for.
    pub request_id: String,
    /// The principal's id (`unidentified` when identification failed).
    pub principal: String,
    /// The action asked for.
    pub action: Action,
    /// The resource, as text (`platform`, `deployment sentinel-x/ops`, or what the path said).
    pub resource: String,
    /// Whether it was allowed.
    pub allow: bool,
    /// Why.
    pub reason: String,
    /// The policy or rule that decided (`gate` for refusals before authorization).
    pub policy: String,
}

/// The decision record, shared by clones.
#[derive(Clone, Default)]
pub struct DecisionLog {
    inner: Arc<Mutex<LogInner>>,
    sink: Option<Arc<dyn AuditSink>>,
}

#[derive(Default)]
struct LogInner {
    // Invariant: at most DECISION_LOG_LEN records, oldest first.
    recent: VecDeque<DecisionRecord>,
    totals: BTreeMap<(Action, bool), u64>,
}

impl DecisionLog {
    /// This log, also recording to `sink`.
    pub(crate) fn with_sink(self, sink: Arc<dyn AuditSink>) -> DecisionLog {
        DecisionLog { sink: Some(sink), ..self }
    }

    /// Records an authorizer's decision, and answers the decision that stands: an allowed
    /// change that the audit sink could not record is refused.
    pub fn record(
        &self,
        request_id: &str,
        principal: &str,
        action: Action,
        resource: &Resource,
        decision: Decision,
    ) -> Decision {
        let mut record = DecisionRecord {
            request_id: request_id.to_string(),
            principal: principal.to_string(),
            action,
            resource: resource.to_string(),
            allow: decision.allow,
            reason: decision.reason,
            policy: decision.policy,
        };
        if let Err(error) = self.to_sink(&record) {
            if record.allow {
                record.allow = false;
                record.reason = format!("refused: the audit chain cannot record it ({error})");
                record.policy = AUDIT_FAIL_CLOSED.to_string();
            }
        }
        let decision = Decision { allow: record.allow, reason: record.reason.clone(), policy: record.policy.clone() };
        self.push(record);
        decision
    }

    /// Records a refusal made before the authorizer could be asked (unknown, expired or
    /// revoked credential, malformed scope in the path).
    pub fn record_refusal(&self, request_id: &str, principal: &str, action: Action, resource: &str, reason: &str) {
        let record = DecisionRecord {
            request_id: request_id.to_string(),
            principal: principal.to_string(),
            action,
            resource: resource.to_string(),
            allow: false,
            reason: reason.to_string(),
            policy: "gate".to_string(),
        };
        // Nothing waits on a refusal's record: it is written off the async threads, so that a
        // flood of bad credentials cannot stall them on the disk.
        match (&self.sink, tokio::runtime::Handle::try_current()) {
            (Some(_), Ok(runtime)) => {
                let (log, refused) = (self.clone(), record.clone());
                drop(runtime.spawn_blocking(move || log.to_sink(&refused)));
            }
            _ => drop(self.to_sink(&record)),
        }
        self.push(record);
    }

    /// Whether a decision of `action` goes to the audit sink (a denial, or an allowed change).
    pub(crate) fn audits(&self, action: Action, allow: bool) -> bool {
        self.sink.is_some() && (!allow || !action.is_read())
    }

    /// Sends how an allowed change ended to the sink (the change is done: a failure is logged).
    pub fn outcome(&self, outcome: &OutcomeRecord) {
        tracing::debug!(request_id = %outcome.request_id, principal = %outcome.principal,
            action = outcome.action.as_str(), done = outcome.done, "outcome");
        if let Some(sink) = &self.sink {
            if let Err(error) = sink.outcome(outcome) {
                tracing::error!(request_id = %outcome.request_id, %error, "the outcome could not be audited");
            }
        }
    }

    /// Sends a denial or an allowed change to the sink; allowed reads are not audited.
    fn to_sink(&self, record: &DecisionRecord) -> Result<(), String> {
        match &self.sink {
            Some(sink) if !record.allow || !record.action.is_read() => sink.record(record).inspect_err(
                |error| tracing::error!(request_id = %record.request_id, %error, "the decision could not be audited"),
            ),
            _ => Ok(()),
        }
    }

    /// The recorded decisions, oldest first (at most `DECISION_LOG_LEN`).
    pub fn recent(&self) -> Vec<DecisionRecord> {
        self.lock().recent.iter().cloned().collect()
    }

    /// How many decisions the ring holds.
    pub fn len(&self) -> usize {
        self.lock().recent.len()
    }

    /// Whether no decision was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `groundplane_authz_decisions_total` in the Prometheus text format.
    pub fn write_metrics(&self, out: &mut String) {
        out.push_str("# HELP groundplane_authz_decisions_total Decisions of the request gate.\n");
        out.push_str("# TYPE groundplane_authz_decisions_total counter\n");
        for ((action, allow), count) in &self.lock().totals {
            let decision = if *allow { "allow" } else { "deny" };
            out.push_str(&format!(
                "groundplane_authz_decisions_total{{decision=\"{decision}\",action=\"{}\"}} {count}\n",
                action.as_str()
            ));
        }
    }

    fn push(&self, record: DecisionRecord) {
        if record.allow {
            tracing::debug!(request_id = %record.request_id, principal = %record.principal,
                action = record.action.as_str(), resource = %record.resource, policy = %record.policy, "allowed");
        } else {
            tracing::info!(request_id = %record.request_id, principal = %record.principal,
                action = record.action.as_str(), resource = %record.resource, policy = %record.policy,
                reason = %record.reason, "denied");
        }
        let mut inner = self.lock();
        *inner.totals.entry((record.action, record.allow)).or_default() += 1;
        if inner.recent.len() == DECISION_LOG_LEN {
            inner.recent.pop_front();
        }
        inner.recent.push_back(record);
    }

    fn lock(&self) -> MutexGuard<'_, LogInner> {
        // A panic while holding the lock leaves consistent data (each push is one step).
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
