//! Evaluation: grades each judgement of a compiled policy from one evidence
//! file. The fast path (`Policy::evaluate`) walks the compiled expressions
//! over the evidence slots without string lookups; `explain` is the slower
//! path that records why.

mod assess;
mod compiled;
mod exact;
mod explain;
mod failure;
mod resolve;
mod small;

pub use assess::{
    Assessment, assess, assess_file, assess_file_within, assess_record, assess_record_with,
};
pub use explain::{Check, JudgementTrace, RuleRole, RuleTrace, explain};
pub use failure::diagnose;

use crate::diagnostics::Code;
use crate::evidence::{Departure, Evidence};
use crate::policy::{ArithOp, EstOp, Expr, ExprKind, Member, NumFn, Policy};
use crate::script::{ScriptError, from_dynamic, to_dynamic};
use crate::source::Span;
use crate::value::{DIVISION_SCALE, Value};
use compiled::{Fast, Program, Stop, WalkingLets};
use resolve::{Conditions, Fault, Which};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// The outcome for every judgement, indexed as `Policy::judgements`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grading {
    /// Per judgement, in declaration order.
    pub outcomes: Vec<Outcome>,
}

impl Grading {
    /// Whether every judgement was graded (or is, by the evidence's own
    /// account, not assessed): nothing failed.
    pub fn is_complete(&self) -> bool {
        self.outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Graded(_) | Outcome::NotAssessed))
    }

    /// The judgement's grade (by rank), if it was graded.
    pub fn grade(&self, judgement: usize) -> Option<u8> {
        match &self.outcomes[judgement] {
            Outcome::Graded(graded) => Some(graded.grade),
            _ => None,
        }
    }
}

/// What became of one judgement.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It was graded.
    Graded(Graded),
    /// It could not be graded.
    Failed(Failure),
    /// No rule held, and some rule could not be decided because evidence it
    /// reads was not assessed (an `optional` field left out).
    NotAssessed,
    /// Not graded because a judgement it reads was not graded.
    Blocked {
        /// The judgement (by index) it depends on.
        by: usize,
    },
}

/// A grade given, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    /// The final grade, after caps and floors.
    pub grade: u8,
    /// The grade the rules resolved to, before caps and floors.
    pub resolved: u8,
    /// Which rule decided the grade before any limit.
    pub decided_by: Decision,
    /// Every cap and floor that changed the grade, strictest first.
    pub limited_by: Vec<Limit>,
    /// A departure from the `normally` rule that decided the grade: the
    /// grade given instead (before caps and floors), and why.
    pub departure: Option<Departure>,
}

/// What decided a grade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The index of the rule in `Judgement::rules`.
    Rule(usize),
    /// No rule held; the `otherwise` grade.
    Otherwise,
}

/// A cap or floor that changed a grade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// `at most` (by index among the judgement's caps).
    Cap(usize),
    /// `at least` (by index among the judgement's floors).
    Floor(usize),
}

/// Why a judgement could not be graded.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Under `unique`, rules for two or more different grades held.
    Conflict {
        /// The first rule that held for each grade whose criteria held (by
        /// index in `Judgement::rules`), in written order.
        rules: Vec<usize>,
    },
    /// No rule held and there is no `otherwise`.
    NoRule,
    /// A floor above a cap both applied.
    CapFloor {
        /// The cap (by index in `Judgement::caps`).
        cap: usize,
        /// The floor above it (by index in `Judgement::floors`).
        floor: usize,
    },
    /// A calculation or a helper call failed.
    Eval(EvalError),
}

impl Failure {
    /// The diagnostic code that reports this failure.
    pub fn code(&self) -> Code {
        match self {
            Failure::Conflict { .. } => Code::Conflict,
            Failure::NoRule => Code::NoRule,
            Failure::CapFloor { .. } => Code::CapFloorConflict,
            Failure::Eval(error) => match error.kind {
                EvalErrorKind::Script(_) => Code::ScriptRuntime,
                EvalErrorKind::DivisionByZero | EvalErrorKind::Overflow => Code::Arithmetic,
            },
        }
    }

