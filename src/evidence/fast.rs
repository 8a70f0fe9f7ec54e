//! The fast evidence reader: one pass over the bytes, directed by the
//! policy's declared paths (`Policy::paths`), each value parsed straight
//! into its slot with its span, and no tree of the document built.
//!
//! It accepts only what it can accept exactly as the spanned reader would:
//! every key declared, no key twice, every value of its field's type and
//! within its range, nothing missing that has no default. On anything else
//! (an error, an undeclared field to warn about, an escape in a string, an
//! exponent, a departure) it gives up, and `Evidence::load` reads the
//! document again the slow way, which gives the same result and the
//! diagnostics with their spans. So the two readers never disagree on an
//! accepted document, and every diagnostic comes from one place.

use super::Evidence;
use super::json::MAX_DEPTH;
use crate::policy::{Field, PathEntry, Policy};
use crate::source::{Source, Span};
use crate::value::{Type, Value};
use rust_decimal::Decimal;

/// Digits a decimal holds exactly (its mantissa is 96 bits).
const MAX_DIGITS: usize = 28;

/// Reads the document that is the part `within` of a source (the whole of
/// a file, a line of JSON Lines) the fast way, its spans placed in the
/// whole source; `None` when the spanned reader must.
pub(super) fn load(policy: &Policy, source: &Source, within: Span) -> Option<Evidence> {
    if !policy.paths.consistent {
        return None;
    }
    let fields = policy.fields.len();
    let text = source.text();
    let mut reader = FastReader {
        policy,
        text,
        // Nothing past the document is read: the end of the bytes is its end.
        bytes: text.as_bytes().get(..within.end)?,
        pos: within.start,
        values: vec![Value::NotAssessed; fields],
        spans: vec![None; fields],
        texts: vec![None; fields],
        opened: vec![false; policy.paths.nodes.len()],
    };
    reader.skip_whitespace();
    reader.object(0, 0)?;
    reader.skip_whitespace();
    if reader.pos != reader.bytes.len() {
        return None;
    }
    reader.finish(source)
}

struct FastReader<'a> {
    policy: &'a Policy,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Each field's value; its span once read (so a key given twice is seen).
    values: Vec<Value>,
    spans: Vec<Option<Span>>,
    texts: Vec<Option<String>>,
    /// Per object of `Policy::paths`, whether the file has opened it already.
    opened: Vec<bool>,
}

