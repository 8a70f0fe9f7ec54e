//! The `insp` command line: a thin shell over the library.

// Diagnostics travel in `Err` on the error path only (as in the library).
#![allow(clippy::result_large_err)]

use clap::{Parser, Subcommand, ValueEnum};
use insp::cases;
use insp::diagnostics::{Diagnostic, has_errors};
use insp::eval::{Assessment, assess_file};
use insp::script::ScriptLimits;
use insp::source::read_text;
use insp::{Policy, Source, report};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Exit status: everything graded / the policy is sound.
const EXIT_OK: u8 = 0;
/// Some evidence could not be graded (missing, ill-typed, a conflict, no rule held).
const EXIT_EVIDENCE: u8 = 1;
/// The policy or the command line is invalid.
const EXIT_POLICY: u8 = 2;

#[derive(Parser)]
#[command(
    name = "insp",
    version,
    about = "Grade inspection evidence against criteria written in the insp language"
)]
struct Cli {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Evaluate {
            policy,
            evidence,
            explain,
            format,
            sandbox,
        } => evaluate(&policy, &evidence, explain, format, sandbox.limits()),
        Command::Fmt { files, check, diff } => fmt(&files, check, diff),
        Command::Test {
            policy,
            cases,
            format,
            sandbox,
        } => test(&policy, &cases, format, sandbox.limits()),
        Command::Check {
            policies,
            format,
            witness_dir,
            sandbox,
        } => check(&policies, format, witness_dir.as_deref(), sandbox.limits()),
    };
    ExitCode::from(status)
}

fn load_policy(path: &str, limits: ScriptLimits) -> Result<Policy, Vec<Diagnostic>> {
    let text = read_text(path).map_err(|e| vec![e.into()])?;
    insp::compile_with(&Source::new(path, text), limits)
}

fn evaluate(
    policy_path: &str,
    evidence: &[String],
    explain: bool,
    format: ReportFormat,
    limits: ScriptLimits,
) -> u8 {
    let policy = match load_policy(policy_path, limits) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            let json = if format == ReportFormat::Json {
                Format::Json
            } else {
                Format::Text
            };
            emit_policy_diagnostics(policy_path, &diagnostics, json);
            return EXIT_POLICY;
        }
    };
    if format != ReportFormat::Json {
        print_diagnostics(&policy.warnings);
    }
    if format == ReportFormat::Csv {
        print_stdout(report::table::CSV_HEADER);
    }
    // Files are graded in parallel and reported in the order given.
    let assessments: Vec<Assessment> = evidence
        .par_iter()
        .map(|path| assess_file(&policy, path, explain))
        .collect();
    for assessment in &assessments {
        emit_assessment(&policy, assessment, format);
    }
    if assessments.iter().all(Assessment::is_graded) {
        EXIT_OK
    } else {
        EXIT_EVIDENCE
    }
}