    /// What went wrong, in a few words, for reports: "no rule holds".
    pub fn summary(&self) -> &'static str {
        match self {
            Failure::Conflict { rules } if rules.len() > 2 => "criteria of several grades hold",
            Failure::Conflict { .. } => "criteria of two grades hold",
            Failure::NoRule => "no rule holds",
            Failure::CapFloor { .. } => "a floor above a cap",
            Failure::Eval(error) => match error.kind {
                EvalErrorKind::Script(_) => "a helper failed",
                EvalErrorKind::DivisionByZero | EvalErrorKind::Overflow => "a calculation failed",
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// The operation or call that failed.
    pub span: Span,
    pub kind: EvalErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvalErrorKind {
    DivisionByZero,
    Overflow,
    /// A helper script failed, or returned what the call site cannot use.
    Script(Box<HelperFailure>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HelperFailure {
    /// Index into the policy's helpers.
    pub helper: usize,
    pub error: crate::script::ScriptError,
    /// The arguments passed, as people read them.
    pub args: Vec<String>,
}

/// Why an expression has no value: it failed, or it reads evidence that was
/// not assessed (not a failure: the rule reading it does not hold).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Halt {
    Failed(EvalError),
    NotAssessed,
}

impl From<EvalError> for Halt {
    fn from(error: EvalError) -> Self {
        Halt::Failed(error)
    }
}

type Eval = Result<Value, Halt>;

impl Policy {
    /// Grades every judgement, in dependency order, by walking each
    /// expression: the reference evaluator, and the quicker way to grade one
    /// file. To grade many, an [`Evaluator`] compiles the policy once (a few
    /// microseconds) and then grades each file faster; both
    /// give the same outcomes (`tests/compiled.rs`, and the `evaluate` fuzz
    /// target, check it).
    pub fn evaluate(&self, evidence: &Evidence) -> Grading {
        let mut lets = Vec::new();
        self.evaluate_lets(evidence, &mut lets);
        let mut grades = vec![None; self.judgements.len()];
        let mut grading = Grading {
            outcomes: vec![Outcome::Blocked { by: usize::MAX }; self.judgements.len()],
        };
        self.grade_in_order(&mut grades, &mut grading, |index, grades| {
            let mut context = Context {
                policy: self,
                evidence,
                lets: &lets,
                grades,
                judgement: index,
            };
            resolve::grade(&self.judgements[index], index, evidence, &mut context)
        });
        grading
    }

    pub(crate) fn evaluate_lets(&self, evidence: &Evidence, lets: &mut Vec<Eval>) {
        lets.clear();
        for index in 0..self.lets.len() {
            let context = Context {
                policy: self,
                evidence,
                lets,
                grades: &[],
                judgement: usize::MAX,
            };
            let value = context.eval(&self.lets[index].expr);
            lets.push(value);
        }
    }

    /// Grades each judgement in dependency order with `grade`, given the
    /// grades so far; one whose dependency has no grade is blocked.
    fn grade_in_order(
        &self,
        grades: &mut [Option<Value>],
        grading: &mut Grading,
        mut grade: impl FnMut(usize, &[Option<Value>]) -> Outcome,
    ) {
        grades.fill(None);
        for &index in &self.order {
            let outcome = match self.blocker(index, grades) {
                Some(by) => Outcome::Blocked { by },
                None => grade(index, grades),
            };
            grades[index] = match &outcome {
                Outcome::Graded(graded) => Some(Value::Grade(graded.grade)),
                Outcome::NotAssessed => Some(Value::NotAssessed),
                Outcome::Failed(_) | Outcome::Blocked { .. } => None,
            };
            grading.outcomes[index] = outcome;
        }
    }

    /// A judgement this one reads that has no grade.
    fn blocker(&self, index: usize, grades: &[Option<Value>]) -> Option<usize> {
        let depends_on = &self.judgements[index].depends_on;
        depends_on.iter().copied().find(|&j| grades[j].is_none())
    }
}

/// Grades evidence files one after another against one policy, compiled
/// once, reusing its buffers: after the first file, grading allocates
/// nothing but the list of limits that changed a grade.
pub struct Evaluator<'p> {
    policy: &'p Policy,
    program: Program,
    /// The lets, on the compiled path.
    lets: Vec<Result<Fast, Stop>>,
    /// The lets, for conditions that are walked.
    walking: WalkingLets,
    /// Per judgement: its grade (or `NotAssessed`); `None` if it failed.
    grades: Vec<Option<Value>>,
    grading: Grading,
}

impl<'p> Evaluator<'p> {
    /// An evaluator for the policy: compiles it and sizes the buffers.
    pub fn new(policy: &'p Policy) -> Self {
        let judgements = policy.judgements.len();
        Evaluator {
            policy,
            program: Program::compile(policy),
            lets: Vec::with_capacity(policy.lets.len()),
            walking: WalkingLets::default(),
            grades: vec![None; judgements],
            grading: Grading {
                outcomes: vec![Outcome::Blocked { by: usize::MAX }; judgements],
            },
        }
    }

    /// The policy it grades by.
    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// Grades every judgement, in dependency order.
    pub fn evaluate(&mut self, evidence: &Evidence) -> &Grading {
        let Evaluator {
            policy,
            program,
            lets,
            walking,
            grades,
            grading,
        } = self;
        program.lets(evidence, lets);
        walking.reset();
        policy.grade_in_order(grades, grading, |index, grades| {
            let mut conditions = program.conditions(policy, index, evidence, lets, grades, walking);
            resolve::grade(&policy.judgements[index], index, evidence, &mut conditions)
        });
        &self.grading
    }

    /// How many conditions were decided by walking their expression rather
    /// than by the compiled program, over every file so far: tests show
    /// with it that the compiled path is the one taken.
    #[doc(hidden)]
    pub fn walked(&self) -> usize {
        self.walking.walked
    }
}

/// What an expression can see while one judgement is graded.
pub(crate) struct Context<'a> {
    pub policy: &'a Policy,
    pub evidence: &'a Evidence,
    pub lets: &'a [Eval],
    /// Grades of judgements graded so far (or `NotAssessed`).
    pub grades: &'a [Option<Value>],
    pub judgement: usize,
}

impl Conditions for Context<'_> {
    fn holds(&mut self, which: Which) -> Result<Option<bool>, Fault> {
        let judgement = &self.policy.judgements[self.judgement];
        self.holds_expr(&which.of(judgement).condition)
            .map_err(Box::new)
    }

    fn followed(&mut self, limit: Limit) -> Result<Option<u8>, Fault> {
        let rule = Which::Limit(limit).of(&self.policy.judgements[self.judgement]);
        let Some(follows) = &rule.follows else {
            return Ok(Some(rule.grade));
        };
        match self.eval(&follows.grade) {
            Ok(Value::Grade(grade)) => Ok(Some(grade)),
            // INVARIANT: the checker makes `follows` a judgement's grade or a
            // grade field, so any other value is one not assessed.
            Ok(_) | Err(Halt::NotAssessed) => Ok(None),
            Err(Halt::Failed(error)) => Err(Box::new(Failure::Eval(error))),
        }
    }
}

impl Context<'_> {
    /// Whether a condition holds; `None` when it reads evidence that was
    /// not assessed.
    fn holds_expr(&self, condition: &Expr) -> Result<Option<bool>, Failure> {
        match self.eval(condition) {
            Ok(value) => Ok(Some(value.bool())),
            Err(Halt::NotAssessed) => Ok(None),
            Err(Halt::Failed(error)) => Err(Failure::Eval(error)),
        }
    }

