//! The generic MIB table reader: tab-separated rows with exact line numbers, and typed field
//! parsers that report every problem at `table:line:column` (column = 1-based field number).

use crate::report::{Diagnostic, ImportReport, Place};
use std::str::FromStr;

/// A column of a MIB table: its 1-based position and its ICD name (`PCF_PTC`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Col {
    pub index: u32,
    pub name: &'static str,
}

impl Col {
    /// The column at 1-based `index` named `name`.
    pub const fn new(index: u32, name: &'static str) -> Self {
        Col { index, name }
    }
}

/// One field of a row, decoded leniently so that descriptions in Latin-1 still read.
#[derive(Clone, Debug)]
struct Field {
    text: String,
    utf8: bool,
}

/// One row of a table.
#[derive(Clone, Debug)]
pub(super) struct Row {
    pub table: String,
    pub line: u32,
    fields: Vec<Field>,
}

/// A whole table: its non-blank rows, each knowing its table file name and line.
#[derive(Clone, Debug, Default)]
pub(super) struct Table {
    pub rows: Vec<Row>,
}

impl Table {
    /// Splits `bytes` into rows: one per non-blank line, fields separated by tabs.
    pub fn parse(file_name: &str, bytes: &[u8]) -> Table {
        let mut rows = Vec::new();
        for (line_idx, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let fields = line
                .split(|&b| b == b'\t')
                .map(|raw| match std::str::from_utf8(raw) {
                    Ok(text) => Field { text: text.to_string(), utf8: true },
                    Err(_) => Field { text: String::from_utf8_lossy(raw).into_owned(), utf8: false },
                })
                .collect();
            let line = u32::try_from(line_idx + 1).unwrap_or(u32::MAX);
            rows.push(Row { table: file_name.to_string(), line, fields });
        }
        Table { rows }
    }
}

impl Row {
    /// The place of a column of this row.
    pub fn place(&self, col: Col) -> Place {
        Place::new(self.table.clone(), self.line, col.index)
    }

    /// The trimmed text of a column; `None` when the row is shorter or the field is empty.
    pub fn text(&self, col: Col) -> Option<&str> {
        let field = self.fields.get(usize::try_from(col.index).ok()?.checked_sub(1)?)?;
        let text = field.text.trim();
        (!text.is_empty()).then_some(text)
    }

    fn is_utf8(&self, col: Col) -> bool {
        let idx = usize::try_from(col.index).unwrap_or(usize::MAX).wrapping_sub(1);
        self.fields.get(idx).is_none_or(|field| field.utf8)
    }

    /// Pushes an error at this row's column.
    pub fn error(&self, report: &mut ImportReport, col: Col, message: impl Into<String>) {
        report.push(Diagnostic::error(self.place(col), col.name, message));
    }

    /// Pushes an unsupported diagnostic at this row's column.
    pub fn unsupported(&self, report: &mut ImportReport, col: Col, message: impl Into<String>) {
        report.push(Diagnostic::unsupported(self.place(col), col.name, message));
    }

    /// Pushes a warning at this row's column.
    pub fn warning(&self, report: &mut ImportReport, col: Col, message: impl Into<String>) {
        report.push(Diagnostic::warning(self.place(col), col.name, message));
    }

    /// A mandatory text field; reports it when missing or empty.
    pub fn required(&self, report: &mut ImportReport, col: Col) -> Option<&str> {
        let text = self.text(col);
        if text.is_none() {
            self.error(report, col, "missing mandatory column");
        }
        text
    }

    /// A mandatory name (a key or a reference): valid UTF-8 and usable as a name segment.
    pub fn name(&self, report: &mut ImportReport, col: Col) -> Option<String> {
        let text = self.required(report, col)?;
        if !self.is_utf8(col) {
            self.error(report, col, "name is not valid UTF-8");
            return None;
        }
        if !is_segment(text) {
            self.error(report, col, format!("{text:?} is not a valid name (no '/', not '.' or '..')"));
            return None;
        }
        Some(text.to_string())
    }

    /// An optional name (a reference that may be empty).
    pub fn opt_name(&self, report: &mut ImportReport, col: Col) -> Option<String> {
        self.text(col)?;
        self.name(report, col)
    }

    /// An optional number; `None` when empty, and also (after reporting it) when malformed.
    pub fn num<T: FromStr>(&self, report: &mut ImportReport, col: Col) -> Option<T> {
        let text = self.text(col)?;
        match parse_number(text, self.is_utf8(col)) {
            Ok(value) => Some(value),
            Err(why) => {
                self.error(report, col, why);
                None
            }
        }
    }

    /// A mandatory number.
    pub fn req_num<T: FromStr>(&self, report: &mut ImportReport, col: Col) -> Option<T> {
        self.required(report, col)?;
        self.num(report, col)
    }

    /// An optional number, or `default` when empty; `None` only when malformed.
    pub fn num_or<T: FromStr>(&self, report: &mut ImportReport, col: Col, default: T) -> Option<T> {
        match self.text(col) {
            None => Some(default),
            Some(_) => self.num(report, col),
        }
    }

    /// An optional finite decimal number.
    pub fn float(&self, report: &mut ImportReport, col: Col) -> Option<f64> {
        let value: f64 = self.num(report, col)?;
        if value.is_finite() {
            Some(value)
        } else {
            self.error(report, col, format!("{value} is not a finite number"));
            None
        }
    }

    /// A mandatory finite decimal number.
    pub fn req_float(&self, report: &mut ImportReport, col: Col) -> Option<f64> {
        self.required(report, col)?;
        self.float(report, col)
    }

    /// A one-letter flag: the field's first character when it is one of `allowed`, `default`
    /// when empty; reports anything else and returns `None`.
    pub fn flag(&self, report: &mut ImportReport, col: Col, allowed: &str, default: char) -> Option<char> {
        let Some(text) = self.text(col) else {
            return Some(default);
        };
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if allowed.contains(c) => Some(c),
            _ => {
                let list: Vec<String> = allowed.chars().map(|c| format!("'{c}'")).collect();
                self.error(report, col, format!("{text:?} is not one of {}", list.join(", ")));
                None
            }
        }
    }
}

/// Whether `text` can be one segment of a qualified name.
pub(super) fn is_segment(text: &str) -> bool {
    !text.is_empty() && !text.contains('/') && text != "." && text != ".."
}

fn parse_number<T: FromStr>(text: &str, utf8: bool) -> Result<T, String> {
    if !utf8 || !text.is_ascii() {
        return Err(format!("{text:?} is not a number (non-ASCII bytes)"));
    }
    let digits = text.strip_prefix('+').unwrap_or(text);
    digits.parse().map_err(|_| match digits.parse::<i128>() {
        Ok(_) => format!("{text:?} is out of range for this column"),
        Err(_) => format!("{text:?} is not a number"),
    })
}

/// Parses an integer written in a MIB radix (`D` decimal, `H` hexadecimal, `O` octal); a
/// `0x` prefix is accepted in any radix.
pub(super) fn parse_int_radix(text: &str, radix: char) -> Option<i64> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (body, base) = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (
            body,
            match radix {
                'H' => 16,
                'O' => 8,
                _ => 10,
            },
        ),
    };
    if body.is_empty() || !body.is_ascii() || body.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, base).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}
