//! `insp evaluate`: grade the organisations of every evidence input (files,
//! folders, JSON Lines, CSV, standard input), in parallel, each written in
//! input order as soon as it is graded; then, for more than one, a summary
//! across them. On request, what moves when the evidence is changed
//! (`--set`), how robust each grade is to the margins of error
//! (`--robustness`), and what would change a grade.

use super::output::{Verbosity, print_diagnostics_at};
use super::progress::Progress;
use super::{ExitStatus, Format, Limits, ReportFormat, load_policy, report_invalid_policy};
use insp::decide::change::{Target, WouldChange, what_would_change};
use insp::decide::robust::{Robustness, robustness};
use insp::decide::what_if::{self, Change, Moved};
use insp::report::summary::Summary;
use insp::{
    Assessment, Evidence, Item, Policy, Record, assess, assess_record, read_inputs, report,
};
use rayon::prelude::*;
use std::io::{BufWriter, IsTerminal, Write};

/// What `evaluate` adds to plain grading.
pub struct Options<'a> {
    pub explain: bool,
    pub changes: &'a [Change],
    pub robustness: bool,
    /// `--what-would-change` or `--why-not GRADE`, the grade by name.
    pub would_change: Option<WouldChangeAsked>,
    /// `--summary`: the summary alone, without each organisation's report.
    pub summary_only: bool,
    pub verbosity: Verbosity,
}

/// The grades `evaluate` is asked what would give.
#[derive(Debug, Clone)]
pub enum WouldChangeAsked {
    Neighbours,
    Grade(String),
}

/// One organisation graded, with what the options asked for.
struct Graded {
    assessment: Assessment,
    /// With `--set`: the grades that moved (`None` if the changes failed).
    moved: Option<Vec<Moved>>,
    robustness: Option<Vec<Robustness>>,
    would_change: Option<Vec<WouldChange>>,
}

/// Records graded in parallel at a time, then written in order: the output
/// streams, in input order, and memory stays bounded however many there are.
const BATCH: usize = 256;

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
    // The policy's own warnings are `insp check`'s to report, not every run's.
    let Some(target) = would_change_target(&policy, options.would_change.as_ref()) else {
        return ExitStatus::Invalid;
    };
    let mut writer = Writer::new(&policy, format, options);
    let progress = Progress::new(evidence, options.verbosity == Verbosity::Quiet);
    let mut items = read_inputs(&policy, evidence, limits.1);
    let mut all_graded = true;
    let stdout_is_terminal = std::io::stdout().is_terminal();
    loop {
        let batch = next_batch(&mut items, &progress, options.verbosity);
        if batch.is_empty() {
            break;
        }
        let graded: Vec<Graded> = batch
            .par_iter()
            .map(|record| grade_record(&policy, record, options, target))
            .collect();
        for (record, file) in batch.iter().zip(&graded) {
            all_graded &= file.assessment.is_graded();
            // Hiding and redrawing the bar costs terminal writes: only
            // around what reaches the terminal.
            if stdout_is_terminal || !file.assessment.diagnostics.is_empty() {
                progress.suspend(|| writer.organisation(record, file));
            } else {
                writer.organisation(record, file);
            }
            progress.inc();
        }
    }
    progress.finish();
    writer.finish();
    if all_graded {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    }
}

/// The next records to grade; notices about whole inputs are printed as
/// they are met.
fn next_batch(
    items: &mut impl Iterator<Item = Item>,
    progress: &Progress,
    verbosity: Verbosity,
) -> Vec<Record> {
    let mut batch = Vec::with_capacity(BATCH);
    while batch.len() < BATCH {
        match items.next() {
            Some(Item::Record(record)) => batch.push(record),
            Some(Item::Notice(notice)) => {
                let name = notice.source.as_ref().map_or("", |s| s.name()).to_string();
                progress.suspend(|| print_diagnostics_at(&[notice], &name, verbosity));
            }
            None => break,
        }
    }
    batch
}

/// `Some(None)` when no grade is asked about; `None` when the grade named
/// is not one of the policy's (reported here).
fn would_change_target(
    policy: &Policy,
    asked: Option<&WouldChangeAsked>,
) -> Option<Option<Target>> {
    match asked {
        None => Some(None),
        Some(WouldChangeAsked::Neighbours) => Some(Some(Target::Neighbours)),
        Some(WouldChangeAsked::Grade(name)) => match policy.grades.rank(name) {
            Some(rank) => Some(Some(Target::Grade(rank))),
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
                None
            }
        },
    }
}

fn grade_record(
    policy: &Policy,
    record: &Record,
    options: &Options,
    target: Option<Target>,
) -> Graded {
    let plain = options.changes.is_empty() && !options.robustness && target.is_none();
    if plain {
        return Graded {
            assessment: assess_record(policy, record, options.explain),
            moved: None,
            robustness: None,
            would_change: None,
        };
    }
    // The decision tools rewrite and re-read evidence as a document of its own.
    match record.standalone() {
        Ok(source) => grade_with_tools(policy, &source, options, target),
        Err(diagnostic) => Graded {
            assessment: Assessment::ungraded(&record.name, vec![diagnostic]),
            moved: None,
            robustness: None,
            would_change: None,
        },
    }
}

