//! `insp diff OLD NEW [EVIDENCE...]`: what a new version of the criteria
//! changes — for the organisations graded, or over all possible evidence.

use super::output::{print_diagnostics, print_stdout};
use super::{DiffFormat, ExitStatus, Limits, load_policy};
use insp::decide::diff::{Difference, differences};
use insp::decide::{Comparison, compare_versions};
use insp::report::check::write_witnesses;
use insp::{Policy, assess_file_within, report};
use std::path::Path;
use std::time::Duration;

/// How `diff` reports.
pub struct Options<'a> {
    pub format: DiffFormat,
    /// Without evidence: where to write the witnesses, if anywhere.
    pub witness_dir: Option<&'a Path>,
    /// Without evidence: the comparison's time budget per judgement.
    pub budget: Duration,
}

pub fn run(
    (old, new): (&str, &str),
    evidence: &[String],
    options: Options,
    limits: Limits,
) -> ExitStatus {
    let (old_policy, new_policy) = match (load(old, limits), load(new, limits)) {
        (Some(old), Some(new)) => (old, new),
        _ => return ExitStatus::Invalid,
    };
    match evidence.is_empty() {
        true => over_all_evidence((&old_policy, &new_policy), new, &options),
        false => on_evidence((&old_policy, &new_policy), evidence, options.format, limits),
    }
}

/// Both versions grade each file; the grades that differ are listed.
fn on_evidence(
    (old, new): (&Policy, &Policy),
    evidence: &[String],
    format: DiffFormat,
    limits: Limits,
) -> ExitStatus {
    let mut found: Vec<Difference> = Vec::new();
    let (mut unreadable, mut compared) = (false, 0);
    for path in evidence {
        let before = assess_file_within(old, path, false, limits.1);
        let after = assess_file_within(new, path, false, limits.1);
        if before.grading.is_none() && after.grading.is_none() {
            // Bad in both versions: an input problem, not a difference.
            print_diagnostics(&after.diagnostics);
            unreadable = true;
            continue;
        }
        compared += 1;
        found.extend(differences((old, &before), (new, &after)));
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

/// The versions compared over all possible evidence: exit 0 only when they
/// are proven to agree.
fn over_all_evidence(
    (old, new): (&Policy, &Policy),
    new_path: &str,
    options: &Options,
) -> ExitStatus {
    let comparison = match compare_versions(old, new, options.budget) {
        Ok(comparison) => comparison,
        Err(diagnostic) => {
            print_diagnostics(&[diagnostic]);
            return ExitStatus::Invalid;
        }
    };
    if let Some(dir) = options.witness_dir
        && let Err(diagnostic) = write_witnesses(dir, new_path, witnesses(&comparison))
    {
        print_diagnostics(&[diagnostic]);
        return ExitStatus::Invalid;
    }
    print_stdout(&match options.format {
        DiffFormat::Json => format!("{}\n", report::decide::versions_json(old, &comparison)),
        DiffFormat::Markdown => report::decide::versions_markdown(old, &comparison),
        DiffFormat::Csv => report::decide::versions_csv(old, &comparison),
        DiffFormat::Text => report::decide::versions_text(old, &comparison),
    });
    match comparison.agree() {
        true => ExitStatus::Ok,
        false => ExitStatus::Failed,
    }
}

fn witnesses(comparison: &Comparison) -> impl Iterator<Item = &insp::Witness> {
    comparison
        .judgements
        .iter()
        .flat_map(|j| j.regions())
        .map(|region| &region.witness)
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
