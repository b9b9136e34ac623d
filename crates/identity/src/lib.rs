//! Who is asking: people (accounts with Argon2id password hashes, portal sessions with CSRF
//! tokens), API tokens (scoped, expiring, revocable, stored only as hashes). Pure: time and
//! randomness come in as arguments; it never stores, reads the clock or prints a secret.
