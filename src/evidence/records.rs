//! Evidence in the forms teams hold it: one organisation per JSON file, a
//! folder of them, a JSON Lines file (one organisation per line), a CSV
//! table (one per row), or any of these on standard input (`-`). Each
//! organisation becomes a [`Record`] whose spans point into the file it came
//! from, so that a diagnostic shows the line and column (for CSV, the row
//! and column) of the value at fault. Records are read lazily, one input
//! after another, so that a large table never needs its documents in memory
//! at once (a JSON Lines file is read a part at a time, see `lines`); a
//! problem with one record never hides the others.

use super::json::Json;
use super::{Evidence, Loaded, lines, parse_document, table};
use crate::diagnostics::{Code, Diagnostic};
use crate::policy::Policy;
use crate::source::{ReadError, Source, Span, read_text_within};
use rayon::prelude::*;
use std::borrow::Cow;
use std::path::Path;

/// One organisation's evidence, as found in an input.
pub struct Record {
    /// How reports name it: the file's path, `FILE:LINE` for a line of a
    /// JSON Lines file, `FILE row N` for a row of a CSV table.
    pub name: String,
    /// The file it came from: spans point into it. For a line of a JSON
    /// Lines file, the part of the file around it (see `Source::origin`).
    pub source: Source,
    pub(super) body: Body,
}

pub(super) enum Body {
    /// The whole source is one JSON document.
    Whole,
    /// A JSON document on one line of the source.
    Line(Span),
    /// A row of a table, already turned into a document.
    Row(table::Row),
    /// The record could not be read at all.
    Failed(Box<Diagnostic>),
}

/// What reading the inputs yields: organisations, and notices about a whole
/// input (a table's columns the policy does not read).
pub enum Item {
    /// One organisation's evidence.
    Record(Record),
    /// A warning about an input as a whole.
    Notice(Diagnostic),
}

impl Record {
    pub(super) fn line(name: String, source: Source, span: Span) -> Record {
        Record {
            name,
            source,
            body: Body::Line(span),
        }
    }

    pub(super) fn row(name: String, source: Source, row: table::Row) -> Record {
        Record {
            name,
            source,
            body: Body::Row(row),
        }
    }

    /// A record that could not be read, named `name`, with why.
    pub fn failed(name: &str, diagnostic: Diagnostic) -> Record {
        Record {
            name: name.to_string(),
            source: Source::new(name, ""),
            body: Body::Failed(Box::new(diagnostic)),
        }
    }

    /// A whole JSON document held in memory.
    pub fn whole(source: Source) -> Record {
        Record {
            name: source.name().to_string(),
            source,
            body: Body::Whole,
        }
    }

    /// The record's JSON document (parsed here, so that parsing runs
    /// wherever the record is graded).
    pub(crate) fn document(&self) -> Result<Cow<'_, Json>, Diagnostic> {
        match &self.body {
            Body::Whole => {
                parse_document(&self.source, Span::new(0, self.source.text().len())).map(Cow::Owned)
            }
            Body::Line(span) => parse_document(&self.source, *span).map(Cow::Owned),
            Body::Row(row) => Ok(Cow::Owned(row.document())),
            Body::Failed(diagnostic) => Err((**diagnostic).clone()),
        }
    }

    /// The record's evidence bound to the policy. A file or a line of JSON
    /// Lines is read the fast way when it can be, in place in its source
    /// (no copy of its text); anything else, and anything with something to
    /// report, is read from its document with spans, which gives the
    /// diagnostics (see `Evidence::load`).
    pub fn load(&self, policy: &Policy) -> Result<Loaded, Vec<Diagnostic>> {
        let spanned = || {
            let root = self.document().map_err(|diagnostic| vec![diagnostic])?;
            Evidence::load_document(policy, &self.source, &root)
        };
        match &self.body {
            Body::Whole => {
                let whole = Span::new(0, self.source.text().len());
                Evidence::load_within(policy, &self.source, whole, spanned)
            }
            Body::Line(span) => Evidence::load_within(policy, &self.source, *span, spanned),
            Body::Row(_) | Body::Failed(_) => spanned(),
        }
    }

    /// Names the row and column of each label that points into a table's
    /// cell: `a string here (row 3, column crime.rate)`.
    pub(crate) fn locate(&self, diagnostics: &mut [Diagnostic]) {
        if let Body::Row(row) = &self.body {
            diagnostics.iter_mut().for_each(|d| row.locate(d));
        }
    }

    /// The record as a standalone source (for tools that rewrite evidence,
    /// such as `--set`): the file itself when the record is a whole file,
    /// else its document written out as JSON under the record's name.
    pub fn standalone(&self) -> Result<Source, Diagnostic> {
        match &self.body {
            Body::Whole => Ok(self.source.clone()),
            _ => Ok(Source::new(&self.name, self.document()?.to_text())),
        }
    }
}

