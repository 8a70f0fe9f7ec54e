//! Diagnostics for evidence that could not be graded: conflicts, no rule
//! holding, a floor above a cap, and arithmetic errors. Each shows the rules
//! in the policy and the evidence values that made them hold.

use super::{EvalError, EvalErrorKind, Failure, HelperFailure};
use crate::diagnostics::{Code, Diagnostic};
use crate::evidence::Evidence;
use crate::policy::{Expr, Policy, Rule, collect_reads, visit};

/// What went wrong in a calculation, in words.
pub(crate) fn error_words(policy: &Policy, kind: &EvalErrorKind) -> String {
    match kind {
        EvalErrorKind::DivisionByZero => "division by zero".to_string(),
        EvalErrorKind::Overflow => "a number too large to hold exactly".to_string(),
        EvalErrorKind::Script(failure) => format!(
            "helper `{}` failed: {}",
            helper_name(policy, failure),
            failure.error.message
        ),
    }
}

fn helper_name<'p>(policy: &'p Policy, failure: &HelperFailure) -> &'p str {
    policy
        .scripts
        .as_ref()
        .map_or("?", |s| s.helpers[failure.helper].name.as_str())
}

fn eval_error(
    policy: &Policy,
    evidence: &Evidence,
    judgement: usize,
    error: &EvalError,
) -> Diagnostic {
    let j = &policy.judgements[judgement];
    let source = &policy.source;
    let reads = reads_at(policy, error.span);
    let values = evidence_note_for_slots(policy, evidence, &reads, "the evidence it read");
    let words = error_words(policy, &error.kind);
    let EvalErrorKind::Script(failure) = &error.kind else {
        return Diagnostic::error(Code::Arithmetic, format!("`{}` cannot be graded: {words} in `{}`", j.id, policy.text_of(error.span)))
            .in_source(source)
            .primary(error.span, words)
            .help("guard the calculation, e.g. `crime.national_rate > 0 and crime.rate / crime.national_rate < 0.85`, or correct the evidence")
            .with_related(values);
    };
    let help = match failure.error.limit {
        Some(flag) => format!(
            "the sandbox stopped the helper; correct it, or if it really needs more, raise the limit with `{flag}`"
        ),
        None => "correct the helper, or guard the call in the policy".to_string(),
    };
    let call = Diagnostic::advice(format!(
        "called while grading `{}`, with {}",
        j.id,
        if failure.args.is_empty() {
            "no arguments".to_string()
        } else {
            failure.args.join(", ")
        }
    ))
    .in_source(source)
    .primary(error.span, "this call");
    let message = format!("`{}` cannot be graded: {words}", j.id);
    let diagnostic = match (&failure.error.at, &policy.scripts) {
        (Some((script, span)), Some(scripts)) => Diagnostic::error(Code::ScriptRuntime, message)
            .in_source(&scripts.sources[*script].source)
            .primary(*span, "failed here")
            .with_related(call),
        _ => Diagnostic::error(Code::ScriptRuntime, message)
            .in_source(source)
            .primary(
                error.span,
                format!("called with {}", failure.args.join(", ")),
            ),
    };
    diagnostic.help(help).with_related(values)
}

