//! `insp fmt`: one canonical layout for criteria files. Items keep their
//! order, comments are kept (a comment inside a rule moves to the line above
//! it), blank lines between items are normalised, columns of fields and
//! rules are aligned, and long conditions break before `and` / `or`.

use super::ast::*;
use crate::diagnostics::Diagnostic;
use crate::source::{Source, Span};

/// Lines longer than this are broken where the layout allows.
pub const WIDTH: usize = 100;
const INDENT: &str = "  ";

/// The canonical text of a policy, or its syntax errors.
pub fn format(source: &Source) -> Result<String, Vec<Diagnostic>> {
    let ast = super::parse(source)?;
    let mut printer = Printer {
        text: source.text(),
        comments: comments(source.text(), &ast),
        next_comment: 0,
        lines: Vec::new(),
        last_end: 0,
    };
    printer.policy(&ast);
    Ok(printer.finish())
}

/// The spans of `#` comments, outside strings and inline scripts. Strings
/// never span lines, so each line is scanned on its own.
fn comments(text: &str, ast: &PolicyAst) -> Vec<Span> {
    let in_script = |offset: usize| {
        ast.scripts.iter().any(|s| matches!(s, ScriptDecl::Inline(_, span) if span.start <= offset && offset < span.end))
    };
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut in_string = false;
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            // Rhai code is kept as written: its quotes and `#` mean nothing here.
            if in_script(line_start + i) {
                continue;
            }
            if in_string {
                in_string = c != '"' || escaped;
                escaped = c == '\\' && !escaped;
            } else if c == '"' {
                in_string = true;
            } else if c == '#' {
                found.push(Span::new(
                    line_start + i,
                    line_start + line.trim_end().len(),
                ));
                break;
            }
        }
        line_start += line.len();
    }
    found
}

struct Printer<'a> {
    text: &'a str,
    comments: Vec<Span>,
    next_comment: usize,
    lines: Vec<String>,
    /// Where the last printed node ended in the source.
    last_end: usize,
}

