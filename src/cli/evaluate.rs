//! `insp evaluate`: grade evidence files, in parallel, reported in order;
//! on request, what moves when the evidence is changed (`--set`) and how
//! robust each grade is to the margins of error (`--robustness`).

use super::output::{print_diagnostics, print_stdout};
use super::{ExitStatus, Format, Limits, ReportFormat, load_policy, report_invalid_policy};
use insp::decide::robust::{Robustness, robustness};
use insp::decide::what_if::{self, Change, Moved};
use insp::{Assessment, Evidence, Policy, Source, assess, read_text_within, report};
use rayon::prelude::*;

/// What `evaluate` adds to plain grading.
pub struct Options<'a> {
    pub explain: bool,
    pub changes: &'a [Change],
    pub robustness: bool,
}

/// One file graded, with what the options asked for.
struct Graded {
    assessment: Assessment,
    /// With `--set`: the grades that moved (`None` if the changes failed).
    moved: Option<Vec<Moved>>,
    robustness: Option<Vec<Robustness>>,
}

pub fn run(
    policy_path: &str,
    evidence: &[String],
    format: ReportFormat,
    limits: Limits,
    options: &Options,
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
    let graded: Vec<Graded> = evidence
        .par_iter()
        .map(|path| grade_file(&policy, path, limits.1, options))
        .collect();
    for file in &graded {
        emit(&policy, file, format, options.changes);
    }
    if graded.iter().all(|file| file.assessment.is_graded()) {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    }
}

fn grade_file(policy: &Policy, path: &str, max_bytes: u64, options: &Options) -> Graded {
    let source = match read_text_within(path, max_bytes) {
        Ok(text) => Source::new(path, text),
        Err(error) => {
            return Graded {
                assessment: unread(path, vec![error.into()]),
                moved: None,
                robustness: None,
            };
        }
    };
    let (source, moved) = match options.changes.is_empty() {
        true => (source, None),
        false => match what_if::apply(policy, &source, options.changes) {
            Ok(changed) => {
                let before = assess(policy, &source, false).grading;
                (changed, before)
            }
            Err(diagnostics) => {
                return Graded {
                    assessment: unread(path, diagnostics),
                    moved: None,
                    robustness: None,
                };
            }
        },
    };
    let assessment = assess(policy, &source, options.explain);
    let moved = match (&moved, &assessment.grading) {
        (Some(before), Some(after)) => Some(what_if::moved(before, after)),
        _ => None,
    };
    let robustness = options
        .robustness
        .then(|| robustness_of(policy, &source, &assessment))
        .flatten();
    Graded {
        assessment,
        moved,
        robustness,
    }
}

fn robustness_of(
    policy: &Policy,
    source: &Source,
    assessment: &Assessment,
) -> Option<Vec<Robustness>> {
    let grading = assessment.grading.as_ref()?;
    let loaded = Evidence::load(policy, source).ok()?;
    Some(robustness(policy, &loaded.evidence, grading))
}

/// An assessment of a file that could not be read or changed.
fn unread(path: &str, diagnostics: Vec<insp::Diagnostic>) -> Assessment {
    Assessment {
        path: path.to_string(),
        subject: None,
        grading: None,
        traces: None,
        defaults_used: Vec::new(),
        not_assessed: Vec::new(),
        diagnostics,
    }
}

fn emit(policy: &Policy, file: &Graded, format: ReportFormat, changes: &[Change]) {
    let assessment = &file.assessment;
    let moved = file.moved.as_deref();
    let robustness = file.robustness.as_deref();
    let report = match format {
        ReportFormat::Json => {
            let mut document = report::json::render(policy, assessment);
            if let Some(moved) = moved {
                document["what_if"] = report::decide::what_if_json(policy, changes, moved);
            }
            if let Some(robustness) = robustness {
                document["robustness"] = report::decide::robustness_json(policy, robustness);
            }
            return print_stdout(&format!("{document}\n"));
        }
        ReportFormat::Text => {
            let mut text = report::text::render(policy, assessment);
            if let Some(robustness) = robustness {
                text.push_str(&report::decide::robustness_text(policy, robustness));
            }
            if let Some(moved) = moved {
                text.push_str(&report::decide::what_if_text(policy, changes, moved));
            }
            text
        }
        ReportFormat::Csv => report::table::csv(policy, assessment),
        ReportFormat::Markdown => {
            let mut text = report::table::markdown(policy, assessment);
            if let Some(robustness) = robustness {
                text.push_str(&report::decide::robustness_markdown(policy, robustness));
            }
            if let Some(moved) = moved {
                text.push_str(&report::decide::what_if_markdown(policy, changes, moved));
            }
            text
        }
    };
    print_stdout(&report);
    print_diagnostics(&assessment.diagnostics);
}
