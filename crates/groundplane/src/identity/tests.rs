//! The identities the gate sees, on a temporary store with a test clock: tokens refused when
//! expired, revoked, forged or their owner disabled; logins, sessions, CSRF and logout; and
//! tokens created only within their owner's grants.

use super::*;
use ::identity::{PasswordParams, UserRecord};
use api::session_cookie_value as cookie_value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const T0: u64 = 1_800_000_000_000;
const PASSWORD: &str = "correct horse battery";

struct Fixture {
    ids: Identities,
    now: Arc<AtomicU64>,
}

impl Fixture {
    fn at(&self, ms: u64) {
        self.now.store(ms, Ordering::SeqCst);
    }
}

fn grants(texts: &[&str]) -> Vec<Grant> {
    texts.iter().map(|t| ::identity::parse_grant(t).unwrap()).collect()
}

/// Users alice (`sentinel-x/dev/operator`, `sentinel-x/aiv/viewer`), root (platform admin)
/// and bob (`other/ops/operator`).
fn fixture() -> Fixture {
    let dir = test_utils::temp_dir("identities");
    let now = Arc::new(AtomicU64::new(T0));
    let clock = Arc::clone(&now);
    let timeouts = SessionTimeouts { idle_ms: 600_000, absolute_ms: 3_600_000 };
    let params = PasswordParams::TEST_ONLY_CHEAP;
    let ids = Identities::open_with(&dir, params, timeouts, Box::new(move || clock.load(Ordering::SeqCst))).unwrap();
    for (name, held) in [
        ("alice", &["sentinel-x/dev/operator", "sentinel-x/aiv/viewer"][..]),
        ("root", &["*/*/platform-admin"][..]),
        ("bob", &["other/ops/operator"][..]),
    ] {
        let phc = hash_password(PASSWORD, params, [1; 16]).unwrap();
        assert!(ids.store().add_user(&UserRecord::new(name, phc, grants(held), T0).unwrap()).unwrap());
    }
    Fixture { ids, now }
}

fn login(f: &Fixture, user: &str) -> (Authenticated, NewSession) {
    let new = f.ids.login(user, PASSWORD).unwrap();
    (f.ids.session(new.cookie_value.expose(), None, false).unwrap(), new)
}

fn refusal<T: std::fmt::Debug>(result: Result<T, AuthRefusal>) -> String {
    let refusal = result.unwrap_err();
    format!("{} {}", refusal.http_status(), refusal.reason())
}

#[test]
fn a_token_acts_until_it_expires_or_is_revoked() {
    let f = fixture();
    let (alice, _) = login(&f, "alice");
    let (view, text) =
        f.ids.create_token(&alice, "ci", grants(&["sentinel-x/dev/operator"]), None, Some(1_000)).unwrap();
    let token = f.ids.authenticate_bearer(text.expose()).unwrap();
    assert_eq!(
        token,
        Authenticated {
            id: view.id.clone(),
            kind: PrincipalKind::Token,
            owner: "alice".into(),
            grants: grants(&["sentinel-x/dev/operator"]),
            envs: Some(vec![Env::Dev]),
        }
    );
    f.at(T0 + 1_000);
    assert_eq!(refusal(f.ids.authenticate_bearer(text.expose())), format!("401 token expired at {} ms", T0 + 1_000));

    f.at(T0);
    let (view, text) = f.ids.create_token(&alice, "ci2", grants(&["sentinel-x/aiv/viewer"]), None, None).unwrap();
    assert_eq!(f.ids.revoke_token(&alice, &view.id).unwrap(), Revocation::Revoked { at_ms: T0 });
    assert_eq!(f.ids.revoke_token(&alice, &view.id).unwrap(), Revocation::AlreadyRevoked { at_ms: T0 });
    assert_eq!(refusal(f.ids.authenticate_bearer(text.expose())), format!("401 token revoked at {T0} ms"));
}

#[test]
fn forged_unknown_and_malformed_tokens_are_refused() {
    let f = fixture();
    let (alice, _) = login(&f, "alice");
    let (_, text) = f.ids.create_token(&alice, "ci", grants(&["sentinel-x/dev/operator"]), None, None).unwrap();
    let mut forged = text.expose().to_string();
    let last = if forged.ends_with('0') { "1" } else { "0" };
    forged.replace_range(forged.len() - 1.., last);
    assert_eq!(refusal(f.ids.authenticate_bearer(&forged)), "401 token does not match");
    let unknown = format!("gpt_000000000000_{}", &text.expose()[17..]);
    assert_eq!(refusal(f.ids.authenticate_bearer(&unknown)), "401 token unknown");
    assert_eq!(refusal(f.ids.authenticate_bearer("hunter2")), "401 token malformed: it does not start with gpt_");
}

