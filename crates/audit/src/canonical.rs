//! The exact bytes that are hashed, signed and stored.
//!
//! A record's hash is SHA-256 over
//!
//! ```text
//! "groundplane.audit/v1 record" 0x00
//! ‖ seq (u64 big-endian) ‖ prev (32 bytes) ‖ at_ms (u64 big-endian)
//! ‖ field(principal) ‖ field(action) ‖ field(resource) ‖ field(outcome) ‖ field(detail)
//! field(x) = len(x) (u32 big-endian) ‖ x (UTF-8); outcome is `allowed`, `denied` or `failed`;
//! detail is its canonical JSON (below)
//! ```
//!
//! and a checkpoint's signature is Ed25519 over
//! `"groundplane.audit/v1 checkpoint" 0x00 ‖ seq (u64 BE) ‖ hash (32 bytes) ‖ at_ms (u64 BE)`.
//!
//! Canonical JSON (our own writer, so it never depends on a library's choices): no
//! whitespace; object keys sorted by their UTF-8 bytes; strings escape `"` and `\` and
//! the control characters (`\b \f \n \r \t`, others `\u00xx` in lower-case hex) and nothing
//! else; numbers are integers in decimal. Fractional numbers are refused: a JSON reader need
//! not read them back to the same bits, and a record must hash the same once read back.

use crate::{AuditError, DETAIL_DEPTH_MAX};
use serde_json::Value;
use std::fmt::Write as _;

/// Domain tag of a record's hash.
pub(crate) const RECORD_TAG: &[u8] = b"groundplane.audit/v1 record\0";

/// Domain tag of a checkpoint's signed message.
pub(crate) const CHECKPOINT_TAG: &[u8] = b"groundplane.audit/v1 checkpoint\0";

/// What the genesis `prev` is the SHA-256 of.
pub(crate) const GENESIS_TEXT: &[u8] = b"groundplane.audit/v1 genesis";

/// Appends a length-prefixed field.
pub(crate) fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    // The writer's limits keep fields far below 4 GiB, and so does storage (SQLite's text
    // limit is 1 GB); a longer field read from elsewhere only fails to verify.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The canonical JSON of a detail, or why it has none (`place` starts at `detail`).
pub(crate) fn detail_json(detail: &Value) -> Result<String, AuditError> {
    let mut out = String::new();
    let mut place = String::from("detail");
    write_value(&mut out, detail, &mut place, 0)?;
    Ok(out)
}

fn write_value(out: &mut String, value: &Value, place: &mut String, depth: usize) -> Result<(), AuditError> {
    let nested = matches!(value, Value::Array(_) | Value::Object(_));
    if nested && depth >= DETAIL_DEPTH_MAX {
        let reason = format!("nested deeper than {DETAIL_DEPTH_MAX} arrays or objects");
        return Err(AuditError::Detail { place: place.clone(), reason });
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => {
            if !(number.is_i64() || number.is_u64()) {
                let reason = format!(
                    "{number} is not an integer (fractions do not read back exactly: give it as a string or in integer units)"
                );
                return Err(AuditError::Detail { place: place.clone(), reason });
            }
            let _ = write!(out, "{number}");
        }
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (item_idx, item) in items.iter().enumerate() {
                if item_idx > 0 {
                    out.push(',');
                }
                let len = place.len();
                let _ = write!(place, "[{item_idx}]");
                write_value(out, item, place, depth + 1)?;
                place.truncate(len);
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (key_idx, key) in keys.into_iter().enumerate() {
                if key_idx > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                let len = place.len();
                let _ = write!(place, ".{key}");
                write_value(out, &members[key], place, depth + 1)?;
                place.truncate(len);
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A JSON string, escaped canonically.
pub(crate) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ch if u32::from(ch) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(ch));
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
}

/// Lower-case hex digits into bytes; `None` unless exactly `2 * N` lower-case hex digits.
pub(crate) fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digit = |byte: u8| match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    };
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let mut bytes = [0u8; N];
    for (idx, byte) in bytes.iter_mut().enumerate() {
        *byte = digit(text[2 * idx])? << 4 | digit(text[2 * idx + 1])?;
    }
    Some(bytes)
}
