//! The control plane's embedded event store: `control.sqlite`, one row per event in the
//! order appended, each made durable (fsync) before `append` returns. The PostgreSQL store of
//! a larger platform implements the same `control::EventStore`.

use crate::error::SqlContext;
use crate::ArchiveError;
use control::{Event, EventStore, StoreError};
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS control_events (
    id INTEGER PRIMARY KEY,
    mission TEXT NOT NULL,
    event TEXT NOT NULL
);";

/// The control plane's events in a SQLite file.
pub struct ControlStore {
    conn: Connection,
    path: PathBuf,
}

impl ControlStore {
    /// Opens (creating) `control.sqlite` in `dir`.
    pub fn open(dir: &Path) -> Result<ControlStore, ArchiveError> {
        std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io { path: dir.to_path_buf(), source })?;
        let path = dir.join("control.sqlite");
        let conn = Connection::open(&path).doing(&path, "opening the control store")?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .doing(&path, "setting up the control store")?;
        conn.execute_batch(SCHEMA).doing(&path, "creating the control store's table")?;
        Ok(ControlStore { conn, path })
    }
}

fn io(error: ArchiveError) -> StoreError {
    StoreError::Io(error.to_string())
}

impl EventStore for ControlStore {
    fn append(&mut self, event: &Event) -> Result<u64, StoreError> {
        let json = serde_json::to_string(event).map_err(|e| StoreError::Io(format!("encoding an event: {e}")))?;
        self.conn
            .execute("INSERT INTO control_events (mission, event) VALUES (?1, ?2)", params![event.mission(), json])
            .doing(&self.path, "appending a control event")
            .map_err(io)?;
        let id = self.conn.last_insert_rowid();
        Ok(u64::try_from(id - 1).unwrap_or_default())
    }

    fn events(&self) -> Result<Vec<Event>, StoreError> {
        let doing = "reading the control events";
        let mut select = self
            .conn
            .prepare("SELECT id, event FROM control_events ORDER BY id")
            .doing(&self.path, doing)
            .map_err(io)?;
        let rows = select
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .doing(&self.path, doing)
            .map_err(io)?;
        let mut events = Vec::new();
        for row in rows {
            let (id, json) = row.doing(&self.path, doing).map_err(io)?;
            let event = serde_json::from_str(&json).map_err(|error| StoreError::Corrupt {
                place: format!("{}: control_events row {id}", self.path.display()),
                reason: error.to_string(),
            })?;
            events.push(event);
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base::{Digest, Env};

    fn temp(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gp-control-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn events_survive_a_reopen_in_order_and_corruption_is_named() {
        let dir = temp("store");
        let events = vec![
            Event::MissionCreated { mission: "sentinel-x".into(), by: "admin".into(), at_ms: 1 },
            Event::ReleaseRegistered {
                mission: "sentinel-x".into(),
                release: Digest::of(b"r1"),
                by: "ci".into(),
                at_ms: 2,
            },
            Event::Deployed { mission: "sentinel-x".into(), release: Digest::of(b"r1"), env: Env::Dev, at_ms: 3 },
        ];
        {
            let mut store = ControlStore::open(&dir).unwrap();
            for (idx, event) in events.iter().enumerate() {
                assert_eq!(store.append(event).unwrap(), idx as u64);
            }
        }
        let store = ControlStore::open(&dir).unwrap();
        assert_eq!(store.events().unwrap(), events);
        assert!(control::ControlState::from_events(&store.events().unwrap()).is_ok());
        store.conn.execute("UPDATE control_events SET event = '{\"event\":\"nope\"}' WHERE id = 2", []).unwrap();
        let error = store.events().unwrap_err().to_string();
        assert!(error.contains("control_events row 2: unknown variant `nope`"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
