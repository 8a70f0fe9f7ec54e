//! A progress bar on standard error while many organisations are graded
//! interactively; nothing at all when standard error is not a terminal
//! (redirected, in CI, in tests) or with `--quiet`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

/// The bar, or nothing.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar when standard error is a terminal, not `quiet`, and the inputs
    /// may hold many organisations (several, a folder, a table, stdin).
    pub fn new(inputs: &[String], quiet: bool) -> Self {
        let many = inputs.len() > 1 || inputs.iter().any(|input| !is_one_json_file(input));
        if quiet || !many || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} graded {human_pos} organisations in {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Progress(Some(bar))
    }

    /// One more organisation graded.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Runs `write` with the bar hidden, so that output does not run into it.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn is_one_json_file(input: &str) -> bool {
    let path = Path::new(input);
    input != "-" && !path.is_dir() && path.extension().is_some_and(|e| e == "json")
}
