//! Two-person approval of hazardous commands, and cancelling.

use super::*;

#[test]
fn hazardous_command_needs_a_second_principal_approving_its_digest() {
    check(
        ReleaseMode::Manual,
        &[
            (1000, Submit(1, Critical, None)),
            (1010, Release(1, "bob")),
            (1020, Send),
            (1030, Approve(1, "alice", true)),
            (1040, Approve(1, "bob", false)),
            (1050, Approve(1, "bob", true)),
            (1060, Approve(1, "carol", true)),
            (1070, Release(1, "carol")),
            (1080, Send),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 pending_approval - critical command: needs a second principal's approval
              1010 error: command 1 is pending_approval: cannot release it
              1020 nothing to send
              1030 error: command 1: alice requested it, so another principal must approve it
              1040 error: command 1: the approval names digest sha256:13be0a79872f783cb8e34931bb726422fec7cf78f69e90e3ea5002ab08f77c62, the command's is sha256:9a714392cf5b9825640b9498670fcf261416100f61d0451d9aea2b987a8ce1fb
              1050 #1 approved bob approved digest 9a714392cf5b
              1050 #1 queued - manual queue
              1060 error: command 1 is queued: cannot approve it
              1070 #1 released carol manual release
              1080 #1 sent - 9 bytes
            live: [#1 sent]"#]],
    );
}

#[test]
fn approval_expires_and_the_command_is_rejected() {
    let expiry_ms = 1000 + APPROVAL_VALID_MS;
    check(
        ReleaseMode::Automatic,
        &[
            (1000, Submit(1, Severe, None)),
            (1000, Submit(2, Severe, None)),
            (expiry_ms - 1, Tick),
            (expiry_ms - 1, Approve(1, "bob", true)),
            (expiry_ms, Approve(2, "bob", true)),
            (expiry_ms, Tick),
            (expiry_ms + 1, Approve(2, "bob", true)),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 pending_approval - severe command: needs a second principal's approval
              1000 #2 requested alice SET_MODE(mode=SAFE)
              1000 #2 pending_approval - severe command: needs a second principal's approval
            600999 #1 approved bob approved digest 9a714392cf5b
            600999 #1 queued - automatic queue
            600999 #1 released - automatic release
            601000 error: command 2: the approval window closed at 601000 ms (now 601000 ms)
            601000 #2 rejected - no approval within 600000 ms of the request
            601001 error: command 2: not in the queue (unknown, or finished)
            live: [#1 released]"#]],
    );
}

#[test]
fn cancel_before_sending_only() {
    check(
        ReleaseMode::Manual,
        &[
            (1000, Submit(1, Critical, None)),
            (1000, Submit(2, Warning, None)),
            (1000, Submit(3, Warning, None)),
            (1000, Submit(4, Warning, None)),
            (1010, Release(3, "bob")),
            (1010, Release(4, "bob")),
            (1020, Cancel(1, "bob")),
            (1030, Cancel(2, "alice")),
            (1040, Cancel(3, "alice")),
            (1050, Send),
            (1060, Cancel(4, "alice")),
            (1070, Cancel(2, "alice")),
        ],
        expect![[r#"
              1000 #1 requested alice SET_MODE(mode=SAFE)
              1000 #1 pending_approval - critical command: needs a second principal's approval
              1000 #2 requested alice SET_MODE(mode=SAFE)
              1000 #2 queued - manual queue
              1000 #3 requested alice SET_MODE(mode=SAFE)
              1000 #3 queued - manual queue
              1000 #4 requested alice SET_MODE(mode=SAFE)
              1000 #4 queued - manual queue
              1010 #3 released bob manual release
              1010 #4 released bob manual release
              1020 #1 cancelled bob cancelled while pending_approval
              1030 #2 cancelled alice cancelled while queued
              1040 #3 cancelled alice cancelled while released
              1050 #4 sent - 9 bytes
              1060 error: command 4 is sent: cannot cancel it
              1070 error: command 2: not in the queue (unknown, or finished)
            live: [#4 sent]"#]],
    );
}
