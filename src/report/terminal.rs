//! Text from policies and evidence files made safe for a terminal: control
//! characters (NUL, escape, …) could rewrite the screen, and bidirectional
//! overrides could make a line read differently from what it holds.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as it is. Newlines and tabs
/// are layout, and carriage returns end lines in CRLF files.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text with each unsafe character written as an escape: `\u{202e}`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_unsafe(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// The text with each unsafe character replaced by one of the same length
/// in bytes (`?`, `¿` or `�`), so that spans into it still hold.
pub fn mask_controls(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match (is_unsafe(c), c.len_utf8()) {
                (false, _) => c,
                (true, 1) => '?',
                (true, 2) => '¿',
                (true, _) => '\u{FFFD}',
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_masks_keep_every_offset() {
        let hostile = "Nor\u{202E}klof\0 \u{1b}[2J\tok\n";
        assert_eq!(
            escape_controls(hostile),
            "Nor\\u{202e}klof\\u{0} \\u{1b}[2J\tok\n"
        );
        let masked = mask_controls(hostile);
        assert_eq!(masked.len(), hostile.len());
        assert_eq!(masked, "Nor\u{FFFD}klof? ?[2J\tok\n");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
    }
}
