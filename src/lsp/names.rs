//! The names written in a policy and what they refer to: the shared ground
//! of hover, go to definition, references and completion. Names are read
//! from the text (outside comments, strings and script blocks) and resolved
//! against the compiled policy, so that declarations (`let x`, `question q`,
//! `of a, b`) and uses are found alike.

use insp::policy::Policy;
use insp::{Source, Span};

/// A name or dotted path as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub span: Span,
}

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    Field(usize),
    Let(usize),
    Judgement(usize),
    /// A Rhai helper function, by its index among the policy's helpers.
    Helper(usize),
    Grade(u8),
    /// A level of a scale: (scale, level).
    Level(usize, usize),
}

/// Every name and dotted path in a policy's text, in order.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token<'_>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        i = match bytes[i] {
            b'#' => line_end(bytes, i),
            b'"' => string_end(bytes, i),
            b'{' if tokens.last().is_some_and(|t| t.text == "script") => script_end(bytes, i),
            b'0'..=b'9' => skip_while(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'.'),
            b if is_word_start(b) => {
                let end = path_end(bytes, i);
                tokens.push(Token {
                    text: &text[i..end],
                    span: Span::new(i, end),
                });
                end
            }
            _ => i + 1,
        };
    }
    tokens
}

/// The name or path at a byte offset (the cursor may be just after it).
pub fn token_at(text: &str, offset: usize) -> Option<Token<'_>> {
    tokens(text)
        .into_iter()
        .find(|t| t.span.start <= offset && offset <= t.span.end)
}

/// The part of a name or path written before `offset`: what completion
/// replaces. Empty (at `offset`) where no name is being written.
pub fn prefix_at(text: &str, offset: usize) -> Span {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = bytes[..offset]
        .iter()
        .rposition(|&b| !(is_word_char(b) || b == b'.'))
        .map_or(0, |i| i + 1);
    Span::new(start, offset)
}

/// What a name refers to, most specific first: a grade and a level of a
/// scale may share a name (`good`), and only the context tells which.
pub fn resolve(policy: &Policy, name: &str) -> Vec<Symbol> {
    let mut symbols = Vec::new();
    if let Some(i) = index_of(policy.lets.iter().map(|l| l.name.as_str()), name) {
        symbols.push(Symbol::Let(i));
    }
    if let Some(i) = index_of(policy.fields.iter().map(|f| f.path.as_str()), name) {
        symbols.push(Symbol::Field(i));
    }
    if let Some(i) = policy.judgement_index(name) {
        symbols.push(Symbol::Judgement(i));
    }
    if let Some(i) = index_of(helper_names(policy), name) {
        symbols.push(Symbol::Helper(i));
    }
    if let Some(rank) = policy.grades.rank(name) {
        symbols.push(Symbol::Grade(rank));
    }
    for (scale, levels) in policy.scales.iter().enumerate() {
        if let Some(level) = levels.levels.iter().position(|l| l == name) {
            symbols.push(Symbol::Level(scale, level));
        }
    }
    symbols
}

fn index_of<'a>(mut names: impl Iterator<Item = &'a str>, name: &str) -> Option<usize> {
    names.position(|n| n == name)
}

/// The names of the policy's helper functions, in order.
pub fn helper_names(policy: &Policy) -> impl Iterator<Item = &str> {
    policy
        .scripts
        .iter()
        .flat_map(|scripts| scripts.helpers.iter().map(|h| h.name.as_str()))
}

/// A helper's script and where in it the helper is defined (its name after `fn`).
pub fn helper_definition(policy: &Policy, helper: usize) -> Option<(Source, Span)> {
    let scripts = policy.scripts.as_ref()?;
    let helper = scripts.helpers.get(helper)?;
    let script = scripts.sources.get(helper.script)?;
    let at = script.base + find_fn(script.code(), &helper.name)?;
    Some((script.source.clone(), Span::new(at, at + helper.name.len())))
}

/// Where `fn NAME(` names the function in Rhai code.
fn find_fn(code: &str, name: &str) -> Option<usize> {
    code.match_indices(name).map(|(at, _)| at).find(|&at| {
        let before = code[..at].trim_end();
        let after = code[at + name.len()..].trim_start();
        before.ends_with("fn")
            && !before[..before.len() - 2].ends_with(|c: char| is_word_char(c as u8))
            && after.starts_with('(')
    })
}

/// Where a symbol is declared in the policy's own text, if it is.
pub fn declaration(policy: &Policy, symbol: Symbol) -> Option<Span> {
    match symbol {
        Symbol::Field(i) => policy.fields.get(i).map(|f| f.span),
        Symbol::Let(i) => policy.lets.get(i).map(|l| l.span),
        Symbol::Judgement(i) => policy.judgements.get(i).map(|j| j.span),
        Symbol::Helper(_) | Symbol::Grade(_) | Symbol::Level(..) => None,
    }
}

/// Every place the policy's text names a symbol, its declaration included.
pub fn references(policy: &Policy, text: &str, symbol: Symbol) -> Vec<Span> {
    tokens(text)
        .into_iter()
        .filter(|token| resolve(policy, token.text).first() == Some(&symbol))
        .map(|token| token.span)
        .collect()
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn skip_while(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !keep(b))
        .map_or(bytes.len(), |n| from + n)
}

/// The end of a word and any `.word` parts after it.
fn path_end(bytes: &[u8], from: usize) -> usize {
    let mut end = skip_while(bytes, from, is_word_char);
    while bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(|&b| is_word_start(b)) {
        end = skip_while(bytes, end + 1, is_word_char);
    }
    end
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    skip_while(bytes, from, |b| b != b'\n')
}

/// The end of a string literal starting at `from` (which ends at a line's end if unclosed).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    (i + 1).min(bytes.len())
}

/// The end of a `script { ... }` block at its opening brace: braces
/// balanced, those in Rhai strings and comments not counted (as the grammar).
fn script_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            quote @ (b'"' | b'\'' | b'`') => i = quoted_end(bytes, i, quote) - 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i) - 1,
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |end| end + 2) - 1;
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn quoted_end(bytes: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from + 1;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' && quote != b'`' {
            2
        } else {
            1
        };
    }
    (i + 1).min(bytes.len())
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| from + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        tokens(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn names_and_paths_are_read_outside_comments_strings_and_scripts() {
        let text = "# note x\nlet r = crime.rate / 2.5 # y\nscript { fn f(a) { \"}\" } }\nquestion q \"t é\" { good when r > 1 }";
        assert_eq!(
            texts(text),
            [
                "let",
                "r",
                "crime.rate",
                "script",
                "question",
                "q",
                "good",
                "when",
                "r"
            ]
        );
    }

    #[test]
    fn ranges_and_unclosed_strings_do_not_derail_the_scan() {
        assert_eq!(texts("x : number 0..4 \"open\ny"), ["x", "number", "y"]);
        assert_eq!(texts("script { /* } */ 'a' "), ["script"]);
    }

    #[test]
    fn the_prefix_is_the_path_before_the_cursor() {
        let text = "when crime.ra";
        assert_eq!(prefix_at(text, text.len()), Span::new(5, 13));
        assert_eq!(prefix_at("a ", 2), Span::new(2, 2));
    }

    #[test]
    fn a_helper_is_found_after_fn_only() {
        let code = "// change(x)\nfn other() { change(1) }\nfn  change (a, b) { a }";
        assert_eq!(find_fn(code, "change"), code.rfind("change"));
        assert_eq!(find_fn("fn changes() {}", "change"), None);
    }
}
