//! The syntax mistakes authors make most, reported in their words: `=` for
//! `==`, `&&` / `||` for `and` / `or`, `95%`, and a grade written as a quoted
//! or spaced phrase.
//!
//! Two ways in. Operators are recognised by the text at the position where
//! the parse failed, and only where the grammar wanted what the author
//! meant (an `=` where a comparison could stand). Grades written as phrases
//! are accepted by the grammar (`quoted_grade`, `grade_phrase`) where only a
//! grade can stand, and reported here from the parse.

use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Source, Span};
use pest::iterators::Pairs;

/// A mistake recognised at the position where parsing failed, given what the
/// parser expected there (in words, as `expected_words` gives them).
pub(super) fn at_failure(
    source: &Source,
    offset: usize,
    expected: &[String],
) -> Option<Diagnostic> {
    let text = source.text();
    let rest = text.get(offset..)?;
    let wanted = |word: &str| expected.iter().any(|w| w == word);
    let mistake = if wanted("`and` or `or`") || wanted("`and`") {
        logical_operator(rest, offset)
    } else {
        None
    };
    let mistake = mistake
        .or_else(|| {
            wanted("a comparison")
                .then(|| single_equals(rest, offset))
                .flatten()
        })
        .or_else(|| percent_sign(text, offset));
    mistake.map(|(span, message, label, help)| {
        Diagnostic::error(Code::Syntax, message)
            .in_source(source)
            .primary(span, label)
            .help(help)
    })
}

/// A mistake's place, message, label and help.
type Mistake = (Span, String, String, String);

/// `&&` or `||` (or a single `&` / `|`) where `and` / `or` could stand.
fn logical_operator(rest: &str, offset: usize) -> Option<Mistake> {
    let (written, word) = [("&&", "and"), ("||", "or"), ("&", "and"), ("|", "or")]
        .into_iter()
        .find(|(symbol, _)| rest.starts_with(symbol))?;
    Some((
        Span::new(offset, offset + written.len()),
        format!("`{written}` is not an operator in insp: write `{word}`"),
        format!("write `{word}`"),
        "conditions combine with the words `and`, `or` and `not`: `x > 1 and y < 2`".to_string(),
    ))
}

/// A single `=` where a comparison could stand: `x = 1` for `x == 1`, and
/// `=>` / `=<` for `>=` / `<=`.
fn single_equals(rest: &str, offset: usize) -> Option<Mistake> {
    let (written, meant) = [("=>", ">="), ("=<", "<="), ("=", "==")]
        .into_iter()
        .find(|(symbol, _)| rest.starts_with(symbol))?;
    let help = if meant == "==" {
        "`=` gives a let its value or a field its default; a condition compares with `==`: `x == 1`"
    } else {
        "comparisons are written `<`, `<=`, `>`, `>=`, `==` and `!=`"
    };
    Some((
        Span::new(offset, offset + written.len()),
        format!("`{written}` is not a comparison: write `{meant}`"),
        format!("write `{meant}`"),
        help.to_string(),
    ))
}

/// A percent sign after a number: `95%` for `95`.
fn percent_sign(text: &str, offset: usize) -> Option<Mistake> {
    if !text[offset..].starts_with('%') {
        return None;
    }
    let before = text[..offset].trim_end_matches([' ', '\t']);
    let number_start = before
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    let number = &before[number_start..];
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((
        Span::new(number_start, offset + 1),
        format!("`{number}%`: a number cannot carry a percent sign"),
        format!("write `{number}`"),
        format!(
            "a percentage is written as its number of percent, as in evidence files: {number}% is \
             `{number}`"
        ),
    ))
}

/// Grades the grammar accepted as quoted or spaced phrases, each an error.
/// `base` is where the parsed text starts in the source.
pub(super) fn accepted(source: &Source, pairs: Pairs<'_, Rule>, base: usize) -> Vec<Diagnostic> {
    pairs
        .flatten()
        .filter_map(|pair| {
            let span = Span::new(base + pair.as_span().start(), base + pair.as_span().end());
            let (message, name) = match pair.as_rule() {
                Rule::quoted_grade | Rule::rule_quoted_grade => {
                    let phrase = pair.as_str().trim_matches('"');
                    ("a grade is a name, not a quoted phrase", grade_name(phrase))
                }
                Rule::grade_phrase | Rule::rule_grade_phrase => (
                    "a grade is one name, without spaces",
                    grade_name(pair.as_str()),
                ),
                _ => return None,
            };
            Some(misnamed_grade(source, span, message, name))
        })
        .collect()
}

fn misnamed_grade(source: &Source, span: Span, message: &str, name: Option<String>) -> Diagnostic {
    let (label, help) = match name {
        Some(name) => (
            format!("write `{name}`"),
            format!(
                "write the grade's name as the `grades` line declares it, joined by underscores \
                 and without quotes: `{name}`"
            ),
        ),
        None => (
            "a grade's name goes here".to_string(),
            "write the grade's name as the `grades` line declares it, without quotes".to_string(),
        ),
    };
    Diagnostic::error(Code::Syntax, message)
        .in_source(source)
        .primary(span, label)
        .help(help)
}

/// The name a phrase stands for: its words joined by underscores
/// (`requires improvement` → `requires_improvement`); `None` when that is
/// not a name.
fn grade_name(phrase: &str) -> Option<String> {
    let words: Vec<&str> = phrase
        .split([' ', '\t', '-'])
        .filter(|w| !w.is_empty())
        .collect();
    let name = words.join("_");
    let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_name.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::grade_name;
    use crate::source::Source;
    use crate::syntax::ast::RuleKind;

    /// The kind, grade and `normally` of each rule of the policy's one question.
    fn rules(body: &str) -> Vec<(RuleKind, String, bool)> {
        let text = format!("evidence {{ x : number }}\nquestion q \"Q\" {{\n{body}\n}}\n");
        let ast = crate::syntax::parse(&Source::new("p.insp", text)).expect("a valid policy");
        let rules = &ast.judgements[0].rules;
        rules
            .iter()
            .map(|r| (r.kind, r.grade.name.clone(), r.normally))
            .collect()
    }

    #[test]
    fn two_items_on_one_line_keep_their_meaning() {
        use RuleKind::*;
        let grade = |kind, name: &str, normally| (kind, name.to_string(), normally);
        assert_eq!(
            rules("otherwise poor good when x > 1"),
            [grade(Otherwise, "poor", false), grade(Grade, "good", false)]
        );
        assert_eq!(
            rules("at most good fair when x > 1"),
            [grade(Cap, "good", false), grade(Grade, "fair", false)]
        );
        assert_eq!(
            rules("otherwise poor normally good when x > 1"),
            [grade(Otherwise, "poor", false), grade(Grade, "good", true)]
        );
        assert_eq!(
            rules("at least key.safe"),
            [grade(Floor, "key.safe", false)]
        );
    }

    #[test]
    fn a_phrase_across_lines_is_two_items() {
        use RuleKind::*;
        assert_eq!(
            rules("otherwise poor\ngood when x > 1"),
            [
                (Otherwise, "poor".to_string(), false),
                (Grade, "good".to_string(), false)
            ]
        );
    }

    #[test]
    fn a_phrase_becomes_the_name_it_stands_for() {
        assert_eq!(
            grade_name("requires improvement").as_deref(),
            Some("requires_improvement")
        );
        assert_eq!(
            grade_name(" requires-improvement ").as_deref(),
            Some("requires_improvement")
        );
        assert_eq!(grade_name("3 stars"), None);
        assert_eq!(grade_name(""), None);
        assert_eq!(grade_name("très bien"), None);
    }
}
