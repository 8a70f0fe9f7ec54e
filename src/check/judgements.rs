//! Judgements: their rules, what they aggregate, the order they are graded
//! in, and lints over the whole policy.

use super::expr::Scope;
use super::{Binding, Checker};
use crate::diagnostics::Code;
use crate::policy::{
    Expr, ExprKind, Follows, Judgement, Member, Otherwise, Rule, collect_reads, visit,
};
use crate::syntax::ast::Ident;
use crate::syntax::ast::{JudgementDecl, JudgementKind, PolicyAst, RuleDecl, RuleKind};
use crate::value::Type;
use crate::value::Value;

impl Checker {
    pub(super) fn check_judgements(&mut self, ast: &PolicyAst) -> Vec<Judgement> {
        let overalls: Vec<_> = ast
            .judgements
            .iter()
            .filter(|j| j.kind == JudgementKind::Overall)
            .collect();
        for extra in overalls.iter().skip(1) {
            let diagnostic = self
                .error(Code::Duplicate, "the policy has two overall judgements")
                .primary(extra.id.span, "a second `overall`")
                .label(overalls[0].id.span, "the first")
                .help("a policy has at most one `overall`; use `judgement id \"title\" of ...` for other aggregates");
            self.report(diagnostic);
        }
        ast.judgements
            .iter()
            .enumerate()
            .map(|(index, decl)| self.judgement(index, decl, ast))
            .collect()
    }

    fn judgement(&mut self, index: usize, decl: &JudgementDecl, ast: &PolicyAst) -> Judgement {
        let members = self.members(index, decl, ast);
        let scope = Scope {
            judgement: Some(index),
            aggregates: decl.members.is_some() || decl.kind == JudgementKind::Overall,
        };
        let mut judgement = Judgement {
            id: decl.id.name.clone(),
            title: decl.title.clone(),
            kind: decl.kind,
            members,
            strategy: decl.strategy.map(|(s, _)| s).unwrap_or_default(),
            rules: Vec::new(),
            otherwise: None,
            caps: Vec::new(),
            floors: Vec::new(),
            depends_on: Vec::new(),
            span: decl.id.span,
        };
        for rule in &decl.rules {
            self.rule(rule, &scope, &mut judgement);
        }
        judgement.depends_on = dependencies(&judgement);
        if judgement.rules.is_empty() && judgement.otherwise.is_none() && !decl.rules.is_empty() {
            // Every rule had an error, already reported.
        } else if decl
            .rules
            .iter()
            .all(|r| matches!(r.kind, RuleKind::Cap | RuleKind::Floor))
        {
            let diagnostic = self
                .error(Code::Otherwise, format!("`{}` has no grade rules", decl.id.name))
                .primary(decl.id.span, "no rule gives it a grade")
                .help("add rules such as `good when ...` and, if every case must be graded, `otherwise GRADE`");
            self.report(diagnostic);
        }
        judgement
    }

    /// The judgements aggregated: `of a, b`, or every question for `overall`.
    fn members(&mut self, index: usize, decl: &JudgementDecl, ast: &PolicyAst) -> Vec<Member> {
        let Some(names) = &decl.members else {
            if decl.kind == JudgementKind::Overall {
                return (0..ast.judgements.len())
                    .filter(|&j| ast.judgements[j].kind == JudgementKind::Question)
                    .map(Member::Judgement)
                    .collect();
            }
            return Vec::new();
        };
        let mut members = Vec::new();
        for name in names {
            match self.names.get(&name.name).copied() {
                Some(Binding::Judgement(j)) if j != index => members.push(Member::Judgement(j)),
                Some(Binding::Field(slot)) if self.fields[slot].ty == Type::Grade => {
                    members.push(Member::Field(slot));
                }
                Some(Binding::Judgement(_)) => {
                    let diagnostic = self
                        .error(
                            Code::Cycle,
                            format!("`{}` cannot aggregate itself", name.name),
                        )
                        .primary(name.span, "itself")
                        .help("list the questions or judgements it combines");
                    self.report(diagnostic);
                }
                _ => {
                    let ids: Vec<String> = self
                        .judgement_ids
                        .iter()
                        .map(|(id, _)| id.clone())
                        .collect();
                    let guess = crate::diagnostics::did_you_mean(
                        &name.name,
                        ids.iter().map(String::as_str),
                    );
                    let diagnostic = self
                        .error(
                            Code::UnknownName,
                            format!(
                                "`{}` is not a question, a judgement or grade evidence",
                                name.name
                            ),
                        )
                        .primary(name.span, "not something with a grade")
                        .help(match guess {
                            Some(g) => format!("did you mean `{g}`?"),
                            None => format!("the judgements are: {}", ids.join(", ")),
                        });
                    self.report(diagnostic);
                }
            }
        }
        members
    }

