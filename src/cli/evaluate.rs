//! `insp evaluate`: grade evidence files, in parallel, reported in order.

use super::output::{print_diagnostics, print_stdout};
use super::{ExitStatus, Format, Limits, ReportFormat, load_policy, report_invalid_policy};
use insp::{Assessment, Policy, assess_file_within, report};
use rayon::prelude::*;

pub fn run(
    policy_path: &str,
    evidence: &[String],
    explain: bool,
    format: ReportFormat,
    limits: Limits,
) -> ExitStatus {
    let policy = match load_policy(policy_path, limits) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            let json = if format == ReportFormat::Json {
                Format::Json
            } else {
                Format::Text
            };
            return report_invalid_policy(policy_path, diagnostics, json);
        }
    };
    if format != ReportFormat::Json {
        print_diagnostics(&policy.warnings);
    }
    if format == ReportFormat::Csv {
        print_stdout(report::table::CSV_HEADER);
    }
    let assessments: Vec<Assessment> = evidence
        .par_iter()
        .map(|path| assess_file_within(&policy, path, explain, limits.1))
        .collect();
    for assessment in &assessments {
        emit(&policy, assessment, format);
    }
    if assessments.iter().all(Assessment::is_graded) {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    }
}

fn emit(policy: &Policy, assessment: &Assessment, format: ReportFormat) {
    let report = match format {
        ReportFormat::Json => {
            return print_stdout(&format!("{}\n", report::json::render(policy, assessment)));
        }
        ReportFormat::Text => report::text::render(policy, assessment),
        ReportFormat::Csv => report::table::csv(policy, assessment),
        ReportFormat::Markdown => report::table::markdown(policy, assessment),
    };
    print_stdout(&report);
    print_diagnostics(&assessment.diagnostics);
}
