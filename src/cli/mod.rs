//! The clap types and the dispatch to one small module per command.

mod check;
mod diff;
mod evaluate;
mod exit;
mod fmt;
mod lsp;
mod output;
mod progress;
mod test;

pub use exit::ExitStatus;

use clap::{Parser, Subcommand, ValueEnum};
use insp::{Diagnostic, Policy, ScriptLimits, Source};
use output::{print_diagnostics, print_json};

#[derive(Parser)]
#[command(
    name = "insp",
    version,
    about = "Grade inspection evidence against criteria written in the insp language"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Grade evidence files against a policy.
    Evaluate {
        /// The policy (`.insp` criteria file).
        policy: String,
        /// Evidence: JSON files (nested or flat dotted keys), folders (every
        /// `*.json` in them), JSON Lines (`.jsonl`, `.ndjson`: one
        /// organisation a line), CSV tables (`.csv`: a header of evidence
        /// paths, one organisation a row), or `-` for standard input.
        /// Every organisation is graded and reported.
        #[arg(required = true)]
        evidence: Vec<String>,
        /// Show every rule with its evidence values and whether it held.
        #[arg(long)]
        explain: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Print only the summary across organisations (it follows the
        /// reports by itself when more than one organisation is graded).
        #[arg(long)]
        summary: bool,
        /// Only errors on standard error: no warnings, no progress bar.
        #[arg(long, short, conflicts_with = "verbose")]
        quiet: bool,
        /// Warnings in full, listing every field they concern (by default
        /// each warning is one line).
        #[arg(long, short)]
        verbose: bool,
        /// What if: grade the evidence with PATH set to VALUE (repeatable;
        /// e.g. `--set crime.rate=52.1 --set partnership=good`), and report
        /// the grades that move.
        #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_change)]
        set: Vec<insp::decide::what_if::Change>,
        /// For each grade that reads estimates: is it the same for every
        /// true value within their margins of error? (Decided exactly.)
        #[arg(long)]
        robustness: bool,
        /// For each grade: the nearest change to one piece of evidence that
        /// would move it one grade up or down, exact at the boundary.
        #[arg(long)]
        what_would_change: bool,
        /// For each judgement not given GRADE: the nearest change to one
        /// piece of evidence that would give it.
        #[arg(long, value_name = "GRADE", conflicts_with = "what_would_change")]
        why_not: Option<String>,
        #[command(flatten)]
        input: InputLimit,
        #[command(flatten)]
        sandbox: Sandbox,
    },
    /// Compare two versions of a policy. On evidence files: every grade that
    /// differs, from what to what, and the rule that decided it in each.
    /// Without evidence: over all possible evidence, the areas where the
    /// versions grade differently, each with a witness, or a proof that they
    /// agree. Exit 0 when they agree, 1 when they differ (or agreement
    /// could not be proven), 2 on bad input.
    Diff {
        /// The policy as it was.
        old: String,
        /// The policy as revised.
        new: String,
        /// Evidence files graded by both; none for the comparison over all
        /// possible evidence.
        evidence: Vec<String>,
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Without evidence: write each area's witness as an evidence file here.
        #[arg(long, value_name = "DIR")]
        witness_dir: Option<std::path::PathBuf>,
        /// Without evidence: milliseconds the comparison may spend on one
        /// judgement; what is left is reported undecided.
        #[arg(long, value_name = "MS", default_value_t = insp::DEFAULT_BUDGET.as_millis() as u64)]
        budget_ms: u64,
        #[command(flatten)]
        input: InputLimit,
        #[command(flatten)]
        sandbox: Sandbox,
    },
    /// Run a policy's test cases and report rule coverage.
    Test {
        policy: String,
        /// Case files or folders; by default the policy's `NAME.tests/` folder.
        cases: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        input: InputLimit,
        #[command(flatten)]
        sandbox: Sandbox,
    },
    /// Format criteria files in the one canonical layout.
    Fmt {
        #[arg(required = true)]
        files: Vec<String>,
        /// Change nothing; list the files that are not formatted and exit 1.
        #[arg(long)]
        check: bool,
        /// With --check: show what would change.
        #[arg(long, requires = "check")]
        diff: bool,
        #[command(flatten)]
        input: InputLimit,
    },
    /// Check policies: syntax, names, types and units.
    Check {
        #[arg(required = true)]
        policies: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write each overlap, gap and clash's witness as an evidence file here.
        #[arg(long, value_name = "DIR")]
        witness_dir: Option<std::path::PathBuf>,
        /// Exit 2 on any warning too (for CI pipelines).
        #[arg(long)]
        deny_warnings: bool,
        /// Milliseconds the analysis may spend on one judgement; what is left
        /// is reported undecided.
        #[arg(long, value_name = "MS", default_value_t = insp::DEFAULT_BUDGET.as_millis() as u64)]
        budget_ms: u64,
        #[command(flatten)]
        input: InputLimit,
        #[command(flatten)]
        sandbox: Sandbox,
    },
    /// Serve the language server protocol over standard input and output,
    /// for editors (see docs/editors.md).
    Lsp,
}

