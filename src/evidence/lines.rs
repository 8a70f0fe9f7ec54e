//! JSON Lines: one organisation's evidence per line. Blank lines are
//! skipped (they hold no organisation); each other line is a record named
//! `FILE:LINE`, parsed where it is graded.

use super::records::Record;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Source, Span};

/// The records of a JSON Lines source, one per non-blank line.
/// A file without any is an error, never an empty run.
pub(super) fn records(source: Source) -> Box<dyn Iterator<Item = Record>> {
    let spans: Vec<(usize, Span)> = line_spans(source.text())
        .filter(|(_, span)| !source.slice(*span).trim().is_empty())
        .collect();
    if spans.is_empty() {
        return Box::new(std::iter::once(no_organisation(&source, "line of JSON")));
    }
    Box::new(spans.into_iter().map(move |(line, span)| {
        Record::line(format!("{}:{line}", source.name()), source.clone(), span)
    }))
}

/// The record of an input that holds no organisation (`what` it lacks).
pub(super) fn no_organisation(source: &Source, what: &str) -> Record {
    let name = source.name();
    let diagnostic = Diagnostic::error(
        Code::EvidenceSyntax,
        format!("`{name}` holds no organisation: it has no {what}"),
    )
    .help(
        "give one organisation's evidence per line (JSON Lines) or per row after the header (CSV)",
    );
    Record::failed(name, diagnostic)
}

/// Each line's 1-based number and span, without its line break.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, Span)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n')
        .enumerate()
        .map(move |(index, line)| {
            let content = line.trim_end_matches(['\n', '\r']);
            let span = Span::new(start, start + content.len());
            start += line.len();
            (index + 1, span)
        })
}