#[test]
fn a_disabled_owner_or_withdrawn_grants_stop_a_token() {
    let f = fixture();
    let (alice, _) = login(&f, "alice");
    let both = grants(&["sentinel-x/dev/operator", "sentinel-x/aiv/viewer"]);
    let (view, text) = f.ids.create_token(&alice, "ci", both, None, None).unwrap();
    assert_eq!(view.envs, Some(vec![Env::Dev, Env::Aiv]));
    // The owner loses a grant: the token loses it too.
    f.ids.store().set_grants("alice", &grants(&["sentinel-x/aiv/viewer"])).unwrap();
    assert_eq!(f.ids.authenticate_bearer(text.expose()).unwrap().grants, grants(&["sentinel-x/aiv/viewer"]));
    f.ids.store().set_grants("alice", &[]).unwrap();
    let expected = format!("401 token {}: its owner no longer holds any of its grants", view.id);
    assert_eq!(refusal(f.ids.authenticate_bearer(text.expose())), expected);
    f.ids.store().disable("alice").unwrap();
    let expected = format!("401 token {}: its owner is disabled or gone", view.id);
    assert_eq!(refusal(f.ids.authenticate_bearer(text.expose())), expected);
}

#[test]
fn login_refuses_a_wrong_password_and_an_unknown_user_alike() {
    let f = fixture();
    assert_eq!(refusal(f.ids.login("alice", "correct horse batterY")), "401 user name or password is wrong");
    assert_eq!(refusal(f.ids.login("mallory", PASSWORD)), "401 user name or password is wrong");
    assert_eq!(refusal(f.ids.login("Not A Name", PASSWORD)), "401 user name or password is wrong");
    assert_eq!(refusal(f.ids.login("alice", "")), "401 user name or password is wrong");
    f.ids.store().disable("bob").unwrap();
    assert_eq!(refusal(f.ids.login("bob", "correct horse batterY")), "401 user name or password is wrong");
    assert_eq!(refusal(f.ids.login("bob", PASSWORD)), "401 user bob is disabled");
}

#[test]
fn sessions_need_their_csrf_token_to_change_state_and_end_at_logout() {
    let f = fixture();
    let (alice, new) = login(&f, "alice");
    assert_eq!((alice.id.as_str(), alice.kind, alice.envs.clone()), ("alice", PrincipalKind::User, None));
    assert_eq!((new.expires_ms, new.max_age_s), (T0 + 3_600_000, 3_600));
    let cookie = new.cookie_value.expose();
    assert!(f.ids.session(cookie, Some(&new.csrf), true).is_ok());
    let csrf_refused = format!("403 missing or wrong {CSRF_HEADER} header for a request that changes state");
    assert_eq!(refusal(f.ids.session(cookie, None, true)), csrf_refused);
    assert_eq!(refusal(f.ids.session(cookie, Some("00"), true)), csrf_refused);
    let (_, other) = login(&f, "bob");
    assert_eq!(refusal(f.ids.session(cookie, Some(&other.csrf), true)), csrf_refused);
    assert_eq!(refusal(f.ids.session("not-a-session", None, false)), "401 no session: log in");

    f.ids.logout(cookie).unwrap();
    assert_eq!(refusal(f.ids.session(cookie, Some(&new.csrf), true)), "401 no session: log in");
    assert!(f.ids.logout(cookie).is_ok());
    assert!(f.ids.session(other.cookie_value.expose(), None, false).is_ok());
}

#[test]
fn sessions_expire_when_idle_and_are_touched_by_use() {
    let f = fixture();
    let (_, new) = login(&f, "alice");
    let cookie = new.cookie_value.expose();
    f.at(T0 + 500_000);
    assert!(f.ids.session(cookie, None, false).is_ok()); // touched: idle until T0 + 1_100_000
    f.at(T0 + 1_099_999);
    assert!(f.ids.session(cookie, None, false).is_ok());
    f.at(T0 + 1_099_999 + 600_000);
    let expected =
        format!("401 session expired at {} ms after 600000 ms without a request: log in again", T0 + 1_699_999);
    assert_eq!(refusal(f.ids.session(cookie, None, false)), expected);
    assert_eq!(refusal(f.ids.session(cookie, None, false)), "401 no session: log in");
    // Disabling a user ends their sessions.
    let (_, bob) = login(&f, "bob");
    f.ids.store().disable("bob").unwrap();
    assert_eq!(refusal(f.ids.session(bob.cookie_value.expose(), None, false)), "401 no session: log in");
}

