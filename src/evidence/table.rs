//! CSV evidence, as analysts export it from spreadsheets: a header row of
//! dotted evidence paths (`crime.rate`; an estimate as `PATH` for its value
//! beside `PATH.margin`), then one organisation per row. Each row becomes a
//! JSON-like document whose every value spans its cell in the file, so that
//! the evidence checks report the row, the column and the place of a bad
//! cell. An empty cell is a value not given. Columns the policy does not
//! read are reported once for the whole table, not once per row.

use super::dotted::insert;
use super::json::{Json, JsonKind};
use super::lines::no_organisation;
use super::records::{Item, Record};
use super::undeclared::{plausible_misspelling, unread_fields};
use super::{ABOUT, departures};
use crate::diagnostics::{Code, Diagnostic};
use crate::policy::Policy;
use crate::source::{Source, Span};
use crate::value::Type;
use std::sync::Arc;

/// One row as read, and where it and its cells are. It becomes a document
/// where it is graded (in parallel), not where it is read.
pub(super) struct Row {
    record: csv::StringRecord,
    /// The whole row's span.
    span: Span,
    /// Each cell's span, in column order.
    cells: Vec<Span>,
    /// The header's columns, shared by every row.
    columns: Arc<[Column]>,
    /// 1-based, the header not counted.
    number: usize,
}

impl Row {
    /// The row as an evidence document, nested by its columns' paths.
    pub(super) fn document(&self) -> Json {
        let mut document = Json {
            kind: JsonKind::Object(Vec::new()),
            span: self.span,
        };
        for (index, (column, text)) in self.columns.iter().zip(&self.record).enumerate() {
            let Some((segments, cell)) = &column.key else {
                continue;
            };
            // The values are the CSV reader's; the places only point at them,
            // so a cell without one still counts, placed at its row.
            let span = self.cells.get(index).copied().unwrap_or(self.span);
            if let Some(kind) = cell_value(*cell, text) {
                insert(&mut document, segments, span, Json { kind, span });
            }
        }
        document
    }

    /// Adds the row and column to each label that points into this row.
    pub(super) fn locate(&self, diagnostic: &mut Diagnostic) {
        let row = self.span;
        for label in &mut diagnostic.labels {
            let within = |span: Span| span.start <= label.span.start && label.span.end <= span.end;
            if let Some(column) = self.cells.iter().position(|span| within(*span)) {
                let column = &self.columns[column].name;
                label.text = format!("{} (row {}, column {column})", label.text, self.number);
            } else if within(row) {
                label.text = format!("{} (row {})", label.text, self.number);
            }
        }
    }
}

/// How a column's cells are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    Number,
    Bool,
    Text,
}

/// A column of the header: the evidence path its cells give (split at its
/// dots), or `None` for a column the policy does not read.
struct Column {
    name: String,
    key: Option<(Vec<String>, Cell)>,
}

/// The items of a CSV source: a notice of unread columns (if any), then
/// each row as a record, or as a failed record when it cannot be read.
pub(super) fn items(policy: &Policy, source: Source) -> impl Iterator<Item = Item> + '_ {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::Cursor::new(SourceBytes(source.clone())));
    let mut header = csv::StringRecord::new();
    let mut first: Vec<Item> = Vec::new();
    let columns = match reader.read_record(&mut header) {
        Ok(true) => 'header: {
            let spans = cell_spans(source.text(), 0);
            if let Some(quote) = spans.unclosed {
                let error = unclosed_quote(&source, quote, "the header");
                first.push(Item::Record(Record::failed(source.name(), error)));
                break 'header Vec::new();
            }
            let spans = spans.cells;
            let columns = header_columns(policy, &header);
            if let Some(error) = repeated_column(&source, &columns, &spans) {
                first.push(Item::Record(Record::failed(source.name(), error)));
                break 'header Vec::new();
            }
            let unread: Vec<(String, Span)> = columns
                .iter()
                .zip(spans.iter().chain(std::iter::repeat(&Span::default())))
                .filter(|(column, _)| column.key.is_none())
                .map(|(column, span)| (column.name.clone(), *span))
                .collect();
            if let Some(notice) = unread_fields(&source, &unread, "columns") {
                first.push(Item::Notice(notice));
            }
            columns
        }
        Ok(false) => {
            let empty = Diagnostic::error(
                Code::EvidenceSyntax,
                "the CSV file is empty: it has no header row",
            )
            .in_source(&source)
            .help("the first row names each column by its evidence path, e.g. `force,crime.rate`");
            first.push(Item::Record(Record::failed(source.name(), empty)));
            Vec::new()
        }
        Err(error) => {
            first.push(Item::Record(Record::failed(
                source.name(),
                csv_error(&source, &error),
            )));
            Vec::new()
        }
    };
    let rows = (!columns.is_empty()).then(|| Rows {
        source,
        reader,
        columns: columns.into(),
        record: csv::StringRecord::new(),
        number: 0,
        done: false,
    });
    first.into_iter().chain(rows.into_iter().flatten())
}

