//! Renderers for assessments: `text` for people, `json` for tools, `table`
//! (CSV, Markdown) for spreadsheets and written reports, `html` for a page
//! to share, and `summary` across organisations.

pub mod cases;
pub mod check;
pub mod decide;
pub mod html;
pub mod json;
mod render;
mod rows;
pub mod summary;
pub mod table;
mod terminal;
pub mod text;

pub use render::{render_diagnostic, render_diagnostic_with};
pub use terminal::escape_controls;

use crate::eval::{Decision, Graded, Limit, Outcome};
use crate::policy::JudgementKind;
use crate::policy::Policy;
use std::cmp::Ordering;

/// Where a judgement is listed in a report.
pub fn section(kind: JudgementKind) -> &'static str {
    match kind {
        JudgementKind::Question => "questions",
        JudgementKind::Judgement => "judgements",
        JudgementKind::Overall => "overall",
    }
}

/// The reason given by the rule (or `otherwise`) that decided a grade, and
/// those given by each cap and floor that changed it.
pub fn reasons(
    policy: &Policy,
    judgement: usize,
    graded: &Graded,
) -> (Option<String>, Vec<String>) {
    let decided = decided_because(policy, judgement, graded).map(String::from);
    let limited = graded
        .limited_by
        .iter()
        .filter_map(|&limit| limit_rule(policy, judgement, limit).because.clone())
        .collect();
    (decided, limited)
}

/// The reason given by the rule (or `otherwise`) that decided a grade.
pub fn decided_because<'a>(
    policy: &'a Policy,
    judgement: usize,
    graded: &Graded,
) -> Option<&'a str> {
    let j = &policy.judgements[judgement];
    match graded.decided_by {
        Decision::Rule(index) => j.rules[index].because.as_deref(),
        Decision::Otherwise => j.otherwise.as_ref().and_then(|o| o.because.as_deref()),
    }
}

/// The cap or floor a limit refers to.
pub fn limit_rule(policy: &Policy, judgement: usize, limit: Limit) -> &crate::policy::Rule {
    let j = &policy.judgements[judgement];
    match limit {
        Limit::Cap(index) => &j.caps[index],
        Limit::Floor(index) => &j.floors[index],
    }
}

/// A short status for a judgement that was not graded.
pub fn not_graded(policy: &Policy, outcome: &Outcome) -> Option<String> {
    Some(match outcome {
        Outcome::Graded(_) => return None,
        Outcome::Failed(failure) => format!("not graded: {}", failure.summary()),
        Outcome::NotAssessed => "not assessed".to_string(),
        Outcome::Blocked { by } => {
            format!("not graded: `{}` was not graded", policy.judgements[*by].id)
        }
    })
}

/// A limit as reports name it: `at most good (line 61)`.
pub fn limit_words(policy: &Policy, judgement: usize, limit: Limit) -> String {
    let rule = limit_rule(policy, judgement, limit);
    let bound = match limit {
        Limit::Cap(_) => "at most",
        Limit::Floor(_) => "at least",
    };
    let (line, _) = policy.source.line_col(rule.span.start);
    format!("{bound} {} (line {line})", rule.target(&policy.grades))
}

/// A grade with what changed it, in words: `good (capped from
/// outstanding)`, and a recorded departure from the grade by the rules.
pub fn grade_words(policy: &Policy, graded: &Graded) -> String {
    let grade = policy.grades.words(graded.grade);
    let given = graded
        .departure
        .as_ref()
        .map_or(graded.resolved, |d| d.grade);
    let from = policy.grades.words(given);
    let limited = match graded.grade.cmp(&given) {
        Ordering::Less => format!("{grade} (capped from {from})"),
        Ordering::Greater => format!("{grade} (raised from {from})"),
        Ordering::Equal => grade,
    };
    match &graded.departure {
        Some(_) => format!(
            "{limited} — a recorded departure from {} by the rules",
            policy.grades.words(graded.resolved)
        ),
        None => limited,
    }
}
