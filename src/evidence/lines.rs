//! JSON Lines: one organisation's evidence per line. Blank lines are
//! skipped (they hold no organisation); each other line is a record named
//! `FILE:LINE`, parsed where it is graded.
//!
//! A file is read a part at a time (`PART_BYTES` of lines or so), so that
//! grading starts on the first part while the next is read, and memory
//! holds a few parts rather than the file. Each part is a [`Source`] placed
//! at its origin in the file, and carries at least `CONTEXT_LINES` of the
//! file's lines on each side of its own (counted at `\n`; a lone `\r` only
//! adds lines as the renderer counts them): its diagnostics show the same
//! lines, line numbers and offsets as the whole file's would.

use super::records::Record;
use crate::diagnostics::{CONTEXT_LINES, Code, Diagnostic};
use crate::source::{BOM, Origin, ReadError, Source, Span, count_line_ends, open_within};
use std::ops::Range;

/// About how much of a file one part holds.
const PART_BYTES: usize = 1 << 20;

/// How much is read from the file at once.
const BLOCK_BYTES: usize = 1 << 16;

/// The records of a JSON Lines text held whole (standard input, or a text
/// given to `json_lines`), its lines numbered from its origin's. Each
/// record is made as it is asked for: a text of many lines never holds them
/// all at once.
pub(super) fn records(source: Source) -> Box<dyn Iterator<Item = Record> + Send> {
    let first_number = source.origin().line + 1;
    let mut records = records_in(source.clone(), first_number, 0..usize::MAX).peekable();
    if records.peek().is_none() {
        return Box::new(std::iter::once(no_organisation(
            source.name(),
            "line of JSON",
        )));
    }
    Box::new(records)
}

/// The records of a JSON Lines file of at most `max_bytes`, read a part at
/// a time.
pub(super) fn read(path: &str, max_bytes: u64) -> Box<dyn Iterator<Item = Record>> {
    match open_within(path, max_bytes) {
        Ok((file, _)) => Box::new(Parts::new(path, file, max_bytes, Sizes::FILE)),
        Err(error) => Box::new(std::iter::once(Record::failed(path, error.into()))),
    }
}

/// The record of an input that holds no organisation (`what` it lacks).
pub(super) fn no_organisation(name: &str, what: &str) -> Record {
    let diagnostic = Diagnostic::error(
        Code::EvidenceSyntax,
        format!("`{name}` holds no organisation: it has no {what}"),
    )
    .help(
        "give one organisation's evidence per line (JSON Lines) or per row after the header (CSV)",
    );
    Record::failed(name, diagnostic)
}

/// The records on lines `own` (0-based, of this text) of a source whose
/// first line is line `first_number` of its file.
fn records_in(
    source: Source,
    first_number: usize,
    own: Range<usize>,
) -> impl Iterator<Item = Record> {
    line_spans(source.clone())
        .skip(own.start)
        .take(own.len())
        .filter_map(move |(index, span)| {
            if source.slice(span).trim().is_empty() {
                return None;
            }
            let name = line_name(source.name(), first_number + index);
            Some(Record::line(name, source.clone(), span))
        })
}

/// `FILE:LINE`, the name of the record on a line. It is made for every
/// line, so the number is written digit by digit: `format!` costs ten times
/// as much, a tenth of all the work of reading a line.
fn line_name(file: &str, number: usize) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = number;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut name = String::with_capacity(file.len() + 1 + digits.len() - start);
    name.push_str(file);
    name.push(':');
    name.extend(digits[start..].iter().map(|&digit| char::from(digit)));
    name
}

/// Each line's 0-based index and span, without its line break.
fn line_spans(source: Source) -> impl Iterator<Item = (usize, Span)> {
    let mut start = 0;
    let mut index = 0;
    std::iter::from_fn(move || {
        let rest = &source.text()[start..];
        if rest.is_empty() {
            return None;
        }
        let line = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest, |end| &rest[..=end]);
        let content = line.trim_end_matches(['\n', '\r']);
        let found = (index, Span::new(start, start + content.len()));
        start += line.len();
        index += 1;
        Some(found)
    })
}

