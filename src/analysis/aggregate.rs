//! Aggregating judgements decided exactly, case by case. `count`, `points`,
//! `lowest`, `highest`, `members` and `assessed` depend only on how many
//! members hold each grade, so the analysis fixes those counts in turn — the
//! ways to split the members over the grades: 455 for twelve members on four
//! grades, not 4^12 — and decides each case's rules exactly. Members the
//! rules also read one by one (`key.safe >= good`) take values consistent
//! with the counts. Optional grade evidence among the members may also be
//! not assessed: the cases count those left out too.

use super::Analysis;
use super::apart::Apart;
use super::formula::{FinVar, Formula, Split};
use super::solver::{Model, Sat, solve_all};
use crate::policy::{Member, Rule, Strategy};
use std::collections::{BTreeMap, BTreeSet};

/// More cases than this are reported undecided rather than searched.
const MAX_CASES: u64 = 20_000;
/// Members read one by one take at most this many joint values per case.
const MAX_ASSIGNMENTS: usize = 4_096;
/// A gap lists at most this many cases in words.
const CASES_SHOWN: usize = 4;

/// Every way to split `members` over `grades`, with up to `optional` of
/// them not assessed; `None` when there are more than `MAX_CASES`.
pub(super) fn splits(members: usize, optional: usize, grades: usize) -> Option<Vec<Split>> {
    let mut total: u64 = 0;
    for unassessed in 0..=optional.min(members) {
        total += ways((members - unassessed) as u64, grades as u64)?;
        if total > MAX_CASES {
            return None;
        }
    }
    let mut out = Vec::new();
    for unassessed in 0..=optional.min(members) {
        let mut current = vec![0; grades];
        let mut counts = Vec::new();
        split((members - unassessed) as u32, 0, &mut current, &mut counts);
        out.extend(counts.into_iter().map(|counts| Split {
            counts,
            unassessed: unassessed as u32,
        }));
    }
    Some(out)
}

/// C(members + grades - 1, grades - 1), or `None` beyond `MAX_CASES`.
fn ways(members: u64, grades: u64) -> Option<u64> {
    let mut result: u64 = 1;
    for i in 1..grades {
        result = result.checked_mul(members + i)? / i;
        if result > MAX_CASES {
            return Some(result);
        }
    }
    Some(result)
}

fn split(left: u32, grade: usize, current: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
    if grade + 1 == current.len() {
        current[grade] = left;
        out.push(current.clone());
        return;
    }
    for here in 0..=left {
        current[grade] = here;
        split(left - here, grade + 1, current, out);
    }
}

fn member_var(member: Member) -> FinVar {
    match member {
        Member::Judgement(j) => FinVar::Grade(j),
        Member::Field(slot) => FinVar::Slot(slot),
    }
}

/// The finite unknowns a formula reads.
fn finite_vars(formula: &Formula, out: &mut BTreeSet<FinVar>) {
    match formula {
        Formula::Finite(var, _) => {
            out.insert(*var);
        }
        Formula::And(parts) | Formula::Or(parts) => parts.iter().for_each(|p| finite_vars(p, out)),
        _ => {}
    }
}

/// What the cases found, before it is reported.
#[derive(Default)]
struct Found {
    /// Rules, caps and floors that held in some case.
    held: BTreeSet<(&'static str, usize)>,
    /// Under `first`, `highest` or `lowest`: rules that decide the grade in some case.
    reached: BTreeSet<usize>,
    overlaps: BTreeMap<(usize, usize), Model>,
    gaps: Vec<(Split, Model)>,
    clashes: BTreeMap<(usize, usize), Model>,
    /// Every case was examined: "never" claims are proven.
    complete: bool,
}

impl<'p> Analysis<'_, 'p> {
    /// Whether the judgement's conditions read aggregates.
    pub(super) fn reads_aggregates(&self) -> bool {
        super::reach::reads_aggregates(self.judgement())
    }

