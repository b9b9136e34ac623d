//! The arguments of a command request as the API receives them (a JSON object), turned into
//! the values [`crate::args::check`] takes.
//!
//! JSON → [`ArgValue`]: an integer (one that fits `i64` or `u64`) → `Integer`, any other number
//! → `Float`, a string → `Text` (check reads the text forms: `"0x2A"`, `"ON"`, hex bytes), a
//! boolean → `Bool`, an array → `Array`, an object → `Aggregate`. Members (and arguments) come
//! in the map's order: the workspace's `serde_json` has no `preserve_order`, so that is by name,
//! and a key given twice keeps its last value (the JSON parser's rule); `check` finds arguments
//! and aggregate members by name, so the order never changes a result. `null` is refused: an argument left out takes its default, but `null` is not
//! a value. Nesting and lengths are bounded (see [`NESTING_MAX`], [`ARRAY_LEN_MAX`]), and every
//! error names the place as a path: `arguments.x[3].y`.

#[cfg(test)]
mod tests;

use crate::args::{ArgValue, ARRAY_LEN_MAX};
use serde_json::{Map, Value};

/// How deeply arrays and objects may nest inside one argument (the argument itself is depth 0).
pub const NESTING_MAX: usize = 8;

/// Why a request's arguments were refused; `path` is where (`arguments.x[3].y`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("{path}: null is not a value")]
    Null { path: String },
    #[error("{path}: arrays and objects nest deeper than {NESTING_MAX}")]
    TooDeep { path: String },
    #[error("{path}: {len} elements, at most {ARRAY_LEN_MAX}")]
    TooLong { path: String, len: usize },
}

/// The arguments of a request, in the order given; see the module documentation.
pub fn arguments_from_json(map: &Map<String, Value>) -> Result<Vec<(String, ArgValue)>, RequestError> {
    members(map, "arguments", 0)
}

fn members(map: &Map<String, Value>, path: &str, depth: usize) -> Result<Vec<(String, ArgValue)>, RequestError> {
    if map.len() > ARRAY_LEN_MAX {
        return Err(RequestError::TooLong { path: path.to_string(), len: map.len() });
    }
    map.iter().map(|(name, value)| Ok((name.clone(), arg_value(value, &format!("{path}.{name}"), depth)?))).collect()
}

fn arg_value(value: &Value, path: &str, depth: usize) -> Result<ArgValue, RequestError> {
    let nested = matches!(value, Value::Array(_) | Value::Object(_));
    if nested && depth >= NESTING_MAX {
        return Err(RequestError::TooDeep { path: path.to_string() });
    }
    Ok(match value {
        Value::Null => return Err(RequestError::Null { path: path.to_string() }),
        Value::Bool(value) => ArgValue::Bool(*value),
        Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
            (Some(integer), _, _) => ArgValue::Integer(i128::from(integer)),
            (None, Some(integer), _) => ArgValue::Integer(i128::from(integer)),
            (None, None, Some(float)) => ArgValue::Float(float),
            // Without serde_json's `arbitrary_precision` every number is one of the three;
            // keep the text rather than panic should that feature ever be switched on.
            (None, None, None) => ArgValue::Text(number.to_string()),
        },
        Value::String(text) => ArgValue::Text(text.clone()),
        Value::Array(elements) => {
            if elements.len() > ARRAY_LEN_MAX {
                return Err(RequestError::TooLong { path: path.to_string(), len: elements.len() });
            }
            let converted: Result<Vec<_>, _> = elements
                .iter()
                .enumerate()
                .map(|(idx, element)| arg_value(element, &format!("{path}[{idx}]"), depth + 1))
                .collect();
            ArgValue::Array(converted?)
        }
        Value::Object(map) => ArgValue::Aggregate(members(map, path, depth + 1)?),
    })
}