/// The records of a JSON Lines text held in memory: one per line that is
/// not blank, named `NAME:LINE` (lines numbered from 1, or from the
/// source's origin), each read in place in `source` when it is loaded (no
/// copy of its line). A text with no such line gives one record that
/// failed, as a file would.
pub fn json_lines(source: Source) -> impl Iterator<Item = Record> + Send {
    lines::records(source)
}

/// The inputs' records, in order: each argument a JSON file, a folder (its
/// `*.json` files, by name), a `.jsonl`/`.ndjson` file, a `.csv` file, or `-`
/// for standard input (a JSON document, JSON Lines or CSV, told apart by
/// their first character and by whether the whole parses as one document).
/// Files larger than `max_bytes` are refused.
pub fn read_inputs<'a>(
    policy: &'a Policy,
    inputs: &'a [String],
    max_bytes: u64,
) -> impl Iterator<Item = Item> + 'a {
    inputs
        .iter()
        .flat_map(move |input| read_input(policy, input, max_bytes))
}

/// The kinds of evidence input, by how they are split into organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Json,
    JsonLines,
    Csv,
}

fn read_input<'a>(
    policy: &'a Policy,
    input: &str,
    max_bytes: u64,
) -> Box<dyn Iterator<Item = Item> + 'a> {
    let failed = |input: &str, error: Diagnostic| -> Box<dyn Iterator<Item = Item>> {
        Box::new(std::iter::once(Item::Record(Record::failed(input, error))))
    };
    if input == "-" {
        return match read_stdin(max_bytes) {
            Ok(text) => {
                let source = Source::new("<stdin>", text);
                split(policy, sniff(source.text()), source)
            }
            Err(error) => failed("<stdin>", error.into()),
        };
    }
    let path = Path::new(input);
    if path.is_dir() {
        return match json_files_in(path) {
            Ok(files) => Box::new(read_files(policy, files, max_bytes)),
            Err(error) => failed(input, error),
        };
    }
    match form_of(path) {
        Form::JsonLines => Box::new(lines::read(input, max_bytes).map(Item::Record)),
        form => from_text(policy, input, form, read_text_within(input, max_bytes)),
    }
}

/// Files of a folder read at once, in parallel: a folder of many small
/// files spends its time in the system's calls, one file after another.
const FILES_AT_ONCE: usize = 256;

/// A file of a folder: its path, or, when its name is not UTF-8, that name
/// as shown (its invalid bytes replaced), which no file has.
type Listed = Result<String, String>;

/// The name a listed file is reported by.
fn listed_name(file: &Listed) -> &str {
    let (Ok(name) | Err(name)) = file;
    name
}

/// The files of a folder, each one organisation, in order; read ahead in
/// parallel, a few at a time, so that memory stays bounded.
fn read_files(
    policy: &Policy,
    files: Vec<Listed>,
    max_bytes: u64,
) -> impl Iterator<Item = Item> + '_ {
    (0..files.len())
        .step_by(FILES_AT_ONCE)
        .flat_map(move |start| {
            let chunk = &files[start..files.len().min(start + FILES_AT_ONCE)];
            let texts: Vec<_> = chunk
                .par_iter()
                .map(|file| match file {
                    Ok(path) => read_text_within(path, max_bytes),
                    Err(shown) => Err(ReadError::name_not_text(shown)),
                })
                .collect();
            let read: Vec<Item> = chunk
                .iter()
                .zip(texts)
                .flat_map(|(file, text)| from_text(policy, listed_name(file), Form::Json, text))
                .collect();
            read
        })
}

