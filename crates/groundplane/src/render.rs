//! Printing diagnostics like a compiler: the place, the message, the source line with a
//! caret under the column, and the hint.

use model_import::{Diagnostic, ImportReport, SourceFile};
use std::fmt::Write as _;

/// Longest source line shown under a diagnostic.
const SNIPPET_LEN_MAX: usize = 120;

/// The report as text, each diagnostic with its source line when the file is at hand.
pub fn report(report: &ImportReport, files: &[SourceFile]) -> String {
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        out.push_str(&render(diagnostic, files));
        out.push('\n');
    }
    out
}

fn render(diagnostic: &Diagnostic, files: &[SourceFile]) -> String {
    let head = Diagnostic { hint: None, ..diagnostic.clone() };
    let mut out = head.to_string();
    if let Some(line) = source_line(diagnostic, files) {
        let number = diagnostic.place.line.to_string();
        let gutter = " ".repeat(number.len());
        let _ = write!(out, "\n {gutter} |\n {number} | {line}");
        if diagnostic.place.column >= 1 && (diagnostic.place.column as usize) <= line.chars().count() + 1 {
            let pad: String = line
                .chars()
                .take(diagnostic.place.column as usize - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = write!(out, "\n {gutter} | {pad}^");
        }
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = write!(out, "\n  = hint: {hint}");
    }
    out
}

/// The line a diagnostic points at, for XTCE files (MIB columns are fields, not characters).
fn source_line(diagnostic: &Diagnostic, files: &[SourceFile]) -> Option<String> {
    let file = files.iter().find(|f| f.path == diagnostic.place.file)?;
    if !file.file_name().ends_with(".xml") || diagnostic.place.line == 0 {
        return None;
    }
    let text = String::from_utf8_lossy(&file.bytes);
    let line = text.lines().nth(diagnostic.place.line as usize - 1)?;
    Some(line.chars().take(SNIPPET_LEN_MAX).collect())
}
