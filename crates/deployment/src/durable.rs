//! The deployment's syncer thread: it waits for the disk (fsync of the archive's WAL) while
//! the ingest thread decodes the next batch, and only then publishes the totals as stored.
//! Requests coalesce: one fsync covers every commit made before it started.

use crate::ingest::{totals, Shared};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Default)]
struct State {
    /// Totals committed (not yet durable) waiting for an fsync.
    pending: Option<archive::Stored>,
    closed: bool,
}

/// The ingest thread's handle on its syncer thread.
pub struct Durability {
    state: Arc<(Mutex<State>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Durability {
    /// Starts the syncer thread of one archive.
    pub fn start(name: String, mut syncer: archive::Syncer, shared: Arc<Shared>) -> std::io::Result<Durability> {
        let state = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let thread_state = state.clone();
        let thread = std::thread::Builder::new().name(name).spawn(move || {
            let (lock, ready) = &*thread_state;
            loop {
                let next = {
                    let mut state = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    while state.pending.is_none() && !state.closed {
                        state = ready.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                    match state.pending.take() {
                        Some(stored) => stored,
                        None => return,
                    }
                };
                match syncer.sync() {
                    Ok(()) => {
                        let mut status = shared.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        status.stored = totals(&next);
                        status.syncs += 1;
                    }
                    Err(error) => {
                        // Not reported stored; the next sync covers these commits again.
                        tracing::error!(%error, "archive fsync failed: data received is not reported stored");
                        shared.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner).sync_failures += 1;
                        let mut state = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        state.pending.get_or_insert(next);
                        drop(state);
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                }
            }
        })?;
        Ok(Durability { state, thread: Some(thread) })
    }

    /// Asks for an fsync covering the commit that returned `stored`.
    pub fn request(&self, stored: archive::Stored) {
        let (lock, ready) = &*self.state;
        lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pending = Some(stored);
        ready.notify_one();
    }

    /// Syncs what is pending and ends the thread.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        let (lock, ready) = &*self.state;
        lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).closed = true;
        ready.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Durability {
    fn drop(&mut self) {
        self.close();
    }
}
