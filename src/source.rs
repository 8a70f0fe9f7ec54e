//! Source files (policies and evidence) shared by the AST, the evidence store
//! and diagnostics. Cheap to clone: the text is reference-counted.

use std::sync::Arc;

/// A byte range in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<pest::Span<'_>> for Span {
    /// A pest span without the whitespace and comments that the grammar's
    /// implicit skipping leaves at its end, so that labels cover only code.
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.start() + code_len(span.as_str()))
    }
}

/// The length of `text` up to the end of its last character of code.
fn code_len(text: &str) -> usize {
    CodeChars::new(text)
        .last()
        .map_or(0, |(i, c, _)| i + c.len_utf8())
}

/// The characters of policy text that are code: not whitespace and not in
/// `#` comments. Each comes with its offset and whether it is inside a
/// string literal (quotes included), where brackets and `#` mean nothing.
pub struct CodeChars<'a> {
    chars: std::str::CharIndices<'a>,
    in_string: bool,
    escaped: bool,
}

impl<'a> CodeChars<'a> {
    pub fn new(text: &'a str) -> Self {
        CodeChars {
            chars: text.char_indices(),
            in_string: false,
            escaped: false,
        }
    }
}

impl Iterator for CodeChars<'_> {
    type Item = (usize, char, bool);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (i, c) = self.chars.next()?;
            if self.in_string {
                self.in_string = c != '"' || self.escaped;
                self.escaped = c == '\\' && !self.escaped;
                return Some((i, c, true));
            }
            match c {
                '#' => {
                    self.chars.by_ref().find(|&(_, c)| c == '\n');
                }
                '"' => {
                    self.in_string = true;
                    return Some((i, c, true));
                }
                c if c.is_whitespace() => {}
                c => return Some((i, c, false)),
            }
        }
    }
}

/// A named source text (a policy file or an evidence file), or a part of
/// one: a long JSON Lines file is read a part at a time.
#[derive(Clone)]
pub struct Source(Arc<SourceInner>);

/// Where a part of a file begins in the whole file; zero for a whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin {
    /// The byte offset of the part's first byte.
    pub byte: usize,
    /// The number of lines before the part (counted as `line_starts` does).
    pub line: usize,
}

struct SourceInner {
    name: String,
    text: String,
    origin: Origin,
    /// Where each line starts, found once: every diagnostic and report
    /// line number is then a binary search, not a scan of the text.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl Source {
    /// A named text: a file's path and its contents.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source::part(name, text, Origin::default())
    }

    /// A part of the file `name`, beginning at `origin` in it. Spans are
    /// within the part; line numbers, and the offsets diagnostics show, are
    /// the whole file's.
    pub fn part(name: impl Into<String>, text: impl Into<String>, origin: Origin) -> Self {
        Source(Arc::new(SourceInner {
            name: name.into(),
            text: text.into(),
            origin,
            line_starts: std::sync::OnceLock::new(),
        }))
    }

    /// Where the text begins in its file.
    pub fn origin(&self) -> Origin {
        self.0.origin
    }

    /// The name (the path as given).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The text: the whole file's, or a part's (see `origin`).
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// The text a span covers (empty if the span does not lie in the source).
    pub fn slice(&self, span: Span) -> &str {
        self.text().get(span.start..span.end).unwrap_or("")
    }

    /// Clamp a span into this source, on character boundaries, so that a
    /// label is never silently dropped by the renderer.
    pub fn clamp(&self, span: Span) -> Span {
        let text = self.text();
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(start, end)
    }

    /// 1-based line (in the whole file) and column (in characters) of a
    /// byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(Span::new(offset, offset)).start;
        let line = self.line_of(offset);
        let line_start = self.line_starts()[line];
        let column = self.text()[line_start..offset].chars().count() + 1;
        (self.origin().line + line + 1, column)
    }

    /// The 0-based line of this text a byte offset lies on.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|&start| start <= offset) - 1
    }

    /// The byte offset where each line starts, the first at 0. A line ends
    /// at `\n`, `\r\n`, or a lone `\r`, as the diagnostic renderer counts them.
    pub fn line_starts(&self) -> &[usize] {
        self.0.line_starts.get_or_init(|| {
            let ends = line_ends(self.text().as_bytes());
            std::iter::once(0).chain(ends.map(|end| end + 1)).collect()
        })
    }
}

/// The offset of each line's last byte (`\n`, or a lone `\r`), as the
/// diagnostic renderer counts lines.
fn line_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(move |&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
}

