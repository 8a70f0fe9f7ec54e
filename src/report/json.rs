//! The JSON report: one document per evidence file. The schema is in
//! `docs/json.md`.
//!
//! [`JsonReports`] writes each document straight into its text: what the
//! policy gives every document (its name, each judgement's id and title,
//! each rule's reason and line, the grade names) is escaped and laid out
//! once per policy, so a document is mostly copied, not serialised (a
//! batch of 100,000 organisations spent a third of its time escaping the
//! same strings again). Only what differs by evidence file is escaped per
//! document. Keys are written in alphabetical order, the order a
//! `serde_json::Value` (a sorted map) writes them, so that [`render`], the
//! document read back as a value, writes the same text.

use super::not_graded;
use crate::eval::{Assessment, Decision, Graded, JudgementTrace, Limit, Outcome, RuleRole};
use crate::policy::{JudgementKind, Policy, Rule};
use crate::source::Span;
use serde::Serialize;
use serde_json::Value as Json;
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
    let line = JsonReports::new(policy).one_line(assessment, &Additions::default());
    serde_json::from_str(&line).expect("a report is JSON")
}

/// A policy's JSON documents, with the policy's part of each prepared once.
pub struct JsonReports<'p> {
    policy: &'p Policy,
    /// `"policy":…,"policy_file":…`
    names: String,
    /// Each grade's name, as a JSON string.
    grades: Vec<String>,
    judgements: Vec<JudgementParts>,
}

/// One judgement's part of every document, as JSON text.
struct JudgementParts {
    /// `"id":…,`
    id: String,
    /// `"title":…}`, which ends the entry.
    title: String,
    /// Per rule, its `decided_by` object.
    rules: Vec<String>,
    /// The `otherwise` rule's `decided_by` object.
    otherwise: String,
    /// Per cap, then per floor, its `limited_by` object.
    caps: Vec<String>,
    floors: Vec<String>,
}

impl<'p> JsonReports<'p> {
    /// Lays out the policy's part of every document.
    pub fn new(policy: &'p Policy) -> Self {
        let mut names = Out::new("\"policy\":");
        names.json(&policy.name);
        names.push_str(",\"policy_file\":");
        names.json(policy.source.name());
        JsonReports {
            policy,
            names: names.into_string(),
            grades: quoted_grades(policy),
            judgements: (0..policy.judgements.len())
                .map(|index| JudgementParts::new(policy, index))
                .collect(),
        }
    }

    /// One evidence file's document, with what the decision tools add,
    /// on one line (newline included).
    pub fn one_line(&self, assessment: &Assessment, additions: &Additions) -> String {
        let mut out = Out(Vec::with_capacity(2048));
        out.push_str("{\"defaults_used\":");
        out.json(&assessment.defaults_used);
        out.push_str(",\"diagnostics\":[");
        for (n, diagnostic) in assessment.diagnostics.iter().enumerate() {
            comma(&mut out, n);
            out.json(&diagnostic.to_json());
        }
        out.push_str("],\"evidence\":");
        out.json(&assessment.path);
        out.push_str(",\"graded\":");
        out.push_str(if assessment.is_graded() {
            "true"
        } else {
            "false"
        });
        out.push_str(",\"judgements\":");
        self.section(&mut out, assessment, JudgementKind::Judgement);
        out.push_str(",\"not_assessed\":");
        out.json(&assessment.not_assessed);
        out.push_str(",\"organisation\":");
        out.json(&assessment.subject);
        out.push_str(",\"overall\":");
        match self.of_kind(JudgementKind::Overall).next() {
            Some(index) => self.judgement(&mut out, assessment, index),
            None => out.push_str("null"),
        }
        out.push(',');
        out.push_str(&self.names);
        out.push_str(",\"questions\":");
        self.section(&mut out, assessment, JudgementKind::Question);
        for (key, addition) in [
            ("robustness", &additions.robustness),
            ("what_if", &additions.what_if),
            ("would_change", &additions.would_change),
        ] {
            if let Some(value) = addition {
                out.push_str(",\"");
                out.push_str(key);
                out.push_str("\":");
                out.json(value);
            }
        }
        out.push_str("}\n");
        out.into_string()
    }

