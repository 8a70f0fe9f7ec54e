//! The one diagnostic type of insp: a stable code, a message in the author's
//! words, labelled spans in a policy or evidence file, a `help:` line, and
//! related diagnostics that carry their own source (so a conflict can show the
//! policy rules and the evidence values in one report).

use crate::source::{ReadError, Source, Span};
use serde_json::{Value as Json, json};
use std::fmt;

/// Declares the codes once; the enum, its text and the list of all codes are
/// derived from this one table.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A diagnostic's stable code. `docs/diagnostics.md` documents each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* #[doc = $text] $variant,)*
        }

        impl Code {
            /// Every code, in the order declared.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as written in output: `insp::evidence::missing`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// Context attached to another diagnostic (a declaration, the evidence read).
    Note = "insp::note",
    Syntax = "insp::syntax",
    Io = "insp::io",
    Duplicate = "insp::name::duplicate",
    UnknownName = "insp::name::unknown",
    UnknownGrade = "insp::name::unknown_grade",
    UnknownFunction = "insp::name::unknown_function",
    TypeMismatch = "insp::type::mismatch",
    Unit = "insp::type::unit",
    EstimatePointComparison = "insp::lint::estimate_point_comparison",
    Unused = "insp::lint::unused",
    Cycle = "insp::judgement::cycle",
    EmptyPolicy = "insp::policy::empty",
    PolicyLimit = "insp::policy::limit",
    AggregateWithoutMembers = "insp::judgement::aggregate_without_members",
    Otherwise = "insp::judgement::otherwise",
    EvidenceSyntax = "insp::evidence::syntax",
    EvidenceMissing = "insp::evidence::missing",
    EvidenceType = "insp::evidence::type",
    EvidenceUnknownField = "insp::evidence::unknown_field",
    EvidenceDuplicateKey = "insp::evidence::duplicate_key",
    EvidenceOutOfRange = "insp::evidence::out_of_range",
    Departure = "insp::evidence::departure",
    Conflict = "insp::eval::conflict",
    NoRule = "insp::eval::no_rule",
    CapFloorConflict = "insp::eval::cap_floor_conflict",
    Arithmetic = "insp::eval::arithmetic",
    ScriptSyntax = "insp::script::syntax",
    ScriptRuntime = "insp::script::runtime",
    CaseInvalid = "insp::case::invalid",
    Overlap = "insp::analysis::overlap",
    Gap = "insp::analysis::gap",
    Shadowed = "insp::analysis::shadowed",
    NeverHolds = "insp::analysis::never_holds",
    CapFloorClash = "insp::analysis::cap_floor_clash",
    NoEffect = "insp::analysis::no_effect",
    Undecided = "insp::analysis::undecided",
    /// Two versions of a policy whose evidence cannot be compared statically.
    Incompatible = "insp::diff::incompatible",
}

/// A code compares equal to its text, as documented: `Code::NoRule == "insp::eval::no_rule"`.
impl PartialEq<&str> for Code {
    fn eq(&self, text: &&str) -> bool {
        self.as_str() == *text
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Context for another diagnostic (e.g. the declaration behind an evidence error).
    Advice,
    /// The policy or evidence is usable, but something looks wrong.
    Warning,
    /// The policy or evidence cannot be used as it is.
    Error,
}

/// A labelled span in the diagnostic's source.
#[derive(Debug, Clone)]
pub struct Label {
    /// Where, in bytes.
    pub span: Span,
    /// What is there, in a few words.
    pub text: String,
    /// Whether this is where the problem is (else context for it).
    pub primary: bool,
}

/// A problem found in a policy, an evidence file or a case, in the author's words.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The stable code, e.g. `insp::evidence::missing`.
    pub code: Code,
    /// Error, warning or advice.
    pub severity: Severity,
    /// The one-line message.
    pub message: String,
    /// The file the labels point into, if any.
    pub source: Option<Source>,
    /// Labelled spans in `source`.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Further diagnostics with sources of their own (the policy behind an evidence error).
    pub related: Vec<Diagnostic>,
}

impl Diagnostic {
    /// An error with the given code and message.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            source: None,
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// A warning with the given code and message.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// A note giving context to another diagnostic (`insp::note`).
    pub fn advice(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Advice,
            ..Diagnostic::error(Code::Note, message)
        }
    }

    /// Attaches the file its labels point into.
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

    /// Sets the `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related diagnostic (shown with its own source).
    pub fn with_related(mut self, related: Diagnostic) -> Self {
        self.related.push(related);
        self
    }

    /// Whether the severity is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The machine-readable form used by `--format json`.
    pub fn to_json(&self) -> Json {
        let labels: Vec<Json> = self
            .labels
            .iter()
            .map(|label| self.label_json(label))
            .collect();
        json!({
            "code": self.code.as_str(),
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
        })
    }

    fn label_json(&self, label: &Label) -> Json {
        let (line, column) = self
            .source
            .as_ref()
            .map_or((0, 0), |s| s.line_col(label.span.start));
        // Offsets in the whole file, where the source is a part of it.
        let origin = self.source.as_ref().map_or(0, |s| s.origin().byte);
        json!({
            "message": label.text,
            "primary": label.primary,
            "start": origin + label.span.start,
            "end": origin + label.span.end,
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

impl From<ReadError> for Diagnostic {
    fn from(error: ReadError) -> Self {
        Diagnostic::error(Code::Io, error.message).help(error.help)
    }
}

/// Lines of its source a rendered diagnostic may show around its labels
/// (`report::render` keeps this many; a part of a long file read a part at
/// a time carries this many of the file's lines on each side, so that its
/// diagnostics read exactly as the whole file's would).
pub const CONTEXT_LINES: usize = 4;

/// Names longer than this get no "did you mean": comparing is quadratic in
/// the length, and no real name is this long.
pub const MAX_SUGGESTED_NAME: usize = 64;

/// The closest of `candidates` to `name`, for "did you mean" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.len() > MAX_SUGGESTED_NAME {
        return None;
    }
    candidates
        .into_iter()
        .filter(|candidate| candidate.len() <= MAX_SUGGESTED_NAME)
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// All diagnostics of a run, kept in order; errors decide the exit status.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
