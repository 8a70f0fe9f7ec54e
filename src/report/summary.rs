//! The summary across organisations: one row per organisation with its grade
//! per judgement, the distribution of grades per judgement, and the
//! organisations that could not be graded with why, in one line each.
//! Gathered as each organisation is graded (a few bytes a row), rendered
//! once at the end, in text, Markdown, CSV and JSON.

use super::json::{quoted, quoted_grades};
use super::table::{cell, csv_line};
use crate::eval::{Assessment, Outcome};
use crate::policy::Policy;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What became of one judgement of one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Graded (the grade's rank).
    Grade(u8),
    /// Not assessed, by the evidence's own account.
    NotAssessed,
    /// Not graded: an error.
    NotGraded,
}

/// One organisation in the summary.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// Its name (the policy's first text field), if known.
    pub name: Option<String>,
    /// The evidence it was graded from, as reports name it.
    pub evidence: String,
    /// Per judgement, in policy order.
    pub cells: Vec<Cell>,
    /// Why it could not be graded, in one line; `None` when it was.
    pub why: Option<String>,
}

impl Organisation {
    /// An organisation's row, from its assessment.
    pub fn new(policy: &Policy, assessment: &Assessment) -> Self {
        let (name, evidence) = (assessment.subject.clone(), assessment.path.clone());
        Organisation::named(policy, assessment, name, evidence)
    }

    /// An organisation's row, its name and evidence taken out of the
    /// assessment rather than copied: for a caller done with them, as the
    /// CLI is once it has written the organisation's report.
    pub fn taking_names(policy: &Policy, assessment: &mut Assessment) -> Self {
        let name = assessment.subject.take();
        let evidence = std::mem::take(&mut assessment.path);
        Organisation::named(policy, assessment, name, evidence)
    }

    fn named(
        policy: &Policy,
        assessment: &Assessment,
        name: Option<String>,
        evidence: String,
    ) -> Self {
        let cells = (0..policy.judgements.len())
            .map(
                |index| match assessment.grading.as_ref().map(|g| &g.outcomes[index]) {
                    Some(Outcome::Graded(graded)) => Cell::Grade(graded.grade),
                    Some(Outcome::NotAssessed) => Cell::NotAssessed,
                    _ => Cell::NotGraded,
                },
            )
            .collect();
        Organisation {
            name,
            evidence,
            cells,
            why: (!assessment.is_graded()).then(|| why(assessment)),
        }
    }

    /// How tables name it: its name, else its evidence.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.evidence)
    }
}

/// Every organisation graded so far.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// In the order graded.
    pub organisations: Vec<Organisation>,
}

/// The columns of a distribution after the grades.
const NOT_ASSESSED: &str = "not assessed";
const NOT_GRADED: &str = "not graded";

impl Summary {
    /// Adds one organisation's assessment.
    pub fn add(&mut self, policy: &Policy, assessment: &Assessment) {
        self.organisations
            .push(Organisation::new(policy, assessment));
    }

    /// Per judgement: how many organisations got each grade (best first),
    /// then how many were not assessed and not graded.
    pub fn distribution(&self, policy: &Policy) -> Vec<Vec<usize>> {
        let grades = policy.grades.names.len();
        let mut counts = vec![vec![0; grades + 2]; policy.judgements.len()];
        for organisation in &self.organisations {
            for (judgement, cell) in organisation.cells.iter().enumerate() {
                let column = match cell {
                    Cell::Grade(rank) => grades - 1 - *rank as usize,
                    Cell::NotAssessed => grades,
                    Cell::NotGraded => grades + 1,
                };
                counts[judgement][column] += 1;
            }
        }
        counts
    }

    /// The organisations not graded.
    pub fn not_graded(&self) -> impl Iterator<Item = &Organisation> {
        self.organisations.iter().filter(|o| o.why.is_some())
    }

