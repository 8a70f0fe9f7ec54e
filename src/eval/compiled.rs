//! The compiled evaluator: each condition of a policy, translated once into
//! a tree typed by what it computes (truth, number, ordinal, estimate), run
//! on small exact decimals (`small.rs`) instead of walking the expression
//! and its `Value`s.
//!
//! The expression walk (`Context::eval`) stays the reference. The compiled
//! form is only a faster way to the same answer: where a condition has no
//! compiled form (a helper call, text in a let, a constant too wide), or
//! where running it meets something the small decimals cannot be sure of
//! (a wide value, an overflow, a division by zero), that one condition is
//! decided by walking its expression instead, which also reports any
//! failure in its own words. Conditions run in the same order and stop at
//! the same point, so a condition that reads evidence not assessed stops
//! the same way in both.

use super::resolve::{Conditions, Fault, Which};
use super::small::Small;
use super::{Context, Eval, Limit};
use crate::evidence::Evidence;
use crate::policy::{ArithOp, EstOp, Expr, ExprKind, Member, NumFn, Policy, Rule};
use crate::syntax::ast::CmpOp;
use crate::value::{Type, Value};
use std::cmp::Ordering;

/// Why a compiled expression has no value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stop {
    /// It reads evidence that was not assessed.
    NotAssessed,
    /// The compiled form cannot be sure of the value: walk the expression.
    Walk,
}

type Run<T> = Result<T, Stop>;

/// A let's value, computed once per evidence file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fast {
    Number(Small),
    Bool(bool),
    Ordinal(u16),
    Estimate { value: Small, margin: Small },
}

/// A policy compiled for evaluation: its lets and every judgement's
/// conditions.
pub(crate) struct Program {
    /// Per let; `None` where it has no compiled form.
    lets: Vec<Option<Code>>,
    judgements: Vec<JudgementCode>,
    /// The points of each grade, for `points`.
    points: Vec<Option<Small>>,
}

/// One judgement's conditions; `None` where it has no compiled form.
struct JudgementCode {
    rules: Vec<Option<Cond>>,
    caps: Vec<Option<Cond>>,
    floors: Vec<Option<Cond>>,
}

/// A compiled expression of any type (a let's).
enum Code {
    Bool(Cond),
    Number(Num),
    Ordinal(Ord),
    Estimate(Est),
}

/// A condition: true or false.
enum Cond {
    Const(bool),
    Field(usize),
    Let(usize),
    Not(Box<Cond>),
    /// Each in order, stopping at the first false: `a and b and c`.
    All(Box<[Cond]>),
    /// Each in order, stopping at the first true: `a or b or c`.
    Any(Box<[Cond]>),
    Numbers(Accepts, Num, Num),
    /// A number against a constant, the most common condition of all
    /// (`crime_ratio <= 0.85`), decided without a second operand to run.
    NumberAgainst(Accepts, Num, Small),
    Ordinals(Accepts, Ord, Ord),
    /// A level, grade or truth in the evidence against a constant
    /// (`prevention >= strong`).
    FieldAgainst(Accepts, usize, u16),
    Estimates(EstOp, Est, Est),
    Text {
        field: usize,
        text: Box<str>,
        negate: bool,
    },
}

/// The orders of two operands under which a comparison holds, one bit each
/// for less, equal and greater: deciding it is a shift, not a branch on the
/// operator, which the processor could not predict from one condition to
/// the next.
#[derive(Debug, Clone, Copy)]
struct Accepts(u8);

impl Accepts {
    fn of(op: CmpOp) -> Accepts {
        let bit = |ordering: Ordering| u8::from(op.holds(ordering)) << (ordering as i8 + 1);
        Accepts(bit(Ordering::Less) | bit(Ordering::Equal) | bit(Ordering::Greater))
    }

    fn holds(self, ordering: Ordering) -> bool {
        (self.0 >> (ordering as i8 + 1)) & 1 == 1
    }
}