impl Printer<'_> {
    fn finish(mut self) -> String {
        self.comments_before(self.text.len(), "");
        while self.lines.last().is_some_and(|l| l.is_empty()) {
            self.lines.pop();
        }
        let mut out = self.lines.join("\n");
        out.push('\n');
        out
    }

    fn push(&mut self, line: String) {
        self.lines.push(line.trim_end().to_string());
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// Whether the source has an empty line between two offsets.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.text.get(from..to).unwrap_or("");
        let lines: Vec<&str> = gap.split('\n').collect();
        lines.len() >= 3
            && lines[1..lines.len() - 1]
                .iter()
                .any(|l| l.trim().is_empty())
    }

    /// Prints the comments that start before `before`, each on its own line,
    /// keeping an empty line where the author left one.
    fn comments_before(&mut self, before: usize, indent: &str) {
        while let Some(&comment) = self.comments.get(self.next_comment) {
            if comment.start >= before {
                break;
            }
            if self.blank_between(self.last_end, comment.start) {
                self.blank();
            }
            self.push(format!(
                "{indent}{}",
                &self.text[comment.start..comment.end]
            ));
            self.last_end = comment.end;
            self.next_comment += 1;
        }
    }

    /// Starts a node: its comments, and an empty line if the author left one.
    fn open(&mut self, span: Span, indent: &str) {
        self.comments_before(span.end, indent);
        if self.blank_between(self.last_end, span.start) {
            self.blank();
        }
    }

    /// Ends a node: a comment on the same line as its end stays there.
    fn close(&mut self, span: Span) {
        self.last_end = span.end;
        if let Some(&comment) = self.comments.get(self.next_comment) {
            let between = self.text.get(span.end..comment.start).unwrap_or("\n");
            if !between.contains('\n') {
                let comment_text = &self.text[comment.start..comment.end];
                if let Some(last) = self.lines.last_mut() {
                    last.push_str("  ");
                    last.push_str(comment_text);
                }
                self.last_end = comment.end;
                self.next_comment += 1;
            }
        }
    }

    fn policy(&mut self, ast: &PolicyAst) {
        let mut previous: Option<Item> = None;
        for &(item, span) in &ast.items {
            let related = matches!(
                (previous, item),
                (Some(Item::Let(_)), Item::Let(_)) | (Some(Item::Script(_)), Item::Script(_))
            );
            // Items are separated by an empty line; their comments stay with them.
            if previous.is_some() && (!related || self.blank_between(self.last_end, span.start)) {
                self.blank();
            }
            previous = Some(item);
            match item {
                Item::Header => {
                    let (name, _) = ast.name.as_ref().expect("a header has a name");
                    self.line(span, format!("policy {}", quote(name)));
                }
                Item::Grades(i) => self.line(span, grades(&ast.grades[i])),
                Item::Scale(i) => {
                    let scale = &ast.scales[i];
                    self.line(
                        span,
                        format!(
                            "scale {} = {}",
                            scale.name.name,
                            names(&scale.levels, " < ")
                        ),
                    );
                }
                Item::Script(i) => self.script(&ast.scripts[i], span),
                Item::Let(i) => {
                    let decl = &ast.lets[i];
                    self.open(span, "");
                    for line in broken(
                        format!("let {} = ", decl.name.name),
                        &decl.value,
                        None,
                        |_| true,
                    ) {
                        self.push(line);
                    }
                    self.close(span);
                }
                Item::Evidence(block) => self.evidence(ast, block, span),
                Item::Judgement(i) => self.judgement(&ast.judgements[i], span),
            }
        }
    }

    fn line(&mut self, span: Span, line: String) {
        self.open(span, "");
        self.push(line);
        self.close(span);
    }

    fn script(&mut self, script: &ScriptDecl, span: Span) {
        match script {
            ScriptDecl::File(path, _) => self.line(span, format!("use {}", quote(path))),
            ScriptDecl::Inline(code, _) => {
                // Rhai code is kept exactly as written.
                self.open(span, "");
                self.lines.push(format!("script {{{code}}}"));
                self.close(span);
            }
        }
    }

    fn evidence(&mut self, ast: &PolicyAst, block: usize, span: Span) {
        self.open(Span::new(span.start, span.start), "");
        self.push("evidence {".to_string());
        self.last_end = span.start;
        let fields: Vec<&FieldDecl> = ast.fields.iter().filter(|f| f.block == block).collect();
        let heads: Vec<String> = fields.iter().map(|f| field_head(f)).collect();
        let path_width = fields.iter().map(|f| f.path.name.len()).max().unwrap_or(0);
        let rows: Vec<String> = fields
            .iter()
            .zip(&heads)
            .map(|(f, head)| format!("{:path_width$} : {head}", f.path.name))
            .collect();
        let row_width = rows
            .iter()
            .zip(&fields)
            .filter(|(_, f)| f.description.is_some())
            .map(|(r, _)| r.chars().count())
            .max()
            .unwrap_or(0);
        for (field, row) in fields.iter().zip(rows) {
            self.open(field.span, INDENT);
            let line = match &field.description {
                Some(description) => {
                    let pad = row_width - row.chars().count();
                    format!("{INDENT}{row}{}  {}", " ".repeat(pad), quote(description))
                }
                None => format!("{INDENT}{row}"),
            };
            self.push(line);
            self.close(field.span);
        }
        self.comments_before(span.end, INDENT);
        self.push("}".to_string());
        self.close(span);
    }

    fn judgement(&mut self, decl: &JudgementDecl, span: Span) {
        self.open(Span::new(span.start, span.start), "");
        let members = decl
            .members
            .as_ref()
            .map(|m| format!(" of {}", names(m, ", ")))
            .unwrap_or_default();
        let head = match decl.kind {
            JudgementKind::Question => format!("question {} {}", decl.id.name, quote(&decl.title)),
            JudgementKind::Judgement => {
                format!("judgement {} {}{members}", decl.id.name, quote(&decl.title))
            }
            JudgementKind::Overall => format!("overall {}{members}", quote(&decl.title)),
        };
        self.push(format!("{head} {{"));
        self.last_end = span.start;
        if let Some((strategy, strategy_span)) = decl.strategy {
            self.open(strategy_span, INDENT);
            self.push(format!("{INDENT}resolve {}", strategy.name()));
            self.close(strategy_span);
            if !decl.rules.is_empty() {
                self.blank();
            }
        }
        let grade_width = rule_grade_width(&decl.rules, |k| k == RuleKind::Grade);
        let limit_width = rule_grade_width(&decl.rules, |k| {
            matches!(k, RuleKind::Cap | RuleKind::Floor)
        });
        for rule in &decl.rules {
            self.open(rule.span, INDENT);
            let width = if rule.kind == RuleKind::Grade {
                grade_width
            } else {
                limit_width
            };
            for line in rule_lines(rule, width) {
                self.push(line);
            }
            self.close(rule.span);
        }
        self.comments_before(span.end, INDENT);
        self.push("}".to_string());
        self.close(span);
    }
}

fn rule_grade_width(rules: &[RuleDecl], kinds: fn(RuleKind) -> bool) -> usize {
    rules
        .iter()
        .filter(|r| kinds(r.kind))
        .map(|r| r.grade.name.len())
        .max()
        .unwrap_or(0)
}