    /// The summary as text: a table of grades, a table of counts, the
    /// organisations not graded.
    pub fn text(&self, policy: &Policy) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Summary: {}\n", self.headline());
        let mut header = vec!["organisation".to_string()];
        header.extend(policy.judgements.iter().map(|j| j.id.clone()));
        let body = self.organisations.iter().map(|o| {
            let mut line = vec![o.label().to_string()];
            line.extend(o.cells.iter().map(|c| cell_words(policy, *c)));
            line
        });
        aligned(&mut out, std::iter::once(header).chain(body).collect());
        let _ = writeln!(out, "\nGrades per judgement:\n");
        aligned(&mut out, self.distribution_table(policy));
        self.text_not_graded(&mut out);
        super::terminal::escape_controls(&out).into_owned()
    }

    fn text_not_graded(&self, out: &mut String) {
        let mut not_graded = self.not_graded().peekable();
        if not_graded.peek().is_some() {
            let _ = writeln!(out, "\nNot graded:\n");
        }
        for organisation in not_graded {
            let why = organisation.why.as_deref().unwrap_or_default();
            let _ = writeln!(out, "  {}: {why}", organisation.evidence);
        }
    }

    /// `5 organisations: 4 graded, 1 not graded`.
    pub fn headline(&self) -> String {
        let total = self.organisations.len();
        let not_graded = self.not_graded().count();
        let noun = if total == 1 {
            "organisation"
        } else {
            "organisations"
        };
        format!(
            "{total} {noun}: {} graded, {not_graded} not graded",
            total - not_graded
        )
    }

    /// The header and one row per judgement of the distribution.
    fn distribution_table(&self, policy: &Policy) -> Vec<Vec<String>> {
        let mut header = vec!["judgement".to_string()];
        header.extend(
            distribution_columns(policy)
                .iter()
                .map(|c| c.replace('_', " ")),
        );
        let rows = policy
            .judgements
            .iter()
            .zip(self.distribution(policy))
            .map(|(j, counts)| {
                let mut row = vec![j.id.clone()];
                row.extend(counts.iter().map(usize::to_string));
                row
            });
        std::iter::once(header).chain(rows).collect()
    }

    /// The summary as Markdown tables.
    pub fn markdown(&self, policy: &Policy) -> String {
        let mut out = format!("## Summary\n\n{}\n\n", self.headline());
        let mut header = vec!["Organisation".to_string()];
        header.extend(policy.judgements.iter().map(|j| format!("`{}`", j.id)));
        let body = self.organisations.iter().map(|o| {
            let mut line = vec![cell(o.label())];
            line.extend(o.cells.iter().map(|c| cell_words(policy, *c)));
            line
        });
        markdown_table(&mut out, std::iter::once(header).chain(body).collect());
        let _ = writeln!(out, "\n### Grades per judgement\n");
        markdown_table(&mut out, self.distribution_table(policy));
        let mut not_graded = self.not_graded().peekable();
        if not_graded.peek().is_some() {
            let _ = writeln!(out, "\n### Not graded\n");
        }
        for organisation in not_graded {
            let why = organisation.why.as_deref().unwrap_or_default();
            let _ = writeln!(out, "- `{}`: {}", cell(&organisation.evidence), cell(why));
        }
        out
    }

    /// The summary as CSV: one row per organisation, a column per
    /// judgement, and why it was not graded.
    pub fn csv(&self, policy: &Policy) -> String {
        let mut out = String::new();
        let mut header = vec!["organisation", "evidence"];
        header.extend(policy.judgements.iter().map(|j| j.id.as_str()));
        header.extend(["graded", "why"]);
        csv_line(&mut out, &header);
        for o in &self.organisations {
            let cells: Vec<&str> = o.cells.iter().map(|c| cell_name(policy, *c)).collect();
            let mut line = vec![o.name.as_deref().unwrap_or(""), &o.evidence];
            line.extend(cells);
            line.push(if o.why.is_none() { "true" } else { "false" });
            line.push(o.why.as_deref().unwrap_or(""));
            csv_line(&mut out, &line);
        }
        out
    }

    /// The summary as one JSON document (`docs/json.md`): what
    /// `write_json` writes, read back as a value.
    pub fn json(&self, policy: &Policy) -> Json {
        let mut written = Vec::new();
        self.write_json(policy, &mut written)
            .expect("writing into memory cannot fail");
        serde_json::from_slice(&written).expect("a summary is JSON")
    }

    /// Writes the summary's JSON document on one line, straight from the
    /// rows (a tree of 100,000 rows would take hundreds of megabytes).
    /// Keys are written in the alphabetical order a `serde_json::Value`
    /// gives them, so that the value `json` gives writes the same text.
    pub fn write_json(
        &self,
        policy: &Policy,
        out: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        let columns = distribution_columns(policy);
        let distribution: BTreeMap<&str, BTreeMap<&str, usize>> = (policy.judgements.iter())
            .zip(self.distribution(policy))
            .map(|(j, counts)| {
                let counts = columns.iter().map(String::as_str).zip(counts).collect();
                (j.id.as_str(), counts)
            })
            .collect();
        let not_graded: Vec<NotGradedJson> = (self.not_graded())
            .map(|o| NotGradedJson {
                evidence: &o.evidence,
                organisation: o.name.as_deref(),
                why: o.why.as_deref(),
            })
            .collect();
        out.write_all(b"{\"summary\":{\"distribution\":")?;
        serde_json::to_writer(&mut *out, &distribution)?;
        out.write_all(b",\"not_graded\":")?;
        serde_json::to_writer(&mut *out, &not_graded)?;
        out.write_all(b",\"organisations\":[")?;
        let rows = RowParts::new(policy);
        let mut row = Vec::new();
        for (n, organisation) in self.organisations.iter().enumerate() {
            row.clear();
            if n > 0 {
                row.push(b',');
            }
            rows.write(organisation, &mut row)?;
            out.write_all(&row)?;
        }
        out.write_all(b"],\"policy\":")?;
        serde_json::to_writer(&mut *out, &policy.name)?;
        out.write_all(b"}}\n")
    }
}