    pub(crate) fn eval(&self, expr: &Expr) -> Eval {
        Ok(match &expr.kind {
            ExprKind::Const(value) => *value,
            ExprKind::Field(slot) => self.assessed(self.evidence.value(*slot))?,
            ExprKind::Let(index) => self.lets[*index].clone()?,
            // INVARIANT: judgements are graded in dependency order
            // (check/judgements.rs, `insp::judgement::cycle`), and one whose
            // dependency was not graded is `Blocked` before its rules run, so
            // the grade read here is always present.
            ExprKind::Grade(judgement) => {
                self.assessed(self.grades[*judgement].unwrap_or(Value::Grade(0)))?
            }
            ExprKind::Not(x) => Value::Bool(!self.eval(x)?.bool()),
            ExprKind::Neg(x) => Value::Number(-self.eval(x)?.number()),
            ExprKind::And(a, b) => Value::Bool(self.eval(a)?.bool() && self.eval(b)?.bool()),
            ExprKind::Or(a, b) => Value::Bool(self.eval(a)?.bool() || self.eval(b)?.bool()),
            ExprKind::Arith(op, a, b) => Value::Number(arithmetic(
                *op,
                self.eval(a)?.number(),
                self.eval(b)?.number(),
                expr.span,
            )?),
            ExprKind::Compare(op, a, b) => {
                Value::Bool(op.holds(ordering(self.eval(a)?, self.eval(b)?)))
            }
            ExprKind::PointValue(x) => Value::Number(self.eval(x)?.number()),
            ExprKind::IntervalEnd { upper, of } => {
                let (low, high) = interval(self.eval(of)?, expr.span)?;
                Value::Number(if *upper { high } else { low })
            }
            ExprKind::Estimate(op, a, b) => Value::Bool(estimate_holds(
                *op,
                interval(self.eval(a)?, a.span)?,
                interval(self.eval(b)?, b.span)?,
            )),
            ExprKind::TextEq {
                field,
                text,
                negate,
            } => {
                self.assessed(self.evidence.value(*field))?;
                Value::Bool((self.evidence.text(*field) == Some(&**text)) != *negate)
            }
            ExprKind::Abs(x) => Value::Number(self.eval(x)?.number().abs()),
            ExprKind::MinMax(f, a, b) => {
                let (a, b) = (self.eval(a)?.number(), self.eval(b)?.number());
                Value::Number(if *f == NumFn::Min { a.min(b) } else { a.max(b) })
            }
            ExprKind::Count(op, grade) => {
                let count = self
                    .member_grades()
                    .filter(|g| op.holds(g.cmp(grade)))
                    .count();
                Value::Number(count.into())
            }
            ExprKind::Helper {
                helper,
                args,
                returns,
            } => self.call_helper(*helper, args, returns, expr.span)?,
            // INVARIANT: aggregates appear only in judgements with members
            // (`insp::judgement::aggregate_without_members`), all graded before
            // this one (else it is `Blocked`), so there is a lowest and a highest.
            ExprKind::Lowest => Value::Grade(self.member_grades().min().unwrap_or(0)),
            ExprKind::Highest => Value::Grade(self.member_grades().max().unwrap_or(0)),
            ExprKind::Points => {
                // INVARIANT: every grade has points, declared or its rank
                // (check/declarations.rs), so the index is in range.
                let points = &self.policy.grades.points;
                let mut total = rust_decimal::Decimal::ZERO;
                for grade in self.member_grades() {
                    total = total.checked_add(points[grade as usize]).ok_or(EvalError {
                        span: expr.span,
                        kind: EvalErrorKind::Overflow,
                    })?;
                }
                Value::Number(total)
            }
            ExprKind::Members => {
                Value::Number(self.policy.judgements[self.judgement].members.len().into())
            }
            ExprKind::Assessed => Value::Number(self.member_grades().count().into()),
        })
    }