/// The diagnostic for a judgement that failed on this evidence.
pub fn diagnose(
    policy: &Policy,
    evidence: &Evidence,
    judgement: usize,
    failure: &Failure,
) -> Diagnostic {
    let j = &policy.judgements[judgement];
    let grade = |rank: u8| policy.grades.name(rank).to_string();
    let source = &policy.source;
    match failure {
        Failure::Conflict { rules } => {
            let held: Vec<&Rule> = rules.iter().map(|&r| &j.rules[r]).collect();
            let grades: Vec<String> = held.iter().map(|r| grade(r.grade)).collect();
            let count = match grades.len() {
                2 => "two".to_string(),
                3 => "three".to_string(),
                n => n.to_string(),
            };
            let mut diagnostic = Diagnostic::error(
                Code::Conflict,
                format!(
                    "`{}` meets the criteria of {count} grades: {}",
                    j.id,
                    in_words(&grades)
                ),
            )
            .in_source(source);
            for (i, rule) in held.iter().enumerate() {
                diagnostic = match i {
                    0 => {
                        diagnostic.primary(rule.span, format!("this rule for {} holds", grades[i]))
                    }
                    _ => diagnostic.label(
                        rule.span,
                        format!("and this rule for {} holds too", grades[i]),
                    ),
                };
            }
            diagnostic = diagnostic
                .label(j.span, "resolved `unique`: only one grade's criteria may hold")
                .help(format!(
                    "{}, or say how to choose: \
                     `resolve highest` (the best grade whose criteria hold), `resolve lowest`, or `resolve first` (written order)",
                    if held.len() == 2 {
                        "tighten one of the criteria so that both cannot hold"
                    } else {
                        "tighten the criteria so that they cannot hold together"
                    }
                ));
            // The values behind each rule, one note a rule: what made *each* hold.
            for (rule, grade) in held.iter().zip(&grades) {
                let note = format!("the evidence that made the rule for {grade} hold");
                diagnostic =
                    diagnostic.with_related(evidence_note(policy, evidence, &[rule], &note));
            }
            diagnostic
        }
        Failure::NoRule => {
            let mut diagnostic = Diagnostic::error(
                Code::NoRule,
                format!(
                    "no rule for `{}` holds for this evidence, and it has no `otherwise`",
                    j.id
                ),
            )
            .in_source(source)
            .primary(j.span, "cannot be graded");
            for rule in &j.rules {
                diagnostic =
                    diagnostic.label(rule.span, format!("{} does not hold", grade(rule.grade)));
            }
            let rules: Vec<&Rule> = j.rules.iter().collect();
            diagnostic
                .help("widen a rule so that this evidence meets it, or add `otherwise GRADE` for evidence no rule covers")
                .with_related(evidence_note(policy, evidence, &rules, "the evidence the rules read"))
        }
        Failure::CapFloor { cap, floor } => {
            let (c, f) = (&j.caps[*cap], &j.floors[*floor]);
            Diagnostic::error(
                Code::CapFloorConflict,
                format!("`{}` is limited to at most {} and at least {} at once", j.id, grade(c.grade), grade(f.grade)),
            )
            .in_source(source)
            .primary(f.span, format!("this floor raises it to at least {}", grade(f.grade)))
            .label(c.span, format!("but this cap holds it to at most {}", grade(c.grade)))
            .help("a floor above a cap cannot both apply; narrow one of their conditions so that they exclude each other")
            .with_related(evidence_note(policy, evidence, &[c, f], "the evidence that made both limits apply"))
        }
        Failure::Eval(error) => eval_error(policy, evidence, judgement, error),
    }
}

/// A list in words: "a", "a and b", "a, b and c".
fn in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The evidence slots read under the expression at `span` (in a rule or a let).
fn reads_at(policy: &Policy, span: crate::source::Span) -> Vec<usize> {
    let mut found: Option<&Expr> = None;
    for root in policy.expressions() {
        visit(root, &mut |node| {
            if node.span == span && found.is_none() {
                found = Some(node);
            }
        });
    }
    let mut reads = Vec::new();
    if let Some(node) = found {
        collect_reads(node, &policy.lets, &mut reads);
    }
    reads
}

fn evidence_note(policy: &Policy, evidence: &Evidence, rules: &[&Rule], title: &str) -> Diagnostic {
    let mut slots: Vec<usize> = rules.iter().flat_map(|r| r.reads.iter().copied()).collect();
    slots.sort_unstable();
    slots.dedup();
    evidence_note_for_slots(policy, evidence, &slots, title)
}

/// A note in the evidence file labelling each value read; defaults, which
/// have no place in the file, are listed in the message.
fn evidence_note_for_slots(
    policy: &Policy,
    evidence: &Evidence,
    slots: &[usize],
    title: &str,
) -> Diagnostic {
    let mut defaults = Vec::new();
    let mut note = Diagnostic::advice(title).in_source(&evidence.source);
    for &slot in slots {
        let field = &policy.fields[slot];
        let value = match evidence.text(slot) {
            Some(text) => format!("{text:?}"),
            None => policy.show(evidence.value(slot)),
        };
        match evidence.span(slot) {
            Some(span) => note = note.label(span, format!("{} = {value}", field.path)),
            None => defaults.push(format!("{} = {value}", field.path)),
        }
    }
    if !defaults.is_empty() {
        note.message = format!("{title} (defaults used: {})", defaults.join(", "));
    }
    note
}
