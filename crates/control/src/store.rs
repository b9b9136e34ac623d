//! Where events are kept: behind an interface (embedded file, later PostgreSQL).

use crate::event::Event;

/// Why the store failed; the caller refuses the action (nothing was applied).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{place}: {reason}")]
    Corrupt { place: String, reason: String },
    #[error("{0}")]
    Io(String),
}

/// An append-only list of events.
pub trait EventStore {
    /// Appends an event durably; answers its index.
    fn append(&mut self, event: &Event) -> Result<u64, StoreError>;
    /// Every event, oldest first.
    fn events(&self) -> Result<Vec<Event>, StoreError>;
}

/// Events in memory (tests, and a platform that keeps no control state).
#[derive(Default)]
pub struct MemoryStore {
    events: Vec<Event>,
}

impl EventStore for MemoryStore {
    fn append(&mut self, event: &Event) -> Result<u64, StoreError> {
        self.events.push(event.clone());
        Ok(self.events.len() as u64 - 1)
    }

    fn events(&self) -> Result<Vec<Event>, StoreError> {
        Ok(self.events.clone())
    }
}