#[test]
fn a_token_carries_no_more_than_its_owner_and_cannot_mint_tokens() {
    let f = fixture();
    let (alice, _) = login(&f, "alice");
    let result = f.ids.create_token(&alice, "ci", grants(&["sentinel-x/ops/operator"]), None, None);
    let expected = "403 grant sentinel-x/ops/operator is not held by alice: a token carries only its owner's grants";
    assert_eq!(refusal(result), expected);
    let result = f.ids.create_token(&alice, "ci", grants(&["sentinel-x/dev/viewer"]), None, None);
    assert!(refusal(result).starts_with("403 grant sentinel-x/dev/viewer is not held"));
    let result = f.ids.create_token(&alice, "ci", grants(&["sentinel-x/dev/operator"]), Some(vec![Env::Ops]), None);
    assert_eq!(refusal(result), "400 token ci: environment ops is in none of its grants");
    let (root, _) = login(&f, "root");
    let result = f.ids.create_token(&root, "ops", grants(&["sentinel-x/ops/operator"]), None, None);
    assert!(refusal(result).starts_with("403 grant sentinel-x/ops/operator is not held by root"));
    let (admin_token, text) = f.ids.create_token(&root, "adm", grants(&["*/*/platform-admin"]), None, None).unwrap();
    let as_token = f.ids.authenticate_bearer(text.expose()).unwrap();
    let result = f.ids.create_token(&as_token, "more", grants(&["*/*/platform-admin"]), None, None);
    assert_eq!(refusal(result), "403 a token cannot create tokens: log in as its owner");

    // Listing and revoking: one's own tokens, or every token for a platform admin.
    let (alice_token, _) = f.ids.create_token(&alice, "ci", grants(&["sentinel-x/dev/operator"]), None, None).unwrap();
    let ids = |by: &Authenticated| -> Vec<String> { f.ids.tokens_of(by).unwrap().into_iter().map(|t| t.id).collect() };
    assert_eq!(ids(&alice), vec![alice_token.id.clone()]);
    assert_eq!(ids(&root).len(), 2);
    assert_eq!(ids(&as_token).len(), 2);
    assert_eq!(refusal(f.ids.revoke_token(&alice, &admin_token.id)), "401 token unknown");
    assert!(f.ids.revoke_token(&root, &alice_token.id).is_ok());
}

#[test]
fn cookies_are_secure_and_found_in_a_cookie_header() {
    assert_eq!(session_cookie("abc", 60), "gp_session=abc; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=60");
    assert_eq!(clear_cookie(), "gp_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    assert_eq!(cookie_value("theme=dark; gp_session=abc123; x=y"), Some("abc123"));
    assert_eq!(cookie_value("gp_session=abc123"), Some("abc123"));
    assert_eq!(cookie_value("gp_session_old=1; other=gp_session"), None);
    assert_eq!(cookie_value(""), None);
}

#[test]
fn refusals_never_hold_the_secret_presented() {
    let f = fixture();
    let (alice, new) = login(&f, "alice");
    let (_, text) = f.ids.create_token(&alice, "ci", grants(&["sentinel-x/dev/operator"]), None, None).unwrap();
    let secret = &text.expose()[17..];
    let mut forged = text.expose().to_string();
    forged.replace_range(20..21, if &forged[20..21] == "0" { "1" } else { "0" });
    f.at(T0 + 31 * 24 * 3600 * 1000);
    let refusals = [
        f.ids.authenticate_bearer(text.expose()).unwrap_err(),
        f.ids.authenticate_bearer(&forged).unwrap_err(),
        f.ids.session(new.cookie_value.expose(), None, true).unwrap_err(),
    ];
    for refusal in refusals {
        let shown = format!("{refusal} {refusal:?} {}", refusal.reason());
        assert!(!shown.contains(secret) && !shown.contains(new.cookie_value.expose()), "{shown}");
    }
    let shown = format!("{new:?}");
    assert!(!shown.contains(&new.csrf) && !shown.contains(new.cookie_value.expose()), "{shown}");
}