/// A number (an estimate read as a number is its point value).
enum Num {
    Const(Small),
    Field(usize),
    Let(usize),
    Neg(Box<Num>),
    Abs(Box<Num>),
    Arith(ArithOp, Box<Num>, Box<Num>),
    MinMax(NumFn, Box<Num>, Box<Num>),
    IntervalEnd { upper: bool, of: Box<Est> },
    Count(CmpOp, u8),
    Points,
    Members,
    Assessed,
}

/// What is compared by position: a level, a grade, or a truth (false
/// before true).
enum Ord {
    Const(u16),
    Field(usize),
    Let(usize),
    Grade(usize),
    Lowest,
    Highest,
    Truth(Box<Cond>),
}

/// An estimate, or a number as an estimate of no margin.
enum Est {
    Const { value: Small, margin: Small },
    Field(usize),
    Let(usize),
    Number(Num),
}

/// What an expression computes, as far as compiling it goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Number,
    Ordinal,
    Estimate,
    Text,
}

impl Kind {
    fn of_type(ty: &Type) -> Kind {
        match ty {
            Type::Number(_) => Kind::Number,
            Type::Bool => Kind::Bool,
            Type::Text => Kind::Text,
            Type::Level(_) | Type::Grade => Kind::Ordinal,
            Type::Estimate(_) => Kind::Estimate,
        }
    }

    fn of_value(value: Value) -> Kind {
        match value {
            Value::Number(_) => Kind::Number,
            Value::Bool(_) => Kind::Bool,
            Value::Level { .. } | Value::Grade(_) => Kind::Ordinal,
            Value::Estimate { .. } => Kind::Estimate,
            Value::Text | Value::NotAssessed => Kind::Text,
        }
    }
}

impl Program {
    /// Compiles every let and condition of the policy that has a compiled
    /// form.
    pub fn compile(policy: &Policy) -> Program {
        let compiler = Compiler { policy };
        let conditions = |rules: &[Rule]| -> Vec<Option<Cond>> {
            rules.iter().map(|r| compiler.cond(&r.condition)).collect()
        };
        Program {
            lets: policy.lets.iter().map(|l| compiler.code(&l.expr)).collect(),
            judgements: policy
                .judgements
                .iter()
                .map(|j| JudgementCode {
                    rules: conditions(&j.rules),
                    caps: conditions(&j.caps),
                    floors: conditions(&j.floors),
                })
                .collect(),
            points: policy
                .grades
                .points
                .iter()
                .map(|&p| Small::from_decimal(p))
                .collect(),
        }
    }

    /// Computes every let for the evidence, in order (a let reads only
    /// earlier ones).
    pub fn lets(&self, evidence: &Evidence, lets: &mut Vec<Run<Fast>>) {
        lets.clear();
        for code in &self.lets {
            let frame = Frame {
                evidence,
                lets,
                grades: &[],
                members: &[],
                points: &self.points,
            };
            let value = match code {
                Some(code) => frame.code(code),
                None => Err(Stop::Walk),
            };
            lets.push(value);
        }
    }

    /// The conditions of judgement `index`, decided on the compiled path
    /// where they can be and by walking them where not.
    pub fn conditions<'a>(
        &'a self,
        policy: &'a Policy,
        index: usize,
        evidence: &'a Evidence,
        lets: &'a [Run<Fast>],
        grades: &'a [Option<Value>],
        walking: &'a mut WalkingLets,
    ) -> Compiled<'a> {
        Compiled {
            policy,
            code: &self.judgements[index],
            judgement: index,
            frame: Frame {
                evidence,
                lets,
                grades,
                members: &policy.judgements[index].members,
                points: &self.points,
            },
            walking,
        }
    }
}

/// Translates expressions; `None` for one with no compiled form.
struct Compiler<'p> {
    policy: &'p Policy,
}

