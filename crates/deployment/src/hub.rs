//! Live streams to subscribers (WebSocket clients, tests), fed by the ingest thread.
//!
//! Backpressure: each subscriber has a bounded queue. The ingest thread never waits on one:
//! samples that do not fit are counted and the count rides on the next message (`dropped`);
//! a subscriber that keeps dropping for `SLOW_CLIENT_MS` is disconnected with a reason. One
//! slot of every queue is kept free for that last `Closed` message.

use crate::convert;
use api::wire::{AlarmDto, CommandEventDto, EventDto, LinkStatus, LiveMessage, SampleDto, Subscription};
use base::pattern::matches;
use std::sync::Mutex;
use tm::{ParamId, Plan, Sample};
use tokio::sync::mpsc;

/// Messages a subscriber's queue holds.
pub const LIVE_QUEUE_LEN: usize = 64;
/// Samples held for one subscriber between two flushes; more are dropped and counted.
pub const PENDING_SAMPLES_MAX: usize = 50_000;
/// A subscriber that drops samples for this long is disconnected.
pub const SLOW_CLIENT_MS: u64 = 10_000;
/// Subscribers one deployment serves at once.
pub const SUBSCRIBERS_MAX: usize = 256;
/// Samples per message.
const SAMPLES_PER_MESSAGE: usize = 5_000;

/// Subscriptions waiting to be picked up by the ingest thread.
#[derive(Default)]
pub struct Inbox {
    waiting: Mutex<Vec<(Subscription, mpsc::Sender<LiveMessage>)>>,
}

impl Inbox {
    /// Queues a subscription; the stream starts at the ingest thread's next tick.
    pub fn push(&self, subscription: Subscription) -> mpsc::Receiver<LiveMessage> {
        let (tx, rx) = mpsc::channel(LIVE_QUEUE_LEN);
        self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((subscription, tx));
        rx
    }

    fn take(&self) -> Vec<(Subscription, mpsc::Sender<LiveMessage>)> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

const UNKNOWN: u8 = 0;
const NO: u8 = 1;
const YES: u8 = 2;

struct Subscriber {
    subscription: Subscription,
    /// Per parameter id: UNKNOWN until first seen, then NO or YES.
    wanted: Vec<u8>,
    tx: mpsc::Sender<LiveMessage>,
    samples: Vec<SampleDto>,
    messages: Vec<LiveMessage>,
    dropped: u64,
    dropping_since_ms: Option<u64>,
}

impl Subscriber {
    fn wants(&mut self, plan: &Plan, parameter: ParamId) -> bool {
        let idx = parameter.0 as usize;
        if idx >= self.wanted.len() {
            self.wanted.resize(idx + 1, UNKNOWN);
        }
        if self.wanted[idx] == UNKNOWN {
            let name = plan.parameter(parameter).map(|info| info.name.to_string());
            let yes = name.is_some_and(|name| self.subscription.parameters.iter().any(|p| matches(p, &name)));
            self.wanted[idx] = if yes { YES } else { NO };
        }
        self.wanted[idx] == YES
    }

    /// Sends what fits, keeping one slot free; returns false when the subscriber is gone.
    fn flush(&mut self, now_ms: u64) -> bool {
        if self.tx.is_closed() {
            return false;
        }
        while !self.messages.is_empty() && self.tx.capacity() > 1 {
            let message = self.messages.remove(0);
            if self.tx.try_send(message).is_err() {
                return false;
            }
        }
        while !self.samples.is_empty() && self.tx.capacity() > 1 {
            let rest = self.samples.split_off(self.samples.len().min(SAMPLES_PER_MESSAGE));
            let samples = std::mem::replace(&mut self.samples, rest);
            let dropped = std::mem::take(&mut self.dropped);
            if self.tx.try_send(LiveMessage::Samples { samples, dropped }).is_err() {
                return false;
            }
        }
        if self.dropped == 0 {
            self.dropping_since_ms = None;
            return true;
        }
        let since = *self.dropping_since_ms.get_or_insert(now_ms);
        if now_ms.saturating_sub(since) >= SLOW_CLIENT_MS {
            let reason = format!(
                "too slow: {} samples dropped over {} s; reconnect and subscribe to fewer parameters",
                self.dropped,
                SLOW_CLIENT_MS / 1000
            );
            let _ = self.tx.try_send(LiveMessage::Closed { reason });
            return false;
        }
        true
    }
}

/// The subscribers of one deployment. Owned by its ingest thread.
#[derive(Default)]
pub struct Hub {
    subscribers: Vec<Subscriber>,
    /// Whether any subscriber wants samples at all (the fast path skips the rest when not).
    any_samples: bool,
    /// Samples dropped for slow subscribers, in all.
    pub dropped_total: u64,
    /// Subscribers disconnected for being too slow.
    pub disconnected_total: u64,
}

impl Hub {
    /// Takes the subscriptions waiting in `inbox` (refusing those above the limit); returns
    /// how many were taken.
    pub fn admit(&mut self, inbox: &Inbox) -> usize {
        let before = self.subscribers.len();
        for (subscription, tx) in inbox.take() {
            if self.subscribers.len() >= SUBSCRIBERS_MAX {
                let reason = format!("this deployment already serves {SUBSCRIBERS_MAX} live streams");
                let _ = tx.try_send(LiveMessage::Closed { reason });
                continue;
            }
            self.subscribers.push(Subscriber {
                subscription,
                wanted: Vec::new(),
                tx,
                samples: Vec::new(),
                messages: Vec::new(),
                dropped: 0,
                dropping_since_ms: None,
            });
        }
        self.any_samples = self.subscribers.iter().any(|s| !s.subscription.parameters.is_empty());
        self.subscribers.len() - before
    }

