//! Diagnostics as people read them, drawn by miette's graphical renderer.
//! The core `Diagnostic` knows nothing of miette; this adapter does.

use super::terminal::{escape_controls, mask_controls};
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::source::{Source, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SpanContents,
};
use std::fmt;

/// A diagnostic rendered as the CLI prints it, without colour.
pub fn render_diagnostic(diagnostic: &Diagnostic) -> String {
    render_diagnostic_with(diagnostic, false)
}

/// A diagnostic rendered for a terminal, in colour if `colour`.
pub fn render_diagnostic_with(diagnostic: &Diagnostic, colour: bool) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let diagnostic = &fit_to_render(diagnostic);
    if handler
        .render_report(&mut out, &Rendered::new(diagnostic))
        .is_err()
    {
        // Rendering into a String cannot fail in practice; keep the
        // message rather than lose it if it ever does.
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    out
}

/// Labels on a line longer than this many bytes (4 KiB) are given in words rather
/// than drawn: miette pads up to a label with a width that must fit in 16
/// bits (it panics beyond), and each drawing repeats the whole line, which
/// on a minified JSON file means megabytes per diagnostic.
const MAX_DRAWN_LINE: usize = 4_096;

/// The diagnostic (and its related ones) as it can be drawn: control and
/// bidirectional characters escaped in its words (and masked in the snippet
/// drawn, see `Window`), and every snippet too wide to draw replaced by its
/// places in words: `file:line:column: label`.
fn fit_to_render(diagnostic: &Diagnostic) -> Diagnostic {
    let safe = Diagnostic {
        message: escape_controls(&diagnostic.message).into_owned(),
        help: diagnostic
            .help
            .as_deref()
            .map(|h| escape_controls(h).into_owned()),
        labels: diagnostic
            .labels
            .iter()
            .map(|label| Label {
                text: escape_controls(&label.text).into_owned(),
                ..label.clone()
            })
            .collect(),
        related: diagnostic.related.iter().map(fit_to_render).collect(),
        ..diagnostic.clone()
    };
    let Some(source) = safe
        .source
        .as_ref()
        .filter(|s| safe.labels.iter().any(|l| on_a_long_line(s, l.span)))
    else {
        return safe;
    };
    let places = safe.labels.iter().map(|label| {
        let (line, column) = source.line_col(label.span.start);
        format!("at {}:{line}:{column}: {}", source.name(), label.text)
    });
    let help = places
        .chain(safe.help.clone())
        .collect::<Vec<_>>()
        .join("\n");
    Diagnostic {
        source: None,
        labels: Vec::new(),
        help: Some(help),
        ..safe
    }
}

/// Whether either end of `span` lies on a line too long to draw.
fn on_a_long_line(source: &Source, span: Span) -> bool {
    let span = source.clamp(span);
    let starts = source.line_starts();
    let line_len = |offset: usize| {
        let line = source.line_of(offset);
        let end = starts.get(line + 1).copied().unwrap_or(source.text().len());
        end - starts[line]
    };
    line_len(span.start) > MAX_DRAWN_LINE || line_len(span.end) > MAX_DRAWN_LINE
}

/// Lines kept around a diagnostic's labels: more than the renderer's context
/// (one line), so that it reads the window exactly as it would the file.
const WINDOW_MARGIN: usize = crate::diagnostics::CONTEXT_LINES;

/// The lines of a source that a diagnostic's labels need, with a margin:
/// drawn in place of the whole text, so that a diagnostic costs the size of
/// its snippet, not of its file (thousands of diagnostics on a large file
/// stay linear), with control characters masked there (same byte length,
/// so spans hold).
struct Window {
    name: String,
    text: String,
    /// Where the window starts: its byte offset in the source, and its
    /// line in the whole file.
    offset: usize,
    first_line: usize,
}

impl Window {
    fn new(source: &Source, labels: &[Label]) -> Option<Window> {
        let spans = labels.iter().map(|l| source.clamp(l.span));
        let low = spans.clone().map(|s| s.start).min()?;
        let high = spans.map(|s| s.end).max()?;
        let starts = source.line_starts();
        let first_line = source.line_of(low).saturating_sub(WINDOW_MARGIN);
        let after = source.line_of(high) + WINDOW_MARGIN + 1;
        let (offset, end) = (
            starts[first_line],
            starts.get(after).copied().unwrap_or(source.text().len()),
        );
        Some(Window {
            name: source.name().to_string(),
            text: mask_controls(&source.text()[offset..end]).into_owned(),
            offset,
            first_line: source.origin().line + first_line,
        })
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(MietteError::OutOfBounds)?;
        let within = miette::SourceSpan::new(start.into(), span.len());
        let inner =
            self.text
                .as_bytes()
                .read_span(&within, context_lines_before, context_lines_after)?;
        let found = miette::SourceSpan::new(
            (inner.span().offset() + self.offset).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            found,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count() + self.first_line,
        )))
    }
}

/// A diagnostic seen through miette's trait, with its related diagnostics
/// wrapped alike (miette hands out references to them).
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    window: Option<Window>,
    related: Vec<Rendered<'a>>,
}

impl<'a> Rendered<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        Rendered {
            diagnostic,
            window: (diagnostic.source.as_ref())
                .and_then(|source| Window::new(source, &diagnostic.labels)),
            related: diagnostic.related.iter().map(Rendered::new).collect(),
        }
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // A note's code says nothing its message does not.
        (self.diagnostic.severity != Severity::Advice)
            .then(|| Box::new(self.diagnostic.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.window.as_ref().map(|w| w as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diagnostic.source.as_ref()?;
        Some(Box::new(self.diagnostic.labels.iter().map(|label| {
            let span = (label.span.start, label.span.end - label.span.start);
            if label.primary {
                LabeledSpan::new_primary_with_span(Some(label.text.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(label.text.clone()), span)
            }
        })))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}
