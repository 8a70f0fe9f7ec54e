//! What if: the evidence with some values changed (`--set PATH=VALUE`),
//! graded like any file, and the grades that moved.

use crate::diagnostics::{Code, Diagnostic};
use crate::eval::{Grading, Outcome};
use crate::evidence::json::{self, Json, JsonKind};
use crate::policy::Policy;
use crate::source::{Source, Span};
use crate::value::Type;

/// One change: an evidence path and the value it takes, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The whole argument (`crime.rate=52.1`), for diagnostics.
    pub written: String,
    /// The dotted evidence path.
    pub path: String,
    /// The value: JSON (`52.1`, `true`, `{"value": 88, "margin": 1.5}`),
    /// or else a bare word taken as text (`good`, `adequate`).
    pub value: String,
}

impl Change {
    /// Reads `PATH=VALUE`.
    pub fn parse(written: &str) -> Result<Change, String> {
        let (path, value) = written
            .split_once('=')
            .ok_or_else(|| format!("`{written}` is not PATH=VALUE (e.g. crime.rate=52.1)"))?;
        let (path, value) = (path.trim(), value.trim());
        if path.is_empty() || value.is_empty() {
            return Err(format!("`{written}` needs a path and a value"));
        }
        Ok(Change {
            written: written.to_string(),
            path: path.to_string(),
            value: value.to_string(),
        })
    }

    /// The value as JSON: parsed if it is JSON, else a string.
    fn json(&self) -> Json {
        json::parse(&self.value).unwrap_or_else(|_| Json {
            kind: JsonKind::String(self.value.clone()),
            span: Span::default(),
        })
    }
}

/// The evidence with the changes made, as a new source named after the
/// file; a change to a path the policy does not declare is an error, shown
/// on the argument. Ill-typed values are then reported by the evidence
/// reader, as in any file.
pub fn apply(
    policy: &Policy,
    source: &Source,
    changes: &[Change],
) -> Result<Source, Vec<Diagnostic>> {
    // Read as the evidence reader reads it: flat dotted keys nested, so that
    // a change to `crime.rate` changes `{"crime.rate": 45.5}` too.
    let whole = Span::new(0, source.text().len());
    let mut root = crate::evidence::parse_document(source, whole).map_err(|e| vec![e])?;
    let mut problems = Vec::new();
    for change in changes {
        if !declared(policy, &change.path) {
            problems.push(unknown_path(policy, change));
            continue;
        }
        let path: Vec<&str> = change.path.split('.').collect();
        if !root.set_path(&path, change.json()) {
            problems.push(unknown_path(policy, change));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let described: Vec<&str> = changes.iter().map(|c| c.written.as_str()).collect();
    Ok(Source::new(
        format!("{} with {}", source.name(), described.join(", ")),
        root.to_text(),
    ))
}

/// A declared field, or an estimate's `value` or `margin`.
fn declared(policy: &Policy, path: &str) -> bool {
    policy.fields.iter().any(|field| {
        field.path == path
            || matches!(field.ty, Type::Estimate(_))
                && path
                    .strip_prefix(field.path.as_str())
                    .is_some_and(|rest| rest == ".value" || rest == ".margin")
    })
}

fn unknown_path(policy: &Policy, change: &Change) -> Diagnostic {
    let argument = Source::new("--set", change.written.clone());
    let paths: Vec<&str> = policy.fields.iter().map(|f| f.path.as_str()).collect();
    let help = match crate::diagnostics::did_you_mean(&change.path, paths.iter().copied()) {
        Some(guess) => format!("did you mean `{guess}`?"),
        None => "set a path the policy declares in its `evidence` block".to_string(),
    };
    Diagnostic::error(
        Code::EvidenceUnknownField,
        format!("`{}` is not declared in the policy", change.path),
    )
    .in_source(&argument)
    .primary(
        Span::new(0, change.path.len()),
        "not a declared evidence path",
    )
    .help(help)
}

/// A judgement whose grade differs between two gradings.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The judgement's index.
    pub judgement: usize,
    /// Its grade before and after (`None`: not graded).
    pub before: Option<u8>,
    /// See `before`.
    pub after: Option<u8>,
}

/// The judgements whose outcome differs between two gradings of one policy.
pub fn moved(before: &Grading, after: &Grading) -> Vec<Moved> {
    let grade = |o: &Outcome| match o {
        Outcome::Graded(g) => Some(g.grade),
        _ => None,
    };
    before
        .outcomes
        .iter()
        .zip(&after.outcomes)
        .enumerate()
        .filter(|(_, (b, a))| {
            grade(b) != grade(a) || std::mem::discriminant(*b) != std::mem::discriminant(*a)
        })
        .map(|(judgement, (b, a))| Moved {
            judgement,
            before: grade(b),
            after: grade(a),
        })
        .collect()
}
