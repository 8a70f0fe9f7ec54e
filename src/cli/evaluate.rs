//! `insp evaluate`: grade evidence files, in parallel, reported in order;
//! on request, what moves when the evidence is changed (`--set`) and how
//! robust each grade is to the margins of error (`--robustness`).

use super::output::{print_diagnostics, print_stdout};
use super::{ExitStatus, Format, Limits, ReportFormat, load_policy, report_invalid_policy};
use insp::decide::change::{Target, WouldChange, what_would_change};
use insp::decide::robust::{Robustness, robustness};
use insp::decide::what_if::{self, Change, Moved};
use insp::{Assessment, Evidence, Policy, Source, assess, read_text_within, report};
use rayon::prelude::*;

/// What `evaluate` adds to plain grading.
pub struct Options<'a> {
    pub explain: bool,
    pub changes: &'a [Change],
    pub robustness: bool,
    /// `--what-would-change` or `--why-not GRADE`, the grade by name.
    pub would_change: Option<WouldChangeAsked>,
}

/// The grades `evaluate` is asked what would give.
#[derive(Debug, Clone)]
pub enum WouldChangeAsked {
    Neighbours,
    Grade(String),
}

/// One file graded, with what the options asked for.
struct Graded {
    assessment: Assessment,
    /// With `--set`: the grades that moved (`None` if the changes failed).
    moved: Option<Vec<Moved>>,
    robustness: Option<Vec<Robustness>>,
    would_change: Option<Vec<WouldChange>>,
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
    let target = match &options.would_change {
        None => None,
        Some(WouldChangeAsked::Neighbours) => Some(Target::Neighbours),
        Some(WouldChangeAsked::Grade(name)) => match policy.grades.rank(name) {
            Some(rank) => Some(Target::Grade(rank)),
            None => {
                let grades: Vec<&str> = policy
                    .grades
                    .names
                    .iter()
                    .rev()
                    .map(String::as_str)
                    .collect();
                eprintln!(
                    "error: `--why-not {name}`: the policy's grades are {}",
                    grades.join(", ")
                );
                return ExitStatus::Invalid;
            }
        },
    };
    let graded: Vec<Graded> = evidence
        .par_iter()
        .map(|path| grade_file(&policy, path, limits.1, options, target))
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

fn grade_file(
    policy: &Policy,
    path: &str,
    max_bytes: u64,
    options: &Options,
    target: Option<Target>,
) -> Graded {
    let source = match read_text_within(path, max_bytes) {
        Ok(text) => Source::new(path, text),
        Err(error) => {
            return Graded {
                assessment: Assessment::ungraded(path, vec![error.into()]),
                moved: None,
                robustness: None,
                would_change: None,
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
                    assessment: Assessment::ungraded(path, diagnostics),
                    moved: None,
                    robustness: None,
                    would_change: None,
                };
            }
        },
    };
    let assessment = assess(policy, &source, options.explain);
    let moved = match (&moved, &assessment.grading) {
        (Some(before), Some(after)) => Some(what_if::moved(before, after)),
        _ => None,
    };
    // The decision tools read the evidence as bound to the policy.
    let evidence = (options.robustness || target.is_some())
        .then(|| Evidence::load(policy, &source).ok())
        .flatten()
        .map(|loaded| loaded.evidence);
    let tools = evidence.as_ref().zip(assessment.grading.as_ref());
    let robustness = tools
        .filter(|_| options.robustness)
        .map(|(evidence, grading)| robustness(policy, evidence, grading));
    let would_change = tools
        .zip(target)
        .map(|((evidence, grading), target)| what_would_change(policy, evidence, grading, target));
    Graded {
        assessment,
        moved,
        robustness,
        would_change,
    }
}

fn emit(policy: &Policy, file: &Graded, format: ReportFormat, changes: &[Change]) {
    let assessment = &file.assessment;
    let moved = file.moved.as_deref();
    let robustness = file.robustness.as_deref();
    let would_change = file.would_change.as_deref();
    let report = match format {
        ReportFormat::Json => {
            let mut document = report::json::render(policy, assessment);
            if let Some(moved) = moved {
                document["what_if"] = report::decide::what_if_json(policy, changes, moved);
            }
            if let Some(robustness) = robustness {
                document["robustness"] = report::decide::robustness_json(policy, robustness);
            }
            if let Some(changes) = would_change {
                document["would_change"] = report::decide::would_change_json(policy, changes);
            }
            return print_stdout(&format!("{document}\n"));
        }
        ReportFormat::Text => {
            let mut text = report::text::render(policy, assessment);
            if let Some(robustness) = robustness {
                text.push_str(&report::decide::robustness_text(policy, robustness));
            }
            if let Some(changes) = would_change {
                text.push_str(&report::decide::would_change_text(policy, changes));
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
            if let Some(changes) = would_change {
                text.push_str(&report::decide::would_change_markdown(policy, changes));
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
