//! Where output goes: reports to stdout, diagnostics to stderr.

use insp::Diagnostic;
use std::io::{IsTerminal, Write};

/// Diagnostics go to stderr, in colour on a terminal (unless `NO_COLOR`).
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = write!(
            stderr,
            "{}",
            insp::report::render_diagnostic_with(diagnostic, colour)
        );
    }
}

/// Writes to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
pub fn print_stdout(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// One JSON document on its own line.
pub fn print_json(document: &serde_json::Value) {
    print_stdout(&format!("{document}\n"));
}

/// How much `evaluate` says on standard error besides errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors in full; each warning in one line.
    Brief,
    /// Errors and warnings in full, with every field they concern.
    Verbose,
}

/// An organisation's diagnostics at a verbosity: errors in full, warnings
/// in one line naming `name` (the organisation's evidence) unless verbose.
pub fn print_diagnostics_at(diagnostics: &[Diagnostic], name: &str, verbosity: Verbosity) {
    if diagnostics.is_empty() {
        return;
    }
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diagnostics.iter().cloned().partition(Diagnostic::is_error);
    match verbosity {
        Verbosity::Quiet => print_diagnostics(&errors),
        Verbosity::Verbose => print_diagnostics(diagnostics),
        Verbosity::Brief => {
            print_diagnostics(&errors);
            let mut stderr = std::io::stderr().lock();
            for warning in &warnings {
                let more = match warning.code {
                    insp::Code::EvidenceUnknownField => "use --verbose to list them",
                    _ => "use --verbose for details",
                };
                let line = format!("warning: {name}: {}, {more}\n", warning.message);
                let _ = stderr.write_all(insp::report::escape_controls(&line).as_bytes());
            }
        }
    }
}