    /// Calls a Rhai helper with the arguments' values and converts its result
    /// to what the call site expects.
    fn call_helper(
        &self,
        helper: usize,
        args: &[Expr],
        returns: &crate::value::Type,
        span: Span,
    ) -> Eval {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval(arg)?);
        }
        let fail = |error: ScriptError| {
            let shown = args
                .iter()
                .zip(&values)
                .map(|(arg, value)| {
                    format!(
                        "{} = {}",
                        self.policy.text_of(arg.span),
                        self.show(arg, *value)
                    )
                })
                .collect();
            EvalError {
                span,
                kind: EvalErrorKind::Script(Box::new(HelperFailure {
                    helper,
                    error,
                    args: shown,
                })),
            }
        };
        let Some(scripts) = &self.policy.scripts else {
            return Err(fail(ScriptError {
                message: "the policy has no helper scripts".into(),
                at: None,
                limit: None,
            })
            .into());
        };
        let dynamics = args
            .iter()
            .zip(&values)
            .map(|(arg, value)| to_dynamic(self.policy.scales(), *value, self.text_of(arg)))
            .collect();
        let result = scripts.call(helper, dynamics).map_err(fail)?;
        from_dynamic(self.policy.scales(), &result, returns).map_err(|message| {
            fail(ScriptError {
                message,
                at: None,
                limit: None,
            })
            .into()
        })
    }

    /// The text of a text field passed as an argument.
    fn text_of(&self, arg: &Expr) -> Option<&str> {
        match arg.kind {
            ExprKind::Field(slot) => self.evidence.text(slot),
            // INVARIANT: the checker lets text reach a helper only as a text
            // field itself (check/expr.rs), never as a computed expression.
            _ => None,
        }
    }

    /// A value for people; text fields by their text.
    fn show(&self, arg: &Expr, value: Value) -> String {
        match self.text_of(arg) {
            Some(text) => format!("{text:?}"),
            None => self.policy.show(value),
        }
    }

    /// The grades of the members that were assessed.
    fn member_grades(&self) -> impl Iterator<Item = u8> + '_ {
        self.policy.judgements[self.judgement]
            .members
            .iter()
            .filter_map(|member| match self.member_grade(*member) {
                Value::Grade(grade) => Some(grade),
                _ => None,
            })
    }

    fn member_grade(&self, member: Member) -> Value {
        match member {
            // INVARIANT: members are graded first (else this judgement is `Blocked`).
            Member::Judgement(j) => self.grades[j].unwrap_or(Value::NotAssessed),
            Member::Field(slot) => self.evidence.value(slot),
        }
    }

    /// A value read by an expression, unless it was not assessed.
    fn assessed(&self, value: Value) -> Eval {
        match value {
            Value::NotAssessed => Err(Halt::NotAssessed),
            value => Ok(value),
        }
    }
}

