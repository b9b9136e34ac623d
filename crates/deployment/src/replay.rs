//! Replay: archived packets of a time range re-run through a model version (the running one,
//! or an earlier or later one the deployment has run) into a stream, at a chosen speed or as
//! fast as the reader takes them. The realtime archive is not touched.

use crate::ingest::Input;
use crate::platform::archive_error;
use crate::{convert, Deployment};
use api::backend::{BackendError, LiveReceiver};
use api::wire::{LiveMessage, ReplayRequest, SampleDto};
use base::pattern::matches;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tm::{Plan, Processor};
use tokio::sync::mpsc;

/// Units read from the archive at a time.
const PAGE_LEN: usize = 1_000;
/// Samples per replay message.
const SAMPLES_PER_MESSAGE: usize = 2_000;
/// Messages queued for the reader; replay waits for it (a replay is paced by its reader).
const QUEUE_LEN: usize = 16;
/// Fastest replay speed accepted (× real time).
pub const SPEED_MAX: f64 = 1_000_000.0;

/// Checks the request and starts the replay on its own thread.
pub fn start(deployment: &Arc<Deployment>, request: &ReplayRequest) -> Result<LiveReceiver, BackendError> {
    let bad = |field: &str, reason: String| BackendError::BadRequest { field: field.into(), reason };
    if request.from_ms >= request.to_ms {
        return Err(bad("from", format!("from ({}) must be before to ({})", request.from_ms, request.to_ms)));
    }
    if let Some(speed) = request.speed {
        if !(speed > 0.0 && speed <= SPEED_MAX) {
            return Err(bad("speed", format!("{speed} is not a speed between 0 (exclusive) and {SPEED_MAX}")));
        }
    }
    let plan = match &request.model_digest {
        None => deployment.plan(),
        Some(digest) => {
            let model = deployment
                .model_version(digest)
                .ok_or_else(|| BackendError::NotFound { what: "model version", name: digest.clone() })?;
            let plan = Plan::compile(&model).map_err(|e| bad("model_digest", format!("cannot compile: {e}")))?;
            Arc::new(plan)
        }
    };
    let (tx, rx) = mpsc::channel(QUEUE_LEN);
    let deployment = deployment.clone();
    let request = request.clone();
    std::thread::Builder::new()
        .name(format!("replay {}", deployment.scope))
        .spawn(move || {
            if let Err(error) = run(&deployment, plan, &request, &tx) {
                let _ = tx.blocking_send(LiveMessage::Closed { reason: error.to_string() });
            }
        })
        .map_err(|e| BackendError::Internal(format!("cannot start a replay thread: {e}")))?;
    Ok(rx)
}

fn run(
    deployment: &Deployment,
    plan_arc: Arc<Plan>,
    request: &ReplayRequest,
    tx: &mpsc::Sender<LiveMessage>,
) -> Result<(), BackendError> {
    let plan = &*plan_arc;
    let mut backfill = request.backfill.then(|| Backfill::new(plan_arc.clone(), request.from_ms));
    let mut processor = Processor::new(plan);
    let mut samples = Vec::new();
    let mut batch: Vec<SampleDto> = Vec::new();
    let (mut n_units, mut n_samples) = (0u64, 0u64);
    let mut cursor: Option<String> = None;
    let started = Instant::now();
    let mut first_ms = None;
    let wanted = |name: &str| request.parameters.is_empty() || request.parameters.iter().any(|p| matches(p, name));
    loop {
        let page = deployment
            .read(|r| r.units(request.from_ms, request.to_ms, None, cursor.as_deref(), PAGE_LEN))
            .map_err(archive_error)?;
        for unit in &page.items {
            if unit.kind != tm::link::UnitKind::Packet {
                continue;
            }
            n_units += 1;
            if let Some(speed) = request.speed {
                let first = *first_ms.get_or_insert(unit.time_ms);
                let due = Duration::from_secs_f64(unit.time_ms.saturating_sub(first) as f64 / 1000.0 / speed);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    if !send(tx, &mut batch) {
                        return Ok(());
                    }
                    std::thread::sleep(wait);
                }
            }
            samples.clear();
            if processor.process(&unit.bytes, &mut samples).is_err() {
                continue;
            }
            for sample in &samples {
                let Some(dto) = convert::sample(plan, &unit.bytes, unit.time_ms, sample) else { continue };
                if wanted(dto.parameter.split('[').next().unwrap_or_default()) {
                    n_samples += 1;
                    batch.push(dto);
                }
            }
            if batch.len() >= SAMPLES_PER_MESSAGE && !send(tx, &mut batch) {
                return Ok(());
            }
        }
        if let Some(backfill) = &mut backfill {
            backfill.page(deployment, &page.items, page.next.is_some(), request.to_ms)?;
        }
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    if send(tx, &mut batch) {
        let backfilled = backfill.map_or(0, |b| b.added);
        let _ = tx.blocking_send(LiveMessage::ReplayDone { units: n_units, samples: n_samples, backfilled });
    }
    Ok(())
}

