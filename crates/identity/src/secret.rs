//! `SecretText`: a secret handed to a person once (a token, a session cookie, a password read
//! from a file), zeroed when dropped and never printed by `Debug` or `Display`.

use std::fmt;
use zeroize::Zeroizing;

/// A secret text. `Debug` and `Display` print `[redacted]`; only `expose` gives the text, for
/// the one place that must show or send it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(Zeroizing<String>);

impl SecretText {
    /// Wraps `text`; it is zeroed when the `SecretText` is dropped.
    pub fn new(text: String) -> SecretText {
        SecretText(Zeroizing::new(text))
    }

    /// The secret itself: print it once, send it once, never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
