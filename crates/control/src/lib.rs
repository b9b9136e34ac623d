//! The control plane's state, without I/O: missions, their releases, gate attestations,
//! approvals, promotions and what each environment runs, kept as an append-only list of
//! [`Event`]s (every change is one, for the audit chain of issue 7) and folded into a
//! [`ControlState`].
//!
//! Commands ([`commands`]) check a request against the state and the mission's pipeline and
//! answer the event to append, or why not; nothing changes until the event is stored
//! ([`EventStore`]) and applied. [`reconcile`] compares what should run (the latest promotion
//! per environment) with what runs, and reports drift.
//!
//! Never: read a clock (times come in), trust an approval of another digest, or change state
//! except by applying an event.

pub mod commands;
mod event;
mod state;
mod store;
#[cfg(test)]
mod tests;

pub use commands::{CommandError, PromotionRefused};
pub use event::Event;
pub use state::{reconcile, ControlState, Drift, EnvStatus, Lifecycle, MissionState, ReleaseState, StateError};
pub use store::{EventStore, MemoryStore, StoreError};
