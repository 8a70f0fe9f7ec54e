//! The documents the client has open: their text, version and kind, edits
//! applied as the client sends them, and `file:` URIs to paths and back.

use super::position;
use insp::{Policy, Source};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a document is to insp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A criteria file (`.insp`).
    Policy,
    /// An evidence file (`.json`), graded against a policy.
    Evidence,
}

/// An open document.
pub struct Document {
    /// The client's version of the text.
    pub version: i32,
    /// The text, named by its path so that `use "helpers.rhai"` resolves
    /// beside it and diagnostics name the file.
    pub source: Source,
    pub kind: Kind,
    /// The policy as last compiled without errors, kept while the text
    /// does not compile so that completion and hover still know its names.
    pub policy: Option<Arc<Policy>>,
    /// Whether `policy` was compiled from the current text.
    pub policy_is_current: bool,
    /// The diagnostics published for the current text before analysis, to
    /// publish again with the analysis' findings.
    pub compile_diagnostics: Vec<lsp_types::Diagnostic>,
}

impl Document {
    fn new(uri: &Uri, version: i32, text: String, language: &str) -> Self {
        let kind = if language == "json" || uri.as_str().ends_with(".json") {
            Kind::Evidence
        } else {
            Kind::Policy
        };
        Document {
            version,
            source: Source::new(name_of(uri), text),
            kind,
            policy: None,
            policy_is_current: false,
            compile_diagnostics: Vec::new(),
        }
    }

    /// The policy compiled from the current text, if it compiles.
    pub fn current_policy(&self) -> Option<&Arc<Policy>> {
        self.policy.as_ref().filter(|_| self.policy_is_current)
    }

    /// Applies the client's edits in order: each range is in the text as
    /// left by the edits before it.
    fn apply(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        let mut text = self.source.text().to_string();
        for change in changes {
            match change.range {
                Some(range) => {
                    let span = position::span(&Source::new("", text.as_str()), range);
                    text.replace_range(span.start..span.end, &change.text);
                }
                None => text = change.text,
            }
        }
        self.source = Source::new(self.source.name(), text);
        self.version = version;
        self.policy_is_current = false;
    }
}

/// The open documents by URI.
#[derive(Default)]
pub struct Documents {
    open: HashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, version: i32, text: String, language: &str) {
        let document = Document::new(&uri, version, text, language);
        self.open.insert(uri, document);
    }

    /// Applies edits; `false` if the document is not open.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        match self.open.get_mut(uri) {
            Some(document) => {
                document.apply(version, changes);
                true
            }
            None => false,
        }
    }

    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    /// The open document whose file is at `path`, if any.
    pub fn find_by_path(&self, path: &Path) -> Option<(&Uri, &Document)> {
        self.open
            .iter()
            .find(|(_, document)| Path::new(document.source.name()) == path)
    }

    /// The URIs of open documents of a kind.
    pub fn uris_of(&self, kind: Kind) -> Vec<Uri> {
        self.open
            .iter()
            .filter(|(_, document)| document.kind == kind)
            .map(|(uri, _)| uri.clone())
            .collect()
    }
}

/// The name a document's source gets: its path for a `file:` URI, else the URI.
fn name_of(uri: &Uri) -> String {
    path_of(uri).map_or_else(
        || uri.as_str().to_string(),
        |path| path.display().to_string(),
    )
}

/// The path of a `file:` URI (`file:///a%20b/c.insp` → `/a b/c.insp`).
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path`: the path starts at the first slash after the host.
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    Some(PathBuf::from(percent_decode(path)?))
}

/// The `file:` URI of a path (made absolute against the working folder).
pub fn uri_of(path: &Path) -> Option<Uri> {
    let absolute = std::path::absolute(path).ok()?;
    let mut uri = String::from("file://");
    for byte in absolute.to_str()?.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.parse().ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    #[test]
    fn file_uris_round_trip_through_paths() {
        let path = Path::new("/tmp/a b/é.insp");
        let uri = uri_of(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A9.insp");
        assert_eq!(path_of(&uri).unwrap(), path);
    }

    #[test]
    fn a_uri_that_is_not_a_file_has_no_path() {
        assert_eq!(path_of(&uri("untitled:Untitled-1")), None);
        assert_eq!(path_of(&uri("file:///not-utf8-%FF")), None);
    }

    #[test]
    fn edits_apply_in_order_with_utf16_ranges() {
        let mut documents = Documents::default();
        let u = uri("file:///p.insp");
        documents.open(u.clone(), 1, "let é = 1\n".into(), "insp");
        let edit = |line, from, to, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, from),
                Position::new(line, to),
            )),
            range_length: None,
            text: text.into(),
        };
        // Replace `1` (column 8 in UTF-16 units), then insert at the start.
        assert!(documents.change(&u, 2, vec![edit(0, 8, 9, "2"), edit(0, 0, 0, "#\n")]));
        let document = documents.get(&u).unwrap();
        assert_eq!(document.source.text(), "#\nlet é = 2\n");
        assert_eq!(document.version, 2);
    }
}