/// Backfill: each page of archived units becomes one slice of time whose parameter samples
/// the archive replaces, atomically, with those decoded by the replay's model. Slices cover
/// the requested range without gaps or overlaps; units sharing the last millisecond of a page
/// are carried into the next slice, so a millisecond is never split.
struct Backfill {
    plan: Arc<Plan>,
    slice_from_ms: u64,
    carry: Vec<(u64, Vec<u8>)>,
    added: u64,
}

impl Backfill {
    fn new(plan: Arc<Plan>, from_ms: u64) -> Self {
        Backfill { plan, slice_from_ms: from_ms, carry: Vec::new(), added: 0 }
    }

    fn page(
        &mut self,
        deployment: &Deployment,
        units: &[archive::StoredUnit],
        more: bool,
        to_ms: u64,
    ) -> Result<(), BackendError> {
        let mut packets = std::mem::take(&mut self.carry);
        packets.extend(
            units.iter().filter(|u| u.kind == tm::link::UnitKind::Packet).map(|u| (u.time_ms, u.bytes.clone())),
        );
        let slice_to_ms = match (more, units.last()) {
            (true, Some(last)) => {
                let split = packets.partition_point(|(time_ms, _)| *time_ms < last.time_ms);
                self.carry = packets.split_off(split);
                last.time_ms
            }
            _ => to_ms,
        };
        if slice_to_ms <= self.slice_from_ms {
            self.carry.splice(0..0, packets);
            return Ok(());
        }
        let (reply, answer) = std::sync::mpsc::channel();
        let input = Input::Backfill {
            plan: self.plan.clone(),
            from_ms: self.slice_from_ms,
            to_ms: slice_to_ms,
            packets,
            reply,
        };
        deployment.send_blocking(input).map_err(BackendError::Internal)?;
        let report = answer
            .recv_timeout(BACKFILL_SLICE_TIMEOUT)
            .map_err(|_| BackendError::Internal("the ingest thread did not finish a backfill slice".into()))?
            .map_err(|e| BackendError::Internal(format!("backfill failed (slices before it are applied): {e}")))?;
        self.added += report.added;
        self.slice_from_ms = slice_to_ms;
        Ok(())
    }
}

/// Longest wait for the ingest thread to apply one backfill slice.
const BACKFILL_SLICE_TIMEOUT: Duration = Duration::from_secs(120);

#[cfg(test)]
mod tests;

/// Sends the batch; false when the reader is gone.
fn send(tx: &mpsc::Sender<LiveMessage>, batch: &mut Vec<SampleDto>) -> bool {
    if batch.is_empty() {
        return !tx.is_closed();
    }
    tx.blocking_send(LiveMessage::Samples { samples: std::mem::take(batch), dropped: 0 }).is_ok()
}
