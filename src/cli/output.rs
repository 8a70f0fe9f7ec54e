//! Where output goes: reports to stdout, diagnostics to stderr; and whether
//! the reports arrived.

use super::ExitStatus;
use insp::Diagnostic;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

/// The first failure to write to standard output (a full disk), kept for
/// the exit status: a run whose report was lost must not end as if it had
/// been delivered.
static WRITE_FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Notes a failed write to stdout. A closed pipe (`| head`) is the reader's
/// choice to stop reading, not a failure: writing stops, quietly.
pub fn note_write_failure(error: &std::io::Error) {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return;
    }
    let mut failure = WRITE_FAILURE.lock().unwrap_or_else(|e| e.into_inner());
    failure.get_or_insert_with(|| error.to_string());
}

/// The run's status, made `Invalid` (and said on stderr) if its report
/// could not be written.
pub fn delivered(status: ExitStatus) -> ExitStatus {
    let failure = WRITE_FAILURE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    match failure {
        None => status,
        Some(failure) => {
            eprintln!("error: the report could not be written to standard output: {failure}");
            status.max(ExitStatus::Invalid)
        }
    }
}

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

/// Writes to stdout, now: a failure is noted for the exit status.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        note_write_failure(&error);
    }
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
