//! The import context (report, name index, source map) and helpers to read XTCE elements:
//! places, local names, attributes with their errors, and the report of unhandled elements.

use super::names::Names;
use crate::{Diagnostic, ImportReport, Place, SourceMap};
use model::QualifiedName;
use roxmltree::Node;
use std::str::FromStr;

/// A construct was dropped and its diagnostic (an error or an unsupported note) already
/// pushed; the caller skips what depended on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reported;

/// The result of reading one construct.
pub type Res<T> = Result<T, Reported>;

/// Elements that only describe and carry nothing the model holds; skipped without a note.
const DESCRIPTIVE: [&str; 8] =
    ["Header", "HistorySet", "History", "LongDescription", "AncillaryDataSet", "AncillaryData", "NoteSet", "AuthorSet"];

/// Everything the passes share.
pub struct Cx<'p> {
    paths: &'p [&'p str],
    /// Per file, the byte offset where each line starts: places are found by binary search
    /// (roxmltree's own `text_pos_at` scans from the start each time).
    line_starts: Vec<Vec<usize>>,
    /// The index of the file being read.
    pub file: usize,
    pub report: ImportReport,
    pub names: Names,
    pub sources: SourceMap,
    /// Output parameters of algorithms the model cannot run: still derived.
    pub derived_outputs: Vec<QualifiedName>,
}

