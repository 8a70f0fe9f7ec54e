//! `insp check`: compile each policy, analyse it, report every finding.

use super::output::{print_diagnostics, print_json, print_stdout};
use super::{ExitStatus, Format, Limits, load_policy};
use insp::report::check as check_report;
use insp::{Finding, analyse_within};
use std::path::Path;

/// How `check` reports.
pub struct Options<'a> {
    pub format: Format,
    /// Where to write witnesses, if anywhere.
    pub witness_dir: Option<&'a Path>,
    /// A warning fails the run too.
    pub deny_warnings: bool,
    /// The analysis' time budget per judgement.
    pub budget: std::time::Duration,
}

pub fn run(paths: &[String], options: Options, limits: Limits) -> ExitStatus {
    let mut status = ExitStatus::Ok;
    for path in paths {
        let findings = match load_policy(path, limits) {
            Ok(policy) => analysed(path, policy, &options),
            Err(diagnostics) => diagnostics.into_iter().map(Finding::from).collect(),
        };
        let valid = check_report::is_valid(&findings);
        if !valid || (options.deny_warnings && !findings.is_empty()) {
            status = ExitStatus::Invalid;
        }
        match options.format {
            Format::Text => {
                let diagnostics: Vec<_> = findings.into_iter().map(|f| f.diagnostic).collect();
                print_diagnostics(&diagnostics);
                if valid {
                    print_stdout(&check_report::summary_line(path, &diagnostics));
                }
            }
            Format::Json => print_json(&check_report::json(path, &findings)),
        }
    }
    status
}

/// The policy's lints, then a failure to write witnesses if any, then the
/// analysis' findings.
fn analysed(path: &str, policy: insp::Policy, options: &Options) -> Vec<Finding> {
    let analysis = analyse_within(&policy, options.budget);
    let mut findings: Vec<Finding> = policy.warnings.into_iter().map(Finding::from).collect();
    if let Some(dir) = options.witness_dir
        && let Err(diagnostic) = check_report::write_witnesses(
            dir,
            path,
            analysis.iter().filter_map(|f| f.witness.as_ref()),
        )
    {
        findings.push(Finding::from(diagnostic));
    }
    findings.extend(analysis);
    findings
}