/// The source's bytes as a reader, so that the CSV reader owns its input.
struct SourceBytes(Source);

impl AsRef<[u8]> for SourceBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.text().as_bytes()
    }
}

struct Rows {
    source: Source,
    reader: csv::Reader<std::io::Cursor<SourceBytes>>,
    columns: Arc<[Column]>,
    record: csv::StringRecord,
    number: usize,
    done: bool,
}

impl Iterator for Rows {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        let name = |number: usize| format!("{} row {number}", self.source.name());
        match self.reader.read_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                (self.number == 0).then(|| {
                    Item::Record(no_organisation(self.source.name(), "row after the header"))
                })
            }
            Ok(true) => {
                self.number += 1;
                let start = self.record.position().map_or(0, |p| p.byte() as usize);
                let record = self.row(start).map_or_else(
                    |error| Record::failed(&name(self.number), error),
                    |row| Record::row(name(self.number), self.source.clone(), row),
                );
                Some(Item::Record(record))
            }
            Err(error) => {
                // The reader cannot go on past an error in the file itself.
                self.done = true;
                let error = csv_error(&self.source, &error);
                Some(Item::Record(Record::failed(&name(self.number + 1), error)))
            }
        }
    }
}

impl Rows {
    fn row(&self, start: usize) -> Result<Row, Diagnostic> {
        let spans = cell_spans(self.source.text(), start);
        if let Some(quote) = spans.unclosed {
            let row = format!("row {}", self.number);
            return Err(unclosed_quote(&self.source, quote, &row));
        }
        let spans = spans.cells;
        let end = spans.last().map_or(start, |s| s.end);
        let row_span = Span::new(start, end);
        if self.record.len() != self.columns.len() {
            return Err(Diagnostic::error(
                Code::EvidenceSyntax,
                format!(
                    "row {} has {} cells, but the header names {} columns",
                    self.number,
                    self.record.len(),
                    self.columns.len()
                ),
            )
            .in_source(&self.source)
            .primary(row_span, format!("{} cells", self.record.len()))
            .help("give every row one cell per column; leave a cell empty for a value not given"));
        }
        Ok(Row {
            record: self.record.clone(),
            span: row_span,
            cells: spans,
            columns: self.columns.clone(),
            number: self.number,
        })
    }
}

/// A cell's value as the column reads it; `None` for an empty cell.
fn cell_value(cell: Cell, text: &str) -> Option<JsonKind> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(match cell {
        Cell::Number if is_json_number(trimmed) => JsonKind::Number(trimmed.to_string()),
        Cell::Bool if trimmed.eq_ignore_ascii_case("true") => JsonKind::Bool(true),
        Cell::Bool if trimmed.eq_ignore_ascii_case("false") => JsonKind::Bool(false),
        // Anything else is text; the evidence checks say what was expected.
        _ => JsonKind::String(text.to_string()),
    })
}

/// Whether `text` is a number as JSON writes it (`-12.5`, `1e3`), as the
/// evidence reader expects numbers.
fn is_json_number(text: &str) -> bool {
    let digits = |s: &str| -> usize { s.bytes().take_while(u8::is_ascii_digit).count() };
    let rest = text.strip_prefix('-').unwrap_or(text);
    let whole = digits(rest);
    if whole == 0 || (whole > 1 && rest.starts_with('0')) {
        return false;
    }
    let mut rest = &rest[whole..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let places = digits(fraction);
        if places == 0 {
            return false;
        }
        rest = &fraction[places..];
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let places = digits(exponent);
        return places > 0 && places == exponent.len();
    }
    rest.is_empty()
}

