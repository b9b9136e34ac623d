//! The `TmSink` of the ingest thread: a link's results to the archive writer, the live hub
//! and the command book.

use crate::commanding::book::{Board, Book, Record};
use crate::convert;
use crate::hub::Hub;
use tm::alarms::AlarmChange;
use tm::link::{ReceivedUnit, TmSink};
use tm::pus::PusReport;
use tm::{ContainerId, Plan, Sample};

/// The `TmSink` of one link during one call: writes to the archive and the hub.
pub(super) struct Sink<'a, 'p> {
    pub(super) plan: &'p Plan,
    pub(super) link: &'a str,
    pub(super) writer: &'a mut archive::Writer,
    pub(super) hub: &'a mut Hub,
    pub(super) book: &'a mut Book,
    pub(super) board: &'a Board,
    /// Whether the mission's TM is PUS (service replies are looked for).
    pub(super) pus: bool,
    pub(super) packets: u64,
    pub(super) samples: u64,
}

impl TmSink for Sink<'_, '_> {
    fn unit(&mut self, unit: &ReceivedUnit<'_>) {
        self.writer.unit(self.link, unit);
        // A reply a command waits for (TM[17,2]) counts whether or not the model decodes it.
        if self.pus && unit.kind == tm::link::UnitKind::Packet && !self.book.is_empty() {
            let mut record = Record { writer: self.writer, hub: self.hub, board: self.board };
            self.book.service_reply(unit.bytes, unit.reception_ms, &mut record);
        }
    }

    fn packet(&mut self, reception_ms: u64, container: ContainerId, packet: &[u8], samples: &[Sample]) {
        self.packets += 1;
        self.samples += samples.len() as u64;
        self.writer.packet(self.plan, reception_ms, container, packet, samples);
        self.hub.samples(self.plan, packet, reception_ms, samples);
        if !self.book.is_empty() {
            let mut record = Record { writer: self.writer, hub: self.hub, board: self.board };
            self.book.telemetry(self.plan, samples, reception_ms, &mut record);
        }
    }

    fn report(&mut self, reception_ms: u64, report: &PusReport) {
        if let PusReport::Verification(report) = report {
            let mut record = Record { writer: self.writer, hub: self.hub, board: self.board };
            self.book.report(report, reception_ms, &mut record);
        }
        if let PusReport::Event(event) = report {
            let record = archive::EventRecord {
                time_ms: reception_ms,
                severity: event.severity.into(),
                source: format!("apid {}", event.apid),
                event_id: event.event_id,
                message: format!("PUS 5 event {}", event.event_id),
                data: event.data.clone(),
            };
            self.writer.event(&record);
            if self.hub.wants_events() {
                self.hub.event(&convert::event(&record));
            }
        }
    }

    fn alarm(&mut self, change: &AlarmChange) {
        self.writer.alarm(self.plan, change);
        if self.hub.wants_alarms() {
            self.hub.alarm(&convert::alarm(self.plan, change));
        }
    }
}