impl<'a> FastReader<'a> {
    /// Every slot filled from the file or by its default, as the spanned
    /// reader fills it; `None` when a required field is missing.
    fn finish(mut self, source: &Source) -> Option<Evidence> {
        for (slot, field) in self.policy.fields.iter().enumerate() {
            if self.spans[slot].is_some() {
                continue;
            }
            self.values[slot] = absent(field)?;
            if field.default.is_some() {
                self.texts[slot].clone_from(&field.default_text);
            }
        }
        Some(Evidence {
            source: source.clone(),
            values: self.values,
            texts: self.texts,
            spans: self.spans,
            departures: Vec::new(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    /// An object the policy declares (`node` of `Policy::paths`), every
    /// member read into its slot or the object it opens.
    fn object(&mut self, node: usize, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let declared = &self.policy.paths.nodes[node];
        let mut next = 0;
        loop {
            self.skip_whitespace();
            let (index, entry) = match self.declared_next(&declared.keys, next) {
                Some(found) => found,
                None => declared.find(self.plain_string()?)?,
            };
            next = index + 1;
            if self.given(entry) {
                return None;
            }
            self.eat(b':')?;
            self.skip_whitespace();
            match entry {
                PathEntry::Field(slot) => self.field(slot)?,
                PathEntry::Object(inner) => self.object(inner, depth + 1)?,
            }
            if self.eat(b'}').is_some() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    /// The key at the reader's position, if it is `keys[next]`, the one
    /// the policy declares after the last key read: documents mostly give
    /// their keys in the order they are declared, and comparing with the
    /// declared key spares scanning for the string's end and searching the
    /// keys. (A declared key has no quote, backslash or control character:
    /// `PathTree` makes sure, so the bytes matched are the plain string.)
    fn declared_next(
        &mut self,
        keys: &[(Box<str>, PathEntry)],
        next: usize,
    ) -> Option<(usize, PathEntry)> {
        let (name, entry) = keys.get(next)?;
        let name = name.as_bytes();
        let quoted = self.bytes.get(self.pos..)?;
        let matched = quoted.first() == Some(&b'"')
            && quoted[1..].starts_with(name)
            && quoted.get(1 + name.len()) == Some(&b'"');
        matched.then(|| {
            self.pos += name.len() + 2;
            (next, *entry)
        })
    }

    /// Whether the file gave this key already (in this object: each
    /// declared key belongs to one object), and marks an object opened.
    fn given(&mut self, entry: PathEntry) -> bool {
        match entry {
            PathEntry::Field(slot) => self.spans[slot].is_some(),
            PathEntry::Object(node) => std::mem::replace(&mut self.opened[node], true),
        }
    }

    fn field(&mut self, slot: usize) -> Option<()> {
        let field = &self.policy.fields[slot];
        let start = self.pos;
        let value = if field.optional && self.word("null") {
            Value::NotAssessed
        } else {
            self.typed(field, slot)?
        };
        self.values[slot] = value;
        self.spans[slot] = Some(Span::new(start, self.pos));
        Some(())
    }

    /// A value of the field's type, within its bounds.
    fn typed(&mut self, field: &Field, slot: usize) -> Option<Value> {
        let value = match &field.ty {
            Type::Number(_) => Value::Number(self.number()?),
            Type::Bool if self.word("true") => Value::Bool(true),
            Type::Bool if self.word("false") => Value::Bool(false),
            Type::Grade => Value::Grade(self.policy.grades.rank(self.plain_string()?)?),
            Type::Text => {
                self.texts[slot] = Some(self.plain_string()?.to_string());
                return Some(Value::Text);
            }
            Type::Level(scale) => {
                let name = self.plain_string()?;
                let levels = &self.policy.scales[*scale].levels;
                let index = levels.iter().position(|level| level == name)?;
                Value::Level {
                    scale: *scale as u16,
                    index: u16::try_from(index).ok()?,
                }
            }
            Type::Estimate(_) => self.estimate()?,
            _ => return None,
        };
        within_bounds(field, value).then_some(value)
    }

    /// `{"value": V, "margin": M}`, in either order, each once, the margin
    /// not negative.
    fn estimate(&mut self) -> Option<Value> {
        self.eat(b'{')?;
        let (mut value, mut margin) = (None, None);
        loop {
            self.skip_whitespace();
            let part = if self.word("\"value\"") {
                &mut value
            } else if self.word("\"margin\"") {
                &mut margin
            } else {
                return None;
            };
            if part.is_some() {
                return None;
            }
            self.eat(b':')?;
            self.skip_whitespace();
            *part = Some(self.number()?);
            if self.eat(b'}').is_some() {
                break;
            }
            self.eat(b',')?;
        }
        let (value, margin) = (value?, margin?);
        (!margin.is_sign_negative() || margin.is_zero())
            .then_some(Value::Estimate { value, margin })
    }

    fn word(&mut self, word: &str) -> bool {
        let found = self.bytes[self.pos..].starts_with(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// A string without escapes or control characters, borrowed from the
    /// text; anything else is left to the spanned reader.
    fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos + 1;
        let length = self.bytes[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        let end = start + length;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.pos = end + 1;
        // The quotes are ASCII, so the slice lies on character boundaries.
        self.text.get(start..end)
    }

    /// A number in plain notation (`-12.50`) of at most 28 digits, exactly;
    /// an exponent, a negative zero or more digits are left to the spanned
    /// reader.
    fn number(&mut self) -> Option<Decimal> {
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        self.pos += usize::from(negative);
        let mut mantissa = Mantissa::default();
        let integer = self.digits(&mut mantissa)?;
        if integer > 1 && self.bytes[self.pos - integer] == b'0' {
            return None;
        }
        let mut scale = 0;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            scale = u32::try_from(self.digits(&mut mantissa)?).ok()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            return None;
        }
        let mantissa = mantissa.value()?;
        if negative && mantissa == 0 {
            return None;
        }
        // At most 28 digits: the mantissa fits a decimal's 96 bits and the
        // scale its 28 places, so the parts need no further check.
        let part = |shift: u32| (mantissa >> shift) as u32;
        Some(Decimal::from_parts(
            part(0),
            part(32),
            part(64),
            negative,
            scale,
        ))
    }

    /// One or more digits, folded into `mantissa`; how many.
    fn digits(&mut self, mantissa: &mut Mantissa) -> Option<usize> {
        let from = self.pos;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            mantissa.push(digit - b'0');
            self.pos += 1;
        }
        (self.pos > from).then_some(self.pos - from)
    }
}

/// A number's digits as they are read. A published figure has a few, and
/// 19 digits always fit 64 bits, so they are gathered in 64 bits (cheaper
/// per digit than 128) and carried into 128 only when there are more.
#[derive(Default)]
struct Mantissa {
    narrow: u64,
    wide: u128,
    digits: usize,
}

impl Mantissa {
    const NARROW_DIGITS: usize = 19;

    fn push(&mut self, digit: u8) {
        self.digits += 1;
        if self.digits <= Self::NARROW_DIGITS {
            self.narrow = self.narrow * 10 + u64::from(digit);
        } else if self.digits <= MAX_DIGITS {
            if self.digits == Self::NARROW_DIGITS + 1 {
                self.wide = self.narrow.into();
            }
            self.wide = self.wide * 10 + u128::from(digit);
        }
        // Past 28 digits the number falls back: keep counting, no more.
    }

    /// The whole mantissa, if it has at most 28 digits.
    fn value(&self) -> Option<u128> {
        if self.digits <= Self::NARROW_DIGITS {
            Some(self.narrow.into())
        } else {
            (self.digits <= MAX_DIGITS).then_some(self.wide)
        }
    }
}

/// The value of a field the file does not give: its default, or not
/// assessed; `None` when it is required.
fn absent(field: &Field) -> Option<Value> {
    match field.default {
        Some(default) => Some(default),
        None if field.optional => Some(Value::NotAssessed),
        None => None,
    }
}

/// The checks of the spanned reader's `within_bounds`, without the words.
fn within_bounds(field: &Field, value: Value) -> bool {
    let n = match value {
        Value::Number(n) | Value::Estimate { value: n, .. } => n,
        _ => return true,
    };
    let negative = n.is_sign_negative() && !n.is_zero();
    // `negative` first: it is seldom true, and spares the unit's name.
    field.range.contains(n)
        && !(negative && field.ty.is_rate())
        && (!field.whole || n.fract().is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object's members in reverse order, written compactly.
    fn reversed(value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::Object(members) => {
                let members: Vec<String> = (members.iter().rev())
                    .map(|(key, value)| format!("{}:{}", serde_json::json!(key), reversed(value)))
                    .collect();
                format!("{{{}}}", members.join(","))
            }
            other => other.to_string(),
        }
    }

    /// Keys in the declared order are matched as declared; in any other
    /// order each is found by its name. Both ways the fast reader accepts
    /// the document and binds the same values.
    #[test]
    fn reads_keys_in_any_order() {
        let policy = crate::check::compile_file("policies/hmic-crime-2014.insp");
        let declared = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
        let document: serde_json::Value = serde_json::from_str(&declared).unwrap();
        let values = |text: String| {
            let whole = Span::new(0, text.len());
            let evidence = load(&policy, &Source::new("e.json", text), whole);
            evidence.expect("read the fast way").values
        };
        let as_declared = values(declared.clone());
        // serde_json's map sorts the keys: another order than the policy's.
        assert_eq!(values(document.to_string()), as_declared);
        assert_eq!(values(reversed(&document)), as_declared);
    }

    /// Numbers of up to 28 digits, either side of the 19 gathered in 64
    /// bits, read exactly as `exact_decimal` reads them; more digits, an
    /// exponent or a negative zero are left to the spanned reader.
    #[test]
    fn reads_numbers_of_every_length_exactly() {
        let policy = crate::check::compile_file("policies/hmic-crime-2014.insp");
        let read = |number: &str| {
            let text = number.to_string();
            let mut reader = FastReader {
                policy: &policy,
                text: &text,
                bytes: text.as_bytes(),
                pos: 0,
                values: Vec::new(),
                spans: Vec::new(),
                texts: Vec::new(),
                opened: Vec::new(),
            };
            reader.number().filter(|_| reader.pos == text.len())
        };
        // As written: the scale as well as the value (`1.0 == 1.00`).
        let written = |n: Option<Decimal>| n.map(|n| n.to_string());
        let digits = "9876543210987654321098765432109";
        for length in 1..=digits.len() {
            for point in 0..length {
                let (whole, fraction) = digits[..length].split_at(length - point);
                let number = if point == 0 {
                    whole.to_string()
                } else {
                    format!("{whole}.{fraction}")
                };
                for text in [number.clone(), format!("-{number}")] {
                    let expected = (length <= MAX_DIGITS)
                        .then(|| crate::value::exact_decimal(&text))
                        .flatten();
                    assert!(length > MAX_DIGITS || expected.is_some(), "{text}");
                    assert_eq!(written(read(&text)), written(expected), "{text}");
                }
            }
        }
        // Leading zeros of a fraction count among the 28 digits.
        let zeros = |n: usize| format!("0.{}1", "0".repeat(n - 1));
        assert_eq!(written(read(&zeros(27))), Some(zeros(27)));
        assert_eq!(read(&zeros(28)), None);
        for declined in ["1e3", "-0", "-0.0", "01", "1."] {
            assert_eq!(read(declined), None, "{declined}");
        }
        assert_eq!(written(read("0.50")), Some("0.50".into()));
    }
}