impl<'p> Cx<'p> {
    /// A context over these file paths and texts (`None` for a file that is not text),
    /// continuing `report`.
    pub fn new(paths: &'p [&'p str], texts: &[Option<&str>], report: ImportReport) -> Self {
        let line_starts = texts
            .iter()
            .map(|text| {
                let text = text.unwrap_or_default();
                let breaks = text.match_indices('\n').map(|(idx, _)| idx + 1);
                std::iter::once(0).chain(breaks).collect()
            })
            .collect();
        Cx {
            paths,
            line_starts,
            file: 0,
            report,
            names: Names::default(),
            sources: SourceMap::default(),
            derived_outputs: Vec::new(),
        }
    }

    fn path(&self) -> &str {
        self.paths.get(self.file).copied().unwrap_or("<unknown>")
    }

    /// Where `node` starts.
    pub fn place(&self, node: Node<'_, '_>) -> Place {
        self.place_at(node, node.range().start)
    }

    fn place_at(&self, node: Node<'_, '_>, offset: usize) -> Place {
        let text = node.document().input_text();
        let starts = self.line_starts.get(self.file).map(Vec::as_slice).unwrap_or(&[0]);
        let line_idx = starts.partition_point(|start| *start <= offset).saturating_sub(1);
        let line_start = starts.get(line_idx).copied().unwrap_or(0);
        let column = match text.get(line_start..offset.min(text.len())) {
            Some(before) => before.chars().count(),
            None => offset.saturating_sub(line_start),
        };
        Place::new(self.path(), to_u32(line_idx + 1), to_u32(column + 1))
    }

    /// Where attribute `name` of `node` starts (the element when it is absent).
    pub fn attr_place(&self, node: Node<'_, '_>, name: &str) -> Place {
        match node.attributes().find(|attr| attr.name() == name) {
            Some(attr) => self.place_at(node, attr.range().start),
            None => self.place(node),
        }
    }

    /// An error about `node`; returns `Reported` for `?`.
    pub fn error(&mut self, node: Node<'_, '_>, message: impl Into<String>) -> Reported {
        let diagnostic = Diagnostic::error(self.place(node), label(node), message);
        self.report.push(diagnostic);
        Reported
    }

    /// An error about attribute `attr` of `node`.
    pub fn attr_error(&mut self, node: Node<'_, '_>, attr: &str, message: impl Into<String>) -> Reported {
        let element = format!("{}@{attr}", label(node));
        let diagnostic = Diagnostic::error(self.attr_place(node, attr), element, message);
        self.report.push(diagnostic);
        Reported
    }

    /// Something valid the model cannot represent.
    pub fn unsupported(&mut self, node: Node<'_, '_>, message: impl Into<String>) -> Reported {
        let diagnostic = Diagnostic::unsupported(self.place(node), label(node), message);
        self.report.push(diagnostic);
        Reported
    }

    /// Something unexpected that was recovered from.
    pub fn warning(&mut self, node: Node<'_, '_>, message: impl Into<String>) {
        let diagnostic = Diagnostic::warning(self.place(node), label(node), message);
        self.report.push(diagnostic);
    }

    /// Reports a child element its reader does not handle (descriptive ones are skipped).
    pub fn unhandled(&mut self, node: Node<'_, '_>) {
        if DESCRIPTIVE.contains(&local(node)) {
            return;
        }
        let parent = node.parent_element().map(label).unwrap_or("the document");
        let message = if is_xtce(node) {
            format!("`{}` in `{parent}` is not supported by the model; ignored", local(node))
        } else {
            format!(
                "`{}` in namespace `{}` is not XTCE; ignored",
                label(node),
                node.tag_name().namespace().unwrap_or_default()
            )
        };
        self.unsupported(node, message);
    }

    /// A required attribute.
    pub fn req<'a>(&mut self, node: Node<'a, '_>, name: &str) -> Res<&'a str> {
        node.attribute(name).ok_or_else(|| self.error(node, format!("missing attribute `{name}`")))
    }

    /// A number attribute, `default` when absent.
    pub fn num<T: FromStr>(&mut self, node: Node<'_, '_>, name: &str, default: T) -> Res<T> {
        match node.attribute(name) {
            None => Ok(default),
            Some(text) => self.parse_attr(node, name, text),
        }
    }

    /// A number attribute that may be absent.
    pub fn opt_num<T: FromStr>(&mut self, node: Node<'_, '_>, name: &str) -> Res<Option<T>> {
        match node.attribute(name) {
            None => Ok(None),
            Some(text) => self.parse_attr(node, name, text).map(Some),
        }
    }

    fn parse_attr<T: FromStr>(&mut self, node: Node<'_, '_>, name: &str, text: &str) -> Res<T> {
        text.trim().parse().map_err(|_| {
            let what = std::any::type_name::<T>();
            self.attr_error(node, name, format!("`{text}` is not a valid number ({what})"))
        })
    }

    /// A boolean attribute (`true`/`false`/`1`/`0`), `default` when absent.
    pub fn flag(&mut self, node: Node<'_, '_>, name: &str, default: bool) -> Res<bool> {
        match node.attribute(name).map(str::trim) {
            None => Ok(default),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(other) => Err(self.attr_error(node, name, format!("`{other}` is not true or false"))),
        }
    }

    /// The text of an element parsed as a number.
    pub fn num_text<T: FromStr>(&mut self, node: Node<'_, '_>) -> Res<T> {
        let text = node.text().unwrap_or_default();
        text.trim().parse().map_err(|_| {
            let what = std::any::type_name::<T>();
            self.error(node, format!("`{}` is not a valid number ({what})", text.trim()))
        })
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The local name of an XTCE element; empty for an element of another namespace, so that
/// readers treat it as unknown (and report it).
pub fn local<'a>(node: Node<'a, '_>) -> &'a str {
    if is_xtce(node) {
        node.tag_name().name()
    } else {
        ""
    }
}

/// The local name of any element, for messages.
pub fn label<'a>(node: Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

/// Whether an element is in an XTCE namespace (any version) or in none.
pub fn is_xtce(node: Node<'_, '_>) -> bool {
    match node.tag_name().namespace() {
        None => true,
        Some(uri) => uri.to_ascii_lowercase().contains("xtce"),
    }
}

/// The element children of `node`.
pub fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

/// The first XTCE child element named `name`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    elements(node).find(|child| local(*child) == name && is_xtce(*child))
}

/// The description of an item: its `shortDescription`, else its `LongDescription`.
pub fn description(node: Node<'_, '_>) -> Option<String> {
    let short = node.attribute("shortDescription").map(str::trim).filter(|s| !s.is_empty());
    let long = child(node, "LongDescription").and_then(|long| long.text()).map(str::trim).filter(|s| !s.is_empty());
    short.or(long).map(str::to_string)
}

/// The aliases in an `AliasSet` child.
pub fn aliases(node: Node<'_, '_>) -> Vec<model::Alias> {
    let Some(set) = child(node, "AliasSet") else {
        return Vec::new();
    };
    elements(set)
        .filter(|alias| local(*alias) == "Alias")
        .filter_map(|alias| {
            Some(model::Alias {
                namespace: alias.attribute("nameSpace")?.to_string(),
                alias: alias.attribute("alias")?.to_string(),
            })
        })
        .collect()
}
