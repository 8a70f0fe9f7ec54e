//! The explanation path: every rule of every judgement with the evidence
//! values substituted and whether each part held. Slower than `evaluate`, and
//! kept apart from it so that plain grading stays fast.

use super::{Context, Grading, Outcome};
use crate::check::{CExpr, CKind, Policy, Rule};
use crate::evidence::Evidence;
use crate::source::Span;
use crate::value::{Value, format_decimal};

#[derive(Debug, Clone)]
pub struct JudgementTrace {
    pub judgement: usize,
    /// Grade rules, then caps, then floors, in written order.
    pub rules: Vec<RuleTrace>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleRole {
    Grade,
    Cap,
    Floor,
}

#[derive(Debug, Clone)]
pub struct RuleTrace {
    pub role: RuleRole,
    /// The rule's index within its role's list.
    pub index: usize,
    pub grade: u8,
    pub span: Span,
    /// `Some(held)`, or `None` when evaluating it failed.
    pub held: Option<bool>,
    pub checks: Vec<Check>,
    pub because: Option<String>,
}

/// One line of a rule's condition: a comparison (or an `any of` / `all of`
/// heading) with the values it read.
#[derive(Debug, Clone)]
pub struct Check {
    pub depth: usize,
    pub text: String,
    pub held: Option<bool>,
    /// `(operand as written, its value)` for each operand that is not a literal.
    pub values: Vec<(String, String)>,
}

/// Traces every judgement that was graded or failed (not those blocked).
pub fn explain(policy: &Policy, evidence: &Evidence, grading: &Grading) -> Vec<JudgementTrace> {
    let mut lets = Vec::new();
    policy.evaluate_lets(evidence, &mut lets);
    let grades: Vec<Option<u8>> = (0..policy.judgements.len())
        .map(|j| grading.grade(j))
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
        let mut checks = Vec::new();
        match &rule.condition.kind {
            CKind::And(..) => {
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
            span: rule.span,
            held: self.held(&rule.condition),
            checks,
            because: rule.because.clone(),
        }
    }

    fn held(&self, expr: &CExpr) -> Option<bool> {
        self.context.eval(expr).ok().map(Value::bool)
    }

    fn item(&self, expr: &CExpr, depth: usize, out: &mut Vec<Check>) {
        let (heading, is_group): (&str, fn(&CKind) -> bool) = match expr.kind {
            CKind::Or(..) => ("any of:", is_or),
            CKind::And(..) => ("all of:", is_and),
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

    fn leaf(&self, expr: &CExpr, depth: usize) -> Check {
        let mut operands = Vec::new();
        collect_operands(self.context.policy, expr, &mut operands);
        let source = &self.context.policy.source;
        let mut seen = std::collections::HashSet::new();
        operands.retain(|operand| seen.insert(squash(source.slice(operand.span))));
        let values = operands
            .into_iter()
            .map(|operand| {
                let shown = match self.context.eval(operand) {
                    Ok(value) => self.show(operand, value),
                    Err(error) => format!(
                        "error: {}",
                        super::failure::error_words(self.context.policy, &error.kind)
                    ),
                };
                (squash(source.slice(operand.span)), shown)
            })
            .collect();
        Check {
            depth,
            text: squash(source.slice(expr.span)),
            held: self.held(expr),
            values,
        }
    }

    fn show(&self, operand: &CExpr, value: Value) -> String {
        let shown = show_value(self.context.policy, value);
        match operand.kind {
            CKind::Field(slot) | CKind::TextEq { field: slot, .. }
                if self.context.evidence.span(slot).is_none() =>
            {
                format!("{shown} (default)")
            }
            _ => shown,
        }
    }
}

fn is_and(kind: &CKind) -> bool {
    matches!(kind, CKind::And(..))
}

fn is_or(kind: &CKind) -> bool {
    matches!(kind, CKind::Or(..))
}

/// The operands of a chain of the same operator: `a and b and c` → [a, b, c].
fn chain(expr: &CExpr, same: fn(&CKind) -> bool) -> Vec<&CExpr> {
    match &expr.kind {
        CKind::And(a, b) | CKind::Or(a, b) if same(&expr.kind) => {
            let mut parts = chain(a, same);
            parts.extend(chain(b, same));
            parts
        }
        _ => vec![expr],
    }
}

/// The operands worth showing a value for: everything but literals, and
/// each helper call within (also through lets) with its arguments.
fn collect_operands<'a>(policy: &'a Policy, expr: &'a CExpr, out: &mut Vec<&'a CExpr>) {
    match &expr.kind {
        CKind::Compare(_, a, b) | CKind::Estimate(_, a, b) => {
            collect_operands(policy, a, out);
            collect_operands(policy, b, out);
        }
        CKind::Not(x) | CKind::PointValue(x) => collect_operands(policy, x, out),
        _ if is_constant(expr) => {}
        _ => {
            out.push(expr);
            collect_helper_calls(policy, expr, out);
        }
    }
}

/// Helper calls within an expression and the lets it reads; each let is
/// visited once, so lets built on lets cost no more than their number.
fn collect_helper_calls<'a>(policy: &'a Policy, expr: &'a CExpr, out: &mut Vec<&'a CExpr>) {
    let mut lets_seen = std::collections::HashSet::new();
    let mut pending = vec![expr];
    while let Some(expr) = pending.pop() {
        crate::check::visit(expr, &mut |node| match &node.kind {
            CKind::Helper { args, .. } => {
                out.push(node);
                out.extend(args.iter().filter(|arg| !is_constant(arg)));
            }
            CKind::Let(index) if lets_seen.insert(*index) => {
                pending.push(&policy.lets[*index].expr)
            }
            _ => {}
        });
    }
}

/// Whether an expression reads nothing: a literal, or arithmetic on literals.
fn is_constant(expr: &CExpr) -> bool {
    let mut constant = true;
    crate::check::visit(expr, &mut |node| {
        constant &= matches!(
            node.kind,
            CKind::Const(_) | CKind::Neg(_) | CKind::Arith(..) | CKind::Abs(_) | CKind::MinMax(..)
        );
    });
    constant
}

/// A value as people read it.
pub fn show_value(policy: &Policy, value: Value) -> String {
    match value {
        Value::Number(n) => format_decimal(n),
        Value::Bool(b) => b.to_string(),
        Value::Level { scale, index } => {
            policy.scales[scale as usize].levels[index as usize].clone()
        }
        Value::Estimate { value, margin } => {
            format!("{} ± {}", format_decimal(value), format_decimal(margin))
        }
        Value::Grade(rank) => policy.grades.name(rank).to_string(),
        Value::Text => "(text)".to_string(),
    }
}

/// Source text on one line.
pub(crate) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
