//! The identity store: `identity.sqlite`, holding people's accounts, API tokens and portal
//! sessions (`identity::UserRecord`, `TokenRecord`, `Session`). It holds hashes only: Argon2id
//! PHC strings of passwords, SHA-256 of token texts and of session cookies, never a secret
//! that would let its reader act. Each write is one transaction, made durable (WAL,
//! synchronous FULL) before it returns.

use crate::error::SqlContext;
use crate::ArchiveError;
use ::identity::{parse_grant, Revocation, Session, TokenRecord, UserRecord};
use base::Env;
use policy::Grant;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::{Path, PathBuf};

/// The identity store's database file in its directory.
const IDENTITY_FILE: &str = "identity.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_phc TEXT NOT NULL,
    grants TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    grants TEXT NOT NULL,
    envs TEXT,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER,
    hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash BLOB PRIMARY KEY,
    user TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    idle_timeout_ms INTEGER NOT NULL,
    absolute_timeout_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);";

const USER_COLUMNS: &str = "rowid, name, password_phc, grants, disabled, created_ms";
const TOKEN_COLUMNS: &str = "rowid, id, name, owner, grants, envs, created_ms, expires_ms, revoked_ms, hash";
const SESSION_COLUMNS: &str =
    "rowid, id_hash, user, csrf, created_ms, last_seen_ms, idle_timeout_ms, absolute_timeout_ms";

/// Accounts, tokens and sessions in a SQLite file.
pub struct IdentityStore {
    conn: Connection,
    path: PathBuf,
}

impl IdentityStore {
    /// Opens (creating) `identity.sqlite` in `dir`; on Unix the file is readable by its owner only.
    pub fn open(dir: &Path) -> Result<IdentityStore, ArchiveError> {
        let (conn, path) = crate::private::PrivateStore {
            file: IDENTITY_FILE,
            opening: "opening the identity store",
            setting_up: "setting up the identity store",
            creating: "creating the identity store's tables",
            schema: SCHEMA,
        }
        .open(dir)?;
        Ok(IdentityStore { conn, path })
    }

    // ── Users ───────────────────────────────────────────────────────────────────────────────

