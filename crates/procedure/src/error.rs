//! What can be wrong with a procedure file, each problem with its place.

use crate::condition::ConditionError;
use std::fmt;

/// Every problem found in a procedure file, in file order.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ProcedureError {
    /// Invariant: not empty.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ProcedureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Where a problem is: a 1-based line and column (0 when unknown) and the field's path, such as
/// `step[2].condition` (steps are numbered from 1, as the progress display numbers them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    pub path: String,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.path.is_empty()) {
            (0, _) => write!(f, "{}", self.path),
            (_, true) => write!(f, "{}:{}", self.line, self.column),
            (_, false) => write!(f, "{}:{}: {}", self.line, self.column, self.path),
        }
    }
}

/// One problem in a procedure file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("{at}: TOML syntax: {message}")]
    Syntax { at: Place, message: String },
    #[error("{at}: unknown field (known: {known})")]
    UnknownField { at: Place, known: &'static str },
    #[error("{at}: missing ({why})")]
    Missing { at: Place, why: &'static str },
    #[error("{at}: expected {expected}, found {found}")]
    WrongType { at: Place, expected: &'static str, found: &'static str },
    #[error("{at}: must not be empty")]
    Empty { at: Place },
    #[error("{at}: no steps; add [[step]] tables")]
    NoSteps { at: Place },
    #[error("{at}: a step needs one of `log`, `send`, `parameter`, `wait_s`")]
    NoKind { at: Place },
    #[error("{at}: a step has one kind, and this one is already a `{first}` step")]
    TwoKinds { at: Place, first: &'static str },
    #[error("{at}: not a field of a `{kind}` step (its fields: {fields})")]
    NotForKind { at: Place, kind: &'static str, fields: &'static str },
    #[error("{at}: bad condition: {source}")]
    Condition { at: Place, source: ConditionError },
    #[error("{at}: {found} is not a duration in seconds from 0 to {max_s}")]
    Duration { at: Place, found: String, max_s: u64 },
    #[error("{at}: `{found}` is not one of rejected, sent, accepted, started, completed, failed")]
    Expect { at: Place, found: String },
    #[error("{at}: only with expect = \"failed\"")]
    FailureCodeWithoutFailed { at: Place },
    #[error("{at}: {found} is not a failure code (an integer from 0)")]
    FailureCode { at: Place, found: String },
    #[error("{at}: {message}")]
    Argument { at: Place, message: String },
    #[error("{at}: {found}, more than the {max} allowed")]
    TooLarge { at: Place, found: String, max: usize },
}

impl Problem {
    /// Where the problem is.
    pub fn place(&self) -> &Place {
        match self {
            Problem::Syntax { at, .. }
            | Problem::UnknownField { at, .. }
            | Problem::Missing { at, .. }
            | Problem::WrongType { at, .. }
            | Problem::Empty { at }
            | Problem::NoSteps { at }
            | Problem::NoKind { at }
            | Problem::TwoKinds { at, .. }
            | Problem::NotForKind { at, .. }
            | Problem::Condition { at, .. }
            | Problem::Duration { at, .. }
            | Problem::Expect { at, .. }
            | Problem::FailureCodeWithoutFailed { at }
            | Problem::FailureCode { at, .. }
            | Problem::Argument { at, .. }
            | Problem::TooLarge { at, .. } => at,
        }
    }
}