/// How large a policy or evidence file may be.
#[derive(clap::Args)]
struct InputLimit {
    /// The largest policy or evidence file read, in MiB; larger files are
    /// refused with a diagnostic.
    #[arg(long, value_name = "MIB", default_value_t = insp::DEFAULT_MAX_FILE_SIZE / MIB, value_parser = clap::value_parser!(u64).range(1..=MAX_FILE_MIB))]
    max_file_mib: u64,
}

const MIB: u64 = 1024 * 1024;

/// The largest `--max-file-mib`: a file is held in memory several times over.
const MAX_FILE_MIB: u64 = 4096;

impl InputLimit {
    fn bytes(&self) -> u64 {
        self.max_file_mib * MIB
    }
}

/// Limits for the policy's Rhai helper scripts, per call. Each is at least
/// 1 (0 would mean "unlimited" to Rhai); the depths are at most what the
/// stack holds.
#[derive(clap::Args)]
#[command(next_help_heading = "Helper script limits (per call)")]
struct Sandbox {
    /// Operations a helper may run before it is stopped.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_operations, value_parser = at_least_one::<u64>())]
    max_operations: u64,
    /// Milliseconds a helper may run before it is stopped.
    #[arg(long, value_name = "MS", default_value_t = ScriptLimits::default().max_millis, value_parser = at_least_one::<u64>())]
    max_helper_ms: u64,
    /// Depth of nested function calls.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_call_levels, value_parser = up_to::<{ ScriptLimits::MAX_CALL_LEVELS }>())]
    max_call_levels: usize,
    /// Depth of nested expressions.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_expr_depth, value_parser = up_to::<{ ScriptLimits::MAX_EXPR_DEPTH }>())]
    max_expr_depth: usize,
    /// Length of a string, in characters.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_string_size, value_parser = at_least_one::<usize>())]
    max_string_size: usize,
    /// Items in an array.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_array_size, value_parser = at_least_one::<usize>())]
    max_array_size: usize,
    /// Entries in a map.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_map_size, value_parser = at_least_one::<usize>())]
    max_map_size: usize,
}

/// A count of at least 1.
fn at_least_one<T>() -> clap::builder::RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
    <T as TryFrom<u64>>::Error: std::fmt::Display,
{
    clap::builder::RangedU64ValueParser::new().range(1..)
}

/// A depth from 1 to `MAX`.
fn up_to<const MAX: usize>() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..=MAX as u64)
}

impl Sandbox {
    fn limits(&self) -> ScriptLimits {
        ScriptLimits {
            max_operations: self.max_operations,
            max_millis: self.max_helper_ms,
            max_call_levels: self.max_call_levels,
            max_expr_depth: self.max_expr_depth,
            max_string_size: self.max_string_size,
            max_array_size: self.max_array_size,
            max_map_size: self.max_map_size,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    /// One JSON document per line: per evidence file for `evaluate`, per policy for `check`.
    Json,
}

/// How `evaluate` reports grades.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    /// One JSON document per organisation, one per line, then the summary.
    Json,
    /// One row per judgement of each organisation (with --summary, one per organisation).
    Csv,
    /// A table per organisation, then the summary.
    Markdown,
    /// One self-contained page: the summary with a chart, then a section per organisation.
    Html,
}

/// How `diff` reports the grades that differ.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Text,
    /// One JSON document for the run.
    Json,
    /// One row per difference.
    Csv,
    /// A table of differences.
    Markdown,
}

