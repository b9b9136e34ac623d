//! Scenarios: what goes wrong on the simulated spacecraft, and when.
//!
//! One statement per line; `#` starts a comment. Times are `<n>ms`, `<n>s` or `<n>min`.
//!
//! ```text
//! at 10s set /bench/U8_00 = 255    # the parameter's raw value, from T on (out of limits)
//! at 30s clear /bench/U8_00        # back to simulated values
//! at 20s event 3 medium            # TM[5,3] with event id 3 (informative, low, medium, high)
//! reject /PUS/ARE_YOU_ALIVE code 7 # fail acceptance of a command (name, or TC[17,1]) with a code
//! delay verification 5s            # hold verification reports this long
//! drop 10%                         # lose this share of periodic packets
//! corrupt 5%                       # flip one bit after the primary header in this share
//! ```

use model::QualifiedName;
use tm::pus::EventSeverity;

/// The largest scenario text read, in bytes.
pub const SCENARIO_LEN_MAX: usize = 1 << 20;

/// A parsed scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    /// Timed actions, in the order written (applied in time order).
    pub actions: Vec<TimedAction>,
    pub rejects: Vec<Reject>,
    pub verification_delay_ms: u64,
    pub drop_percent: f64,
    pub corrupt_percent: f64,
}

/// An action at a simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedAction {
    pub at_ms: u64,
    pub action: Action,
}

/// What happens at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Write this raw value into the parameter from now on.
    Set { parameter: QualifiedName, raw: f64 },
    /// Simulate the parameter again.
    Clear { parameter: QualifiedName },
    /// Emit a TM[5,x] event report.
    Event { id: u64, severity: EventSeverity },
}

/// Which telecommand to reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RejectTarget {
    Command(QualifiedName),
    Pus { service: u8, subtype: u8 },
}

/// A command the spacecraft refuses at acceptance, with the failure code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub target: RejectTarget,
    pub code: u64,
}

/// Why a scenario could not be read; `line` and `column` count from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("scenario {line}:{column}: {message}")]
pub struct ScenarioError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Scenario {
    /// Parses a scenario; see the module documentation for the format.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > SCENARIO_LEN_MAX {
            return Err(ScenarioError { line: 1, column: 1, message: format!("longer than {SCENARIO_LEN_MAX} bytes") });
        }
        let mut scenario = Scenario::default();
        for (idx, line) in text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or("");
            let words: Vec<(usize, &str)> = words(code);
            if words.is_empty() {
                continue;
            }
            let mut cursor = Cursor { line: idx + 1, words: &words, at: 0, end_column: code.len() + 1 };
            statement(&mut cursor, &mut scenario)?;
            cursor.finish()?;
        }
        Ok(scenario)
    }
}