fn grade_with_tools(
    policy: &Policy,
    source: &insp::Source,
    options: &Options,
    target: Option<Target>,
) -> Graded {
    let (source, moved) = match options.changes.is_empty() {
        true => (source.clone(), None),
        false => match what_if::apply(policy, source, options.changes) {
            Ok(changed) => {
                let before = assess(policy, source, false).grading;
                (changed, before)
            }
            Err(diagnostics) => {
                return Graded {
                    assessment: Assessment::ungraded(source.name(), diagnostics),
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

/// Writes each organisation's report as it comes, gathers the summary, and
/// writes the summary (and, for HTML, the page) at the end.
struct Writer<'a> {
    policy: &'a Policy,
    format: ReportFormat,
    options: &'a Options<'a>,
    out: BufWriter<std::io::Stdout>,
    summary: Summary,
    /// HTML sections, kept until the summary that heads the page is known.
    sections: Vec<String>,
}

impl<'a> Writer<'a> {
    fn new(policy: &'a Policy, format: ReportFormat, options: &'a Options<'a>) -> Self {
        let mut writer = Writer {
            policy,
            format,
            options,
            out: BufWriter::new(std::io::stdout()),
            summary: Summary::default(),
            sections: Vec::new(),
        };
        if format == ReportFormat::Csv && !options.summary_only {
            let robust = options.robustness.then_some("robust");
            let would_change = options.would_change.as_ref().map(|_| "would_change");
            let extra: Vec<&str> = robust.into_iter().chain(would_change).collect();
            writer.write(&report::table::csv_header(&extra));
        }
        writer
    }

    /// Writes to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
    fn write(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
    }

    fn organisation(&mut self, record: &Record, file: &Graded) {
        let assessment = &file.assessment;
        if self.format == ReportFormat::Html && !self.options.summary_only {
            let index = self.summary.organisations.len();
            self.sections.push(report::html::section(
                self.policy,
                record,
                assessment,
                index,
            ));
        }
        self.summary.add(self.policy, assessment);
        if !self.options.summary_only && self.format != ReportFormat::Html {
            let text = self.report(file);
            self.write(&text);
        }
        // A JSON document holds its diagnostics; without it, stderr does,
        // after the report they follow.
        let on_stderr = self.format != ReportFormat::Json || self.options.summary_only;
        if on_stderr && !assessment.diagnostics.is_empty() {
            let _ = self.out.flush();
            print_diagnostics_at(
                &assessment.diagnostics,
                &assessment.path,
                self.options.verbosity,
            );
        }
    }

    fn report(&self, file: &Graded) -> String {
        let (policy, changes) = (self.policy, self.options.changes);
        let assessment = &file.assessment;
        let moved = file.moved.as_deref();
        let robustness = file.robustness.as_deref();
        let would_change = file.would_change.as_deref();
        match self.format {
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
                format!("{document}\n")
            }
            ReportFormat::Text => {
                let mark =
                    |index| robustness.and_then(|r| report::decide::robustness_mark(r, index));
                let mut text = report::text::render_marked(policy, assessment, &mark);
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
            // A cell under each column asked for, empty where not decided
            // (evidence that could not be graded).
            ReportFormat::Csv => report::table::csv_with(policy, assessment, &|id| {
                let robust = self.options.robustness.then(|| {
                    robustness.map_or_else(String::new, |r| {
                        report::decide::robustness_cell(policy, r, id)
                    })
                });
                let would = self.options.would_change.as_ref().map(|_| {
                    would_change.map_or_else(String::new, |w| {
                        report::decide::would_change_cell(policy, w, id)
                    })
                });
                robust.into_iter().chain(would).collect()
            }),
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
            ReportFormat::Html => String::new(),
        }
    }

    /// The summary, when more than one organisation was graded or it was
    /// asked for; for HTML, the whole page.
    fn finish(mut self) {
        let policy = self.policy;
        let wanted = self.options.summary_only || self.summary.organisations.len() > 1;
        let summary = match self.format {
            ReportFormat::Html => report::html::page(policy, &self.summary, &self.sections),
            _ if !wanted => String::new(),
            ReportFormat::Text => format!("\n{}", self.summary.text(policy)),
            ReportFormat::Markdown => self.summary.markdown(policy),
            ReportFormat::Json => format!("{}\n", self.summary.json(policy)),
            // One CSV stream holds one table: the summary's, with `--summary`.
            ReportFormat::Csv if self.options.summary_only => self.summary.csv(policy),
            ReportFormat::Csv => String::new(),
        };
        self.write(&summary);
        let _ = self.out.flush();
    }
}
