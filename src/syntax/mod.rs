//! Syntax: the pest grammar (`grammar/insp.pest`) → an AST with spans, and
//! syntax errors in the author's words.

pub mod ast;
pub mod format;
mod mistakes;
mod parser;

pub use parser::{InspParser, Rule};

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{CodeChars, Source, Span};
use ast::PolicyAst;
use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};

/// The grade scale of a policy with no `grades` line, best first: the HMIC four.
pub const DEFAULT_GRADES: [&str; 4] = ["outstanding", "good", "requires_improvement", "inadequate"];

/// Syntax errors reported per file before giving up on recovery.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Deepest nesting of brackets accepted: far beyond any real criterion, and
/// well within the stack of the recursive parser and evaluator.
pub const MAX_NESTING: usize = 64;

/// Most operands in one expression (outside brackets): the same bound for
/// chains such as `a + a + a ...`, which parse into deep trees.
pub const MAX_OPERANDS: usize = 256;

/// Deepest an expression may nest, counting its prefix operators (`-`,
/// `not`), its operands and those of every expression around it (in
/// brackets or call arguments): the tree the parser builds is never deeper,
/// and every later stage walks that tree recursively.
pub const MAX_EXPR_DEPTH: usize = 256;

/// Keywords that start a top-level item: where parsing resumes after an error.
const ITEM_KEYWORDS: &[&str] = &[
    "use",
    "script",
    "grades",
    "scale",
    "evidence",
    "let",
    "question",
    "judgement",
    "overall",
];

/// Parses a policy file. On a syntax error, parsing resumes at the next
/// top-level item so that every syntax error of the file is reported at once.
pub fn parse(source: &Source) -> Result<PolicyAst, Vec<Diagnostic>> {
    let text = source.text();
    if let Some((span, limit)) = too_deep(text) {
        return Err(vec![too_complex(
            source,
            span,
            format!("brackets are nested more than {limit} deep"),
        )]);
    }
    match InspParser::parse(Rule::policy_file, text) {
        Ok(pairs) => {
            let mut problems = mistakes::accepted(source, pairs.clone(), 0);
            problems.extend(out_of_bounds(source, pairs.clone()));
            if !problems.is_empty() {
                return Err(problems);
            }
            let mut ast = PolicyAst::default();
            parser::build(pairs, &mut ast);
            Ok(ast)
        }
        Err(error) => Err(collect_errors(source, error)),
    }
}

/// Literals and expressions the later stages cannot hold: numbers beyond an
/// exact decimal, and expressions too long or too deep to evaluate safely.
fn out_of_bounds(source: &Source, pairs: pest::iterators::Pairs<'_, Rule>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut depth = ExprDepth::default();
    for pair in pairs.flatten() {
        match pair.as_rule() {
            Rule::expr if pair.clone().into_inner().count() > 2 * MAX_OPERANDS => {
                let message = format!("an expression has more than {MAX_OPERANDS} operands");
                problems.push(too_complex(source, pair.as_span().into(), message));
            }
            Rule::expr if depth.enter(&pair) > MAX_EXPR_DEPTH && !depth.reported => {
                depth.reported = true;
                let message = format!(
                    "an expression nests more than {MAX_EXPR_DEPTH} deep (operators and brackets counted)"
                );
                problems.push(too_complex(source, pair.as_span().into(), message));
            }
            Rule::number | Rule::signed_number
                if crate::value::exact_decimal(pair.as_str()).is_none() =>
            {
                problems.push(
                    Diagnostic::error(Code::Syntax, format!("the number {} cannot be held exactly", pair.as_str()))
                        .in_source(source)
                        .primary(pair.as_span().into(), "out of range")
                        .help("numbers are exact decimals of at most 28 significant digits (28 decimal places), magnitude below 7.9e28"),
                );
            }
            _ => {}
        }
    }
    problems
}

/// The expressions enclosing the current one, met in the parser's pre-order,
/// each with its end and weight: a bound on the depth of the tree it
/// parses into, found without recursion.
#[derive(Default)]
struct ExprDepth {
    enclosing: Vec<(usize, usize)>,
    reported: bool,
}

