//! Two versions of a policy compared over all possible evidence: for each
//! judgement both grade, the areas of evidence where they give different
//! grades, each with a witness the evaluator confirms in both versions —
//! or a proof that they agree everywhere.
//!
//! The versions are merged into one policy whose evidence is the union of
//! theirs (a field both declare is one unknown), so that the solver sees
//! both versions' judgements at once: "the old version grades G and the new
//! one H" is two judgement grades tied to the same evidence (`reach.rs`).

use super::area;
use super::formula::{FinVar, Formula, Translator};
use super::solver::{Model, Sat, solve_all};
use super::witness::{Witness, candidate};
use crate::diagnostics::{Code, Diagnostic};
use crate::eval::Outcome;
use crate::policy::{
    Expr, ExprKind, Field, Judgement, Member, Policy, Range, Rule, Type, Value, for_each_child_mut,
};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Areas listed per pair of grades, at most; one witness for each.
const MAX_AREAS: usize = 4;

/// What comparing two versions found.
pub struct Comparison {
    /// Each judgement, in the old version's order, then those only in the new.
    pub judgements: Vec<Compared>,
    /// How the evidence declarations differ, where they can still be compared
    /// (`x` declared `0..100` in one and `0..` in the other: compared where
    /// both accept it).
    pub notes: Vec<String>,
}

impl Comparison {
    /// Whether the versions are proven to grade every evidence alike.
    pub fn agree(&self) -> bool {
        self.judgements
            .iter()
            .all(|j| matches!(j.outcome, Agreement::Agree))
    }
}

/// One judgement compared.
pub struct Compared {
    /// Its id (judgements are matched by id).
    pub id: String,
    /// What the comparison found.
    pub outcome: Agreement,
}

impl Compared {
    /// The areas where the versions were found to differ (none when they
    /// agree, or the judgement is in one version only).
    pub fn regions(&self) -> &[Region] {
        match &self.outcome {
            Agreement::Differ(found) | Agreement::Undecided(_, found) => found,
            _ => &[],
        }
    }
}

/// What the comparison of one judgement found.
pub enum Agreement {
    /// Proven: both versions give the same grade for all evidence.
    Agree,
    /// The areas where they differ.
    Differ(Vec<Region>),
    /// Not proven either way, and why (a helper, an aggregate, the budget);
    /// any differences found before are listed.
    Undecided(String, Vec<Region>),
    /// The judgement is in one version only (`true`: only in the new).
    OnlyIn(bool),
}

/// Evidence where the old version gives one grade and the new another.
pub struct Region {
    /// The old version's grade (index, worst first); `None`: not graded
    /// (its rules conflict, none holds, or a floor and a cap clash).
    pub old: Option<u8>,
    /// The new version's grade, likewise.
    pub new: Option<u8>,
    /// Where, in words: the changed conditions that hold in one version
    /// only (`the outstanding rule holds in the new version only:
    /// crime_ratio <= 0.9 (old: crime_ratio <= 0.85)`), or the area the
    /// search found, when it can be said.
    pub area: Option<String>,
    /// The witness's values in words: `crime.rate = 43, crime.national_rate = 50`.
    pub example: String,
    /// Evidence in the area, graded `old` by the old version and `new` by the new.
    pub witness: Witness,
}

/// Compares the versions judgement by judgement, each within `budget`.
/// `Err`: their evidence cannot be compared (a field declared with
/// different types, or different grade scales), pointing into both files.
pub fn compare_versions(
    old: &Policy,
    new: &Policy,
    budget: Duration,
) -> Result<Comparison, Diagnostic> {
    let merged = merge(old, new)?;
    let translator = Translator::new(&merged.policy);
    let mut judgements = Vec::new();
    for (index, judgement) in old.judgements.iter().enumerate() {
        let outcome = match new.judgements.iter().position(|j| j.id == judgement.id) {
            None => Agreement::OnlyIn(false),
            Some(in_new) => {
                translator.set_deadline(Instant::now() + budget);
                let pair = Pair {
                    old,
                    new,
                    merged: &merged.policy,
                    translator: &translator,
                    old_index: index,
                    new_index: in_new,
                    merged_new: merged.new_judgements[in_new],
                };
                pair.compare()
            }
        };
        judgements.push(Compared {
            id: judgement.id.clone(),
            outcome,
        });
    }
    let only_new = new
        .judgements
        .iter()
        .filter(|j| !old.judgements.iter().any(|o| o.id == j.id));
    judgements.extend(only_new.map(|j| Compared {
        id: j.id.clone(),
        outcome: Agreement::OnlyIn(true),
    }));
    Ok(Comparison {
        judgements,
        notes: merged.notes,
    })
}

