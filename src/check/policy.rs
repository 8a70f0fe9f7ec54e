//! The checked, compiled policy: names resolved to slots and indices, types
//! and units checked. This is what the evaluator walks.

use crate::diagnostics::Diagnostic;
use crate::source::{Source, Span};
use crate::syntax::ast::{CmpOp, EstOp, JudgementKind, Strategy};
use crate::value::{Type, Value};
use rust_decimal::Decimal;

pub struct Policy {
    pub name: String,
    pub source: Source,
    pub grades: GradeScale,
    pub scales: Vec<LevelScale>,
    /// Evidence fields; a field's index is its slot in `Evidence`.
    pub fields: Vec<Field>,
    /// The first text field: the name of the organisation inspected.
    pub subject: Option<usize>,
    pub lets: Vec<Let>,
    /// In declaration order.
    pub judgements: Vec<Judgement>,
    /// Judgement indices in dependency order: each after those it reads.
    pub order: Vec<usize>,
    /// Lints found while checking; the policy is usable.
    pub warnings: Vec<Diagnostic>,
    /// Helper functions (`use "helpers.rhai"`, `script { ... }`), if any.
    pub scripts: Option<crate::script::Scripts>,
}

/// The ordered grade scale. A grade is its rank, worst first.
pub struct GradeScale {
    /// Worst first.
    pub names: Vec<String>,
    pub points: Vec<Decimal>,
}

impl GradeScale {
    pub fn name(&self, rank: u8) -> &str {
        &self.names[rank as usize]
    }

    pub fn rank(&self, name: &str) -> Option<u8> {
        self.names.iter().position(|g| g == name).map(|i| i as u8)
    }

    /// The grade's name in words: `requires_improvement` → "requires improvement".
    pub fn words(&self, rank: u8) -> String {
        self.name(rank).replace('_', " ")
    }
}

pub struct LevelScale {
    pub name: String,
    /// Lowest first.
    pub levels: Vec<String>,
}

pub struct Field {
    pub path: String,
    pub segments: Vec<String>,
    pub ty: Type,
    pub default: Option<Value>,
    /// The default of a text field.
    pub default_text: Option<String>,
    pub description: Option<String>,
    pub span: Span,
}

pub struct Let {
    pub name: String,
    pub expr: CExpr,
    pub ty: Type,
    pub span: Span,
    /// Evidence slots this let reads, directly or through other lets.
    pub reads: Vec<usize>,
}

pub struct Judgement {
    pub id: String,
    pub title: String,
    pub kind: JudgementKind,
    /// The judgements this one aggregates (`of ...`).
    pub members: Vec<usize>,
    pub strategy: Strategy,
    pub rules: Vec<Rule>,
    pub otherwise: Option<Otherwise>,
    pub caps: Vec<Rule>,
    pub floors: Vec<Rule>,
    /// The judgements this one reads: its members and any graded in its rules.
    pub depends_on: Vec<usize>,
    pub span: Span,
}

pub struct Rule {
    pub grade: u8,
    pub condition: CExpr,
    pub because: Option<String>,
    pub span: Span,
    /// Evidence slots the condition reads, directly or through lets.
    pub reads: Vec<usize>,
}

pub struct Otherwise {
    pub grade: u8,
    pub because: Option<String>,
    pub span: Span,
}

/// A compiled expression. Each node keeps its span for errors and explanations.
#[derive(Debug, Clone)]
pub struct CExpr {
    pub kind: CKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFn {
    Min,
    Max,
}

#[derive(Debug, Clone)]
pub enum CKind {
    Const(Value),
    Field(usize),
    Let(usize),
    /// The grade of another judgement.
    Grade(usize),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Arith(ArithOp, Box<CExpr>, Box<CExpr>),
    /// Numbers, levels, grades and bools, compared by order or equality.
    Compare(CmpOp, Box<CExpr>, Box<CExpr>),
    /// An estimate's point value (a bare `>` on estimates).
    PointValue(Box<CExpr>),
    Estimate(EstOp, Box<CExpr>, Box<CExpr>),
    /// A text field against a literal.
    TextEq {
        field: usize,
        text: Box<str>,
        negate: bool,
    },
    Abs(Box<CExpr>),
    MinMax(NumFn, Box<CExpr>, Box<CExpr>),
    /// How many members have a grade that compares so with the given grade.
    Count(CmpOp, u8),
    /// A call of a Rhai helper; the result is converted to `returns`.
    Helper {
        helper: usize,
        args: Vec<CExpr>,
        returns: Type,
    },
    Lowest,
    Highest,
    Points,
    Members,
}

/// Whether the evidence path `field` lies inside the object at `path`
/// (`crime.rate` inside `crime`).
pub fn path_within(field: &str, path: &str) -> bool {
    field.len() > path.len() && field.starts_with(path) && field.as_bytes()[path.len()] == b'.'
}

impl Policy {
    /// Every condition of every rule, cap and floor, and every let's expression.
    pub fn expressions(&self) -> impl Iterator<Item = &CExpr> {
        self.judgements
            .iter()
            .flat_map(|j| j.rules.iter().chain(&j.caps).chain(&j.floors))
            .map(|r| &r.condition)
            .chain(self.lets.iter().map(|l| &l.expr))
    }

    pub fn judgement_index(&self, id: &str) -> Option<usize> {
        self.judgements.iter().position(|j| j.id == id)
    }
}
