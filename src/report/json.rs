//! The JSON report: one document per evidence file. The schema is in
//! `docs/json.md`.
//!
//! The document is a set of structs borrowing from the policy and the
//! assessment, serialised by serde: `one_line` writes it out straight
//! from them, without a tree of values per document (a batch of 100,000
//! organisations spent most of its time building and freeing those);
//! `render` gives it as a value. Fields are declared in alphabetical order,
//! the order a `serde_json::Value` (a sorted map) writes its keys, so that
//! both give the same text.

use super::{decided_because, limit_rule, not_graded};
use crate::eval::{Assessment, Decision, JudgementTrace, Limit, Outcome, RuleRole};
use crate::policy::{JudgementKind, Policy};
use serde::Serialize;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What the decision tools add to a document (`--set`, `--robustness`,
/// `--what-would-change`), each already a JSON value; `None` when not asked.
#[derive(Debug, Default)]
pub struct Additions {
    /// How far each grade is from changing (`--robustness`).
    pub robustness: Option<Json>,
    /// The grades that moved when the evidence was changed (`--set`).
    pub what_if: Option<Json>,
    /// What would change each grade (`--what-would-change`, `--why-not`).
    pub would_change: Option<Json>,
}

/// One evidence file's grades as a JSON document (see `docs/json.md`).
pub fn render(policy: &Policy, assessment: &Assessment) -> Json {
    // Serialising plain structs (string keys, no floats) into a value cannot fail.
    serde_json::to_value(Document::new(policy, assessment, &Additions::default()))
        .expect("a report is plain JSON")
}

/// One evidence file's JSON document, with what the decision tools add,
/// written out on one line (newline included).
pub fn one_line(policy: &Policy, assessment: &Assessment, additions: &Additions) -> String {
    // Serialising plain structs (string keys, no floats) cannot fail.
    let mut line = serde_json::to_string(&Document::new(policy, assessment, additions))
        .expect("a report is plain JSON");
    line.push('\n');
    line
}

/// The document. The field names of the sections are those `section` gives.
#[derive(Serialize)]
struct Document<'a> {
    defaults_used: &'a [String],
    /// Rare, and small: kept as the values diagnostics give.
    diagnostics: Vec<Json>,
    evidence: &'a str,
    graded: bool,
    judgements: Vec<Judgement<'a>>,
    not_assessed: &'a [String],
    organisation: Option<&'a str>,
    overall: Option<Judgement<'a>>,
    policy: &'a str,
    policy_file: &'a str,
    questions: Vec<Judgement<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    robustness: Option<&'a Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    what_if: Option<&'a Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    would_change: Option<&'a Json>,
}

impl<'a> Document<'a> {
    fn new(policy: &'a Policy, assessment: &'a Assessment, additions: &'a Additions) -> Self {
        let in_section = |kind: JudgementKind| -> Vec<Judgement<'a>> {
            (policy.judgements.iter().enumerate())
                .filter(|(_, j)| j.kind == kind)
                .map(|(index, _)| Judgement::new(policy, assessment, index))
                .collect()
        };
        Document {
            defaults_used: &assessment.defaults_used,
            diagnostics: assessment.diagnostics.iter().map(|d| d.to_json()).collect(),
            evidence: &assessment.path,
            graded: assessment.is_graded(),
            judgements: in_section(JudgementKind::Judgement),
            not_assessed: &assessment.not_assessed,
            organisation: assessment.subject.as_deref(),
            overall: in_section(JudgementKind::Overall).into_iter().next(),
            policy: &policy.name,
            policy_file: policy.source.name(),
            questions: in_section(JudgementKind::Question),
            robustness: additions.robustness.as_ref(),
            what_if: additions.what_if.as_ref(),
            would_change: additions.would_change.as_ref(),
        }
    }
}

/// One judgement's entry. Those not graded have no `decided_by`,
/// `departure`, `limited_by` nor `resolved_grade` (absent, not null).
#[derive(Serialize)]
struct Judgement<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<DecidedBy<'a>>,
    /// `Some(None)` is written `null`: graded without a departure.
    #[serde(skip_serializing_if = "Option::is_none")]
    departure: Option<Option<Departure<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Explanation<'a>>,
    grade: Option<&'a str>,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    limited_by: Option<Vec<LimitedBy<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_grade: Option<&'a str>,
    status: Option<Cow<'a, str>>,
    title: &'a str,
}

