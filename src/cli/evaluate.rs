//! `insp evaluate`: grade evidence files, in parallel, reported in order.

use super::output::{print_diagnostics, print_stdout};
use super::{ExitStatus, Format, Limits, ReportFormat, load_policy, report_invalid_policy};
use insp::decide::what_if::{self, Change, Moved};
use insp::{Assessment, Policy, Source, assess, assess_file_within, read_text_within, report};
use rayon::prelude::*;

pub fn run(
    policy_path: &str,
    evidence: &[String],
    explain: bool,
    format: ReportFormat,
    limits: Limits,
    changes: &[Change],
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
    let assessments: Vec<(Assessment, Option<Vec<Moved>>)> = evidence
        .par_iter()
        .map(|path| match changes.is_empty() {
            true => (assess_file_within(&policy, path, explain, limits.1), None),
            false => what_if(&policy, path, explain, limits.1, changes),
        })
        .collect();
    for (assessment, moved) in &assessments {
        emit(
            &policy,
            assessment,
            format,
            moved.as_deref().map(|m| (changes, m)),
        );
    }
    let assessments: Vec<&Assessment> = assessments.iter().map(|(a, _)| a).collect();
    if assessments.iter().all(|a| a.is_graded()) {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    }
}

/// The file graded as changed by `--set`, and the grades that moved from
/// the file as it is; `None` moved when the changes could not be made.
fn what_if(
    policy: &Policy,
    path: &str,
    explain: bool,
    max_bytes: u64,
    changes: &[Change],
) -> (Assessment, Option<Vec<Moved>>) {
    let original = assess_file_within(policy, path, false, max_bytes);
    let Ok(text) = read_text_within(path, max_bytes) else {
        return (original, None);
    };
    match what_if::apply(policy, &Source::new(path, text), changes) {
        Ok(changed) => {
            let assessment = assess(policy, &changed, explain);
            let moved = match (&original.grading, &assessment.grading) {
                (Some(before), Some(after)) => Some(what_if::moved(before, after)),
                _ => None,
            };
            (assessment, moved)
        }
        Err(diagnostics) => (
            Assessment {
                diagnostics,
                grading: None,
                ..original
            },
            None,
        ),
    }
}

fn emit(
    policy: &Policy,
    assessment: &Assessment,
    format: ReportFormat,
    what_if: Option<(&[Change], &[Moved])>,
) {
    let report = match format {
        ReportFormat::Json => {
            let mut document = report::json::render(policy, assessment);
            if let Some((changes, moved)) = what_if {
                document["what_if"] = report::decide::what_if_json(policy, changes, moved);
            }
            return print_stdout(&format!("{document}\n"));
        }
        ReportFormat::Text => {
            let mut text = report::text::render(policy, assessment);
            if let Some((changes, moved)) = what_if {
                text.push_str(&report::decide::what_if_text(policy, changes, moved));
            }
            text
        }
        ReportFormat::Csv => report::table::csv(policy, assessment),
        ReportFormat::Markdown => {
            let mut text = report::table::markdown(policy, assessment);
            if let Some((changes, moved)) = what_if {
                text.push_str(&report::decide::what_if_markdown(policy, changes, moved));
            }
            text
        }
    };
    print_stdout(&report);
    print_diagnostics(&assessment.diagnostics);
}
