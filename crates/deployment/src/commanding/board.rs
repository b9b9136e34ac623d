//! The commands the API shows, kept current by the ingest thread.

use api::wire::CommandView;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// Finished commands whose views stay in memory (older ones are read from the archive).
pub const FINISHED_KEPT: usize = 1024;

/// The commands the API shows: every live one and the last finished ones, kept current by the
/// ingest thread at each transition.
#[derive(Default)]
pub struct Board {
    inner: Mutex<BoardInner>,
}

#[derive(Default)]
struct BoardInner {
    views: BTreeMap<u64, CommandView>,
    finished: VecDeque<u64>,
}

impl Board {
    /// One command's view, if still in memory.
    pub fn get(&self, id: u64) -> Option<CommandView> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).views.get(&id).cloned()
    }

    /// How many commands are live (not finished), as of the last transition.
    pub fn live_len(&self) -> usize {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.views.len() - inner.finished.len()
    }

    /// The live commands (not finished), oldest first.
    pub fn live(&self) -> Vec<CommandView> {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.views.values().filter(|view| !view.finished).cloned().collect()
    }

    pub(super) fn update(&self, id: u64, change: impl FnOnce(&mut CommandView)) {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(view) = inner.views.get_mut(&id) else { return };
        let was_finished = view.finished;
        change(view);
        if view.finished && !was_finished {
            inner.finished.push_back(id);
            while inner.finished.len() > FINISHED_KEPT {
                if let Some(old) = inner.finished.pop_front() {
                    inner.views.remove(&old);
                }
            }
        }
    }

    pub(super) fn insert(&self, view: CommandView) {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.views.insert(view.id, view);
    }
}