    /// Overlaps, gaps, rules that never hold or never fire, and clashes of
    /// an aggregating judgement, decided case by case.
    pub(super) fn run_by_cases(mut self) {
        let j = self.judgement();
        let optional = self.optional_members();
        let Some(cases) = splits(
            j.members.len(),
            optional.len(),
            self.policy.grades.names.len(),
        ) else {
            self.undecided
                .push("there are too many ways to split its members over the grades".to_string());
            self.note_undecided();
            return;
        };
        if let Some(member) = self.member_maybe_unassessed() {
            self.undecided.push(format!(
                "the analysis takes member `{member}` as assessed, but it reads evidence that may not be"
            ));
        }
        let apart = self.apart();
        let mut found = Found {
            complete: true,
            ..Found::default()
        };
        for split in &cases {
            if self.translator.out_of_time() {
                self.undecided.push(
                    "the time budget for this judgement ran out (raise it with --budget-ms)"
                        .to_string(),
                );
                // What holds in no case is unproven: only what was found is shown.
                found.complete = false;
                break;
            }
            self.translator.set_counts(Some(split.clone()));
            self.case(split, &optional, apart.as_ref(), &mut found);
        }
        self.translator.set_counts(None);
        self.report_cases(found);
        self.note_undecided();
    }

    /// The members, if they read evidence apart from each other and from
    /// the judgement's own conditions, and some are judgements.
    fn apart(&self) -> Option<Apart> {
        let j = self.judgement();
        let conditions: Vec<Formula> = j
            .rules
            .iter()
            .chain(&j.caps)
            .chain(&j.floors)
            .map(|rule| self.translator.formula(&rule.condition, false))
            .collect();
        let conditions: Vec<&Formula> = conditions.iter().collect();
        Apart::find(self.translator, self.policy, &j.members, &conditions)
            .filter(Apart::ties_judgements)
    }

    /// The members that are optional grade evidence: each may be not assessed.
    fn optional_members(&self) -> Vec<FinVar> {
        let fields = &self.policy.fields;
        let members = self.judgement().members.iter();
        members
            .filter_map(|member| match member {
                Member::Field(slot) if fields[*slot].optional => Some(FinVar::Slot(*slot)),
                _ => None,
            })
            .collect()
    }

