//! `insp evaluate`: grade the organisations of every evidence input (files,
//! folders, JSON Lines, CSV, standard input), in parallel, each written in
//! input order as soon as it is graded; then, for more than one, a summary
//! across them. On request, what moves when the evidence is changed
//! (`--set`), how robust each grade is to the margins of error
//! (`--robustness`), and what would change a grade.

use super::output::{Verbosity, note_write_failure, print_diagnostics_at};
use super::progress::Progress;
use super::{ExitStatus, Format, Limits, ReportFormat, load_policy, report_invalid_policy};
use crossbeam_channel::Receiver;
use insp::decide::change::{Target, WouldChange, what_would_change};
use insp::decide::robust::{Robustness, robustness};
use insp::decide::what_if::{self, Change, Moved};
use insp::report::json::JsonReports;
use insp::report::summary::{Organisation, Summary};
use insp::{
    Assessment, Diagnostic, Evaluator, Evidence, Item, Policy, Record, assess, assess_record_with,
    read_inputs, report,
};
use std::collections::BTreeMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

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

/// Records graded one after another by one piece of parallel work: enough
/// to make handing out the work cheap, few enough to share it evenly.
const BATCH: usize = 256;

/// Bytes of output gathered before each write to standard output.
const OUT_BUFFER: usize = 64 * 1024;

/// Batches read but not yet written, per thread grading them: enough that
/// no thread waits for another's batch to finish, few enough to keep memory
/// bounded however many records there are.
const IN_FLIGHT_PER_THREAD: usize = 4;

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
    let grader = Grader {
        policy: &policy,
        json: JsonReports::new(&policy),
        evaluators: Mutex::new(Vec::new()),
        format,
        options,
        target,
    };
    let writer = Writer::new(&policy, format, options);
    let progress = Progress::new(evidence, options.verbosity == Verbosity::Quiet);
    let all_graded = pipeline(&grader, writer, evidence, limits.1, &progress);
    if all_graded {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    }
}

/// A batch graded, by its number in input order; `None` when grading it
/// panicked (a bug), so that the writer stops at the hole instead of
/// waiting for it, or writing what follows as if nothing were missing.
type GradedBatch = (usize, Option<Vec<Ready>>);

/// What the grading stage hands the writing stage, in input order.
enum Ready {
    Organisation(Done),
    /// A warning about a whole input, printed where it was met.
    Notice(Diagnostic),
}

/// Reads, grades and writes in three stages at once, so that reading the
/// next records and writing the last reports overlap the grading, which
/// takes every core: one thread reads batches of records, the thread pool
/// grades and renders each batch as a piece of work of its own (so that no
/// thread waits at the end of one batch for another to finish it), one
/// thread writes the reports in input order. Whether every organisation
/// was graded.
fn pipeline(
    grader: &Grader,
    writer: Writer,
    evidence: &[String],
    max_bytes: u64,
    progress: &Progress,
) -> bool {
    let in_flight = IN_FLIGHT_PER_THREAD * rayon::current_num_threads();
    let (to_grade, batches) = crossbeam_channel::bounded::<Vec<Item>>(in_flight);
    // Each batch holds a permit from the moment it is handed out until it is
    // written; the writer gives them back.
    let (take_permit, give_back) = crossbeam_channel::bounded::<()>(in_flight);
    let (to_write, graded) = crossbeam_channel::unbounded::<GradedBatch>();
    let policy = grader.policy;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut items = read_inputs(policy, evidence, max_bytes);
            loop {
                let batch = next_batch(&mut items);
                // Nothing left, or grading has stopped: either way, done.
                if batch.is_empty() || to_grade.send(batch).is_err() {
                    break;
                }
            }
        });
        let written = scope.spawn(move || writer.write_all(graded, give_back, progress));
        rayon::in_place_scope(|work| {
            let mut first = 0;
            for (number, batch) in batches.into_iter().enumerate() {
                // The writer has stopped: nothing more will be written.
                if take_permit.send(()).is_err() {
                    break;
                }
                let to_write = to_write.clone();
                let place = first;
                first += batch
                    .iter()
                    .filter(|i| matches!(i, Item::Record(_)))
                    .count();
                work.spawn(move |_| {
                    // Sends fail only once the writer has stopped (its output
                    // failed, or an earlier batch panicked): nothing to add.
                    match panic::catch_unwind(AssertUnwindSafe(|| grader.grade(batch, place))) {
                        Ok(ready) => {
                            let _ = to_write.send((number, Some(ready)));
                        }
                        Err(panicked) => {
                            let _ = to_write.send((number, None));
                            panic::resume_unwind(panicked);
                        }
                    }
                });
            }
        });
        drop(to_write);
        // A panic while writing is the writer's to show, as it would be on one thread.
        written
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The next records to grade, with any notice about a whole input in its
/// place among them.
fn next_batch(items: &mut impl Iterator<Item = Item>) -> Vec<Item> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut records = 0;
    while records < BATCH {
        let Some(item) = items.next() else { break };
        records += usize::from(matches!(item, Item::Record(_)));
        batch.push(item);
    }
    batch
}