    fn of_kind(&self, kind: JudgementKind) -> impl Iterator<Item = usize> + 'p {
        let judgements = &self.policy.judgements;
        (0..judgements.len()).filter(move |&index| judgements[index].kind == kind)
    }

    /// The entries of the judgements of one kind, as a list.
    fn section(&self, out: &mut Out, assessment: &Assessment, kind: JudgementKind) {
        out.push('[');
        for (n, index) in self.of_kind(kind).enumerate() {
            comma(out, n);
            self.judgement(out, assessment, index);
        }
        out.push(']');
    }

    /// One judgement's entry. Those not graded have no `decided_by`,
    /// `departure`, `limited_by` nor `resolved_grade` (absent, not null).
    fn judgement(&self, out: &mut Out, assessment: &Assessment, index: usize) {
        let parts = &self.judgements[index];
        out.push('{');
        let outcome = assessment.grading.as_ref().map(|g| &g.outcomes[index]);
        let graded = match outcome {
            Some(Outcome::Graded(graded)) => Some(graded),
            _ => None,
        };
        if let Some(graded) = graded {
            self.decision(out, parts, graded);
        }
        let trace = (assessment.traces.as_ref())
            .and_then(|traces| traces.iter().find(|t| t.judgement == index));
        if let Some(trace) = trace {
            out.push_str("\"explanation\":");
            out.json(&Explanation::new(self.policy, trace));
            out.push(',');
        }
        out.push_str("\"grade\":");
        match graded {
            Some(graded) => out.push_str(&self.grades[usize::from(graded.grade)]),
            None => out.push_str("null"),
        }
        out.push(',');
        out.push_str(&parts.id);
        if let Some(graded) = graded {
            out.push_str("\"limited_by\":[");
            for (n, limit) in graded.limited_by.iter().enumerate() {
                comma(out, n);
                out.push_str(match *limit {
                    Limit::Cap(cap) => &parts.caps[cap],
                    Limit::Floor(floor) => &parts.floors[floor],
                });
            }
            out.push_str("],\"resolved_grade\":");
            out.push_str(&self.grades[usize::from(graded.resolved)]);
            out.push(',');
        }
        out.push_str("\"status\":");
        match outcome {
            Some(Outcome::Graded(_)) => out.push_str("\"graded\""),
            Some(other) => out.json(&not_graded(self.policy, other)),
            None => out.push_str("\"not graded: the evidence has errors\""),
        }
        out.push(',');
        out.push_str(&parts.title);
    }

    /// `decided_by` and `departure`, the keys of a graded entry that come
    /// before `explanation`.
    fn decision(&self, out: &mut Out, parts: &JudgementParts, graded: &Graded) {
        out.push_str("\"decided_by\":");
        out.push_str(match graded.decided_by {
            Decision::Rule(rule) => &parts.rules[rule],
            Decision::Otherwise => &parts.otherwise,
        });
        out.push_str(",\"departure\":");
        match &graded.departure {
            Some(departure) => {
                out.push_str("{\"approved_by\":");
                out.json(&departure.approved_by);
                out.push_str(",\"grade\":");
                out.push_str(&self.grades[usize::from(departure.grade)]);
                out.push_str(",\"reason\":");
                out.json(&departure.reason);
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push(',');
    }
}

impl JudgementParts {
    fn new(policy: &Policy, index: usize) -> Self {
        let j = &policy.judgements[index];
        let decided_by = |because: Option<&str>, line: Option<usize>, rule: &str| {
            let mut text = Out::new("{\"because\":");
            text.json(&because);
            if let Some(line) = line {
                text.push_str(&format!(",\"line\":{line}"));
            }
            text.push_str(&format!(",\"rule\":\"{rule}\"}}"));
            text.into_string()
        };
        let limited_by = |rule: &Rule, kind: &str| {
            let mut text = Out::new("{\"because\":");
            text.json(&rule.because);
            text.push_str(&format!(
                ",\"line\":{},\"rule\":\"{kind}\",\"to\":",
                line(policy, rule.span)
            ));
            text.json(&rule.target(&policy.grades));
            text.push('}');
            text.into_string()
        };
        let otherwise = j.otherwise.as_ref().and_then(|o| o.because.as_deref());
        JudgementParts {
            id: format!("\"id\":{},", quoted(&j.id)),
            title: format!("\"title\":{}}}", quoted(&j.title)),
            rules: (j.rules.iter())
                .map(|rule| {
                    decided_by(
                        rule.because.as_deref(),
                        Some(line(policy, rule.span)),
                        "grade",
                    )
                })
                .collect(),
            otherwise: decided_by(otherwise, None, "otherwise"),
            caps: j.caps.iter().map(|cap| limited_by(cap, "cap")).collect(),
            floors: j
                .floors
                .iter()
                .map(|floor| limited_by(floor, "floor"))
                .collect(),
        }
    }
}

/// The line a rule starts on, from its span.
fn line(policy: &Policy, span: Span) -> usize {
    policy.source.line_col(span.start).0
}

fn comma(out: &mut Out, n: usize) {
    if n > 0 {
        out.push(',');
    }
}

/// Each grade's name (by rank) as a JSON string.
pub(super) fn quoted_grades(policy: &Policy) -> Vec<String> {
    (0..policy.grades.names.len())
        .map(|rank| quoted(policy.grades.name(rank as u8)))
        .collect()
}

/// A text as a JSON string.
pub(super) fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string is JSON")
}

