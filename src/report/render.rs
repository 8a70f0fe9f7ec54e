//! Diagnostics as people read them, drawn by miette's graphical renderer.
//! The core `Diagnostic` knows nothing of miette; this adapter does.

use super::terminal::{escape_controls, mask_controls};
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::source::{Source, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SpanContents,
};
use std::borrow::Cow;
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
/// bidirectional characters escaped (masked in the source, so that spans
/// hold), and every snippet too wide to draw replaced by its places in
/// words: `file:line:column: label`.
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
        source: diagnostic
            .source
            .as_ref()
            .map(|source| match mask_controls(source.text()) {
                Cow::Borrowed(_) => source.clone(),
                Cow::Owned(masked) => Source::new(source.name(), masked),
            }),
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
    let text = source.text();
    let span = source.clamp(span);
    let line_len = |offset: usize| {
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        end - start
    };
    line_len(span.start) > MAX_DRAWN_LINE || line_len(span.end) > MAX_DRAWN_LINE
}

/// A diagnostic seen through miette's trait, with its related diagnostics
/// wrapped alike (miette hands out references to them).
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    related: Vec<Rendered<'a>>,
}

impl<'a> Rendered<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        Rendered {
            diagnostic,
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
        self.diagnostic
            .source
            .as_ref()
            .map(|s| s as &dyn miette::SourceCode)
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

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text()
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}
