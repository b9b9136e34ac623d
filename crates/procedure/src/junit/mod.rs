//! JUnit XML, as CI servers read it: one `testsuite` per procedure, one `testcase` per step.

#[cfg(test)]
mod tests;

use crate::report::{ProcedureReport, StepOutcome};
use std::fmt::Write;

/// The report as a JUnit XML document.
pub fn junit_xml(report: &ProcedureReport) -> String {
    let counts = report.counts();
    let totals = format!(
        "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"",
        report.steps.len(),
        counts.failed,
        counts.errors,
        counts.skipped,
        seconds_3(report.duration_ms)
    );
    let suite = escape(&report.name, true);
    let width = report.steps.len().to_string().len().max(2);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<testsuites {totals}>");
    let _ = writeln!(xml, "  <testsuite name=\"{suite}\" {totals}>");
    for step in &report.steps {
        let name = escape(&format!("{:0width$} {}", step.number, step.title), true);
        let time = seconds_3(step.duration_ms);
        let _ = write!(xml, "    <testcase name=\"{name}\" classname=\"{suite}\" time=\"{time}\"");
        let _ = match &step.outcome {
            StepOutcome::Passed { detail } => {
                writeln!(xml, ">\n      <system-out>{}</system-out>\n    </testcase>", escape(detail, false))
            }
            StepOutcome::Failed { message } => writeln!(
                xml,
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                escape(message, true),
                escape(message, false)
            ),
            StepOutcome::Error { message } => writeln!(
                xml,
                ">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                escape(message, true),
                escape(message, false)
            ),
            StepOutcome::Skipped => writeln!(xml, ">\n      <skipped/>\n    </testcase>"),
        };
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// `1.234`.
fn seconds_3(duration_ms: u64) -> String {
    format!("{}.{:03}", duration_ms / 1000, duration_ms % 1000)
}

/// Escapes text for XML 1.0: markup characters as entities, line breaks and tabs in attributes
/// as character references (so they survive attribute normalisation), and characters XML 1.0
/// cannot hold (most controls) as U+FFFD.
fn escape(text: &str, attribute: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if attribute => escaped.push_str("&quot;"),
            '\'' if attribute => escaped.push_str("&apos;"),
            '\n' if attribute => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' if attribute => escaped.push_str("&#9;"),
            '\n' | '\t' => escaped.push(ch),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            _ => escaped.push(ch),
        }
    }
    escaped
}
