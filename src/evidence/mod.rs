//! Evidence: a JSON file checked against the policy's declarations and turned
//! into one typed value per declared field (its slot), once, so that
//! evaluation never looks a path up by name.

mod departures;
mod dotted;
mod duplicates;
mod fast;
mod lines;
pub mod records;
mod table;
mod undeclared;

/// A top-level key an evidence file may use to say where its figures come
/// from; grading ignores it.
pub const ABOUT: &str = crate::policy::ABOUT_KEY;
pub mod json;

pub use departures::Departure;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::policy::{Field, Policy};
use crate::source::{Source, Span};
use crate::value::{Type, Value};
use json::{Json, JsonKind};
use rust_decimal::Decimal;

/// Whether the dotted `path` names evidence the policy reads: a declared
/// field, a part of one (an estimate's `margin`), an object holding
/// declared fields (`crime` for `crime.rate`), or a top-level key evidence
/// files may carry besides fields (`departures`, `about`).
pub fn reads_path(policy: &Policy, path: &str) -> bool {
    let top = path.split('.').next().unwrap_or(path);
    let reserved = top == departures::KEY || top == ABOUT;
    reserved
        || policy.fields.iter().any(|f| {
            f.path == path
                || crate::policy::path_within(path, &f.path)
                || crate::policy::path_within(&f.path, path)
        })
}

/// One evidence file, bound to a policy's fields.
pub struct Evidence {
    /// The evidence file (for a line of a JSON Lines file, the part of the
    /// file around it): spans point into it.
    pub source: Source,
    values: Vec<Value>,
    texts: Vec<Option<String>>,
    /// Where each value stands in `source`; `None` when the default was used.
    spans: Vec<Option<Span>>,
    /// Per judgement, a recorded departure from a "normally" rule.
    departures: Vec<Option<Departure>>,
}

/// A loaded evidence file and the warnings found while loading it.
pub struct Loaded {
    /// The values, one per declared field.
    pub evidence: Evidence,
    /// Problems that do not stop grading (undeclared fields).
    pub warnings: Vec<Diagnostic>,
}

impl Evidence {
    /// Reads and checks an evidence file. Every problem of the file is
    /// reported at once; `Err` holds them all (warnings included).
    ///
    /// A document with nothing to report is read in one fast pass straight
    /// into the slots; any other is read again with spans for every value,
    /// which gives the diagnostics (see `fast`).
    pub fn load(policy: &Policy, source: &Source) -> Result<Loaded, Vec<Diagnostic>> {
        let whole = Span::new(0, source.text().len());
        Self::load_within(policy, source, whole, || Self::load_spanned(policy, source))
    }

    /// Reads the document that is the part `within` of a source the fast
    /// way, or else with `spanned`, the reader that gives the diagnostics.
    pub(crate) fn load_within(
        policy: &Policy,
        source: &Source,
        within: Span,
        spanned: impl FnOnce() -> Result<Loaded, Vec<Diagnostic>>,
    ) -> Result<Loaded, Vec<Diagnostic>> {
        match fast::load(policy, source, within) {
            Some(evidence) => Ok(Loaded {
                evidence,
                warnings: Vec::new(),
            }),
            None => spanned(),
        }
    }

    /// Reads and checks an evidence file through a tree of the whole
    /// document with a span for every value: the reader that gives the
    /// diagnostics, and the one the fast reader is checked against.
    pub fn load_spanned(policy: &Policy, source: &Source) -> Result<Loaded, Vec<Diagnostic>> {
        let root = parse_document(source, Span::new(0, source.text().len()))
            .map_err(|diagnostic| vec![diagnostic])?;
        Evidence::load_document(policy, source, &root)
    }

