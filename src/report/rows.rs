//! One judgement's result as the tabular reports (CSV, Markdown, HTML,
//! the summary) show it: the grade, the grade before limits, the reason for
//! the grade and each limit that changed it with its own reason, apart.

use super::{grade_words, limit_rule, limit_words, not_graded, reasons};
use crate::eval::{Assessment, Graded, Outcome};
use crate::policy::{JudgementKind, Policy};

/// One judgement's result.
pub(crate) struct Row<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub title: &'a str,
    /// The grade (identifier), empty when not graded.
    pub grade: String,
    /// The grade before caps and floors, empty when not graded.
    pub resolved: String,
    /// The grade with what changed it, in words (`good (capped from
    /// outstanding)`), or why it was not graded.
    pub status_words: String,
    /// `graded`, or why not.
    pub status: String,
    /// The reason of the rule that decided the grade, and a departure's.
    pub because: String,
    /// Each cap or floor that changed the grade, strictest first.
    pub limits: Vec<LimitRow>,
    /// The outcome, for renderers that draw more.
    pub graded: Option<&'a Graded>,
}

/// A cap or floor that changed a grade, and its reason.
pub(crate) struct LimitRow {
    /// `at most good (line 61)`.
    pub words: String,
    pub because: Option<String>,
}

/// Every judgement's row, in policy order.
pub(crate) fn rows<'a>(policy: &'a Policy, assessment: &'a Assessment) -> Vec<Row<'a>> {
    (0..policy.judgements.len())
        .map(|index| row(policy, assessment, index))
        .collect()
}

fn row<'a>(policy: &'a Policy, assessment: &'a Assessment, index: usize) -> Row<'a> {
    let j = &policy.judgements[index];
    let mut row = Row {
        id: &j.id,
        kind: match j.kind {
            JudgementKind::Question => "question",
            JudgementKind::Judgement => "judgement",
            JudgementKind::Overall => "overall",
        },
        title: &j.title,
        grade: String::new(),
        resolved: String::new(),
        status_words: String::new(),
        status: "not graded: the evidence has errors".to_string(),
        because: String::new(),
        limits: Vec::new(),
        graded: None,
    };
    match assessment.grading.as_ref().map(|g| &g.outcomes[index]) {
        Some(Outcome::Graded(graded)) => {
            let (decided, _) = reasons(policy, index, graded);
            let departure = graded
                .departure
                .as_ref()
                .map(|d| format!("departure: {}", d.reason));
            row.because = decided
                .into_iter()
                .chain(departure)
                .collect::<Vec<_>>()
                .join("; ");
            row.grade = policy.grades.name(graded.grade).to_string();
            row.resolved = policy.grades.name(graded.resolved).to_string();
            row.status = "graded".to_string();
            row.status_words = grade_words(policy, graded);
            row.limits = graded
                .limited_by
                .iter()
                .map(|&limit| LimitRow {
                    words: limit_words(policy, index, limit),
                    because: limit_rule(policy, index, limit).because.clone(),
                })
                .collect();
            row.graded = Some(graded);
        }
        Some(other) => row.status = not_graded(policy, other).unwrap_or_default(),
        None => {}
    }
    if row.graded.is_none() {
        row.status_words = row.status.clone();
    }
    row
}

impl LimitRow {
    /// `at most good (line 61): a recommendation is open`.
    pub fn with_reason(&self) -> String {
        match &self.because {
            Some(because) => format!("{}: {because}", self.words),
            None => self.words.clone(),
        }
    }
}
