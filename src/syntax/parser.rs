//! pest pairs → AST. The grammar guarantees each pair's shape, so the walk
//! below only reads what the grammar already matched.

use super::ast::*;
use crate::source::Span;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest_derive::Parser;
use rust_decimal::Decimal;
use std::sync::LazyLock;

#[derive(Parser)]
#[grammar = "../grammar/insp.pest"]
pub struct InspParser;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::sig_above, Assoc::Left)
            | Op::infix(Rule::sig_below, Assoc::Left)
            | Op::infix(Rule::in_line, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
});

/// Keyword tokens carry no meaning once matched (except those that name a
/// choice, like a strategy); `parts` skips them so the walk sees only content.
type Significant<'i> = std::iter::Filter<Pairs<'i, Rule>, fn(&Pair<'i, Rule>) -> bool>;

trait Parts<'i> {
    fn parts(self) -> Significant<'i>;
}

impl<'i> Parts<'i> for Pair<'i, Rule> {
    fn parts(self) -> Significant<'i> {
        self.into_inner().filter(|p| !is_bare_keyword(p.as_rule()))
    }
}

fn is_bare_keyword(rule: Rule) -> bool {
    let meaningful = matches!(
        rule,
        Rule::kw_unique
            | Rule::kw_first
            | Rule::kw_highest
            | Rule::kw_lowest
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_percent
    );
    !meaningful && format!("{rule:?}").starts_with("kw_")
}

/// Builds the AST from a successful parse of `policy_file` or `item_list`.
pub fn build(pairs: Pairs<'_, Rule>, ast: &mut PolicyAst) {
    let mut blocks = 0;
    for pair in pairs.flatten() {
        let span: Span = pair.as_span().into();
        let item = match pair.as_rule() {
            Rule::policy_header => {
                let string = pair.parts().next().expect("grammar: header string");
                ast.name = Some((unquote(&string), string.as_span().into()));
                Item::Header
            }
            Rule::grades_decl => {
                ast.grades.push(grades_decl(pair));
                Item::Grades(ast.grades.len() - 1)
            }
            Rule::scale_decl => {
                ast.scales.push(scale_decl(pair));
                Item::Scale(ast.scales.len() - 1)
            }
            Rule::evidence_block => {
                blocks += 1;
                Item::Evidence(blocks - 1)
            }
            Rule::field_decl => {
                ast.fields.push(field_decl(pair, blocks - 1));
                continue;
            }
            Rule::let_decl => {
                ast.lets.push(let_decl(pair));
                Item::Let(ast.lets.len() - 1)
            }
            Rule::use_decl => {
                let path = pair.parts().next().expect("grammar: use path");
                ast.scripts
                    .push(ScriptDecl::File(unquote(&path), path.as_span().into()));
                Item::Script(ast.scripts.len() - 1)
            }
            Rule::script_decl => {
                let body = pair.parts().next().expect("grammar: script body");
                let text = body.as_str();
                let start = body.as_span().start() + 1;
                let code = &text[1..text.len() - 1];
                ast.scripts.push(ScriptDecl::Inline(
                    code.to_string(),
                    Span::new(start, start + code.len()),
                ));
                Item::Script(ast.scripts.len() - 1)
            }
            Rule::question_decl | Rule::judgement_decl | Rule::overall_decl => {
                ast.judgements.push(judgement_decl(pair));
                Item::Judgement(ast.judgements.len() - 1)
            }
            _ => continue,
        };
        ast.items.push((item, span));
    }
}

fn ident(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: pair.as_span().into(),
    }
}

fn decimal(pair: &Pair<'_, Rule>) -> Decimal {
    // The grammar admits only digits with an optional fraction; a literal
    // not held exactly is reported before the AST is built (`out_of_bounds`),
    // so this default is never graded with.
    crate::value::exact_decimal(pair.as_str()).unwrap_or(Decimal::MAX)
}