    /// Checks a document already parsed (a line of a JSON Lines file, a row
    /// of a CSV table) whose spans lie in `source`, its keys nested.
    pub(crate) fn load_document(
        policy: &Policy,
        source: &Source,
        root: &Json,
    ) -> Result<Loaded, Vec<Diagnostic>> {
        let members = match &root.kind {
            JsonKind::Object(members) => members,
            other => {
                return Err(vec![
                    Diagnostic::error(
                        Code::EvidenceType,
                        format!(
                            "the evidence file holds {}, not an object",
                            other.describe()
                        ),
                    )
                    .in_source(source)
                    .primary(root.span, "expected an object")
                    .help(
                        "an evidence file is one JSON object, e.g. {\"crime\": {\"rate\": 45.5}}",
                    ),
                ]);
            }
        };
        let mut binder = Binder {
            policy,
            source,
            diagnostics: Vec::new(),
        };
        let mut evidence = Evidence {
            source: source.clone(),
            values: Vec::with_capacity(policy.fields.len()),
            texts: Vec::with_capacity(policy.fields.len()),
            spans: Vec::with_capacity(policy.fields.len()),
            departures: Vec::new(),
        };
        for field in &policy.fields {
            let (value, text, span) = binder.field(field, members, root);
            evidence.values.push(value);
            evidence.texts.push(text);
            evidence.spans.push(span);
        }
        evidence.departures = binder.departures(members);
        binder.undeclared_fields(members, &evidence);
        binder.duplicate_keys(root);
        if binder.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(binder.diagnostics);
        }
        Ok(Loaded {
            evidence,
            warnings: binder.diagnostics,
        })
    }

    /// The value in a slot (a field's index in `Policy::fields`).
    pub fn value(&self, slot: usize) -> Value {
        self.values[slot]
    }

    /// The same evidence with one slot's value replaced (a decision tool's
    /// "what if this value were ..."); its text and place are kept.
    pub(crate) fn with_value(&self, slot: usize, value: Value) -> Evidence {
        let mut values = self.values.clone();
        values[slot] = value;
        Evidence {
            source: self.source.clone(),
            values,
            texts: self.texts.clone(),
            spans: self.spans.clone(),
            departures: self.departures.clone(),
        }
    }

    /// The departure recorded for a judgement (by index), if any.
    pub fn departure(&self, judgement: usize) -> Option<&Departure> {
        self.departures.get(judgement)?.as_ref()
    }

    /// The text in a text field's slot.
    pub fn text(&self, slot: usize) -> Option<&str> {
        self.texts[slot].as_deref()
    }

    /// Where the value stands in `source`, or `None` if the policy's default was used.
    pub fn span(&self, slot: usize) -> Option<Span> {
        self.spans[slot]
    }

    /// The name of the organisation inspected, if the policy declares a text field.
    pub fn subject(&self, policy: &Policy) -> Option<&str> {
        policy.subject.and_then(|slot| self.text(slot))
    }
}

/// An evidence document parsed from the part `within` of a source, its
/// spans placed in the whole source and flat dotted keys (`"crime.rate":
/// 45.5`) nested; invalid JSON is an `insp::evidence::syntax` error.
pub(crate) fn parse_document(source: &Source, within: Span) -> Result<Json, Diagnostic> {
    let text = source.text().get(within.start..within.end).unwrap_or("");
    let mut root = json::parse(text).map_err(|e| {
        let at = Span::new(e.span.start + within.start, e.span.end + within.start);
        Diagnostic::error(
            Code::EvidenceSyntax,
            format!("the evidence file is not valid JSON: {}", e.message),
        )
        .in_source(source)
        .primary(at, "here")
        .help("an evidence file is one JSON object, e.g. {\"crime\": {\"rate\": 45.5}}")
    })?;
    if within.start > 0 {
        dotted::shift(&mut root, within.start);
    }
    Ok(dotted::nested(root))
}

struct Binder<'a> {
    policy: &'a Policy,
    source: &'a Source,
    diagnostics: Vec<Diagnostic>,
}

type Bound = (Value, Option<String>, Option<Span>);