/// One judgement in both versions, within the merged policy.
struct Pair<'a> {
    old: &'a Policy,
    new: &'a Policy,
    merged: &'a Policy,
    translator: &'a Translator<'a>,
    old_index: usize,
    new_index: usize,
    /// The new version's judgement within the merged policy.
    merged_new: usize,
}

impl Pair<'_> {
    fn compare(&self) -> Agreement {
        let same = Sameness {
            policy: self.merged,
        };
        if same.judgements(self.old_index, self.merged_new) {
            return Agreement::Agree;
        }
        let (Some(old_link), Some(new_link)) = (
            self.translator.link(self.old_index),
            self.translator.link(self.merged_new),
        ) else {
            return Agreement::Undecided(self.why_unlinked(), Vec::new());
        };
        let (Some(old_ungraded), Some(new_ungraded)) = (
            self.translator.ungraded(self.old_index),
            self.translator.ungraded(self.merged_new),
        ) else {
            return Agreement::Undecided(self.why_unlinked(), Vec::new());
        };
        if self.same_shape() {
            return self.by_conditions();
        }
        let grades = self.merged.grades.names.len() as u8;
        let outcomes = || (0..grades).map(Some).chain([None]);
        let mut regions = Vec::new();
        for old_grade in outcomes() {
            for new_grade in outcomes().filter(|g| *g != old_grade) {
                let old_is = match old_grade {
                    Some(g) => Formula::And(vec![(*old_link).clone(), grade_is(self.old_index, g)]),
                    None => old_ungraded.clone(),
                };
                let new_is = match new_grade {
                    Some(g) => {
                        Formula::And(vec![(*new_link).clone(), grade_is(self.merged_new, g)])
                    }
                    None => new_ungraded.clone(),
                };
                let parts = [&old_is, &new_is];
                if let Err(why) = self.regions(&parts, (old_grade, new_grade), &mut regions) {
                    return Agreement::Undecided(why, regions);
                }
            }
        }
        match regions.is_empty() {
            true => Agreement::Agree,
            false => Agreement::Differ(regions),
        }
    }

    /// Whether the judgement keeps its shape: the same strategy, rules,
    /// caps and floors to the same grades in the same order, the same
    /// `otherwise`. Its grade is then the same function, in both versions,
    /// of which of its conditions hold.
    fn same_shape(&self) -> bool {
        let shape = |j: &Judgement| {
            let limits = |rules: &[Rule]| -> Vec<(u8, bool, bool)> {
                rules
                    .iter()
                    .map(|r| (r.grade, r.normally, r.follows.is_some()))
                    .collect()
            };
            (
                j.strategy,
                limits(&j.rules),
                limits(&j.caps),
                limits(&j.floors),
                j.otherwise.as_ref().map(|o| o.grade),
            )
        };
        shape(&self.merged.judgements[self.old_index])
            == shape(&self.merged.judgements[self.merged_new])
    }

    /// A judgement of the same shape compared condition by condition: the
    /// grades can differ only where a changed condition holds in one
    /// version and not in the other, so the search assigns the changed
    /// conditions first, each version its own truth, then the unchanged
    /// ones (one truth for both), keeping only assignments some evidence
    /// meets — the conditions' truths decide both grades, which are
    /// compared at each complete assignment. (A search over both versions'
    /// rules at once would branch on every condition twice.)
    fn by_conditions(&self) -> Agreement {
        let conditions = |index: usize| -> Vec<&Rule> {
            let j = &self.merged.judgements[index];
            j.rules.iter().chain(&j.caps).chain(&j.floors).collect()
        };
        let (old, new) = (conditions(self.old_index), conditions(self.merged_new));
        let formula = |rule: &Rule, holds: bool| self.translator.formula(&rule.condition, !holds);
        let changed: Vec<usize> = (0..old.len())
            .filter(|&i| formula(old[i], true) != formula(new[i], true))
            .collect();
        if changed.is_empty() {
            return Agreement::Agree;
        }
        // Each choice: which condition, in which version(s).
        let mut choices: Vec<(usize, Side)> = Vec::new();
        for &i in &changed {
            choices.extend([(i, Side::Old), (i, Side::New)]);
        }
        choices.extend(
            (0..old.len())
                .filter(|i| !changed.contains(i))
                .map(|i| (i, Side::Both)),
        );
        let mut search = Assignments {
            pair: self,
            old: &old,
            new: &new,
            choices: &choices,
            changed: changed.len() * 2,
            literals: Vec::new(),
            truths: (vec![false; old.len()], vec![false; old.len()]),
            regions: Vec::new(),
            undecided: None,
        };
        search.assign(0);
        match (search.undecided, search.regions) {
            (Some(why), regions) => Agreement::Undecided(why, regions),
            (None, regions) if regions.is_empty() => Agreement::Agree,
            (None, regions) => Agreement::Differ(regions),
        }
    }

    /// The grade judgement `index` gives when its conditions (`rules`, in
    /// order: rules, caps, floors) hold as `truths` say; `None`: not graded.
    fn grade_given(&self, index: usize, rules: &[&Rule], truths: &[bool]) -> Option<u8> {
        let judgement = &self.merged.judgements[index];
        let assumed = |rule: &Rule, negated: bool| {
            let at = rules.iter().position(|r| std::ptr::eq(*r, rule));
            Formula::Const(at.is_some_and(|i| truths[i]) != negated)
        };
        let grades = self.merged.grades.names.len() as u8;
        (0..grades).find(|&g| truth(&self.translator.gives_by(judgement, g, &assumed)))
    }

    /// Up to `MAX_AREAS` areas where the grades are `grades`, each excluded
    /// before the next is searched. `Err` when the solver cannot decide or a
    /// witness does not reproduce in the evaluator.
    fn regions(
        &self,
        parts: &[&Formula],
        grades: (Option<u8>, Option<u8>),
        regions: &mut Vec<Region>,
    ) -> Result<(), String> {
        let mut excluded: Vec<Formula> = Vec::new();
        while excluded.len() < MAX_AREAS {
            let mut all = parts.to_vec();
            all.extend(excluded.iter());
            let model = match solve_all(self.translator, &all) {
                Sat::No => return Ok(()),
                Sat::Unknown(reason) => return Err(reason),
                Sat::Yes(model) => model,
            };
            excluded.push(area::exclusion(&model.area, self.translator));
            regions.push(self.confirmed(&model, grades, None)?);
        }
        Ok(())
    }

    /// The model as a region, once both versions grade its evidence as the
    /// solver says they do.
    fn confirmed(
        &self,
        model: &Model,
        (old, new): (Option<u8>, Option<u8>),
        area: Option<String>,
    ) -> Result<Region, String> {
        let evidence = candidate(self.merged, self.translator, model);
        // `Some(None)`: evidence read, the judgement not graded.
        let graded = |policy: &Policy, index: usize| {
            let grading = evidence.grade(policy)?;
            Some(match &grading.outcomes[index] {
                Outcome::Graded(graded) => Some(graded.grade),
                _ => None,
            })
        };
        if graded(self.old, self.old_index) != Some(old)
            || graded(self.new, self.new_index) != Some(new)
        {
            return Err(format!(
                "a witness did not reproduce in the evaluator ({})",
                evidence.values
            ));
        }
        let area = area.or_else(|| {
            let mut shown = model.area.clone();
            shown
                .domains
                .retain(|var, _| !matches!(var, FinVar::Grade(_)));
            area::words(&shown, self.translator)
        });
        let name = format!(
            "{}.{}-to-{}",
            self.old.judgements[self.old_index].id,
            outcome_name(self.old, old),
            outcome_name(self.old, new)
        );
        Ok(Region {
            old,
            new,
            area,
            example: evidence.shown(self.new, self.new_index),
            witness: Witness {
                name,
                document: evidence.document,
            },
        })
    }

    /// Why a version's grade cannot be tied to the evidence exactly.
    fn why_unlinked(&self) -> String {
        let judgement = &self.old.judgements[self.old_index];
        let reads_aggregates = super::reach::reads_aggregates(judgement)
            || super::reach::reads_aggregates(&self.new.judgements[self.new_index]);
        match reads_aggregates {
            true => "it aggregates its members' grades, which the comparison does not model yet"
                .to_string(),
            false => "a condition, or a limit following another grade, cannot be decided exactly (a helper script, a product of two quantities)".to_string(),
        }
    }
}

