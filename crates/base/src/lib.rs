//! Shared words of Groundplane: mission slugs, environments, scopes and content digests.
//!
//! Every other crate speaks these types. This crate does no I/O, never reads the clock or the
//! process environment, and holds no domain logic beyond parsing and printing its words.

mod digest;
mod hex;
pub mod pattern;
mod scope;

pub use digest::{Digest, DigestError};
pub use hex::hex;
pub use scope::{Env, EnvError, MissionSlug, Scope, SlugError};
