//! `insp diff OLD NEW EVIDENCE...`: what a new version of the criteria
//! changes for the organisations graded.

use super::output::{print_diagnostics, print_stdout};
use super::{DiffFormat, ExitStatus, Limits, load_policy};
use insp::decide::diff::{Difference, differences};
use insp::{Policy, assess_file_within, report};

pub fn run(
    old: &str,
    new: &str,
    evidence: &[String],
    format: DiffFormat,
    limits: Limits,
) -> ExitStatus {
    let (old_policy, new_policy) = match (load(old, limits), load(new, limits)) {
        (Some(old), Some(new)) => (old, new),
        _ => return ExitStatus::Invalid,
    };
    let mut found: Vec<Difference> = Vec::new();
    let (mut unreadable, mut compared) = (false, 0);
    for path in evidence {
        let before = assess_file_within(&old_policy, path, false, limits.1);
        let after = assess_file_within(&new_policy, path, false, limits.1);
        if before.grading.is_none() && after.grading.is_none() {
            // Bad in both versions: an input problem, not a difference.
            print_diagnostics(&after.diagnostics);
            unreadable = true;
            continue;
        }
        compared += 1;
        found.extend(differences((&old_policy, &before), (&new_policy, &after)));
    }
    print_stdout(&match format {
        DiffFormat::Json => format!("{}\n", report::decide::diff_json(&found)),
        DiffFormat::Markdown => report::decide::diff_markdown(&found),
        DiffFormat::Csv => report::decide::diff_csv(&found),
        DiffFormat::Text => report::decide::diff_text(&found, compared),
    });
    match (unreadable, found.is_empty()) {
        (true, _) => ExitStatus::Invalid,
        (false, true) => ExitStatus::Ok,
        (false, false) => ExitStatus::Failed,
    }
}

/// A policy, or its diagnostics printed and `None`.
fn load(path: &str, limits: Limits) -> Option<Policy> {
    match load_policy(path, limits) {
        Ok(policy) => Some(policy),
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            None
        }
    }
}