/// Whether two judgements of the merged policy are the same definition —
/// the same rules, limits and members over the same evidence, through lets
/// and judgements defined alike — and so grade every evidence alike, however
/// they are graded (aggregates, limits that follow a grade). Helper calls
/// are never taken as the same: their scripts are not compared.
struct Sameness<'p> {
    policy: &'p Policy,
}

impl Sameness<'_> {
    fn judgements(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.policy.judgements[a], &self.policy.judgements[b]);
        let rules = |x: &[Rule], y: &[Rule]| {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| self.rules(x, y))
        };
        let members = a.members.len() == b.members.len()
            && a.members.iter().zip(&b.members).all(|pair| match pair {
                (Member::Judgement(x), Member::Judgement(y)) => self.judgements(*x, *y),
                (Member::Field(x), Member::Field(y)) => x == y,
                _ => false,
            });
        a.strategy == b.strategy
            && a.otherwise.as_ref().map(|o| o.grade) == b.otherwise.as_ref().map(|o| o.grade)
            && members
            && rules(&a.rules, &b.rules)
            && rules(&a.caps, &b.caps)
            && rules(&a.floors, &b.floors)
    }

    fn rules(&self, a: &Rule, b: &Rule) -> bool {
        let follows = match (&a.follows, &b.follows) {
            (None, None) => true,
            (Some(x), Some(y)) => self.exprs(&x.grade, &y.grade),
            _ => false,
        };
        a.grade == b.grade
            && a.normally == b.normally
            && follows
            && self.exprs(&a.condition, &b.condition)
    }

    fn exprs(&self, a: &Expr, b: &Expr) -> bool {
        use ExprKind as K;
        let node = match (&a.kind, &b.kind) {
            (K::Let(x), K::Let(y)) => {
                let (x, y) = (&self.policy.lets[*x], &self.policy.lets[*y]);
                return self.exprs(&x.expr, &y.expr);
            }
            (K::Grade(x), K::Grade(y)) => return self.judgements(*x, *y),
            (K::Helper { .. }, _) | (_, K::Helper { .. }) => return false,
            (K::Const(x), K::Const(y)) => x == y,
            (K::Field(x), K::Field(y)) => x == y,
            (K::Arith(x, ..), K::Arith(y, ..)) => x == y,
            (K::Compare(x, ..), K::Compare(y, ..)) => x == y,
            (K::Estimate(x, ..), K::Estimate(y, ..)) => x == y,
            (K::MinMax(x, ..), K::MinMax(y, ..)) => x == y,
            (K::IntervalEnd { upper: x, .. }, K::IntervalEnd { upper: y, .. }) => x == y,
            (K::Count(x, g), K::Count(y, h)) => x == y && g == h,
            (
                K::TextEq {
                    field: f,
                    text: t,
                    negate: n,
                },
                K::TextEq {
                    field: g,
                    text: u,
                    negate: m,
                },
            ) => f == g && t == u && n == m,
            (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y),
        };
        fn children(e: &Expr) -> Vec<&Expr> {
            let mut out = Vec::new();
            crate::policy::for_each_child(e, |child| out.push(child));
            out
        }
        let (x, y) = (children(a), children(b));
        node && x.len() == y.len() && x.iter().zip(&y).all(|(x, y)| self.exprs(x, y))
    }
}

