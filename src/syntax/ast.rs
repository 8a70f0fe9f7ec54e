//! The abstract syntax of a criteria file, as written, with spans.

use crate::source::Span;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct PolicyAst {
    pub name: Option<(String, Span)>,
    pub grades: Vec<GradesDecl>,
    pub scales: Vec<ScaleDecl>,
    pub fields: Vec<FieldDecl>,
    pub lets: Vec<LetDecl>,
    pub judgements: Vec<JudgementDecl>,
    pub scripts: Vec<ScriptDecl>,
    /// Every top-level item in file order, for the formatter.
    pub items: Vec<(Item, Span)>,
}

/// A top-level item, by its index in the lists above (for an evidence
/// block: the block's number, matching `FieldDecl::block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Header,
    Grades(usize),
    Scale(usize),
    Evidence(usize),
    Script(usize),
    Let(usize),
    Judgement(usize),
}

/// Rhai helper functions: a file (`use "helpers.rhai"`) or inline (`script { ... }`).
#[derive(Debug, Clone)]
pub enum ScriptDecl {
    /// The path as written (relative to the policy file) and the span of the string.
    File(String, Span),
    /// The code between the braces, and where it starts in the policy.
    Inline(String, Span),
}

#[derive(Debug, Clone)]
pub struct GradesDecl {
    /// Best first, each with optional explicit points.
    pub grades: Vec<(Ident, Option<Decimal>)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ScaleDecl {
    pub name: Ident,
    pub levels: Vec<Ident>,
}

#[derive(Debug, Clone)]
pub struct FieldDecl {
    /// The dotted path, e.g. `crime.rate`.
    pub path: Ident,
    pub ty: TypeExpr,
    /// `lo..hi`: the values the evidence may take, bounds included.
    pub range: Option<RangeDecl>,
    /// `optional`: the field may be absent or null (not assessed).
    pub optional: Option<Span>,
    pub default: Option<Literal>,
    pub description: Option<String>,
    pub span: Span,
    /// Which `evidence { ... }` block declares it.
    pub block: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RangeDecl {
    pub low: Option<(Decimal, Span)>,
    pub high: Option<(Decimal, Span)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    Number(Option<String>),
    /// A whole number (a count, a score).
    Whole(Option<String>),
    /// A grade on the policy's scale.
    Grade,
    Bool,
    Text,
    Estimate(Option<String>),
    LevelInline(Vec<Ident>),
    LevelNamed(Ident),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(Decimal, Span),
    Estimate(Decimal, Decimal, Span),
    Bool(bool, Span),
    Text(String, Span),
    Name(Ident),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Number(_, span)
            | Literal::Estimate(_, _, span)
            | Literal::Bool(_, span)
            | Literal::Text(_, span) => *span,
            Literal::Name(ident) => ident.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Expr,
}

/// The kind of a judgement declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JudgementKind {
    /// `question id "title" { ... }`: graded from evidence.
    Question,
    /// `judgement id "title" of a, b { ... }`: aggregates others.
    Judgement,
    /// `overall "title" { ... }`: the overall grade.
    Overall,
}

/// How the rules that hold are resolved into one grade (`resolve ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Only one grade's criteria may hold; two is a conflict.
    #[default]
    Unique,
    /// The first rule in written order that holds.
    First,
    /// The best grade whose criteria hold.
    Highest,
    /// The worst grade whose criteria hold.
    Lowest,
}

impl Strategy {
    /// The keyword, as written after `resolve`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Unique => "unique",
            Strategy::First => "first",
            Strategy::Highest => "highest",
            Strategy::Lowest => "lowest",
        }
    }
}

#[derive(Debug, Clone)]
pub struct JudgementDecl {
    pub kind: JudgementKind,
    pub id: Ident,
    pub title: String,
    /// `of a, b, c`: the judgements this one aggregates.
    pub members: Option<Vec<Ident>>,
    pub strategy: Option<(Strategy, Span)>,
    pub rules: Vec<RuleDecl>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `G when C`
    Grade,
    /// `otherwise G`
    Otherwise,
    /// `at most G when C`
    Cap,
    /// `at least G when C`
    Floor,
}

#[derive(Debug, Clone)]
pub struct RuleDecl {
    pub kind: RuleKind,
    /// `normally good when ...`: a departure may be recorded.
    pub normally: bool,
    pub grade: Ident,
    pub condition: Option<Expr>,
    pub because: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Cmp(CmpOp),
    Est(EstOp),
    Add,
    Sub,
    Mul,
    Div,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// The same comparison with its operands swapped: `a < b` is `b > a`.
    pub fn converse(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Eq | CmpOp::Ne => self,
        }
    }

    /// Whether the comparison holds for two values that order so.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
        }
    }
}

/// Comparisons of estimates that respect their margins of error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstOp {
    /// The intervals do not overlap, the first above.
    SignificantlyAbove,
    /// The intervals do not overlap, the first below.
    SignificantlyBelow,
    /// The intervals overlap.
    InLineWith,
}

impl EstOp {
    /// The operator as written.
    pub fn words(self) -> &'static str {
        match self {
            EstOp::SignificantlyAbove => "significantly above",
            EstOp::SignificantlyBelow => "significantly below",
            EstOp::InLineWith => "in line with",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(Decimal),
    Text(String),
    Bool(bool),
    /// A name or dotted path: a let, an evidence field, a judgement, a grade
    /// or a level, resolved by the checker.
    Name(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Ident, Vec<CallArg>),
    /// Parentheses as written (kept so that the formatter keeps them).
    Paren(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum CallArg {
    Expr(Expr),
    /// `count(>= good)`
    GradeFilter(CmpOp, Ident),
}
