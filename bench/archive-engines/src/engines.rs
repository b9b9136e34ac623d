//! The three candidate engines behind one small key-value interface: byte keys ordered by
//! memcmp, one durable (fsync) commit per call, a reverse seek and a forward range scan.

use std::path::Path;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A stored key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The two tables of the benchmark.
#[derive(Clone, Copy, Debug)]
pub enum Table {
    /// Parameter segments keyed by (parameter id, first time).
    Segments,
    /// Raw units keyed by (reception time, sequence).
    Units,
}

/// What the archive needs from an engine.
pub trait Store {
    /// Writes `items` (inserting or replacing) in one transaction and returns only once it is
    /// durable: it survives `kill -9` and power loss (fsync).
    fn commit(&mut self, table: Table, items: &[(&[u8], &[u8])]) -> Result<(), Error>;
    /// The entry with the greatest key at or before `key`.
    fn last_at_or_before(&self, table: Table, key: &[u8]) -> Result<Option<Entry>, Error>;
    /// Calls `visit` on every entry with `from <= key <= to`, in key order.
    fn scan(&self, table: Table, from: &[u8], to: &[u8], visit: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), Error>;
}

/// The engines compiled into this binary.
pub fn compiled() -> Vec<&'static str> {
    let mut names = Vec::new();
    if cfg!(feature = "fjall") {
        names.push("fjall");
    }
    if cfg!(feature = "redb") {
        names.push("redb");
    }
    if cfg!(feature = "sqlite") {
        names.push("sqlite");
    }
    names
}

/// Opens (creating if needed) the named engine's database in `dir`.
pub fn open(engine: &str, #[allow(unused_variables)] dir: &Path) -> Result<Box<dyn Store>, Error> {
    match engine {
        #[cfg(feature = "fjall")]
        "fjall" => Ok(Box::new(fjall_store::FjallStore::open(dir)?)),
        #[cfg(feature = "redb")]
        "redb" => Ok(Box::new(redb_store::RedbStore::open(dir)?)),
        #[cfg(feature = "sqlite")]
        "sqlite" => Ok(Box::new(sqlite_store::SqliteStore::open(dir)?)),
        // `dir` is unused when no engine is compiled in.
        _ => Err(format!(
            "engine {engine:?} is not compiled in (compiled: {:?}); build with --features {engine}",
            compiled()
        )
        .into()),
    }
}

#[cfg(feature = "fjall")]
mod fjall_store {
    use super::{Entry, Error, Store, Table};
    use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
    use std::path::Path;

    pub struct FjallStore {
        db: Database,
        segments: Keyspace,
        units: Keyspace,
    }

    impl FjallStore {
        pub fn open(dir: &Path) -> Result<Self, Error> {
            let db = Database::builder(dir.join("fjall")).open()?;
            let segments = db.keyspace("segments", KeyspaceCreateOptions::default)?;
            let units = db.keyspace("units", KeyspaceCreateOptions::default)?;
            Ok(Self { db, segments, units })
        }

        fn keyspace(&self, table: Table) -> &Keyspace {
            match table {
                Table::Segments => &self.segments,
                Table::Units => &self.units,
            }
        }
    }

    impl Store for FjallStore {
        fn commit(&mut self, table: Table, items: &[(&[u8], &[u8])]) -> Result<(), Error> {
            let keyspace = self.keyspace(table);
            // SyncAll: the journal is fsynced before commit returns.
            let mut batch = self.db.batch().durability(Some(PersistMode::SyncAll));
            for (key, value) in items {
                batch.insert(keyspace, *key, *value);
            }
            batch.commit()?;
            Ok(())
        }

        fn last_at_or_before(&self, table: Table, key: &[u8]) -> Result<Option<Entry>, Error> {
            match self.keyspace(table).range(..=key).next_back() {
                Some(guard) => {
                    let (key, value) = guard.into_inner()?;
                    Ok(Some((key.to_vec(), value.to_vec())))
                }
                None => Ok(None),
            }
        }

        fn scan(&self, table: Table, from: &[u8], to: &[u8], visit: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), Error> {
            for guard in self.keyspace(table).range(from..=to) {
                let (key, value) = guard.into_inner()?;
                visit(&key, &value);
            }
            Ok(())
        }
    }
}

#[cfg(feature = "redb")]
mod redb_store {
    use super::{Entry, Error, Store, Table};
    use redb::{Database, ReadableDatabase, TableDefinition};
    use std::path::Path;

    const SEGMENTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("segments");
    const UNITS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("units");