/// Which version's condition a choice assigns.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Old,
    New,
    /// Unchanged: one truth for both.
    Both,
}

/// The depth-first search of `Pair::by_conditions`.
struct Assignments<'s, 'a> {
    pair: &'s Pair<'a>,
    old: &'s [&'a Rule],
    new: &'s [&'a Rule],
    choices: &'s [(usize, Side)],
    /// How many of the first choices assign changed conditions.
    changed: usize,
    /// The conditions assigned so far, as formulas over the evidence.
    literals: Vec<Formula>,
    /// Each condition's truth so far, in the old and the new version.
    truths: (Vec<bool>, Vec<bool>),
    regions: Vec<Region>,
    undecided: Option<String>,
}

impl Assignments<'_, '_> {
    fn assign(&mut self, next: usize) {
        if self.undecided.is_some() {
            return;
        }
        if next == self.changed && self.truths.0 == self.truths.1 {
            return; // every condition holds alike: so do the grades
        }
        let Some(&(index, side)) = self.choices.get(next) else {
            return self.compare_grades();
        };
        for truth in [true, false] {
            let rules: &[&Rule] = match side {
                Side::Old => &self.old[index..=index],
                Side::New => &self.new[index..=index],
                Side::Both => &self.old[index..=index],
            };
            let translator = self.pair.translator;
            self.literals
                .push(translator.formula(&rules[0].condition, !truth));
            if side != Side::New {
                self.truths.0[index] = truth;
            }
            if side != Side::Old {
                self.truths.1[index] = truth;
            }
            match self.satisfiable() {
                Ok(true) => self.assign(next + 1),
                Ok(false) => {}
                Err(why) => self.undecided = Some(why),
            }
            self.literals.pop();
        }
    }

