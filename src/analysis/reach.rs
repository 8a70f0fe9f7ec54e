//! What evidence gives a judgement each grade, so that a condition reading
//! another judgement's grade (`investigating >= good`, or the members of an
//! aggregate) is decided over the evidence itself, not over a free grade:
//! a grade no evidence can give is never offered, and a witness fixes the
//! evidence that gives the grades it needs.

use super::formula::{FinVar, Formula, Translator};
use crate::policy::{ExprKind, Judgement, Rule, Strategy, visit};
use std::collections::BTreeSet;
use std::rc::Rc;

impl Translator<'_> {
    /// Judgement `index`'s grade tied to the evidence: for each grade, "the
    /// grade is G and the evidence gives G". `None` when that cannot be said
    /// exactly (an aggregate's counts, a limit that follows another grade,
    /// a condition the analysis cannot decide): the grade is then left free,
    /// which keeps every proof sound, though a witness may not be writable.
    pub fn link(&self, index: usize) -> Option<Rc<Formula>> {
        if let Some(cached) = self.links.borrow().get(&index) {
            return cached.clone();
        }
        let link = self.build_link(index).map(Rc::new);
        self.links.borrow_mut().insert(index, link.clone());
        link
    }

    /// The evidence under which judgement `index` is not graded (its rules
    /// conflict, none holds, or a floor and a cap clash), when its grade can
    /// be tied to the evidence at all.
    pub fn ungraded(&self, index: usize) -> Option<Formula> {
        self.link(index)?;
        let judgement = &self.policy.judgements[index];
        let grades = self.policy.grades.names.len() as u8;
        let graded = Formula::Or((0..grades).map(|g| self.gives(judgement, g)).collect());
        Some(self.negated(&graded))
    }

    fn build_link(&self, index: usize) -> Option<Formula> {
        let judgement = &self.policy.judgements[index];
        if reads_aggregates(judgement) || limits(judgement).any(|l| l.follows.is_some()) {
            return None;
        }
        let grades = self.policy.grades.names.len() as u8;
        let options: Vec<Formula> = (0..grades)
            .map(|grade| {
                Formula::And(vec![
                    Formula::Finite(FinVar::Grade(index), BTreeSet::from([u32::from(grade)])),
                    self.gives(judgement, grade),
                ])
            })
            .collect();
        let link = Formula::Or(options);
        (!link.is_opaque()).then_some(link)
    }

    /// The evidence under which the judgement is graded `grade`: its rules
    /// resolve to some grade, and its caps and floors (without clashing)
    /// bring that to `grade`. Evidence is taken as assessed and no departure
    /// as recorded, as in every witness.
    fn gives(&self, judgement: &Judgement, grade: u8) -> Formula {
        self.gives_by(judgement, grade, &|rule, negated| {
            self.formula(&rule.condition, negated)
        })
    }

    /// `gives`, with each condition (a rule's, cap's or floor's, and
    /// whether negated) put as `condition` says: its formula over the
    /// evidence, or a truth value assumed for it.
    pub(super) fn gives_by(
        &self,
        judgement: &Judgement,
        grade: u8,
        condition: &Condition,
    ) -> Formula {
        let grades = self.policy.grades.names.len() as u8;
        let (caps, floors) = (&judgement.caps, &judgement.floors);
        let mut ways = vec![Formula::And(vec![
            self.resolves_to(judgement, grade, condition),
            none_hold(caps, |g| g < grade, condition),
            none_hold(floors, |g| g > grade, condition),
        ])];
        // Capped down to `grade` from a better resolved grade: the strictest
        // cap holding is `grade`, and no floor above it holds.
        if caps.iter().any(|c| c.grade == grade) {
            let better = (grade + 1..grades).map(|r| self.resolves_to(judgement, r, condition));
            ways.push(Formula::And(vec![
                Formula::Or(better.collect()),
                some_holds(caps, grade, condition),
                none_hold(caps, |g| g < grade, condition),
                none_hold(floors, |g| g > grade, condition),
            ]));
        }
        // Raised to `grade` from a worse one: the strictest floor is `grade`,
        // and no cap below it holds.
        if floors.iter().any(|f| f.grade == grade) {
            let worse = (0..grade).map(|r| self.resolves_to(judgement, r, condition));
            ways.push(Formula::And(vec![
                Formula::Or(worse.collect()),
                some_holds(floors, grade, condition),
                none_hold(floors, |g| g > grade, condition),
                none_hold(caps, |g| g < grade, condition),
            ]));
        }
        Formula::Or(ways)
    }

    /// The evidence under which the rules resolve to `grade`, by the
    /// judgement's strategy (a conflict under `unique` resolves to none).
    fn resolves_to(&self, judgement: &Judgement, grade: u8, condition: &Condition) -> Formula {
        let rules = &judgement.rules;
        let fails = |rule: &Rule| condition(rule, true);
        let mut ways: Vec<Formula> = rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.grade == grade)
            .map(|(index, rule)| {
                let beats = |(other, o): &(usize, &Rule)| match judgement.strategy {
                    Strategy::Unique => o.grade != grade,
                    Strategy::First => *other < index,
                    Strategy::Highest => o.grade > grade,
                    Strategy::Lowest => o.grade < grade,
                };
                let mut parts = vec![condition(rule, false)];
                parts.extend(
                    rules
                        .iter()
                        .enumerate()
                        .filter(beats)
                        .map(|(_, o)| fails(o)),
                );
                Formula::And(parts)
            })
            .collect();
        if judgement
            .otherwise
            .as_ref()
            .is_some_and(|o| o.grade == grade)
        {
            ways.push(Formula::And(rules.iter().map(fails).collect()));
        }
        Formula::Or(ways)
    }
}

/// How a rule's condition (negated or not) becomes part of a formula.
pub(super) type Condition<'c> = dyn Fn(&Rule, bool) -> Formula + 'c;

/// None of the limits whose grade is `beyond` holds.
fn none_hold(limits: &[Rule], beyond: impl Fn(u8) -> bool, condition: &Condition) -> Formula {
    let fails = limits.iter().filter(|l| beyond(l.grade));
    Formula::And(fails.map(|l| condition(l, true)).collect())
}

/// Some limit to `grade` holds.
fn some_holds(limits: &[Rule], grade: u8, condition: &Condition) -> Formula {
    let at = limits.iter().filter(|l| l.grade == grade);
    Formula::Or(at.map(|l| condition(l, false)).collect())
}

fn limits(judgement: &Judgement) -> impl Iterator<Item = &Rule> {
    judgement.caps.iter().chain(&judgement.floors)
}

/// Whether the judgement's conditions read aggregates (`count`, `points`,
/// `lowest`, ...), which depend on how its members split over the grades.
pub(super) fn reads_aggregates(judgement: &Judgement) -> bool {
    let mut found = false;
    for rule in judgement.rules.iter().chain(limits(judgement)) {
        visit(&rule.condition, &mut |node| {
            found |= matches!(
                node.kind,
                ExprKind::Count(..)
                    | ExprKind::Points
                    | ExprKind::Members
                    | ExprKind::Assessed
                    | ExprKind::Lowest
                    | ExprKind::Highest
            );
        });
    }
    found
}
