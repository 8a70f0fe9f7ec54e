//! The explanation path: every rule of every judgement with the evidence
//! values substituted and whether each part held. Slower than `evaluate`, and
//! kept apart from it so that plain grading stays fast.

use super::{Context, Grading, Halt, Outcome};
use crate::evidence::Evidence;
use crate::policy::{Expr, ExprKind, Policy, Rule, Value};
use crate::source::Span;

/// How one judgement was decided, rule by rule.
#[derive(Debug, Clone)]
pub struct JudgementTrace {
    /// The judgement (by index).
    pub judgement: usize,
    /// Grade rules, then caps, then floors, in written order.
    pub rules: Vec<RuleTrace>,
}

/// What a rule does in its judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleRole {
    /// It gives a grade when it holds.
    Grade,
    /// It caps the grade (`at most`).
    Cap,
    /// It raises the grade (`at least`).
    Floor,
}

/// One rule's evaluation.
#[derive(Debug, Clone)]
pub struct RuleTrace {
    /// Whether it grades, caps or raises.
    pub role: RuleRole,
    /// The rule's index within its role's list.
    pub index: usize,
    /// The grade it gives or limits to (by rank).
    pub grade: u8,
    /// The grade it gives or limits to, or what a limit follows and its grade.
    pub target: String,
    /// A limit without `when`: it always applies.
    pub always: bool,
    /// Where it is written in the policy.
    pub span: Span,
    /// `Some(held)`, or `None` when evaluating it failed.
    pub held: Option<bool>,
    /// It does not hold because it reads evidence that was not assessed.
    pub not_assessed: bool,
    /// Its comparisons, with the values read, and whether each held.
    pub checks: Vec<Check>,
    /// The rule's reason (`because`).
    pub because: Option<String>,
}

/// One line of a rule's condition: a comparison (or an `any of` / `all of`
/// heading) with the values it read.
#[derive(Debug, Clone)]
pub struct Check {
    /// Nesting depth within the rule's condition (for indentation).
    pub depth: usize,
    /// The condition's source text, on one line.
    pub text: String,
    /// Whether it held; `None` when it was not evaluated.
    pub held: Option<bool>,
    /// `(operand as written, its value)` for each operand that is not a literal.
    pub values: Vec<(String, String)>,
}

/// Traces every judgement that was graded or failed (not those blocked).
pub fn explain(policy: &Policy, evidence: &Evidence, grading: &Grading) -> Vec<JudgementTrace> {
    let mut lets = Vec::new();
    policy.evaluate_lets(evidence, &mut lets);
    let grades: Vec<Option<Value>> = grading
        .outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Graded(graded) => Some(Value::Grade(graded.grade)),
            Outcome::NotAssessed => Some(Value::NotAssessed),
            Outcome::Failed(_) | Outcome::Blocked { .. } => None,
        })
        .collect();
    policy
        .judgements
        .iter()
        .enumerate()
        .filter(|(index, _)| !matches!(grading.outcomes[*index], Outcome::Blocked { .. }))
        .map(|(index, judgement)| {
            let tracer = Tracer {
                context: Context {
                    policy,
                    evidence,
                    lets: &lets,
                    grades: &grades,
                    judgement: index,
                },
            };
            let roles = [
                (RuleRole::Grade, &judgement.rules),
                (RuleRole::Cap, &judgement.caps),
                (RuleRole::Floor, &judgement.floors),
            ];
            let rules = roles
                .into_iter()
                .flat_map(|(role, rules)| {
                    rules
                        .iter()
                        .enumerate()
                        .map(move |(i, rule)| (role, i, rule))
                })
                .map(|(role, i, rule)| tracer.rule(role, i, rule))
                .collect();
            JudgementTrace {
                judgement: index,
                rules,
            }
        })
        .collect()
}

struct Tracer<'a> {
    context: Context<'a>,
}

