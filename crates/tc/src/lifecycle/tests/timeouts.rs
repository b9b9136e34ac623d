//! Verification stages whose window closes without a report.

use super::*;

#[test]
fn acceptance_times_out_at_the_end_of_its_window_and_not_a_ms_earlier() {
    let deadline_ms = 1000 + ACCEPTANCE_WINDOW_MS;
    check(
        ReleaseMode::Automatic,
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (deadline_ms, Tick),
            (deadline_ms + 1, Tick),
            (deadline_ms + 2, Report(1, Acceptance, Says::Ok)),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
             11001 #1 timed_out - no acceptance report within 10000 ms of sending
             11002 unmatched RequestId { packet_id: 6244, sequence_control: 49153 } Acceptance
            live: []"#]],
    );
}

#[test]
fn completion_times_out_at_the_end_of_its_window_and_not_a_ms_earlier() {
    // Acceptance and completion only (MIB CCF_ACK 9), both counted from sending.
    let deadline_ms = 1000 + COMPLETION_WINDOW_MS;
    check_with(
        ReleaseMode::Automatic,
        0b1001,
        &[
            (1000, Submit(1, Warning, None)),
            (1000, Send),
            (1500, Report(1, Acceptance, Says::Ok)),
            (deadline_ms, Tick),
            (deadline_ms + 1, Tick),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 queued - automatic queue
              1000 #1 released - automatic release
              1000 #1 sent - 9 bytes
              1500 #1 accepted - acceptance reported
             61001 #1 timed_out - no completion report within 60000 ms of sending
            live: []"#]],
    );
}
