use super::*;
use crate::tests::{jpss_packets, jpss_plan};
use tm::Processor;

/// Decodes the JPSS packets and publishes each one's samples, flushing every `per_flush`
/// packets at `ms_per_flush` steps; `drain` reads the second subscriber between flushes.
fn publish(
    hub: &mut Hub,
    plan: &Plan,
    packets: &[Vec<u8>],
    per_flush: usize,
    ms_per_flush: u64,
    drain: &mut mpsc::Receiver<LiveMessage>,
) -> Vec<LiveMessage> {
    let mut processor = Processor::new(plan);
    let mut samples = Vec::new();
    let mut received = Vec::new();
    for (idx, packet) in packets.iter().enumerate() {
        samples.clear();
        processor.process(packet, &mut samples).unwrap();
        hub.samples(plan, packet, idx as u64, &samples);
        if (idx + 1) % per_flush == 0 {
            hub.flush((idx / per_flush) as u64 * ms_per_flush);
            while let Ok(message) = drain.try_recv() {
                received.push(message);
            }
        }
    }
    received
}

fn samples_in(messages: &[LiveMessage]) -> (usize, u64) {
    messages.iter().fold((0, 0), |(n, dropped), message| match message {
        LiveMessage::Samples { samples, dropped: d } => (n + samples.len(), dropped + d),
        _ => (n, dropped),
    })
}

#[test]
fn a_subscriber_gets_only_what_it_asked_for() {
    let plan = jpss_plan();
    let packets = jpss_packets();
    let inbox = Inbox::default();
    let mut rx = inbox.push(Subscription { parameters: vec!["*ADAE*".into()], ..Subscription::default() });
    let mut hub = Hub::default();
    hub.admit(&inbox);
    let received = publish(&mut hub, &plan, &packets[..100], 10, 100, &mut rx);
    let names: std::collections::BTreeSet<_> = received
        .iter()
        .flat_map(|m| match m {
            LiveMessage::Samples { samples, .. } => samples.iter().map(|s| s.parameter.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|name| name.contains("ADAE")), "{names:?}");
    assert_eq!(samples_in(&received).1, 0, "nothing dropped for a client that reads");
}

#[test]
fn a_slow_subscriber_is_flagged_then_disconnected_and_never_slows_the_others() {
    let plan = jpss_plan();
    let packets: Vec<Vec<u8>> = jpss_packets().into_iter().cycle().take(40_000).collect();
    let inbox = Inbox::default();
    let everything = Subscription { parameters: vec!["*".into()], ..Subscription::default() };
    let mut slow = inbox.push(everything.clone());
    let mut fast = inbox.push(everything);
    let mut hub = Hub::default();
    hub.admit(&inbox);
    // 100 packets per flush, 100 ms apart: 40 s of data.
    let received = publish(&mut hub, &plan, &packets, 100, 100, &mut fast);
    let mut processor = Processor::new(&plan);
    let mut samples = Vec::new();
    let expected: usize = packets
        .iter()
        .map(|p| {
            samples.clear();
            processor.process(p, &mut samples).unwrap();
            samples.len()
        })
        .sum();
    assert_eq!(samples_in(&received), (expected, 0), "the reading client got every sample");
    let mut slow_messages = Vec::new();
    while let Ok(message) = slow.try_recv() {
        slow_messages.push(message);
    }
    assert_eq!(slow_messages.len(), LIVE_QUEUE_LEN, "the queue filled, the last slot holds the reason");
    let Some(LiveMessage::Closed { reason }) = slow_messages.last() else { panic!("{:?}", slow_messages.last()) };
    assert!(reason.starts_with("too slow"), "{reason}");
    assert_eq!(hub.len(), 1, "the slow client is gone, the fast one stays");
    assert_eq!(hub.disconnected_total, 1);
    assert!(hub.dropped_total > 0);
}

#[test]
fn a_gone_subscriber_is_removed_and_the_limit_holds() {
    let inbox = Inbox::default();
    let receivers: Vec<_> = (0..SUBSCRIBERS_MAX + 1).map(|_| inbox.push(Subscription::default())).collect();
    let mut hub = Hub::default();
    hub.admit(&inbox);
    assert_eq!(hub.len(), SUBSCRIBERS_MAX);
    let mut refused = receivers.into_iter().last().unwrap();
    assert!(matches!(refused.try_recv(), Ok(LiveMessage::Closed { .. })));
    drop(refused);
    hub.flush(0);
    assert_eq!(hub.len(), 0, "dropped receivers are removed at the next flush");
}