fn arithmetic(
    op: ArithOp,
    a: rust_decimal::Decimal,
    b: rust_decimal::Decimal,
    span: Span,
) -> Result<rust_decimal::Decimal, EvalError> {
    let fail = |kind| EvalError { span, kind };
    match op {
        ArithOp::Add => a.checked_add(b).ok_or(fail(EvalErrorKind::Overflow)),
        ArithOp::Sub => a.checked_sub(b).ok_or(fail(EvalErrorKind::Overflow)),
        ArithOp::Mul => a.checked_mul(b).ok_or(fail(EvalErrorKind::Overflow)),
        ArithOp::Div if b.is_zero() => Err(fail(EvalErrorKind::DivisionByZero)),
        ArithOp::Div => exact::divide(a, b)
            .or_else(|| a.checked_div(b).map(|q| q.round_dp(DIVISION_SCALE)))
            .ok_or(fail(EvalErrorKind::Overflow)),
    }
}

/// Orders two values of the same type (the checker guarantees it).
fn ordering(a: Value, b: Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.cmp(&y),
        (Value::Level { index: x, .. }, Value::Level { index: y, .. }) => x.cmp(&y),
        (Value::Grade(x), Value::Grade(y)) => x.cmp(&y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(&y),
        // INVARIANT: the checker compares only like with like, after turning
        // an estimate met by a number into its point value (`PointValue`);
        // what remains here is a number against an estimate's point.
        (x, y) => x.number().cmp(&y.number()),
    }
}

/// An estimate's interval, value ± margin; a plain number is an interval of
/// width zero. An end beyond the decimal range is an overflow, not a panic.
fn interval(value: Value, span: Span) -> Result<(Decimal, Decimal), EvalError> {
    let (value, margin) = match value {
        Value::Estimate { value, margin } => (value, margin),
        other => (other.number(), Decimal::ZERO),
    };
    let overflow = || EvalError {
        span,
        kind: EvalErrorKind::Overflow,
    };
    Ok((
        value.checked_sub(margin).ok_or_else(overflow)?,
        value.checked_add(margin).ok_or_else(overflow)?,
    ))
}