impl ExprDepth {
    /// Enters an `expr` pair; the bound on its depth, the enclosing
    /// expressions' included.
    fn enter(&mut self, pair: &pest::iterators::Pair<'_, Rule>) -> usize {
        let span = pair.as_span();
        while self
            .enclosing
            .last()
            .is_some_and(|&(end, _)| end <= span.start())
        {
            self.enclosing.pop();
        }
        // Prefix operators and operands each add a level; infix operators
        // join operands already counted.
        let weight = pair
            .clone()
            .into_inner()
            .filter(|p| !is_infix(p.as_rule()))
            .count();
        self.enclosing.push((span.end(), weight));
        self.enclosing.iter().map(|&(_, weight)| weight).sum()
    }
}

fn is_infix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::or_op
            | Rule::and_op
            | Rule::sig_above
            | Rule::sig_below
            | Rule::in_line
            | Rule::le
            | Rule::ge
            | Rule::ne
            | Rule::eq
            | Rule::lt
            | Rule::gt
            | Rule::add
            | Rule::sub
            | Rule::mul
            | Rule::div
    )
}

fn too_complex(source: &Source, span: Span, message: String) -> Diagnostic {
    Diagnostic::error(Code::Syntax, message)
        .in_source(source)
        .primary(Span::new(span.start, span.start + 1), "starting here")
        .help("split the condition into `let` bindings")
}

/// The position of the first bracket nested deeper than `MAX_NESTING`
/// (brackets in strings and comments aside), checked before parsing so that
/// hostile input cannot exhaust the parser's stack. Text in an inline
/// script can look like a string or a comment to that count (`'"'`, `#{`),
/// hiding brackets after it; so brackets are also counted as written, with
/// a bound no real text in a string reaches.
fn too_deep(text: &str) -> Option<(Span, usize)> {
    let code = CodeChars::new(text).filter(|&(_, _, in_string)| !in_string);
    let raw = text.char_indices().map(|(i, c)| (i, c, false));
    first_deeper_than(code, MAX_NESTING)
        .map(|span| (span, MAX_NESTING))
        .or_else(|| first_deeper_than(raw, 4 * MAX_NESTING).map(|span| (span, 4 * MAX_NESTING)))
}