/// What a file that was read (or could not be) holds.
fn from_text<'a>(
    policy: &'a Policy,
    path: &str,
    form: Form,
    text: Result<String, ReadError>,
) -> Box<dyn Iterator<Item = Item> + 'a> {
    match text {
        Ok(text) => split(policy, form, Source::new(path, text)),
        Err(error) => Box::new(std::iter::once(Item::Record(Record::failed(
            path,
            error.into(),
        )))),
    }
}

fn split<'a>(
    policy: &'a Policy,
    form: Form,
    source: Source,
) -> Box<dyn Iterator<Item = Item> + 'a> {
    match form {
        Form::Json => Box::new(std::iter::once(Item::Record(Record::whole(source)))),
        Form::JsonLines => Box::new(lines::records(source).map(Item::Record)),
        Form::Csv => Box::new(table::items(policy, source)),
    }
}

fn form_of(path: &Path) -> Form {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("jsonl") || ext.eq_ignore_ascii_case("ndjson") => {
            Form::JsonLines
        }
        Some(ext) if ext.eq_ignore_ascii_case("csv") => Form::Csv,
        _ => Form::Json,
    }
}

/// Standard input's form: JSON when it starts like JSON and parses as one
/// document, JSON Lines when it starts like JSON but does not, else CSV.
fn sniff(text: &str) -> Form {
    match text.trim_start().chars().next() {
        Some('{' | '[') if super::json::parse(text).is_ok() => Form::Json,
        Some('{') => Form::JsonLines,
        Some('[') | None => Form::Json,
        Some(_) => Form::Csv,
    }
}

fn read_stdin(max_bytes: u64) -> Result<String, ReadError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError {
            message: format!("cannot read standard input: {e}"),
            help: "pipe evidence into `insp evaluate POLICY -`",
        })?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError {
            message: "standard input is larger than the largest file read".to_string(),
            help: "insp reads files up to 16 MiB unless `--max-file-mib` raises the limit",
        });
    }
    crate::source::without_bom(bytes).map_err(|offset| ReadError {
        message: format!("standard input is not UTF-8 text (invalid byte at offset {offset})"),
        help: "policies and evidence files are UTF-8 text",
    })
}

/// Whether a folder's entry is a file, or a link to one: the kind the
/// listing gives, without asking the system again for each file but a link.
fn is_file(entry: &std::fs::DirEntry) -> bool {
    match entry.file_type() {
        Ok(kind) if kind.is_symlink() => entry.path().is_file(),
        Ok(kind) => kind.is_file(),
        Err(_) => entry.path().is_file(),
    }
}

