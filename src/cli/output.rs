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
