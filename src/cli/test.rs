//! `insp test`: run a policy's cases and report rule coverage.

use super::output::{print_diagnostics, print_json, print_stdout};
use super::{ExitStatus, Format, Limits, load_policy, report_invalid_policy};
use insp::cases::{self, CaseResult};
use insp::report;
use rayon::prelude::*;

pub fn run(policy_path: &str, named: &[String], format: Format, limits: Limits) -> ExitStatus {
    let policy = match load_policy(policy_path, limits) {
        Ok(policy) => policy,
        Err(diagnostics) => return report_invalid_policy(policy_path, diagnostics, format),
    };
    let files = match cases::discover(policy_path, named) {
        Ok(files) => files,
        Err(diagnostic) => {
            // No cases where the command line says (or where the policy's
            // folder should be): a usage problem, not a failed test.
            print_diagnostics(&[diagnostic]);
            return ExitStatus::Invalid;
        }
    };
    let results: Vec<CaseResult> = files
        .par_iter()
        .map(|file| cases::run_case(&policy, file))
        .collect();
    let coverage = cases::coverage(&policy, &results);
    match format {
        Format::Text => print_stdout(&report::cases::text(&policy, &results, &coverage)),
        Format::Json => print_json(&report::cases::json(&policy, &results, &coverage)),
    }
    if results.iter().all(CaseResult::passed) {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    }
}