    fn definition(table: Table) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
        match table {
            Table::Segments => SEGMENTS,
            Table::Units => UNITS,
        }
    }

    pub struct RedbStore {
        db: Database,
    }

    impl RedbStore {
        pub fn open(dir: &Path) -> Result<Self, Error> {
            let db = Database::create(dir.join("archive.redb"))?;
            let txn = db.begin_write()?;
            txn.open_table(SEGMENTS)?;
            txn.open_table(UNITS)?;
            txn.commit()?;
            Ok(Self { db })
        }
    }

    impl Store for RedbStore {
        fn commit(&mut self, table: Table, items: &[(&[u8], &[u8])]) -> Result<(), Error> {
            // The default durability, Immediate: persistent once commit returns.
            let txn = self.db.begin_write()?;
            {
                let mut table = txn.open_table(definition(table))?;
                for (key, value) in items {
                    table.insert(*key, *value)?;
                }
            }
            txn.commit()?;
            Ok(())
        }

        fn last_at_or_before(&self, table: Table, key: &[u8]) -> Result<Option<Entry>, Error> {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(definition(table))?;
            let last = table.range::<&[u8]>(..=key)?.next_back();
            match last {
                Some(entry) => {
                    let (key, value) = entry?;
                    Ok(Some((key.value().to_vec(), value.value().to_vec())))
                }
                None => Ok(None),
            }
        }

        fn scan(&self, table: Table, from: &[u8], to: &[u8], visit: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), Error> {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(definition(table))?;
            for entry in table.range::<&[u8]>(from..=to)? {
                let (key, value) = entry?;
                visit(key.value(), value.value());
            }
            Ok(())
        }
    }
}

#[cfg(feature = "sqlite")]
mod sqlite_store {
    use super::{Entry, Error, Store, Table};
    use rusqlite::Connection;
    use std::path::Path;

    pub struct SqliteStore {
        conn: Connection,
    }

    fn name(table: Table) -> &'static str {
        match table {
            Table::Segments => "segments",
            Table::Units => "units",
        }
    }

    impl SqliteStore {
        pub fn open(dir: &Path) -> Result<Self, Error> {
            let conn = Connection::open(dir.join("archive.sqlite"))?;
            // WAL with synchronous=FULL fsyncs the WAL on every commit: durable on power loss.
            // (synchronous=NORMAL in WAL mode may lose the last commits on power loss.)
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
            assert_eq!(mode, "wal", "SQLite accepted WAL mode");
            conn.pragma_update(None, "synchronous", "FULL")?;
            // Segments (about 4 kB each) live in a rowid table, whose leaves hold a value of up to
            // about 4 kB, with a unique index on the key. As a WITHOUT ROWID table (an index
            // b-tree: about 1 kB local, the rest in overflow pages) they ingested 2.3× slower,
            // rewrote open segments 5× slower and took 11 % more disk (measured, 6 h run).
            // Raw units are small rows, the case WITHOUT ROWID is for.
            conn.execute("CREATE TABLE IF NOT EXISTS segments (k BLOB NOT NULL UNIQUE, v BLOB NOT NULL)", [])?;
            conn.execute("CREATE TABLE IF NOT EXISTS units (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID", [])?;
            Ok(Self { conn })
        }
    }

    impl Store for SqliteStore {
        fn commit(&mut self, table: Table, items: &[(&[u8], &[u8])]) -> Result<(), Error> {
            let txn = self.conn.transaction()?;
            {
                let mut insert =
                    txn.prepare_cached(&format!("INSERT OR REPLACE INTO {} (k, v) VALUES (?1, ?2)", name(table)))?;
                for (key, value) in items {
                    insert.execute((key, value))?;
                }
            }
            txn.commit()?;
            Ok(())
        }

        fn last_at_or_before(&self, table: Table, key: &[u8]) -> Result<Option<Entry>, Error> {
            let sql = format!("SELECT k, v FROM {} WHERE k <= ?1 ORDER BY k DESC LIMIT 1", name(table));
            let mut select = self.conn.prepare_cached(&sql)?;
            let mut rows = select.query([key])?;
            match rows.next()? {
                Some(row) => Ok(Some((row.get(0)?, row.get(1)?))),
                None => Ok(None),
            }
        }

        fn scan(&self, table: Table, from: &[u8], to: &[u8], visit: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), Error> {
            let sql = format!("SELECT k, v FROM {} WHERE k >= ?1 AND k <= ?2 ORDER BY k", name(table));
            let mut select = self.conn.prepare_cached(&sql)?;
            let mut rows = select.query([from, to])?;
            while let Some(row) = rows.next()? {
                let key = row.get_ref(0)?.as_blob()?;
                let value = row.get_ref(1)?.as_blob()?;
                visit(key, value);
            }
            Ok(())
        }
    }
}