/// A rule as lines: on one line if it fits, otherwise broken before each
/// top-level `and` / `or`, with `because` on a line of its own.
fn rule_lines(rule: &RuleDecl, width: usize) -> Vec<String> {
    let because = rule
        .because
        .as_ref()
        .map(|b| format!("because {}", quote(b)));
    let grade = &rule.grade.name;
    let head = match rule.kind {
        RuleKind::Grade if rule.normally => format!("{INDENT}normally {grade:width$} when "),
        RuleKind::Grade => format!("{INDENT}{grade:width$} when "),
        RuleKind::Cap => format!("{INDENT}at most {grade:width$} when "),
        RuleKind::Floor => format!("{INDENT}at least {grade:width$} when "),
        RuleKind::Otherwise => {
            let line = format!("{INDENT}otherwise {grade}");
            return match because {
                Some(b) => vec![format!("{line} {b}")],
                None => vec![line],
            };
        }
    };
    match &rule.condition {
        Some(condition) => broken(head, condition, because, |op| {
            matches!(op, BinOp::And | BinOp::Or)
        }),
        // A limit that always applies: `at most leadership`.
        None => {
            let head = head
                .trim_end()
                .trim_end_matches(" when")
                .trim_end()
                .to_string();
            vec![match because {
                Some(b) => format!("{head} {b}"),
                None => head,
            }]
        }
    }
}

/// `head` and the expression on one line if it fits; otherwise one line per
/// part of the expression's top-level chain of one operator (when `breaks`
/// allows that operator), each part's operator ending where the expression
/// starts. A reason goes on a line of its own.
fn broken(
    head: String,
    value: &Expr,
    because: Option<String>,
    breaks: fn(BinOp) -> bool,
) -> Vec<String> {
    let one_line = format!(
        "{head}{}{}",
        expr(value),
        because
            .as_ref()
            .map(|b| format!(" {b}"))
            .unwrap_or_default()
    );
    if one_line.chars().count() <= WIDTH {
        return vec![one_line];
    }
    let column = head.chars().count();
    let mut lines = Vec::new();
    for (index, (op, part)) in chain(value, breaks).into_iter().enumerate() {
        match (index, op) {
            (0, _) | (_, None) => lines.push(format!("{head}{}", expr(part))),
            (_, Some(word)) => {
                let pad = column.saturating_sub(word.len() + 1);
                lines.push(format!("{}{word} {}", " ".repeat(pad), expr(part)));
            }
        }
    }
    if let Some(because) = because {
        lines.push(format!("{}{because}", " ".repeat(column.saturating_sub(4))));
    }
    lines
}

/// A top-level chain of one operator as its parts, each with the operator before it.
fn chain(value: &Expr, breaks: fn(BinOp) -> bool) -> Vec<(Option<&'static str>, &Expr)> {
    let top = match &value.kind {
        ExprKind::Binary(op, ..) if breaks(*op) => *op,
        _ => return vec![(None, value)],
    };
    let mut parts = Vec::new();
    flatten(value, top, None, &mut parts);
    parts
}

fn flatten<'a>(
    e: &'a Expr,
    top: BinOp,
    before: Option<&'static str>,
    out: &mut Vec<(Option<&'static str>, &'a Expr)>,
) {
    match &e.kind {
        ExprKind::Binary(op, lhs, rhs) if *op == top => {
            flatten(lhs, top, before, out);
            flatten(rhs, top, Some(binary_words(top)), out);
        }
        _ => out.push((before, e)),
    }
}

fn grades(decl: &GradesDecl) -> String {
    let grades: Vec<String> = decl
        .grades
        .iter()
        .map(|(g, points)| match points {
            Some(p) => format!("{} = {p}", g.name),
            None => g.name.clone(),
        })
        .collect();
    format!("grades {}", grades.join(" > "))
}