/// A JSON Lines file being read a part at a time.
struct Parts<R> {
    path: String,
    file: std::io::Take<R>,
    max_bytes: u64,
    /// About how much of the file one part holds, and is read at once.
    sizes: Sizes,
    /// The file from the first line held on: first the lines a part before
    /// gave already (kept as context), then lines still to give, then the
    /// start of a line not yet read to its end.
    text: Vec<u8>,
    /// Where each whole line held ends in `text` (after its `\n`, if it
    /// has one).
    ends: Vec<usize>,
    /// How many of the lines held are context only.
    context: usize,
    /// Where `text` begins in the file.
    origin: Origin,
    /// The 1-based number of the first line held.
    first_number: usize,
    /// Bytes read so far.
    bytes_read: u64,
    /// Whether the start of the file was checked for a byte order mark
    /// (dropped, as from a file read whole).
    bom_checked: bool,
    /// Whether the file was read to its end.
    read_all: bool,
    /// Records of the last part, still to give.
    ready: std::vec::IntoIter<Record>,
    /// Whether any record was given.
    gave_any: bool,
    /// Whether the last record was given.
    done: bool,
}

/// About how much of a file a part holds, and how much is read at once.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    part: usize,
    block: usize,
}

impl Sizes {
    const FILE: Sizes = Sizes {
        part: PART_BYTES,
        block: BLOCK_BYTES,
    };
}

impl<R: std::io::Read> Parts<R> {
    fn new(path: &str, file: std::io::Take<R>, max_bytes: u64, sizes: Sizes) -> Parts<R> {
        Parts {
            path: path.to_string(),
            file,
            max_bytes,
            sizes,
            text: Vec::new(),
            ends: Vec::new(),
            context: 0,
            origin: Origin::default(),
            first_number: 1,
            bytes_read: 0,
            bom_checked: false,
            read_all: false,
            ready: Vec::new().into_iter(),
            gave_any: false,
            done: false,
        }
    }

    /// The next part's records; after the last, what ends the file: an
    /// error, or the notice that it holds no organisation.
    fn next_part(&mut self) -> Vec<Record> {
        let own_end = match self.fill() {
            Ok(own_end) => own_end,
            Err(error) => return self.stop(error),
        };
        let last = self.read_all && own_end == self.ends.len();
        let held = self.let_go(own_end);
        let (text, not_text) = text_before_any_fault(held.text);
        let source = Source::part(&self.path, text, held.origin);
        // Before a fault, reading stops: every whole line before it is given.
        let own = match not_text {
            Some(_) => held.context..usize::MAX,
            None => held.context..own_end,
        };
        let mut records: Vec<Record> = records_in(source, held.first_number, own).collect();
        self.gave_any |= !records.is_empty();
        if let Some(offset) = not_text {
            let offset = held.origin.byte + offset;
            records.extend(self.stop(ReadError::not_text(&self.path, offset)));
            return records;
        }
        if last {
            self.done = true;
            if !self.gave_any {
                return vec![no_organisation(&self.path, "line of JSON")];
            }
        }
        records
    }

    /// Reads until the lines held make a part, with the lines after it
    /// (or the file ends); where the part's own lines end.
    fn fill(&mut self) -> Result<usize, ReadError> {
        loop {
            if let Some(own_end) = self.part_end() {
                return Ok(own_end);
            }
            if self.read_all {
                return Ok(self.ends.len());
            }
            self.read_block()?;
        }
    }

    /// Where a part of `part_bytes` would end among the lines held, if the
    /// `CONTEXT_LINES` after it are held too.
    fn part_end(&self) -> Option<usize> {
        let start = self.context_bytes();
        let short = self.ends[self.context..].partition_point(|&end| end - start < self.sizes.part);
        let own_end = self.context + short + 1;
        (own_end + CONTEXT_LINES <= self.ends.len()).then_some(own_end)
    }