    fn satisfiable(&self) -> Result<bool, String> {
        let parts: Vec<&Formula> = self.literals.iter().collect();
        match solve_all(self.pair.translator, &parts) {
            Sat::Yes(_) => Ok(true),
            Sat::No => Ok(false),
            Sat::Unknown(reason) => Err(reason),
        }
    }

    /// The changed conditions that hold in one version only, in words.
    fn changes(&self) -> String {
        let pair = self.pair;
        let changed = self.choices[..self.changed].iter().step_by(2);
        let words: Vec<String> = changed
            .filter(|(i, _)| self.truths.0[*i] != self.truths.1[*i])
            .map(|&(i, _)| {
                let (old, new) = (
                    &pair.old.judgements[pair.old_index],
                    &pair.new.judgements[pair.new_index],
                );
                let (was, now) = changed_parts(
                    (pair.old, condition_at(old, i)),
                    (pair.new, condition_at(new, i)),
                );
                let version = match self.truths.1[i] {
                    true => "the new version",
                    false => "the old version",
                };
                format!(
                    "{} holds in {version} only: {now} (old: {was})",
                    limit_words(pair.old, old, i)
                )
            })
            .collect();
        words.join("; ")
    }

    /// At a complete assignment: each version's grade from its conditions'
    /// truths; where they differ, the evidence as a region.
    fn compare_grades(&mut self) {
        let old = self
            .pair
            .grade_given(self.pair.old_index, self.old, &self.truths.0);
        let new = self
            .pair
            .grade_given(self.pair.merged_new, self.new, &self.truths.1);
        let seen = self
            .regions
            .iter()
            .filter(|r| (r.old, r.new) == (old, new))
            .count();
        if old == new || seen >= MAX_AREAS {
            return;
        }
        let parts: Vec<&Formula> = self.literals.iter().collect();
        let result = match solve_all(self.pair.translator, &parts) {
            Sat::Yes(model) => self
                .pair
                .confirmed(&model, (old, new), Some(self.changes())),
            Sat::No => return,
            Sat::Unknown(reason) => Err(reason),
        };
        match result {
            Ok(region) => self.regions.push(region),
            Err(why) => self.undecided = Some(why),
        }
    }
}

/// The `index`-th condition of a judgement: its rules, then caps, then floors.
fn condition_at(judgement: &Judgement, index: usize) -> &Rule {
    let all = judgement
        .rules
        .iter()
        .chain(&judgement.caps)
        .chain(&judgement.floors);
    all.clone()
        .nth(index)
        .expect("an index within the judgement's conditions")
}

/// "the outstanding rule", "the cap at most good", "the floor at least good".
fn limit_words(policy: &Policy, judgement: &Judgement, index: usize) -> String {
    let rule = condition_at(judgement, index);
    let grade = rule.target(&policy.grades);
    let rules = judgement.rules.len();
    match index {
        i if i < rules => format!("the {grade} rule"),
        i if i < rules + judgement.caps.len() => format!("the cap at most {grade}"),
        _ => format!("the floor at least {grade}"),
    }
}

