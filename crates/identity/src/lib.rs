//! Who is asking: people (accounts with Argon2id password hashes, portal sessions with CSRF
//! tokens), API tokens (scoped, expiring, revocable, stored only as hashes). Pure: time and
//! randomness come in as arguments; it never stores, reads the clock or prints a secret.
//!
//! Every secret handed out (a token, a session cookie) is a `SecretText`, whose `Debug` and
//! `Display` print `[redacted]`; every record keeps only the SHA-256 of the secret, and its
//! `Debug` redacts even that. Checking a presented secret compares hashes in constant time.

mod grant;
mod password;
mod secret;
mod session;
mod token;
mod user;

pub use grant::{envs_reached, grant_covers, grants_within, parse_grant};
pub use password::{
    check_password_policy, hash_password, verify_password, PasswordError, PasswordParams, PASSWORD_BYTES_MAX,
    PASSWORD_CHARS_MIN, SALT_LEN,
};
pub use secret::SecretText;
pub use session::{
    session_id_hash, Session, SessionRefusal, SessionTimeouts, SESSION_ABSOLUTE_TIMEOUT_MS, SESSION_IDLE_TIMEOUT_MS,
    SESSION_RANDOM_LEN,
};
pub use token::{
    issue, parse_presented, token_hash, Presented, Revocation, TokenError, TokenRecord, TokenRefusal, TokenView,
    TOKEN_ID_LEN, TOKEN_PREFIX, TOKEN_RANDOM_LEN, TOKEN_TTL_DEFAULT_MS, TOKEN_TTL_MAX_MS,
};
pub use user::{check_name, UserError, UserRecord, NAME_LEN_MAX};

use sha2::{Digest as _, Sha256};

/// SHA-256 of `bytes`.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Whether `a == b`, in a time that depends on their lengths only, not on where they differ.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Whether `text` is exactly `len` lowercase hex digits.
fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Appends `bytes` in lowercase hex to `out`, with no temporary copy (`out` may be a secret).
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
}
