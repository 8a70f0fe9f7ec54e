//! `insp check`: compile each policy, analyse it, report every finding.

use super::output::{print_diagnostics, print_json, print_stdout};
use super::{ExitStatus, Format, load_policy};
use insp::report::check as check_report;
use insp::{Finding, ScriptLimits, analyse};
use std::path::Path;

pub fn run(
    paths: &[String],
    format: Format,
    witness_dir: Option<&Path>,
    limits: ScriptLimits,
) -> ExitStatus {
    let mut status = ExitStatus::Ok;
    for path in paths {
        let findings = match load_policy(path, limits) {
            Ok(policy) => analysed(path, policy, witness_dir),
            Err(diagnostics) => diagnostics.into_iter().map(Finding::from).collect(),
        };
        let valid = check_report::is_valid(&findings);
        if !valid {
            status = ExitStatus::Invalid;
        }
        match format {
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
fn analysed(path: &str, policy: insp::Policy, witness_dir: Option<&Path>) -> Vec<Finding> {
    let analysis = analyse(&policy);
    let mut findings: Vec<Finding> = policy.warnings.into_iter().map(Finding::from).collect();
    if let Some(dir) = witness_dir
        && let Err(diagnostic) = check_report::write_witnesses(dir, path, &analysis)
    {
        findings.push(Finding::from(diagnostic));
    }
    findings.extend(analysis);
    findings
}
