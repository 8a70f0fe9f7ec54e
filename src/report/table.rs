//! Tabular reports: CSV (one row per judgement of each evidence file, for
//! spreadsheets) and Markdown (a table per file, for written reports).

use super::rows::rows;
use crate::eval::Assessment;
use crate::policy::JudgementKind;
use crate::policy::Policy;
use std::fmt::Write;

/// The CSV header row, printed once before the rows of every file.
pub const CSV_HEADER: &str = "evidence,organisation,judgement,kind,title,grade,resolved_grade,status,because,limited_by,limit_because\n";

/// The header with further columns after the others (the decision tools':
/// `robust`, `would_change`).
pub fn csv_header(extra: &[&str]) -> String {
    let mut header = CSV_HEADER.trim_end().to_string();
    for column in extra {
        header.push(',');
        header.push_str(column);
    }
    header.push('\n');
    header
}

/// The CSV rows of one evidence file (without the header): the grade, the
/// grade before caps and floors, the reason for the grade, and each limit
/// that changed it with its own reason (several joined by `; `).
pub fn csv(policy: &Policy, assessment: &Assessment) -> String {
    csv_with(policy, assessment, &|_| Vec::new())
}

/// `csv`, with further cells at the end of each judgement's row (by id),
/// under the columns `csv_header` added.
pub fn csv_with(
    policy: &Policy,
    assessment: &Assessment,
    extra: &dyn Fn(&str) -> Vec<String>,
) -> String {
    let organisation = assessment.subject.as_deref().unwrap_or("");
    let mut out = String::new();
    for row in rows(policy, assessment) {
        let limited_by: Vec<&str> = row.limits.iter().map(|l| l.words.as_str()).collect();
        let limit_because: Vec<&str> = row
            .limits
            .iter()
            .map(|l| l.because.as_deref().unwrap_or(""))
            .collect();
        let (limited_by, limit_because) = (limited_by.join("; "), limit_because.join("; "));
        let cells = extra(row.id);
        let mut fields = vec![
            assessment.path.as_str(),
            organisation,
            row.id,
            row.kind,
            row.title,
            &row.grade,
            &row.resolved,
            &row.status,
            &row.because,
            &limited_by,
            &limit_because,
        ];
        fields.extend(cells.iter().map(String::as_str));
        csv_line(&mut out, &fields);
    }
    out
}

/// One CSV line of fields, each quoted and neutralised as needed.
pub(crate) fn csv_line(out: &mut String, fields: &[&str]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    let _ = writeln!(out, "{}", line.join(","));
}

/// A field quoted when it holds a comma, quote or line break (RFC 4180),
/// and never read as a formula by a spreadsheet.
pub(crate) fn csv_field(field: &str) -> String {
    let field = formula_neutralised(field);
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.into_owned()
    }
}

/// Text a spreadsheet would run as a formula (it begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises.
/// A plain number such as `-3` is left as it is: it is data, not a formula.
fn formula_neutralised(field: &str) -> std::borrow::Cow<'_, str> {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && field.parse::<rust_decimal::Decimal>().is_err() {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// A Markdown section for one evidence file.
pub fn markdown(policy: &Policy, assessment: &Assessment) -> String {
    let mut out = String::new();
    let title = match &assessment.subject {
        Some(subject) => format!("{subject} — `{}`", assessment.path),
        None => format!("`{}`", assessment.path),
    };
    let _ = writeln!(out, "### {}\n", cell(&title));
    let _ = writeln!(
        out,
        "| Judgement | | Grade | Because | Limited by |\n| --- | --- | --- | --- | --- |"
    );
    for row in rows(policy, assessment) {
        let grade = match row.graded {
            Some(_) => format!("**{}**", row.status_words),
            None => format!("*{}*", row.status),
        };
        let limits: Vec<String> = row.limits.iter().map(|l| l.with_reason()).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            row.id,
            cell(row.title),
            cell(&grade),
            cell(&row.because),
            cell(&limits.join("; "))
        );
    }
    if !policy
        .judgements
        .iter()
        .any(|j| j.kind == JudgementKind::Overall)
    {
        let _ = writeln!(out, "\nNo overall judgement: this policy gives none.");
    }
    let errors: Vec<String> = assessment
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("- `{}`: {}", d.code, cell(&d.message)))
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\nErrors:\n\n{}", errors.join("\n"));
    }
    out.push('\n');
    out
}

/// Text safe inside a Markdown table cell.
pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::cell;

    /// A cell is one line of its row, whatever line breaks or bars its text
    /// holds (a departure's reason is written by hand).
    #[test]
    fn a_cell_stays_within_its_row() {
        assert_eq!(cell("a|b"), "a\\|b");
        for text in ["a\nb", "a\rb", "a\r\nb"] {
            let shown = cell(text);
            assert!(!shown.contains(['\r', '\n']), "{text:?} gives {shown:?}");
            assert!(shown.starts_with('a') && shown.ends_with('b'), "{shown:?}");
        }
    }
}