    /// Reads the next block of the file onto the text held, noting the
    /// lines it completes.
    fn read_block(&mut self) -> Result<(), ReadError> {
        use std::io::Read;
        let start = self.text.len();
        let read = (&mut self.file)
            .take(self.sizes.block as u64)
            .read_to_end(&mut self.text)
            .map_err(|e| ReadError::cannot_read(&self.path, &e))?;
        self.bytes_read += read as u64;
        if self.bytes_read > self.max_bytes {
            return Err(ReadError::too_large(&self.path, self.max_bytes));
        }
        let start = start.saturating_sub(self.drop_bom(read == 0));
        let new_lines = memchr::memchr_iter(b'\n', &self.text[start..]).map(|i| start + i + 1);
        self.ends.extend(new_lines);
        if read == 0 {
            self.read_all = true;
            // The last line, if it has no line break.
            if self.text.len() > self.end_of(self.ends.len()) {
                self.ends.push(self.text.len());
            }
        }
        Ok(())
    }

    /// Drops the file's byte order mark once its first bytes are read (or
    /// the file ended); how many bytes were dropped. It holds no line break,
    /// so no line end was noted before it.
    fn drop_bom(&mut self, ended: bool) -> usize {
        if self.bom_checked || (self.text.len() < BOM.len() && !ended) {
            return 0;
        }
        self.bom_checked = true;
        if !self.text.starts_with(BOM) {
            return 0;
        }
        self.text.drain(..BOM.len());
        BOM.len()
    }

    /// The bytes of the lines held that are context only.
    fn context_bytes(&self) -> usize {
        self.end_of(self.context)
    }

    /// Where the first `lines` lines held end.
    fn end_of(&self, lines: usize) -> usize {
        lines.checked_sub(1).map_or(0, |last| self.ends[last])
    }

    /// The whole lines held, as a part whose own lines end before line
    /// `own_end`. The last `CONTEXT_LINES` of its own and everything after
    /// them stay held, as the next part's context and lines.
    fn let_go(&mut self, own_end: usize) -> Held {
        let keep = own_end.saturating_sub(CONTEXT_LINES);
        let cut = self.end_of(keep);
        let whole_lines = self.end_of(self.ends.len());
        let mut held = Held {
            text: std::mem::take(&mut self.text),
            origin: self.origin,
            first_number: self.first_number,
            context: self.context,
        };
        self.text = held.text[cut..].to_vec();
        held.text.truncate(whole_lines);
        self.ends.drain(..keep);
        self.ends.iter_mut().for_each(|end| *end -= cut);
        self.context = own_end - keep;
        self.origin = Origin {
            byte: self.origin.byte + cut,
            line: self.origin.line + count_line_ends(&held.text[..cut]),
        };
        self.first_number += keep;
        held
    }

    /// Ends the reading with an error record.
    fn stop(&mut self, error: ReadError) -> Vec<Record> {
        self.done = true;
        vec![Record::failed(&self.path, error.into())]
    }
}

/// A part let go: its text and where it stands in the file.
struct Held {
    text: Vec<u8>,
    origin: Origin,
    first_number: usize,
    /// How many of its first lines are context only.
    context: usize,
}

/// The text up to the end of the last whole line before the first byte
/// that is not UTF-8, and that byte's offset; all of it when there is none.
fn text_before_any_fault(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let mut bytes = error.into_bytes();
            let whole_lines = memchr::memrchr(b'\n', &bytes[..valid]).map_or(0, |at| at + 1);
            bytes.truncate(whole_lines);
            let text =
                String::from_utf8(bytes).expect("the bytes before the first fault are UTF-8");
            (text, Some(valid))
        }
    }
}

