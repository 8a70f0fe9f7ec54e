//! A key given twice in one JSON object: an error naming both places, as
//! JSON readers disagree on which one wins.

use super::Binder;
use super::json::{Json, JsonKind};
use crate::diagnostics::Code;
use crate::source::Span;
use std::collections::HashMap;

/// Duplicate keys reported one by one, per file; the rest are counted.
const MAX_REPORTED: usize = 20;

impl Binder<'_> {
    pub(super) fn duplicate_keys(&mut self, root: &Json) {
        let mut found = Vec::new();
        collect_duplicates(root, &mut found);
        for &(first, again) in found.iter().take(MAX_REPORTED) {
            let key = self.source.slice(again);
            let diagnostic = self
                .error(
                    Code::EvidenceDuplicateKey,
                    format!("{key} is given twice in the same object"),
                )
                .primary(again, "given again here")
                .label(first, "first given here")
                .help(
                    "keep one of them: which one a JSON reader keeps differs from reader to reader",
                );
            self.diagnostics.push(diagnostic);
        }
        if found.len() > MAX_REPORTED {
            let (_, again) = found[MAX_REPORTED];
            let more = self
                .error(
                    Code::EvidenceDuplicateKey,
                    format!(
                        "and {} more keys are given twice",
                        found.len() - MAX_REPORTED
                    ),
                )
                .primary(again, "the first of them")
                .help(format!(
                    "only the first {MAX_REPORTED} duplicate keys of a file are listed one by one"
                ));
            self.diagnostics.push(more);
        }
    }
}

/// Each repeated key's first and repeated span, in file order. Recursion is
/// bounded by the reader's nesting limit (`json::MAX_DEPTH`).
fn collect_duplicates(json: &Json, out: &mut Vec<(Span, Span)>) {
    match &json.kind {
        JsonKind::Object(members) => {
            let mut seen: HashMap<&str, Span> = HashMap::with_capacity(members.len());
            for (key, span, value) in members {
                if let Some(first) = seen.insert(key, *span) {
                    out.push((first, *span));
                    seen.insert(key, first);
                }
                collect_duplicates(value, out);
            }
        }
        JsonKind::Array(items) => items.iter().for_each(|item| collect_duplicates(item, out)),
        _ => {}
    }
}
