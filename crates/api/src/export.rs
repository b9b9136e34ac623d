//! Streamed CSV export: page after page from the backend, written as rows as they come, so a
//! huge export never sits in memory. The first page is fetched before answering, so a bad
//! cursor or range is still a 4xx; a failure later cuts the stream (and is logged).

use crate::backend::{Backend, BackendError};
use crate::error::ApiError;
use crate::pipeline::{blocking, AppState, Granted};
use crate::time::format_time_ms;
use crate::wire::RangeQuery;
use crate::wire::{AlarmDto, AlarmQuery, EventDto, EventQuery, SampleDto, UnitDto, UnitQuery};
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use base::Scope;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Chunks (one page each) buffered ahead of a slow client.
pub const CHUNKS_AHEAD: usize = 2;

/// A page of rows and the cursor of the next page.
type Page<T> = (Vec<T>, Option<String>);

/// Every page of a sample range as CSV.
pub(crate) async fn samples(
    app: &AppState,
    granted: &Granted,
    scope: Scope,
    query: RangeQuery,
) -> Result<Response, ApiError> {
    let first = query.cursor.clone();
    stream(app, granted, "samples", first, move |backend: &dyn Backend, cursor| {
        let page = backend.range(&scope, &RangeQuery { cursor, ..query.clone() })?;
        Ok((page.items, page.next))
    })
    .await
}

/// Every page of a unit range as CSV.
pub(crate) async fn units(
    app: &AppState,
    granted: &Granted,
    scope: Scope,
    query: UnitQuery,
) -> Result<Response, ApiError> {
    let first = query.cursor.clone();
    stream(app, granted, "units", first, move |backend: &dyn Backend, cursor| {
        let page = backend.units(&scope, &UnitQuery { cursor, ..query.clone() })?;
        Ok((page.items, page.next))
    })
    .await
}

/// Every page of an event range as CSV.
pub(crate) async fn events(
    app: &AppState,
    granted: &Granted,
    scope: Scope,
    query: EventQuery,
) -> Result<Response, ApiError> {
    let first = query.cursor.clone();
    stream(app, granted, "events", first, move |backend: &dyn Backend, cursor| {
        let page = backend.events(&scope, &EventQuery { cursor, ..query.clone() })?;
        Ok((page.items, page.next))
    })
    .await
}

/// Every page of an alarm history range as CSV.
pub(crate) async fn alarms(
    app: &AppState,
    granted: &Granted,
    scope: Scope,
    query: AlarmQuery,
) -> Result<Response, ApiError> {
    let first = query.cursor.clone();
    stream(app, granted, "alarms", first, move |backend: &dyn Backend, cursor| {
        let page = backend.alarms(&scope, &AlarmQuery { cursor, ..query.clone() })?;
        Ok((page.items, page.next))
    })
    .await
}

async fn stream<T, F>(
    app: &AppState,
    granted: &Granted,
    name: &'static str,
    first_cursor: Option<String>,
    fetch: F,
) -> Result<Response, ApiError>
where
    T: CsvRow + Send + 'static,
    F: Fn(&dyn Backend, Option<String>) -> Result<Page<T>, BackendError> + Send + Sync + 'static,
{
    let fetch = Arc::new(fetch);
    let (items, mut next) = fetch_page(app, &fetch, first_cursor).await?;
    let mut chunk = format!("{}\n", T::HEADER.join(","));
    write_rows(&items, &mut chunk);
    let (sender, receiver) = mpsc::channel(CHUNKS_AHEAD);
    let (app, request_id) = (app.clone(), granted.request_id.clone());
    tokio::spawn(async move {
        loop {
            if sender.send(Ok(chunk)).await.is_err() {
                return; // The client went away.
            }
            let Some(cursor) = next.take() else { return };
            match fetch_page(&app, &fetch, Some(cursor.clone())).await {
                Ok((items, following)) if following.as_ref() != Some(&cursor) => {
                    chunk = String::new();
                    write_rows(&items, &mut chunk);
                    next = following;
                }
                outcome => {
                    let detail = outcome.err().map_or("the backend repeated a cursor".to_string(), |e| e.to_string());
                    tracing::error!(request_id = %request_id, export = name, detail = %detail, "CSV export cut");
                    let _ = sender.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            }
        }
    });
    let mut response = Body::from_stream(ChannelStream(receiver)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

async fn fetch_page<T, F>(app: &AppState, fetch: &Arc<F>, cursor: Option<String>) -> Result<Page<T>, ApiError>
where
    T: Send + 'static,
    F: Fn(&dyn Backend, Option<String>) -> Result<Page<T>, BackendError> + Send + Sync + 'static,
{
    let fetch = Arc::clone(fetch);
    blocking(app, move |backend| fetch(backend, cursor)).await
}

/// A bounded channel as a body stream: the producer waits while the client reads slowly.
pub(crate) struct ChannelStream(pub mpsc::Receiver<Result<String, std::io::Error>>);

impl futures_core::Stream for ChannelStream {
    type Item = Result<String, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// A type exported as CSV rows.
pub(crate) trait CsvRow {
    /// The column names.
    const HEADER: &'static [&'static str];
    /// The row's fields, in header order.
    fn fields(&self) -> Vec<String>;
}

fn write_rows<T: CsvRow>(items: &[T], out: &mut String) {
    for item in items {
        let fields: Vec<String> = item.fields().iter().map(|field| quote(field)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; quotes doubled.
pub(crate) fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn json_field(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl CsvRow for SampleDto {
    const HEADER: &'static [&'static str] = &["time_utc", "time_ms", "parameter", "raw", "eng", "level", "valid"];
    fn fields(&self) -> Vec<String> {
        vec![
            format_time_ms(self.time_ms),
            self.time_ms.to_string(),
            self.parameter.clone(),
            json_field(&self.raw),
            json_field(&self.eng),
            self.level.clone(),
            self.valid.to_string(),
        ]
    }
}

impl CsvRow for UnitDto {
    const HEADER: &'static [&'static str] = &["time_utc", "time_ms", "seq", "link", "kind", "apid", "hex", "invalid"];
    fn fields(&self) -> Vec<String> {
        vec![
            format_time_ms(self.time_ms),
            self.time_ms.to_string(),
            self.seq.to_string(),
            self.link.clone(),
            self.kind.clone(),
            opt(&self.apid),
            self.hex.clone(),
            opt(&self.invalid),
        ]
    }
}

impl CsvRow for EventDto {
    const HEADER: &'static [&'static str] =
        &["time_utc", "time_ms", "severity", "source", "event_id", "message", "data_hex"];
    fn fields(&self) -> Vec<String> {
        vec![
            format_time_ms(self.time_ms),
            self.time_ms.to_string(),
            self.severity.clone(),
            self.source.clone(),
            self.event_id.to_string(),
            self.message.clone(),
            self.data_hex.clone(),
        ]
    }
}

impl CsvRow for AlarmDto {
    const HEADER: &'static [&'static str] = &["time_utc", "time_ms", "parameter", "change", "level", "by"];
    fn fields(&self) -> Vec<String> {
        vec![
            format_time_ms(self.time_ms),
            self.time_ms.to_string(),
            self.parameter.clone(),
            self.change.clone(),
            self.level.clone(),
            opt(&self.by),
        ]
    }
}
