//! Sessions end at their idle or absolute timeout, and mutating requests need the CSRF token.

use super::*;

const T0: u64 = 1_000_000;

fn start() -> (Session, SecretText) {
    let random: [u8; SESSION_RANDOM_LEN] = std::array::from_fn(|i| i as u8);
    Session::start("alice", SessionTimeouts { idle_ms: 100, absolute_ms: 1_000 }, T0, random)
}

#[test]
fn the_cookie_is_random_hex_and_only_its_hash_is_kept() {
    let (session, cookie) = start();
    assert_eq!(cookie.expose(), base::hex(&(0u8..32).collect::<Vec<_>>()));
    assert_eq!(session.id_hash, session_id_hash(cookie.expose()));
    assert_eq!(session.csrf, base::hex(&(32u8..64).collect::<Vec<_>>()));
    assert_eq!(session.expires_ms(), T0 + 100);
}

#[test]
fn a_session_expires_when_idle_and_after_its_absolute_timeout() {
    let (mut session, _) = start();
    assert_eq!(session.check(T0 + 99), Ok(()));
    assert_eq!(session.check(T0 + 100), Err(SessionRefusal::Idle { at_ms: T0 + 100, idle_ms: 100 }));
    // Requests keep it alive, up to the absolute timeout.
    for step in 1..10 {
        session.last_seen_ms = T0 + step * 99;
        assert_eq!(session.check(T0 + step * 99 + 98), Ok(()), "step {step}");
    }
    session.last_seen_ms = T0 + 990;
    assert_eq!(session.expires_ms(), T0 + 1_000);
    assert_eq!(session.check(T0 + 999), Ok(()));
    let refusal = session.check(T0 + 1_000).unwrap_err();
    assert_eq!(refusal, SessionRefusal::Absolute { at_ms: T0 + 1_000, absolute_ms: 1_000 });
    assert_eq!(refusal.to_string(), "session expired at 1001000 ms, 1000 ms after login");
}

#[test]
fn csrf_must_match_exactly() {
    let (session, _) = start();
    let csrf = session.csrf.clone();
    assert!(session.csrf_ok(Some(&csrf)));
    assert!(!session.csrf_ok(None));
    assert!(!session.csrf_ok(Some("")));
    assert!(!session.csrf_ok(Some(&csrf[..63])));
    assert!(!session.csrf_ok(Some(&csrf.to_uppercase())));
    assert!(!session.csrf_ok(Some(&format!("{csrf}0"))));
}

#[test]
fn debug_never_shows_the_cookie_the_hash_or_the_csrf_token() {
    let (session, cookie) = start();
    expect_test::expect![[r#"Session { id_hash: "[redacted]", user: "alice", csrf: "[redacted]", created_ms: 1000000, last_seen_ms: 1000000, idle_timeout_ms: 100, absolute_timeout_ms: 1000 }"#]]
        .assert_eq(&format!("{session:?}"));
    assert_eq!(format!("{cookie:?} {cookie}"), "[redacted] [redacted]");
}
