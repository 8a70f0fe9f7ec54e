//! insp's diagnostics as LSP diagnostics: the primary label gives the range,
//! other labels and related diagnostics become related information, and
//! the `help:` line follows the message. Compiling gives the first set;
//! the analysis (`analysis.rs`) and evidence files add theirs.

use super::documents::uri_of;
use super::position;
use insp::{Diagnostic, Finding, Label, Severity, Source, Span};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri,
};
use std::path::Path;

/// The document diagnostics are published for.
pub struct Target<'a> {
    pub uri: &'a Uri,
    pub source: &'a Source,
}

impl Target<'_> {
    /// Whether a diagnostic's source is this document.
    fn is_own(&self, source: &Source) -> bool {
        source.name() == self.source.name()
    }

    /// The URI of a source: this document's, or a file's.
    fn uri_for(&self, source: &Source) -> Option<Uri> {
        if self.is_own(source) {
            Some(self.uri.clone())
        } else {
            uri_of(Path::new(source.name()))
        }
    }

    /// A place in this document or in another file.
    pub fn location(&self, source: &Source, span: Span) -> Option<Location> {
        Some(Location::new(
            self.uri_for(source)?,
            position::range(source, span),
        ))
    }
}

/// Converts insp diagnostics for one document.
pub fn convert(target: &Target, diagnostics: &[Diagnostic]) -> Vec<lsp_types::Diagnostic> {
    diagnostics.iter().map(|d| one(target, d)).collect()
}

/// Converts the analysis' findings, each with its witness as data.
pub fn convert_findings(target: &Target, findings: &[Finding]) -> Vec<lsp_types::Diagnostic> {
    findings
        .iter()
        .map(|finding| lsp_types::Diagnostic {
            data: finding.witness.as_ref().map(|w| w.to_json()),
            ..one(target, &finding.diagnostic)
        })
        .collect()
}

/// A diagnostic at the start of the document, for a problem with no place in it.
pub fn at_start(severity: DiagnosticSeverity, message: impl Into<String>) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        severity: Some(severity),
        source: Some("insp".into()),
        message: message.into(),
        ..Default::default()
    }
}

fn one(target: &Target, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let (range, elsewhere) = placement(target, diagnostic);
    let mut message = diagnostic.message.clone();
    if let Some(source) = elsewhere {
        message = format!("in {}: {message}", source.name());
    }
    if let Some(help) = &diagnostic.help {
        message = format!("{message}\nhelp: {help}");
    }
    let related = related_information(target, diagnostic);
    lsp_types::Diagnostic {
        range,
        severity: Some(severity(diagnostic.severity)),
        code: Some(NumberOrString::String(diagnostic.code.as_str().into())),
        source: Some("insp".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// The range of the primary label when it lies in this document; else the
/// document's start, with the other file it lies in.
fn placement<'a>(target: &Target, diagnostic: &'a Diagnostic) -> (Range, Option<&'a Source>) {
    match (&diagnostic.source, main_label(diagnostic)) {
        (Some(source), Some(label)) if target.is_own(source) => {
            (position::range(target.source, label.span), None)
        }
        (Some(source), _) if !target.is_own(source) => (Range::default(), Some(source)),
        _ => (Range::default(), None),
    }
}

fn main_label(diagnostic: &Diagnostic) -> Option<&Label> {
    main_label_index(diagnostic).map(|i| &diagnostic.labels[i])
}

fn main_label_index(diagnostic: &Diagnostic) -> Option<usize> {
    let first = (!diagnostic.labels.is_empty()).then_some(0);
    diagnostic.labels.iter().position(|l| l.primary).or(first)
}

/// Every label but the one that gives the range (the other rule of an
/// overlap, the strategy that forbids it), then each related diagnostic at
/// its main label.
fn related_information(
    target: &Target,
    diagnostic: &Diagnostic,
) -> Vec<DiagnosticRelatedInformation> {
    let labels = diagnostic.source.iter().flat_map(|source| {
        let placed = main_label_index(diagnostic).filter(|_| target.is_own(source));
        diagnostic
            .labels
            .iter()
            .enumerate()
            .filter(move |(i, _)| Some(*i) != placed)
            .filter_map(move |(_, label)| {
                Some(DiagnosticRelatedInformation {
                    location: target.location(source, label.span)?,
                    message: label.text.clone(),
                })
            })
    });
    let related = diagnostic.related.iter().filter_map(|related| {
        let source = related.source.as_ref()?;
        let span = main_label(related).map_or(Span::default(), |l| l.span);
        Some(DiagnosticRelatedInformation {
            location: target.location(source, span)?,
            message: related.message.clone(),
        })
    });
    labels.chain(related).collect()
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Advice => DiagnosticSeverity::INFORMATION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use insp::Code;
    use lsp_types::Position;

    #[test]
    fn the_primary_label_is_the_range_and_others_are_related() {
        let source = Source::new("/p.insp", "# é\nlet x = y\nlet z = 1");
        let uri: Uri = "file:///p.insp".parse().unwrap();
        let y = source.text().find('y').unwrap();
        let z = source.text().find('z').unwrap();
        let diagnostic = Diagnostic::error(Code::UnknownName, "unknown name `y`")
            .in_source(&source)
            .primary(Span::new(y, y + 1), "not declared")
            .label(Span::new(z, z + 1), "did you mean this?")
            .help("declare it");
        let converted = convert(
            &Target {
                uri: &uri,
                source: &source,
            },
            &[diagnostic],
        );
        let d = &converted[0];
        assert_eq!(d.range.start, Position::new(1, 8));
        assert_eq!(d.message, "unknown name `y`\nhelp: declare it");
        let related = d.related_information.as_ref().unwrap();
        assert_eq!(related.len(), 1);
        assert_eq!(related[0].location.range.start, Position::new(2, 4));
        assert_eq!(related[0].message, "did you mean this?");
    }
}