    fn rule(&mut self, decl: &RuleDecl, scope: &Scope, judgement: &mut Judgement) {
        let is_limit = matches!(decl.kind, RuleKind::Cap | RuleKind::Floor);
        let (grade, follows) = if is_limit {
            match self.limit_target(&decl.grade) {
                Some(LimitTarget::Grade(grade)) => (Some(grade), None),
                Some(LimitTarget::Follows(follows)) => (Some(0), Some(follows)),
                None => (None, None),
            }
        } else {
            (self.grade(&decl.grade.name, decl.grade.span), None)
        };
        if decl.kind == RuleKind::Otherwise {
            if let Some(earlier) = &judgement.otherwise {
                let diagnostic = self
                    .error(
                        Code::Otherwise,
                        format!("`{}` has two `otherwise` rules", judgement.id),
                    )
                    .primary(decl.span, "a second `otherwise`")
                    .label(earlier.span, "the first")
                    .help("keep one `otherwise`: it gives the grade when no other rule holds");
                self.report(diagnostic);
                return;
            }
            if let Some(grade) = grade {
                judgement.otherwise = Some(Otherwise {
                    grade,
                    because: decl.because.clone(),
                    span: decl.span,
                });
            }
            return;
        }
        let condition = match &decl.condition {
            Some(condition) => self.condition(condition, scope),
            // A limit without `when` always applies.
            None => Some(Expr {
                kind: ExprKind::Const(Value::Bool(true)),
                span: decl.span,
            }),
        };
        let (Some(grade), Some(condition)) = (grade, condition) else {
            return;
        };
        self.bounded_depth(&condition, "this condition");
        let mut reads = Vec::new();
        collect_reads(&condition, &self.lets, &mut reads);
        let rule = Rule {
            grade,
            normally: decl.normally,
            follows,
            condition,
            because: decl.because.clone(),
            span: decl.span,
            reads,
        };
        match decl.kind {
            RuleKind::Cap => judgement.caps.push(rule),
            RuleKind::Floor => judgement.floors.push(rule),
            _ => judgement.rules.push(rule),
        }
    }

    /// What `at most X` / `at least X` names: a grade, or a judgement or grade
    /// evidence whose grade the limit follows.
    fn limit_target(&mut self, name: &Ident) -> Option<LimitTarget> {
        if let Some(rank) = self.grades.rank(&name.name) {
            return Some(LimitTarget::Grade(rank));
        }
        let grade = match self.names.get(&name.name).copied() {
            Some(Binding::Judgement(j)) => ExprKind::Grade(j),
            Some(Binding::Field(slot)) if self.fields[slot].ty == Type::Grade => {
                ExprKind::Field(slot)
            }
            _ => {
                let diagnostic = self
                    .error(
                        Code::UnknownGrade,
                        format!("`{}` is not a grade, a judgement or grade evidence", name.name),
                    )
                    .primary(name.span, "a limit names a grade, or what it follows")
                    .help("write `at most good when ...`, or `at most leadership` to hold this judgement to another's grade");
                self.report(diagnostic);
                return None;
            }
        };
        Some(LimitTarget::Follows(Follows {
            name: name.name.clone(),
            grade: Expr {
                kind: grade,
                span: name.span,
            },
        }))
    }