impl Tracer<'_> {
    fn rule(&self, role: RuleRole, index: usize, rule: &Rule) -> RuleTrace {
        let outcome = self.context.eval(&rule.condition);
        let not_assessed = outcome == Err(Halt::NotAssessed);
        let held = held(outcome);
        let mut checks = Vec::new();
        let always = matches!(rule.condition.kind, ExprKind::Const(Value::Bool(true)));
        match &rule.condition.kind {
            _ if always => {}
            ExprKind::And(..) => {
                for conjunct in chain(&rule.condition, is_and) {
                    self.item(conjunct, 0, &mut checks);
                }
            }
            _ => self.item(&rule.condition, 0, &mut checks),
        }
        RuleTrace {
            role,
            index,
            grade: rule.grade,
            target: self.target(rule),
            always,
            span: rule.span,
            held,
            not_assessed,
            checks,
            because: rule.because.clone(),
        }
    }

    /// What the rule gives or limits to; a limit that follows another grade
    /// shows that grade: `quality (good)`.
    fn target(&self, rule: &Rule) -> String {
        let policy = self.context.policy;
        let target = rule.target(&policy.grades);
        match &rule.follows {
            Some(follows) => match self.context.eval(&follows.grade) {
                Ok(value) => format!("{target} ({})", policy.show(value)),
                Err(Halt::NotAssessed) => format!("{target} (not assessed)"),
                Err(Halt::Failed(_)) => format!("{target} (not graded)"),
            },
            None => target,
        }
    }

    /// Whether it held; reading evidence not assessed, it does not.
    fn held(&self, expr: &Expr) -> Option<bool> {
        held(self.context.eval(expr))
    }

    fn item(&self, expr: &Expr, depth: usize, out: &mut Vec<Check>) {
        let (heading, is_group): (&str, fn(&ExprKind) -> bool) = match expr.kind {
            ExprKind::Or(..) => ("any of:", is_or),
            ExprKind::And(..) => ("all of:", is_and),
            _ => {
                out.push(self.leaf(expr, depth));
                return;
            }
        };
        out.push(Check {
            depth,
            text: heading.to_string(),
            held: self.held(expr),
            values: Vec::new(),
        });
        for part in chain(expr, is_group) {
            self.item(part, depth + 1, out);
        }
    }

    fn leaf(&self, expr: &Expr, depth: usize) -> Check {
        let mut operands = Vec::new();
        collect_operands(self.context.policy, expr, &mut operands);
        let mut seen = std::collections::HashSet::new();
        operands.retain(|operand| seen.insert(self.context.policy.text_of(operand.span)));
        let values = operands
            .into_iter()
            .map(|operand| {
                let shown = match self.context.eval(operand) {
                    Ok(value) => self.show(operand, value),
                    Err(Halt::NotAssessed) => "not assessed".to_string(),
                    Err(Halt::Failed(error)) => format!(
                        "error: {}",
                        super::failure::error_words(self.context.policy, &error.kind)
                    ),
                };
                (self.context.policy.text_of(operand.span), shown)
            })
            .collect();
        Check {
            depth,
            text: self.context.policy.text_of(expr.span),
            held: self.held(expr),
            values,
        }
    }

    fn show(&self, operand: &Expr, value: Value) -> String {
        let shown = self.context.policy.show(value);
        match operand.kind {
            ExprKind::Field(slot) | ExprKind::TextEq { field: slot, .. }
                if self.context.evidence.span(slot).is_none() =>
            {
                format!("{shown} (default)")
            }
            _ => shown,
        }
    }
}

fn is_and(kind: &ExprKind) -> bool {
    matches!(kind, ExprKind::And(..))
}

fn is_or(kind: &ExprKind) -> bool {
    matches!(kind, ExprKind::Or(..))
}

/// Whether an evaluated condition held; reading evidence not assessed, it
/// did not; `None` when its evaluation failed.
fn held(outcome: Result<Value, Halt>) -> Option<bool> {
    match outcome {
        Ok(value) => Some(value.bool()),
        Err(Halt::NotAssessed) => Some(false),
        Err(Halt::Failed(_)) => None,
    }
}

/// The operands of a chain of the same operator: `a and b and c` → [a, b, c].
fn chain(expr: &Expr, same: fn(&ExprKind) -> bool) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::And(a, b) | ExprKind::Or(a, b) if same(&expr.kind) => {
            let mut parts = chain(a, same);
            parts.extend(chain(b, same));
            parts
        }
        _ => vec![expr],
    }
}

/// The operands worth showing a value for: everything but literals, and
/// each helper call within (also through lets) with its arguments.
fn collect_operands<'a>(policy: &'a Policy, expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match &expr.kind {
        ExprKind::Compare(_, a, b) | ExprKind::Estimate(_, a, b) => {
            collect_operands(policy, a, out);
            collect_operands(policy, b, out);
        }
        ExprKind::Not(x) | ExprKind::PointValue(x) => collect_operands(policy, x, out),
        _ if is_constant(expr) => {}
        _ => {
            out.push(expr);
            collect_helper_calls(policy, expr, out);
        }
    }
}

/// Helper calls within an expression and the lets it reads; each let is
/// visited once, so lets built on lets cost no more than their number.
fn collect_helper_calls<'a>(policy: &'a Policy, expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    let mut lets_seen = std::collections::HashSet::new();
    let mut pending = vec![expr];
    while let Some(expr) = pending.pop() {
        crate::policy::visit(expr, &mut |node| match &node.kind {
            ExprKind::Helper { args, .. } => {
                out.push(node);
                out.extend(args.iter().filter(|arg| !is_constant(arg)));
            }
            ExprKind::Let(index) if lets_seen.insert(*index) => {
                pending.push(&policy.lets[*index].expr)
            }
            _ => {}
        });
    }
}

/// Whether an expression reads nothing: a literal, or arithmetic on literals.
fn is_constant(expr: &Expr) -> bool {
    let mut constant = true;
    crate::policy::visit(expr, &mut |node| {
        constant &= matches!(
            node.kind,
            ExprKind::Const(_)
                | ExprKind::Neg(_)
                | ExprKind::Arith(..)
                | ExprKind::Abs(_)
                | ExprKind::MinMax(..)
        );
    });
    constant
}