/// Words with their 1-based columns.
fn words(code: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (idx, ch) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
        match (ch.is_whitespace(), start) {
            (false, None) => start = Some(idx),
            (true, Some(s)) => {
                out.push((s + 1, &code[s..idx]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

struct Cursor<'a> {
    line: usize,
    words: &'a [(usize, &'a str)],
    at: usize,
    end_column: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, column: usize, message: String) -> ScenarioError {
        ScenarioError { line: self.line, column, message }
    }

    fn next(&mut self, what: &str) -> Result<(usize, &'a str), ScenarioError> {
        let word =
            self.words.get(self.at).copied().ok_or_else(|| self.error(self.end_column, format!("expected {what}")))?;
        self.at += 1;
        Ok(word)
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), ScenarioError> {
        let (column, word) = self.next(&format!("`{keyword}`"))?;
        if word != keyword {
            return Err(self.error(column, format!("expected `{keyword}`, found `{word}`")));
        }
        Ok(())
    }

    fn finish(&self) -> Result<(), ScenarioError> {
        match self.words.get(self.at) {
            Some((column, word)) => Err(self.error(*column, format!("unexpected `{word}`"))),
            None => Ok(()),
        }
    }

    fn time_ms(&mut self) -> Result<u64, ScenarioError> {
        let (column, word) = self.next("a time (10s, 500ms, 2min)")?;
        let (number, scale) = if let Some(n) = word.strip_suffix("ms") {
            (n, 1.0)
        } else if let Some(n) = word.strip_suffix("min") {
            (n, 60_000.0)
        } else if let Some(n) = word.strip_suffix('s') {
            (n, 1000.0)
        } else {
            return Err(self.error(column, format!("`{word}` is not a time: give a unit (ms, s, min)")));
        };
        match number.parse::<f64>() {
            Ok(value) if value >= 0.0 && (value * scale) < 1e15 => Ok((value * scale).round() as u64),
            _ => Err(self.error(column, format!("`{word}` is not a time"))),
        }
    }

    fn number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, ScenarioError> {
        let (column, word) = self.next(what)?;
        word.parse().map_err(|_| self.error(column, format!("`{word}` is not {what}")))
    }

    fn name(&mut self) -> Result<QualifiedName, ScenarioError> {
        let (column, word) = self.next("a qualified name (/system/name)")?;
        QualifiedName::parse(word).ok_or_else(|| self.error(column, format!("`{word}` is not a qualified name")))
    }

    fn percent(&mut self) -> Result<f64, ScenarioError> {
        let (column, word) = self.next("a percentage (10%)")?;
        match word.strip_suffix('%').and_then(|n| n.parse::<f64>().ok()) {
            Some(value) if (0.0..=100.0).contains(&value) => Ok(value),
            _ => Err(self.error(column, format!("`{word}` is not a percentage from 0% to 100%"))),
        }
    }
}

fn statement(cursor: &mut Cursor<'_>, scenario: &mut Scenario) -> Result<(), ScenarioError> {
    let (column, word) = cursor.next("a statement")?;
    match word {
        "at" => {
            let at_ms = cursor.time_ms()?;
            let (column, what) = cursor.next("`set`, `clear` or `event`")?;
            let action = match what {
                "set" => {
                    let parameter = cursor.name()?;
                    cursor.keyword("=")?;
                    Action::Set { parameter, raw: cursor.number("a number")? }
                }
                "clear" => Action::Clear { parameter: cursor.name()? },
                "event" => {
                    let id = cursor.number("an event id")?;
                    let (column, level) = cursor.next("a severity")?;
                    let severity = match level {
                        "informative" => EventSeverity::Informative,
                        "low" => EventSeverity::Low,
                        "medium" => EventSeverity::Medium,
                        "high" => EventSeverity::High,
                        _ => {
                            return Err(
                                cursor.error(column, format!("`{level}` is not informative, low, medium or high"))
                            )
                        }
                    };
                    Action::Event { id, severity }
                }
                _ => return Err(cursor.error(column, format!("expected `set`, `clear` or `event`, found `{what}`"))),
            };
            scenario.actions.push(TimedAction { at_ms, action });
        }
        "reject" => {
            let (column, what) = cursor.next("a command name or TC[service,subtype]")?;
            let target = match what.strip_prefix("TC[").and_then(|rest| rest.strip_suffix(']')) {
                Some(pair) => {
                    let mut parts = pair.split(',').map(|p| p.trim().parse::<u8>());
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some(Ok(service)), Some(Ok(subtype)), None) => RejectTarget::Pus { service, subtype },
                        _ => return Err(cursor.error(column, format!("`{what}` is not TC[service,subtype]"))),
                    }
                }
                None => RejectTarget::Command(
                    QualifiedName::parse(what)
                        .ok_or_else(|| cursor.error(column, format!("`{what}` is not a qualified name")))?,
                ),
            };
            cursor.keyword("code")?;
            scenario.rejects.push(Reject { target, code: cursor.number("a failure code")? });
        }
        "delay" => {
            cursor.keyword("verification")?;
            scenario.verification_delay_ms = cursor.time_ms()?;
        }
        "drop" => scenario.drop_percent = cursor.percent()?,
        "corrupt" => scenario.corrupt_percent = cursor.percent()?,
        _ => return Err(cursor.error(column, format!("unknown statement `{word}`"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