impl<'a> Judgement<'a> {
    fn new(policy: &'a Policy, assessment: &'a Assessment, index: usize) -> Self {
        let j = &policy.judgements[index];
        let mut doc = Judgement {
            decided_by: None,
            departure: None,
            explanation: None,
            grade: None,
            id: &j.id,
            limited_by: None,
            resolved_grade: None,
            status: Some(Cow::Borrowed("not graded: the evidence has errors")),
            title: &j.title,
        };
        let Some(grading) = &assessment.grading else {
            return doc;
        };
        match &grading.outcomes[index] {
            Outcome::Graded(graded) => {
                let grades = &policy.grades;
                doc.grade = Some(grades.name(graded.grade));
                doc.status = Some(Cow::Borrowed("graded"));
                doc.resolved_grade = Some(grades.name(graded.resolved));
                doc.departure = Some(graded.departure.as_ref().map(|d| Departure {
                    approved_by: d.approved_by.as_deref(),
                    grade: grades.name(d.grade),
                    reason: &d.reason,
                }));
                doc.decided_by = Some(DecidedBy {
                    because: decided_because(policy, index, graded),
                    line: match graded.decided_by {
                        Decision::Rule(rule) => Some(line(policy, j.rules[rule].span)),
                        Decision::Otherwise => None,
                    },
                    rule: match graded.decided_by {
                        Decision::Rule(_) => "grade",
                        Decision::Otherwise => "otherwise",
                    },
                });
                doc.limited_by = Some(
                    (graded.limited_by.iter())
                        .map(|&limit| LimitedBy::new(policy, index, limit))
                        .collect(),
                );
            }
            other => doc.status = not_graded(policy, other).map(Cow::Owned),
        }
        doc.explanation = (assessment.traces.as_ref())
            .and_then(|traces| traces.iter().find(|t| t.judgement == index))
            .map(|trace| Explanation::new(policy, trace));
        doc
    }
}

#[derive(Serialize)]
struct Departure<'a> {
    approved_by: Option<&'a str>,
    grade: &'a str,
    reason: &'a str,
}

/// The rule that decided a grade: a `grade` rule (with its line) or `otherwise`.
#[derive(Serialize)]
struct DecidedBy<'a> {
    because: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    rule: &'static str,
}

/// A cap or floor that changed a grade.
#[derive(Serialize)]
struct LimitedBy<'a> {
    because: Option<&'a str>,
    line: usize,
    rule: &'static str,
    to: String,
}

impl<'a> LimitedBy<'a> {
    fn new(policy: &'a Policy, judgement: usize, limit: Limit) -> Self {
        let rule = limit_rule(policy, judgement, limit);
        LimitedBy {
            because: rule.because.as_deref(),
            line: line(policy, rule.span),
            rule: match limit {
                Limit::Cap(_) => "cap",
                Limit::Floor(_) => "floor",
            },
            to: rule.target(&policy.grades),
        }
    }
}

fn line(policy: &Policy, span: crate::source::Span) -> usize {
    policy.source.line_col(span.start).0
}

/// Every rule of a judgement and whether it held (`--explain`).
#[derive(Serialize)]
struct Explanation<'a> {
    resolve: &'static str,
    rules: Vec<RuleExplained<'a>>,
}

impl<'a> Explanation<'a> {
    fn new(policy: &'a Policy, trace: &'a JudgementTrace) -> Self {
        let rules = trace.rules.iter().map(|rule| RuleExplained {
            because: rule.because.as_deref(),
            checks: rule.checks.iter().map(CheckExplained::new).collect(),
            grade: &rule.target,
            held: rule.held,
            kind: match rule.role {
                RuleRole::Grade => "grade",
                RuleRole::Cap => "cap",
                RuleRole::Floor => "floor",
            },
            line: line(policy, rule.span),
            not_assessed: rule.not_assessed,
        });
        Explanation {
            resolve: policy.judgements[trace.judgement].strategy.name(),
            rules: rules.collect(),
        }
    }
}

#[derive(Serialize)]
struct RuleExplained<'a> {
    because: Option<&'a str>,
    checks: Vec<CheckExplained<'a>>,
    grade: &'a str,
    held: Option<bool>,
    kind: &'static str,
    line: usize,
    not_assessed: bool,
}

#[derive(Serialize)]
struct CheckExplained<'a> {
    condition: &'a str,
    depth: usize,
    held: Option<bool>,
    /// By operand, sorted as a JSON object's keys are; an operand read
    /// twice is written once, with its last value.
    values: BTreeMap<&'a str, &'a str>,
}

impl<'a> CheckExplained<'a> {
    fn new(check: &'a crate::eval::Check) -> Self {
        let mut values = BTreeMap::new();
        values.extend(check.values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        CheckExplained {
            condition: &check.text,
            depth: check.depth,
            held: check.held,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    /// The document written to a stream is the document as a value,
    /// written: the same keys, in the same (sorted) order, with the
    /// sections named as other reports name them.
    #[test]
    fn written_as_its_value_is() {
        let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
        let policy = crate::check::compile(&Source::new("hmic.insp", text))
            .ok()
            .unwrap();
        for evidence in [
            "examples/norfolk-2014.json",
            "examples/kingsley-illtyped-2014.json",
        ] {
            for explain in [false, true] {
                let assessment = crate::eval::assess_file(&policy, evidence, explain);
                let written = one_line(&policy, &assessment, &Additions::default());
                let value = render(&policy, &assessment);
                assert_eq!(written, format!("{value}\n"));
                for kind in [JudgementKind::Question, JudgementKind::Judgement] {
                    assert!(value.get(super::super::section(kind)).is_some());
                }
            }
        }
    }
}
