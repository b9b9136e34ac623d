//! Answering telecommands: PUS 1 verification reports, PUS 17 ping, PUS 3 housekeeping
//! switching, PUS 11 scheduling (in `schedule`), and the scenario's rejections and delays.

use crate::packet::{be_bytes, pus_packet};
use crate::scenario::RejectTarget;
use crate::sim::Simulator;
use model::{MissionModel, QualifiedName};

/// Failure code of a telecommand that could not be read (bad length, CRC, header).
pub const FAILURE_MALFORMED: u64 = 1;
/// Failure code of a well-formed telecommand the model does not define.
pub const FAILURE_UNKNOWN_COMMAND: u64 = 2;
/// Failure code of application data the simulator cannot read: at the start of execution of
/// TC[3,5]/TC[3,6], at acceptance of a TC[11,4] (its layout, or a request it schedules).
pub const FAILURE_INVALID_DATA: u64 = 3;

/// A command of the model, by its PUS identification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KnownCommand {
    pub name: QualifiedName,
    pub apid: Option<u16>,
    pub service: u8,
    pub subtype: u8,
}

/// The PUS identification of the model's concrete commands: a MIB's CCF, or the XTCE
/// argument assignments `type`/`service`, `subtype` and `apid` along the base chain.
pub(crate) fn known_commands(model: &MissionModel) -> Vec<KnownCommand> {
    let mut known = Vec::new();
    for (name, command) in model.commands.iter().filter(|(_, c)| !c.r#abstract) {
        if let Some(id) = &command.pus {
            known.push(KnownCommand {
                name: name.clone(),
                apid: Some(id.apid),
                service: id.service,
                subtype: id.subtype,
            });
            continue;
        }
        let Ok(chain) = tc::args::resolve_chain(model, name) else { continue };
        let assigned = |names: &[&str]| {
            chain
                .iter()
                .filter_map(|c| c.base.as_ref())
                .flat_map(|b| &b.assignments)
                .find(|a| names.contains(&a.argument.as_str()))
                .and_then(|a| a.value.trim().parse::<u16>().ok())
        };
        if let (Some(service), Some(subtype)) = (assigned(&["type", "service"]), assigned(&["subtype"])) {
            if let (Ok(service), Ok(subtype)) = (u8::try_from(service), u8::try_from(subtype)) {
                known.push(KnownCommand { name: name.clone(), apid: assigned(&["apid"]), service, subtype });
            }
        }
    }
    known
}

