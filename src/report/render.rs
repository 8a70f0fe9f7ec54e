//! Diagnostics as people read them, drawn by miette's graphical renderer.
//! The core `Diagnostic` knows nothing of miette; this adapter does.

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::Source;
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