/// The text of a `string` pair, without quotes and with escapes applied.
fn unquote(pair: &Pair<'_, Rule>) -> String {
    let inner = pair.as_str();
    let inner = &inner[1..inner.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn grades_decl(pair: Pair<'_, Rule>) -> GradesDecl {
    let span = pair.as_span().into();
    let grades = pair
        .parts()
        .map(|grade| {
            let mut parts = grade.parts();
            let name = ident(parts.next().expect("grammar: grade name"));
            let points = parts.next().map(|p| decimal(&p));
            (name, points)
        })
        .collect();
    GradesDecl { grades, span }
}

fn scale_decl(pair: Pair<'_, Rule>) -> ScaleDecl {
    let mut parts = pair.parts();
    let name = ident(parts.next().expect("grammar: scale name"));
    let levels = level_list(parts.next().expect("grammar: level list"));
    ScaleDecl { name, levels }
}

fn level_list(pair: Pair<'_, Rule>) -> Vec<Ident> {
    pair.parts().map(ident).collect()
}

fn field_decl(pair: Pair<'_, Rule>, block: usize) -> FieldDecl {
    let span = pair.as_span().into();
    let mut parts = pair.parts();
    let path = ident(parts.next().expect("grammar: field path"));
    let ty = type_expr(parts.next().expect("grammar: field type"));
    let mut default = None;
    let mut description = None;
    let mut range = None;
    let mut optional = None;
    for part in parts {
        match part.as_rule() {
            Rule::range => range = Some(range_decl(part)),
            Rule::optional => optional = Some(part.as_span().into()),
            Rule::default_value => default = Some(literal(part)),
            Rule::string => description = Some(unquote(&part)),
            _ => {}
        }
    }
    FieldDecl {
        path,
        ty,
        range,
        optional,
        default,
        description,
        span,
        block,
    }
}

fn range_decl(pair: Pair<'_, Rule>) -> RangeDecl {
    let span = pair.as_span().into();
    let (mut low, mut high) = (None, None);
    for bound in pair.parts() {
        let rule = bound.as_rule();
        let number = bound.parts().next().expect("grammar: range bound");
        let value = (decimal(&number), number.as_span().into());
        match rule {
            Rule::lower_bound => low = Some(value),
            _ => high = Some(value),
        }
    }
    RangeDecl { low, high, span }
}

fn type_expr(pair: Pair<'_, Rule>) -> TypeExpr {
    let rule = pair.as_rule();
    let mut inner = pair.parts();
    match rule {
        Rule::number_type => TypeExpr::Number(inner.next().map(unit)),
        Rule::whole_type => TypeExpr::Whole(inner.next().map(unit)),
        Rule::grade_type => TypeExpr::Grade,
        Rule::percent_type => TypeExpr::Number(Some("percent".to_string())),
        Rule::bool_type => TypeExpr::Bool,
        Rule::text_type => TypeExpr::Text,
        Rule::estimate_type => TypeExpr::Estimate(inner.next().map(unit)),
        Rule::level_type => {
            let level = inner.next().expect("grammar: level type");
            match level.as_rule() {
                Rule::level_list => TypeExpr::LevelInline(level_list(level)),
                _ => TypeExpr::LevelNamed(ident(level)),
            }
        }
        other => unreachable!("grammar: unexpected type {other:?}"),
    }
}

/// A unit in canonical spelling: `percent`, `per 1000 population`, `days`.
fn unit(pair: Pair<'_, Rule>) -> String {
    let inner = pair.parts().next().expect("grammar: unit");
    match inner.as_rule() {
        Rule::per_unit => {
            let words: Vec<&str> = inner.parts().map(|p| p.as_str()).collect();
            format!("per {}", words.join(" "))
        }
        Rule::in_unit => inner
            .parts()
            .next()
            .map_or_else(String::new, |p| p.as_str().to_string()),
        _ => "percent".to_string(),
    }
}

fn literal(pair: Pair<'_, Rule>) -> Literal {
    let value = pair.parts().next().expect("grammar: default value");
    let span: Span = value.as_span().into();
    match value.as_rule() {
        Rule::estimate_literal => {
            let mut parts = value.parts();
            let v = decimal(&parts.next().expect("grammar: estimate value"));
            let m = decimal(&parts.next().expect("grammar: estimate margin"));
            Literal::Estimate(v, m, span)
        }
        Rule::signed_number => Literal::Number(decimal(&value), span),
        Rule::boolean => Literal::Bool(is_true(value), span),
        Rule::string => Literal::Text(unquote(&value), span),
        _ => Literal::Name(ident(value)),
    }
}

fn is_true(boolean: Pair<'_, Rule>) -> bool {
    boolean
        .parts()
        .next()
        .is_some_and(|p| p.as_rule() == Rule::kw_true)
}

fn let_decl(pair: Pair<'_, Rule>) -> LetDecl {
    let mut parts = pair.parts();
    let name = ident(parts.next().expect("grammar: let name"));
    let value = expr(parts.next().expect("grammar: let value"));
    LetDecl { name, value }
}

fn judgement_decl(pair: Pair<'_, Rule>) -> JudgementDecl {
    let span: Span = pair.as_span().into();
    let kind = match pair.as_rule() {
        Rule::question_decl => JudgementKind::Question,
        Rule::judgement_decl => JudgementKind::Judgement,
        _ => JudgementKind::Overall,
    };
    let mut decl = JudgementDecl {
        kind,
        id: Ident {
            name: "overall".to_string(),
            span: Span::new(span.start, span.start + "overall".len()),
        },
        title: String::new(),
        members: None,
        strategy: None,
        rules: Vec::new(),
    };
    for part in pair.parts() {
        match part.as_rule() {
            Rule::ident => decl.id = ident(part),
            Rule::string => decl.title = unquote(&part),
            Rule::members => decl.members = Some(part.parts().map(ident).collect()),
            Rule::body => body(part, &mut decl),
            _ => {}
        }
    }
    decl
}

fn body(pair: Pair<'_, Rule>, decl: &mut JudgementDecl) {
    for item in pair.parts() {
        let span: Span = item.as_span().into();
        let kind = match item.as_rule() {
            Rule::resolve_decl => {
                let strategy = item.parts().next().expect("grammar: strategy");
                decl.strategy = Some((strategy_of(strategy), span));
                continue;
            }
            Rule::grade_rule => RuleKind::Grade,
            Rule::otherwise_rule => RuleKind::Otherwise,
            Rule::cap_rule => RuleKind::Cap,
            _ => RuleKind::Floor,
        };
        let mut parts = item.parts().peekable();
        let normally = parts.next_if(|p| p.as_rule() == Rule::normally).is_some();
        let grade = ident(parts.next().expect("grammar: rule grade"));
        let mut rule = RuleDecl {
            kind,
            normally,
            grade,
            condition: None,
            because: None,
            span,
        };
        for part in parts {
            match part.as_rule() {
                Rule::expr => rule.condition = Some(expr(part)),
                Rule::because => {
                    let reason = part.parts().next().expect("grammar: reason");
                    rule.because = Some(unquote(&reason));
                }
                _ => {}
            }
        }
        decl.rules.push(rule);
    }
}

fn strategy_of(pair: Pair<'_, Rule>) -> Strategy {
    match pair.parts().next().map(|p| p.as_rule()) {
        Some(Rule::kw_first) => Strategy::First,
        Some(Rule::kw_highest) => Strategy::Highest,
        Some(Rule::kw_lowest) => Strategy::Lowest,
        _ => Strategy::Unique,
    }
}

fn cmp_op(rule: Rule) -> Option<CmpOp> {
    Some(match rule {
        Rule::lt => CmpOp::Lt,
        Rule::le => CmpOp::Le,
        Rule::gt => CmpOp::Gt,
        Rule::ge => CmpOp::Ge,
        Rule::eq => CmpOp::Eq,
        Rule::ne => CmpOp::Ne,
        _ => return None,
    })
}

fn binary_op(rule: Rule) -> BinOp {
    if let Some(op) = cmp_op(rule) {
        return BinOp::Cmp(op);
    }
    match rule {
        Rule::or_op => BinOp::Or,
        Rule::and_op => BinOp::And,
        Rule::sig_above => BinOp::Est(EstOp::SignificantlyAbove),
        Rule::sig_below => BinOp::Est(EstOp::SignificantlyBelow),
        Rule::in_line => BinOp::Est(EstOp::InLineWith),
        Rule::add => BinOp::Add,
        Rule::sub => BinOp::Sub,
        Rule::mul => BinOp::Mul,
        _ => BinOp::Div,
    }
}

pub fn expr(pair: Pair<'_, Rule>) -> Expr {
    PRATT
        .map_primary(primary)
        .map_prefix(|op, operand| {
            let span = Span::from(op.as_span()).to(operand.span);
            let op = match op.as_rule() {
                Rule::not_op => UnOp::Not,
                _ => UnOp::Neg,
            };
            Expr {
                kind: ExprKind::Unary(op, Box::new(operand)),
                span,
            }
        })
        .map_infix(|lhs, op, rhs| Expr {
            span: lhs.span.to(rhs.span),
            kind: ExprKind::Binary(binary_op(op.as_rule()), Box::new(lhs), Box::new(rhs)),
        })
        .parse(pair.into_inner())
}

fn primary(pair: Pair<'_, Rule>) -> Expr {
    let span: Span = pair.as_span().into();
    let kind = match pair.as_rule() {
        Rule::number => ExprKind::Number(decimal(&pair)),
        Rule::string => ExprKind::Text(unquote(&pair)),
        Rule::boolean => ExprKind::Bool(is_true(pair)),
        Rule::path => ExprKind::Name(pair.as_str().to_string()),
        Rule::call => {
            let mut parts = pair.parts();
            let name = ident(parts.next().expect("grammar: call name"));
            ExprKind::Call(name, parts.map(call_arg).collect())
        }
        // Parentheses: the inner expression, spanning the parentheses too.
        _ => {
            let inner = pair
                .parts()
                .next()
                .expect("grammar: parenthesised expression");
            ExprKind::Paren(Box::new(expr(inner)))
        }
    };
    Expr { kind, span }
}

fn call_arg(pair: Pair<'_, Rule>) -> CallArg {
    let inner = pair.parts().next().expect("grammar: call argument");
    match inner.as_rule() {
        Rule::grade_filter => {
            let mut parts = inner.parts();
            let op = parts
                .next()
                .and_then(|p| p.parts().next())
                .and_then(|p| cmp_op(p.as_rule()))
                .unwrap_or(CmpOp::Eq);
            let grade = ident(parts.next().expect("grammar: filter grade"));
            CallArg::GradeFilter(op, grade)
        }
        _ => CallArg::Expr(expr(inner)),
    }
}
