//! Reading the archive: any number of readers, each with its own connection; WAL lets them
//! read a consistent snapshot while the writer commits.

mod buckets;
mod range;
mod records;

pub use buckets::BUCKETS_MAX;

use crate::codec::decode::{bytes_of, decode, Decoded, Val};
use crate::error::SqlContext;
use crate::records::level_from_code;
use crate::schema::{self, key, unkey};
use crate::{ArchiveError, SeriesInfo, Stored, StoredSample, StoredValue};
use model::AlarmLevel;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// A read connection to an archive.
pub struct Reader {
    conn: Connection,
    path: PathBuf,
}

/// A series as queries need it.
#[derive(Clone, Copy, Debug)]
struct SeriesRef {
    id: i64,
    /// Segments may overlap in time (some sample came earlier than one before it).
    backwards: bool,
}

impl Reader {
    pub(crate) fn open(dir: &Path) -> Result<Reader, ArchiveError> {
        let (conn, path) = schema::open_reader(dir)?;
        Ok(Reader { conn, path })
    }

    /// The series stored (with at least one sample), by name; `pattern` keeps the names it
    /// matches, where `*` stands for any text (`/BogusSAT/*`, `*TEMP*`).
    pub fn series(&self, pattern: Option<&str>) -> Result<Vec<SeriesInfo>, ArchiveError> {
        let doing = "listing series";
        let mut select = self
            .conn
            .prepare("SELECT name, samples, first_ms, last_ms FROM series WHERE samples > 0 ORDER BY name")
            .doing(&self.path, doing)?;
        let rows = select
            .query_map([], |row| {
                Ok(SeriesInfo {
                    name: row.get(0)?,
                    samples: unkey(row.get(1)?),
                    first_ms: unkey(row.get::<_, Option<i64>>(2)?.unwrap_or(0)),
                    last_ms: unkey(row.get::<_, Option<i64>>(3)?.unwrap_or(0)),
                })
            })
            .doing(&self.path, doing)?;
        let mut series = Vec::new();
        for info in rows {
            let info = info.doing(&self.path, doing)?;
            if pattern.is_none_or(|pattern| glob(pattern.as_bytes(), info.name.as_bytes())) {
                series.push(info);
            }
        }
        Ok(series)
    }

    /// The newest sample of a series (the latest received), `None` when it has none.
    pub fn latest(&self, series: &str) -> Result<Option<StoredSample>, ArchiveError> {
        let Some(series_ref) = self.series_ref(series)? else { return Ok(None) };
        let order = if series_ref.backwards { "id DESC" } else { "first_ms DESC, id DESC" };
        let sql = format!("SELECT id, blob FROM segments WHERE series_id = ?1 ORDER BY {order} LIMIT 1");
        let mut select = self.conn.prepare(&sql).doing(&self.path, "latest sample")?;
        let mut rows = select.query([series_ref.id]).doing(&self.path, "latest sample")?;
        let Some(row) = rows.next().doing(&self.path, "latest sample")? else { return Ok(None) };
        let id: i64 = row.get(0).doing(&self.path, "latest sample")?;
        let blob = row.get_ref(1).and_then(|v| Ok(v.as_blob()?)).doing(&self.path, "latest sample")?;
        let decoded = decode_segment(blob, id)?;
        Ok(Some(stored_sample(series, blob, &decoded, decoded.times.len() - 1)))
    }

    /// Durable totals as the archive on disk has them.
    pub fn stored(&self) -> Result<Stored, ArchiveError> {
        crate::writer::read_totals(&self.conn, &self.path)
    }

    /// Bytes the archive takes on disk (database and write-ahead log).
    pub fn disk_bytes(&self) -> Result<u64, ArchiveError> {
        let mut total = 0;
        for suffix in ["", "-wal"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let file = PathBuf::from(name);
            match std::fs::metadata(&file) {
                Ok(meta) => total += meta.len(),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(ArchiveError::Io { path: file, source }),
            }
        }
        Ok(total)
    }

    fn series_ref(&self, name: &str) -> Result<Option<SeriesRef>, ArchiveError> {
        self.conn
            .prepare("SELECT id, backwards FROM series WHERE name = ?1")
            .and_then(|mut select| {
                select.query_row([name], |row| Ok(SeriesRef { id: row.get(0)?, backwards: row.get(1)? })).optional()
            })
            .doing(&self.path, "looking up a series")
    }

    /// Where a scan of the series' segments for times from `from_ms` starts: after this
    /// (first_ms, id). Without overlaps, only the last segment starting before `from_ms` may
    /// reach it; with overlaps, every segment may.
    fn scan_start(&self, series: SeriesRef, from_ms: u64) -> Result<(i64, i64), ArchiveError> {
        if series.backwards {
            return Ok((i64::MIN, i64::MIN));
        }
        let start = self
            .conn
            .prepare(
                "SELECT first_ms, id FROM segments WHERE series_id = ?1 AND first_ms < ?2
                 ORDER BY first_ms DESC, id DESC LIMIT 1",
            )
            .and_then(|mut select| {
                select.query_row(params![series.id, key(from_ms)], |row| Ok((row.get(0)?, row.get(1)?))).optional()
            })
            .doing(&self.path, "finding the first segment")?;
        Ok(start.map_or((i64::MIN, i64::MIN), |(first_ms, id): (i64, i64)| (first_ms, id - 1)))
    }
}

fn decode_segment(blob: &[u8], id: i64) -> Result<Decoded, ArchiveError> {
    decode(blob).ok_or(ArchiveError::Corrupt { table: "segments", row: id })
}

fn stored_value(blob: &[u8], decoded: &Decoded, value: Val) -> StoredValue {
    match value {
        Val::Unsigned(v) => StoredValue::Unsigned(v),
        Val::Signed(v) => StoredValue::Signed(v),
        Val::Float(v) => StoredValue::Float(v),
        Val::Bool(b) => StoredValue::Bool(b),
        Val::Enum(index) => {
            StoredValue::Enum { index, label: decoded.labels.get(index as usize).cloned().unwrap_or_default() }
        }
        Val::UnknownEnum(v) => StoredValue::UnknownEnum(v),
        Val::Bytes(start, len) => StoredValue::Bytes(bytes_of(blob, start, len).to_vec()),
        Val::Text(start, len) => StoredValue::Text(String::from_utf8_lossy(bytes_of(blob, start, len)).into_owned()),
        Val::Time(v) => StoredValue::Time(v),
        Val::Invalid => StoredValue::Invalid,
    }
}

/// Sample `idx` of a decoded segment.
fn stored_sample(series: &str, blob: &[u8], decoded: &Decoded, idx: usize) -> StoredSample {
    let meta = decoded.meta[idx];
    StoredSample {
        series: series.to_string(),
        time_ms: decoded.times[idx],
        raw: stored_value(blob, decoded, decoded.raw[idx]),
        eng: stored_value(blob, decoded, decoded.eng[idx]),
        // The decoder checked the level codes.
        level: level_from_code(meta & 0x7F).unwrap_or(AlarmLevel::Normal),
        valid: meta & 0x80 == 0,
    }
}

/// Whether `name` matches `pattern`, where `*` matches any bytes and all else itself.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, n));
            p += 1;
        } else if p < pattern.len() && pattern[p] == name[n] {
            p += 1;
            n += 1;
        } else if let Some((star_p, star_n)) = star {
            p = star_p + 1;
            n = star_n + 1;
            star = Some((star_p, star_n + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}
