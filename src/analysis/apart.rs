//! Members of an aggregate that read evidence apart from each other. When
//! each member judgement reads evidence no other member and not the
//! aggregate's own rules read, the grades it can take are found once — with
//! evidence giving each — and a split of the members over the grades can
//! occur exactly when the members can be matched to its counts. So an
//! overall judgement over a dozen questions is decided over what its
//! questions can really be, and its witnesses are complete evidence, without
//! enumerating every joint value of the members.

use super::formula::{FinVar, Formula, NumVar, Split, Translator};
use super::solver::{Model, Sat, solve_all};
use crate::policy::{Member, Policy};
use std::collections::BTreeSet;

/// The evidence a formula reads: numeric unknowns and field slots.
#[derive(Default)]
struct Reads {
    numbers: BTreeSet<NumVar>,
    slots: BTreeSet<usize>,
}

impl Reads {
    fn is_disjoint(&self, other: &Reads) -> bool {
        self.numbers.is_disjoint(&other.numbers) && self.slots.is_disjoint(&other.slots)
    }

    fn extend(&mut self, other: Reads) {
        self.numbers.extend(other.numbers);
        self.slots.extend(other.slots);
    }
}

/// One member, and what it can be.
enum Reach {
    /// Grade evidence: any grade, or not assessed if optional.
    Field { slot: usize, optional: bool },
    /// A judgement: for each grade, evidence giving it, if any can.
    Judgement {
        index: usize,
        by_grade: Vec<Option<Model>>,
    },
}

/// The members of an aggregate reading evidence apart.
pub(super) struct Apart {
    members: Vec<Reach>,
}

impl Apart {
    /// The members apart, if they are: every member judgement is tied to
    /// its evidence (`reach.rs`), and no two of them, nor the aggregate's own
    /// `conditions`, read the same evidence. `None` otherwise (or when a
    /// member's grades could not be decided).
    pub fn find(
        translator: &Translator,
        policy: &Policy,
        members: &[Member],
        conditions: &[&Formula],
    ) -> Option<Apart> {
        let mut seen = Reads::default();
        for condition in conditions {
            seen.extend(reads(translator, condition)?);
        }
        let mut apart = Vec::new();
        for member in members {
            apart.push(match *member {
                Member::Field(slot) => Reach::Field {
                    slot,
                    optional: policy.fields[slot].optional,
                },
                Member::Judgement(index) => {
                    let link = translator.link(index)?;
                    let read = reads(translator, &link)?;
                    if !read.is_disjoint(&seen) {
                        return None;
                    }
                    seen.extend(read);
                    Reach::Judgement {
                        index,
                        by_grade: by_grade(translator, policy, index)?,
                    }
                }
            });
        }
        Some(Apart { members: apart })
    }

    /// Whether any judgement is among the members (else there is nothing to tie).
    pub fn ties_judgements(&self) -> bool {
        self.members
            .iter()
            .any(|m| matches!(m, Reach::Judgement { .. }))
    }

    /// A grade (or not assessed: one past the last grade) for each member,
    /// matching the split's counts with grades each member can take; `None`
    /// when no evidence gives the split.
    pub fn assign(&self, split: &Split) -> Option<Vec<u32>> {
        let grades = split.counts.len();
        let mut slots: Vec<u32> = Vec::new();
        for (grade, count) in split.counts.iter().enumerate() {
            slots.extend(std::iter::repeat_n(grade as u32, *count as usize));
        }
        slots.extend(std::iter::repeat_n(
            grades as u32,
            split.unassessed as usize,
        ));
        if slots.len() != self.members.len() {
            return None;
        }
        let can = |member: usize, value: u32| match &self.members[member] {
            Reach::Field { optional, .. } => (value as usize) < grades || *optional,
            Reach::Judgement { by_grade, .. } => {
                by_grade.get(value as usize).is_some_and(Option::is_some)
            }
        };
        // Kuhn's augmenting paths: members to the split's slots.
        let mut holder: Vec<Option<usize>> = vec![None; slots.len()];
        for member in 0..self.members.len() {
            let mut visited = vec![false; slots.len()];
            if !augment(member, &slots, &can, &mut holder, &mut visited) {
                return None;
            }
        }
        let mut assigned = vec![0; self.members.len()];
        for (slot, member) in holder.iter().enumerate() {
            assigned[member.expect("every member matched")] = slots[slot];
        }
        Some(assigned)
    }

    /// The model completed with the members' evidence for their assigned
    /// grades (the evidence they read is apart, so nothing is overwritten).
    pub fn complete(&self, model: &mut Model, assigned: &[u32]) {
        for (member, value) in self.members.iter().zip(assigned) {
            match member {
                Reach::Field { slot, .. } => {
                    model.finite.insert(FinVar::Slot(*slot), *value);
                }
                Reach::Judgement { index, by_grade } => {
                    let given = by_grade[*value as usize].as_ref().expect("assigned");
                    model.numbers.extend(given.numbers.clone());
                    model.finite.extend(given.finite.clone());
                    model.finite.insert(FinVar::Grade(*index), *value);
                }
            }
        }
    }
}

fn augment(
    member: usize,
    slots: &[u32],
    can: &dyn Fn(usize, u32) -> bool,
    holder: &mut [Option<usize>],
    visited: &mut [bool],
) -> bool {
    for slot in 0..slots.len() {
        if visited[slot] || !can(member, slots[slot]) {
            continue;
        }
        visited[slot] = true;
        let free = match holder[slot] {
            None => true,
            Some(other) => augment(other, slots, can, holder, visited),
        };
        if free {
            holder[slot] = Some(member);
            return true;
        }
    }
    false
}

/// For each grade, evidence giving the judgement that grade, if any can;
/// `None` if some grade could not be decided.
fn by_grade(translator: &Translator, policy: &Policy, index: usize) -> Option<Vec<Option<Model>>> {
    (0..policy.grades.names.len() as u32)
        .map(|grade| {
            let given = Formula::Finite(FinVar::Grade(index), BTreeSet::from([grade]));
            match solve_all(translator, &[&given]) {
                Sat::Yes(model) => Some(Some(model)),
                Sat::No => Some(None),
                Sat::Unknown(_) => None,
            }
        })
        .collect()
}

/// The evidence a formula reads, following the judgements' grades it reads
/// to their links; `None` when a grade read is not tied to evidence.
fn reads(translator: &Translator, formula: &Formula) -> Option<Reads> {
    let mut out = Reads::default();
    let mut linked = BTreeSet::new();
    let mut pending = vec![formula.clone()];
    while let Some(formula) = pending.pop() {
        match formula {
            Formula::Linear(c) => out.numbers.extend(c.lin.terms.keys().copied()),
            Formula::Finite(FinVar::Slot(slot), _) => {
                out.slots.insert(slot);
            }
            Formula::Finite(FinVar::Grade(j), _) => {
                if linked.insert(j) {
                    pending.push((*translator.link(j)?).clone());
                }
            }
            Formula::And(parts) | Formula::Or(parts) => pending.extend(parts),
            Formula::Const(_) | Formula::Opaque(_) => {}
        }
    }
    Some(out)
}
