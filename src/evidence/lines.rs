//! JSON Lines: one organisation's evidence per line. Blank lines are
//! skipped (they hold no organisation); each other line is a record named
//! `FILE:LINE`, parsed where it is graded.

use super::records::Record;
use crate::source::{Source, Span};

/// The records of a JSON Lines source, one per non-blank line.
pub(super) fn records(source: Source) -> impl Iterator<Item = Record> {
    let spans: Vec<(usize, Span)> = line_spans(source.text())
        .filter(|(_, span)| !source.slice(*span).trim().is_empty())
        .collect();
    spans.into_iter().map(move |(line, span)| {
        Record::line(format!("{}:{line}", source.name()), source.clone(), span)
    })
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
