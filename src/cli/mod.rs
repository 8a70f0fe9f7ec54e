//! The clap types and the dispatch to one small module per command.

mod check;
mod evaluate;
mod exit;
mod fmt;
mod output;
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
        /// One or more evidence files (JSON). Every file is graded and reported.
        #[arg(required = true)]
        evidence: Vec<String>,
        /// Show every rule with its evidence values and whether it held.
        #[arg(long)]
        explain: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
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
        sandbox: Sandbox,
    },
}

/// Limits for the policy's Rhai helper scripts, per call.
#[derive(clap::Args)]
#[command(next_help_heading = "Helper script limits (per call)")]
struct Sandbox {
    /// Operations a helper may run before it is stopped.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_operations)]
    max_operations: u64,
    /// Depth of nested function calls.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_call_levels)]
    max_call_levels: usize,
    /// Depth of nested expressions.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_expr_depth)]
    max_expr_depth: usize,
    /// Length of a string, in characters.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_string_size)]
    max_string_size: usize,
    /// Items in an array.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_array_size)]
    max_array_size: usize,
    /// Entries in a map.
    #[arg(long, value_name = "N", default_value_t = ScriptLimits::default().max_map_size)]
    max_map_size: usize,
}

impl Sandbox {
    fn limits(&self) -> ScriptLimits {
        ScriptLimits {
            max_operations: self.max_operations,
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
    /// One JSON document per evidence file, one per line.
    Json,
    /// One row per judgement of each evidence file.
    Csv,
    /// A table per evidence file.
    Markdown,
}

impl Cli {
    /// Runs the command and says how it ended.
    pub fn run(self) -> ExitStatus {
        match self.command {
            Command::Evaluate {
                policy,
                evidence,
                explain,
                format,
                sandbox,
            } => evaluate::run(&policy, &evidence, explain, format, sandbox.limits()),
            Command::Fmt { files, check, diff } => fmt::run(&files, check, diff),
            Command::Test {
                policy,
                cases,
                format,
                sandbox,
            } => test::run(&policy, &cases, format, sandbox.limits()),
            Command::Check {
                policies,
                format,
                witness_dir,
                deny_warnings,
                budget_ms,
                sandbox,
            } => check::run(
                &policies,
                check::Options {
                    format,
                    witness_dir: witness_dir.as_deref(),
                    deny_warnings,
                    budget: std::time::Duration::from_millis(budget_ms),
                },
                sandbox.limits(),
            ),
        }
    }
}

/// Reads and compiles a policy; every problem is in the `Err`.
fn load_policy(path: &str, limits: ScriptLimits) -> Result<Policy, Vec<Diagnostic>> {
    let text = insp::read_text(path).map_err(|e| vec![e.into()])?;
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