/// Interval comparisons. Intervals that only touch (one's upper end equals
/// the other's lower end) overlap: they are in line, not significantly apart.
fn estimate_holds(
    op: EstOp,
    (a_low, a_high): (Decimal, Decimal),
    (b_low, b_high): (Decimal, Decimal),
) -> bool {
    match op {
        EstOp::SignificantlyAbove => a_low > b_high,
        EstOp::SignificantlyBelow => a_high < b_low,
        EstOp::InLineWith => a_low <= b_high && b_low <= a_high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        pub fn dec(s: &str) -> rust_decimal::Decimal {
            s.parse().unwrap()
        }
    }

    #[test]
    fn decimal_arithmetic_is_exact_where_binary_floats_are_not() {
        // In f64, 20.84 >= 0.8 * 26.05 is false.
        let product = arithmetic(ArithOp::Mul, dec("0.8"), dec("26.05"), Span::default()).unwrap();
        assert_eq!(
            ordering(Value::Number(dec("20.84")), Value::Number(product)),
            Ordering::Equal
        );
        // The float baseline this guards against.
        let (a, b, c) = std::hint::black_box((20.84_f64, 0.8_f64, 26.05_f64));
        assert!(a < b * c);
    }

    #[test]
    fn division_by_zero_is_an_error_not_a_panic() {
        let error = arithmetic(ArithOp::Div, dec("1"), dec("0"), Span::new(3, 8)).unwrap_err();
        assert_eq!(error.kind, EvalErrorKind::DivisionByZero);
        let overflow = arithmetic(
            ArithOp::Mul,
            rust_decimal::Decimal::MAX,
            dec("2"),
            Span::default(),
        )
        .unwrap_err();
        assert_eq!(overflow.kind, EvalErrorKind::Overflow);
    }

    /// `estimate_holds` on two values, through their intervals.
    fn compares(op: EstOp, a: Value, b: Value) -> bool {
        let interval = |v| interval(v, Span::default()).unwrap();
        estimate_holds(op, interval(a), interval(b))
    }

    fn estimate(value: &str, margin: &str) -> Value {
        Value::Estimate {
            value: dec(value),
            margin: dec(margin),
        }
    }

    #[test]
    fn estimates_compare_by_their_intervals() {
        let norfolk = estimate("87.9", "1.4");
        let national = estimate("85.0", "0.2");
        let last_year = estimate("89.2", "1.3");
        assert!(compares(EstOp::SignificantlyAbove, norfolk, national));
        assert!(!compares(EstOp::SignificantlyBelow, norfolk, national));
        assert!(compares(EstOp::InLineWith, norfolk, last_year));
        assert!(!compares(EstOp::SignificantlyAbove, norfolk, last_year));
    }

    #[test]
    fn intervals_that_only_touch_are_in_line_not_significantly_apart() {
        // 86.5 + 1.4 = 87.9, the lower end of 89.3 ± 1.4.
        let (low, high) = (estimate("86.5", "1.4"), estimate("89.3", "1.4"));
        assert!(compares(EstOp::InLineWith, low, high));
        assert!(!compares(EstOp::SignificantlyBelow, low, high));
        assert!(!compares(EstOp::SignificantlyAbove, high, low));
        // A number at the interval's end touches it too.
        assert!(!compares(
            EstOp::SignificantlyBelow,
            low,
            Value::Number(dec("87.9"))
        ));
        assert!(compares(
            EstOp::SignificantlyBelow,
            low,
            Value::Number(dec("87.91"))
        ));
    }

    #[test]
    fn an_interval_beyond_the_decimal_range_is_an_overflow_not_a_panic() {
        let huge = Value::Estimate {
            value: rust_decimal::Decimal::MAX,
            margin: dec("1"),
        };
        let error = interval(huge, Span::default()).unwrap_err();
        assert_eq!(error.kind, EvalErrorKind::Overflow);
    }
}