/// The parts (`and`-ed conditions) of each version's condition that the
/// other lacks, as written: (`crime_ratio <= 0.85`, `crime_ratio <= 0.9`).
/// The whole condition when no part is shared.
fn changed_parts((old, was): (&Policy, &Rule), (new, now): (&Policy, &Rule)) -> (String, String) {
    let parts = |policy: &Policy, rule: &Rule| -> Vec<String> {
        let mut out = Vec::new();
        conjuncts(&rule.condition, &mut |e| out.push(policy.text_of(e.span)));
        out
    };
    let (before, after) = (parts(old, was), parts(new, now));
    let only = |these: &[String], those: &[String]| {
        let kept: Vec<&str> = these
            .iter()
            .filter(|t| !those.contains(t))
            .map(String::as_str)
            .collect();
        match kept.is_empty() {
            true => "(no condition)".to_string(),
            false => kept.join(" and "),
        }
    };
    (only(&before, &after), only(&after, &before))
}

/// Calls `f` on each part of an `and` chain.
fn conjuncts<'e>(expr: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    match &expr.kind {
        ExprKind::And(a, b) => {
            conjuncts(a, f);
            conjuncts(b, f);
        }
        _ => f(expr),
    }
}

/// A grade's name, or `ungraded`.
pub fn outcome_name(policy: &Policy, grade: Option<u8>) -> &str {
    grade.map_or("ungraded", |g| policy.grades.name(g))
}

/// The value of a formula of constants.
fn truth(formula: &Formula) -> bool {
    match formula {
        Formula::Const(value) => *value,
        Formula::And(parts) => parts.iter().all(truth),
        Formula::Or(parts) => parts.iter().any(truth),
        // INVARIANT: `grade_given` assumes every condition's truth.
        _ => unreachable!("a condition left unassumed"),
    }
}

fn grade_is(judgement: usize, grade: u8) -> Formula {
    Formula::Finite(FinVar::Grade(judgement), BTreeSet::from([u32::from(grade)]))
}

/// The two versions as one policy: the old one, then the new one's
/// judgements and lets renumbered onto the shared evidence.
struct Merged {
    policy: Policy,
    /// The merged index of each of the new version's judgements.
    new_judgements: Vec<usize>,
    notes: Vec<String>,
}

/// Where each of the new version's names lands in the merged policy.
struct Renumbering {
    slots: Vec<usize>,
    scales: Vec<usize>,
    lets: usize,
    judgements: usize,
}

fn merge(old: &Policy, new: &Policy) -> Result<Merged, Diagnostic> {
    if old.grades.names != new.grades.names || old.grades.points != new.grades.points {
        return Err(incompatible(format!(
            "the versions grade on different scales ({} and {}, or different points)",
            old.grades.names.join(" < "),
            new.grades.names.join(" < ")
        )));
    }
    let mut scales = old.scales.clone();
    let scale_of: Vec<usize> = new
        .scales
        .iter()
        .map(|scale| {
            let same =
                |s: &crate::policy::LevelScale| s.name == scale.name && s.levels == scale.levels;
            scales.iter().position(same).unwrap_or_else(|| {
                scales.push(scale.clone());
                scales.len() - 1
            })
        })
        .collect();
    let mut fields: Vec<Field> = old.fields.to_vec();
    let mut notes = Vec::new();
    let mut slots = Vec::new();
    for field in &new.fields {
        let mut field = field.clone();
        renumber_type(&mut field.ty, &scale_of);
        match fields.iter().position(|f| f.path == field.path) {
            Some(slot) => {
                if fields[slot].ty != field.ty {
                    return Err(differently_typed((old, &fields[slot]), (new, &field)));
                }
                join_field(&mut fields[slot], &field, &mut notes);
                slots.push(slot);
            }
            None => {
                fields.push(field);
                slots.push(fields.len() - 1);
            }
        }
    }
    let renumbering = Renumbering {
        slots,
        scales: scale_of,
        lets: old.lets.len(),
        judgements: old.judgements.len(),
    };
    let mut lets = old.lets.clone();
    lets.extend(new.lets.iter().map(|l| {
        let mut l = l.clone();
        renumbering.expr(&mut l.expr);
        renumber_type(&mut l.ty, &renumbering.scales);
        l.reads.iter_mut().for_each(|s| *s = renumbering.slots[*s]);
        l
    }));
    let mut judgements = old.judgements.clone();
    judgements.extend(new.judgements.iter().map(|j| renumbering.judgement(j)));
    let order = old
        .order
        .iter()
        .copied()
        .chain(new.order.iter().map(|j| j + renumbering.judgements))
        .collect();
    let new_judgements = (0..new.judgements.len())
        .map(|j| j + renumbering.judgements)
        .collect();
    Ok(Merged {
        policy: Policy {
            name: old.name.clone(),
            source: old.source.clone(),
            grades: old.grades.clone(),
            scales,
            paths: crate::policy::PathTree::new(&fields),
            fields,
            subject: old.subject,
            lets,
            judgements,
            order,
            warnings: Vec::new(),
            scripts: None,
        },
        new_judgements,
        notes,
    })
}