/// What each header column gives: a declared field (an estimate's bare
/// path is its value), an estimate's part, a key grading reads besides
/// fields, or a likely misspelling of a field no column gives (kept, so
/// that the checks report it); any other column is not read.
fn header_columns(policy: &Policy, header: &csv::StringRecord) -> Vec<Column> {
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, name)| match i {
            0 => name.trim_start_matches('\u{feff}').trim().to_string(),
            _ => name.trim().to_string(),
        })
        .collect();
    let field = |path: &str| policy.fields.iter().find(|f| f.path == path);
    let absent: Vec<&str> = policy
        .fields
        .iter()
        .map(|f| f.path.as_str())
        .filter(|path| {
            !names
                .iter()
                .any(|n| n == path || n.strip_suffix(".value") == Some(path))
        })
        .collect();
    names
        .iter()
        .map(|name| {
            let estimate_part = ["value", "margin"].iter().find_map(|part| {
                let path = name.strip_suffix(part)?.strip_suffix('.')?;
                field(path).filter(|f| matches!(f.ty, Type::Estimate(_)))
            });
            let key = match field(name) {
                Some(f) if matches!(f.ty, Type::Estimate(_)) => {
                    Some((format!("{name}.value"), Cell::Number))
                }
                Some(f) if matches!(f.ty, Type::Number(_)) => Some((name.clone(), Cell::Number)),
                Some(f) if f.ty == Type::Bool => Some((name.clone(), Cell::Bool)),
                Some(_) => Some((name.clone(), Cell::Text)),
                None if estimate_part.is_some() => Some((name.clone(), Cell::Number)),
                None if [ABOUT, departures::KEY]
                    .iter()
                    .any(|key| name == key || name.starts_with(&format!("{key}."))) =>
                {
                    Some((name.clone(), Cell::Text))
                }
                None if plausible_misspelling(name, absent.iter().copied()).is_some() => {
                    Some((name.clone(), Cell::Text))
                }
                None => None,
            };
            let key = key.map(|(path, cell)| (path.split('.').map(String::from).collect(), cell));
            Column {
                name: name.clone(),
                key,
            }
        })
        .collect()
}

/// Where the cells of one record stand in the file.
struct CellSpans {
    /// Each cell's span, quotes included.
    cells: Vec<Span>,
    /// Where a quote opens that the file never closes: the CSV reader took
    /// the rest of the file as that one cell, rows and all.
    unclosed: Option<usize>,
}

/// The cells of the record the CSV reader placed at `start`, read as it
/// reads them: a quote opens a quoted cell only at the cell's start, where
/// `""` stands for a quote and the next lone quote closes it; anywhere else
/// a quote is text. The reader gives the values but not where they stand;
/// this finds only the places.
fn cell_spans(text: &str, start: usize) -> CellSpans {
    let bytes = text.as_bytes();
    // The reader places a record that follows `\r\n`, or blank lines, at
    // the line break before it.
    let line_breaks = bytes[start..]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'));
    let mut at = start + line_breaks.count();
    let mut cells = Vec::new();
    loop {
        let cell_start = at;
        if bytes.get(at) == Some(&b'"') {
            at += 1;
            loop {
                match bytes.get(at) {
                    None => {
                        cells.push(Span::new(cell_start, at));
                        let unclosed = Some(cell_start);
                        return CellSpans { cells, unclosed };
                    }
                    Some(b'"') if bytes.get(at + 1) == Some(&b'"') => at += 2,
                    Some(b'"') => {
                        at += 1;
                        break;
                    }
                    Some(_) => at += 1,
                }
            }
        }
        while bytes
            .get(at)
            .is_some_and(|b| !matches!(b, b',' | b'\r' | b'\n'))
        {
            at += 1;
        }
        cells.push(Span::new(cell_start, at));
        if bytes.get(at) != Some(&b',') {
            return CellSpans {
                cells,
                unclosed: None,
            };
        }
        at += 1;
    }
}

