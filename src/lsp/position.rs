//! Byte offsets (insp's `Span`) to LSP positions and back. LSP counts
//! columns in UTF-16 code units, so a line with `é` or `😀` before a span
//! must not be counted in bytes or characters.

use insp::{Source, Span};
use lsp_types::{Position, Range};

/// The LSP position of a byte offset (clamped into the text).
pub fn position(source: &Source, offset: usize) -> Position {
    let offset = source.clamp(Span::new(offset, offset)).start;
    let line = source.line_of(offset);
    let line_start = source.line_starts()[line];
    let character = source.text()[line_start..offset].encode_utf16().count();
    Position::new(to_u32(line), to_u32(character))
}

/// The LSP range of a span.
pub fn range(source: &Source, span: Span) -> Range {
    let span = source.clamp(span);
    Range::new(position(source, span.start), position(source, span.end))
}

/// The byte offset of an LSP position. A position past the end of its line
/// means the line's end, and a line past the last means the text's end, as
/// the protocol asks.
pub fn offset(source: &Source, position: Position) -> usize {
    let text = source.text();
    let starts = source.line_starts();
    let Some(&line_start) = starts.get(position.line as usize) else {
        return text.len();
    };
    let line_end = starts
        .get(position.line as usize + 1)
        .map_or(text.len(), |&next| next);
    let line = text[line_start..line_end].trim_end_matches(['\n', '\r']);
    let mut units = 0;
    for (index, c) in line.char_indices() {
        if units >= position.character as usize {
            return line_start + index;
        }
        units += c.len_utf16();
    }
    line_start + line.len()
}

/// The span of an LSP range (its ends in order).
pub fn span(source: &Source, range: Range) -> Span {
    let (start, end) = (offset(source, range.start), offset(source, range.end));
    Span::new(start.min(end), start.max(end))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source::new("test.insp", text)
    }

    #[test]
    fn columns_count_utf16_units_not_bytes() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let s = source("# é😀\nlet x = 1\n\"😀\" y");
        let y = s.text().rfind('y').unwrap();
        assert_eq!(position(&s, y), Position::new(2, 5));
        let after_emoji = s.text().find('😀').unwrap() + '😀'.len_utf8();
        assert_eq!(position(&s, after_emoji), Position::new(0, 5));
    }

    #[test]
    fn offsets_round_trip_through_positions() {
        let s = source("a é😀 b\r\nc\rd\n\u{10000}e");
        // Every offset but inside a `\r\n` line end, which has no position.
        let inside_crlf = |offset: usize| {
            s.text()[..offset].ends_with('\r') && s.text()[offset..].starts_with('\n')
        };
        for (offset, _) in s.text().char_indices().filter(|&(o, _)| !inside_crlf(o)) {
            assert_eq!(super::offset(&s, position(&s, offset)), offset);
        }
    }

    #[test]
    fn positions_past_a_line_or_the_text_are_clamped() {
        let s = source("ab\ncd");
        assert_eq!(offset(&s, Position::new(0, 99)), 2);
        assert_eq!(offset(&s, Position::new(9, 0)), 5);
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_is_the_character_after_it() {
        let s = source("😀x");
        assert_eq!(offset(&s, Position::new(0, 1)), 4);
    }

    #[test]
    fn an_offset_inside_a_character_is_moved_to_its_start() {
        let s = source("é");
        assert_eq!(position(&s, 1), Position::new(0, 0));
    }
}
