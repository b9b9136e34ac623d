//! The fields of one step, and the value readers shared with the document's fields.

use super::{entries, Context};
use crate::condition::Condition;
use crate::error::Problem;
use crate::procedure::{Expect, Step, StepKind};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The longest duration a step may give, in seconds (one day).
pub const DURATION_S_MAX: u64 = 86_400;
/// How long a send step waits for its stage when the file does not say.
pub const TIMEOUT_S_DEFAULT: u64 = 10;

/// A step kind: the key that selects it, its name, and every field it takes.
struct Kind {
    key: &'static str,
    word: &'static str,
    fields: &'static [&'static str],
    listed: &'static str,
}

const KINDS: [Kind; 4] = [
    Kind { key: "log", word: "log", fields: &["log"], listed: "log" },
    Kind {
        key: "send",
        word: "send",
        fields: &["send", "arguments", "expect", "failure_code", "timeout_s"],
        listed: "send, arguments, expect, failure_code, timeout_s",
    },
    Kind {
        key: "parameter",
        word: "parameter",
        fields: &["parameter", "condition", "within_s"],
        listed: "parameter, condition, within_s",
    },
    Kind { key: "wait_s", word: "wait", fields: &["wait_s"], listed: "wait_s" },
];

const ALL_FIELDS: &str =
    "log, send, arguments, expect, failure_code, timeout_s, parameter, condition, within_s, wait_s";

type Entry<'a, 'i> = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>);

/// Reads one `[[step]]` table; `None` when it has a problem (recorded in `ctx`).
pub(super) fn read_step(ctx: &mut Context, span: Range<usize>, table: &DeTable, path: &str) -> Option<Step> {
    let entries = entries(table);
    let line =
        entries.first().map_or_else(|| ctx.place(span.clone(), "").line, |(key, _)| ctx.place(key.span(), "").line);
    let mut kind: Option<&Kind> = None;
    let mut ok = true;
    for (key, _) in &entries {
        let Some(found) = KINDS.iter().find(|k| k.key == key.get_ref()) else { continue };
        match kind {
            None => kind = Some(found),
            Some(first) => {
                let at = ctx.place(key.span(), format!("{path}.{}", key.get_ref()));
                ctx.report(Problem::TwoKinds { at, first: first.word });
                ok = false;
            }
        }
    }
    for (key, _) in &entries {
        let name = key.get_ref().as_ref();
        let is_kind_key = KINDS.iter().any(|k| k.key == name);
        let at = ctx.place(key.span(), format!("{path}.{name}"));
        if !ALL_FIELDS.split(", ").any(|field| field == name) {
            ctx.report(Problem::UnknownField { at, known: ALL_FIELDS });
            ok = false;
        } else if let Some(kind) = kind.filter(|kind| !is_kind_key && !kind.fields.contains(&name)) {
            ctx.report(Problem::NotForKind { at, kind: kind.word, fields: kind.listed });
            ok = false;
        }
    }
    let Some(kind) = kind else {
        let at = ctx.place(span, path);
        ctx.report(Problem::NoKind { at });
        return None;
    };
    let step_kind = match kind.word {
        "log" => read_log(ctx, &entries, path),
        "send" => read_send(ctx, &entries, path),
        "parameter" => read_parameter(ctx, span, &entries, path),
        _ => duration_ms(ctx, get(&entries, "wait_s")?.1, &format!("{path}.wait_s"))
            .map(|duration_ms| StepKind::Wait { duration_ms }),
    };
    if ok {
        step_kind.map(|kind| Step { line, kind })
    } else {
        None
    }
}

fn get<'a, 'i>(entries: &[Entry<'a, 'i>], name: &str) -> Option<Entry<'a, 'i>> {
    entries.iter().find(|(key, _)| key.get_ref() == name).copied()
}

fn read_log(ctx: &mut Context, entries: &[Entry], path: &str) -> Option<StepKind> {
    let (_, value) = get(entries, "log")?;
    text(ctx, value, &format!("{path}.log")).map(|message| StepKind::Log { message })
}

