//! The import report: every problem and every unsupported construct, with its place.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The source is wrong (bad XML, an undefined reference, a malformed number, overlapping
    /// entries): no model is returned.
    Error,
    /// The source is valid but uses something the model cannot yet represent (a Java
    /// algorithm, an exotic element); it is listed, never silently dropped.
    Unsupported,
    /// Worth a look, but the model is complete (e.g. an unknown attribute value defaulted).
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Unsupported => "unsupported",
            Severity::Warning => "warning",
        }
    }
}

/// Where in the sources something is. For XTCE: the file, 1-based line and column. For a
/// MIB: the table file (`pcf.dat`), 1-based line, and the 1-based column (field) number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Place {
    /// A place in `file` at `line:column`.
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Self {
        Place { file: file.into(), line, column }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One finding of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub place: Place,
    /// The element or table field concerned, e.g. `IntegerDataEncoding@sizeInBits`, `PCF_PTC`.
    pub element: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `place` about `element`.
    pub fn error(place: Place, element: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, place, element, message)
    }

    /// Something valid that the model cannot represent yet.
    pub fn unsupported(place: Place, element: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Unsupported, place, element, message)
    }

    /// A warning.
    pub fn warning(place: Place, element: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, place, element, message)
    }

    fn new(severity: Severity, place: Place, element: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity, place, element: element.into(), message: message.into(), hint: None }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Prints like a compiler: `error: pcf.dat:12:3: PCF_PTC: ...` then `  hint: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}: {}", self.severity.as_str(), self.place, self.element, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Everything an import found, in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub diagnostics: Vec<Diagnostic>,
}

impl ImportReport {
    /// Adds a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// How many diagnostics have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    /// The diagnostics of one severity.
    pub fn of(&self, severity: Severity) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.severity == severity)
    }

    /// Sorts by place (file, line, column), keeping the order of findings at one place.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| a.place.cmp(&b.place));
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.diagnostics {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}
