//! Robustness to the margins of error: whether a grade stays the same for
//! every true value within the intervals of the estimates it reads, decided
//! exactly by the analysis, not by sampling.

use crate::analysis::sensitivity::{Reachable, Sensitivity, grades_within_margins};
use crate::eval::{Grading, Outcome};
use crate::evidence::Evidence;
use crate::policy::{Policy, Value};
use crate::value::Type;

/// How robust one judgement's grade is.
#[derive(Debug, Clone, PartialEq)]
pub struct Robustness {
    /// The judgement's index.
    pub judgement: usize,
    /// The grade it was given.
    pub grade: u8,
    /// The estimates it reads (directly, through lets or other judgements).
    pub estimates: Vec<usize>,
    /// Those estimates as given: `recording.rate 89.5 ± 1.64`.
    pub shown: Vec<String>,
    /// What the analysis found.
    pub verdict: Verdict,
}

/// Whether the grade holds across the margins of error.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The same grade for every value within the intervals.
    Robust,
    /// Other grades too: every grade reachable, with where.
    NotRobust(Vec<Reachable>),
    /// Not decided: why.
    Undecided(String),
}

/// The robustness of every graded judgement that reads estimates.
pub fn robustness(policy: &Policy, evidence: &Evidence, grading: &Grading) -> Vec<Robustness> {
    let analysis = Sensitivity::new(policy);
    let mut out = Vec::new();
    for (index, outcome) in grading.outcomes.iter().enumerate() {
        let Outcome::Graded(graded) = outcome else {
            continue;
        };
        let reads = super::reads_transitively(policy, index);
        let estimates: Vec<usize> = reads
            .iter()
            .copied()
            .filter(|slot| matches!(policy.fields[*slot].ty, Type::Estimate(_)))
            .filter(|slot| evidence.value(*slot) != Value::NotAssessed)
            .collect();
        if estimates.is_empty() {
            continue;
        }
        let not_assessed = reads
            .iter()
            .any(|s| evidence.value(*s) == Value::NotAssessed);
        let verdict = if graded.departure.is_some() {
            Verdict::Undecided("a recorded departure set the grade".to_string())
        } else if not_assessed {
            Verdict::Undecided("it reads evidence that was not assessed".to_string())
        } else {
            match grades_within_margins(&analysis, evidence, index, &estimates) {
                Ok(reachable) if reachable.iter().all(|r| r.grade == graded.grade) => {
                    Verdict::Robust
                }
                Ok(reachable) => Verdict::NotRobust(reachable),
                Err(reason) => Verdict::Undecided(reason),
            }
        };
        let shown = estimates
            .iter()
            .map(|slot| {
                let value = policy.show(evidence.value(*slot));
                format!("{} {value}", policy.fields[*slot].path)
            })
            .collect();
        out.push(Robustness {
            judgement: index,
            grade: graded.grade,
            estimates,
            shown,
            verdict,
        });
    }
    out
}