impl Binder<'_> {
    fn error(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::error(code, message).in_source(self.source)
    }

    /// The policy's declaration of a field, as a note beside an evidence diagnostic.
    fn declared(&self, field: &Field) -> Diagnostic {
        let ty = field.describe(&self.policy.scales);
        Diagnostic::advice(format!("`{}` is declared as {ty}", field.path))
            .in_source(&self.policy.source)
            .primary(field.span, "declared here")
    }

    fn field(&mut self, field: &Field, members: &[(String, Span, Json)], root: &Json) -> Bound {
        let placeholder = (Value::Bool(false), None, None);
        match lookup(members, root, &field.segments) {
            Lookup::Found(json) if field.optional && json.kind == JsonKind::Null => {
                (Value::NotAssessed, None, Some(json.span))
            }
            Lookup::Found(json) => match self.convert(field, json) {
                Ok((value, text)) => (value, text, Some(json.span)),
                Err(diagnostic) => {
                    let diagnostic = diagnostic.with_related(self.declared(field));
                    self.diagnostics.push(diagnostic);
                    placeholder
                }
            },
            Lookup::Missing { .. } if let Some(default) = field.default => {
                (default, field.default_text.clone(), None)
            }
            Lookup::Missing { .. } if field.optional => (Value::NotAssessed, None, None),
            Lookup::Missing { parent } => {
                let diagnostic = self
                    .error(Code::EvidenceMissing, format!("the evidence has no `{}`", field.path))
                    .primary(parent, format!("no `{}` in here", field.segments.last().map_or("", String::as_str)))
                    .help(format!(
                        "add it ({}), or give the field a default in the policy (`{} : ... = value`)",
                        field.description.as_deref().unwrap_or("the policy requires it"),
                        field.path
                    ))
                    .with_related(self.declared(field));
                self.diagnostics.push(diagnostic);
                placeholder
            }
            Lookup::NotAnObject { at, prefix } => {
                let diagnostic = self
                    .error(
                        Code::EvidenceType,
                        format!("`{prefix}` must be an object holding `{}`", field.path),
                    )
                    .primary(at.span, format!("this is {}", at.kind.describe()))
                    .help(format!(
                        "nest the value: {}",
                        nesting_example(&field.segments)
                    ))
                    .with_related(self.declared(field));
                self.diagnostics.push(diagnostic);
                placeholder
            }
        }
    }

    fn convert(&self, field: &Field, json: &Json) -> Result<(Value, Option<String>), Diagnostic> {
        let mismatch = || {
            let expected = field.ty.describe(&self.policy.scales);
            self.error(
                Code::EvidenceType,
                format!(
                    "`{}` should be {expected}, but it is {}",
                    field.path,
                    json.kind.describe()
                ),
            )
            .primary(json.span, format!("{} here", json.kind.describe()))
            .help(field.ty.how_to_write(&self.policy.scales))
        };
        let value = match (&field.ty, &json.kind) {
            (Type::Number(_), JsonKind::Number(text)) => {
                Value::Number(self.decimal(field, text, json.span)?)
            }
            (Type::Bool, JsonKind::Bool(b)) => Value::Bool(*b),
            (Type::Grade, JsonKind::String(s)) => Value::Grade(self.grade(field, s, json.span)?),
            (Type::Text, JsonKind::String(s)) => return Ok((Value::Text, Some(s.clone()))),
            (Type::Level(scale), JsonKind::String(s)) => Value::Level {
                scale: *scale as u16,
                index: self.level(field, *scale, s, json.span)?,
            },
            (Type::Estimate(_), JsonKind::Object(members)) => {
                self.estimate(field, members, json.span)?
            }
            _ => return Err(mismatch()),
        };
        self.within_bounds(field, value, json.span)?;
        Ok((value, None))
    }

    /// A number (or an estimate's value) within the field's range, and whole
    /// where the field is.
    fn within_bounds(&self, field: &Field, value: Value, span: Span) -> Result<(), Diagnostic> {
        let n = match value {
            Value::Number(n) | Value::Estimate { value: n, .. } => n,
            _ => return Ok(()),
        };
        let shown = crate::value::format_decimal(n);
        if !field.range.contains(n) {
            return Err(self
                .error(
                    Code::EvidenceOutOfRange,
                    format!("`{}` is {shown}, outside its range {}", field.path, field.range.words()),
                )
                .primary(span, format!("not within {}", field.range.words()))
                .help("correct the evidence; if such values really occur, widen the range in the policy"));
        }
        if field.ty.is_rate() && n.is_sign_negative() && !n.is_zero() {
            return Err(self
                .error(
                    Code::EvidenceOutOfRange,
                    format!("`{}` is {shown}, but a rate is never negative", field.path),
                )
                .primary(span, "a negative rate")
                .help("correct the evidence; for a change in a rate, declare a plain `number`"));
        }
        if field.whole && !n.fract().is_zero() {
            return Err(self
                .error(
                    Code::EvidenceOutOfRange,
                    format!("`{}` is {shown}, but it must be a whole number", field.path),
                )
                .primary(span, "not a whole number")
                .help("write a whole number, e.g. 3"));
        }
        Ok(())
    }

    fn grade(&self, field: &Field, name: &str, span: Span) -> Result<u8, Diagnostic> {
        let grades = &self.policy.grades;
        if let Some(rank) = grades.rank(name) {
            return Ok(rank);
        }
        let best_first: Vec<&str> = grades.names.iter().rev().map(String::as_str).collect();
        let help = match did_you_mean(name, best_first.iter().copied()) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => format!("the grades are: {}", best_first.join(" > ")),
        };
        Err(self
            .error(
                Code::EvidenceType,
                format!(
                    "\"{name}\" is not a grade of this policy, for `{}`",
                    field.path
                ),
            )
            .primary(span, "not one of the grades")
            .help(help))
    }

    fn decimal(&self, field: &Field, text: &str, span: Span) -> Result<Decimal, Diagnostic> {
        let parsed = if text.contains(['e', 'E']) {
            crate::value::exact_scientific(text)
        } else {
            crate::value::exact_decimal(text)
        };
        parsed.ok_or_else(|| {
            self.error(Code::EvidenceOutOfRange, format!("`{}` is {text}, which insp cannot hold exactly", field.path))
                .primary(span, "out of range")
                .help("evidence numbers are exact decimals of at most 28 significant digits (28 decimal places), magnitude below 7.9e28")
        })
    }

    fn level(
        &self,
        field: &Field,
        scale: usize,
        name: &str,
        span: Span,
    ) -> Result<u16, Diagnostic> {
        let levels = &self.policy.scales[scale].levels;
        if let Some(index) = levels.iter().position(|l| l == name) {
            return Ok(index as u16);
        }
        let help = match did_you_mean(name, levels.iter().map(String::as_str)) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => format!("the levels are: {}", levels.join(" < ")),
        };
        Err(self
            .error(
                Code::EvidenceType,
                format!("\"{name}\" is not a level of `{}`", field.path),
            )
            .primary(span, "not one of its levels")
            .help(help))
    }

    fn estimate(
        &self,
        field: &Field,
        members: &[(String, Span, Json)],
        span: Span,
    ) -> Result<Value, Diagnostic> {
        let part = |key: &str| -> Result<Decimal, Diagnostic> {
            match members.iter().find(|(k, _, _)| k == key) {
                Some((
                    _,
                    _,
                    Json {
                        kind: JsonKind::Number(text),
                        span,
                    },
                )) => self.decimal(field, text, *span),
                Some((_, _, other)) => Err(self
                    .error(
                        Code::EvidenceType,
                        format!("the {key} of `{}` should be a number", field.path),
                    )
                    .primary(other.span, format!("{} here", other.kind.describe()))
                    .help(field.ty.how_to_write(&self.policy.scales))),
                None => Err(self
                    .error(
                        Code::EvidenceMissing,
                        format!("the estimate `{}` has no `{key}`", field.path),
                    )
                    .primary(span, format!("no `{key}` in here"))
                    .help(field.ty.how_to_write(&self.policy.scales))),
            }
        };
        let (value, margin) = (part("value")?, part("margin")?);
        if let Some((key, key_span, _)) = members
            .iter()
            .find(|(k, _, _)| k != "value" && k != "margin")
        {
            return Err(self
                .error(
                    Code::EvidenceUnknownField,
                    format!("the estimate `{}` has an unexpected `{key}`", field.path),
                )
                .primary(*key_span, "not part of an estimate")
                .help(field.ty.how_to_write(&self.policy.scales)));
        }
        if margin.is_sign_negative() && !margin.is_zero() {
            return Err(self
                .error(Code::EvidenceOutOfRange, format!("the margin of `{}` is negative", field.path))
                .primary(span, "a margin of error is never negative")
                .help("give the half-width of the interval, e.g. {\"value\": 87.9, \"margin\": 1.4} for 87.9 ± 1.4"));
        }
        Ok(Value::Estimate { value, margin })
    }
}

enum Lookup<'a> {
    Found(&'a Json),
    /// The innermost object that should have held the next segment.
    Missing {
        parent: Span,
    },
    NotAnObject {
        at: &'a Json,
        prefix: String,
    },
}

fn lookup<'a>(
    members: &'a [(String, Span, Json)],
    root: &'a Json,
    segments: &[String],
) -> Lookup<'a> {
    let (mut members, mut parent) = (members, root);
    for (depth, segment) in segments.iter().enumerate() {
        let Some((_, _, value)) = members.iter().find(|(k, _, _)| k == segment) else {
            return Lookup::Missing {
                parent: parent.span,
            };
        };
        if depth + 1 == segments.len() {
            return Lookup::Found(value);
        }
        match &value.kind {
            JsonKind::Object(inner) => {
                members = inner;
                parent = value;
            }
            _ => {
                return Lookup::NotAnObject {
                    at: value,
                    prefix: segments[..=depth].join("."),
                };
            }
        }
    }
    Lookup::Missing {
        parent: parent.span,
    }
}

fn nesting_example(segments: &[String]) -> String {
    let mut out = String::from("1");
    for segment in segments.iter().rev() {
        out = format!("{{\"{segment}\": {out}}}");
    }
    out
}