    /// A member judgement that reads optional evidence, and so may be not
    /// assessed — which the cases do not model.
    fn member_maybe_unassessed(&self) -> Option<&'p str> {
        let policy = self.policy;
        let optional = |rule: &Rule| rule.reads.iter().any(|slot| policy.fields[*slot].optional);
        self.judgement()
            .members
            .iter()
            .find_map(|member| match member {
                Member::Judgement(j) => {
                    let judgement = &policy.judgements[*j];
                    let mut rules = judgement
                        .rules
                        .iter()
                        .chain(&judgement.caps)
                        .chain(&judgement.floors);
                    rules.any(optional).then_some(judgement.id.as_str())
                }
                Member::Field(_) => None,
            })
    }

    /// One case: the member grades split as `split`.
    fn case(
        &mut self,
        split: &Split,
        optional: &[FinVar],
        apart: Option<&Apart>,
        found: &mut Found,
    ) {
        let counts = split.counts.as_slice();
        let j = self.judgement();
        let formula = |rule: &Rule, negated| self.translator.formula(&rule.condition, negated);
        let holds: Vec<Formula> = j.rules.iter().map(|r| formula(r, false)).collect();
        let fails: Vec<Formula> = j.rules.iter().map(|r| formula(r, true)).collect();
        let caps: Vec<Formula> = j.caps.iter().map(|r| formula(r, false)).collect();
        let floors: Vec<Formula> = j.floors.iter().map(|r| formula(r, false)).collect();
        let mut read = BTreeSet::new();
        for f in holds.iter().chain(&fails).chain(&caps).chain(&floors) {
            finite_vars(f, &mut read);
        }
        let members: Vec<FinVar> = j.members.iter().map(|m| member_var(*m)).collect();
        // Members apart are matched to the counts: a split no evidence
        // gives is no case at all.
        let apart = apart.filter(|_| members.iter().all(|m| !read.contains(m)));
        let assigned = match apart {
            Some(apart) => match apart.assign(split) {
                Some(assigned) => Some(assigned),
                None => return,
            },
            None => None,
        };
        let one_by_one = match assigned {
            Some(_) => Vec::new(),
            None => self.one_by_one(&members, &read),
        };
        // A member read one by one and not assessed leaves conditions
        // undecided, which the cases do not model.
        if split.unassessed > 0 && optional.iter().any(|v| one_by_one.contains(v)) {
            let reason =
                "whether an optional member read one by one and not assessed changes the grade";
            if !self.undecided.iter().any(|u| u == reason) {
                self.undecided.push(reason.to_string());
            }
            return;
        }
        let consistent = self.consistent(counts, &one_by_one);
        let sat = |this: &mut Self, parts: &[&Formula], what: &str| -> Option<Model> {
            let mut all = parts.to_vec();
            all.push(&consistent);
            match solve_all(this.translator, &all) {
                Sat::Yes(mut model) => {
                    match (apart, &assigned) {
                        (Some(apart), Some(assigned)) => apart.complete(&mut model, assigned),
                        _ => complete(
                            &mut model,
                            split,
                            &members,
                            optional,
                            this.policy.grades.names.len(),
                        ),
                    }
                    Some(model)
                }
                Sat::No => None,
                Sat::Unknown(reason) => {
                    this.undecided.push(format!("{what}: {reason}"));
                    None
                }
            }
        };
        for (kind, formulas) in [("rule", &holds), ("cap", &caps), ("floor", &floors)] {
            for (index, formula) in formulas.iter().enumerate() {
                if !found.held.contains(&(kind, index))
                    && sat(self, &[formula], "whether a rule can hold").is_some()
                {
                    found.held.insert((kind, index));
                }
            }
        }
        match j.strategy {
            Strategy::Unique => {
                for a in 0..holds.len() {
                    for b in a + 1..holds.len() {
                        if j.rules[a].grade == j.rules[b].grade
                            || found.overlaps.contains_key(&(a, b))
                        {
                            continue;
                        }
                        if let Some(model) =
                            sat(self, &[&holds[a], &holds[b]], "whether two rules overlap")
                        {
                            found.overlaps.insert((a, b), model);
                        }
                    }
                }
            }
            Strategy::First | Strategy::Highest | Strategy::Lowest => {
                for (index, holds) in holds.iter().enumerate() {
                    let winners = self.winners(index);
                    if found.reached.contains(&index) || winners.is_empty() {
                        found.reached.insert(index);
                        continue;
                    }
                    let mut parts: Vec<&Formula> = winners.into_iter().map(|w| &fails[w]).collect();
                    parts.push(holds);
                    if sat(self, &parts, "whether a rule can decide the grade").is_some() {
                        found.reached.insert(index);
                    }
                }
            }
        }
        if j.otherwise.is_none() {
            let none: Vec<&Formula> = fails.iter().collect();
            if let Some(model) = sat(self, &none, "whether some evidence meets no rule") {
                found.gaps.push((split.clone(), model));
            }
        }
        let resolves = match j.caps.is_empty() || j.floors.is_empty() {
            true => Formula::Const(true),
            false => self.resolves(),
        };
        for (f, floor) in j.floors.iter().enumerate() {
            for (c, cap) in j.caps.iter().enumerate() {
                let above = self.translator.floor_above_cap(floor, cap);
                if above == Formula::Const(false) || found.clashes.contains_key(&(f, c)) {
                    continue;
                }
                if let Some(model) = sat(
                    self,
                    &[&floors[f], &caps[c], &above, &resolves],
                    "whether a floor and a cap clash",
                ) {
                    found.clashes.insert((f, c), model);
                }
            }
        }
    }

    /// The members given values one by one: those the rules read so, and
    /// member judgements whose grades are tied to the evidence (so that a
    /// case's witness fixes evidence giving each its grade) when the joint
    /// values stay few enough; else those read alone.
    fn one_by_one(&self, members: &[FinVar], read: &BTreeSet<FinVar>) -> Vec<FinVar> {
        let tied =
            |var: &FinVar| matches!(var, FinVar::Grade(j) if self.translator.link(*j).is_some());
        let fits = |n: usize| {
            let grades = self.policy.grades.names.len();
            grades
                .checked_pow(n as u32)
                .is_some_and(|t| t <= MAX_ASSIGNMENTS)
        };
        let with_tied: Vec<FinVar> = members
            .iter()
            .copied()
            .filter(|v| read.contains(v) || tied(v))
            .collect();
        if fits(with_tied.len()) {
            return with_tied;
        }
        members
            .iter()
            .copied()
            .filter(|v| read.contains(v))
            .collect()
    }

    /// Members read one by one take values the counts allow: one
    /// alternative per joint assignment that leaves counts the others fill.
    fn consistent(&self, counts: &[u32], one_by_one: &[FinVar]) -> Formula {
        if one_by_one.is_empty() {
            return Formula::Const(true);
        }
        let grades = counts.len();
        let total = grades.checked_pow(one_by_one.len() as u32);
        if total.is_none_or(|t| t > MAX_ASSIGNMENTS) {
            return Formula::Opaque(
                "it reads too many members one by one beside their counts".to_string(),
            );
        }
        let mut alternatives = Vec::new();
        for code in 0..total.unwrap_or(0) {
            let mut left = counts.to_vec();
            let mut rest = code;
            let mut parts = Vec::with_capacity(one_by_one.len());
            let mut fits = true;
            for var in one_by_one {
                let grade = rest % grades;
                rest /= grades;
                if left[grade] == 0 {
                    fits = false;
                    break;
                }
                left[grade] -= 1;
                parts.push(Formula::Finite(*var, BTreeSet::from([grade as u32])));
            }
            if fits {
                alternatives.push(Formula::And(parts));
            }
        }
        Formula::Or(alternatives)
    }

    fn report_cases(&mut self, mut found: Found) {
        // A case left undecided leaves "never" unproven too.
        found.complete &= self.undecided.is_empty();
        let j = self.judgement();
        let universal = [("rule", &j.rules), ("cap", &j.caps), ("floor", &j.floors)];
        for (kind, limits) in universal.into_iter().filter(|_| found.complete) {
            for (index, rule) in limits.iter().enumerate() {
                if !found.held.contains(&(kind, index)) {
                    self.report_never(rule, kind);
                }
            }
        }
        for ((a, b), model) in &found.overlaps {
            self.report_overlap(*a, *b, model);
        }
        if j.strategy != Strategy::Unique && found.complete {
            for index in 0..j.rules.len() {
                if found.held.contains(&("rule", index)) && !found.reached.contains(&index) {
                    self.report_shadowed(index);
                }
            }
        }
        if let Some((_, model)) = found.gaps.first() {
            let cases: Vec<String> = found
                .gaps
                .iter()
                .map(|(split, _)| self.split_words(split))
                .collect();
            let shown = cases.len().min(CASES_SHOWN);
            let mut words = format!("its members are {}", cases[..shown].join("; or "));
            if cases.len() > shown {
                words.push_str(&format!("; or {} more combinations", cases.len() - shown));
            }
            self.report_gap(model, Some(super::Region::Cases(words)));
        }
        for ((f, c), model) in &found.clashes {
            self.report_clash(&j.floors[*f], &j.caps[*c], model);
        }
    }

    /// A split in words, best grade first: "1 good, 1 inadequate and 1 not assessed".
    fn split_words(&self, split: &Split) -> String {
        let mut parts: Vec<String> = split
            .counts
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, c)| **c > 0)
            .map(|(grade, c)| format!("{c} {}", self.policy.grades.words(grade as u8)))
            .collect();
        if split.unassessed > 0 {
            parts.push(format!("{} not assessed", split.unassessed));
        }
        match parts.as_slice() {
            [] => "none".to_string(),
            [only] => only.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// Members the model leaves open take the grades the counts leave; as many
/// optional members as the split leaves out are not assessed (`grades`, one
/// past the last grade, stands for that in a model).
fn complete(
    model: &mut Model,
    split: &Split,
    members: &[FinVar],
    optional: &[FinVar],
    grades: usize,
) {
    let mut left = split.counts.clone();
    for var in members {
        if let Some(grade) = model.finite.get(var) {
            left[*grade as usize] = left[*grade as usize].saturating_sub(1);
        }
    }
    let mut unassessed = split.unassessed;
    for var in optional {
        if unassessed > 0 && !model.finite.contains_key(var) {
            model.finite.insert(*var, grades as u32);
            unassessed -= 1;
        }
    }
    for var in members {
        if model.finite.contains_key(var) {
            continue;
        }
        if let Some(grade) = left.iter().position(|c| *c > 0) {
            left[grade] -= 1;
            model.finite.insert(*var, grade as u32);
        }
    }
}
