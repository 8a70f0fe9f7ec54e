//! The one diagnostic type of insp: a stable code, a message in the author's
//! words, labelled spans in a policy or evidence file, a `help:` line, and
//! related diagnostics that carry their own source (so a conflict can show the
//! policy rules and the evidence values in one report).

use crate::source::{ReadError, Source, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use serde_json::{Value as Json, json};
use std::fmt;

/// Every diagnostic code insp emits. `docs/diagnostics.md` documents each.
pub mod codes {
    pub const SYNTAX: &str = "insp::syntax";
    pub const IO: &str = "insp::io";
    pub const DUPLICATE: &str = "insp::name::duplicate";
    pub const UNKNOWN_NAME: &str = "insp::name::unknown";
    pub const UNKNOWN_GRADE: &str = "insp::name::unknown_grade";
    pub const UNKNOWN_FUNCTION: &str = "insp::name::unknown_function";
    pub const TYPE: &str = "insp::type::mismatch";
    pub const UNIT: &str = "insp::type::unit";
    pub const ESTIMATE_POINT: &str = "insp::lint::estimate_point_comparison";
    pub const UNUSED: &str = "insp::lint::unused";
    pub const CYCLE: &str = "insp::judgement::cycle";
    pub const EMPTY: &str = "insp::policy::empty";
    pub const LIMIT: &str = "insp::policy::limit";
    pub const AGGREGATE_OUTSIDE: &str = "insp::judgement::aggregate_without_members";
    pub const RULE_ORDER: &str = "insp::judgement::otherwise";
    pub const EVIDENCE_SYNTAX: &str = "insp::evidence::syntax";
    pub const EVIDENCE_MISSING: &str = "insp::evidence::missing";
    pub const EVIDENCE_TYPE: &str = "insp::evidence::type";
    pub const EVIDENCE_UNKNOWN: &str = "insp::evidence::unknown_field";
    pub const EVIDENCE_RANGE: &str = "insp::evidence::out_of_range";
    pub const CONFLICT: &str = "insp::eval::conflict";
    pub const NO_RULE: &str = "insp::eval::no_rule";
    pub const CAP_FLOOR: &str = "insp::eval::cap_floor_conflict";
    pub const ARITHMETIC: &str = "insp::eval::arithmetic";
    pub const SCRIPT_SYNTAX: &str = "insp::script::syntax";
    pub const SCRIPT_RUNTIME: &str = "insp::script::runtime";
    pub const CASE: &str = "insp::case::invalid";
    pub const OVERLAP: &str = "insp::analysis::overlap";
    pub const GAP: &str = "insp::analysis::gap";
    pub const SHADOWED: &str = "insp::analysis::shadowed";
    pub const NEVER_HOLDS: &str = "insp::analysis::never_holds";
    pub const CLASH: &str = "insp::analysis::cap_floor_clash";
    pub const UNDECIDED: &str = "insp::analysis::undecided";

    /// Every code, for documentation and for the tests that cover each.
    pub const ALL: &[&str] = &[
        SYNTAX,
        IO,
        DUPLICATE,
        UNKNOWN_NAME,
        UNKNOWN_GRADE,
        UNKNOWN_FUNCTION,
        TYPE,
        UNIT,
        ESTIMATE_POINT,
        UNUSED,
        CYCLE,
        EMPTY,
        LIMIT,
        AGGREGATE_OUTSIDE,
        RULE_ORDER,
        EVIDENCE_SYNTAX,
        EVIDENCE_MISSING,
        EVIDENCE_TYPE,
        EVIDENCE_UNKNOWN,
        EVIDENCE_RANGE,
        CONFLICT,
        NO_RULE,
        CAP_FLOOR,
        ARITHMETIC,
        SCRIPT_SYNTAX,
        SCRIPT_RUNTIME,
        CASE,
        OVERLAP,
        GAP,
        SHADOWED,
        NEVER_HOLDS,
        CLASH,
        UNDECIDED,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Context for another diagnostic (e.g. the declaration behind an evidence error).
    Advice,
    Warning,
    Error,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub span: Span,
    pub text: String,
    pub primary: bool,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub source: Option<Source>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub related: Vec<Diagnostic>,
    /// Evidence that triggers the problem (from `insp check`), as a complete evidence document.
    pub witness: Option<Json>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            source: None,
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
            witness: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn advice(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Advice,
            ..Diagnostic::error("insp::note", message)
        }
    }

    pub fn in_source(mut self, source: &Source) -> Self {
        self.source = Some(source.clone());
        self
    }

    /// The main label: where the problem is. Spans are clamped into the source.
    pub fn primary(self, span: Span, text: impl Into<String>) -> Self {
        self.label_with(span, text, true)
    }

    /// A secondary label: context for the problem.
    pub fn label(self, span: Span, text: impl Into<String>) -> Self {
        self.label_with(span, text, false)
    }

    fn label_with(mut self, span: Span, text: impl Into<String>, primary: bool) -> Self {
        let span = match &self.source {
            Some(source) => source.clamp(span),
            None => span,
        };
        self.labels.push(Label {
            span,
            text: text.into(),
            primary,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, related: Diagnostic) -> Self {
        self.related.push(related);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Human-readable rendering, as the CLI prints it (without colour).
    pub fn render(&self) -> String {
        self.render_with(GraphicalTheme::unicode_nocolor())
    }

    pub fn render_with(&self, theme: GraphicalTheme) -> String {
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        if handler.render_report(&mut out, self).is_err() {
            // Rendering into a String cannot fail in practice; keep the
            // message rather than lose it if it ever does.
            out = format!("{}: {}\n", self.code, self.message);
        }
        out
    }

    /// The machine-readable form used by `--format json`.
    pub fn to_json(&self) -> Json {
        let labels: Vec<Json> = self
            .labels
            .iter()
            .map(|label| self.label_json(label))
            .collect();
        json!({
            "code": self.code,
            "severity": match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Advice => "advice",
            },
            "message": self.message,
            "file": self.source.as_ref().map(|s| s.name()),
            "labels": labels,
            "help": self.help,
            "related": self.related.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
            "witness": self.witness,
        })
    }

    fn label_json(&self, label: &Label) -> Json {
        let (line, column) = self
            .source
            .as_ref()
            .map_or((0, 0), |s| s.line_col(label.span.start));
        json!({
            "message": label.text,
            "primary": label.primary,
            "start": label.span.start,
            "end": label.span.end,
            "line": line,
            "column": column,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // A note's code says nothing its message does not.
        (self.severity != Severity::Advice).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().map(|label| {
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

impl From<ReadError> for Diagnostic {
    fn from(error: ReadError) -> Self {
        Diagnostic::error(codes::IO, error.message).help(error.help)
    }
}

/// The closest of `candidates` to `name`, for "did you mean" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// All diagnostics of a run, kept in order; errors decide the exit status.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
