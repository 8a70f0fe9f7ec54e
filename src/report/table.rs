//! Tabular reports: CSV (one row per judgement of each evidence file, for
//! spreadsheets) and Markdown (a table per file, for written reports).

use super::{not_graded, reasons};
use crate::eval::{Assessment, Outcome};
use crate::policy::JudgementKind;
use crate::policy::Policy;
use std::fmt::Write;

/// One judgement's result, as both tables show it.
struct Row<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
    grade: String,
    status: String,
    because: String,
}

fn rows<'a>(policy: &'a Policy, assessment: &Assessment) -> Vec<Row<'a>> {
    policy
        .judgements
        .iter()
        .enumerate()
        .map(|(index, j)| {
            let outcome = assessment.grading.as_ref().map(|g| &g.outcomes[index]);
            let (grade, status, because) = match outcome {
                Some(Outcome::Graded(graded)) => {
                    let (decided, limited) = reasons(policy, index, graded);
                    let departure = graded
                        .departure
                        .as_ref()
                        .map(|d| format!("departure: {}", d.reason));
                    let because = decided
                        .into_iter()
                        .chain(limited)
                        .chain(departure)
                        .collect::<Vec<_>>()
                        .join("; ");
                    (
                        policy.grades.name(graded.grade).to_string(),
                        "graded".to_string(),
                        because,
                    )
                }
                Some(other) => (
                    String::new(),
                    not_graded(policy, other).unwrap_or_default(),
                    String::new(),
                ),
                None => (
                    String::new(),
                    "not graded: the evidence has errors".to_string(),
                    String::new(),
                ),
            };
            let kind = match j.kind {
                JudgementKind::Question => "question",
                JudgementKind::Judgement => "judgement",
                JudgementKind::Overall => "overall",
            };
            Row {
                id: &j.id,
                kind,
                title: &j.title,
                grade,
                status,
                because,
            }
        })
        .collect()
}

/// The CSV header row, printed once before the rows of every file.
pub const CSV_HEADER: &str = "evidence,force,judgement,kind,title,grade,status,because\n";

/// The CSV rows of one evidence file (without the header).
pub fn csv(policy: &Policy, assessment: &Assessment) -> String {
    let force = assessment.subject.as_deref().unwrap_or("");
    let mut out = String::new();
    for row in rows(policy, assessment) {
        let fields = [
            assessment.path.as_str(),
            force,
            row.id,
            row.kind,
            row.title,
            &row.grade,
            &row.status,
            &row.because,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        let _ = writeln!(out, "{}", line.join(","));
    }
    out
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
        "| Judgement | | Grade | Because |\n| --- | --- | --- | --- |"
    );
    for row in rows(policy, assessment) {
        let grade = if row.grade.is_empty() {
            format!("*{}*", row.status)
        } else {
            format!("**{}**", row.grade.replace('_', " "))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            row.id,
            cell(row.title),
            cell(&grade),
            cell(&row.because)
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
    text.replace('|', "\\|").replace('\n', " ")
}
