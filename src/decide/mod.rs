//! Decision tools for methodology teams: what if the evidence changed, how
//! robust a grade is to the margins of error, what would change it, and
//! what a new version of the criteria changes (on evidence files, `diff`;
//! over all possible evidence, `compare_versions`).

pub mod change;
pub mod diff;
pub mod robust;
pub mod what_if;

pub use crate::analysis::versions::{
    Agreement, Compared, Comparison, Region, compare_versions, outcome_name,
};

use crate::policy::Policy;
use std::collections::BTreeSet;

/// The evidence slots a judgement reads, with those of the judgements it
/// reads (its members and any whose grade its rules compare).
pub(crate) fn reads_transitively(policy: &Policy, index: usize) -> BTreeSet<usize> {
    let mut slots = BTreeSet::new();
    let mut pending = vec![index];
    let mut seen = BTreeSet::new();
    while let Some(j) = pending.pop() {
        if !seen.insert(j) {
            continue;
        }
        let judgement = &policy.judgements[j];
        for rule in judgement
            .rules
            .iter()
            .chain(&judgement.caps)
            .chain(&judgement.floors)
        {
            slots.extend(rule.reads.iter().copied());
        }
        pending.extend(judgement.depends_on.iter().copied());
    }
    slots
}
