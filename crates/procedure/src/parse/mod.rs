//! Procedure files: TOML read into spanned values, then checked field by field so that every
//! problem names its `step[N].field` and line:column.

mod fields;
#[cfg(test)]
mod tests;

pub use fields::{DURATION_S_MAX, TIMEOUT_S_DEFAULT};

use crate::error::{Place, Problem, ProcedureError};
use crate::procedure::{Procedure, Step};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The longest procedure file read, in bytes.
pub const PROCEDURE_LEN_MAX: usize = 1 << 20;
/// The most steps in one procedure.
pub const STEPS_MAX: usize = 10_000;
/// The most problems reported for one file.
pub const PROBLEMS_MAX: usize = 100;

impl Procedure {
    /// Reads and validates a procedure file; returns every problem found.
    pub fn parse(text: &str) -> Result<Procedure, ProcedureError> {
        let mut ctx = Context { text, problems: Vec::new() };
        let procedure = read_document(&mut ctx);
        ctx.problems.sort_by_key(|problem| (problem.place().line, problem.place().column));
        ctx.problems.truncate(PROBLEMS_MAX);
        match procedure {
            Some(procedure) if ctx.problems.is_empty() => Ok(procedure),
            _ => {
                // Invariant: every path that returns `None` has recorded a problem.
                assert!(!ctx.problems.is_empty(), "a procedure was refused without a problem");
                Err(ProcedureError { problems: ctx.problems })
            }
        }
    }
}

/// The text being read and the problems found so far.
struct Context<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

impl Context<'_> {
    /// The place of a byte span, with a field path.
    fn place(&self, span: std::ops::Range<usize>, path: impl Into<String>) -> Place {
        let (line, column) = line_column(self.text, span.start);
        Place { line, column, path: path.into() }
    }

    fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// A table's entries in file order (the parsed map is sorted by key).
fn entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

fn read_document(ctx: &mut Context) -> Option<Procedure> {
    if ctx.text.len() > PROCEDURE_LEN_MAX {
        let at = Place { line: 0, column: 0, path: "file".to_string() };
        let found = format!("{} bytes", ctx.text.len());
        ctx.report(Problem::TooLarge { at, found, max: PROCEDURE_LEN_MAX });
        return None;
    }
    let document = match DeTable::parse(ctx.text) {
        Ok(document) => document,
        Err(error) => {
            let at = ctx.place(error.span().unwrap_or(0..0), "");
            ctx.report(Problem::Syntax { at, message: error.message().trim().to_string() });
            return None;
        }
    };
    let mut name = None;
    let mut description = None;
    let mut steps = None;
    for (key, value) in entries(document.get_ref()) {
        let path = key.get_ref().to_string();
        match key.get_ref().as_ref() {
            "name" => name = fields::text(ctx, value, &path),
            "description" => description = fields::text_or_empty(ctx, value, &path),
            "step" => steps = read_steps(ctx, value),
            _ => {
                let at = ctx.place(key.span(), path);
                ctx.report(Problem::UnknownField { at, known: "name, description, step" });
            }
        }
    }
    let start = ctx.place(0..0, "");
    if !document.get_ref().iter().any(|(key, _)| key.get_ref() == "name") {
        ctx.report(Problem::Missing {
            at: Place { path: "name".into(), ..start.clone() },
            why: "a procedure has a name",
        });
    }
    if !document.get_ref().iter().any(|(key, _)| key.get_ref() == "step") {
        ctx.report(Problem::NoSteps { at: Place { path: "step".into(), ..start } });
    }
    Some(Procedure { name: name?, description, steps: steps? })
}

fn read_steps(ctx: &mut Context, value: &Spanned<DeValue>) -> Option<Vec<Step>> {
    let DeValue::Array(array) = value.get_ref() else {
        let at = ctx.place(value.span(), "step");
        ctx.report(Problem::WrongType { at, expected: "[[step]] tables", found: value.get_ref().type_str() });
        return None;
    };
    if array.is_empty() {
        let at = ctx.place(value.span(), "step");
        ctx.report(Problem::NoSteps { at });
        return None;
    }
    if array.len() > STEPS_MAX {
        let at = ctx.place(value.span(), "step");
        ctx.report(Problem::TooLarge { at, found: format!("{} steps", array.len()), max: STEPS_MAX });
        return None;
    }
    let mut steps = Vec::with_capacity(array.len());
    let mut complete = true;
    for (index, item) in array.iter().enumerate() {
        let path = format!("step[{}]", index + 1);
        let step = match item.get_ref() {
            DeValue::Table(table) => fields::read_step(ctx, item.span(), table, &path),
            other => {
                let at = ctx.place(item.span(), path);
                ctx.report(Problem::WrongType { at, expected: "a table", found: other.type_str() });
                None
            }
        };
        match step {
            Some(step) => steps.push(step),
            None => complete = false,
        }
    }
    complete.then_some(steps)
}