/// The stack of the thread running the command and of each worker grading
/// evidence in parallel. The parser, checker and sandbox bound how deep
/// anything recurses; this leaves room for those bounds in debug builds too
/// (a spawned thread's default is 2 MiB). Untouched pages cost nothing.
const STACK_SIZE: usize = 64 * 1024 * 1024;

impl Cli {
    /// Runs the command on a thread with a known stack, and says how it ended.
    pub fn run(self) -> ExitStatus {
        // Only fails if a pool exists already, which then serves as it is.
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .build_global();
        let command = std::thread::Builder::new()
            .name("insp".to_string())
            .stack_size(STACK_SIZE)
            .spawn(move || self.dispatch());
        match command.map(std::thread::JoinHandle::join) {
            Ok(Ok(status)) => output::delivered(status),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(error) => {
                print_diagnostics(&[Diagnostic::error(
                    insp::Code::Io,
                    format!("cannot start a thread: {error}"),
                )]);
                ExitStatus::Invalid
            }
        }
    }

    fn dispatch(self) -> ExitStatus {
        match self.command {
            Command::Lsp => lsp::run(),
            Command::Evaluate {
                policy,
                evidence,
                explain,
                format,
                summary,
                quiet,
                verbose,
                set,
                robustness,
                what_would_change,
                why_not,
                input,
                sandbox,
            } => evaluate::run(
                &policy,
                &evidence,
                format,
                (sandbox.limits(), input.bytes()),
                &evaluate::Options {
                    // The HTML report folds each explanation away in its page.
                    explain: explain || format == ReportFormat::Html,
                    summary_only: summary,
                    verbosity: match (quiet, verbose) {
                        (true, _) => output::Verbosity::Quiet,
                        (_, true) => output::Verbosity::Verbose,
                        _ => output::Verbosity::Brief,
                    },
                    changes: &set,
                    robustness,
                    would_change: match (what_would_change, why_not) {
                        (_, Some(grade)) => Some(evaluate::WouldChangeAsked::Grade(grade)),
                        (true, None) => Some(evaluate::WouldChangeAsked::Neighbours),
                        (false, None) => None,
                    },
                },
            ),
            Command::Fmt {
                files,
                check,
                diff,
                input,
            } => fmt::run(&files, check, diff, input.bytes()),
            Command::Test {
                policy,
                cases,
                format,
                input,
                sandbox,
            } => test::run(&policy, &cases, format, (sandbox.limits(), input.bytes())),
            Command::Diff {
                old,
                new,
                evidence,
                format,
                witness_dir,
                budget_ms,
                input,
                sandbox,
            } => diff::run(
                (&old, &new),
                &evidence,
                diff::Options {
                    format,
                    witness_dir: witness_dir.as_deref(),
                    budget: std::time::Duration::from_millis(budget_ms),
                },
                (sandbox.limits(), input.bytes()),
            ),
            Command::Check {
                policies,
                format,
                witness_dir,
                deny_warnings,
                budget_ms,
                input,
                sandbox,
            } => check::run(
                &policies,
                check::Options {
                    format,
                    witness_dir: witness_dir.as_deref(),
                    deny_warnings,
                    budget: std::time::Duration::from_millis(budget_ms),
                },
                (sandbox.limits(), input.bytes()),
            ),
        }
    }
}

/// The helper limits and the largest file read, in bytes.
type Limits = (ScriptLimits, u64);

/// Reads and compiles a policy; every problem is in the `Err`.
fn load_policy(path: &str, (limits, max_bytes): Limits) -> Result<Policy, Vec<Diagnostic>> {
    let text = insp::read_text_within(path, max_bytes).map_err(|e| vec![e.into()])?;
    insp::compile_with(&Source::new(path, text), limits)
}

/// A policy that could not be compiled: its diagnostics as text, or as the
/// JSON document `check` prints.
fn report_invalid_policy(path: &str, diagnostics: Vec<Diagnostic>, format: Format) -> ExitStatus {
    match format {
        Format::Text => print_diagnostics(&diagnostics),
        Format::Json => print_json(&insp::report::check::invalid_policy_json(path, diagnostics)),
    }
    ExitStatus::Invalid
}

fn parse_change(written: &str) -> Result<insp::decide::what_if::Change, String> {
    insp::decide::what_if::Change::parse(written)
}
