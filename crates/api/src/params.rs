//! Query strings: parsed by hand so that every refusal names its parameter, repeated lists
//! work (`names=a&names=b` as well as `names=a,b`), and unknown parameters are refused.

use crate::error::ApiError;
use crate::time::parse_time_ms;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;

/// Most items one page may ask for.
pub const LIMIT_MAX: usize = 100_000;
/// Items per page when `limit` is absent.
pub const LIMIT_DEFAULT: usize = 1000;
/// Most buckets one aggregate may ask for.
pub const BUCKETS_MAX: usize = 10_000;
/// Buckets when `buckets` is absent.
pub const BUCKETS_DEFAULT: usize = 100;
/// Most parameter names one request may list.
pub const NAMES_MAX: usize = 1000;
/// Longest accepted value of any query parameter.
pub const VALUE_LEN_MAX: usize = 4096;
/// Highest APID (11 bits).
pub const APID_MAX: u16 = 0x7ff;

/// Event severities, lowest first.
pub const SEVERITIES: [&str; 4] = ["info", "low", "medium", "high"];
/// Alarm levels, lowest first.
pub const LEVELS: [&str; 6] = ["normal", "watch", "warning", "distress", "critical", "severe"];

/// How a listing is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One page as JSON, with a `next` cursor.
    Json,
    /// Every page of the range as streamed CSV.
    Csv,
}

/// The query string as (key, value) pairs, in order. Extracting it never fails on content;
/// only a query string that is not `application/x-www-form-urlencoded` is a 400.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::BadRequest { field: None, reason: rejection.body_text() })?;
        Ok(Params { pairs })
    }
}

impl Params {
    /// Params from pairs (for tests and internal callers).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params { pairs }
    }

    /// The value of a parameter given at most once.
    pub fn one(&mut self, key: &str) -> Result<Option<String>, ApiError> {
        let mut values = self.take(key)?;
        if values.len() > 1 {
            return Err(ApiError::bad_request(key, format!("{key}: given {} times, expected once", values.len())));
        }
        Ok(values.pop())
    }

    /// The names of a list parameter: comma-separated, repeated, or both; empty items skipped.
    pub fn list(&mut self, key: &str) -> Result<Vec<String>, ApiError> {
        let names: Vec<String> = self
            .take(key)?
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        if names.len() > NAMES_MAX {
            return Err(ApiError::bad_request(key, format!("{key}: {} names, at most {NAMES_MAX}", names.len())));
        }
        Ok(names)
    }

    /// A required list: at least one name.
    pub fn required_list(&mut self, key: &str) -> Result<Vec<String>, ApiError> {
        let names = self.list(key)?;
        if names.is_empty() {
            return Err(ApiError::bad_request(key, format!("{key}: at least one name is required")));
        }
        Ok(names)
    }

    /// A required single value.
    pub fn required(&mut self, key: &str) -> Result<String, ApiError> {
        self.one(key)?.ok_or_else(|| ApiError::bad_request(key, format!("{key}: required")))
    }

    /// `from` and `to` as milliseconds; `from` defaults to 0 and `to` to the end of time.
    pub fn time_range(&mut self) -> Result<(u64, u64), ApiError> {
        let from_ms = self.time("from")?.unwrap_or(0);
        let to_ms = self.time("to")?.unwrap_or(u64::MAX);
        if from_ms > to_ms {
            return Err(ApiError::bad_request("from", format!("from ({from_ms} ms) is after to ({to_ms} ms)")));
        }
        Ok((from_ms, to_ms))
    }

    /// `limit`: 1 to `LIMIT_MAX`, `LIMIT_DEFAULT` when absent.
    pub fn limit(&mut self) -> Result<usize, ApiError> {
        self.bounded("limit", LIMIT_DEFAULT, LIMIT_MAX)
    }

    /// A count in 1..=max, `default` when absent.
    pub fn bounded(&mut self, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(text) = self.one(key)? else { return Ok(default) };
        let value: usize = text
            .parse()
            .map_err(|_| ApiError::bad_request(key, format!("{key}: `{}` is not a whole number", clip(&text))))?;
        if value == 0 || value > max {
            return Err(ApiError::bad_request(key, format!("{key}: {value} is outside 1..={max}")));
        }
        Ok(value)
    }

    /// `cursor`, passed through to the platform as it was given.
    pub fn cursor(&mut self) -> Result<Option<String>, ApiError> {
        self.one("cursor")
    }

    /// `format`: `json` (default) or `csv`.
    pub fn format(&mut self) -> Result<Format, ApiError> {
        match self.one("format")?.as_deref() {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => {
                Err(ApiError::bad_request("format", format!("format: `{}` is not json or csv", clip(other))))
            }
        }
    }

    /// `apid`, 0 to 2047.
    pub fn apid(&mut self) -> Result<Option<u16>, ApiError> {
        let Some(text) = self.one("apid")? else { return Ok(None) };
        match text.parse::<u16>() {
            Ok(apid) if apid <= APID_MAX => Ok(Some(apid)),
            _ => Err(ApiError::bad_request("apid", format!("apid: `{}` is not a number in 0..=2047", clip(&text)))),
        }
    }

    /// A value from a fixed list, the first when absent.
    pub fn choice(&mut self, key: &str, choices: &[&str]) -> Result<String, ApiError> {
        let Some(text) = self.one(key)? else { return Ok(choices[0].to_string()) };
        if choices.contains(&text.as_str()) {
            return Ok(text);
        }
        Err(ApiError::bad_request(key, format!("{key}: `{}` is not one of {}", clip(&text), choices.join(", "))))
    }

    /// Refuses any parameter not taken yet.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.pairs.into_iter().next() {
            None => Ok(()),
            Some((key, _)) => {
                let key = clip(&key);
                Err(ApiError::BadRequest { reason: format!("unknown query parameter `{key}`"), field: Some(key) })
            }
        }
    }

    fn time(&mut self, key: &str) -> Result<Option<u64>, ApiError> {
        let Some(text) = self.one(key)? else { return Ok(None) };
        parse_time_ms(&text).map(Some).map_err(|e| ApiError::bad_request(key, format!("{key}: {e}")))
    }

    fn take(&mut self, key: &str) -> Result<Vec<String>, ApiError> {
        let (taken, kept) = std::mem::take(&mut self.pairs).into_iter().partition(|(k, _)| k == key);
        self.pairs = kept;
        let values: Vec<String> = taken.into_iter().map(|(_, value)| value).collect::<Vec<_>>();
        if values.iter().any(|value| value.len() > VALUE_LEN_MAX) {
            return Err(ApiError::bad_request(key, format!("{key}: longer than {VALUE_LEN_MAX} bytes")));
        }
        Ok(values)
    }
}

/// A client's text, shortened for an error message.
fn clip(text: &str) -> String {
    text.chars().take(64).collect()
}
