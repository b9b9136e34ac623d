//! Test procedures, without I/O: declarative steps read from a file, run against a [`Target`]
//! (the HTTP API of a running platform, or a deployment in-process), reported as JUnit XML.
//!
//! This crate never opens a socket, reads a file or the clock: the target does all of that,
//! time included (`Target::now_ms`, `Target::sleep_ms`), so tests drive it with a fake clock.
//!
//! # Procedure files
//!
//! A procedure is a TOML file: a `name`, an optional `description`, and `[[step]]` tables run
//! in order. A step has exactly one kind, chosen by its first key:
//!
//! ```toml
//! name = "PUS ping"
//! description = "The spacecraft answers a ping and its battery is fine."
//!
//! [[step]]
//! log = "pinging"                    # a message in the progress display and the report
//!
//! [[step]]
//! send = "/PUS/PUS17/PING"           # a command's qualified name
//! arguments = { apid = 100 }         # optional: numbers, booleans, strings, arrays, tables
//! expect = "completed"               # optional, default "completed"; see below
//! timeout_s = 10                     # optional, default 10
//!
//! [[step]]
//! send = "/PUS/PUS8/BAD_FUNCTION"
//! expect = "failed"
//! failure_code = 3                   # optional, only with expect = "failed"
//!
//! [[step]]
//! parameter = "/PUS/HK/BATTERY_V"    # a parameter's qualified name
//! condition = "> 20"                 # on the engineering value
//! within_s = 5                       # optional, default 0: check once
//!
//! [[step]]
//! parameter = "/PUS/HK/MODE"
//! condition = '== "NOMINAL"'        # single quotes: a TOML literal string keeps the "
//!
//! [[step]]
//! wait_s = 2.5
//! ```
//!
//! `expect` is one of:
//! - `rejected`: the platform refuses the request (an unknown command, an argument out of range);
//! - `sent`: the command leaves the ground (state `sent` or later);
//! - `accepted`, `started`, `completed`: that verification stage passes (or the command's state
//!   gets there). A failed stage fails the step at once, with its failure code; a timed-out
//!   stage fails it naming the stage;
//! - `failed`: a stage fails (with `failure_code` when given). Completing fails the step.
//!
//! Conditions: `==`, `!=`, `<`, `<=`, `>`, `>=` followed by a number; `==` / `!=` also take a
//! label in double quotes (`== "ON"`) or `true` / `false`; `in LOW..HIGH` holds for
//! LOW ≤ value ≤ HIGH. A value of another kind (a label where a number is expected, null)
//! never meets a condition. A parameter step polls the latest value until the condition holds
//! or `within_s` is over; the latest value counts however old it is.
//!
//! Durations are seconds, integers or decimals, from 0 to one day. Steps are numbered from 1.
//! Every problem (unknown keys, two kinds in one step, a bad condition, a negative timeout) is
//! reported before anything runs, as `line:column: step[N].field: what is wrong`.
//!
//! # Running
//!
//! [`run`] takes the steps in order; after the first step that does not pass the others are
//! skipped. A step fails when the platform does not do what it expects, or refuses a request
//! ([`TargetError::Refused`]); it is an error when the target cannot answer
//! ([`TargetError::Unavailable`]). [`junit_xml`] writes the report for CI.

mod condition;
mod engine;
mod error;
#[cfg(test)]
mod fake;
mod junit;
mod parse;
mod procedure;
mod report;
mod target;

pub use condition::{Condition, ConditionError, Op, Operand};
pub use engine::{judge, run, Observer, RunOptions, Verdict, POLL_MS_DEFAULT};
pub use error::{Place, Problem, ProcedureError};
pub use junit::junit_xml;
pub use parse::{DURATION_S_MAX, PROBLEMS_MAX, PROCEDURE_LEN_MAX, STEPS_MAX, TIMEOUT_S_DEFAULT};
pub use procedure::{seconds, Expect, Procedure, Step, StepKind};
pub use report::{finished_line, started_line, Counts, ProcedureReport, StepOutcome, StepReport};
pub use target::{CommandState, ParameterValue, StageOutcome, StageState, Target, TargetError};