/// The `*.json` files of a folder, sorted by name; a folder without any
/// is an error, never an empty run.
fn json_files_in(folder: &Path) -> Result<Vec<Listed>, Diagnostic> {
    let shown = folder.display();
    let entries = std::fs::read_dir(folder).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot read the folder `{shown}`: {e}"))
            .help("check the path and permissions")
    })?;
    let mut files: Vec<Listed> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
        .filter(is_file)
        .map(|entry| {
            let path = entry.path();
            path.to_str()
                .map(str::to_string)
                .ok_or_else(|| path.to_string_lossy().into_owned())
        })
        .collect();
    if files.is_empty() {
        return Err(Diagnostic::error(
            Code::Io,
            format!("the folder `{shown}` holds no `.json` file"),
        )
        .help("a folder given as evidence is graded file by file: every `*.json` in it"));
    }
    files.sort_by(|a, b| listed_name(a).cmp(listed_name(b)));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reading gave, in comparable form: every slot's value, text
    /// and span, each judgement's departure, and every diagnostic in full
    /// (code, message, labels with their spans, help, related ones).
    fn outcome(policy: &Policy, loaded: Result<Loaded, Vec<Diagnostic>>) -> String {
        let drawn = |diagnostics: &[Diagnostic]| format!("{diagnostics:?}");
        match loaded {
            Ok(Loaded {
                evidence: e,
                warnings,
            }) => format!(
                "ok {:?} {:?} {:?} {:?} {}",
                e.values,
                e.texts,
                e.spans,
                (0..policy.judgements.len())
                    .map(|j| e.departure(j))
                    .collect::<Vec<_>>(),
                drawn(&warnings)
            ),
            Err(diagnostics) => format!("err {}", drawn(&diagnostics)),
        }
    }

    /// Every shipped evidence file, on one line.
    fn documents() -> Vec<String> {
        let mut paths: Vec<_> = std::fs::read_dir("examples")
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        (paths.iter())
            .map(|path| std::fs::read_to_string(path).unwrap().replace('\n', " "))
            // A document the fast reader declines (an escape), and one broken.
            .chain([
                r#"{"force": "A\u0042"}"#.to_string(),
                "{\"force\": ".to_string(),
            ])
            .collect()
    }

    /// A record read in place (the fast reader where it can, on its part of
    /// the source) is read exactly as from its document with spans: the
    /// same values, texts, spans into the whole source, and diagnostics,
    /// for a whole file and for each line of JSON Lines.
    #[test]
    fn a_record_loads_as_its_spanned_document_does() {
        let policy = crate::check::compile_file("policies/hmic-crime-2014.insp");
        let documents = documents();
        let lines = Source::new("batch.jsonl", documents.join("\n") + "\n");
        let records = lines::records(lines).chain(
            documents
                .iter()
                .map(|d| Record::whole(Source::new("e.json", d.as_str()))),
        );
        let mut loaded = 0;
        for record in records {
            let spanned = record
                .document()
                .map_err(|diagnostic| vec![diagnostic])
                .and_then(|root| Evidence::load_document(&policy, &record.source, &root));
            let read = outcome(&policy, record.load(&policy));
            assert_eq!(read, outcome(&policy, spanned), "{}", record.name);
            loaded += usize::from(read.starts_with("ok"));
        }
        assert!(
            loaded >= 4 && loaded < 2 * documents.len(),
            "some records load, some do not ({loaded})"
        );
    }

    /// `json_lines` gives one record per line that is not blank, named by
    /// its line and bound as the line alone would be; a text with no such
    /// line gives one record that failed, saying so.
    #[test]
    fn a_json_lines_text_gives_a_record_per_line() {
        let policy = crate::check::compile_file("policies/hmic-crime-2014.insp");
        let loads =
            |d: &String| Evidence::load(&policy, &Source::new("e.json", d.as_str())).is_ok();
        let documents: Vec<String> = documents().into_iter().filter(loads).collect();
        let text = format!(
            "{}\n\n  \r\n{}\r\n{}",
            documents[0], documents[1], documents[2]
        );
        let records: Vec<Record> = json_lines(Source::new("batch.jsonl", text)).collect();
        let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["batch.jsonl:1", "batch.jsonl:4", "batch.jsonl:5"]);
        let bound = |loaded: Result<Loaded, Vec<Diagnostic>>| {
            let evidence = loaded.unwrap_or_else(|_| panic!("loads")).evidence;
            format!("{:?} {:?}", evidence.values, evidence.texts)
        };
        for (record, document) in records.iter().zip(&documents) {
            let alone = Evidence::load(&policy, &Source::new("e.json", document.as_str()));
            assert_eq!(bound(record.load(&policy)), bound(alone), "{}", record.name);
        }
        // A part of a file: its lines are numbered from its origin's.
        let origin = crate::source::Origin {
            byte: 5_000,
            line: 10,
        };
        let part = Source::part("big.jsonl", format!("\n{}", documents[0]), origin);
        let names: Vec<String> = json_lines(part).map(|r| r.name).collect();
        assert_eq!(names, ["big.jsonl:12"]);
        let blank: Vec<Record> = json_lines(Source::new("blank.jsonl", "\n \r\n")).collect();
        assert_eq!(blank.len(), 1);
        let Err(diagnostics) = blank[0].load(&policy) else {
            panic!("a text of blank lines loads nothing")
        };
        assert_eq!(
            diagnostics[0].message,
            "`blank.jsonl` holds no organisation: it has no line of JSON"
        );
    }
}
