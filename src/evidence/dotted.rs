//! Flat dotted keys: `{"crime.rate": 45.5}` reads as `{"crime": {"rate": 45.5}}`,
//! as spreadsheets and many exports write evidence. A key given both ways
//! (nested and flat) is then a duplicate key, reported as such.

use super::json::{Json, JsonKind};
use crate::source::Span;

/// The document with every dotted key nested (unchanged when it has none).
pub(super) fn nested(root: Json) -> Json {
    if has_dotted_key(&root) {
        nest(&root)
    } else {
        root
    }
}

fn has_dotted_key(json: &Json) -> bool {
    match &json.kind {
        JsonKind::Object(members) => members
            .iter()
            .any(|(key, _, value)| key.contains('.') || has_dotted_key(value)),
        _ => false,
    }
}

fn nest(json: &Json) -> Json {
    let JsonKind::Object(members) = &json.kind else {
        return json.clone();
    };
    let mut out = Json {
        kind: JsonKind::Object(Vec::with_capacity(members.len())),
        span: json.span,
    };
    for (key, key_span, value) in members {
        let segments: Vec<&str> = key.split('.').collect();
        insert(&mut out, &segments, *key_span, nest(value));
    }
    out
}

/// Puts `value` at `segments` under `object`, descending into an object
/// already there, else creating one that spans the dotted key.
pub(super) fn insert<S: AsRef<str>>(
    object: &mut Json,
    segments: &[S],
    key_span: Span,
    value: Json,
) {
    let JsonKind::Object(members) = &mut object.kind else {
        return;
    };
    let (first, rest) = match segments.split_first() {
        Some((first, rest)) if !rest.is_empty() => (first.as_ref(), rest),
        Some((last, _)) => {
            members.push((last.as_ref().to_string(), key_span, value));
            return;
        }
        None => return,
    };
    let existing = members
        .iter()
        .position(|(k, _, v)| k == first && matches!(v.kind, JsonKind::Object(_)));
    let index = existing.unwrap_or_else(|| {
        let empty = Json {
            kind: JsonKind::Object(Vec::new()),
            span: key_span,
        };
        members.push((first.to_string(), key_span, empty));
        members.len() - 1
    });
    insert(&mut members[index].2, rest, key_span, value);
}

/// Moves every span of a document parsed from a slice by `offset` bytes,
/// so that they point into the whole source.
pub(super) fn shift(json: &mut Json, offset: usize) {
    json.span = Span::new(json.span.start + offset, json.span.end + offset);
    match &mut json.kind {
        JsonKind::Array(items) => items.iter_mut().for_each(|item| shift(item, offset)),
        JsonKind::Object(members) => {
            for (_, key_span, value) in members {
                *key_span = Span::new(key_span.start + offset, key_span.end + offset);
                shift(value, offset);
            }
        }
        _ => {}
    }
}
