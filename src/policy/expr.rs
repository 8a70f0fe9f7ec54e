//! Compiled expressions: names resolved to evidence slots, lets, judgements
//! and helpers; the tree the evaluator walks and the analysis translates.

use super::Let;
use crate::source::Span;
use crate::syntax::ast::{CmpOp, EstOp};
use crate::value::{Type, Value};

/// A compiled expression. Each node keeps its span for errors and explanations.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
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
pub enum ExprKind {
    Const(Value),
    Field(usize),
    Let(usize),
    /// The grade of another judgement.
    Grade(usize),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Numbers, levels, grades and bools, compared by order or equality.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// An estimate's point value (a bare `>` on estimates, or `value(x)`).
    PointValue(Box<Expr>),
    /// An end of an estimate's interval: `lower(x)` (value − margin) or
    /// `upper(x)` (value + margin).
    IntervalEnd {
        upper: bool,
        of: Box<Expr>,
    },
    Estimate(EstOp, Box<Expr>, Box<Expr>),
    /// A text field against a literal.
    TextEq {
        field: usize,
        text: Box<str>,
        negate: bool,
    },
    Abs(Box<Expr>),
    MinMax(NumFn, Box<Expr>, Box<Expr>),
    /// How many members have a grade that compares so with the given grade.
    Count(CmpOp, u8),
    /// A call of a Rhai helper; the result is converted to `returns`.
    Helper {
        helper: usize,
        args: Vec<Expr>,
        returns: Type,
    },
    Lowest,
    Highest,
    Points,
    Members,
    /// How many members were assessed (have a grade).
    Assessed,
}

/// The evidence slots an expression reads, through lets too. Sorted, unique.
pub fn collect_reads(expr: &Expr, lets: &[Let], out: &mut Vec<usize>) {
    visit(expr, &mut |node| match &node.kind {
        ExprKind::Field(slot) | ExprKind::TextEq { field: slot, .. } => out.push(*slot),
        ExprKind::Let(index) => out.extend_from_slice(&lets[*index].reads),
        _ => {}
    });
    out.sort_unstable();
    out.dedup();
}

/// Calls `f` on every node of the expression.
pub fn visit<'a>(expr: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(expr);
    for_each_child(expr, |child| visit(child, f));
}

/// The direct operands of an expression, by reference or mutably: one list
/// of the variants that have operands serves both walkers below.
macro_rules! each_operand {
    ($kind:expr, $f:ident, $iter:ident) => {
        match $kind {
            ExprKind::Not(x)
            | ExprKind::Neg(x)
            | ExprKind::PointValue(x)
            | ExprKind::Abs(x)
            | ExprKind::IntervalEnd { of: x, .. } => $f(x),
            ExprKind::Helper { args, .. } => args.$iter().for_each($f),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Estimate(_, a, b)
            | ExprKind::MinMax(_, a, b) => {
                $f(a);
                $f(b);
            }
            _ => {}
        }
    };
}

/// Calls `f` on each direct operand of the expression.
pub fn for_each_child<'a>(expr: &'a Expr, mut f: impl FnMut(&'a Expr)) {
    each_operand!(&expr.kind, f, iter)
}

/// Calls `f` on each direct operand of the expression, mutably.
pub fn for_each_child_mut(expr: &mut Expr, mut f: impl FnMut(&mut Expr)) {
    each_operand!(&mut expr.kind, f, iter_mut)
}
