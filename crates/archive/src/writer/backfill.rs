//! Backfill: the samples of a time range replaced by those of archived packets decoded again
//! (with a fixed model version, say). The packets are decoded into sealed segments before
//! anything changes; `slice` then writes the one transaction, and only once it has committed
//! is the writer's memory moved on.

use super::series::{labels, sample_inputs, series_name, SealedSegment, Series};
use super::slice::{self, TailChange};
use super::{commit, Writer};
use crate::codec::segment::SegmentEncoder;
use crate::{ArchiveError, BackfillReport};
use std::collections::HashMap;
use tm::{Plan, Processor, Sample};

/// One series' samples decoded from the backfill packets, as sealed segments in time order.
pub(super) struct NewSeries {
    pub name: String,
    pub segments: Vec<SealedSegment>,
}

/// One series' samples as they are collected: (time, packet, sample).
struct Collected<'a> {
    name: String,
    labels: Vec<String>,
    text: bool,
    samples: Vec<(u64, &'a [u8], Sample)>,
}

pub(super) fn backfill(
    writer: &mut Writer,
    plan: &Plan,
    from_ms: u64,
    to_ms: u64,
    packets: &[(u64, &[u8])],
) -> Result<BackfillReport, ArchiveError> {
    if from_ms >= to_ms {
        return Err(ArchiveError::BadRange { from_ms, to_ms });
    }
    if let Some((packet_idx, &(time_ms, _))) =
        packets.iter().enumerate().find(|(_, (time_ms, _))| !(from_ms..to_ms).contains(time_ms))
    {
        return Err(ArchiveError::PacketOutsideRange { packet_idx, time_ms, from_ms, to_ms });
    }
    let segment_samples_max = writer.options.segment_samples_max.max(1);
    let (new_series, mut report) = decode_packets(plan, packets, segment_samples_max);
    // The slice goes on top of a consistent state: nothing pending, every open segment in its
    // row.
    commit::commit(writer)?;
    let sliced = slice::apply(writer, (from_ms, to_ms), &new_series)?;
    // Committed: move the memory on.
    for change in sliced.changes {
        let idx = match change.idx {
            Some(idx) => idx,
            None => {
                let idx = writer.series.len();
                let mut series = Series::new(change.id, change.name);
                series.is_new = false;
                writer.next_series_id = writer.next_series_id.max(change.id + 1);
                // Invariant: fewer than u32::MAX - 1 series (names come from a model).
                writer.series_by_name.insert(series.name.clone(), idx as u32);
                writer.series.push(series);
                idx
            }
        };
        let series = &mut writer.series[idx];
        series.samples = change.samples;
        series.first_ms = change.first_ms;
        series.max_ms = change.max_ms;
        series.backwards = change.backwards;
        match change.tail {
            TailChange::Keep => {}
            TailChange::Closed => {
                series.enc.clear();
                series.tail_rowid = None;
                series.durable_count = 0;
            }
            TailChange::Moved(rowid) => series.tail_rowid = Some(rowid),
        }
    }
    writer.stored.samples = sliced.samples_total;
    report.removed = sliced.removed;
    report.added = sliced.added;
    Ok(report)
}

/// Decodes the packets in order with one processor and encodes each series' samples, sorted
/// by time (stable: arrival order within a millisecond), into sealed segments.
fn decode_packets(
    plan: &Plan,
    packets: &[(u64, &[u8])],
    segment_samples_max: usize,
) -> (Vec<NewSeries>, BackfillReport) {
    let mut report = BackfillReport::default();
    let mut processor = Processor::new(plan);
    let mut by_slot: HashMap<(u32, u32), Option<usize>> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut collected: Vec<Collected<'_>> = Vec::new();
    let mut samples = Vec::new();
    for &(time_ms, packet) in packets {
        samples.clear();
        if processor.process(packet, &mut samples).is_err() {
            report.undecodable += 1;
            continue;
        }
        report.packets += 1;
        for sample in &samples {
            let slot = *by_slot.entry((sample.parameter.0, sample.element)).or_insert_with(|| {
                let name = series_name(plan, sample.parameter, sample.element)?;
                Some(*by_name.entry(name.clone()).or_insert_with(|| {
                    let text = plan.parameter(sample.parameter).is_some_and(|info| info.text);
                    collected.push(Collected { name, labels: labels(plan, sample), text, samples: Vec::new() });
                    collected.len() - 1
                }))
            });
            if let Some(idx) = slot {
                collected[idx].samples.push((time_ms, packet, *sample));
            }
        }
    }
    let new_series = collected.into_iter().map(|series| encode(series, segment_samples_max)).collect();
    (new_series, report)
}

fn encode(mut series: Collected<'_>, segment_samples_max: usize) -> NewSeries {
    series.samples.sort_by_key(|&(time_ms, _, _)| time_ms);
    let mut segments = Vec::with_capacity(series.samples.len().div_ceil(segment_samples_max));
    let mut enc = SegmentEncoder::default();
    for chunk in series.samples.chunks(segment_samples_max) {
        enc.clear();
        for &(time_ms, packet, ref sample) in chunk {
            let (raw, eng, meta) = sample_inputs(sample, packet, series.text);
            enc.push(time_ms, raw, eng, meta);
        }
        let mut blob = Vec::new();
        enc.finish(&series.labels, &mut blob);
        segments.push(SealedSegment {
            first_ms: enc.first_ms,
            last_ms: enc.last_ms,
            count: enc.count,
            agg: enc.agg,
            blob,
            replaces: None,
        });
    }
    NewSeries { name: series.name, segments }
}