fn emit_assessment(policy: &Policy, assessment: &Assessment, format: ReportFormat) {
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

fn check(
    paths: &[String],
    format: Format,
    witness_dir: Option<&std::path::Path>,
    limits: ScriptLimits,
) -> u8 {
    let mut status = EXIT_OK;
    for path in paths {
        let diagnostics = match load_policy(path, limits) {
            Ok(policy) => {
                let findings = insp::analysis::analyse(&policy);
                let mut diagnostics = policy.warnings;
                if let Some(dir) = witness_dir
                    && let Err(diagnostic) = write_witnesses(dir, path, &findings)
                {
                    diagnostics.push(diagnostic);
                }
                diagnostics.extend(findings.into_iter().map(|f| f.diagnostic));
                diagnostics
            }
            Err(diagnostics) => diagnostics,
        };
        if has_errors(&diagnostics) {
            status = EXIT_POLICY;
        }
        match format {
            Format::Text => {
                print_diagnostics(&diagnostics);
                if !has_errors(&diagnostics) {
                    let warnings = diagnostics.len();
                    print_stdout(&format!(
                        "{path}: ok ({warnings} warning{})\n",
                        if warnings == 1 { "" } else { "s" }
                    ));
                }
            }
            Format::Json => emit_policy_json(path, &diagnostics),
        }
    }
    status
}

/// Writes each witness as `DIR/POLICY.JUDGEMENT.N.KIND.json`.
fn write_witnesses(
    dir: &std::path::Path,
    policy_path: &str,
    findings: &[insp::analysis::Finding],
) -> Result<(), Diagnostic> {
    let stem = std::path::Path::new(policy_path)
        .file_stem()
        .map_or_else(|| "policy".into(), |s| s.to_string_lossy().to_string());
    let io = |e: std::io::Error| {
        Diagnostic::error(
            insp::diagnostics::codes::IO,
            format!("cannot write witnesses to `{}`: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, json) in findings.iter().filter_map(|f| f.witness.as_ref()) {
        std::fs::write(dir.join(format!("{stem}.{name}.json")), json).map_err(io)?;
    }
    Ok(())
}

fn test(policy_path: &str, named: &[String], format: Format, limits: ScriptLimits) -> u8 {
    let policy = match load_policy(policy_path, limits) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            emit_policy_diagnostics(policy_path, &diagnostics, format);
            return EXIT_POLICY;
        }
    };
    let files = match cases::discover(policy_path, named) {
        Ok(files) => files,
        Err(diagnostic) => {
            print_diagnostics(&[diagnostic]);
            return EXIT_EVIDENCE;
        }
    };
    let results: Vec<cases::CaseResult> = files
        .par_iter()
        .map(|file| cases::run_case(&policy, file))
        .collect();
    let coverage = cases::coverage(&policy, &results);
    match format {
        Format::Text => print_stdout(&report::cases::text(&policy, &results, &coverage)),
        Format::Json => print_stdout(&format!(
            "{}\n",
            report::cases::json(&policy, &results, &coverage)
        )),
    }
    if results.iter().all(cases::CaseResult::passed) {
        EXIT_OK
    } else {
        EXIT_EVIDENCE
    }
}

fn fmt(files: &[String], check: bool, diff: bool) -> u8 {
    let mut status = EXIT_OK;
    for path in files {
        let formatted = read_text(path).map(|text| {
            (
                insp::syntax::format::format(&Source::new(path, text.clone())),
                text,
            )
        });
        let (formatted, original) = match formatted {
            Ok((Ok(formatted), original)) => (formatted, original),
            Ok((Err(diagnostics), _)) => {
                print_diagnostics(&diagnostics);
                status = EXIT_POLICY;
                continue;
            }
            Err(error) => {
                print_diagnostics(&[error.into()]);
                status = EXIT_POLICY;
                continue;
            }
        };
        if formatted == original {
            continue;
        }
        if check {
            print_stdout(&format!("{path}: not formatted\n"));
            if diff {
                print_stdout(&unified_diff(path, &original, &formatted));
            }
            status = status.max(EXIT_EVIDENCE);
        } else if let Err(error) = std::fs::write(path, &formatted) {
            print_diagnostics(&[Diagnostic::error(
                insp::diagnostics::codes::IO,
                format!("cannot write `{path}`: {error}"),
            )]);
            status = EXIT_POLICY;
        } else {
            print_stdout(&format!("{path}: formatted\n"));
        }
    }
    status
}

fn unified_diff(path: &str, original: &str, formatted: &str) -> String {
    similar::TextDiff::from_lines(original, formatted)
        .unified_diff()
        .context_radius(2)
        .header(path, &format!("{path} (formatted)"))
        .to_string()
}

fn emit_policy_diagnostics(path: &str, diagnostics: &[Diagnostic], format: Format) {
    match format {
        Format::Text => print_diagnostics(diagnostics),
        Format::Json => emit_policy_json(path, diagnostics),
    }
}

fn emit_policy_json(path: &str, diagnostics: &[Diagnostic]) {
    let doc = serde_json::json!({
        "policy_file": path,
        "valid": !has_errors(diagnostics),
        "diagnostics": diagnostics.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
    });
    print_stdout(&format!("{doc}\n"));
}

/// Diagnostics go to stderr, in colour on a terminal.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = write!(stderr, "{}", diagnostic.render_with(theme.clone()));
    }
}

/// Writes to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
fn print_stdout(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