fn read_send(ctx: &mut Context, entries: &[Entry], path: &str) -> Option<StepKind> {
    let command = text(ctx, get(entries, "send")?.1, &format!("{path}.send"));
    let arguments = match get(entries, "arguments") {
        None => Some(serde_json::Map::new()),
        Some((_, value)) => match value.get_ref() {
            DeValue::Table(table) => arguments(ctx, table, &format!("{path}.arguments")),
            other => {
                let at = ctx.place(value.span(), format!("{path}.arguments"));
                ctx.report(Problem::WrongType { at, expected: "a table", found: other.type_str() });
                None
            }
        },
    };
    let expect = match get(entries, "expect") {
        None => Some(Expect::Completed),
        Some((_, value)) => expect(ctx, value, &format!("{path}.expect")),
    };
    let failure_code = match get(entries, "failure_code") {
        None => Some(None),
        Some((_, value)) => failure_code(ctx, value, &format!("{path}.failure_code")).map(Some),
    };
    let timeout_ms = match get(entries, "timeout_s") {
        None => Some(TIMEOUT_S_DEFAULT * 1000),
        Some((_, value)) => duration_ms(ctx, value, &format!("{path}.timeout_s")),
    };
    let expect = match (expect?, failure_code?) {
        (Expect::Failed { .. }, failure_code) => Expect::Failed { failure_code },
        (other, None) => other,
        (_, Some(_)) => {
            let (key, _) = get(entries, "failure_code")?;
            let at = ctx.place(key.span(), format!("{path}.failure_code"));
            ctx.report(Problem::FailureCodeWithoutFailed { at });
            return None;
        }
    };
    Some(StepKind::Send { command: command?, arguments: arguments?, expect, timeout_ms: timeout_ms? })
}

fn read_parameter(ctx: &mut Context, span: Range<usize>, entries: &[Entry], path: &str) -> Option<StepKind> {
    let parameter = text(ctx, get(entries, "parameter")?.1, &format!("{path}.parameter"));
    let condition = match get(entries, "condition") {
        None => {
            let at = ctx.place(span, format!("{path}.condition"));
            ctx.report(Problem::Missing { at, why: "a parameter step needs a condition, e.g. \"> 20\"" });
            None
        }
        Some((_, value)) => text(ctx, value, &format!("{path}.condition")).and_then(|written| {
            Condition::parse(&written)
                .map_err(|source| {
                    let at = ctx.place(value.span(), format!("{path}.condition"));
                    ctx.report(Problem::Condition { at, source });
                })
                .ok()
        }),
    };
    let within_ms = match get(entries, "within_s") {
        None => Some(0),
        Some((_, value)) => duration_ms(ctx, value, &format!("{path}.within_s")),
    };
    Some(StepKind::Parameter { parameter: parameter?, condition: condition?, within_ms: within_ms? })
}

/// A non-empty string.
pub(super) fn text(ctx: &mut Context, value: &Spanned<DeValue>, path: &str) -> Option<String> {
    let found = text_or_empty(ctx, value, path)?;
    if found.trim().is_empty() {
        let at = ctx.place(value.span(), path);
        ctx.report(Problem::Empty { at });
        return None;
    }
    Some(found)
}

/// Any string.
pub(super) fn text_or_empty(ctx: &mut Context, value: &Spanned<DeValue>, path: &str) -> Option<String> {
    match value.get_ref() {
        DeValue::String(text) => Some(text.to_string()),
        other => {
            let at = ctx.place(value.span(), path);
            ctx.report(Problem::WrongType { at, expected: "a string", found: other.type_str() });
            None
        }
    }
}