fn names(idents: &[Ident], separator: &str) -> String {
    idents
        .iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

fn field_head(field: &FieldDecl) -> String {
    let unit = |u: &Option<String>| match u.as_deref() {
        None => String::new(),
        Some("percent") => " percent".to_string(),
        Some(per) if per.starts_with("per ") => format!(" {per}"),
        Some(other) => format!(" in {other}"),
    };
    let ty = match &field.ty {
        TypeExpr::Number(u) if u.as_deref() == Some("percent") => "percent".to_string(),
        TypeExpr::Number(u) => format!("number{}", unit(u)),
        TypeExpr::Whole(u) => format!("whole{}", unit(u)),
        TypeExpr::Grade => "grade".to_string(),
        TypeExpr::Estimate(u) => format!("estimate{}", unit(u)),
        TypeExpr::Bool => "bool".to_string(),
        TypeExpr::Text => "text".to_string(),
        TypeExpr::LevelInline(levels) => format!("level {}", names(levels, " < ")),
        TypeExpr::LevelNamed(scale) => format!("level {}", scale.name),
    };
    let range = field.range.as_ref().map_or_else(String::new, |range| {
        let bound = |b: &Option<(rust_decimal::Decimal, Span)>| {
            b.as_ref().map_or_else(String::new, |(n, _)| n.to_string())
        };
        format!(" {}..{}", bound(&range.low), bound(&range.high))
    });
    let optional = if field.optional.is_some() {
        " optional"
    } else {
        ""
    };
    match &field.default {
        Some(default) => format!("{ty}{range}{optional} = {}", literal(default)),
        None => format!("{ty}{range}{optional}"),
    }
}

fn literal(literal: &Literal) -> String {
    match literal {
        Literal::Number(n, _) => n.to_string(),
        Literal::Estimate(v, m, _) => format!("{v} ± {m}"),
        Literal::Bool(b, _) => b.to_string(),
        Literal::Text(t, _) => quote(t),
        Literal::Name(name) => name.name.clone(),
    }
}

fn quote(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

fn binary_words(op: BinOp) -> &'static str {
    match op {
        BinOp::Or => "or",
        BinOp::And => "and",
        BinOp::Cmp(cmp) => cmp.symbol(),
        BinOp::Est(est) => est.words(),
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
    }
}

/// An expression on one line, in canonical spacing.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Text(t) => quote(t),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(name) => name.clone(),
        ExprKind::Unary(UnOp::Not, x) => format!("not {}", expr(x)),
        ExprKind::Unary(UnOp::Neg, x) => format!("-{}", expr(x)),
        ExprKind::Binary(op, l, r) => format!("{} {} {}", expr(l), binary_words(*op), expr(r)),
        ExprKind::Paren(inner) => format!("({})", expr(inner)),
        ExprKind::Call(function, args) => {
            let args: Vec<String> = args
                .iter()
                .map(|arg| match arg {
                    CallArg::Expr(e) => expr(e),
                    CallArg::GradeFilter(op, grade) => format!("{} {}", op.symbol(), grade.name),
                })
                .collect();
            format!("{}({})", function.name, args.join(", "))
        }
    }
}

/// The shared generator of the property tests (see `tests/common`).
#[cfg(test)]
#[path = "../../tests/common/mod.rs"]
mod common;

/// Formatting never changes what a policy means: the AST of the formatted
/// text equals the original's, spans aside. (The integration tests in
/// `tests/format.rs` pin the layout itself; the AST is not public.)
#[cfg(test)]
mod tests {
    use super::common::layout::Generator;
    use super::format;
    use crate::source::Source;

    /// The AST's debug form without spans: what the policy means, not where.
    fn meaning(name: &str, text: &str) -> String {
        let ast = crate::syntax::parse(&Source::new(name, text))
            .unwrap_or_else(|_| panic!("{name} parses"));
        let debug = format!(
            "{:?}",
            (
                &ast.name.as_ref().map(|n| &n.0),
                &ast.grades,
                &ast.scales,
                &ast.fields,
                &ast.lets,
                &ast.judgements,
                &ast.scripts
            )
        );
        strip_spans(&debug)
    }

    fn strip_spans(debug: &str) -> String {
        let mut out = String::with_capacity(debug.len());
        let mut rest = debug;
        while let Some(at) = rest.find("Span { start: ") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('}').map_or(rest.len(), |i| at + i + 1);
            out.push_str("Span");
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    fn assert_meaning_kept(name: &str, text: &str) {
        let once = format(&Source::new(name, text)).unwrap_or_else(|_| panic!("{name} formats"));
        assert_eq!(
            meaning(name, &once),
            meaning(name, text),
            "{name}: formatting changed the policy\n{once}"
        );
    }

    #[test]
    fn formatting_keeps_the_meaning_of_shipped_policies() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut paths = Vec::new();
        for dir in ["policies", "examples", "tests/fixtures"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "insp") {
                    paths.push(path);
                }
            }
        }
        assert!(paths.len() >= 4, "the shipped policies were not found");
        for path in paths {
            let path = path.display().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            assert_meaning_kept(&path, &text);
        }
    }

    #[test]
    fn formatting_keeps_the_meaning_of_generated_policies() {
        let mut generator = Generator::new(0x1f0f_2014);
        for n in 0..300 {
            assert_meaning_kept(&format!("generated-{n}.insp"), &generator.policy());
        }
    }
}