/// A column the policy reads named twice in the header: which of its
/// cells would count could differ from row to row.
fn repeated_column(source: &Source, columns: &[Column], spans: &[Span]) -> Option<Diagnostic> {
    let read = |column: &Column| column.key.is_some();
    let (second, name) = columns.iter().enumerate().find_map(|(index, column)| {
        let earlier = &columns[..index];
        let repeated = read(column) && earlier.iter().any(|c| read(c) && c.name == column.name);
        repeated.then_some((index, &column.name))
    })?;
    let first = columns.iter().position(|c| &c.name == name)?;
    let at = |index: usize| spans.get(index).copied().unwrap_or_default();
    Some(
        Diagnostic::error(
            Code::EvidenceDuplicateKey,
            format!("the header names the column `{name}` twice"),
        )
        .in_source(source)
        .primary(at(second), "named again here")
        .label(at(first), "first named here")
        .help("give each evidence path one column"),
    )
}

/// A quote that is never closed, which would hide every row after it.
fn unclosed_quote(source: &Source, quote: usize, place: &str) -> Diagnostic {
    Diagnostic::error(
        Code::EvidenceSyntax,
        format!(
            "a quote opened in {place} is never closed, so the rest of the file reads as one cell"
        ),
    )
    .in_source(source)
    .primary(Span::new(quote, quote + 1), "opened here")
    .help("close the quote; a quote inside a quoted cell is written twice (`\"\"`)")
}

fn csv_error(source: &Source, error: &csv::Error) -> Diagnostic {
    let at = error.position().map_or(0, |p| p.byte() as usize);
    Diagnostic::error(
        Code::EvidenceSyntax,
        format!("the CSV file cannot be read: {error}"),
    )
    .in_source(source)
    .primary(Span::new(at, at), "here")
    .help("a CSV evidence file is a header row of evidence paths, then one row per organisation")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_are_told_from_other_text() {
        for number in ["0", "-3", "45.5", "1e3", "2.5E-2", "-0.25"] {
            assert!(is_json_number(number), "{number}");
        }
        for text in [
            "", "-", "01", "1.", ".5", "1e", "+1", "1,5", "NaN", "inf", "45.5%", "1e+",
        ] {
            assert!(!is_json_number(text), "{text}");
        }
    }

    #[test]
    fn cells_are_found_with_quotes_and_commas_inside_them() {
        let text = "a,\"b, \"\"c\"\"\",,d\nnext";
        let spans: Vec<&str> = cell_spans(text, 0)
            .cells
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(spans, ["a", "\"b, \"\"c\"\"\"", "", "d"]);
    }

    /// As the CSV reader reads them: after `\r\n` and blank lines (where it
    /// places the next record), with a quote inside an unquoted cell, and
    /// after a closing quote.
    #[test]
    fn cells_are_found_where_the_reader_finds_them() {
        let cells = |text: &str, start: usize| -> Vec<String> {
            let spans = cell_spans(text, start);
            assert_eq!(spans.unclosed, None, "{text:?}");
            spans
                .cells
                .iter()
                .map(|s| text[s.start..s.end].to_string())
                .collect()
        };
        assert_eq!(cells("a,b\r\nc,d\r\n", 3), ["c", "d"]);
        assert_eq!(cells("a,b\n\n\r\nc,d", 3), ["c", "d"]);
        assert_eq!(cells("Fish 12\" Co,60\n", 0), ["Fish 12\" Co", "60"]);
        assert_eq!(cells("\"a\"b\",c\n", 0), ["\"a\"b\"", "c"]);
        assert_eq!(cells("\"x\r\ny\",z\r\n", 0), ["\"x\r\ny\"", "z"]);
    }

    #[test]
    fn a_quote_never_closed_is_found() {
        let spans = cell_spans("a,\"b\nc,d\n", 0);
        assert_eq!(spans.unclosed, Some(2));
        let closed_at_the_end = cell_spans("a,\"b\"", 0);
        assert_eq!(closed_at_the_end.unclosed, None);
    }
}
