//! Why policies were rejected, each problem with its `file:line:column`.

use std::fmt;

/// Why a schema or a policy file was rejected. Every problem names its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The schema does not parse or is inconsistent.
    #[error("schema rejected:\n{}", Problems(.problems))]
    Schema { problems: Vec<Problem> },
    /// A policy file does not parse.
    #[error("policies do not parse:\n{}", Problems(.problems))]
    Syntax { problems: Vec<Problem> },
    /// A policy does not validate against the schema (unknown types, attributes, actions, …).
    #[error("policies do not validate against the schema:\n{}", Problems(.problems))]
    Validation { problems: Vec<Problem> },
    /// A policy breaks a rule of the platform: no `@id`, a duplicate `@id`, a template, or
    /// (for a mission's policies) a scope not constrained to that mission.
    #[error("policies rejected:\n{}", Problems(.problems))]
    Rule { problems: Vec<Problem> },
}

impl PolicyError {
    /// Every problem, in file order.
    pub fn problems(&self) -> &[Problem] {
        match self {
            PolicyError::Schema { problems }
            | PolicyError::Syntax { problems }
            | PolicyError::Validation { problems }
            | PolicyError::Rule { problems } => problems,
        }
    }
}

/// One problem at one place of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as the platform names it (`policies/platform.cedar`, `sentinel-x.cedar`).
    pub file: String,
    /// 1-based line; 0 when Cedar gave no place.
    pub line: usize,
    /// 1-based column; 0 when Cedar gave no place.
    pub column: usize,
    /// What is wrong, with Cedar's help text when it has some.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (idx, problem) in self.0.iter().enumerate() {
            if idx > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  {problem}")?;
        }
        Ok(())
    }
}

/// A source file: its name and text, to place problems in.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// A problem at a byte offset of the text.
    pub fn problem_at(&self, offset: Option<usize>, message: String) -> Problem {
        let (line, column) = match offset {
            Some(offset) => line_column(self.text, offset),
            None => (0, 0),
        };
        Problem { file: self.file.to_string(), line, column, message }
    }

    /// A problem from a Cedar diagnostic: placed at its first label, with its help.
    pub fn diagnostic(&self, diagnostic: &dyn miette::Diagnostic) -> Problem {
        let offset = diagnostic.labels().and_then(|mut labels| labels.next()).map(|label| label.offset());
        let mut message = diagnostic.to_string();
        if let Some(help) = diagnostic.help() {
            message.push_str(&format!(" (help: {help})"));
        }
        self.problem_at(offset, message)
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The byte offset where each policy of a text that parsed starts (its `permit` or `forbid`
/// keyword), in order: Cedar does not give a policy's place, and the platform's own checks
/// want to name it. A keyword starts a policy when it follows the start of the text, a `;`,
/// or the `)` closing an annotation, outside comments and strings.
pub(crate) fn policy_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    let mut previous = None; // the last significant byte outside comments and strings
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'/' if bytes.get(idx + 1) == Some(&b'/') => {
                idx = text[idx..].find('\n').map_or(bytes.len(), |end| idx + end);
                continue;
            }
            b'"' => {
                idx += 1;
                while idx < bytes.len() && bytes[idx] != b'"' {
                    idx += if bytes[idx] == b'\\' { 2 } else { 1 };
                }
                previous = Some(b'"');
            }
            byte if byte.is_ascii_alphabetic() || byte == b'_' => {
                let end = text[idx..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(text.len(), |n| idx + n);
                let word = &text[idx..end];
                if (word == "permit" || word == "forbid") && matches!(previous, None | Some(b';') | Some(b')')) {
                    starts.push(idx);
                }
                previous = Some(b'a');
                idx = end;
                continue;
            }
            byte if byte.is_ascii_whitespace() => {}
            byte => previous = Some(byte),
        }
        idx += 1;
    }
    starts
}

#[cfg(test)]
mod tests;