impl<R: std::io::Read> Iterator for Parts<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(record) = self.ready.next() {
                return Some(record);
            }
            if self.done {
                return None;
            }
            self.ready = self.next_part().into_iter();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::records::Body;
    use super::*;

    #[test]
    fn a_line_is_named_as_format_would_name_it() {
        for number in [0, 1, 9, 10, 99, 100, 4_294_967_296, usize::MAX] {
            let expected = format!("batch.jsonl:{number}");
            assert_eq!(line_name("batch.jsonl", number), expected);
        }
        assert_eq!(line_name("", 7), ":7");
    }

    /// Lines of every kind: blank, `\r\n`, a lone `\r` between tokens,
    /// text beyond ASCII, a line without its line break at the end.
    fn text() -> String {
        let mut text = String::new();
        for n in 0..40 {
            let line = match n % 6 {
                0 => format!("{{\"n\": {n}, \"name\": \"é{n}\"}}\n"),
                1 => "\n".to_string(),
                2 => format!("{{\"n\": {n}}}\r\n"),
                3 => format!("{{\"n\":\r{n}}}\n"),
                4 => "   \n".to_string(),
                _ => format!("{{\"n\": {n}, \"padding\": \"{}\"}}\n", "x".repeat(n)),
            };
            text.push_str(&line);
        }
        text + "{\"last\": true}"
    }

    /// What users see of a record: its name, its line's text, and the
    /// line, column and file offset of each end of it.
    fn seen(record: &Record) -> (String, String, (usize, usize), (usize, usize), usize) {
        let Body::Line(span) = record.body else {
            panic!("{} is not a line", record.name)
        };
        let source = &record.source;
        (
            record.name.clone(),
            source.slice(span).to_string(),
            source.line_col(span.start),
            source.line_col(span.end),
            source.origin().byte + span.start,
        )
    }

    /// A file of `bytes` in `dir`; its path.
    fn file_in(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// The message of a record that could not be read.
    fn failure(record: &Record) -> &str {
        match &record.body {
            Body::Failed(diagnostic) => &diagnostic.message,
            _ => panic!("{} was read", record.name),
        }
    }

    fn parts(path: &str, part_bytes: usize, max_bytes: u64) -> Vec<Record> {
        // A file, as `read` opens it.
        let (file, _) = open_within(path, max_bytes).unwrap();
        let sizes = Sizes {
            part: part_bytes,
            block: BLOCK_BYTES,
        };
        Parts::new(path, file, max_bytes, sizes).collect()
    }

    /// Read a part at a time, whatever the size of a part, a file gives
    /// the records the whole text gives, at the same places in the file.
    #[test]
    fn a_file_read_in_parts_gives_the_records_of_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = &file_in(&dir, "orgs.jsonl", text().as_bytes());
        let whole: Vec<_> = records(Source::new(path, text())).collect();
        let expected: Vec<_> = whole.iter().map(seen).collect();
        assert_eq!(expected.len(), 28);
        for part_bytes in [1, 2, 40, 100, 333, 1 << 20] {
            let read = parts(path, part_bytes, u64::MAX);
            let seen: Vec<_> = read.iter().map(seen).collect();
            assert_eq!(seen, expected, "parts of {part_bytes} bytes");
            let sources = read.iter().map(|r| r.source.origin()).collect::<Vec<_>>();
            let distinct = sources.windows(2).filter(|w| w[0] != w[1]).count() + 1;
            let expected_parts = if part_bytes < text().len() / 2 { 2 } else { 1 };
            assert!(distinct >= expected_parts, "{part_bytes}: {distinct} parts");
        }
    }

    /// A byte order mark at the start is dropped, however the first block
    /// reads cut it: the records are those of the text without it.
    #[test]
    fn a_byte_order_mark_is_dropped_whatever_the_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let marked = [BOM, text().as_bytes()].concat();
        let path = &file_in(&dir, "orgs.jsonl", &marked);
        let expected: Vec<_> = records(Source::new(path, text()))
            .map(|r| seen(&r))
            .collect();
        for block in [1, 2, 3, 4, BLOCK_BYTES] {
            let (file, _) = open_within(path, u64::MAX).unwrap();
            let sizes = Sizes { part: 100, block };
            let read: Vec<_> = Parts::new(path, file, u64::MAX, sizes).collect();
            let seen: Vec<_> = read.iter().map(seen).collect();
            assert_eq!(seen, expected, "blocks of {block} bytes");
        }
    }

    /// Each part carries the file's lines around its own, as many as a
    /// diagnostic may show.
    #[test]
    fn a_part_holds_the_lines_around_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = &file_in(&dir, "orgs.jsonl", text().as_bytes());
        let whole = Source::new(path, text());
        for record in parts(path, 100, u64::MAX) {
            let Body::Line(span) = record.body else {
                panic!()
            };
            let part = &record.source;
            let line = part.line_of(span.start);
            let in_file = whole.line_of(part.origin().byte + span.start);
            let around = |source: &Source, line: usize| {
                let starts = source.line_starts();
                let first = starts[line.saturating_sub(CONTEXT_LINES)];
                let end = starts
                    .get(line + CONTEXT_LINES + 1)
                    .copied()
                    .unwrap_or(source.text().len());
                (
                    source.origin().byte + first,
                    source.text()[first..end].to_string(),
                )
            };
            assert_eq!(
                around(part, line),
                around(&whole, in_file),
                "{}",
                record.name
            );
        }
    }

    #[test]
    fn a_file_of_blank_lines_holds_no_organisation() {
        let dir = tempfile::tempdir().unwrap();
        for text in ["", "\n \n\r\n"] {
            let path = &file_in(&dir, "blank.jsonl", text.as_bytes());
            let read = parts(path, 1, u64::MAX);
            assert_eq!(read.len(), 1);
            assert!(failure(&read[0]).contains("holds no organisation"));
        }
    }

    /// A byte that is not UTF-8 ends the reading with an error at its
    /// offset in the file; the parts before it are graded.
    #[test]
    fn a_byte_that_is_not_text_is_reported_at_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = "{\"n\": 1}\n".repeat(30).into_bytes();
        let offset = bytes.len() + 7;
        bytes.extend_from_slice(b"{\"n\": \"\xff\"}\n");
        let path = &file_in(&dir, "bad.jsonl", &bytes);
        for part_bytes in [1, 50, 1 << 20] {
            let read = parts(path, part_bytes, u64::MAX);
            assert_eq!(
                failure(read.last().unwrap()),
                format!("`{path}` is not UTF-8 text (invalid byte at offset {offset})")
            );
            let lines = read.iter().filter(|r| matches!(r.body, Body::Line(_)));
            assert_eq!(
                (read.len(), lines.count()),
                (31, 30),
                "parts of {part_bytes}"
            );
        }
    }

    /// A file that grows past the limit while it is read is refused, not
    /// read on.
    #[test]
    fn a_file_past_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = &file_in(&dir, "big.jsonl", "{\"n\": 1}\n".repeat(10).as_bytes());
        let (file, _) = open_within(path, 1000).unwrap();
        let sizes = Sizes { part: 10, block: 4 };
        let read: Vec<_> = Parts::new(path, file, 25, sizes).collect();
        let message = failure(read.last().unwrap());
        assert!(message.contains("is larger than 25 bytes"), "{message}");
    }

    /// Random texts of the characters that matter here (line breaks of
    /// every kind, spaces, text beyond ASCII), read in parts of random
    /// sizes: the same records as the whole text, every time.
    #[test]
    fn random_texts_read_in_parts_give_the_records_of_the_whole() {
        const CHARS: [&str; 8] = ["\n", "\r", "\r\n", " ", "{", "x", "é", "\"a\": 1"];
        let mut state = 0x2014_u64;
        let mut random = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for case in 0..2_000 {
            let text: String = (0..random(120))
                .map(|_| CHARS[random(CHARS.len())])
                .collect();
            let whole = match records(Source::new("r.jsonl", text.as_str())).collect::<Vec<_>>() {
                records if matches!(records[0].body, Body::Failed(_)) => Vec::new(),
                records => records.iter().map(seen).collect(),
            };
            let sizes = Sizes {
                part: 1 + random(40),
                block: 1 + random(20),
            };
            let file = std::io::Read::take(std::io::Cursor::new(text.clone()), u64::MAX);
            let read: Vec<_> = Parts::new("r.jsonl", file, u64::MAX, sizes)
                .filter(|r| !matches!(r.body, Body::Failed(_)))
                .map(|r| seen(&r))
                .collect();
            assert_eq!(read, whole, "case {case}: {text:?} in {sizes:?}");
        }
    }
}