fn incompatible(why: String) -> Diagnostic {
    Diagnostic::error(
        Code::Incompatible,
        format!("the two versions cannot be compared over all possible evidence: {why}"),
    )
    .help("compare them on evidence files instead: `insp diff OLD NEW EVIDENCE...`")
}

/// A field both versions declare with different types: no evidence suits both.
fn differently_typed((old, was): (&Policy, &Field), (new, now): (&Policy, &Field)) -> Diagnostic {
    let (was_words, now_words) = (type_words(&was.ty, old), type_words(&now.ty, old));
    incompatible(format!(
        "`{}` is {was_words} in the old version and {now_words} in the new one",
        now.path
    ))
    .in_source(&new.source)
    .primary(now.span, format!("{now_words} here"))
    .with_related(
        Diagnostic::advice(format!(
            "the old version declares `{}` as {was_words}",
            was.path
        ))
        .in_source(&old.source)
        .primary(was.span, format!("{was_words} here")),
    )
}

/// A field both versions declare with the same type, as one unknown over
/// the range both accept. Differences that still compare are noted.
fn join_field(merged: &mut Field, new: &Field, notes: &mut Vec<String>) {
    if merged.range != new.range {
        notes.push(format!(
            "`{}` is declared {} in the old version and {} in the new one: compared where both accept it",
            new.path,
            merged.range.words(),
            new.range.words()
        ));
        merged.range = Range {
            low: merged.range.low.max(new.range.low),
            high: match (merged.range.high, new.range.high) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        };
    }
    if merged.whole != new.whole {
        notes.push(format!(
            "`{}` is a whole number in one version only: compared on whole numbers",
            new.path
        ));
        merged.whole = true;
    }
}

fn type_words(ty: &Type, policy: &Policy) -> String {
    match ty {
        Type::Level(scale) => format!(
            "a level on `{}`",
            policy.scales.get(*scale).map_or("?", |s| s.name.as_str())
        ),
        Type::Number(unit) => format!("a number ({unit})"),
        Type::Estimate(unit) => format!("an estimate ({unit})"),
        Type::Bool => "true or false".to_string(),
        Type::Text => "text".to_string(),
        Type::Grade => "a grade".to_string(),
    }
}

fn renumber_type(ty: &mut Type, scales: &[usize]) {
    if let Type::Level(scale) = ty {
        *scale = scales[*scale];
    }
}

impl Renumbering {
    fn judgement(&self, judgement: &Judgement) -> Judgement {
        let mut j = judgement.clone();
        for rule in j.rules.iter_mut().chain(&mut j.caps).chain(&mut j.floors) {
            self.rule(rule);
        }
        for member in &mut j.members {
            *member = match *member {
                Member::Judgement(index) => Member::Judgement(index + self.judgements),
                Member::Field(slot) => Member::Field(self.slots[slot]),
            };
        }
        j.depends_on.iter_mut().for_each(|d| *d += self.judgements);
        j
    }

    fn rule(&self, rule: &mut Rule) {
        self.expr(&mut rule.condition);
        if let Some(follows) = &mut rule.follows {
            self.expr(&mut follows.grade);
        }
        rule.reads.iter_mut().for_each(|s| *s = self.slots[*s]);
    }

    fn expr(&self, expr: &mut Expr) {
        match &mut expr.kind {
            ExprKind::Field(slot) | ExprKind::TextEq { field: slot, .. } => {
                *slot = self.slots[*slot]
            }
            ExprKind::Let(index) => *index += self.lets,
            ExprKind::Grade(index) => *index += self.judgements,
            ExprKind::Const(Value::Level { scale, .. }) => {
                *scale = self.scales[usize::from(*scale)] as u16;
            }
            ExprKind::Helper { returns, .. } => renumber_type(returns, &self.scales),
            _ => {}
        }
        for_each_child_mut(expr, |child| self.expr(child));
    }
}
