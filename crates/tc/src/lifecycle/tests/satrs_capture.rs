//! The sat-rs example OBSW's real answers (shared/real/satrs-example-capture) verify the
//! telecommands it received: TM[1,x] by request id, TM[17,2] as the reply to TC[17,1].

use super::*;
use tm::pus::{PusLayout, PusReport};

/// sat-rs' PUS-C TM layout (the capture's README): a 7-byte CDS time field, message counter
/// and destination id, a CRC, 2-byte failure codes, 4-byte event ids.
const SATRS: PusLayout =
    PusLayout { data_field_header_len: 14, has_crc: true, step_id_len: 4, failure_code_len: 2, event_id_len: 4 };

/// Submits and sends every TC of the capture (expectations from its ack flags and service),
/// feeds every TM in arrival order, and prints what each TM did.
fn replay(tc_bytes: &[u8], tm_bytes: &[u8]) -> String {
    let mut queue = Queue::new(ReleaseMode::Automatic);
    let mut lines = Vec::new();
    let mut time_ms = 1000;
    for (idx, packet) in ccsds::whole_packets(tc_bytes).into_iter().enumerate() {
        let tc = crate::pus::parse_pus_tc(packet).unwrap_or_else(|error| panic!("capture TC {idx}: {error}"));
        let request_id = RequestId::of_packet(packet).expect("a whole packet");
        let command = Command {
            id: CommandId(idx as u64 + 1),
            name: format!("TC[{},{}]", tc.service, tc.subtype),
            principal: "alice".to_string(),
            arguments: Vec::new(),
            bytes: packet.to_vec(),
            significance: SignificanceLevel::None,
            request_id,
            release_at_ms: None,
            expected: expected_for_pus_tc(&tc, &[]),
            scheduled: None,
        };
        let id = command.id;
        let labels: Vec<String> = command.expected.iter().map(Expectation::label).collect();
        lines.push(format!("#{id} {} ack {:04b} expects {}", command.name, tc.ack_flags, labels.join(", ")));
        queue.submit(command, time_ms).expect("capture TCs have distinct request ids");
        queue.sent(id, time_ms).expect("released at once in automatic mode");
        time_ms += 10;
    }
    for packet in ccsds::whole_packets(tm_bytes) {
        time_ms += 10;
        let apid = u16::from_be_bytes([packet[0] & 0x07, packet[1]]);
        let kind = match (packet.get(7), packet.get(8)) {
            (Some(service), Some(subtype)) => (*service, *subtype),
            _ => panic!("capture TM without a PUS header: {}", base::hex(packet)),
        };
        let what = match tm::pus::report(packet, &SATRS) {
            Ok(Some(PusReport::Verification(report))) => match queue.report(&report, time_ms) {
                ReportMatch::Matched(events) => describe_events(&events),
                ReportMatch::Unmatched(report) => format!("unmatched {:?}", report.request),
            },
            Ok(Some(PusReport::Event(event))) => format!("event {} (not about a command)", event.event_id),
            Ok(None) => match queue.service_reply(apid, kind.0, kind.1, time_ms) {
                Some(events) => describe_events(&events),
                None => "no command waits for it".to_string(),
            },
            Err(error) => format!("unreadable: {error}"),
        };
        lines.push(format!("TM[{},{}] APID {apid}: {what}", kind.0, kind.1));
    }
    let live: Vec<String> =
        queue.commands().iter().map(|status| format!("#{} {}", status.command.id, status.state)).collect();
    lines.push(format!("live: [{}]", live.join(", ")));
    lines.join("\n")
}

fn describe_events(events: &[HistoryEvent]) -> String {
    let events: Vec<String> =
        events.iter().map(|event| format!("#{} {} - {}", event.command, event.state, event.detail)).collect();
    events.join("; ")
}

#[test]
fn every_report_of_the_satrs_capture_matches_its_telecommand() {
    let files = test_utils::real_files("satrs-example-capture", &["tc_sent.bin", "tm_received.bin"]);
    expect![[r#"
        #1 TC[17,1] ack 1111 expects acceptance, start, completion, TM[17,2] reply
        #2 TC[17,128] ack 1111 expects acceptance, start, completion
        #3 TC[3,27] ack 1111 expects acceptance, start, completion
        #4 TC[99,1] ack 1111 expects acceptance, start, completion
        TM[1,1] APID 2: #1 accepted - acceptance reported
        TM[1,3] APID 2: #1 started - start reported
        TM[17,2] APID 2: #1 progress - TM[17,2] reply received; waiting for completion
        TM[1,7] APID 2: #1 completed - completion reported
        TM[1,1] APID 2: #2 accepted - acceptance reported
        TM[1,3] APID 2: #2 started - start reported
        TM[1,7] APID 2: #2 completed - completion reported
        TM[5,1] APID 2: event 0 (not about a command)
        TM[1,1] APID 2: #3 accepted - acceptance reported
        TM[1,3] APID 2: #3 started - start reported
        TM[3,25] APID 3: no command waits for it
        TM[1,7] APID 2: #3 completed - completion reported
        TM[1,1] APID 2: #4 accepted - acceptance reported
        TM[1,4] APID 2: #4 failed - start failed: code 1, data 63
        live: []"#]]
    .assert_eq(&replay(&files[0].1, &files[1].1));
}