    /// Judgement indices ordered so that each comes after those it reads;
    /// a cycle is reported with its path.
    pub(super) fn dependency_order(&mut self, judgements: &[Judgement]) -> Vec<usize> {
        let deps: Vec<Vec<usize>> = judgements.iter().map(|j| j.depends_on.clone()).collect();
        let mut state = vec![Mark::New; judgements.len()];
        let mut order = Vec::with_capacity(judgements.len());
        let mut path = Vec::new();
        for start in 0..judgements.len() {
            if let Err(cycle) = topo_visit(start, &deps, &mut state, &mut order, &mut path) {
                let names: Vec<&str> = cycle.iter().map(|&j| judgements[j].id.as_str()).collect();
                let first = cycle[0];
                let diagnostic = self
                    .error(Code::Cycle, format!("judgements depend on each other in a cycle: {}", names.join(" → ")))
                    .primary(judgements[first].span, "this judgement is part of the cycle")
                    .help("a judgement can read the grades of others only if they do not, in turn, read its own");
                self.report(diagnostic);
                return Vec::new();
            }
        }
        order
    }

    pub(super) fn lint_unused(&mut self, judgements: &[Judgement]) {
        let mut used_fields = vec![false; self.fields.len()];
        let mut used_lets = vec![false; self.lets.len()];
        let conditions = judgements
            .iter()
            .flat_map(|j| j.rules.iter().chain(&j.caps).chain(&j.floors))
            .flat_map(|r| std::iter::once(&r.condition).chain(r.follows.as_ref().map(|f| &f.grade)))
            .chain(self.lets.iter().map(|l| &l.expr));
        for condition in conditions {
            visit(condition, &mut |node| match &node.kind {
                ExprKind::Field(slot) | ExprKind::TextEq { field: slot, .. } => {
                    used_fields[*slot] = true
                }
                ExprKind::Let(index) => used_lets[*index] = true,
                _ => {}
            });
        }
        for member in judgements.iter().flat_map(|j| &j.members) {
            if let Member::Field(slot) = member {
                used_fields[*slot] = true;
            }
        }
        // The first text field names the organisation inspected: it is used by reports.
        if let Some(subject) = self
            .fields
            .iter()
            .position(|f| f.ty == crate::value::Type::Text)
        {
            used_fields[subject] = true;
        }
        let fields = self
            .fields
            .iter()
            .map(|f| (f.path.clone(), f.span, "evidence field"));
        let lets = self.lets.iter().map(|l| (l.name.clone(), l.span, "let"));
        let used = used_fields.into_iter().chain(used_lets);
        let unused: Vec<_> = fields
            .chain(lets)
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(item, _)| item)
            .collect();
        for (name, span, what) in unused {
            let diagnostic = self
                .warning(Code::Unused, format!("{what} `{name}` is never used"))
                .primary(span, "declared here")
                .help("use it in a rule, or remove it so that evidence files need not supply it");
            self.report(diagnostic);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    New,
    Visiting,
    Done,
}

fn dependencies(judgement: &Judgement) -> Vec<usize> {
    let mut deps: Vec<usize> = judgement
        .members
        .iter()
        .filter_map(|m| match m {
            Member::Judgement(j) => Some(*j),
            Member::Field(_) => None,
        })
        .collect();
    for rule in judgement
        .rules
        .iter()
        .chain(&judgement.caps)
        .chain(&judgement.floors)
    {
        let follows = rule.follows.as_ref().map(|f| &f.grade);
        for expr in std::iter::once(&rule.condition).chain(follows) {
            visit(expr, &mut |node| {
                if let ExprKind::Grade(j) = node.kind {
                    deps.push(j);
                }
            });
        }
    }
    deps.sort_unstable();
    deps.dedup();
    deps
}

/// Depth-first topological sort; `Err` carries the cycle, closed (a → b → a).
fn topo_visit(
    node: usize,
    deps: &[Vec<usize>],
    state: &mut [Mark],
    order: &mut Vec<usize>,
    path: &mut Vec<usize>,
) -> Result<(), Vec<usize>> {
    match state[node] {
        Mark::Done => return Ok(()),
        Mark::Visiting => {
            let start = path.iter().position(|&n| n == node).unwrap_or(0);
            let mut cycle = path[start..].to_vec();
            cycle.push(node);
            return Err(cycle);
        }
        Mark::New => {}
    }
    state[node] = Mark::Visiting;
    path.push(node);
    for &dep in &deps[node] {
        topo_visit(dep, deps, state, order, path)?;
    }
    path.pop();
    state[node] = Mark::Done;
    order.push(node);
    Ok(())
}

/// What a cap or floor limits to.
enum LimitTarget {
    Grade(u8),
    Follows(Follows),
}