impl Simulator {
    /// Answers one telecommand: verification reports for the stages its ack flags ask for
    /// (failures always), TM[17,2] for a ping, housekeeping switched by TC[3,5]/TC[3,6],
    /// the time-based schedule run by TC[11,1] to TC[11,4] (activities released by a later
    /// `tick`; see `scheduled`).
    /// Bytes that are no PUS-C telecommand get an acceptance failure when a request id can
    /// be read (four bytes of a telecommand header), and nothing otherwise. With a scenario
    /// verification delay, the reports come from a later `tick`.
    pub fn telecommand(&mut self, bytes: &[u8], now_ms: u64) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let tc = match tc::pus::parse_pus_tc(bytes) {
            Ok(tc) => tc,
            Err(_) => {
                if bytes.len() >= 4 && bytes[0] >> 5 == 0 && bytes[0] & 0x10 != 0 {
                    let apid = u16::from_be_bytes([bytes[0], bytes[1]]) & 0x07FF;
                    let report = self.verification(apid, &bytes[..4], 2, Some(FAILURE_MALFORMED), now_ms);
                    self.send(report, now_ms, &mut out);
                }
                return out;
            }
        };
        let request = &bytes[..4];
        let (apid, service, subtype) = (tc.apid, tc.service, tc.subtype);
        // The command of that APID, or else of any APID (a simulator answers on every APID).
        let same_type = |c: &&KnownCommand| c.service == service && c.subtype == subtype;
        let known = (self.commands.iter().filter(same_type).find(|c| c.apid.is_none_or(|a| a == apid)))
            .or_else(|| self.commands.iter().find(same_type))
            .map(|c| c.name.clone());
        let builtin = matches!((service, subtype), (17, 1) | (3, 5) | (3, 6) | (11, 1..=4));
        let rejected = self.scenario.rejects.iter().find(|r| match &r.target {
            RejectTarget::Command(name) => known.as_ref() == Some(name),
            RejectTarget::Pus { service: s, subtype: t } => (*s, *t) == (service, subtype),
        });
        let failure = match rejected {
            Some(reject) => Some(reject.code),
            None if known.is_none() && !builtin => Some(FAILURE_UNKNOWN_COMMAND),
            None => None,
        };
        if let Some(code) = failure {
            let report = self.verification(apid, request, 2, Some(code), now_ms);
            self.send(report, now_ms, &mut out);
            return out;
        }
        if service == tc::pus11::SERVICE && (1..=4).contains(&subtype) {
            self.time_based_schedule(&tc, request, now_ms, &mut out);
            return out;
        }
        let wants = |bit: u8| tc.ack_flags & bit != 0;
        if wants(0b1000) {
            let report = self.verification(apid, request, 1, None, now_ms);
            self.send(report, now_ms, &mut out);
        }
        let housekeeping = matches!((service, subtype), (3, 5) | (3, 6));
        let structure_ids = if housekeeping { self.structure_ids(&tc.app_data) } else { Some(Vec::new()) };
        let Some(structure_ids) = structure_ids else {
            let report = self.verification(apid, request, 4, Some(FAILURE_INVALID_DATA), now_ms);
            self.send(report, now_ms, &mut out);
            return out;
        };
        if wants(0b0100) {
            let report = self.verification(apid, request, 3, None, now_ms);
            self.send(report, now_ms, &mut out);
        }
        if (service, subtype) == (17, 1) {
            let sequence_count = self.next_sequence_count(apid);
            let header = self.pus_header(apid, 17, 2);
            out.push(pus_packet(&self.config.pus, apid, sequence_count, header, &[], now_ms));
        }
        if housekeeping {
            self.switch_housekeeping(&structure_ids, subtype == 5);
        }
        if wants(0b0001) {
            let report = self.verification(apid, request, 7, None, now_ms);
            self.send(report, now_ms, &mut out);
        }
        out
    }

    /// The structure ids of TC[3,5] and TC[3,6]: N (one byte), then N ids of
    /// `structure_id_len` bytes; `None` when the data does not have that shape.
    fn structure_ids(&self, app_data: &[u8]) -> Option<Vec<u64>> {
        let id_len = self.config.pus.structure_id_len;
        match app_data.split_first() {
            None => Some(Vec::new()),
            Some((n, rest)) if rest.len() == usize::from(*n) * id_len && (1..=8).contains(&id_len) => Some(
                rest.chunks(id_len).map(|chunk| chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))).collect(),
            ),
            Some(_) => None,
        }
    }

    /// Enables or disables housekeeping: the containers of service 3 subtype 25 whose
    /// structure id (the first pinned value of their source data, or a MIB's PI1) is listed
    /// switch; when no id is listed or none maps to a container, all of them do.
    fn switch_housekeeping(&mut self, ids: &[u64], enable: bool) {
        let is_hk = |s: &crate::sim::Stream| s.layout.pus == Some((3, 25));
        let listed = |s: &crate::sim::Stream| s.layout.structure_id.is_some_and(|id| ids.contains(&id));
        let any_mapped = self.streams.iter().any(|s| is_hk(s) && listed(s));
        for stream in self.streams.iter_mut().filter(|s| is_hk(s)) {
            if !any_mapped || listed(stream) {
                stream.enabled = enable;
            }
        }
    }

    /// A TM[1,subtype] report about the request `request` (its first four bytes).
    pub(crate) fn verification(
        &mut self,
        apid: u16,
        request: &[u8],
        subtype: u8,
        failure: Option<u64>,
        now_ms: u64,
    ) -> Vec<u8> {
        let mut source = request.to_vec();
        if let Some(code) = failure {
            source.extend(be_bytes(code, self.config.pus.failure_code_len));
        }
        let sequence_count = self.next_sequence_count(apid);
        let header = self.pus_header(apid, 1, subtype);
        pus_packet(&self.config.pus, apid, sequence_count, header, &source, now_ms)
    }

    /// Sends a verification report now, or holds it for the scenario's delay.
    pub(crate) fn send(&mut self, report: Vec<u8>, now_ms: u64, out: &mut Vec<Vec<u8>>) {
        let delay = self.scenario.verification_delay_ms;
        if delay == 0 {
            out.push(report);
            return;
        }
        if self.held.len() >= crate::sim::HELD_MAX {
            out.push(self.held.remove(0).1);
        }
        self.held.push((now_ms.saturating_add(delay), report));
    }
}
