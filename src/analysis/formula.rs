//! Conditions as formulas the solver can decide: linear constraints over the
//! numeric parts of the evidence (exact rationals), finite-domain atoms over
//! bools, levels, text and judgement grades, and `Opaque` where a condition
//! cannot be decided exactly (a helper call, a non-linear product, an
//! aggregate), so that the analysis says so instead of guessing.

use crate::policy::{ArithOp, Expr, ExprKind, Policy, Rule};
use crate::policy::{CmpOp, EstOp};
use crate::value::{Type, Unit, Value};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

pub type Q = BigRational;

/// How an aggregating judgement's members split: how many hold each grade
/// (by rank, worst first), and how many were not assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub counts: Vec<u32>,
    pub unassessed: u32,
}

/// A numeric unknown: a number field, or an estimate's value or margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NumVar {
    Value(usize),
    Margin(usize),
}

/// A finite-domain unknown: a bool, level or text field, or a judgement's grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FinVar {
    Slot(usize),
    Grade(usize),
}

/// `Σ terms + constant`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lin {
    pub terms: BTreeMap<NumVar, Q>,
    pub constant: Q,
}

impl Lin {
    pub fn constant(value: Q) -> Lin {
        Lin {
            terms: BTreeMap::new(),
            constant: value,
        }
    }

    fn var(var: NumVar) -> Lin {
        Lin {
            terms: BTreeMap::from([(var, Q::one())]),
            constant: Q::zero(),
        }
    }

    pub fn plus(&self, other: &Lin, factor: &Q) -> Lin {
        let mut terms = self.terms.clone();
        for (var, coefficient) in &other.terms {
            let entry = terms.entry(*var).or_insert_with(Q::zero);
            *entry += coefficient * factor;
            if entry.is_zero() {
                terms.remove(var);
            }
        }
        Lin {
            terms,
            constant: &self.constant + &other.constant * factor,
        }
    }

    pub fn scaled(&self, factor: &Q) -> Lin {
        Lin::constant(Q::zero()).plus(self, factor)
    }

    fn is_constant(&self) -> bool {
        self.terms.is_empty()
    }
}

/// `lin < 0` (strict) or `lin <= 0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Constraint {
    pub lin: Lin,
    pub strict: bool,
}

