//! What a new version of the criteria changes: two policies grade the same
//! evidence files, and every judgement whose grade differs is listed, with
//! the rule that decided it in each version.

use crate::eval::{Assessment, Decision, Outcome};
use crate::policy::Policy;

/// One judgement of one file graded differently by the two versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The evidence file.
    pub evidence: String,
    /// The organisation, if the evidence names it.
    pub subject: Option<String>,
    /// The judgement's id (matched by id across the versions).
    pub judgement: String,
    /// Its outcome in each version, in words: a grade or why not graded.
    pub old: String,
    /// See `old`.
    pub new: String,
    /// What decided it in each version: the rule's source text, `otherwise`.
    pub old_why: String,
    /// See `old_why`.
    pub new_why: String,
}

/// The differences between two versions' assessments of one file.
/// Judgements present in only one version are listed as "absent" in the other.
pub fn differences(old: (&Policy, &Assessment), new: (&Policy, &Assessment)) -> Vec<Difference> {
    let mut ids: Vec<&str> = old.0.judgements.iter().map(|j| j.id.as_str()).collect();
    for j in &new.0.judgements {
        if !ids.contains(&j.id.as_str()) {
            ids.push(&j.id);
        }
    }
    ids.into_iter()
        .filter_map(|id| {
            let (old_grade, old_why) = outcome_words(old.0, old.1, id);
            let (new_grade, new_why) = outcome_words(new.0, new.1, id);
            (old_grade != new_grade).then(|| Difference {
                evidence: new.1.path.clone(),
                subject: new.1.subject.clone().or_else(|| old.1.subject.clone()),
                judgement: id.to_string(),
                old: old_grade,
                new: new_grade,
                old_why,
                new_why,
            })
        })
        .collect()
}

/// A judgement's outcome in words, and what decided it.
fn outcome_words(policy: &Policy, assessment: &Assessment, id: &str) -> (String, String) {
    let Some(index) = policy.judgements.iter().position(|j| j.id == id) else {
        return ("absent".to_string(), "not in this version".to_string());
    };
    let Some(grading) = &assessment.grading else {
        return (
            "not graded".to_string(),
            "the evidence has errors".to_string(),
        );
    };
    let judgement = &policy.judgements[index];
    match &grading.outcomes[index] {
        Outcome::Graded(graded) => {
            let why = match graded.decided_by {
                Decision::Rule(rule) => policy.text_of(judgement.rules[rule].span),
                Decision::Otherwise => "otherwise".to_string(),
            };
            let limited = match graded.limited_by.is_empty() {
                true => String::new(),
                false => " (then capped or floored)".to_string(),
            };
            (policy.grades.words(graded.grade), format!("{why}{limited}"))
        }
        Outcome::Failed(failure) => (format!("not graded: {}", failure.summary()), String::new()),
        Outcome::NotAssessed => ("not assessed".to_string(), String::new()),
        Outcome::Blocked { by } => (
            format!("not graded: `{}` was not", policy.judgements[*by].id),
            String::new(),
        ),
    }
}