impl Compiler<'_> {
    fn kind(&self, expr: &Expr) -> Kind {
        match &expr.kind {
            ExprKind::Const(value) => Kind::of_value(*value),
            ExprKind::Field(slot) => Kind::of_type(&self.policy.fields[*slot].ty),
            ExprKind::Let(index) => Kind::of_type(&self.policy.lets[*index].ty),
            ExprKind::Helper { returns, .. } => Kind::of_type(returns),
            ExprKind::Grade(_) | ExprKind::Lowest | ExprKind::Highest => Kind::Ordinal,
            ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Compare(..)
            | ExprKind::Estimate(..)
            | ExprKind::TextEq { .. } => Kind::Bool,
            ExprKind::Neg(_)
            | ExprKind::Arith(..)
            | ExprKind::PointValue(_)
            | ExprKind::IntervalEnd { .. }
            | ExprKind::Abs(_)
            | ExprKind::MinMax(..)
            | ExprKind::Count(..)
            | ExprKind::Points
            | ExprKind::Members
            | ExprKind::Assessed => Kind::Number,
        }
    }

    fn code(&self, expr: &Expr) -> Option<Code> {
        Some(match self.kind(expr) {
            Kind::Bool => Code::Bool(self.cond(expr)?),
            Kind::Number => Code::Number(self.num(expr)?),
            Kind::Ordinal => Code::Ordinal(self.ord(expr)?),
            Kind::Estimate => Code::Estimate(self.est(expr)?),
            Kind::Text => return None,
        })
    }

    fn cond(&self, expr: &Expr) -> Option<Cond> {
        let boxed = |x: &Expr| self.cond(x).map(Box::new);
        Some(match &expr.kind {
            ExprKind::Const(Value::Bool(b)) => Cond::Const(*b),
            ExprKind::Field(slot) => Cond::Field(*slot),
            ExprKind::Let(index) => Cond::Let(*index),
            ExprKind::Not(x) => Cond::Not(boxed(x)?),
            ExprKind::And(..) => Cond::All(self.chain(expr, true)?),
            ExprKind::Or(..) => Cond::Any(self.chain(expr, false)?),
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b)?,
            ExprKind::Estimate(op, a, b) => Cond::Estimates(*op, self.est(a)?, self.est(b)?),
            ExprKind::TextEq {
                field,
                text,
                negate,
            } => Cond::Text {
                field: *field,
                text: text.clone(),
                negate: *negate,
            },
            _ => return None,
        })
    }

    /// A comparison, in the cheapest form that decides it. A constant on
    /// the left is moved to the right (it can neither fail nor stop, so
    /// the order the operands run in does not matter).
    fn compare(&self, op: CmpOp, a: &Expr, b: &Expr) -> Option<Cond> {
        if let ExprKind::Const(_) = a.kind
            && !matches!(b.kind, ExprKind::Const(_))
        {
            return self.compare(op.converse(), b, a);
        }
        Some(match (self.kind(a), self.kind(b)) {
            (Kind::Number | Kind::Estimate, Kind::Number | Kind::Estimate) => {
                match (self.num(a)?, self.num(b)?) {
                    (a, Num::Const(k)) => Cond::NumberAgainst(Accepts::of(op), a, k),
                    (a, b) => Cond::Numbers(Accepts::of(op), a, b),
                }
            }
            // Like with like, as the checker allows.
            (Kind::Ordinal, Kind::Ordinal) | (Kind::Bool, Kind::Bool) => {
                match (self.ord(a)?, self.ord(b)?) {
                    (Ord::Field(slot), Ord::Const(k)) => {
                        Cond::FieldAgainst(Accepts::of(op), slot, k)
                    }
                    (a, b) => Cond::Ordinals(Accepts::of(op), a, b),
                }
            }
            _ => return None,
        })
    }

    /// The operands of a run of `and` (or of `or`), flattened in the order
    /// they are evaluated.
    fn chain(&self, expr: &Expr, and: bool) -> Option<Box<[Cond]>> {
        let mut operands = Vec::new();
        self.flatten(expr, and, &mut operands)?;
        Some(operands.into_boxed_slice())
    }

    fn flatten(&self, expr: &Expr, and: bool, out: &mut Vec<Cond>) -> Option<()> {
        match &expr.kind {
            ExprKind::And(a, b) if and => {
                self.flatten(a, and, out)?;
                self.flatten(b, and, out)
            }
            ExprKind::Or(a, b) if !and => {
                self.flatten(a, and, out)?;
                self.flatten(b, and, out)
            }
            _ => {
                out.push(self.cond(expr)?);
                Some(())
            }
        }
    }

    fn num(&self, expr: &Expr) -> Option<Num> {
        let boxed = |x: &Expr| self.num(x).map(Box::new);
        Some(match &expr.kind {
            ExprKind::Const(Value::Number(n) | Value::Estimate { value: n, .. }) => {
                Num::Const(Small::from_decimal(*n)?)
            }
            ExprKind::Field(slot) => Num::Field(*slot),
            ExprKind::Let(index) => Num::Let(*index),
            ExprKind::Neg(x) => Num::Neg(boxed(x)?),
            ExprKind::Abs(x) => Num::Abs(boxed(x)?),
            ExprKind::PointValue(x) => self.num(x)?,
            ExprKind::Arith(op, a, b) => Num::Arith(*op, boxed(a)?, boxed(b)?),
            ExprKind::MinMax(f, a, b) => Num::MinMax(*f, boxed(a)?, boxed(b)?),
            ExprKind::IntervalEnd { upper, of } => Num::IntervalEnd {
                upper: *upper,
                of: Box::new(self.est(of)?),
            },
            ExprKind::Count(op, grade) => Num::Count(*op, *grade),
            ExprKind::Points => Num::Points,
            ExprKind::Members => Num::Members,
            ExprKind::Assessed => Num::Assessed,
            _ => return None,
        })
    }

    fn ord(&self, expr: &Expr) -> Option<Ord> {
        if self.kind(expr) == Kind::Bool {
            return Some(Ord::Truth(Box::new(self.cond(expr)?)));
        }
        Some(match &expr.kind {
            ExprKind::Const(Value::Level { index, .. }) => Ord::Const(*index),
            ExprKind::Const(Value::Grade(grade)) => Ord::Const((*grade).into()),
            ExprKind::Field(slot) => Ord::Field(*slot),
            ExprKind::Let(index) => Ord::Let(*index),
            ExprKind::Grade(judgement) => Ord::Grade(*judgement),
            ExprKind::Lowest => Ord::Lowest,
            ExprKind::Highest => Ord::Highest,
            _ => return None,
        })
    }

    fn est(&self, expr: &Expr) -> Option<Est> {
        if self.kind(expr) == Kind::Number {
            return Some(Est::Number(self.num(expr)?));
        }
        Some(match &expr.kind {
            ExprKind::Const(Value::Estimate { value, margin }) => Est::Const {
                value: Small::from_decimal(*value)?,
                margin: Small::from_decimal(*margin)?,
            },
            ExprKind::Field(slot) => Est::Field(*slot),
            ExprKind::Let(index) => Est::Let(*index),
            _ => return None,
        })
    }
}

