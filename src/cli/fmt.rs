//! `insp fmt`: rewrite criteria files in the canonical layout, or with
//! `--check` list those that are not.

use super::ExitStatus;
use super::output::{print_diagnostics, print_stdout};
use insp::{Code, Diagnostic, Source};

pub fn run(files: &[String], check: bool, diff: bool, max_bytes: u64) -> ExitStatus {
    let mut status = ExitStatus::Ok;
    for path in files {
        let (original, formatted) = match format_file(path, max_bytes) {
            Ok(texts) => texts,
            Err(diagnostics) => {
                print_diagnostics(&diagnostics);
                status = ExitStatus::Invalid;
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
            status = status.max(ExitStatus::Failed);
        } else if let Err(error) = std::fs::write(path, &formatted) {
            print_diagnostics(&[Diagnostic::error(
                Code::Io,
                format!("cannot write `{path}`: {error}"),
            )]);
            status = ExitStatus::Invalid;
        } else {
            print_stdout(&format!("{path}: formatted\n"));
        }
    }
    status
}

/// The file's text and its formatted text.
fn format_file(path: &str, max_bytes: u64) -> Result<(String, String), Vec<Diagnostic>> {
    let original = insp::read_text_within(path, max_bytes).map_err(|e| vec![e.into()])?;
    let formatted = insp::format_policy(&Source::new(path, original.clone()))?;
    Ok((original, formatted))
}

fn unified_diff(path: &str, original: &str, formatted: &str) -> String {
    similar::TextDiff::from_lines(original, formatted)
        .unified_diff()
        .context_radius(2)
        .header(path, &format!("{path} (formatted)"))
        .to_string()
}