/// The graded batches in the order they were read (by number), whatever
/// order they were graded in; `None` as soon as any batch failed.
fn in_order(graded: Receiver<GradedBatch>) -> impl Iterator<Item = Option<Vec<Ready>>> {
    let mut early = BTreeMap::new();
    let mut next = 0;
    let mut arrivals = graded.into_iter();
    std::iter::from_fn(move || {
        loop {
            if let Some(batch) = early.remove(&next) {
                next += 1;
                return Some(Some(batch));
            }
            match arrivals.next()? {
                (number, Some(batch)) => early.insert(number, batch),
                (_, None) => return Some(None),
            };
        }
    })
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
    evaluator: &mut Evaluator,
    record: &Record,
    options: &Options,
    target: Option<Target>,
) -> Graded {
    let policy = evaluator.policy();
    let plain = options.changes.is_empty() && !options.robustness && target.is_none();
    if plain {
        return Graded {
            assessment: assess_record_with(evaluator, record, options.explain),
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

/// Grades records and renders their reports: the work done in parallel.
struct Grader<'a> {
    policy: &'a Policy,
    /// The policy's part of every JSON document, prepared once.
    json: JsonReports<'a>,
    /// Evaluators between batches.
    evaluators: Mutex<Vec<Evaluator<'a>>>,
    format: ReportFormat,
    options: &'a Options<'a>,
    target: Option<Target>,
}

/// One organisation graded and its report rendered, waiting its turn to be
/// written.
struct Done {
    /// Its report (for HTML, its section of the page); empty with `--summary`.
    report: String,
    /// Its row in the summary.
    organisation: Organisation,
    /// Its diagnostics for standard error, after its report (none when its
    /// JSON document holds them).
    diagnostics: Vec<Diagnostic>,
    graded: bool,
}

impl<'a> Grader<'a> {
    /// A batch graded and rendered, in order; `first` is the place in the
    /// summary of its first organisation.
    fn grade(&self, batch: Vec<Item>, first: usize) -> Vec<Ready> {
        let mut evaluator = self.evaluator();
        let mut index = first;
        let ready = batch
            .into_iter()
            .map(|item| match item {
                Item::Record(record) => {
                    index += 1;
                    Ready::Organisation(self.done(&mut evaluator, &record, index - 1))
                }
                Item::Notice(notice) => Ready::Notice(notice),
            })
            .collect();
        self.evaluators
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(evaluator);
        ready
    }

    /// An evaluator no batch is using: the policy is compiled once per
    /// thread that grades at the same time, not once per batch.
    fn evaluator(&self) -> Evaluator<'a> {
        let idle = self
            .evaluators
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        idle.unwrap_or_else(|| Evaluator::new(self.policy))
    }

    fn done(&self, evaluator: &mut Evaluator, record: &Record, index: usize) -> Done {
        let graded = grade_record(evaluator, record, self.options, self.target);
        let report = match (self.options.summary_only, self.format) {
            (true, _) => String::new(),
            (false, ReportFormat::Html) => {
                report::html::section(self.policy, record, &graded.assessment, index)
            }
            (false, _) => self.report(&graded),
        };
        let mut assessment = graded.assessment;
        // A JSON document holds its diagnostics; without it, stderr does,
        // after the report they follow.
        let on_stderr = self.format != ReportFormat::Json || self.options.summary_only;
        Done {
            report,
            organisation: Organisation::taking_names(self.policy, &mut assessment),
            graded: assessment.is_graded(),
            diagnostics: match on_stderr {
                true => assessment.diagnostics,
                false => Vec::new(),
            },
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
                let additions = report::json::Additions {
                    robustness: robustness.map(|r| report::decide::robustness_json(policy, r)),
                    what_if: moved.map(|m| report::decide::what_if_json(policy, changes, m)),
                    would_change: would_change
                        .map(|w| report::decide::would_change_json(policy, w)),
                };
                self.json.one_line(assessment, &additions)
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
}

/// Writes each organisation's report as it comes, gathers the summary, and
/// writes the summary (and, for HTML, the page) at the end.
struct Writer<'a> {
    policy: &'a Policy,
    format: ReportFormat,
    options: &'a Options<'a>,
    out: BufWriter<std::io::Stdout>,
    /// Standard output failed or was closed: nothing more is written.
    stopped: bool,
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
            // Many reports a write: a report is a kilobyte or two.
            out: BufWriter::with_capacity(OUT_BUFFER, std::io::stdout()),
            stopped: false,
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

    fn write(&mut self, text: &str) {
        self.output(|out| out.write_all(text.as_bytes()));
    }

    fn flush(&mut self) {
        self.output(Write::flush);
    }

    /// Writes to stdout unless it has failed or been closed; the first
    /// failure stops the writing (and so the run) and is noted for the exit
    /// status.
    fn output(
        &mut self,
        write: impl FnOnce(&mut BufWriter<std::io::Stdout>) -> std::io::Result<()>,
    ) {
        if self.stopped {
            return;
        }
        if let Err(error) = write(&mut self.out) {
            note_write_failure(&error);
            self.stopped = true;
        }
    }

    /// Writes every batch in the order read, as soon as it and those before
    /// it are graded, giving back each one's permit; then the summary.
    /// Whether every organisation was graded. It stops early, without the
    /// summary, when standard output fails or a batch could not be graded;
    /// returning drops the permits, which stops the handing out of work.
    fn write_all(
        mut self,
        graded: Receiver<GradedBatch>,
        permits: Receiver<()>,
        progress: &Progress,
    ) -> bool {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let mut all_graded = true;
        for batch in in_order(graded) {
            let Some(batch) = batch else {
                self.flush();
                return false;
            };
            for ready in batch {
                all_graded &= self.ready(ready, stdout_is_terminal, progress);
            }
            if self.stopped {
                progress.finish();
                return all_graded;
            }
            // Handing out the next batch may be waiting for it; once every
            // batch is handed out, nothing is.
            let _ = permits.recv();
        }
        progress.finish();
        self.finish();
        all_graded
    }

    /// Writes one organisation's report, or a notice; whether it was graded.
    fn ready(&mut self, ready: Ready, stdout_is_terminal: bool, progress: &Progress) -> bool {
        let done = match ready {
            Ready::Organisation(done) => done,
            Ready::Notice(notice) => {
                // After the reports before it, which may still be buffered.
                self.flush();
                let name = notice.source.as_ref().map_or("", |s| s.name()).to_string();
                let verbosity = self.options.verbosity;
                progress.suspend(|| print_diagnostics_at(&[notice], &name, verbosity));
                return true;
            }
        };
        let graded = done.graded;
        // Hiding and redrawing the bar costs terminal writes: only
        // around what reaches the terminal.
        if stdout_is_terminal || !done.diagnostics.is_empty() {
            progress.suspend(|| self.organisation(done));
        } else {
            self.organisation(done);
        }
        progress.inc();
        graded
    }

    fn organisation(&mut self, done: Done) {
        match self.format {
            ReportFormat::Html if !self.options.summary_only => self.sections.push(done.report),
            _ => self.write(&done.report),
        }
        if !done.diagnostics.is_empty() {
            self.flush();
            print_diagnostics_at(
                &done.diagnostics,
                &done.organisation.evidence,
                self.options.verbosity,
            );
        }
        self.summary.organisations.push(done.organisation);
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
            // Written as it is serialised: the summary of a large batch is large.
            ReportFormat::Json => {
                let summary = std::mem::take(&mut self.summary);
                self.output(|out| summary.write_json(policy, out));
                String::new()
            }
            // One CSV stream holds one table: the summary's, with `--summary`.
            ReportFormat::Csv if self.options.summary_only => self.summary.csv(policy),
            ReportFormat::Csv => String::new(),
        };
        self.write(&summary);
        self.flush();
    }
}