#[derive(Serialize)]
struct NotGradedJson<'a> {
    evidence: &'a str,
    organisation: Option<&'a str>,
    why: Option<&'a str>,
}

/// What every organisation's row in the JSON summary shares, escaped once:
/// written key by key through serde, 100,000 rows took a seventh of a
/// batch's time, all of it after the last organisation was graded.
struct RowParts {
    /// The judgements in the order of their ids (the keys' order), each
    /// with its key, `"id":`.
    keys: Vec<(usize, String)>,
    /// Per grade (by rank), its name as a JSON string.
    grades: Vec<String>,
    not_assessed: String,
    not_graded: String,
}

impl RowParts {
    fn new(policy: &Policy) -> Self {
        // Judgement ids are unique: sorted, they are the order of the keys.
        let mut keys: Vec<(usize, String)> = (policy.judgements.iter().enumerate())
            .map(|(index, j)| (index, quoted(&j.id) + ":"))
            .collect();
        keys.sort_by_key(|&(index, _)| &policy.judgements[index].id);
        RowParts {
            keys,
            grades: quoted_grades(policy),
            not_assessed: quoted(NOT_ASSESSED),
            not_graded: quoted(NOT_GRADED),
        }
    }

    /// `{"evidence":…,"graded":…,"grades":{…},"organisation":…,"why":…}`
    fn write(&self, o: &Organisation, row: &mut Vec<u8>) -> serde_json::Result<()> {
        row.extend_from_slice(b"{\"evidence\":");
        serde_json::to_writer(&mut *row, &o.evidence)?;
        row.extend_from_slice(match o.why {
            None => b",\"graded\":true,\"grades\":{",
            Some(_) => b",\"graded\":false,\"grades\":{",
        });
        for (n, (judgement, key)) in self.keys.iter().enumerate() {
            if n > 0 {
                row.push(b',');
            }
            row.extend_from_slice(key.as_bytes());
            let name = match o.cells[*judgement] {
                Cell::Grade(rank) => &self.grades[usize::from(rank)],
                Cell::NotAssessed => &self.not_assessed,
                Cell::NotGraded => &self.not_graded,
            };
            row.extend_from_slice(name.as_bytes());
        }
        row.extend_from_slice(b"},\"organisation\":");
        serde_json::to_writer(&mut *row, &o.name)?;
        row.extend_from_slice(b",\"why\":");
        serde_json::to_writer(&mut *row, &o.why)?;
        row.push(b'}');
        Ok(())
    }
}

/// The grade names, best first, then `not assessed` and `not graded`.
pub fn distribution_columns(policy: &Policy) -> Vec<String> {
    let mut columns: Vec<String> = policy.grades.names.iter().rev().cloned().collect();
    columns.extend([NOT_ASSESSED.to_string(), NOT_GRADED.to_string()]);
    columns
}

/// A cell's grade identifier, or what became of it.
fn cell_name(policy: &Policy, cell: Cell) -> &str {
    match cell {
        Cell::Grade(rank) => policy.grades.name(rank),
        Cell::NotAssessed => NOT_ASSESSED,
        Cell::NotGraded => NOT_GRADED,
    }
}

/// A cell in words, for people.
pub fn cell_words(policy: &Policy, cell: Cell) -> String {
    match cell {
        Cell::Grade(rank) => policy.grades.words(rank),
        other => cell_name(policy, other).to_string(),
    }
}

/// Why an organisation was not graded, in one line: its first error, and
/// how many more there are.
fn why(assessment: &Assessment) -> String {
    let mut errors = assessment.diagnostics.iter().filter(|d| d.is_error());
    let Some(first) = errors.next() else {
        return "not graded".to_string();
    };
    let first = first.message.replace(['\n', '\r'], " ");
    match errors.count() {
        0 => first,
        1 => format!("{first} (and 1 more error)"),
        more => format!("{first} (and {more} more errors)"),
    }
}

/// Rows written in columns padded to their widest cell.
fn aligned(out: &mut String, rows: Vec<Vec<String>>) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
}

fn markdown_table(out: &mut String, rows: Vec<Vec<String>>) {
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else { return };
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary written to a stream is the summary as a value, written:
    /// the same keys in the same (sorted) order, grades and counts included.
    #[test]
    fn written_as_its_value_is() {
        let policy = crate::check::compile_file("policies/hmic-crime-2014.insp");
        let mut summary = Summary::default();
        for evidence in [
            "examples/norfolk-2014.json",
            "examples/kingsley-illtyped-2014.json",
        ] {
            summary.add(&policy, &crate::eval::assess_file(&policy, evidence, false));
        }
        let mut written = Vec::new();
        summary.write_json(&policy, &mut written).unwrap();
        let value = summary.json(&policy);
        assert_eq!(String::from_utf8(written).unwrap(), format!("{value}\n"));
        assert_eq!(
            value["summary"]["not_graded"].as_array().map(Vec::len),
            Some(1)
        );
    }
}