impl Constraint {
    fn negated(&self) -> Constraint {
        Constraint {
            lin: self.lin.scaled(&-Q::one()),
            strict: !self.strict,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    Const(bool),
    Linear(Constraint),
    /// The unknown takes one of these values.
    Finite(FinVar, BTreeSet<u32>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
    /// Cannot be decided exactly; the reason says why.
    Opaque(String),
}

impl Formula {
    /// Whether some part cannot be decided exactly.
    pub fn is_opaque(&self) -> bool {
        match self {
            Formula::Opaque(_) => true,
            Formula::And(parts) | Formula::Or(parts) => parts.iter().any(Formula::is_opaque),
            _ => false,
        }
    }

    /// `a and b` / `a or b`, with a part that repeats the other dropped, so
    /// that `x and x` (often through lets built on lets) stays the size of `x`.
    fn join(and: bool, a: Formula, b: Formula) -> Formula {
        if a == b {
            return a;
        }
        if and {
            Formula::And(vec![a, b])
        } else {
            Formula::Or(vec![a, b])
        }
    }
}

/// A numeric expression: linear, or a ratio with a denominator known positive.
#[derive(Clone)]
enum Num {
    Lin(Lin),
    Ratio(Lin, Lin),
}

pub struct Translator<'p> {
    pub policy: &'p Policy,
    /// The text literals compared with each text field; value `i` is the
    /// `i`-th literal, and one more value stands for any other text.
    pub texts: BTreeMap<usize, Vec<String>>,
    /// Lets translated once each: lets built on lets would otherwise be
    /// translated again for every use, exponentially in hostile policies.
    let_numbers: RefCell<BTreeMap<usize, Result<Num, String>>>,
    let_formulas: RefCell<BTreeMap<(usize, bool), Formula>>,
    /// While an aggregating judgement is analysed case by case: how many of
    /// its members hold each grade (by rank). Lets never aggregate, so the
    /// caches above stay valid across cases.
    counts: RefCell<Option<Split>>,
    /// Each judgement's grade tied to the evidence (`reach.rs`), built once.
    pub(super) links: RefCell<BTreeMap<usize, Option<std::rc::Rc<Formula>>>>,
    /// When the judgement being analysed must be given up as undecided.
    deadline: std::cell::Cell<Option<std::time::Instant>>,
}

pub fn rational(decimal: Decimal) -> Q {
    let mantissa = BigInt::from(decimal.mantissa());
    let scale = BigInt::from(10).pow(decimal.scale());
    Q::new(mantissa, scale)
}

impl<'p> Translator<'p> {
    pub fn new(policy: &'p Policy) -> Self {
        let mut texts: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for condition in policy.expressions() {
            crate::policy::visit(condition, &mut |node| {
                if let ExprKind::TextEq { field, text, .. } = &node.kind {
                    let literals = texts.entry(*field).or_default();
                    if !literals.iter().any(|t| **t == **text) {
                        literals.push(text.to_string());
                    }
                }
            });
        }
        Translator {
            policy,
            texts,
            let_numbers: RefCell::default(),
            let_formulas: RefCell::default(),
            counts: RefCell::default(),
            links: RefCell::default(),
            deadline: std::cell::Cell::default(),
        }
    }

    /// How many values a finite unknown can take.
    pub fn domain(&self, var: FinVar) -> u32 {
        match var {
            FinVar::Grade(_) => self.policy.grades.names.len() as u32,
            FinVar::Slot(slot) => match &self.policy.fields[slot].ty {
                Type::Level(scale) => self.policy.scales[*scale].levels.len() as u32,
                Type::Text => self.texts.get(&slot).map_or(0, Vec::len) as u32 + 1,
                Type::Grade => self.policy.grades.names.len() as u32,
                _ => 2,
            },
        }
    }

    /// The constraints every value of an unknown meets: margins and rates
    /// are never negative, and a declared range (`1..4`) bounds the value
    /// (the evidence reader rejects anything outside it).
    pub fn domain_constraints(&self, var: NumVar) -> Vec<Constraint> {
        let x = Lin::var(var);
        let mut constraints = Vec::new();
        if let Some(low) = self.lower_bound(var) {
            // low - x <= 0
            constraints.push(Constraint {
                lin: x.scaled(&-Q::one()).plus(&Lin::constant(low), &Q::one()),
                strict: false,
            });
        }
        if let Some(high) = self.upper_bound(var) {
            // x - high <= 0
            constraints.push(Constraint {
                lin: x.plus(&Lin::constant(high), &-Q::one()),
                strict: false,
            });
        }
        constraints
    }

    /// The least value an unknown can take, if it has one: zero for margins
    /// and rates, or the declared range's lower bound if higher.
    pub fn lower_bound(&self, var: NumVar) -> Option<Q> {
        let (nonnegative, declared) = match var {
            NumVar::Margin(_) => (true, None),
            NumVar::Value(slot) => {
                let field = &self.policy.fields[slot];
                (field.ty.is_rate(), field.range.low.map(rational))
            }
        };
        let zero = nonnegative.then(Q::zero);
        match (zero, declared) {
            (Some(zero), Some(low)) => Some(zero.max(low)),
            (zero, low) => zero.or(low),
        }
    }

    /// The greatest value an unknown can take, if it has one: the declared
    /// range's upper bound.
    pub fn upper_bound(&self, var: NumVar) -> Option<Q> {
        match var {
            NumVar::Value(slot) => self.policy.fields[slot].range.high.map(rational),
            NumVar::Margin(_) => None,
        }
    }

    /// Whether an unknown is a whole number: a `whole` field's value.
    pub fn is_whole(&self, var: NumVar) -> bool {
        matches!(var, NumVar::Value(slot) if self.policy.fields[slot].whole)
    }

    /// The usual range of a percentage (0 to 100), preferred for witnesses
    /// but not assumed for proofs: the evaluator accepts any percentage
    /// (changes in percent are often negative).
    pub fn typical_range(&self, var: NumVar) -> Vec<Constraint> {
        let NumVar::Value(slot) = var else {
            return Vec::new();
        };
        let percent = matches!(&self.policy.fields[slot].ty, Type::Number(Unit::Named(u)) | Type::Estimate(Unit::Named(u)) if u == "percent");
        if !percent {
            return Vec::new();
        }
        let x = Lin::var(var);
        vec![
            Constraint {
                lin: x.scaled(&-Q::one()),
                strict: false,
            },
            Constraint {
                lin: x.plus(&Lin::constant(Q::from_integer(100.into())), &-Q::one()),
                strict: false,
            },
        ]
    }

    /// `not formula`: every part turned round (a finite atom to the other
    /// values of its unknown). What cannot be decided stays undecided.
    pub fn negated(&self, formula: &Formula) -> Formula {
        match formula {
            Formula::Const(value) => Formula::Const(!value),
            Formula::Linear(constraint) => Formula::Linear(constraint.negated()),
            Formula::Finite(var, values) => Formula::Finite(
                *var,
                (0..self.domain(*var))
                    .filter(|v| !values.contains(v))
                    .collect(),
            ),
            Formula::And(parts) => Formula::Or(parts.iter().map(|p| self.negated(p)).collect()),
            Formula::Or(parts) => Formula::And(parts.iter().map(|p| self.negated(p)).collect()),
            Formula::Opaque(reason) => Formula::Opaque(reason.clone()),
        }
    }

    /// Sets when the judgement being analysed is given up as undecided.
    pub fn set_deadline(&self, deadline: std::time::Instant) {
        self.deadline.set(Some(deadline));
    }

    /// Whether the judgement's time budget is spent.
    pub fn out_of_time(&self) -> bool {
        self.deadline
            .get()
            .is_some_and(|deadline| std::time::Instant::now() > deadline)
    }

    /// Fixes how many members hold each grade, for the aggregates of the
    /// judgement analysed (`None`: aggregates are not decided).
    pub fn set_counts(&self, split: Option<Split>) {
        *self.counts.borrow_mut() = split;
    }

    /// An aggregate's value under the fixed counts, as a constant.
    fn aggregate(&self, e: &Expr) -> Option<Q> {
        let split = self.counts.borrow();
        let Split { counts, unassessed } = split.as_ref()?;
        let total = |keep: &dyn Fn(usize) -> bool| -> u32 {
            counts
                .iter()
                .enumerate()
                .filter(|(g, _)| keep(*g))
                .map(|(_, c)| c)
                .sum()
        };
        let points = &self.policy.grades.points;
        Some(match &e.kind {
            ExprKind::Count(op, grade) => {
                Q::from_integer(total(&|g| op.holds((g as u8).cmp(grade))).into())
            }
            ExprKind::Assessed => Q::from_integer(total(&|_| true).into()),
            ExprKind::Members => Q::from_integer((total(&|_| true) + unassessed).into()),
            ExprKind::Points => counts
                .iter()
                .zip(points)
                .map(|(c, p)| Q::from_integer((*c).into()) * rational(*p))
                .sum(),
            _ => return None,
        })
    }

    /// The lowest or highest member grade under the fixed counts.
    fn extreme(&self, e: &Expr) -> Option<u32> {
        let split = self.counts.borrow();
        let counts = &split.as_ref()?.counts;
        let mut present = counts.iter().enumerate().filter(|(_, c)| **c > 0);
        let rank = match e.kind {
            ExprKind::Lowest => present.next().map(|(g, _)| g),
            ExprKind::Highest => present.next_back().map(|(g, _)| g),
            _ => return None,
        };
        // No member graded: the evaluator reads the lowest grade.
        Some(rank.unwrap_or(0) as u32)
    }

    /// The formula for `condition` (or its negation).
    pub fn formula(&self, e: &Expr, negated: bool) -> Formula {
        match &e.kind {
            ExprKind::Const(Value::Bool(b)) => Formula::Const(*b != negated),
            ExprKind::Not(x) => self.formula(x, !negated),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let and = matches!(e.kind, ExprKind::And(..)) != negated;
                Formula::join(and, self.formula(a, negated), self.formula(b, negated))
            }
            ExprKind::Let(index) => {
                if let Some(cached) = self.let_formulas.borrow().get(&(*index, negated)) {
                    return cached.clone();
                }
                let formula = self.formula(&self.policy.lets[*index].expr, negated);
                self.let_formulas
                    .borrow_mut()
                    .insert((*index, negated), formula.clone());
                formula
            }
            ExprKind::Field(slot) => {
                Formula::Finite(FinVar::Slot(*slot), BTreeSet::from([u32::from(!negated)]))
            }
            ExprKind::TextEq {
                field,
                text,
                negate,
            } => {
                let literals = self.texts.get(field).cloned().unwrap_or_default();
                let value = literals
                    .iter()
                    .position(|t| **t == **text)
                    .unwrap_or(literals.len()) as u32;
                let equal = *negate == negated;
                let values = (0..=literals.len() as u32)
                    .filter(|v| (*v == value) == equal)
                    .collect();
                Formula::Finite(FinVar::Slot(*field), values)
            }
            ExprKind::Compare(op, a, b) => self.named(e, self.compare(*op, a, b, negated)),
            ExprKind::Estimate(op, a, b) => self.named(e, self.estimate(*op, a, b, negated)),
            ExprKind::Helper { .. } => {
                self.named(e, Formula::Opaque("a helper script decides it".to_string()))
            }
            _ => self.named(
                e,
                Formula::Opaque("it is not a comparison the analysis can decide".to_string()),
            ),
        }
    }

    /// An undecidable condition names the exact sub-expression it comes from.
    fn named(&self, e: &Expr, formula: Formula) -> Formula {
        match formula {
            Formula::Opaque(reason) => {
                Formula::Opaque(format!("`{}`: {reason}", self.policy.text_of(e.span)))
            }
            decided => decided,
        }
    }

    fn compare(&self, op: CmpOp, a: &Expr, b: &Expr, negated: bool) -> Formula {
        let op = if negated { negate(op) } else { op };
        if self.is_finite(a) || self.is_finite(b) {
            return self.finite_compare(op, a, b);
        }
        match (self.num(a), self.num(b)) {
            (Ok(x), Ok(y)) => self.numeric_compare(op, x, y),
            (Err(reason), _) | (_, Err(reason)) => Formula::Opaque(reason),
        }
    }

    fn numeric_compare(&self, op: CmpOp, a: Num, b: Num) -> Formula {
        // Bring both sides to `left op right` over a common positive denominator.
        let (difference, denominator) = match (a, b) {
            (Num::Lin(x), Num::Lin(y)) => (x.plus(&y, &-Q::one()), None),
            (Num::Ratio(n, d), Num::Lin(y)) if y.is_constant() => {
                (n.plus(&d, &-y.constant.clone()), Some(d))
            }
            (Num::Lin(x), Num::Ratio(n, d)) if x.is_constant() => {
                (d.scaled(&x.constant).plus(&n, &-Q::one()), Some(d))
            }
            _ => {
                return Formula::Opaque(
                    "it compares a ratio with another varying quantity (not linear)".to_string(),
                );
            }
        };
        let mut parts = comparison(op, difference);
        if let Some(d) = denominator {
            // The evaluator cannot divide by zero: a denominator that holds is positive.
            parts = Formula::And(vec![
                parts,
                Formula::Linear(Constraint {
                    lin: d.scaled(&-Q::one()),
                    strict: true,
                }),
            ]);
        }
        parts
    }

    fn estimate(&self, op: EstOp, a: &Expr, b: &Expr, negated: bool) -> Formula {
        let (Ok((a_low, a_high)), Ok((b_low, b_high))) = (self.interval(a), self.interval(b))
        else {
            return Formula::Opaque("an estimate comparison on a computed value".to_string());
        };
        let holds = match op {
            EstOp::SignificantlyAbove => vec![strictly_less(&b_high, &a_low)],
            EstOp::SignificantlyBelow => vec![strictly_less(&a_high, &b_low)],
            EstOp::InLineWith => vec![at_most(&a_low, &b_high), at_most(&b_low, &a_high)],
        };
        if !negated {
            return Formula::And(holds.into_iter().map(Formula::Linear).collect());
        }
        Formula::Or(holds.iter().map(|c| Formula::Linear(c.negated())).collect())
    }

    /// An estimate's interval, or a number's point interval.
    fn interval(&self, e: &Expr) -> Result<(Lin, Lin), String> {
        match &e.kind {
            ExprKind::Field(slot) if matches!(self.policy.fields[*slot].ty, Type::Estimate(_)) => {
                let (value, margin) = (
                    Lin::var(NumVar::Value(*slot)),
                    Lin::var(NumVar::Margin(*slot)),
                );
                Ok((
                    value.plus(&margin, &-Q::one()),
                    value.plus(&margin, &Q::one()),
                ))
            }
            ExprKind::Let(index) => self.interval(&self.policy.lets[*index].expr),
            _ => match self.num(e)? {
                Num::Lin(x) => Ok((x.clone(), x)),
                Num::Ratio(..) => Err("a ratio in an estimate comparison".to_string()),
            },
        }
    }

    /// An expression's linear form, when it has one.
    pub fn linear(&self, e: &Expr) -> Option<Lin> {
        match self.num(e) {
            Ok(Num::Lin(lin)) => Some(lin),
            _ => None,
        }
    }

    fn num(&self, e: &Expr) -> Result<Num, String> {
        Ok(match &e.kind {
            ExprKind::Const(Value::Number(n)) => Num::Lin(Lin::constant(rational(*n))),
            ExprKind::Field(slot) => Num::Lin(Lin::var(NumVar::Value(*slot))),
            ExprKind::IntervalEnd { upper, of } => {
                let (low, high) = self.interval(of)?;
                Num::Lin(if *upper { high } else { low })
            }
            ExprKind::PointValue(x) => match &x.kind {
                ExprKind::Field(slot) => Num::Lin(Lin::var(NumVar::Value(*slot))),
                _ => self.num(x)?,
            },
            ExprKind::Let(index) => {
                if let Some(cached) = self.let_numbers.borrow().get(index) {
                    return cached.clone();
                }
                let number = self.num(&self.policy.lets[*index].expr);
                self.let_numbers.borrow_mut().insert(*index, number.clone());
                number?
            }
            ExprKind::Neg(x) => match self.num(x)? {
                Num::Lin(x) => Num::Lin(x.scaled(&-Q::one())),
                Num::Ratio(n, d) => Num::Ratio(n.scaled(&-Q::one()), d),
            },
            ExprKind::Arith(op, a, b) => self.arith(*op, self.num(a)?, self.num(b)?)?,
            ExprKind::Helper { .. } => return Err("a helper script computes it".to_string()),
            ExprKind::Count(..) | ExprKind::Points | ExprKind::Members | ExprKind::Assessed => {
                match self.aggregate(e) {
                    Some(value) => Num::Lin(Lin::constant(value)),
                    None => return Err("it counts other judgements' grades".to_string()),
                }
            }
            _ => {
                return Err(
                    "it uses a function the analysis does not model (abs, min, max)".to_string(),
                );
            }
        })
    }

    fn arith(&self, op: ArithOp, a: Num, b: Num) -> Result<Num, String> {
        let nonlinear = || {
            "it multiplies or divides varying quantities in a way that is not linear".to_string()
        };
        Ok(match (op, a, b) {
            (ArithOp::Add | ArithOp::Sub, Num::Lin(x), Num::Lin(y)) => Num::Lin(x.plus(
                &y,
                &if op == ArithOp::Add {
                    Q::one()
                } else {
                    -Q::one()
                },
            )),
            (ArithOp::Add | ArithOp::Sub, Num::Ratio(n, d), Num::Lin(y)) if y.is_constant() => {
                let sign = if op == ArithOp::Add {
                    Q::one()
                } else {
                    -Q::one()
                };
                Num::Ratio(n.plus(&d, &(sign * &y.constant)), d)
            }
            (ArithOp::Mul, Num::Lin(x), Num::Lin(y)) if x.is_constant() => {
                Num::Lin(y.scaled(&x.constant))
            }
            (ArithOp::Mul, Num::Lin(x), Num::Lin(y)) if y.is_constant() => {
                Num::Lin(x.scaled(&y.constant))
            }
            (ArithOp::Mul, Num::Lin(k), Num::Ratio(n, d))
            | (ArithOp::Mul, Num::Ratio(n, d), Num::Lin(k))
                if k.is_constant() =>
            {
                Num::Ratio(n.scaled(&k.constant), d)
            }
            (ArithOp::Div, x, Num::Lin(y)) if y.is_constant() && !y.constant.is_zero() => {
                let inverse = Q::one() / &y.constant;
                match x {
                    Num::Lin(x) => Num::Lin(x.scaled(&inverse)),
                    Num::Ratio(n, d) => Num::Ratio(n.scaled(&inverse), d),
                }
            }
            (ArithOp::Div, Num::Lin(x), Num::Lin(y)) if self.positive_when_defined(&y) => {
                Num::Ratio(x, y)
            }
            (ArithOp::Div, _, Num::Lin(_)) => {
                return Err("it divides by a quantity that may be negative".to_string());
            }
            _ => return Err(nonlinear()),
        })
    }

    /// A denominator that is never negative, so non-zero means positive.
    fn positive_when_defined(&self, d: &Lin) -> bool {
        !d.constant.is_negative()
            && d.terms.iter().all(|(var, c)| {
                c.is_positive() && self.lower_bound(*var).is_some_and(|low| !low.is_negative())
            })
    }

    fn is_finite(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Const(v) => {
                matches!(v, Value::Level { .. } | Value::Grade(_) | Value::Bool(_))
            }
            ExprKind::Field(slot) => {
                matches!(
                    self.policy.fields[*slot].ty,
                    Type::Level(_) | Type::Bool | Type::Grade
                )
            }
            ExprKind::Let(index) => matches!(
                self.policy.lets[*index].ty,
                Type::Level(_) | Type::Bool | Type::Grade
            ),
            ExprKind::Grade(_) | ExprKind::Lowest | ExprKind::Highest => true,
            ExprKind::Helper { returns, .. } => {
                matches!(returns, Type::Level(_) | Type::Bool | Type::Grade)
            }
            _ => false,
        }
    }

