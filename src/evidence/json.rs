//! A small JSON reader that keeps a byte span for every value and keeps
//! numbers as their source text, so that they become exact decimals (never
//! binary floats) and every diagnostic can point at the offending value.
//! Nesting is bounded: hostile input gets a diagnostic, never a stack overflow.

use crate::source::Span;

/// Deeper nesting than any evidence file needs; beyond it input is rejected.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub kind: JsonKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    /// The number's text as written, e.g. `45.5` or `1e3`.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in file order, each with the span of its key.
    Object(Vec<(String, Span, Json)>),
}

impl JsonKind {
    /// How the kind reads in a diagnostic.
    pub fn describe(&self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "true or false",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

impl Json {
    /// Sets a dotted path, creating objects on the way; false if a value is in the way.
    pub fn set_path(&mut self, path: &[&str], value: Json) -> bool {
        let JsonKind::Object(members) = &mut self.kind else {
            return false;
        };
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let index = match members.iter().position(|(k, _, _)| k == first) {
            Some(index) => index,
            None => {
                let empty = Json {
                    kind: JsonKind::Object(Vec::new()),
                    span: Span::default(),
                };
                members.push((first.to_string(), Span::default(), empty));
                members.len() - 1
            }
        };
        if rest.is_empty() {
            members[index].2 = value;
            true
        } else {
            members[index].2.set_path(rest, value)
        }
    }

    /// The document as indented JSON text; numbers keep their written form.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    /// The document as a `serde_json` value, for embedding in other JSON
    /// output. Numbers that `serde_json` cannot hold become `null`.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(b) => Value::Bool(*b),
            JsonKind::Number(n) => n.parse().map_or(Value::Null, Value::Number),
            JsonKind::String(s) => Value::String(s.clone()),
            JsonKind::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            JsonKind::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, _, value)| (key.clone(), value.to_value()))
                    .collect(),
            ),
        }
    }

    fn write(&self, out: &mut String, depth: usize) {
        let indent = |depth: usize| "  ".repeat(depth);
        match &self.kind {
            JsonKind::Null => out.push_str("null"),
            JsonKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JsonKind::Number(n) => out.push_str(n),
            JsonKind::String(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
            JsonKind::Array(items) if items.is_empty() => out.push_str("[]"),
            JsonKind::Object(members) if members.is_empty() => out.push_str("{}"),
            JsonKind::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&indent(depth + 1));
                    item.write(out, depth + 1);
                }
                out.push('\n');
                out.push_str(&indent(depth));
                out.push(']');
            }
            JsonKind::Object(members) => {
                out.push('{');
                for (i, (key, _, value)) in members.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&indent(depth + 1));
                    out.push_str(&serde_json::Value::from(key.as_str()).to_string());
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                out.push_str(&indent(depth));
                out.push('}');
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub message: String,
    pub span: Span,
}

pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    reader.skip_whitespace();
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.pos < reader.bytes.len() {
        return Err(reader.error_here("unexpected text after the JSON document"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error_here(&self, message: &str) -> JsonError {
        let width = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        JsonError {
            message: message.to_string(),
            span: Span::new(self.pos, self.pos + width),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, message: &str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here(message))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error_here(&format!(
                "the JSON is nested more than {MAX_DEPTH} levels deep"
            )));
        }
        let start = self.pos;
        let kind = match self.peek() {
            None => return Err(self.error_here("expected a JSON value, found the end of the file")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => JsonKind::Number(self.number()?),
            Some(_) => self.word()?,
        };
        Ok(Json {
            kind,
            span: Span::new(start, self.pos),
        })
    }

    fn word(&mut self) -> Result<JsonKind, JsonError> {
        for (word, kind) in [
            ("true", JsonKind::Bool(true)),
            ("false", JsonKind::Bool(false)),
            ("null", JsonKind::Null),
        ] {
            if self.text[self.pos..].starts_with(word) {
                self.pos += word.len();
                return Ok(kind);
            }
        }
        let rest = &self.text[self.pos..];
        if rest.starts_with("NaN") || rest.starts_with("Infinity") {
            return Err(
                self.error_here("NaN and Infinity are not numbers in JSON (nor in evidence)")
            );
        }
        Err(self.error_here(
            "expected a JSON value (an object, array, string, number, true, false or null)",
        ))
    }

    fn object(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error_here("expected a quoted field name"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_whitespace();
            self.expect(b':', "expected `:` after the field name")?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            members.push((key, key_span, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonKind::Object(members));
                }
                _ => return Err(self.error_here("expected `,` or `}` after the field")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonKind::Array(items));
                }
                _ => return Err(self.error_here("expected `,` or `]` after the array item")),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(c) = rest.chars().next() else {
                self.pos = start;
                return Err(self.error_here("this string is never closed"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => out.push(self.escape()?),
                c if (c as u32) < 0x20 => {
                    self.pos -= 1;
                    return Err(
                        self.error_here("control characters must be escaped in JSON strings")
                    );
                }
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let c = self
            .peek()
            .ok_or_else(|| self.error_here("unfinished escape"))?;
        self.pos += 1;
        Ok(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => {
                self.pos -= 1;
                return Err(self.error_here("unknown escape in string"));
            }
        })
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.pos..].starts_with("\\u") {
                return Err(self.error_here("a lone surrogate in a \\u escape"));
            }
            self.pos += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.error_here("a lone surrogate in a \\u escape"));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.error_here("an invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(digits) = digits else {
            return Err(self.error_here("expected four hex digits after \\u"));
        };
        self.pos += 4;
        Ok(u32::from_str_radix(digits, 16).unwrap_or(0xFFFD))
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        let digits = |reader: &mut Self| {
            let from = reader.pos;
            while matches!(reader.peek(), Some(b'0'..=b'9')) {
                reader.pos += 1;
            }
            reader.pos > from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let leading_zero =
            self.peek() == Some(b'0') && matches!(self.bytes.get(self.pos + 1), Some(b'0'..=b'9'));
        if !digits(self) || leading_zero {
            self.pos = start;
            return Err(self.error_here("a malformed number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.error_here("expected digits after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error_here("expected digits in the exponent"));
            }
        }
        Ok(self.text[start..self.pos].to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_number_text() {
        let json = parse(r#"{"crime": {"rate": 45.5}}"#).unwrap();
        let JsonKind::Object(members) = &json.kind else {
            panic!("not an object")
        };
        let (_, _, crime) = &members[0];
        let JsonKind::Object(inner) = &crime.kind else {
            panic!("not an object")
        };
        assert_eq!(inner[0].2.kind, JsonKind::Number("45.5".into()));
        assert_eq!(inner[0].2.span, Span::new(19, 23));
    }

    #[test]
    fn rejects_deep_nesting_without_overflowing() {
        let deep = "[".repeat(100_000);
        let error = parse(&deep).unwrap_err();
        assert!(
            error.message.contains("nested more than"),
            "{}",
            error.message
        );
    }

    #[test]
    fn rejects_nan_trailing_text_and_bad_numbers() {
        assert!(parse("NaN").unwrap_err().message.contains("NaN"));
        assert!(
            parse("{} x")
                .unwrap_err()
                .message
                .contains("after the JSON")
        );
        assert!(parse("01").is_err());
        assert!(parse("1.").is_err());
        assert!(parse("\"abc").unwrap_err().message.contains("never closed"));
    }

    #[test]
    fn agrees_with_serde_json_on_valid_documents() {
        let docs = [
            r#"{"a": [1, 2.5, -3e2, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#,
            r#"[{"k": "v"}, [], [[]], 0, -0.0]"#,
            "  \"plain\"  ",
        ];
        for doc in docs {
            let ours = parse(doc).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(to_serde(&ours), theirs, "{doc}");
        }
    }

    fn to_serde(json: &Json) -> serde_json::Value {
        use serde_json::Value as V;
        match &json.kind {
            JsonKind::Null => V::Null,
            JsonKind::Bool(b) => V::Bool(*b),
            JsonKind::Number(n) => serde_json::from_str(n).unwrap(),
            JsonKind::String(s) => V::String(s.clone()),
            JsonKind::Array(items) => V::Array(items.iter().map(to_serde).collect()),
            JsonKind::Object(members) => V::Object(
                members
                    .iter()
                    .map(|(k, _, v)| (k.clone(), to_serde(v)))
                    .collect(),
            ),
        }
    }
}
