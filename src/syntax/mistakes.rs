//! The syntax mistakes authors make most, reported in their words: `=` for
//! `==`, `&&` / `||` for `and` / `or`, `95%`, and a grade written as a quoted
//! or spaced phrase.
//!
//! Two ways in. Operators are recognised by the text at the position where
//! the parse failed, and only where the grammar wanted what the author
//! meant (an `=` where a comparison could stand). Grades written as phrases
//! are accepted by the grammar (`quoted_grade`, `grade_phrase`) where only a
//! grade can stand, and reported here from the parse.

use super::{DEFAULT_GRADES, InspParser, Rule};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Source, Span};
use pest::Parser;
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
    let logical = wanted("`and` or `or`") || wanted("`and`");
    let mistake = logical
        .then(|| logical_operator(rest, offset))
        .flatten()
        .or_else(|| wanted("a comparison").then(|| single_equals(rest, offset))?)
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
    let grades = declared_grades(source.text());
    // Pairs come in pre-order: a phrase before this offset is in the `grades` line.
    let mut grades_line_end = 0;
    let mut found = Vec::new();
    for pair in pairs.flatten() {
        let span = Span::new(base + pair.as_span().start(), base + pair.as_span().end());
        let (quoted, phrase) = match pair.as_rule() {
            Rule::grades_decl => {
                grades_line_end = span.end;
                continue;
            }
            Rule::quoted_grade | Rule::rule_quoted_grade => (true, pair.as_str().trim_matches('"')),
            Rule::grade_phrase | Rule::rule_grade_phrase | Rule::last_grade_phrase => {
                (false, pair.as_str())
            }
            _ => continue,
        };
        let name = grade_name(phrase);
        let diagnostic = if span.start < grades_line_end {
            misnamed_grade(source, span, quoted, name, Place::GradesLine)
        } else if name.as_ref().is_some_and(|n| grades.contains(n)) {
            misnamed_grade(source, span, quoted, name, Place::Rule)
        } else {
            // Not a grade however it is joined (`amost requires_improvement`, a
            // misspelt `at most`): say so, without suggesting a name.
            not_a_grade(source, span, pair.as_str(), &grades)
        };
        found.push(diagnostic);
    }
    found
}

/// The grades of the policy in `text`, best first: its `grades` line's
/// (phrases joined as the author meant them), or the default scale.
fn declared_grades(text: &str) -> Vec<String> {
    let line = super::item_starts(text, 0).find(|&offset| text[offset..].starts_with("grades"));
    let parsed = line.and_then(|offset| InspParser::parse(Rule::grades_decl, &text[offset..]).ok());
    let Some(pairs) = parsed else {
        return DEFAULT_GRADES.iter().map(|g| g.to_string()).collect();
    };
    pairs
        .flatten()
        .filter_map(|pair| match pair.as_rule() {
            Rule::ident => Some(pair.as_str().to_string()),
            Rule::grade_phrase => grade_name(pair.as_str()),
            Rule::quoted_grade => grade_name(pair.as_str().trim_matches('"')),
            _ => None,
        })
        .collect()
}

fn not_a_grade(source: &Source, span: Span, written: &str, grades: &[String]) -> Diagnostic {
    Diagnostic::error(Code::Syntax, format!("`{written}` is not a grade"))
        .in_source(source)
        .primary(span, "a grade, or a keyword, goes here")
        .help(format!(
            "where a grade stands, write one grade of the scale as declared ({}); a rule opens \
             with its grade, or with `at most`, `at least`, `otherwise` or `resolve`",
            grades.join(" > ")
        ))
}

/// Where a grade is named: declared in the `grades` line, or used in a rule.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    GradesLine,
    Rule,
}

fn misnamed_grade(
    source: &Source,
    span: Span,
    quoted: bool,
    name: Option<String>,
    place: Place,
) -> Diagnostic {
    let message = if quoted {
        "a grade is a name, not a quoted phrase"
    } else {
        "a grade is one name, without spaces"
    };
    let label = name.as_ref().map_or_else(
        || "a grade's name goes here".to_string(),
        |name| format!("write `{name}`"),
    );
    let spelling = match &name {
        Some(name) => format!("its words joined by underscores and without quotes: `{name}`"),
        None => "without quotes".to_string(),
    };
    let help = match place {
        Place::Rule => {
            format!("write the grade's name as the `grades` line declares it, {spelling}")
        }
        // Two grades with the `>` between them forgotten look the same.
        Place::GradesLine if !quoted => format!(
            "write a grade's name as one word, {spelling}; if these are two grades, put `>` between them, best first"
        ),
        Place::GradesLine => format!("write a grade's name as one word, {spelling}"),
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

    /// The message of the first syntax error of `text`.
    fn first_error(text: &str) -> String {
        let errors =
            crate::syntax::parse(&Source::new("p.insp", text)).expect_err("a syntax error");
        errors[0].message.clone()
    }

    #[test]
    fn only_the_mistake_itself_is_named() {
        let rule = |condition: &str| {
            first_error(&format!(
                "question q \"Q\" {{\n  good when {condition}\n}}\n"
            ))
        };
        assert_eq!(
            rule("x > 95%"),
            "`95%`: a number cannot carry a percent sign"
        );
        assert_eq!(
            rule("x > 9.5 %"),
            "`9.5%`: a number cannot carry a percent sign"
        );
        assert!(rule("x > y%").starts_with("expected"), "{}", rule("x > y%"));
        assert!(first_error("%").starts_with("expected"));
        assert!(first_error("let a = 1 &").starts_with("`&` is not an operator"));
        // `=` where no comparison can stand is not called one.
        assert!(first_error("let = 1").starts_with("expected"));
        assert!(rule("x =").starts_with("`=` is not a comparison"));
    }

    #[test]
    fn a_phrase_is_joined_into_a_name_only_when_that_is_a_grade() {
        let body = |line: &str| first_error(&format!("question q \"Q\" {{\n  {line}\n}}\n"));
        assert_eq!(
            body("requires improvement when x > 1"),
            "a grade is one name, without spaces"
        );
        assert_eq!(
            body("otherwise requires improvement  # the rest"),
            "a grade is one name, without spaces"
        );
        // A typo after a limit is reported where it stands, not as a phrase.
        assert_eq!(
            body("at least good wen x > 1"),
            "expected `when`, found `x`"
        );
        // A misspelt `at most` before a grade is not offered as `amost_requires_improvement`.
        assert_eq!(
            body("amost requires_improvement when x > 1"),
            "`amost requires_improvement` is not a grade"
        );
        // The policy's own scale decides, phrases in its `grades` line included.
        let declared =
            "grades very good > fairly poor\nquestion q \"Q\" {\n  otherwise fairly poor\n}\n";
        let errors = crate::syntax::parse(&Source::new("p.insp", declared)).expect_err("phrases");
        let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["a grade is one name, without spaces"; 3]);
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