    /// Adds `user`; `false` (and nothing written) when a user of that name exists.
    pub fn add_user(&mut self, user: &UserRecord) -> Result<bool, ArchiveError> {
        let added = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO users (name, password_phc, grants, disabled, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user.name, user.password_phc, grants_text(&user.grants), user.disabled, ms(user.created_ms)],
            )
            .doing(&self.path, "adding a user")?;
        Ok(added == 1)
    }

    /// Replaces `name`'s password hash and ends every session of the user, in one transaction;
    /// `false` when there is no such user.
    pub fn set_password(&mut self, name: &str, password_phc: &str) -> Result<bool, ArchiveError> {
        let doing = "setting a password";
        let tx = self.conn.transaction().doing(&self.path, doing)?;
        let changed = tx
            .execute("UPDATE users SET password_phc = ?2 WHERE name = ?1", params![name, password_phc])
            .doing(&self.path, doing)?;
        tx.execute("DELETE FROM sessions WHERE user = ?1", params![name]).doing(&self.path, doing)?;
        tx.commit().doing(&self.path, doing)?;
        Ok(changed == 1)
    }

    /// Replaces `name`'s grants; `false` when there is no such user. Tokens keep theirs, but act
    /// only within their owner's current grants (the adapter checks at each use).
    pub fn set_grants(&mut self, name: &str, grants: &[Grant]) -> Result<bool, ArchiveError> {
        let changed = self
            .conn
            .execute("UPDATE users SET grants = ?2 WHERE name = ?1", params![name, grants_text(grants)])
            .doing(&self.path, "setting a user's grants")?;
        Ok(changed == 1)
    }

    /// Disables `name` and ends every session of the user, in one transaction; `false` when
    /// there is no such user. The user's tokens are refused while the owner is disabled.
    pub fn disable(&mut self, name: &str) -> Result<bool, ArchiveError> {
        let doing = "disabling a user";
        let tx = self.conn.transaction().doing(&self.path, doing)?;
        let changed =
            tx.execute("UPDATE users SET disabled = 1 WHERE name = ?1", params![name]).doing(&self.path, doing)?;
        tx.execute("DELETE FROM sessions WHERE user = ?1", params![name]).doing(&self.path, doing)?;
        tx.commit().doing(&self.path, doing)?;
        Ok(changed == 1)
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRecord>, ArchiveError> {
        self.rows("users", &format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"), [], user_row)
    }

    /// The user named `name`, if any.
    pub fn user(&self, name: &str) -> Result<Option<UserRecord>, ArchiveError> {
        self.row("users", &format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"), [name], user_row)
    }

    // ── Tokens ──────────────────────────────────────────────────────────────────────────────

    /// Stores a new token; `false` (nothing written) when a token with its id exists.
    pub fn insert_token(&mut self, token: &TokenRecord) -> Result<bool, ArchiveError> {
        let added = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO tokens (id, name, owner, grants, envs, created_ms, expires_ms, revoked_ms, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    token.id,
                    token.name,
                    token.owner,
                    grants_text(&token.grants),
                    token.envs.as_deref().map(envs_text),
                    ms(token.created_ms),
                    ms(token.expires_ms),
                    token.revoked_ms.map(ms),
                    &token.hash[..],
                ],
            )
            .doing(&self.path, "storing a token")?;
        Ok(added == 1)
    }

    /// The token with id `id`, if any.
    pub fn token(&self, id: &str) -> Result<Option<TokenRecord>, ArchiveError> {
        self.row("tokens", &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1"), [id], token_row)
    }

    /// Every token, oldest first.
    pub fn tokens(&self) -> Result<Vec<TokenRecord>, ArchiveError> {
        self.rows("tokens", &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_ms, id"), [], token_row)
    }

    /// Revokes token `id` at `now_ms` in one transaction; `None` when there is no such token.
    /// Revoking a revoked token changes nothing and answers `AlreadyRevoked` with its time.
    pub fn revoke_token(&mut self, id: &str, now_ms: u64) -> Result<Option<Revocation>, ArchiveError> {
        let doing = "revoking a token";
        let tx = self.conn.transaction().doing(&self.path, doing)?;
        let revoked: Option<Option<i64>> = tx
            .query_row("SELECT revoked_ms FROM tokens WHERE id = ?1", [id], |row| row.get(0))
            .optional()
            .doing(&self.path, doing)?;
        let answer = match revoked {
            None => None,
            Some(Some(at)) => Some(Revocation::AlreadyRevoked { at_ms: u64::try_from(at).unwrap_or_default() }),
            Some(None) => {
                tx.execute("UPDATE tokens SET revoked_ms = ?2 WHERE id = ?1", params![id, ms(now_ms)])
                    .doing(&self.path, doing)?;
                Some(Revocation::Revoked { at_ms: now_ms })
            }
        };
        tx.commit().doing(&self.path, doing)?;
        Ok(answer)
    }

    // ── Sessions ────────────────────────────────────────────────────────────────────────────

    /// Stores a new session.
    pub fn insert_session(&mut self, session: &Session) -> Result<(), ArchiveError> {
        self.conn
            .execute(
                "INSERT INTO sessions (id_hash, user, csrf, created_ms, last_seen_ms, idle_timeout_ms, absolute_timeout_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    &session.id_hash[..],
                    session.user,
                    session.csrf,
                    ms(session.created_ms),
                    ms(session.last_seen_ms),
                    ms(session.idle_timeout_ms),
                    ms(session.absolute_timeout_ms),
                ],
            )
            .doing(&self.path, "storing a session")?;
        Ok(())
    }

    /// The session whose cookie hashes to `id_hash`, if any.
    pub fn session(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, ArchiveError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = ?1");
        self.row("sessions", &sql, [&id_hash[..]], session_row)
    }

    /// Records a request of the session at `now_ms`; `false` when there is no such session.
    pub fn touch_session(&mut self, id_hash: &[u8; 32], now_ms: u64) -> Result<bool, ArchiveError> {
        let changed = self
            .conn
            .execute("UPDATE sessions SET last_seen_ms = ?2 WHERE id_hash = ?1", params![&id_hash[..], ms(now_ms)])
            .doing(&self.path, "touching a session")?;
        Ok(changed == 1)
    }

    /// Ends a session (logout); `false` when there was none.
    pub fn delete_session(&mut self, id_hash: &[u8; 32]) -> Result<bool, ArchiveError> {
        let deleted = self
            .conn
            .execute("DELETE FROM sessions WHERE id_hash = ?1", [&id_hash[..]])
            .doing(&self.path, "deleting a session")?;
        Ok(deleted == 1)
    }

    /// Ends every session of `user`; how many there were.
    pub fn delete_sessions_of(&mut self, user: &str) -> Result<usize, ArchiveError> {
        self.conn
            .execute("DELETE FROM sessions WHERE user = ?1", [user])
            .doing(&self.path, "deleting a user's sessions")
    }

    /// Removes every session expired at `now_ms` (idle or absolute); how many.
    pub fn prune_expired(&mut self, now_ms: u64) -> Result<usize, ArchiveError> {
        self.conn
            .execute(
                "DELETE FROM sessions
                 WHERE ?1 >= last_seen_ms + idle_timeout_ms OR ?1 >= created_ms + absolute_timeout_ms",
                [ms(now_ms)],
            )
            .doing(&self.path, "pruning expired sessions")
    }

    // ── Reading ─────────────────────────────────────────────────────────────────────────────

    /// Every row of `table` selected by `sql` through `decode`, which gives `None` for a row
    /// that does not decode (then `ArchiveError::Corrupt` names it).
    fn rows<T, P: rusqlite::Params>(
        &self,
        table: &'static str,
        sql: &str,
        params: P,
        decode: fn(&Row<'_>) -> rusqlite::Result<Option<T>>,
    ) -> Result<Vec<T>, ArchiveError> {
        let doing = "reading the identity store";
        let mut select = self.conn.prepare(sql).doing(&self.path, doing)?;
        let rows = select.query_map(params, |row| Ok((row.get::<_, i64>(0)?, decode(row)))).doing(&self.path, doing)?;
        let mut out = Vec::new();
        for row in rows {
            let (rowid, decoded) = row.doing(&self.path, doing)?;
            match decoded {
                Ok(Some(item)) => out.push(item),
                // A column of the wrong type is as corrupt as a value that does not parse.
                Ok(None) | Err(_) => return Err(ArchiveError::Corrupt { table, row: rowid }),
            }
        }
        Ok(out)
    }

    fn row<T, P: rusqlite::Params>(
        &self,
        table: &'static str,
        sql: &str,
        params: P,
        decode: fn(&Row<'_>) -> rusqlite::Result<Option<T>>,
    ) -> Result<Option<T>, ArchiveError> {
        Ok(self.rows(table, sql, params, decode)?.pop())
    }
}

fn user_row(row: &Row<'_>) -> rusqlite::Result<Option<UserRecord>> {
    let (Some(grants), Some(created_ms)) = (grants(&row.get::<_, String>(3)?), unsigned(row.get(5)?)) else {
        return Ok(None);
    };
    Ok(Some(UserRecord { name: row.get(1)?, password_phc: row.get(2)?, grants, disabled: row.get(4)?, created_ms }))
}

fn token_row(row: &Row<'_>) -> rusqlite::Result<Option<TokenRecord>> {
    let envs = match row.get::<_, Option<String>>(5)? {
        None => Some(None),
        Some(text) => envs(&text).map(Some),
    };
    let revoked_ms = match row.get::<_, Option<i64>>(8)? {
        None => Some(None),
        Some(at) => unsigned(at).map(Some),
    };
    let decoded = (
        grants(&row.get::<_, String>(4)?),
        envs,
        unsigned(row.get(6)?),
        unsigned(row.get(7)?),
        revoked_ms,
        <[u8; 32]>::try_from(row.get::<_, Vec<u8>>(9)?).ok(),
    );
    let (Some(grants), Some(envs), Some(created_ms), Some(expires_ms), Some(revoked_ms), Some(hash)) = decoded else {
        return Ok(None);
    };
    Ok(Some(TokenRecord {
        id: row.get(1)?,
        name: row.get(2)?,
        owner: row.get(3)?,
        grants,
        envs,
        created_ms,
        expires_ms,
        revoked_ms,
        hash,
    }))
}

fn session_row(row: &Row<'_>) -> rusqlite::Result<Option<Session>> {
    let decoded = (
        <[u8; 32]>::try_from(row.get::<_, Vec<u8>>(1)?).ok(),
        unsigned(row.get(4)?),
        unsigned(row.get(5)?),
        unsigned(row.get(6)?),
        unsigned(row.get(7)?),
    );
    let (Some(id_hash), Some(created_ms), Some(last_seen_ms), Some(idle_timeout_ms), Some(absolute_timeout_ms)) =
        decoded
    else {
        return Ok(None);
    };
    Ok(Some(Session {
        id_hash,
        user: row.get(2)?,
        csrf: row.get(3)?,
        created_ms,
        last_seen_ms,
        idle_timeout_ms,
        absolute_timeout_ms,
    }))
}

/// Grants as stored: their texts, separated by spaces.
fn grants_text(grants: &[Grant]) -> String {
    grants.iter().map(Grant::to_string).collect::<Vec<_>>().join(" ")
}

fn grants(text: &str) -> Option<Vec<Grant>> {
    text.split_whitespace().map(|grant| parse_grant(grant).ok()).collect()
}

fn envs_text(envs: &[Env]) -> String {
    envs.iter().map(|env| env.as_str()).collect::<Vec<_>>().join(" ")
}

fn envs(text: &str) -> Option<Vec<Env>> {
    text.split_whitespace().map(|env| env.parse().ok()).collect()
}

/// A time or duration as SQLite stores it (times past year 292 million saturate).
fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn unsigned(stored: i64) -> Option<u64> {
    u64::try_from(stored).ok()
}

/// Takes group and other access away from the store's file: hashes are not secrets that let
/// anyone act, but they would let an attacker guess weak passwords offline.
#[cfg(test)]
mod tests;
