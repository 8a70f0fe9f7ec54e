//! One evidence file from disk to a complete assessment: loaded, graded,
//! explained on request, with every diagnostic collected. What the CLI,
//! tests and any service call per file.

use super::{Evaluator, Grading, JudgementTrace, Outcome, diagnose, explain};
use crate::diagnostics::{Code, Diagnostic};
use crate::evidence::Evidence;
use crate::evidence::records::Record;
use crate::policy::{Policy, Value};
use crate::source::{DEFAULT_MAX_FILE_SIZE, Source, read_text_within};

/// One evidence file graded: its grades, explanations and diagnostics.
pub struct Assessment {
    /// The evidence file's name as given.
    pub path: String,
    /// The organisation's name, from the policy's first text field.
    pub subject: Option<String>,
    /// `None` when the evidence could not be read or bound to the policy.
    pub grading: Option<Grading>,
    /// Per judgement, every rule and whether it held (with `explain`).
    pub traces: Option<Vec<JudgementTrace>>,
    /// Fields for which the policy's default was used.
    pub defaults_used: Vec<String>,
    /// Optional fields the evidence left out or null: not assessed.
    pub not_assessed: Vec<String>,
    /// Errors and warnings about this file, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Assessment {
    /// The assessment of a file that could not be read or bound: its
    /// diagnostics, and no grades.
    pub fn ungraded(path: &str, diagnostics: Vec<Diagnostic>) -> Self {
        Assessment {
            path: path.to_string(),
            subject: None,
            grading: None,
            traces: None,
            defaults_used: Vec::new(),
            not_assessed: Vec::new(),
            diagnostics,
        }
    }

    /// Whether every judgement was graded without error.
    pub fn is_graded(&self) -> bool {
        self.grading.as_ref().is_some_and(Grading::is_complete)
    }
}

/// Reads an evidence file (up to `DEFAULT_MAX_FILE_SIZE`) and grades it.
pub fn assess_file(policy: &Policy, path: &str, explain: bool) -> Assessment {
    assess_file_within(policy, path, explain, DEFAULT_MAX_FILE_SIZE)
}

/// Reads an evidence file of at most `max_bytes` and grades it.
pub fn assess_file_within(
    policy: &Policy,
    path: &str,
    explain: bool,
    max_bytes: u64,
) -> Assessment {
    match read_text_within(path, max_bytes) {
        Ok(text) => assess(policy, &Source::new(path, text), explain),
        Err(error) => Assessment::ungraded(path, vec![error.into()]),
    }
}

/// Grades evidence already in memory.
pub fn assess(policy: &Policy, source: &Source, explain_grades: bool) -> Assessment {
    let loaded = Evidence::load(policy, source);
    assess_loaded(policy, source.name(), loaded, explain_grades, |evidence| {
        policy.evaluate(evidence)
    })
}

/// Grades one organisation's record from an evidence input (a file, a line
/// of JSON Lines, a row of a CSV table), named in reports as the record is.
/// To grade many, [`assess_record_with`] reuses one compiled evaluator.
pub fn assess_record(policy: &Policy, record: &Record, explain_grades: bool) -> Assessment {
    let mut assessment = assess_loaded(
        policy,
        &record.name,
        record.load(policy),
        explain_grades,
        |evidence| policy.evaluate(evidence),
    );
    record.locate(&mut assessment.diagnostics);
    assessment
}

/// Grades one organisation's record with an evaluator that has compiled its
/// policy already: the way to grade many records, one evaluator per thread.
pub fn assess_record_with(
    evaluator: &mut Evaluator,
    record: &Record,
    explain_grades: bool,
) -> Assessment {
    let policy = evaluator.policy();
    let mut assessment = assess_loaded(
        policy,
        &record.name,
        record.load(policy),
        explain_grades,
        |evidence| evaluator.evaluate(evidence).clone(),
    );
    record.locate(&mut assessment.diagnostics);
    assessment
}

/// The paths of the fields whose slots `keep` picks. `keep` is called for
/// every field of every file graded: a generic, not a `dyn`, so that it is
/// inlined.
fn field_paths(policy: &Policy, keep: impl Fn(usize) -> bool) -> Vec<String> {
    (0..policy.fields.len())
        .filter(|&slot| keep(slot))
        .map(|slot| policy.fields[slot].path.clone())
        .collect()
}

/// The assessment of loaded evidence, graded by `grade` (the walk for one
/// file, a compiled evaluator for many).
fn assess_loaded(
    policy: &Policy,
    name: &str,
    loaded: Result<crate::evidence::Loaded, Vec<Diagnostic>>,
    explain_grades: bool,
    grade: impl FnOnce(&Evidence) -> Grading,
) -> Assessment {
    let mut assessment = Assessment {
        path: name.to_string(),
        subject: None,
        grading: None,
        traces: None,
        defaults_used: Vec::new(),
        not_assessed: Vec::new(),
        diagnostics: Vec::new(),
    };
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            assessment.diagnostics = diagnostics;
            return assessment;
        }
    };
    let evidence = loaded.evidence;
    assessment.diagnostics = loaded.warnings;
    assessment.subject = evidence.subject(policy).map(String::from);
    let not_assessed = |slot: usize| matches!(evidence.value(slot), Value::NotAssessed);
    assessment.defaults_used = field_paths(policy, |slot| {
        evidence.span(slot).is_none() && !not_assessed(slot)
    });
    assessment.not_assessed = field_paths(policy, not_assessed);
    let grading = grade(&evidence);
    for (index, outcome) in grading.outcomes.iter().enumerate() {
        if let Outcome::Failed(failure) = outcome {
            assessment
                .diagnostics
                .push(diagnose(policy, &evidence, index, failure));
        }
    }
    assessment
        .diagnostics
        .extend(unapplied_departures(policy, &evidence, &grading));
    if explain_grades {
        assessment.traces = Some(explain(policy, &evidence, &grading));
    }
    assessment.grading = Some(grading);
    assessment
}

/// Departures recorded for judgements whose grade no `normally` rule
/// decided: they were not applied, and the file says so.
fn unapplied_departures(
    policy: &Policy,
    evidence: &Evidence,
    grading: &Grading,
) -> Vec<Diagnostic> {
    (0..policy.judgements.len())
        .filter_map(|index| {
            let departure = evidence.departure(index)?;
            let applied = matches!(&grading.outcomes[index], Outcome::Graded(g) if g.departure.is_some());
            if applied {
                return None;
            }
            let id = &policy.judgements[index].id;
            Some(
                Diagnostic::warning(
                    Code::Departure,
                    format!("a departure is recorded for `{id}`, but no rule marked `normally` decided its grade: it was not applied"),
                )
                .in_source(&evidence.source)
                .primary(departure.span, "not applied")
                .help("departures apply to rules that state normal practice (`normally good when ...`); mark the rule, or remove the departure"),
            )
        })
        .collect()
}