    /// Forgets which parameter ids each subscriber wants: ids of the next samples belong to
    /// another plan (a new model version), whose names are matched again.
    pub fn forget_plan(&mut self) {
        for subscriber in &mut self.subscribers {
            subscriber.wanted.clear();
        }
    }

    /// Subscribers now.
    pub fn len(&self) -> usize {
        self.subscribers.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.subscribers.is_empty()
    }

    /// Samples of one packet.
    pub fn samples(&mut self, plan: &Plan, packet: &[u8], time_ms: u64, samples: &[Sample]) {
        if !self.any_samples {
            return;
        }
        for subscriber in &mut self.subscribers {
            for sample in samples {
                if !subscriber.wants(plan, sample.parameter) {
                    continue;
                }
                if subscriber.samples.len() >= PENDING_SAMPLES_MAX {
                    subscriber.dropped += 1;
                    self.dropped_total += 1;
                } else if let Some(dto) = convert::sample(plan, packet, time_ms, sample) {
                    subscriber.samples.push(dto);
                }
            }
        }
    }

    /// Whether any subscriber wants alarms (so that the caller converts them only then).
    pub fn wants_alarms(&self) -> bool {
        self.subscribers.iter().any(|s| s.subscription.alarms)
    }

    /// Whether any subscriber wants events.
    pub fn wants_events(&self) -> bool {
        self.subscribers.iter().any(|s| s.subscription.events)
    }

    /// An alarm change.
    pub fn alarm(&mut self, alarm: &AlarmDto) {
        self.message(|s| s.alarms, || LiveMessage::Alarm { alarm: alarm.clone() });
    }

    /// An event.
    pub fn event(&mut self, event: &EventDto) {
        self.message(|s| s.events, || LiveMessage::Event { event: event.clone() });
    }

    /// A command's transition.
    pub fn command(&mut self, event: &CommandEventDto) {
        self.message(|s| s.commands, || LiveMessage::Command { event: event.clone() });
    }

    /// A link's status.
    pub fn link(&mut self, link: &LinkStatus) {
        self.message(|s| s.links, || LiveMessage::Link { link: link.clone() });
    }

    fn message(&mut self, wants: impl Fn(&Subscription) -> bool, make: impl Fn() -> LiveMessage) {
        for subscriber in &mut self.subscribers {
            if wants(&subscriber.subscription) {
                if subscriber.messages.len() >= LIVE_QUEUE_LEN {
                    subscriber.dropped += 1;
                    self.dropped_total += 1;
                } else {
                    subscriber.messages.push(make());
                }
            }
        }
    }

    /// Sends what is pending to every subscriber; drops the gone and the too slow.
    pub fn flush(&mut self, now_ms: u64) {
        let before = self.subscribers.len();
        let mut slow = 0;
        self.subscribers.retain_mut(|subscriber| {
            let keep = subscriber.flush(now_ms);
            if !keep && !subscriber.tx.is_closed() {
                slow += 1;
            }
            keep
        });
        self.disconnected_total += slow;
        if self.subscribers.len() != before {
            self.any_samples = self.subscribers.iter().any(|s| !s.subscription.parameters.is_empty());
        }
    }
}

#[cfg(test)]
mod tests;
