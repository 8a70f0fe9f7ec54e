//! The text report: the organisation, each judgement and its grade, and with
//! `--explain` every rule with its values.

use super::{grade_words, limit_words, not_graded, reasons};
use crate::eval::{Assessment, Decision, Graded, JudgementTrace, Outcome, RuleRole, RuleTrace};
use crate::policy::Policy;
use crate::policy::{JudgementKind, Strategy};
use std::fmt::Write;

/// Renders one assessment (without its diagnostics, which are rendered
/// apart), with control and bidirectional characters of titles and
/// evidence text escaped for the terminal.
pub fn render(policy: &Policy, assessment: &Assessment) -> String {
    render_marked(policy, assessment, &|_| None)
}

/// `render`, with a short marker after a judgement's grade where `marks`
/// gives one (by judgement index): `[not robust]`.
pub fn render_marked(
    policy: &Policy,
    assessment: &Assessment,
    marks: &dyn Fn(usize) -> Option<String>,
) -> String {
    let out = report(policy, assessment, marks);
    super::terminal::escape_controls(&out).into_owned()
}

fn report(
    policy: &Policy,
    assessment: &Assessment,
    marks: &dyn Fn(usize) -> Option<String>,
) -> String {
    let mut out = String::new();
    match &assessment.subject {
        Some(subject) => writeln!(out, "{subject} — {}", assessment.path),
        None => writeln!(out, "{}", assessment.path),
    }
    .unwrap_or_default();
    if !policy.name.is_empty() {
        let _ = writeln!(out, "policy: {}", policy.name);
    }
    let Some(grading) = &assessment.grading else {
        let _ = writeln!(out, "  not graded: the evidence has errors (see below)");
        return out;
    };
    let width = policy
        .judgements
        .iter()
        .map(|j| j.id.len())
        .max()
        .unwrap_or(0);
    for (index, judgement) in policy.judgements.iter().enumerate() {
        let outcome = &grading.outcomes[index];
        let mut status = match outcome {
            Outcome::Graded(graded) => grade_words(policy, graded),
            other => not_graded(policy, other).unwrap_or_default(),
        };
        if let Some(mark) = marks(index) {
            let _ = write!(status, "  [{mark}]");
        }
        let _ = writeln!(out, "\n  {:width$}  {status}", judgement.id);
        let _ = writeln!(out, "  {:width$}  {}", "", judgement.title);
        if let Outcome::Graded(graded) = outcome {
            write_reasons(&mut out, policy, index, graded, width);
        }
        let trace = assessment
            .traces
            .as_ref()
            .and_then(|t| t.iter().find(|t| t.judgement == index));
        if let Some(trace) = trace {
            write_trace(&mut out, policy, trace, outcome);
        }
    }
    if !policy
        .judgements
        .iter()
        .any(|j| j.kind == JudgementKind::Overall)
    {
        let _ = writeln!(
            out,
            "\n  overall: none — this policy gives no overall judgement"
        );
    }
    for (what, fields) in [
        ("defaults used for", &assessment.defaults_used),
        ("not assessed", &assessment.not_assessed),
    ] {
        if !fields.is_empty() {
            let _ = writeln!(out, "\n  {what}: {}", fields.join(", "));
        }
    }
    out
}

fn write_reasons(out: &mut String, policy: &Policy, index: usize, graded: &Graded, width: usize) {
    let (decided, _) = reasons(policy, index, graded);
    if let Some(reason) = decided {
        let _ = writeln!(out, "  {:width$}  because {reason}", "");
    }
    for &limit in &graded.limited_by {
        let words = limit_words(policy, index, limit);
        let _ = match &super::limit_rule(policy, index, limit).because {
            Some(reason) => writeln!(out, "  {:width$}  {words}, because {reason}", ""),
            None => writeln!(out, "  {:width$}  {words}", ""),
        };
    }
    if let Some(departure) = &graded.departure {
        let _ = writeln!(
            out,
            "  {:width$}  departure recorded: {}",
            "", departure.reason
        );
        if let Some(who) = &departure.approved_by {
            let _ = writeln!(out, "  {:width$}  approved by {who}", "");
        }
    }
}