/// How many lines end in `bytes`, as `line_ends` finds them.
pub fn count_line_ends(bytes: &[u8]) -> usize {
    line_ends(bytes).count()
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Source({})", self.name())
    }
}

/// Why a file could not be read as text; `diagnostics` turns it into an
/// `insp::io` diagnostic.
#[derive(Debug, Clone)]
pub struct ReadError {
    /// What went wrong, naming the file.
    pub message: String,
    /// What to do about it.
    pub help: &'static str,
}

/// The largest policy or evidence file read unless a caller asks for more
/// (`--max-file-mib`): far beyond any real one, and small enough that a
/// hostile file cannot take the memory or time of a run.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Reads a file as UTF-8 text, up to `DEFAULT_MAX_FILE_SIZE`.
pub fn read_text(path: &str) -> Result<String, ReadError> {
    read_text_within(path, DEFAULT_MAX_FILE_SIZE)
}

/// Reads a regular file of at most `max_bytes` as UTF-8 text. Devices,
/// pipes and folders are refused before they are opened: `/dev/zero` would
/// be read until memory runs out, and a pipe could block forever.
pub fn read_text_within(path: &str, max_bytes: u64) -> Result<String, ReadError> {
    use std::io::Read;
    let (mut file, size) = open_within(path, max_bytes)?;
    // Sized for the whole file (and the byte that tells it grew), so that
    // it is read without growing the buffer on the way.
    let mut bytes = Vec::with_capacity(usize::try_from(size).map_or(0, |n| n + 1));
    file.read_to_end(&mut bytes)
        .map_err(|e| ReadError::cannot_read(path, &e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::too_large(path, max_bytes));
    }
    without_bom(bytes).map_err(|offset| ReadError::not_text(path, offset))
}

/// The byte order mark some editors write first in a UTF-8 file.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text of a file's bytes without its byte order mark, if any: it is
/// not part of the text (JSON allows it to be ignored), and an editor does
/// not count it as a column. Not UTF-8: the offset of the first bad byte.
pub(crate) fn without_bom(mut bytes: Vec<u8>) -> Result<String, usize> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| e.utf8_error().valid_up_to())
}

/// A regular file of at most `max_bytes`, opened, and its size. It yields
/// one byte past the limit at most, should it grow after its size was read:
/// a caller that reads more than `max_bytes` reports it as too large.
pub fn open_within(
    path: &str,
    max_bytes: u64,
) -> Result<(std::io::Take<std::fs::File>, u64), ReadError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| ReadError::cannot_read(path, &e);
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() {
            "a folder"
        } else {
            "a device, pipe or socket"
        };
        return Err(ReadError {
            message: format!("`{path}` is not a regular file: it is {kind}"),
            help: "give the path of a file; devices, pipes and folders are not read",
        });
    }
    if metadata.len() > max_bytes {
        return Err(ReadError::too_large(path, max_bytes));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    Ok((file.take(max_bytes.saturating_add(1)), metadata.len()))
}

impl ReadError {
    /// The system could not read the file.
    pub(crate) fn cannot_read(path: &str, error: &std::io::Error) -> ReadError {
        ReadError {
            message: format!("cannot read `{path}`: {error}"),
            help: "check the path and permissions",
        }
    }

    /// The file is larger than the limit.
    pub(crate) fn too_large(path: &str, max_bytes: u64) -> ReadError {
        ReadError {
            message: format!("`{path}` is larger than {}", size_in_words(max_bytes)),
            help: "insp reads files up to 16 MiB unless `--max-file-mib` raises the limit",
        }
    }

    /// The file's name is not UTF-8 (`shown` with the invalid bytes
    /// replaced), so it cannot be named in reports, nor opened by that name.
    pub(crate) fn name_not_text(shown: &str) -> ReadError {
        ReadError {
            message: format!("the name of `{shown}` is not UTF-8 text"),
            help: "insp names every file it reads in its reports, in UTF-8: rename the file",
        }
    }

    /// The file is not UTF-8: its first invalid byte is at `offset`.
    pub(crate) fn not_text(path: &str, offset: usize) -> ReadError {
        ReadError {
            message: format!("`{path}` is not UTF-8 text (invalid byte at offset {offset})"),
            help: "policies and evidence files are UTF-8 text",
        }
    }
}

/// `16 MiB`, or a count of bytes when not a whole number of MiB.
fn size_in_words(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}