/// A document, or a part of one, as it is written.
struct Out(Vec<u8>);

impl Out {
    fn new(start: &str) -> Self {
        Out(start.as_bytes().to_vec())
    }

    fn push_str(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    /// Appends a value as serde writes JSON.
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) {
        // Serialising plain values (string keys, no floats) into memory cannot fail.
        serde_json::to_writer(&mut self.0, value).expect("a report is plain JSON");
    }

    fn into_string(self) -> String {
        String::from_utf8(self.0).expect("JSON written from text is text")
    }
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

    /// The document as written is its value written again: its keys in
    /// the order a value sorts them, none twice, escaped as serde escapes,
    /// with the sections named as other reports name them.
    /// The document as written is its value written again: its keys in
    /// the order a value sorts them, none twice, escaped as serde escapes,
    /// with the sections named as other reports name them. Over grades
    /// decided by rules and by `otherwise`, caps and floors, a departure,
    /// errors, and judgements not assessed or blocked.
    #[test]
    fn written_as_its_value_is() {
        let departed = r#"{"provider": "Fern\"lea", "key": {"safe": "good", "caring": "good"}, "score": 3,
            "departures": {"overall": {"grade": "requires_improvement", "reason": "improving\nfast"}}}"#;
        let cases = [
            (
                "policies/hmic-crime-2014.insp",
                "examples/norfolk-2014.json",
            ),
            (
                "policies/hmic-crime-2014.insp",
                "examples/northmoor-2014.json",
            ),
            (
                "policies/hmic-crime-2014.insp",
                "examples/kingsley-illtyped-2014.json",
            ),
            (
                "policies/cqc-asc-2022.insp",
                "examples/cqc-harbour-view.json",
            ),
            ("policies/peel-2021.insp", "examples/peel-2021-durham.json"),
            ("tests/ui/departure_not_applied/policy.insp", departed),
            (
                "tests/ui/departure_not_applied/policy.insp",
                "{\"provider\": \"A\", \"score\": 2, \"key\": {\"safe\": \"good\"}}",
            ),
        ];
        for (policy, evidence) in cases {
            let policy = crate::check::compile_file(policy);
            let source = match std::fs::read_to_string(evidence) {
                Ok(text) => Source::new(evidence, text),
                Err(_) => Source::new("inline.json", evidence.to_string()),
            };
            for explain in [false, true] {
                let assessment = crate::eval::assess(&policy, &source, explain);
                let written =
                    JsonReports::new(&policy).one_line(&assessment, &Additions::default());
                let value = render(&policy, &assessment);
                assert_eq!(written, format!("{value}\n"));
                for kind in [JudgementKind::Question, JudgementKind::Judgement] {
                    assert!(value.get(super::super::section(kind)).is_some());
                }
            }
        }
    }
}