/// Seconds (an integer or a float) from 0 to `DURATION_S_MAX`, as milliseconds.
fn duration_ms(ctx: &mut Context, value: &Spanned<DeValue>, path: &str) -> Option<u64> {
    let seconds = match value.get_ref() {
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix()).ok().map(|s| s as f64),
        DeValue::Float(float) => float.as_str().parse::<f64>().ok(),
        other => {
            let at = ctx.place(value.span(), path);
            ctx.report(Problem::WrongType { at, expected: "seconds (a number)", found: other.type_str() });
            return None;
        }
    };
    match seconds.filter(|s| s.is_finite() && (0.0..=DURATION_S_MAX as f64).contains(s)) {
        Some(seconds) => Some((seconds * 1000.0).round() as u64),
        None => {
            let at = ctx.place(value.span(), path);
            let found = ctx.text.get(value.span()).unwrap_or("?").to_string();
            ctx.report(Problem::Duration { at, found, max_s: DURATION_S_MAX });
            None
        }
    }
}

fn expect(ctx: &mut Context, value: &Spanned<DeValue>, path: &str) -> Option<Expect> {
    let word = text_or_empty(ctx, value, path)?;
    let expect = match word.as_str() {
        "rejected" => Expect::Rejected,
        "sent" => Expect::Sent,
        "accepted" => Expect::Accepted,
        "started" => Expect::Started,
        "completed" => Expect::Completed,
        "failed" => Expect::Failed { failure_code: None },
        _ => {
            let at = ctx.place(value.span(), path);
            ctx.report(Problem::Expect { at, found: word });
            return None;
        }
    };
    Some(expect)
}

fn failure_code(ctx: &mut Context, value: &Spanned<DeValue>, path: &str) -> Option<u64> {
    if let DeValue::Integer(integer) = value.get_ref() {
        if let Ok(code) = u64::from_str_radix(integer.as_str(), integer.radix()) {
            return Some(code);
        }
    }
    let at = ctx.place(value.span(), path);
    let found = ctx.text.get(value.span()).unwrap_or("?").to_string();
    ctx.report(Problem::FailureCode { at, found });
    None
}

/// A TOML table of argument values as a JSON object.
fn arguments(ctx: &mut Context, table: &DeTable, path: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut map = serde_json::Map::new();
    let mut ok = true;
    for (key, value) in entries(table) {
        match json(ctx, value, &format!("{path}.{}", key.get_ref())) {
            Some(json) => {
                map.insert(key.get_ref().to_string(), json);
            }
            None => ok = false,
        }
    }
    ok.then_some(map)
}

fn json(ctx: &mut Context, value: &Spanned<DeValue>, path: &str) -> Option<serde_json::Value> {
    use serde_json::Value;
    let problem = |ctx: &mut Context, message: String| {
        let at = ctx.place(value.span(), path);
        ctx.report(Problem::Argument { at, message });
        None
    };
    match value.get_ref() {
        DeValue::String(text) => Some(Value::String(text.to_string())),
        DeValue::Boolean(flag) => Some(Value::Bool(*flag)),
        DeValue::Integer(integer) => match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(number) => Some(Value::from(number)),
            Err(_) => match u64::from_str_radix(integer.as_str(), integer.radix()) {
                Ok(number) => Some(Value::from(number)),
                Err(_) => problem(ctx, format!("integer {integer} does not fit in 64 bits")),
            },
        },
        DeValue::Float(float) => match float.as_str().parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            Some(number) => Some(Value::Number(number)),
            None => problem(ctx, format!("{float} is not a finite number")),
        },
        DeValue::Datetime(datetime) => {
            problem(ctx, format!("{datetime} is a TOML date-time; write it as a string or milliseconds"))
        }
        DeValue::Array(array) => {
            let items: Vec<Option<Value>> =
                array.iter().enumerate().map(|(index, item)| json(ctx, item, &format!("{path}[{index}]"))).collect();
            items.into_iter().collect::<Option<Vec<_>>>().map(Value::Array)
        }
        DeValue::Table(table) => arguments(ctx, table, path).map(Value::Object),
    }
}
