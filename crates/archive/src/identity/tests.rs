//! The identity store: every record survives a reopen, writes answer what they did, a row that
//! does not decode is named, and the file never holds a secret.

use super::IdentityStore;
use ::identity::{
    hash_password, issue, parse_grant, session_id_hash, PasswordParams, Revocation, Session, SessionTimeouts,
    UserRecord,
};
use base::Env;
use std::path::PathBuf;

const T0: u64 = 1_700_000_000_000;
const PASSWORD: &str = "planted password Qx7v";

fn temp(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gp-identity-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn user(name: &str, grants: &[&str]) -> UserRecord {
    let phc = hash_password(PASSWORD, PasswordParams::TEST_ONLY_CHEAP, [3; 16]).unwrap();
    let grants = grants.iter().map(|g| parse_grant(g).unwrap()).collect();
    UserRecord::new(name, phc, grants, T0).unwrap()
}

#[test]
fn users_round_trip_and_duplicates_are_refused() {
    let dir = temp("users");
    let mut store = IdentityStore::open(&dir).unwrap();
    let alice = user("alice", &["sentinel-x/ops/operator", "*/dev/engineer"]);
    assert!(store.add_user(&alice).unwrap());
    assert!(!store.add_user(&user("alice", &[])).unwrap());
    assert!(store.add_user(&user("bob", &[])).unwrap());
    drop(store);
    let mut store = IdentityStore::open(&dir).unwrap();
    assert_eq!(store.user("alice").unwrap(), Some(alice.clone()));
    assert_eq!(store.user("carol").unwrap(), None);
    let names: Vec<String> = store.users().unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["alice", "bob"]);

    let grants = vec![parse_grant("sentinel-x/aiv/viewer").unwrap()];
    assert!(store.set_grants("alice", &grants).unwrap());
    assert!(!store.set_grants("carol", &grants).unwrap());
    assert!(store.set_password("alice", "$argon2id$new").unwrap());
    assert!(!store.set_password("carol", "$argon2id$new").unwrap());
    assert!(store.disable("alice").unwrap());
    assert!(!store.disable("carol").unwrap());
    let changed = store.user("alice").unwrap().unwrap();
    assert_eq!((changed.grants, changed.password_phc.as_str(), changed.disabled), (grants, "$argon2id$new", true));

    store.conn.execute("UPDATE users SET grants = 'nope' WHERE name = 'bob'", []).unwrap();
    assert_eq!(store.user("bob").unwrap_err().to_string(), "archive table users, row 2: corrupt");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tokens_round_trip_and_revoking_twice_says_so() {
    let dir = temp("tokens");
    let mut store = IdentityStore::open(&dir).unwrap();
    let grants = vec![parse_grant("sentinel-x/dev/operator").unwrap(), parse_grant("*/aiv/viewer").unwrap()];
    let (scoped, _) = issue("ci", "alice", grants, None, None, T0, [1; 38]).unwrap();
    let admin = vec![parse_grant("*/*/platform-admin").unwrap()];
    let (all_envs, _) = issue("admin", "root", admin, None, Some(5), T0 + 1, [2; 38]).unwrap();
    assert!(store.insert_token(&scoped).unwrap());
    assert!(store.insert_token(&all_envs).unwrap());
    assert!(!store.insert_token(&scoped).unwrap());
    drop(store);
    let mut store = IdentityStore::open(&dir).unwrap();
    assert_eq!(store.token(&scoped.id).unwrap().unwrap().envs, Some(vec![Env::Dev, Env::Aiv]));
    assert_eq!(store.tokens().unwrap(), [scoped.clone(), all_envs.clone()]);
    assert_eq!(store.token("000000000000").unwrap(), None);

    assert_eq!(store.revoke_token(&scoped.id, T0 + 7).unwrap(), Some(Revocation::Revoked { at_ms: T0 + 7 }));
    assert_eq!(store.revoke_token(&scoped.id, T0 + 9).unwrap(), Some(Revocation::AlreadyRevoked { at_ms: T0 + 7 }));
    assert_eq!(store.revoke_token("000000000000", T0).unwrap(), None);
    assert_eq!(store.token(&scoped.id).unwrap().unwrap().revoked_ms, Some(T0 + 7));

    store.conn.execute("UPDATE tokens SET hash = x'00' WHERE name = 'admin'", []).unwrap();
    assert_eq!(store.tokens().unwrap_err().to_string(), "archive table tokens, row 2: corrupt");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sessions_are_touched_deleted_and_pruned() {
    let dir = temp("sessions");
    let mut store = IdentityStore::open(&dir).unwrap();
    let timeouts = SessionTimeouts { idle_ms: 100, absolute_ms: 1_000 };
    let (a1, cookie_a1) = Session::start("alice", timeouts, T0, [1; 64]);
    let (a2, _) = Session::start("alice", timeouts, T0, [2; 64]);
    let (b, _) = Session::start("bob", timeouts, T0, [3; 64]);
    let (idle, _) = Session::start("bob", timeouts, T0 - 200, [4; 64]);
    for session in [&a1, &a2, &b, &idle] {
        store.insert_session(session).unwrap();
    }
    assert!(store.insert_session(&a1).is_err());
    assert_eq!(store.session(&session_id_hash(cookie_a1.expose())).unwrap(), Some(a1.clone()));
    assert!(store.touch_session(&a1.id_hash, T0 + 50).unwrap());
    assert!(!store.touch_session(&[0; 32], T0 + 50).unwrap());
    assert_eq!(store.session(&a1.id_hash).unwrap().unwrap().last_seen_ms, T0 + 50);

    assert_eq!(store.prune_expired(T0 + 120).unwrap(), 3); // a2, b and idle; a1 was touched
    assert!(store.session(&a1.id_hash).unwrap().is_some());
    assert!(store.delete_session(&a1.id_hash).unwrap());
    assert!(!store.delete_session(&a1.id_hash).unwrap());

    store.insert_session(&a2).unwrap();
    store.insert_session(&b).unwrap();
    assert_eq!(store.delete_sessions_of("alice").unwrap(), 1);
    assert!(store.session(&b.id_hash).unwrap().is_some());
    // Disabling a user or changing their password ends their sessions.
    assert!(store.add_user(&user("bob", &[])).unwrap());
    assert!(store.set_password("bob", "$argon2id$new").unwrap());
    assert_eq!(store.session(&b.id_hash).unwrap(), None);
    store.insert_session(&b).unwrap();
    assert!(store.disable("bob").unwrap());
    assert_eq!(store.session(&b.id_hash).unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_file_holds_no_password_token_or_session_cookie() {
    let dir = temp("raw");
    let mut store = IdentityStore::open(&dir).unwrap();
    store.add_user(&user("alice", &["sentinel-x/dev/operator"])).unwrap();
    let grants = vec![parse_grant("sentinel-x/dev/operator").unwrap()];
    let (token, token_text) = issue("ci", "alice", grants, None, None, T0, [0xab; 38]).unwrap();
    store.insert_token(&token).unwrap();
    let random = std::array::from_fn(|i| 0x80 ^ i as u8); // the cookie and the CSRF token differ
    let (session, cookie) = Session::start("alice", SessionTimeouts::default(), T0, random);
    store.insert_session(&session).unwrap();
    drop(store); // checkpoints the WAL into the file
    let mut raw = std::fs::read(dir.join(super::IDENTITY_FILE)).unwrap();
    raw.extend(std::fs::read(dir.join("identity.sqlite-wal")).unwrap_or_default());
    let secret = &token_text.expose()[17..];
    assert!(raw.windows(token.id.len()).any(|w| w == token.id.as_bytes()), "the token's id is stored");
    for (what, planted) in [("password", PASSWORD), ("token secret", secret), ("session cookie", cookie.expose())] {
        assert!(!raw.windows(planted.len()).any(|w| w == planted.as_bytes()), "{what} found in the file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(super::IDENTITY_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