fn first_deeper_than(
    chars: impl Iterator<Item = (usize, char, bool)>,
    limit: usize,
) -> Option<Span> {
    let mut depth = 0usize;
    for (i, c, _) in chars {
        match c {
            '(' | '{' => {
                depth += 1;
                if depth > limit {
                    return Some(Span::new(i, i + 1));
                }
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn collect_errors(source: &Source, first: pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let text = source.text();
    let mut diagnostics = Vec::new();
    let (mut start, mut rule, mut error) = (0, Rule::policy_file, first);
    loop {
        let failed_at = start + error_offset(&error);
        diagnostics.extend(accepted_before(source, rule, start, failed_at));
        diagnostics.push(syntax_diagnostic(source, &error, start));
        // At least one character on, so that the search moves on — to a
        // character's boundary: the error may be at a character of several bytes.
        let mut position = (start + error_offset(&error).max(1)).min(text.len());
        while !text.is_char_boundary(position) {
            position += 1;
        }
        let Some(resume) = next_item_start(text, position) else {
            break;
        };
        if diagnostics.len() >= MAX_SYNTAX_ERRORS {
            break;
        }
        match InspParser::parse(Rule::item_list, &text[resume..]) {
            Ok(pairs) => {
                diagnostics.extend(mistakes::accepted(source, pairs, resume));
                break;
            }
            Err(next) => (start, rule, error) = (resume, Rule::item_list, next),
        }
    }
    diagnostics
}

/// The mistakes the grammar accepts (grades as phrases) in the items of a
/// failed parse before the item that failed, which are parsed again alone:
/// so that they are reported with the error, not after it is fixed.
fn accepted_before(source: &Source, rule: Rule, start: usize, failed_at: usize) -> Vec<Diagnostic> {
    let text = source.text();
    let end = item_starts(text, start)
        .take_while(|&offset| offset < failed_at)
        .last()
        .unwrap_or(start);
    match InspParser::parse(rule, &text[start..end]) {
        Ok(pairs) if end > start => mistakes::accepted(source, pairs, start),
        // Nothing before the failed item, or items that do not parse alone:
        // the error reported stands.
        _ => Vec::new(),
    }
}

fn error_offset(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    }
}

/// The byte offset of the first line after `after` that starts with an item keyword.
fn next_item_start(text: &str, after: usize) -> Option<usize> {
    let offset = text[after..].find('\n').map(|i| after + i + 1)?;
    item_starts(text, offset).next()
}

/// The byte offsets of the item keywords that start lines, from `from` (the
/// start of a line, or of an item) on.
fn item_starts(text: &str, from: usize) -> impl Iterator<Item = usize> + '_ {
    text[from..]
        .split_inclusive('\n')
        .scan(from, |offset, line| {
            let line_start = *offset;
            *offset += line.len();
            Some((line_start, line))
        })
        .filter_map(|(line_start, line)| {
            let trimmed = line.trim_start();
            let starts_item = ITEM_KEYWORDS.iter().any(|kw| {
                trimmed.starts_with(kw)
                    && !trimmed[kw.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            starts_item.then(|| line_start + (line.len() - trimmed.len()))
        })
}

fn syntax_diagnostic(source: &Source, error: &pest::error::Error<Rule>, base: usize) -> Diagnostic {
    let offset = base + error_offset(error);
    let found = found_at(source.text(), offset);
    let expected = expected_words(error);
    if let Some(mistake) = mistakes::at_failure(source, offset, &expected) {
        return mistake;
    }
    let message = match (&expected[..], found.as_str()) {
        ([], found) => format!("unexpected {found}"),
        (expected, found) => format!("expected {}, found {found}", join_or(expected)),
    };
    let width = source.text()[offset.min(source.text().len())..]
        .chars()
        .next()
        .map_or(0, char::len_utf8);
    Diagnostic::error(Code::Syntax, message)
        .in_source(source)
        .primary(Span::new(offset, offset + width), "here")
        .help(syntax_help(&expected))
}

/// What the parser hoped for, in words: grammar rules by name, and the
/// literal tokens (keywords, punctuation) the grammar tried.
fn expected_words(error: &pest::error::Error<Rule>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        words.extend(positives.iter().filter_map(|r| rule_words(*r)));
    }
    if let Some(attempts) = error.parse_attempts() {
        // Literal tokens (keywords, punctuation); ranges and built-ins say nothing useful.
        for token in attempts.expected_tokens().iter().map(ToString::to_string) {
            let literal =
                !token.trim().is_empty() && !token.contains("..") && token != "BUILTIN_RULE";
            if literal && token != "#" {
                words.push(format!("`{token}`"));
            }
        }
    }
    // After an operator only an operand makes sense: don't list `-` as "an arithmetic operator".
    if words.iter().any(|w| w == EXPRESSION_WORDS) {
        const OPERAND_STARTS: &[&str] = &[
            "an arithmetic operator",
            "`-`",
            "a name",
            "`not`",
            "`true`",
            "`false`",
            "a quoted string",
        ];
        words.retain(|w| !OPERAND_STARTS.contains(&w.as_str()));
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    words
}

/// Grammar rules in the author's words; `None` for rules that are not worth naming.
fn rule_words(rule: Rule) -> Option<String> {
    if let Some(keyword) = format!("{rule:?}").strip_prefix("kw_") {
        return Some(match rule {
            Rule::kw_number
            | Rule::kw_percent
            | Rule::kw_bool
            | Rule::kw_text
            | Rule::kw_estimate
            | Rule::kw_whole
            | Rule::kw_grade
            | Rule::kw_level => TYPE_WORDS.to_string(),
            _ => format!("`{keyword}`"),
        });
    }
    operand_words(rule).map(String::from)
}

const TYPE_WORDS: &str = "a type (number, whole, percent, bool, text, estimate, level or grade)";
const EXPRESSION_WORDS: &str = "an expression";

fn operand_words(rule: Rule) -> Option<&'static str> {
    // Whatever can start an operand is, to an author, "an expression".
    if matches!(
        rule,
        Rule::expr
            | Rule::call_arg
            | Rule::paren
            | Rule::number
            | Rule::boolean
            | Rule::call
            | Rule::path
            | Rule::not_op
    ) {
        return Some(EXPRESSION_WORDS);
    }
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::policy_file | Rule::item_list => {
            "a declaration (`policy`, `grades`, `scale`, `evidence`, `let`, `question`, `judgement` or `overall`)"
        }
        Rule::policy_header => "`policy \"name\"`",
        Rule::grades_decl => "a grade scale such as `grades good > poor`",
        Rule::grade_decl | Rule::ident => "a name",
        Rule::path => "a name or an evidence path such as `crime.rate`",
        Rule::scale_decl => "a level scale such as `scale strength = weak < strong`",
        Rule::level_list => "levels such as `weak < adequate < strong`",
        Rule::evidence_block => "an evidence block `evidence { ... }`",
        Rule::field_decl => "an evidence field such as `crime.rate : number`",
        Rule::number_type
        | Rule::percent_type
        | Rule::bool_type
        | Rule::text_type
        | Rule::estimate_type
        | Rule::whole_type
        | Rule::grade_type
        | Rule::level_type => TYPE_WORDS,
        Rule::range | Rule::lower_bound | Rule::upper_bound => "a range such as `1..4` or `0..`",
        Rule::optional => "`optional`",
        Rule::normally => "`normally`",
        Rule::unit | Rule::per_unit | Rule::in_unit => {
            "a unit such as `per 1000 population` or `percent`"
        }
        Rule::default_value => "a default value `= ...`",
        Rule::let_decl => "`let name = ...`",
        Rule::use_decl => "`use \"helpers.rhai\"`",
        Rule::script_decl | Rule::script_body => "a script block `script { fn name(x) { ... } }`",
        Rule::question_decl => "a question `question id \"title\" { ... }`",
        Rule::judgement_decl => "a judgement `judgement id \"title\" of a, b { ... }`",
        Rule::overall_decl => "an overall judgement `overall \"title\" { ... }`",
        Rule::members => "the judgements it aggregates (`of a, b, c`)",
        Rule::body => "a body `{ ... }`",
        Rule::resolve_decl => "a resolution such as `resolve first`",
        Rule::strategy | Rule::kw_unique | Rule::kw_first | Rule::kw_highest | Rule::kw_lowest => {
            "a resolution strategy (unique, first, highest or lowest)"
        }
        Rule::grade_rule => "a grade rule such as `good when ...`",
        Rule::otherwise_rule => "`otherwise GRADE`",
        Rule::cap_rule => "a cap `at most GRADE when ...`",
        Rule::floor_rule => "a floor `at least GRADE when ...`",
        Rule::because => "a reason `because \"...\"`",
        Rule::signed_number => "a number",
        Rule::string => "a quoted string",
        Rule::grade_filter | Rule::cmp_op => "a comparison",
        Rule::or_op | Rule::and_op => "`and` or `or`",
        Rule::sig_above | Rule::sig_below | Rule::in_line => "an estimate comparison",
        Rule::le | Rule::ge | Rule::ne | Rule::eq | Rule::lt | Rule::gt => "a comparison",
        Rule::add | Rule::sub | Rule::mul | Rule::div => "an arithmetic operator",
        _ => return None,
    })
}

/// A short description of what stands at `offset`.
fn found_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return "the end of the file".to_string();
    };
    if first == '\n' || first == '\r' {
        return "the end of the line".to_string();
    }
    let word: String = if first.is_alphanumeric() || first == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect()
    } else {
        first.to_string()
    };
    format!("`{word}`")
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn syntax_help(expected: &[String]) -> String {
    if expected.iter().any(|w| w.contains("grade rule")) {
        "a judgement's body holds rules such as `good when crime_ratio < 1`, `otherwise \
         requires_improvement`, `at most good when ...` and `resolve first`"
            .to_string()
    } else if expected.iter().any(|w| w.contains("evidence field")) {
        "each evidence field is `path : type`, optionally `= default` and a \"description\""
            .to_string()
    } else {
        "see docs/language.md for the syntax of each construct".to_string()
    }
}
