use super::*;
use expect_test::{expect, Expect};

/// sat-rs' PUS-C layout (shared/real/satrs-example-capture/README.md): a 7-byte CDS time
/// field, message counter and destination id, a CRC, 2-byte failure codes, 4-byte event ids.
const SATRS: PusLayout =
    PusLayout { data_field_header_len: 14, has_crc: true, step_id_len: 4, failure_code_len: 2, event_id_len: 4 };

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

#[track_caller]
fn check(packets: &[&str], expect: Expect) {
    let lines: Vec<String> = packets.iter().map(|p| format!("{:?}", report(&hex(p), &SATRS))).collect();
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn satrs_reports() {
    // From shared/real/satrs-example-capture/listing.txt: TM[1,1] and TM[1,7] for the ping
    // TC 1802c001, TM[1,4] start failure (code 1, data 0x63) for TC[99,1] 1802c004, TM[5,1],
    // and TM[17,2] (not a report).
    check(
        &[
            "0802c00000132001010000000040624c014d972f1802c0013b43",
            "0802c00300132001070002000040624c014d97331802c001ec70",
            "0802c00c0016200104000a000040624c014dade41802c004000163f666",
            "0802c00700132005010000000040624c014d9fd000000000d0d7",
            "0802c002000f2011020000000040624c014d97337089",
        ],
        expect![[r#"
            Ok(Some(Verification(VerificationReport { request: RequestId { packet_id: 6146, sequence_control: 49153 }, stage: Acceptance, success: true, step: None, failure_code: None, failure_data: [] })))
            Ok(Some(Verification(VerificationReport { request: RequestId { packet_id: 6146, sequence_control: 49153 }, stage: Completion, success: true, step: None, failure_code: None, failure_data: [] })))
            Ok(Some(Verification(VerificationReport { request: RequestId { packet_id: 6146, sequence_control: 49156 }, stage: Start, success: false, step: None, failure_code: Some(1), failure_data: [99] })))
            Ok(Some(Event(EventReport { apid: 2, severity: Informative, event_id: 0, data: [] })))
            Ok(None)"#]],
    );
}

#[test]
fn short_reports_are_errors_and_every_truncation_is_safe() {
    let failure = hex("0802c00c0016200104000a000040624c014dade41802c004000163f666");
    let error = report(&failure[..22], &SATRS).unwrap_err();
    assert_eq!(error.to_string(), "TM[1,4] of 22 bytes: its source data needs 2 bytes from byte 20");
    for cut in 0..=failure.len() {
        let _ = report(&failure[..cut], &SATRS);
    }
    let request = RequestId { packet_id: 0x1802, sequence_control: 0xC004 };
    assert_eq!((request.apid(), request.sequence_count()), (2, 4));
}