/// The `--explain` trace of one judgement, if it was traced.
pub fn trace_of(policy: &Policy, assessment: &Assessment, judgement: usize) -> Option<String> {
    let trace = assessment
        .traces
        .as_ref()?
        .iter()
        .find(|t| t.judgement == judgement)?;
    let outcome = &assessment.grading.as_ref()?.outcomes[judgement];
    let mut out = String::new();
    write_trace(&mut out, policy, trace, outcome);
    Some(out)
}

fn write_trace(out: &mut String, policy: &Policy, trace: &JudgementTrace, outcome: &Outcome) {
    let judgement = &policy.judgements[trace.judgement];
    let _ = writeln!(
        out,
        "    resolve {}: {}",
        judgement.strategy.name(),
        strategy_words(judgement.strategy)
    );
    for rule in &trace.rules {
        write_rule(out, policy, rule);
    }
    if let Some(otherwise) = &judgement.otherwise {
        let used = matches!(
            outcome,
            Outcome::Graded(Graded {
                decided_by: Decision::Otherwise,
                ..
            })
        );
        let mark = if used { "✓" } else { "·" };
        let (line, _) = policy.source.line_col(otherwise.span.start);
        let _ = writeln!(
            out,
            "    {mark} otherwise {}  (line {line}){}",
            policy.grades.name(otherwise.grade),
            if used { " — no rule held" } else { "" }
        );
        if let Some(because) = &otherwise.because {
            let _ = writeln!(out, "        because {because}");
        }
    }
    if let Outcome::Graded(graded) = outcome {
        let _ = writeln!(out, "    → {}", grade_words(policy, graded));
    }
}

fn write_rule(out: &mut String, policy: &Policy, rule: &RuleTrace) {
    let grade = policy.grades.name(rule.grade);
    let head = match rule.role {
        RuleRole::Grade => format!("{grade} when"),
        RuleRole::Cap => format!("at most {} when", rule.target),
        RuleRole::Floor => format!("at least {} when", rule.target),
    };
    let head = match head.strip_suffix(" when") {
        Some(limit) if rule.always => limit.to_string(),
        _ => format!("{head} …"),
    };
    let verdict = match (rule.role, rule.held) {
        (_, None) => "could not be evaluated",
        (RuleRole::Grade, _) if rule.not_assessed => {
            "does not hold: it reads evidence that was not assessed"
        }
        (_, _) if rule.not_assessed => "does not apply: it reads evidence that was not assessed",
        (RuleRole::Grade, Some(true)) => "holds",
        (RuleRole::Grade, Some(false)) => "does not hold",
        (_, Some(true)) => "applies",
        (_, Some(false)) => "does not apply",
    };
    let (line, _) = policy.source.line_col(rule.span.start);
    let _ = writeln!(
        out,
        "    {} {head}  (line {line}) — {verdict}",
        mark(rule.held)
    );
    for check in &rule.checks {
        let indent = "  ".repeat(check.depth);
        let values: Vec<String> = check
            .values
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        let values = if values.is_empty() {
            String::new()
        } else {
            format!("   [{}]", values.join(", "))
        };
        let _ = writeln!(
            out,
            "        {indent}{} {}{values}",
            mark(check.held),
            check.text
        );
    }
    if let Some(because) = &rule.because {
        let _ = writeln!(out, "        because {because}");
    }
}

fn mark(held: Option<bool>) -> &'static str {
    match held {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "!",
    }
}

fn strategy_words(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Unique => "the criteria of only one grade may hold",
        Strategy::First => "the first rule that holds, in written order",
        Strategy::Highest => "the best grade whose criteria hold",
        Strategy::Lowest => "the lowest grade whose criteria hold",
    }
}