    fn finite_compare(&self, op: CmpOp, a: &Expr, b: &Expr) -> Formula {
        let (x, y) = match (self.fin(a), self.fin(b)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(reason), _) | (_, Err(reason)) => return Formula::Opaque(reason),
        };
        self.compare_fin(op, x, y)
    }

    /// Whether a floor's grade is above a cap's — where each may follow
    /// another judgement's grade or grade evidence — so that both applying
    /// is a clash; `Const(false)` for fixed grades that cannot clash.
    pub fn floor_above_cap(&self, floor: &Rule, cap: &Rule) -> Formula {
        let grade = |limit: &Rule| match &limit.follows {
            None => Ok(Fin::Const(u32::from(limit.grade))),
            Some(follows) => self.fin(&follows.grade),
        };
        match (grade(floor), grade(cap)) {
            (Ok(f), Ok(c)) => self.compare_fin(CmpOp::Gt, f, c),
            (Err(reason), _) | (_, Err(reason)) => Formula::Opaque(reason),
        }
    }

    fn compare_fin(&self, op: CmpOp, x: Fin, y: Fin) -> Formula {
        let holds = |p: u32, q: u32| op.holds(p.cmp(&q));
        match (x, y) {
            (Fin::Const(p), Fin::Const(q)) => Formula::Const(holds(p, q)),
            (Fin::Var(v), Fin::Const(q)) => {
                Formula::Finite(v, (0..self.domain(v)).filter(|p| holds(*p, q)).collect())
            }
            (Fin::Const(p), Fin::Var(v)) => {
                Formula::Finite(v, (0..self.domain(v)).filter(|q| holds(p, *q)).collect())
            }
            (Fin::Var(v), Fin::Var(w)) => {
                let pairs =
                    (0..self.domain(v)).flat_map(|p| (0..self.domain(w)).map(move |q| (p, q)));
                Formula::Or(
                    pairs
                        .filter(|(p, q)| holds(*p, *q))
                        .map(|(p, q)| {
                            Formula::And(vec![
                                Formula::Finite(v, BTreeSet::from([p])),
                                Formula::Finite(w, BTreeSet::from([q])),
                            ])
                        })
                        .collect(),
                )
            }
        }
    }

    fn fin(&self, e: &Expr) -> Result<Fin, String> {
        Ok(match &e.kind {
            ExprKind::Const(Value::Level { index, .. }) => Fin::Const(u32::from(*index)),
            ExprKind::Const(Value::Grade(rank)) => Fin::Const(u32::from(*rank)),
            ExprKind::Const(Value::Bool(b)) => Fin::Const(u32::from(*b)),
            ExprKind::Field(slot) => Fin::Var(FinVar::Slot(*slot)),
            ExprKind::Grade(judgement) => Fin::Var(FinVar::Grade(*judgement)),
            ExprKind::Let(index) => self.fin(&self.policy.lets[*index].expr)?,
            ExprKind::Helper { .. } => return Err("a helper script computes it".to_string()),
            _ => match self.extreme(e) {
                Some(rank) => Fin::Const(rank),
                None => {
                    return Err("it reads the grades of an aggregate (lowest, highest)".to_string());
                }
            },
        })
    }
}

enum Fin {
    Const(u32),
    Var(FinVar),
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
    }
}

/// `difference op 0` as constraints.
fn comparison(op: CmpOp, difference: Lin) -> Formula {
    let below = |strict| {
        Formula::Linear(Constraint {
            lin: difference.clone(),
            strict,
        })
    };
    let above = |strict| {
        Formula::Linear(Constraint {
            lin: difference.scaled(&-Q::one()),
            strict,
        })
    };
    match op {
        CmpOp::Lt => below(true),
        CmpOp::Le => below(false),
        CmpOp::Gt => above(true),
        CmpOp::Ge => above(false),
        CmpOp::Eq => Formula::And(vec![below(false), above(false)]),
        CmpOp::Ne => Formula::Or(vec![below(true), above(true)]),
    }
}

/// `a < b`
fn strictly_less(a: &Lin, b: &Lin) -> Constraint {
    Constraint {
        lin: a.plus(b, &-Q::one()),
        strict: true,
    }
}

/// `a <= b`
fn at_most(a: &Lin, b: &Lin) -> Constraint {
    Constraint {
        lin: a.plus(b, &-Q::one()),
        strict: false,
    }
}