/// What compiled code can see while it runs.
pub(crate) struct Frame<'a> {
    evidence: &'a Evidence,
    lets: &'a [Run<Fast>],
    grades: &'a [Option<Value>],
    members: &'a [Member],
    points: &'a [Option<Small>],
}

/// A small decimal's answer, or the walk where it has none.
fn sure<T>(answer: Option<T>) -> Run<T> {
    answer.ok_or(Stop::Walk)
}

impl Frame<'_> {
    fn code(&self, code: &Code) -> Run<Fast> {
        Ok(match code {
            Code::Bool(c) => Fast::Bool(self.cond(c)?),
            Code::Number(n) => Fast::Number(self.num(n)?),
            Code::Ordinal(o) => Fast::Ordinal(self.ord(o)?),
            Code::Estimate(e) => {
                let (value, margin) = self.est(e)?;
                Fast::Estimate { value, margin }
            }
        })
    }

    /// The evidence's value in a slot, unless it was not assessed.
    fn field(&self, slot: usize) -> Run<Value> {
        match self.evidence.value(slot) {
            Value::NotAssessed => Err(Stop::NotAssessed),
            value => Ok(value),
        }
    }

    /// A condition. Comparisons of plain operands are the bulk of every
    /// policy, so they are decided here with their operands read in place;
    /// everything else is a call away (`other_cond`, `computed`), which
    /// keeps this function small.
    fn cond(&self, cond: &Cond) -> Run<bool> {
        match cond {
            Cond::All(operands) => {
                for operand in operands {
                    // The most common operand decided here, without a call.
                    let holds = match operand {
                        Cond::FieldAgainst(op, slot, k) => self.field_against(*op, *slot, *k)?,
                        Cond::NumberAgainst(op, a, k) => self.number_against(*op, a, *k)?,
                        _ => self.cond(operand)?,
                    };
                    if !holds {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Cond::FieldAgainst(op, slot, k) => self.field_against(*op, *slot, *k),
            Cond::NumberAgainst(op, a, k) => self.number_against(*op, a, *k),
            Cond::Ordinals(op, a, b) => Ok(op.holds(self.ord(a)?.cmp(&self.ord(b)?))),
            Cond::Numbers(op, a, b) => {
                let (a, b) = (self.num(a)?, self.num(b)?);
                Ok(op.holds(sure(a.compare(b))?))
            }
            _ => self.other_cond(cond),
        }
    }

    #[inline(always)]
    fn field_against(&self, op: Accepts, slot: usize, k: u16) -> Run<bool> {
        Ok(op.holds(ordinal(self.field(slot)?)?.cmp(&k)))
    }

    #[inline(always)]
    fn number_against(&self, op: Accepts, a: &Num, k: Small) -> Run<bool> {
        Ok(op.holds(sure(self.num(a)?.compare(k))?))
    }

    #[inline(never)]
    fn other_cond(&self, cond: &Cond) -> Run<bool> {
        Ok(match cond {
            Cond::Const(b) => *b,
            Cond::Field(slot) => match self.field(*slot)? {
                Value::Bool(b) => b,
                _ => return Err(Stop::Walk),
            },
            Cond::Let(index) => match self.lets[*index]? {
                Fast::Bool(b) => b,
                _ => return Err(Stop::Walk),
            },
            Cond::Not(x) => !self.cond(x)?,
            Cond::Any(operands) => {
                for operand in operands {
                    if self.cond(operand)? {
                        return Ok(true);
                    }
                }
                false
            }
            Cond::All(..)
            | Cond::FieldAgainst(..)
            | Cond::NumberAgainst(..)
            | Cond::Ordinals(..)
            | Cond::Numbers(..) => self.cond(cond)?,
            Cond::Estimates(op, a, b) => {
                let (a, b) = (self.interval(a)?, self.interval(b)?);
                sure(estimate_holds(*op, a, b))?
            }
            Cond::Text {
                field,
                text,
                negate,
            } => {
                self.field(*field)?;
                (self.evidence.text(*field) == Some(&**text)) != *negate
            }
        })
    }

    /// A number: a constant, a field or a let read in place, anything
    /// else computed.
    #[inline]
    fn num(&self, num: &Num) -> Run<Small> {
        match num {
            Num::Const(n) => Ok(*n),
            Num::Field(slot) => match self.field(*slot)? {
                Value::Number(n) | Value::Estimate { value: n, .. } => sure(Small::from_decimal(n)),
                _ => Err(Stop::Walk),
            },
            Num::Let(index) => match self.lets[*index]? {
                Fast::Number(n) | Fast::Estimate { value: n, .. } => Ok(n),
                _ => Err(Stop::Walk),
            },
            _ => self.computed(num),
        }
    }

    #[inline(never)]
    fn computed(&self, num: &Num) -> Run<Small> {
        Ok(match num {
            Num::Const(..) | Num::Field(..) | Num::Let(..) => self.num(num)?,
            Num::Neg(x) => sure(self.num(x)?.negate())?,
            Num::Abs(x) => sure(self.num(x)?.abs())?,
            Num::Arith(op, a, b) => {
                let (a, b) = (self.num(a)?, self.num(b)?);
                sure(a.arithmetic(*op, b))?
            }
            Num::MinMax(f, a, b) => {
                let (a, b) = (self.num(a)?, self.num(b)?);
                let a_first = match f {
                    NumFn::Min => sure(a.compare(b))?.is_le(),
                    NumFn::Max => sure(a.compare(b))?.is_ge(),
                };
                if a_first { a } else { b }
            }
            Num::IntervalEnd { upper, of } => {
                let (low, high) = self.interval(of)?;
                if *upper { high } else { low }
            }
            Num::Count(op, grade) => {
                let count = self.member_grades().filter(|g| op.holds(g.cmp(grade)));
                sure(Small::whole(count.count()))?
            }
            Num::Points => {
                let mut total = Small::ZERO;
                for grade in self.member_grades() {
                    let points = sure(*self.points.get(usize::from(grade)).ok_or(Stop::Walk)?)?;
                    total = sure(total.arithmetic(ArithOp::Add, points))?;
                }
                total
            }
            Num::Members => sure(Small::whole(self.members.len()))?,
            Num::Assessed => sure(Small::whole(self.member_grades().count()))?,
        })
    }

    #[inline]
    fn ord(&self, ord: &Ord) -> Run<u16> {
        Ok(match ord {
            Ord::Const(n) => *n,
            Ord::Field(slot) => ordinal(self.field(*slot)?)?,
            Ord::Let(index) => match self.lets[*index]? {
                Fast::Ordinal(n) => n,
                _ => return Err(Stop::Walk),
            },
            Ord::Grade(judgement) => match self.grades.get(*judgement).ok_or(Stop::Walk)? {
                Some(Value::NotAssessed) => return Err(Stop::NotAssessed),
                Some(Value::Grade(grade)) => (*grade).into(),
                _ => return Err(Stop::Walk),
            },
            Ord::Lowest => self.member_grades().min().unwrap_or(0).into(),
            Ord::Highest => self.member_grades().max().unwrap_or(0).into(),
            Ord::Truth(c) => self.cond(c)?.into(),
        })
    }

    /// An estimate's interval (value − margin, value + margin).
    fn interval(&self, est: &Est) -> Run<(Small, Small)> {
        let (value, margin) = self.est(est)?;
        Ok((
            sure(value.arithmetic(ArithOp::Sub, margin))?,
            sure(value.arithmetic(ArithOp::Add, margin))?,
        ))
    }

    /// An estimate's value and margin; a number's margin is zero.
    fn est(&self, est: &Est) -> Run<(Small, Small)> {
        Ok(match est {
            Est::Const { value, margin } => (*value, *margin),
            Est::Field(slot) => match self.field(*slot)? {
                Value::Estimate { value, margin } => (
                    sure(Small::from_decimal(value))?,
                    sure(Small::from_decimal(margin))?,
                ),
                Value::Number(n) => (sure(Small::from_decimal(n))?, Small::ZERO),
                _ => return Err(Stop::Walk),
            },
            Est::Let(index) => match self.lets[*index]? {
                Fast::Estimate { value, margin } => (value, margin),
                Fast::Number(n) => (n, Small::ZERO),
                _ => return Err(Stop::Walk),
            },
            Est::Number(n) => (self.num(n)?, Small::ZERO),
        })
    }

    /// The grades of the members that were assessed.
    fn member_grades(&self) -> impl Iterator<Item = u8> + '_ {
        self.members.iter().filter_map(|member| {
            let value = match *member {
                Member::Judgement(j) => self.grades.get(j).copied().flatten(),
                Member::Field(slot) => Some(self.evidence.value(slot)),
            };
            match value {
                Some(Value::Grade(grade)) => Some(grade),
                _ => None,
            }
        })
    }
}

/// A level's, a grade's or a truth's position.
fn ordinal(value: Value) -> Run<u16> {
    match value {
        Value::Level { index, .. } => Ok(index),
        Value::Grade(grade) => Ok(grade.into()),
        Value::Bool(b) => Ok(b.into()),
        _ => Err(Stop::Walk),
    }
}

/// `super::estimate_holds` on small decimals; `None` where aligning two
/// ends overflows.
fn estimate_holds(
    op: EstOp,
    (a_low, a_high): (Small, Small),
    (b_low, b_high): (Small, Small),
) -> Option<bool> {
    Some(match op {
        EstOp::SignificantlyAbove => a_low.compare(b_high)?.is_gt(),
        EstOp::SignificantlyBelow => a_high.compare(b_low)?.is_lt(),
        EstOp::InLineWith => a_low.compare(b_high)?.is_le() && b_low.compare(a_high)?.is_le(),
    })
}

/// The lets as the expression walk computes them, only when some condition
/// needs the walk: most evidence files never do.
#[derive(Default)]
pub(crate) struct WalkingLets {
    lets: Vec<Eval>,
    ready: bool,
    /// Conditions (and followed grades) walked, over every file so far.
    pub walked: usize,
}

impl WalkingLets {
    /// Forgets the last file's lets.
    pub fn reset(&mut self) {
        self.ready = false;
    }
}

/// The conditions of one judgement, decided on the compiled path where it
/// can and by the walk where not.
pub(crate) struct Compiled<'a> {
    policy: &'a Policy,
    code: &'a JudgementCode,
    judgement: usize,
    frame: Frame<'a>,
    walking: &'a mut WalkingLets,
}

impl Compiled<'_> {
    /// The expression walk over the same evidence and grades.
    fn walk(&mut self) -> Context<'_> {
        self.walking.walked += 1;
        if !self.walking.ready {
            self.policy
                .evaluate_lets(self.frame.evidence, &mut self.walking.lets);
            self.walking.ready = true;
        }
        Context {
            policy: self.policy,
            evidence: self.frame.evidence,
            lets: &self.walking.lets,
            grades: self.frame.grades,
            judgement: self.judgement,
        }
    }

    /// Whether the condition holds, by walking it: rare, so kept out of
    /// `holds`, whose every call would otherwise save what this one needs.
    #[inline(never)]
    fn walk_holds(&mut self, which: Which) -> Result<Option<bool>, Fault> {
        self.walk().holds(which)
    }

    fn code(&self, which: Which) -> Option<&Cond> {
        let code = self.code;
        match which {
            Which::Rule(index) => code.rules[index].as_ref(),
            Which::Limit(Limit::Cap(index)) => code.caps[index].as_ref(),
            Which::Limit(Limit::Floor(index)) => code.floors[index].as_ref(),
        }
    }
}

impl Conditions for Compiled<'_> {
    fn holds(&mut self, which: Which) -> Result<Option<bool>, Fault> {
        if let Some(cond) = self.code(which) {
            match self.frame.cond(cond) {
                Ok(holds) => return Ok(Some(holds)),
                Err(Stop::NotAssessed) => return Ok(None),
                Err(Stop::Walk) => {}
            }
        }
        self.walk_holds(which)
    }

    fn followed(&mut self, limit: Limit) -> Result<Option<u8>, Fault> {
        self.walk().followed(limit)
    }
}
